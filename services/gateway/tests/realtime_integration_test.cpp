// GET /v1/ws against the real Kafka and Redis of the test stack: an in-process gateway wired like main.cpp
// (RealtimeComponent), its own random topics, Redis prefixes and instance IDs, short heartbeats; events are
// produced straight onto the topics, tokens signed with the stack's key and sessions written the way Auth
// writes them. A small synchronous Beast client plays the browser.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/routes.hpp"
#include "api/token_authenticator.hpp"
#include "clients/grpc_clients.hpp"
#include "http/dispatcher.hpp"
#include "http/server.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/events/v1/events.pb.h"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/producer.hpp"
#include "messenger/token/revocation.hpp"
#include "messenger/token/token.hpp"
#include "ws/realtime_component.hpp"

namespace messenger::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int ClosedPort() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds within = 10s) {
  const auto deadline = SteadyClock::now() + within;
  while (!done()) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

// What one test shares between its gateway instances: topics, Redis prefixes.
struct Namespace {
  std::string chat_topic = "test.gw.chat-" + RandomToken(6);
  std::string friends_topic = "test.gw.friends-" + RandomToken(6);
  std::string redis_prefix = "test-gw-" + RandomToken(6) + ":";
  std::string presence_prefix = "test-presence-" + RandomToken(6) + ":";
};

// A gateway instance: the real server, dispatcher, authenticator and RealtimeComponent.
class Instance {
 public:
  Instance(const Namespace& ns, std::string instance_id, std::chrono::milliseconds ping_interval)
      : blocking_(2),
        redis_(RedisSettings::FromEnv()),
        redis_async_(ioc_.get_executor(), AsyncRedisOptions::FromSettings(RedisSettings::FromEnv())) {
    const std::string closed = "127.0.0.1:" + std::to_string(ClosedPort());
    auto auth_channel = MakeChannel(closed);
    auto users_channel = MakeChannel(closed);
    auth_ = std::make_unique<GrpcAuthClient>(auth_channel, 1000ms, in_flight_);
    users_ = std::make_unique<GrpcUsersClient>(users_channel, 1000ms, in_flight_);
    verifier_ = std::move(token::Verifier::Create(ReadFileOrEmpty(EnvString("JWT_PUBLIC_KEY_FILE", "")),
                                                  "messenger-auth", "messenger-api", clock_)
                              .value());
    liveness_ = std::make_unique<AsyncRedisSessionLiveness>(redis_async_);

    RealtimeConfig config;
    config.service.instance_id = instance_id;
    config.service.socket.ping_interval = ping_interval;
    config.service.socket.close_timeout = 2s;
    config.events.brokers = KafkaSettings::FromEnv().brokers;
    config.events.group_id = "gateway-" + instance_id;
    config.events.topics = {ns.chat_topic, ns.friends_topic};
    config.events.partitions_if_created = 2;
    config.events.start_not_before = std::chrono::system_clock::now() - 2s;
    config.events.session_timeout = 6s;
    config.keys.presence_prefix = ns.presence_prefix;
    config.keys.connections_prefix = ns.redis_prefix + "conns:";
    config.keys.session_channel = ns.redis_prefix + "session-ended";
    config.presence_ttl = 3 * ping_interval;
    realtime_ = std::make_unique<RealtimeComponent>(
        RealtimeComponent::Dependencies{ioc_, redis_, blocking_, RedisSettings::FromEnv(), users_channel,
                                        1000ms, in_flight_},
        config);
    AddAllRoutes(router_, RouteDependencies{*auth_, *users_, metrics_, realtime_->probes(), nullptr, nullptr,
                                            &realtime_->service()});
    authenticator_ = std::make_unique<TokenAuthenticator>(*verifier_, *liveness_);
    dispatcher_ = std::make_unique<Dispatcher>(router_, *authenticator_);
    ServerOptions options;
    options.port = 0;
    server_ = std::make_unique<HttpServer>(ioc_, options, *dispatcher_, metrics_);
    EXPECT_TRUE(server_->Start().ok());
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
    realtime_->Start();
  }

  ~Instance() {
    server_->StopAccepting();
    realtime_->Shutdown(2s);
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    in_flight_.WaitIdle(5s);
    blocking_.Stop();
  }

  int port() const { return server_->port(); }
  RealtimeComponent& realtime() { return *realtime_; }

 private:
  asio::io_context ioc_{2};
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  InFlightCalls in_flight_;
  BlockingPool blocking_;
  LazyRedisClient redis_;  // the presence store's, as in main.cpp
  AsyncRedisClient redis_async_;
  SystemClock clock_;
  std::unique_ptr<GrpcAuthClient> auth_;
  std::unique_ptr<GrpcUsersClient> users_;
  std::unique_ptr<token::Verifier> verifier_;
  std::unique_ptr<AsyncRedisSessionLiveness> liveness_;
  std::unique_ptr<RealtimeComponent> realtime_;
  Metrics metrics_;
  Router router_;
  std::unique_ptr<TokenAuthenticator> authenticator_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<HttpServer> server_;
  std::vector<std::thread> threads_;
};

// A browser's WebSocket, synchronous: the test reads when it wants to (or never).
class Client {
 public:
  Client(int port, const std::string& token) : ws_(ioc_) {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
    beast::get_lowest_layer(ws_).connect(endpoint);
    ws_.set_option(websocket::stream_base::decorator([token](websocket::request_type& r) {
      r.set(beast::http::field::authorization, "Bearer " + token);
    }));
    ws_.handshake(answer_, "127.0.0.1", "/v1/ws", ec_);
  }

  bool upgraded() const { return !ec_; }
  int status() const { return static_cast<int>(answer_.result_int()); }

  // The next text frame within `within`, or nullopt; a close ends reading (see WaitClosed). A read that did
  // not complete in time stays pending for the next call (cancelling it would break the stream).
  std::optional<json::value> Next(std::chrono::milliseconds within = 5s) {
    if (frames_.empty() && !closed_) {
      if (!reading_) {
        reading_ = true;
        ws_.async_read(buffer_, [this](boost::system::error_code ec, std::size_t) {
          reading_ = false;
          if (ec) {
            closed_ = true;
            close_code_ = ec == websocket::error::closed ? static_cast<int>(ws_.reason().code) : 0;
            return;
          }
          frames_.push_back(json::parse(beast::buffers_to_string(buffer_.data())));
          buffer_.consume(buffer_.size());
        });
      }
      ioc_.restart();
      ioc_.run_for(within);
    }
    if (frames_.empty()) return std::nullopt;
    json::value frame = std::move(frames_.front());
    frames_.erase(frames_.begin());
    return frame;
  }

  // Reads until the connection ends; the close code (0 when it ended without a close frame).
  std::optional<int> WaitClosed(std::chrono::milliseconds within) {
    const auto deadline = SteadyClock::now() + within;
    while (!closed_ && SteadyClock::now() < deadline) {
      Next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
    }
    if (!closed_) return std::nullopt;
    return close_code_;
  }

  void Close() {
    ws_.async_close(websocket::close_code::normal, [](boost::system::error_code) {});
    ioc_.restart();
    ioc_.run_for(2s);
  }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  websocket::response_type answer_;
  boost::system::error_code ec_;
  beast::flat_buffer buffer_;
  std::vector<json::value> frames_;
  bool reading_ = false;
  bool closed_ = false;
  int close_code_ = -1;
};

class GatewayRealtimeIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string brokers = KafkaSettings::FromEnv().brokers;
    ASSERT_TRUE(kafka::EnsureTopics(brokers, {{ns_.chat_topic, 2, 1}, {ns_.friends_topic, 2, 1}}, 30s).ok());
    kafka::ProducerOptions producer_options;
    producer_options.brokers = brokers;
    producer_options.message_timeout = 10s;
    producer_ = std::move(kafka::Producer::Create(producer_options).value());
    signer_ = std::move(token::Signer::Create(ReadFileOrEmpty(EnvString("JWT_PRIVATE_KEY_FILE", "")),
                                              "messenger-auth", "messenger-api", 900s, clock_)
                            .value());
    admin_ = std::move(redis::Client::Create(RedisSettings::FromEnv()).value());
  }

  void TearDown() override {
    (void)kafka::DeleteTopics(KafkaSettings::FromEnv().brokers, {ns_.chat_topic, ns_.friends_topic}, 30s);
    for (const std::string& sid : sessions_) (void)admin_->Del({token::SessionKey(sid)});
  }

  struct User {
    std::string user_id = NewUuid();
    std::string session_id = NewUuid();
    std::string token;
  };

  User NewUser() {
    User u;
    u.token = signer_->Issue(u.user_id, u.session_id, NewUuid()).value();
    EXPECT_TRUE(admin_->Set(token::SessionKey(u.session_id), u.user_id, 5min).ok());
    sessions_.push_back(u.session_id);
    return u;
  }

  std::unique_ptr<Instance> Start(const std::string& instance_id, std::chrono::milliseconds ping = 1000ms) {
    auto instance = std::make_unique<Instance>(ns_, instance_id, ping);
    return instance;
  }

  // Connects, retrying while the instance answers 503 (not positioned yet: joining the group can take a
  // while on a busy broker, especially right after the same group's previous member left).
  std::unique_ptr<Client> Connect(const Instance& instance, const User& user) {
    std::unique_ptr<Client> client;
    EXPECT_TRUE(WaitFor(
        [&] {
          client = std::make_unique<Client>(instance.port(), user.token);
          return client->upgraded() || client->status() != 503;
        },
        45s));
    EXPECT_TRUE(client->upgraded()) << "HTTP " << client->status();
    return client;
  }

  void SendMessage(const std::string& event_id, const std::string& chat_id, std::int64_t seq,
                   const std::vector<std::string>& participants) {
    events::v1::Envelope e;
    e.set_event_id(event_id);
    auto* m = e.mutable_message_sent();
    m->set_message_id(NewUuid());
    m->set_chat_id(chat_id);
    m->set_seq(seq);
    m->set_author_id(participants.front());
    m->set_content("message " + std::to_string(seq));
    m->set_created_at_unix_ms(ToUnixMillis(std::chrono::system_clock::now()));
    for (const auto& p : participants) m->add_participant_ids(p);
    ASSERT_TRUE(producer_->Send(ns_.chat_topic, chat_id, e.SerializeAsString(), 15s).ok());
  }

  bool PresenceExists(const User& u) {
    StatusOr<bool> exists = admin_->Exists(ns_.presence_prefix + u.user_id);
    return exists.ok() && *exists;
  }

  Namespace ns_;
  SystemClock clock_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<token::Signer> signer_;
  std::unique_ptr<redis::Client> admin_;
  std::vector<std::string> sessions_;
};

TEST_F(GatewayRealtimeIntegrationTest, EveryEventAfterThe101ArrivesInOrderAndDuplicatesOnce) {
  auto gateway = Start("it-" + RandomToken(6));
  User alice = NewUser(), bob = NewUser();
  auto socket = Connect(*gateway, bob);
  ASSERT_TRUE(socket->upgraded());
  const std::string chat = NewUuid();
  for (int seq = 1; seq <= 20; ++seq) {
    SendMessage("e" + std::to_string(seq), chat, seq, {alice.user_id, bob.user_id});
    if (seq == 10) SendMessage("e10", chat, 10, {alice.user_id, bob.user_id});  // the relay published twice
  }
  for (int seq = 1; seq <= 20; ++seq) {
    auto frame = socket->Next();
    ASSERT_TRUE(frame.has_value()) << "missing seq " << seq;
    EXPECT_EQ(frame->at("message").at("seq").as_int64(), seq);
  }
  EXPECT_FALSE(socket->Next(500ms).has_value()) << "the duplicate came through";
}

TEST_F(GatewayRealtimeIntegrationTest,
       UpgradesWaitUntilTheConsumerIsPositionedAndAfterARestartNothingIsSkipped) {
  const std::string id = "it-" + RandomToken(6);
  User alice = NewUser(), bob = NewUser();
  const std::string chat = NewUuid();
  {
    auto first = Start(id);
    auto socket = Connect(*first, bob);
    SendMessage("a1", chat, 1, {alice.user_id, bob.user_id});
    ASSERT_TRUE(socket->Next().has_value());
  }
  SendMessage("a2", chat, 2, {alice.user_id, bob.user_id});  // while the instance is down: nobody to tell
  auto second = Start(id);  // the same instance ID: its group has committed offsets
  auto socket = Connect(*second, bob);
  ASSERT_TRUE(second->realtime().probes()[0]->name() == "events");
  SendMessage("a3", chat, 3, {alice.user_id, bob.user_id});
  // a2 may come too (produced within the start margin); a3, produced after the 101, must.
  std::vector<std::int64_t> seqs;
  while (auto frame = socket->Next(seqs.empty() || seqs.back() < 3 ? 5s : 300ms)) {
    seqs.push_back(frame->at("message").at("seq").as_int64());
  }
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.back(), 3);
  EXPECT_TRUE(std::is_sorted(seqs.begin(), seqs.end()));
  EXPECT_EQ(std::count(seqs.begin(), seqs.end(), 1), 0) << "a1 was handled and committed before the restart";
}

TEST_F(GatewayRealtimeIntegrationTest, PresenceFollowsTheSocketsOfAUser) {
  auto gateway = Start("it-" + RandomToken(6));
  User bob = NewUser();
  EXPECT_FALSE(PresenceExists(bob));
  auto phone = Connect(*gateway, bob);
  ASSERT_TRUE(WaitFor([&] { return PresenceExists(bob); }));
  StatusOr<std::int64_t> pttl = admin_->PttlMillis(ns_.presence_prefix + bob.user_id);
  const std::int64_t ttl = pttl.ok() ? *pttl : -2;
  EXPECT_GT(ttl, 0) << "presence has a TTL, so a crashed gateway's users go offline";
  EXPECT_LE(ttl, 3000);
  auto laptop = Connect(*gateway, bob);
  phone->Close();
  ASSERT_TRUE(WaitFor([&] { return gateway->realtime().registry().size() == 1; }));
  // Longer than the TTL: the heartbeat refreshes it while the laptop is connected (and answers pings).
  EXPECT_FALSE(laptop->Next(4s).has_value());
  EXPECT_TRUE(PresenceExists(bob));
  laptop->Close();
  EXPECT_TRUE(WaitFor([&] { return !PresenceExists(bob); }, 2s)) << "offline once the last socket closed";
}

TEST_F(GatewayRealtimeIntegrationTest, ACrashedInstancesMembersExpireWhileOthersLiveOn) {
  LazyRedisClient redis(RedisSettings::FromEnv());
  RedisRealtimeStore store(
      redis, RedisRealtimeKeys{ns_.presence_prefix, ns_.redis_prefix + "conns:", ns_.redis_prefix + "ch"},
      1000ms);
  User bob = NewUser();
  using Kind = PresenceChange::Kind;
  ASSERT_TRUE(store
                  .ApplyPresence({{Kind::kConnect, bob.user_id, {"crashed:1"}},
                                  {Kind::kConnect, bob.user_id, {"live:2"}}})
                  .ok());
  EXPECT_TRUE(PresenceExists(bob));
  // Only "live" keeps refreshing; "crashed" never says goodbye.
  const auto until = SteadyClock::now() + 2500ms;
  while (SteadyClock::now() < until) {
    ASSERT_TRUE(store.ApplyPresence({{Kind::kRefresh, bob.user_id, {"live:2"}}}).ok());
    std::this_thread::sleep_for(300ms);
  }
  EXPECT_TRUE(PresenceExists(bob));
  ASSERT_TRUE(store.ApplyPresence({{Kind::kDisconnect, bob.user_id, {"live:2"}}}).ok());
  EXPECT_FALSE(PresenceExists(bob)) << "the crashed member had expired: nobody is left";
  // And when the last live instance crashes too, presence ends by itself.
  ASSERT_TRUE(store.ApplyPresence({{Kind::kConnect, bob.user_id, {"live:3"}}}).ok());
  EXPECT_TRUE(WaitFor([&] { return !PresenceExists(bob); }, 3s));
}

TEST_F(GatewayRealtimeIntegrationTest, ADeadPeerIsDroppedWithinTwoPingIntervals) {
  auto gateway = Start("it-" + RandomToken(6), 500ms);
  User bob = NewUser();
  auto silent = Connect(*gateway, bob);  // never reads again: no pong ever goes back
  ASSERT_TRUE(WaitFor([&] { return gateway->realtime().registry().size() == 1; }));
  const auto connected = SteadyClock::now();
  ASSERT_TRUE(WaitFor([&] { return gateway->realtime().registry().size() == 0; }, 5s));
  EXPECT_LT(SteadyClock::now() - connected, 2500ms);
  EXPECT_TRUE(WaitFor([&] { return !PresenceExists(bob); }, 2s));
}

TEST_F(GatewayRealtimeIntegrationTest, AnEndedSessionClosesItsSocketsAtTheNextHeartbeat) {
  auto gateway = Start("it-" + RandomToken(6), 500ms);
  User bob = NewUser();
  User other_session = bob;
  other_session.session_id = NewUuid();
  other_session.token = signer_->Issue(bob.user_id, other_session.session_id, NewUuid()).value();
  ASSERT_TRUE(admin_->Set(token::SessionKey(other_session.session_id), bob.user_id, 5min).ok());
  sessions_.push_back(other_session.session_id);
  auto socket = Connect(*gateway, bob);
  auto other = Connect(*gateway, other_session);
  // Refresh-token replay: Auth deletes the session; no broadcast is sent.
  ASSERT_TRUE(admin_->Del({token::SessionKey(bob.session_id)}).ok());
  EXPECT_EQ(socket->WaitClosed(3s), std::optional<int>(4001));
  const std::string chat = NewUuid();
  SendMessage("x1", chat, 1, {bob.user_id});
  EXPECT_TRUE(other->Next().has_value()) << "the other session's socket lives on";
}

TEST_F(GatewayRealtimeIntegrationTest, ASessionEndBroadcastByAnotherInstanceClosesTheSocketAtOnce) {
  auto one = Start("it-" + RandomToken(6), 30s);
  auto two = Start("it-" + RandomToken(6), 30s);
  User bob = NewUser();
  auto socket = Connect(*two, bob);
  ASSERT_TRUE(WaitFor([&] { return two->realtime().registry().size() == 1; }));
  ASSERT_TRUE(admin_->Del({token::SessionKey(bob.session_id)}).ok());  // what Auth's Logout does
  const auto started = SteadyClock::now();
  asio::io_context ioc;
  asio::co_spawn(ioc, one->realtime().service().SessionEnded(bob.session_id, "rid"), asio::detached);
  ioc.run();
  EXPECT_EQ(socket->WaitClosed(3s), std::optional<int>(4001));
  EXPECT_LT(SteadyClock::now() - started, 2s) << "not the 30 s heartbeat";
}

TEST_F(GatewayRealtimeIntegrationTest, ReadinessIncludesTheEventConsumerAndTheSessionChannel) {
  auto gateway = Start("it-" + RandomToken(6));
  std::vector<std::string> names;
  for (ReadinessProbe* p : gateway->realtime().probes()) names.emplace_back(p->name());
  EXPECT_EQ(names, (std::vector<std::string>{"events", "session-channel"}));
  ASSERT_TRUE(WaitFor([&] { return gateway->realtime().probes().size() == 2; }));
  User bob = NewUser();
  auto socket = Connect(*gateway, bob);  // upgrades only once positioned
  ASSERT_TRUE(socket->upgraded());
}

}  // namespace
}  // namespace messenger::gateway
