// AsyncRedisClient (and the revocation check and readiness probe on it) against the real Redis of the stack
// (REDIS_HOST/REDIS_PORT, `./dev env test` or `./dev env dev`), and against sockets that misbehave on
// purpose: a closed port, a listener whose accept queue is full (the connect never completes) and one that
// accepts but never answers. Keys live under a random prefix with a TTL; connections carry a random client
// name.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <fstream>
#include <latch>
#include <set>
#include <sstream>
#include <thread>

#include "api/token_authenticator.hpp"
#include "clients/async_redis_client.hpp"
#include "clients/redis_checks.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/redis/client.hpp"
#include "messenger/token/revocation.hpp"
#include "messenger/token/token.hpp"
#include "test_support.hpp"

namespace messenger::gateway {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using testing::RunSync;
using SteadyClock = std::chrono::steady_clock;

milliseconds Since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
}

// A loopback TCP listener on an ephemeral port that never accepts. With `backlog` 0 its accept queue is full
// after `fillers` connections, and later connects hang (the kernel drops their SYNs).
class SilentListener {
 public:
  explicit SilentListener(int backlog, int fillers = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(::listen(fd_, backlog), 0);
    socklen_t length = sizeof address;
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
    for (int i = 0; i < fillers; ++i) {
      int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      (void)::connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address);
      fillers_.push_back(filler);
    }
    if (fillers > 0) std::this_thread::sleep_for(milliseconds(50));  // let the handshakes settle
  }
  ~SilentListener() {
    for (int filler : fillers_) ::close(filler);
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// A loopback port nothing listens on: bound, read, released.
int ClosedPort() {
  SilentListener listener(1);
  return listener.port();
}

// Options for a client at 127.0.0.1:`port` with both timeouts `timeout`.
AsyncRedisOptions At(int port, milliseconds timeout) {
  AsyncRedisOptions options;
  options.host = "127.0.0.1";
  options.port = port;
  options.connect_timeout = timeout;
  options.command_timeout = timeout;
  return options;
}

// The gateway's setting: one io_context run by two threads; callers are coroutines on strands of their own.
class GatewayAsyncRedisClientTest : public ::testing::Test {
 protected:
  GatewayAsyncRedisClientTest() {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { ioc_.run(); });
  }

  ~GatewayAsyncRedisClientTest() override {
    work_.reset();
    ioc_.stop();
    for (std::thread& t : threads_) t.join();
  }

  void SetUp() override {
    auto admin = redis::Client::Create(RedisSettings::FromEnv());
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = std::move(admin).value();
  }

  AsyncRedisOptions RealRedis() const {
    AsyncRedisOptions options = AsyncRedisOptions::FromSettings(RedisSettings::FromEnv());
    options.client_name = client_name_;
    return options;
  }

  // Runs `count` callers at once, each a coroutine on a strand of its own on the client's io_context, and
  // waits until all are done. `body(i)` records its own outcome.
  template <typename Body>
  void RunConcurrently(std::size_t count, Body body) {
    std::latch done(static_cast<std::ptrdiff_t>(count));
    std::atomic<int> threw{0};
    for (std::size_t i = 0; i < count; ++i) {
      asio::co_spawn(asio::make_strand(ioc_), body(i), [&done, &threw](std::exception_ptr e) {
        if (e) ++threw;
        done.count_down();
      });
    }
    done.wait();
    EXPECT_EQ(threw.load(), 0);
  }

  // IDs of the server's connections named `name` (CLIENT LIST).
  std::set<std::string> ConnectionIds(const std::string& name) {
    std::set<std::string> ids;
    StatusOr<redis::Reply> list = admin_->Command({"CLIENT", "LIST"});
    EXPECT_TRUE(list.ok()) << list.status();
    if (!list.ok()) return ids;
    std::istringstream lines(list->str);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find(" name=" + name + " ") == std::string::npos) continue;
      std::string id = line.substr(3, line.find(' ') - 3);  // "id=<n> addr=..."
      ids.insert(id);
    }
    return ids;
  }

  asio::io_context ioc_{2};
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(ioc_);
  std::vector<std::thread> threads_;
  std::unique_ptr<redis::Client> admin_;
  const std::string prefix_ = "gateway-test:async-redis:" + NewUuid() + ":";
  const std::string client_name_ = "gateway-test-" + NewUuid();
};

TEST_F(GatewayAsyncRedisClientTest, ManyConcurrentCallersEachGetTheirOwnReplies) {
  constexpr std::size_t kCallers = 2000;
  std::vector<std::string> keys, values;
  std::vector<std::vector<std::string>> sets;
  for (std::size_t i = 0; i < kCallers; ++i) {
    keys.push_back(prefix_ + "key:" + std::to_string(i));
    // Mostly short values, some long enough to span several reads and writes.
    std::size_t extra = i % 97 == 0 ? 40'000 : i % 13;
    values.push_back("value-" + std::to_string(i) + "-" +
                     std::string(extra, static_cast<char>('a' + i % 26)));
    sets.push_back({"SET", keys.back(), values.back(), "PX", "60000"});
  }
  ASSERT_TRUE(admin_->Pipeline(sets).ok());

  AsyncRedisClient client(ioc_.get_executor(), RealRedis());
  std::vector<std::string> failures(kCallers);
  // Three shapes of call, so that pipelines of 1, 2 and 3 commands interleave on the connections.
  auto body = [&](std::size_t i) -> asio::awaitable<void> {
    const std::string& key = keys[i];
    const std::string& value = values[i];
    if (i % 3 == 0) {
      std::vector<std::string> get = {"GET", key};
      StatusOr<RespValue> reply = co_await client.Command(std::move(get));
      if (!reply.ok()) {
        failures[i] = reply.status().ToString();
      } else if (reply->type != RespValue::Type::kBulk || reply->text != value) {
        failures[i] = "GET answered " + reply->text.substr(0, 40);
      }
      co_return;
    }
    std::vector<std::vector<std::string>> commands;
    commands.push_back({"EXISTS", key});
    commands.push_back({"GET", key});
    if (i % 3 == 1) commands.push_back({"EXISTS", prefix_ + "missing:" + std::to_string(i)});
    StatusOr<AsyncRedisClient::Replies> replies = co_await client.Pipeline(std::move(commands));
    if (!replies.ok()) {
      failures[i] = replies.status().ToString();
    } else if (replies->size() != (i % 3 == 1 ? 3u : 2u) || (*replies)[0].integer != 1 ||
               (*replies)[1].text != value || (i % 3 == 1 && (*replies)[2].integer != 0)) {
      failures[i] =
          std::to_string(replies->size()) + " replies, the last " + replies->back().text.substr(0, 40);
    }
  };
  RunConcurrently(kCallers, body);

  std::size_t failed = 0;
  for (std::size_t i = 0; i < kCallers; ++i) {
    if (failures[i].empty()) continue;
    if (++failed <= 5) ADD_FAILURE() << "caller " << i << ": " << failures[i];
  }
  EXPECT_EQ(failed, 0u);
  EXPECT_LE(ConnectionIds(client_name_).size(), 2u);  // the default: two connections, no more
  (void)admin_->Del(keys);
}

TEST_F(GatewayAsyncRedisClientTest, CommandsLargerThanTheSocketBufferAreWrittenWhole) {
  constexpr std::size_t kCallers = 20;
  AsyncRedisClient client(ioc_.get_executor(), RealRedis());
  std::vector<std::string> failures(kCallers);
  auto body = [&](std::size_t i) -> asio::awaitable<void> {
    const std::string key = prefix_ + "large:" + std::to_string(i);
    const std::string value = std::to_string(i) + std::string(512 * 1024 + i, 'x');
    std::vector<std::vector<std::string>> commands;
    commands.push_back({"SET", key, value, "PX", "60000"});
    commands.push_back({"STRLEN", key});
    commands.push_back({"GETRANGE", key, "0", "1"});
    StatusOr<AsyncRedisClient::Replies> replies = co_await client.Pipeline(std::move(commands));
    if (!replies.ok()) {
      failures[i] = replies.status().ToString();
    } else if (replies->size() != 3 || (*replies)[0].text != "OK" ||
               (*replies)[1].integer != static_cast<std::int64_t>(value.size()) ||
               (*replies)[2].text != value.substr(0, 2)) {
      failures[i] = "unexpected replies";
    }
  };
  RunConcurrently(kCallers, body);
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < kCallers; ++i) {
    EXPECT_EQ(failures[i], "") << "caller " << i;
    keys.push_back(prefix_ + "large:" + std::to_string(i));
  }
  (void)admin_->Del(keys);
}

TEST_F(GatewayAsyncRedisClientTest, ErrorRepliesAreRepliesAndTheConnectionGoesOn) {
  AsyncRedisClient client(ioc_.get_executor(), RealRedis());
  const std::string key = prefix_ + "text";
  ASSERT_TRUE(admin_->Set(key, "not a number", milliseconds(60'000)).ok());
  std::vector<std::vector<std::string>> commands;
  commands.push_back({"INCR", key});
  commands.push_back({"GET", key});
  auto replies = RunSync(client.Pipeline(std::move(commands)));
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 2u);
  EXPECT_EQ((*replies)[0].type, RespValue::Type::kError);
  EXPECT_EQ((*replies)[1].text, "not a number");
  auto missing = RunSync(client.Command({"GET", prefix_ + "missing"}));
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->type, RespValue::Type::kNil);
  (void)admin_->Del({key});
}

TEST_F(GatewayAsyncRedisClientTest, AClosedPortIsUnavailableAtOnceAndNotRetriedForEveryCall) {
  AsyncRedisClient client(ioc_.get_executor(), At(ClosedPort(), milliseconds(500)));
  auto start = SteadyClock::now();
  auto first = RunSync(client.Command({"PING"}));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), StatusCode::kUnavailable);
  EXPECT_LT(Since(start), milliseconds(400));
  // Both connections back off: a burst of calls fails at once without a connect each.
  start = SteadyClock::now();
  (void)RunSync(client.Command({"PING"}));
  for (int i = 0; i < 100; ++i) {
    auto again = RunSync(client.Command({"PING"}));
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
  }
  EXPECT_LT(Since(start), milliseconds(200));
}

TEST_F(GatewayAsyncRedisClientTest, AConnectThatNeverCompletesIsUnavailableWithinTheConnectTimeout) {
  SilentListener full(/*backlog=*/0, /*fillers=*/2);
  AsyncRedisOptions options = At(full.port(), milliseconds(1000));
  options.connect_timeout = milliseconds(300);
  AsyncRedisClient client(ioc_.get_executor(), options);
  auto start = SteadyClock::now();
  auto reply = RunSync(client.Command({"PING"}));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status();
  EXPECT_GE(Since(start), milliseconds(250));
  EXPECT_LT(Since(start), milliseconds(800));
}

TEST_F(GatewayAsyncRedisClientTest, AServerThatNeverAnswersFailsEveryCallWithinTheTimeout) {
  SilentListener silent(/*backlog=*/128);
  AsyncRedisClient client(ioc_.get_executor(), At(silent.port(), milliseconds(300)));
  constexpr std::size_t kCallers = 200;
  std::vector<StatusCode> codes(kCallers, StatusCode::kOk);
  std::vector<milliseconds> waited(kCallers);
  auto body = [&](std::size_t i) -> asio::awaitable<void> {
    auto start = SteadyClock::now();
    std::vector<std::string> get = {"GET", "k" + std::to_string(i)};
    StatusOr<RespValue> reply = co_await client.Command(std::move(get));
    waited[i] = Since(start);
    codes[i] = reply.ok() ? StatusCode::kOk : reply.status().code();
  };
  RunConcurrently(kCallers, body);
  std::size_t timed_out = 0;
  for (std::size_t i = 0; i < kCallers; ++i) {
    EXPECT_TRUE(codes[i] == StatusCode::kDeadlineExceeded || codes[i] == StatusCode::kUnavailable)
        << "caller " << i << ": " << static_cast<int>(codes[i]);
    EXPECT_LT(waited[i], milliseconds(600)) << "caller " << i;
    if (codes[i] == StatusCode::kDeadlineExceeded) ++timed_out;
  }
  EXPECT_GT(timed_out, 0u);  // at least the first call on each connection waited out its own deadline
}

TEST_F(GatewayAsyncRedisClientTest, AKilledConnectionIsReplacedOnNextUse) {
  AsyncRedisClient client(ioc_.get_executor(), RealRedis());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(RunSync(client.Command({"PING"})).ok());  // both connections open
  std::set<std::string> before = ConnectionIds(client_name_);
  ASSERT_EQ(before.size(), 2u);
  for (const std::string& id : before) {
    auto killed = admin_->Command({"CLIENT", "KILL", "ID", id});
    ASSERT_TRUE(killed.ok()) << killed.status();
    EXPECT_EQ(killed->integer, 1);
  }
  // The client always has a read out, so it sees the close at once; a call made a moment later does not land
  // on a dead socket.
  std::this_thread::sleep_for(milliseconds(100));
  const std::string key = prefix_ + "after-kill";
  ASSERT_TRUE(admin_->Set(key, "alive", milliseconds(60'000)).ok());
  for (int i = 0; i < 10; ++i) {
    auto reply = RunSync(client.Command({"GET", key}));
    ASSERT_TRUE(reply.ok()) << "call " << i << ": " << reply.status();
    EXPECT_EQ(reply->text, "alive");
  }
  std::set<std::string> after = ConnectionIds(client_name_);
  EXPECT_EQ(after.size(), 2u);
  for (const std::string& id : before) EXPECT_EQ(after.count(id), 0u) << "connection " << id << " survived";
  (void)admin_->Del({key});
}

TEST_F(GatewayAsyncRedisClientTest, ATimedOutCallReplacesTheConnectionAndItsLateReplyGoesNowhere) {
  AsyncRedisOptions options = RealRedis();
  options.connections = 1;
  options.command_timeout = milliseconds(200);
  AsyncRedisClient client(ioc_.get_executor(), options);
  const std::string list = prefix_ + "list";
  const std::string key = prefix_ + "key";
  ASSERT_TRUE(admin_->Set(key, "mine", milliseconds(60'000)).ok());
  ASSERT_TRUE(RunSync(client.Command({"PING"})).ok());
  std::set<std::string> before = ConnectionIds(client_name_);

  // BLPOP holds the connection for 400 ms, longer than the 200 ms timeout; a GET queues behind it.
  std::optional<StatusOr<RespValue>> blpop, queued;
  milliseconds blpop_waited{0};
  std::latch done(2);
  auto blocking = [&]() -> asio::awaitable<void> {
    auto start = SteadyClock::now();
    std::vector<std::string> argv = {"BLPOP", list, "0.4"};
    blpop.emplace(co_await client.Command(std::move(argv)));
    blpop_waited = Since(start);
    done.count_down();
  };
  auto behind = [&]() -> asio::awaitable<void> {
    std::vector<std::string> argv = {"GET", key};
    queued.emplace(co_await client.Command(std::move(argv)));
    done.count_down();
  };
  asio::co_spawn(asio::make_strand(ioc_), blocking(), asio::detached);
  std::this_thread::sleep_for(milliseconds(50));
  asio::co_spawn(asio::make_strand(ioc_), behind(), asio::detached);
  done.wait();
  ASSERT_FALSE(blpop->ok());
  EXPECT_EQ(blpop->status().code(), StatusCode::kDeadlineExceeded) << blpop->status();
  EXPECT_GE(blpop_waited, milliseconds(190));
  EXPECT_LT(blpop_waited, milliseconds(400));
  ASSERT_FALSE(queued->ok());  // its connection was dropped under it
  EXPECT_EQ(queued->status().code(), StatusCode::kUnavailable) << queued->status();

  // After BLPOP's own server-side timeout its (nil) reply would have come: the next calls get their own.
  std::this_thread::sleep_for(milliseconds(300));
  for (int i = 0; i < 5; ++i) {
    auto reply = RunSync(client.Command({"GET", key}));
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->type, RespValue::Type::kBulk);
    EXPECT_EQ(reply->text, "mine");
  }
  std::set<std::string> after = ConnectionIds(client_name_);
  EXPECT_EQ(after.size(), 1u);
  for (const std::string& id : before) EXPECT_EQ(after.count(id), 0u) << "the timed-out connection lives";
  (void)admin_->Del({key, list});
}

TEST_F(GatewayAsyncRedisClientTest, ARefusedAuthIsUnavailable) {
  AsyncRedisOptions options = RealRedis();
  options.password = "not-the-password";
  AsyncRedisClient client(ioc_.get_executor(), options);
  auto start = SteadyClock::now();
  auto reply = RunSync(client.Command({"PING"}));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kUnavailable) << reply.status();
  EXPECT_LT(Since(start), milliseconds(400));
}

TEST_F(GatewayAsyncRedisClientTest, AnAclUserAuthenticates) {
  const std::string user = "gateway-test-" + NewUuid();
  auto created = admin_->Command({"ACL", "SETUSER", user, "on", ">secret-" + user, "~" + prefix_ + "*",
                                  "+get", "+ping", "+client|setname"});
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_NE(created->type, redis::Reply::Type::kError) << created->str;
  const std::string key = prefix_ + "acl";
  ASSERT_TRUE(admin_->Set(key, "for the acl user", milliseconds(60'000)).ok());
  {
    AsyncRedisOptions options = RealRedis();
    options.username = user;
    options.password = "secret-" + user;
    AsyncRedisClient client(ioc_.get_executor(), options);
    auto reply = RunSync(client.Command({"GET", key}));
    ASSERT_TRUE(reply.ok()) << reply.status();
    EXPECT_EQ(reply->text, "for the acl user");
    auto refused = RunSync(client.Command({"SET", key, "no"}));  // not in the user's commands
    ASSERT_TRUE(refused.ok()) << refused.status();
    EXPECT_EQ(refused->type, RespValue::Type::kError);
  }
  (void)admin_->Command({"ACL", "DELUSER", user});
  (void)admin_->Del({key});
}

TEST_F(GatewayAsyncRedisClientTest, StopFailsTheCallsStillOutAtOnce) {
  SilentListener silent(/*backlog=*/128);
  auto client =
      std::make_unique<AsyncRedisClient>(ioc_.get_executor(), At(silent.port(), milliseconds(5000)));
  constexpr std::size_t kCallers = 20;
  std::vector<StatusCode> codes(kCallers, StatusCode::kOk);
  std::latch done(kCallers);
  auto call = [&](std::size_t i) -> asio::awaitable<void> {
    std::vector<std::string> argv = {"PING"};
    StatusOr<RespValue> reply = co_await client->Command(std::move(argv));
    codes[i] = reply.ok() ? StatusCode::kOk : reply.status().code();
    done.count_down();
  };
  for (std::size_t i = 0; i < kCallers; ++i) asio::co_spawn(asio::make_strand(ioc_), call(i), asio::detached);
  std::this_thread::sleep_for(milliseconds(100));
  auto start = SteadyClock::now();
  client->Stop();
  done.wait();
  EXPECT_LT(Since(start), milliseconds(500));
  for (StatusCode code : codes) EXPECT_EQ(code, StatusCode::kUnavailable);
  auto later = RunSync(client->Command({"PING"}));
  EXPECT_EQ(later.status().code(), StatusCode::kUnavailable);
  client.reset();
}

// main.cpp's order: the I/O threads stop with calls still out, then the client goes, then the io_context.
// Under ASan this also proves that nothing is leaked (no ownership cycle through the suspended callers).
TEST(GatewayAsyncRedisShutdownTest, DestroyingTheClientAfterTheIoContextStoppedIsSafe) {
  SilentListener silent(/*backlog=*/128);
  auto ioc = std::make_unique<asio::io_context>(1);
  auto work = asio::make_work_guard(*ioc);
  std::thread thread([&ioc] { ioc->run(); });
  auto client =
      std::make_unique<AsyncRedisClient>(ioc->get_executor(), At(silent.port(), milliseconds(5000)));
  std::atomic<int> finished{0};
  auto call = [&]() -> asio::awaitable<void> {
    std::vector<std::string> argv = {"PING"};
    StatusOr<RespValue> reply = co_await client->Command(std::move(argv));
    (void)reply;
    ++finished;
  };
  for (int i = 0; i < 10; ++i) asio::co_spawn(asio::make_strand(*ioc), call(), asio::detached);
  std::this_thread::sleep_for(milliseconds(100));
  work.reset();
  ioc->stop();
  thread.join();
  client.reset();
  ioc.reset();  // destroys the suspended callers
  EXPECT_EQ(finished.load(), 0);
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The bearer chain on the async client, as main.cpp wires it.
class GatewayAsyncRedisAuthTest : public GatewayAsyncRedisClientTest {
 protected:
  void SetUp() override {
    GatewayAsyncRedisClientTest::SetUp();
    std::string private_pem = ReadFileOrEmpty(EnvString("JWT_PRIVATE_KEY_FILE", ""));
    std::string public_pem = ReadFileOrEmpty(EnvString("JWT_PUBLIC_KEY_FILE", ""));
    ASSERT_FALSE(private_pem.empty()) << "JWT_PRIVATE_KEY_FILE (./dev env) is needed";
    auto signer = token::Signer::Create(private_pem, "messenger-auth", "messenger-api",
                                        std::chrono::seconds(900), clock_);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::move(signer).value();
    auto verifier = token::Verifier::Create(public_pem, "messenger-auth", "messenger-api", clock_);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = std::move(verifier).value();
    client_ = std::make_unique<AsyncRedisClient>(ioc_.get_executor(), RealRedis());
    liveness_ = std::make_unique<AsyncRedisSessionLiveness>(*client_);
  }

  void TearDown() override {
    if (admin_ && !session_ids_.empty()) {
      std::vector<std::string> keys;
      for (const std::string& sid : session_ids_) keys.push_back(token::SessionKey(sid));
      for (const std::string& jti : jtis_) keys.push_back(token::RevokedJtiKey(jti));
      (void)admin_->Del(keys);
    }
    liveness_.reset();
    client_.reset();
  }

  // A fresh session (started when `alive`), its user and a token ID.
  struct Session {
    std::string user_id, session_id, jti;
  };
  Session NewSession(bool alive) {
    Session s{NewUuid(), NewUuid(), NewUuid()};
    session_ids_.push_back(s.session_id);
    jtis_.push_back(s.jti);
    if (alive) {
      EXPECT_TRUE(admin_->Set(token::SessionKey(s.session_id), s.user_id, std::chrono::minutes(5)).ok());
    }
    return s;
  }

  StatusOr<Principal> Authenticate(const Session& s) {
    TokenAuthenticator authenticator(*verifier_, *liveness_);
    return RunSync(authenticator.Authenticate(signer_->Issue(s.user_id, s.session_id, s.jti).value(), "rid"));
  }

  SystemClock clock_;
  std::unique_ptr<token::Signer> signer_;
  std::unique_ptr<token::Verifier> verifier_;
  std::unique_ptr<AsyncRedisClient> client_;
  std::unique_ptr<AsyncRedisSessionLiveness> liveness_;
  std::vector<std::string> session_ids_, jtis_;
};

TEST_F(GatewayAsyncRedisAuthTest, ALiveSessionAuthenticatesAndARevokedTokenIsRefusedAtOnce) {
  Session s = NewSession(true);
  auto principal = Authenticate(s);
  ASSERT_TRUE(principal.ok()) << principal.status();
  EXPECT_EQ(principal->user_id, s.user_id);
  EXPECT_EQ(principal->session_id, s.session_id);
  ASSERT_TRUE(admin_->Set(token::RevokedJtiKey(s.jti), "1", std::chrono::minutes(5)).ok());
  EXPECT_EQ(Authenticate(s).status().code(), StatusCode::kUnauthenticated);  // the very next request
}

TEST_F(GatewayAsyncRedisAuthTest, AnEndedSessionIsRefusedAtOnce) {
  Session s = NewSession(true);
  ASSERT_TRUE(Authenticate(s).ok());
  ASSERT_TRUE(admin_->Del({token::SessionKey(s.session_id)}).ok());
  EXPECT_EQ(Authenticate(s).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Authenticate(NewSession(false)).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(GatewayAsyncRedisAuthTest, ConcurrentChecksOfLiveAndRevokedSessionsEachGetTheirOwnAnswer) {
  constexpr std::size_t kSessions = 600;
  std::vector<Session> sessions;
  std::vector<std::vector<std::string>> writes;
  for (std::size_t i = 0; i < kSessions; ++i) {
    Session s = NewSession(false);
    if (i % 3 != 0) writes.push_back({"SET", token::SessionKey(s.session_id), s.user_id, "PX", "300000"});
    if (i % 3 == 2) writes.push_back({"SET", token::RevokedJtiKey(s.jti), "1", "PX", "300000"});
    sessions.push_back(std::move(s));
  }
  ASSERT_TRUE(admin_->Pipeline(writes).ok());
  std::vector<StatusCode> codes(kSessions, StatusCode::kInternal);
  auto body = [&](std::size_t i) -> asio::awaitable<void> {
    Status alive = co_await liveness_->CheckAlive(sessions[i].session_id, sessions[i].jti);
    codes[i] = alive.code();
  };
  RunConcurrently(kSessions, body);
  for (std::size_t i = 0; i < kSessions; ++i) {
    // i % 3: 0 never started, 1 alive, 2 alive but the token revoked
    StatusCode expected = i % 3 == 1 ? StatusCode::kOk : StatusCode::kUnauthenticated;
    EXPECT_EQ(static_cast<int>(codes[i]), static_cast<int>(expected)) << "session " << i;
  }
}

TEST_F(GatewayAsyncRedisAuthTest, RedisUnreachableIsUnavailableNotUnauthenticated) {
  AsyncRedisClient nowhere(ioc_.get_executor(), At(ClosedPort(), milliseconds(500)));
  AsyncRedisSessionLiveness liveness(nowhere);
  TokenAuthenticator authenticator(*verifier_, liveness);
  Session s = NewSession(true);
  auto principal =
      RunSync(authenticator.Authenticate(signer_->Issue(s.user_id, s.session_id, s.jti).value(), "rid"));
  ASSERT_FALSE(principal.ok());
  EXPECT_EQ(principal.status().code(), StatusCode::kUnavailable);
  AsyncRedisPingProbe probe(nowhere);
  EXPECT_EQ(RunSync(probe.Check("rid")).code(), StatusCode::kUnavailable);
}

TEST_F(GatewayAsyncRedisAuthTest, PingProbeSeesTheRealRedis) {
  AsyncRedisPingProbe probe(*client_);
  EXPECT_TRUE(RunSync(probe.Check("rid")).ok());
}

}  // namespace
}  // namespace messenger::gateway
