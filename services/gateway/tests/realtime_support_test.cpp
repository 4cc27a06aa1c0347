// The Origin policy, the RESP reader of the broadcast subscriber, the presence writer's batching and order,
// and the upgrade route's refusals and session checks (no sockets).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "api/ops_routes.hpp"
#include "api/realtime_routes.hpp"
#include "events/presence_tracker.hpp"
#include "events/resp_reader.hpp"
#include "realtime_fakes.hpp"
#include "ws/origin_policy.hpp"
#include "ws/realtime_service.hpp"

namespace messenger::gateway {
namespace {

using namespace std::chrono_literals;

TEST(GatewayOriginPolicy, DefaultAllowsLocalPagesOnAnyPort) {
  OriginPolicy policy;
  EXPECT_TRUE(policy.Allows("http://127.0.0.1:3000"));
  EXPECT_TRUE(policy.Allows("http://localhost:5173"));
  EXPECT_TRUE(policy.Allows("http://LOCALHOST"));
  EXPECT_FALSE(policy.Allows("https://localhost:3000")) << "the scheme is part of the origin";
  EXPECT_FALSE(policy.Allows("http://evil.example"));
  EXPECT_FALSE(policy.Allows("http://localhost.evil.example:80"));
  EXPECT_FALSE(policy.Allows("null"));
  EXPECT_FALSE(policy.Allows(""));
}

TEST(GatewayOriginPolicy, ListedOriginsExactPortsAndWildcard) {
  OriginPolicy policy(" https://app.example.com , https://admin.example.com:8443/, http://[::1]:* ,");
  EXPECT_TRUE(policy.Allows("https://app.example.com"));
  EXPECT_TRUE(policy.Allows("https://APP.example.com"));
  EXPECT_FALSE(policy.Allows("https://app.example.com:444"));
  EXPECT_TRUE(policy.Allows("https://admin.example.com:8443"));
  EXPECT_FALSE(policy.Allows("https://admin.example.com"));
  EXPECT_TRUE(policy.Allows("http://[::1]:8080"));
  EXPECT_FALSE(policy.Allows("http://127.0.0.1:3000")) << "the default is replaced, not extended";
  EXPECT_FALSE(policy.Allows("https://app.example.com/path"));
  EXPECT_TRUE(OriginPolicy("*").Allows("https://anything.example"));
  EXPECT_FALSE(OriginPolicy("").Allows("http://localhost:1"));
}

TEST(GatewayRespReader, ReadsPubSubRepliesSplitAnywhere) {
  const std::string wire =
      "*3\r\n$9\r\nsubscribe\r\n$4\r\nchan\r\n:1\r\n"
      "*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$10\r\nsession-42\r\n"
      "+OK\r\n-ERR bad\r\n$-1\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n";
  for (std::size_t split = 0; split <= wire.size(); ++split) {
    RespReader reader;
    std::vector<RespValue> values;
    for (std::string_view part :
         {std::string_view(wire).substr(0, split), std::string_view(wire).substr(split)}) {
      reader.Feed(part);
      while (true) {
        auto next = reader.Next();
        ASSERT_TRUE(next.ok()) << next.status();
        if (!next->has_value()) break;
        values.push_back(std::move(**next));
      }
    }
    ASSERT_EQ(values.size(), 6u) << "split at " << split;
    EXPECT_EQ(values[0].elements[0].text, "subscribe");
    EXPECT_EQ(values[0].elements[2].integer, 1);
    EXPECT_EQ(values[1].elements[2].text, "session-42");
    EXPECT_EQ(values[2].type, RespValue::Type::kSimple);
    EXPECT_EQ(values[3].type, RespValue::Type::kError);
    EXPECT_EQ(values[4].type, RespValue::Type::kNil);
    EXPECT_EQ(values[5].elements[1].text, "");
  }
}

TEST(GatewayRespReader, RejectsGarbageAndOversizedBulk) {
  RespReader garbage;
  garbage.Feed("?what\r\n");
  EXPECT_FALSE(garbage.Next().ok());
  RespReader big(16);
  big.Feed("$17\r\n");
  EXPECT_FALSE(big.Next().ok());
  RespReader bad_length;
  bad_length.Feed("$x\r\n");
  EXPECT_FALSE(bad_length.Next().ok());
  EXPECT_EQ(EncodeCommand({"SUBSCRIBE", "a b"}), "*2\r\n$9\r\nSUBSCRIBE\r\n$3\r\na b\r\n");
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds within = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

std::vector<PresenceChange> Flatten(const std::vector<std::vector<PresenceChange>>& batches) {
  std::vector<PresenceChange> out;
  for (const auto& b : batches) out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(GatewayPresenceTracker, SendsChangesInOrder) {
  RecordingRealtimeStore store;
  PresenceTracker tracker(store, 1h);
  tracker.Connected("alice", "gw:1");
  tracker.Connected("alice", "gw:2");
  tracker.Disconnected("alice", "gw:1");
  tracker.Stop();
  std::vector<PresenceChange> all = Flatten(store.Batches());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].kind, PresenceChange::Kind::kConnect);
  EXPECT_EQ(all[0].members, std::vector<std::string>{"gw:1"});
  EXPECT_EQ(all[1].members, std::vector<std::string>{"gw:2"});
  EXPECT_EQ(all[2].kind, PresenceChange::Kind::kDisconnect);
  EXPECT_EQ(all[2].members, std::vector<std::string>{"gw:1"});
}

TEST(GatewayPresenceTracker, RefreshCoversLiveSocketsOnlyAndNeverRevivesAClosedOne) {
  RecordingRealtimeStore store;
  PresenceTracker tracker(store, 50ms);
  tracker.Connected("alice", "gw:1");
  tracker.Connected("alice", "gw:2");
  tracker.Connected("bob", "gw:3");
  tracker.Disconnected("alice", "gw:1");
  tracker.Disconnected("bob", "gw:3");
  ASSERT_TRUE(WaitFor([&] {
    for (const PresenceChange& c : Flatten(store.Batches())) {
      if (c.kind == PresenceChange::Kind::kRefresh) return true;
    }
    return false;
  }));
  tracker.Stop();
  for (const PresenceChange& c : Flatten(store.Batches())) {
    if (c.kind != PresenceChange::Kind::kRefresh) continue;
    EXPECT_EQ(c.user_id, "alice") << "bob has no socket left";
    EXPECT_EQ(c.members, std::vector<std::string>{"gw:2"});
  }
}

TEST(GatewayPresenceTracker, AStormOfChangesTakesFewRoundTrips) {
  RecordingRealtimeStore store;
  PresenceTracker tracker(store, 1h);
  for (int i = 0; i < 2000; ++i) tracker.Connected("u" + std::to_string(i), "gw:" + std::to_string(i));
  tracker.Stop();
  EXPECT_EQ(Flatten(store.Batches()).size(), 2000u);
  EXPECT_LT(tracker.writes_for_test(), 2000) << "changes queued during a round trip go in the next one";
}

class GatewayRealtimeServiceTest : public ::testing::Test {
 protected:
  GatewayRealtimeServiceTest()
      : pool_(1),
        presence_(store_, 1h),
        service_(ioc_.get_executor(), RealtimeOptions{}, registry_, presence_, store_, pool_,
                 [this] { return ready_; }) {}

  Request UpgradeRequest() {
    Request r;
    r.method = "GET";
    r.path = "/v1/ws";
    r.headers = {{"upgrade", "websocket"},
                 {"connection", "keep-alive, Upgrade"},
                 {"sec-websocket-version", "13"},
                 {"sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="}};
    r.principal = Principal{"alice", "s1", "j1", "token"};
    return r;
  }
  Response Handle(Request r) {
    Response out;
    boost::asio::co_spawn(
        ioc_, [&]() -> boost::asio::awaitable<void> { out = co_await service_.HandleUpgrade(r); },
        boost::asio::detached);
    ioc_.restart();
    ioc_.run();
    return out;
  }
  static std::string Code(const Response& r) {
    return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
  }

  boost::asio::io_context ioc_;
  BlockingPool pool_;
  RecordingRealtimeStore store_;
  PresenceTracker presence_;
  ConnectionRegistry registry_;
  bool ready_ = true;
  RealtimeService service_;
};

TEST_F(GatewayRealtimeServiceTest, AProperUpgradeIsHandedTheConnection) {
  Response r = Handle(UpgradeRequest());
  EXPECT_EQ(r.status, 101);
  EXPECT_TRUE(static_cast<bool>(r.upgrade));
}

TEST_F(GatewayRealtimeServiceTest, APlainGetIs426) {
  Request r = UpgradeRequest();
  r.headers = {};
  Response answer = Handle(r);
  EXPECT_EQ(answer.status, 426);
  EXPECT_EQ(Code(answer), "UPGRADE_REQUIRED");
  EXPECT_FALSE(static_cast<bool>(answer.upgrade));
}

TEST_F(GatewayRealtimeServiceTest, AWrongVersionIs426AndAMissingKey400) {
  Request r = UpgradeRequest();
  r.headers[2].second = "8";
  Response answer = Handle(r);
  EXPECT_EQ(answer.status, 426);
  EXPECT_EQ(answer.Header("Sec-WebSocket-Version"), "13");
  r = UpgradeRequest();
  r.headers.pop_back();
  EXPECT_EQ(Handle(r).status, 400);
}

TEST_F(GatewayRealtimeServiceTest, AForeignOriginIs403AndALocalOneOrNoneIsFine) {
  Request r = UpgradeRequest();
  r.headers.emplace_back("origin", "https://evil.example");
  Response answer = Handle(r);
  EXPECT_EQ(answer.status, 403);
  EXPECT_EQ(Code(answer), "ORIGIN_NOT_ALLOWED");
  r = UpgradeRequest();
  r.headers.emplace_back("origin", "http://localhost:5173");
  EXPECT_EQ(Handle(r).status, 101);
}

TEST_F(GatewayRealtimeServiceTest, UpgradesWaitForTheEventConsumer) {
  ready_ = false;
  Response answer = Handle(UpgradeRequest());
  EXPECT_EQ(answer.status, 503);
  EXPECT_EQ(answer.Header("Retry-After"), "1");
}

TEST_F(GatewayRealtimeServiceTest, LogoutClosesTheSessionsSocketsHereAndBroadcasts) {
  auto s1 = std::make_shared<RecordingSocket>(1, "alice", "s1");
  auto s2 = std::make_shared<RecordingSocket>(2, "alice", "s2");
  registry_.Add(s1);
  registry_.Add(s2);
  boost::asio::co_spawn(ioc_, service_.SessionEnded("s1", "req"), boost::asio::detached);
  ioc_.run();
  EXPECT_EQ(s1->closes(), std::vector<CloseCode>{CloseCode::kSessionEnded});
  EXPECT_TRUE(s2->closes().empty());
  EXPECT_EQ(store_.published, std::vector<std::string>{"s1"});
}

TEST_F(GatewayRealtimeServiceTest, SessionCheckClosesSocketsWhoseSessionEnded) {
  auto alive = std::make_shared<RecordingSocket>(1, "alice", "s-alive");
  auto dead = std::make_shared<RecordingSocket>(2, "alice", "s-dead");
  registry_.Add(alive);
  registry_.Add(dead);
  store_.dead_sessions.insert("s-dead");
  service_.CheckAllSessionsSoon();
  ioc_.run();
  EXPECT_TRUE(alive->closes().empty());
  EXPECT_EQ(dead->closes(), std::vector<CloseCode>{CloseCode::kSessionEnded});
}

TEST_F(GatewayRealtimeServiceTest, TheRouteTakesTheTokenFromHeaderOrQueryAndIsDocumentedSo) {
  Router router;
  AddRealtimeRoutes(router, service_);
  RouteMatch match = router.Match("GET", "/v1/ws");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.route->access, Access::kBearerOrQuery);
  boost::json::value doc = boost::json::parse(OpenApiDocument());
  const boost::json::object& op = doc.at("paths").at("/v1/ws").at("get").as_object();
  std::set<std::string> schemes;
  for (const auto& requirement : op.at("security").as_array()) {
    for (const auto& [name, scopes] : requirement.as_object()) schemes.insert(std::string(name));
  }
  EXPECT_EQ(schemes, (std::set<std::string>{"bearerAuth", "accessTokenQuery"}));
  for (const char* status : {"101", "401", "403", "426", "503"}) {
    EXPECT_TRUE(op.at("responses").as_object().contains(status)) << status;
  }
}

}  // namespace
}  // namespace messenger::gateway
