// ConnectionRegistry and OutboundQueue: who gets a frame, and the bounded queue's overflow policy.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "realtime_fakes.hpp"
#include "ws/connection_registry.hpp"
#include "ws/outbound_queue.hpp"

namespace messenger::gateway {
namespace {

Frame F(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

TEST(GatewayConnectionRegistry, KeepsSeveralSocketsPerUserAndPerSession) {
  ConnectionRegistry registry;
  auto a1 = std::make_shared<RecordingSocket>(1, "alice", "s-a1");
  auto a2 = std::make_shared<RecordingSocket>(2, "alice", "s-a1");
  auto a3 = std::make_shared<RecordingSocket>(3, "alice", "s-a2");
  auto b = std::make_shared<RecordingSocket>(4, "bob", "s-b");
  EXPECT_EQ(registry.Add(a1), 1u);
  EXPECT_EQ(registry.Add(a2), 2u);
  EXPECT_EQ(registry.Add(a3), 3u);
  EXPECT_EQ(registry.Add(b), 1u);
  EXPECT_EQ(registry.size(), 4u);
  EXPECT_EQ(registry.user_count(), 2u);
  EXPECT_EQ(registry.OfUser("alice").size(), 3u);
  EXPECT_EQ(registry.OfSession("s-a1").size(), 2u);
  EXPECT_EQ(registry.OfSession("s-a2").size(), 1u);
  EXPECT_TRUE(registry.OfUser("carol").empty());

  EXPECT_EQ(registry.Remove(*a2), 2u);
  EXPECT_EQ(registry.OfSession("s-a1").size(), 1u);
  EXPECT_EQ(registry.Remove(*a1), 1u);
  EXPECT_TRUE(registry.OfSession("s-a1").empty());
  EXPECT_EQ(registry.Remove(*a3), 0u);
  EXPECT_TRUE(registry.OfUser("alice").empty());
  EXPECT_EQ(registry.Remove(*a3), 0u) << "removing twice is harmless";
  EXPECT_EQ(registry.size(), 1u);
  EXPECT_EQ(registry.Users(), std::vector<std::string>{"bob"});
}

TEST(GatewayConnectionRegistry, SendToUsersReachesEverySocketOfEachRecipientOnce) {
  ConnectionRegistry registry;
  auto a1 = std::make_shared<RecordingSocket>(1, "alice", "s1");
  auto a2 = std::make_shared<RecordingSocket>(2, "alice", "s2");
  auto b = std::make_shared<RecordingSocket>(3, "bob", "s3");
  auto c = std::make_shared<RecordingSocket>(4, "carol", "s4");
  registry.Add(a1);
  registry.Add(a2);
  registry.Add(b);
  registry.Add(c);
  EXPECT_EQ(registry.SendToUsers({"alice", "bob", "alice", "nobody"}, F("x")), 3u);
  EXPECT_EQ(a1->frames(), std::vector<std::string>{"x"});
  EXPECT_EQ(a2->frames(), std::vector<std::string>{"x"});
  EXPECT_EQ(b->frames(), std::vector<std::string>{"x"});
  EXPECT_TRUE(c->frames().empty());
}

TEST(GatewayConnectionRegistry, CloseSessionClosesOnlyThatSessionsSockets) {
  ConnectionRegistry registry;
  auto a1 = std::make_shared<RecordingSocket>(1, "alice", "s1");
  auto a2 = std::make_shared<RecordingSocket>(2, "alice", "s1");
  auto a3 = std::make_shared<RecordingSocket>(3, "alice", "s2");
  registry.Add(a1);
  registry.Add(a2);
  registry.Add(a3);
  EXPECT_EQ(registry.CloseSession("s1", CloseCode::kSessionEnded), 2u);
  EXPECT_EQ(a1->closes(), std::vector<CloseCode>{CloseCode::kSessionEnded});
  EXPECT_EQ(a2->closes(), std::vector<CloseCode>{CloseCode::kSessionEnded});
  EXPECT_TRUE(a3->closes().empty());
  EXPECT_EQ(registry.CloseSession("unknown", CloseCode::kSessionEnded), 0u);
}

TEST(GatewayConnectionRegistry, ConcurrentAddRemoveAndSendKeepCountsRight) {
  ConnectionRegistry registry;
  constexpr int kThreads = 4, kPerThread = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto s = std::make_shared<RecordingSocket>(t * kPerThread + i, "u" + std::to_string(i % 7), "s");
        registry.Add(s);
        registry.SendToUsers({s->user_id()}, F("f"));
        if (i % 2 == 0) registry.Remove(*s);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(registry.size(), static_cast<std::size_t>(kThreads * kPerThread / 2));
  EXPECT_EQ(registry.All().size(), registry.size());
}

TEST(GatewayOutboundQueue, KeepsOrderAndTellsWhenTheWriterMustBeWoken) {
  OutboundQueue q({10, 1000});
  EXPECT_EQ(q.Push(F("a")), OutboundQueue::PushResult::kQueuedWasEmpty);
  EXPECT_EQ(q.Push(F("b")), OutboundQueue::PushResult::kQueued);
  EXPECT_EQ(q.frames(), 2u);
  EXPECT_EQ(q.bytes(), 2u);
  EXPECT_EQ(*q.Pop(), "a");
  EXPECT_EQ(*q.Pop(), "b");
  EXPECT_EQ(q.Pop(), nullptr);
  EXPECT_EQ(q.Push(F("c")), OutboundQueue::PushResult::kQueuedWasEmpty) << "empty again: wake the writer";
}

TEST(GatewayOutboundQueue, OverflowOnTooManyFramesDropsEverythingAndRefusesMore) {
  OutboundQueue q({3, 1'000'000});
  for (int i = 0; i < 3; ++i) EXPECT_NE(q.Push(F("x")), OutboundQueue::PushResult::kOverflow);
  EXPECT_EQ(q.Push(F("x")), OutboundQueue::PushResult::kOverflow);
  EXPECT_TRUE(q.overflowed());
  EXPECT_EQ(q.frames(), 0u);
  EXPECT_EQ(q.Pop(), nullptr);
  EXPECT_EQ(q.Push(F("y")), OutboundQueue::PushResult::kRefused);
}

TEST(GatewayOutboundQueue, OverflowOnTooManyBytes) {
  OutboundQueue q({1000, 10});
  EXPECT_EQ(q.Push(F("12345")), OutboundQueue::PushResult::kQueuedWasEmpty);
  EXPECT_EQ(q.Push(F("12345")), OutboundQueue::PushResult::kQueued);
  EXPECT_EQ(q.bytes(), 10u);
  EXPECT_EQ(q.Push(F("1")), OutboundQueue::PushResult::kOverflow);
}

TEST(GatewayOutboundQueue, AFrameBeingWrittenNoLongerCountsAgainstTheLimit) {
  OutboundQueue q({2, 1000});
  q.Push(F("a"));
  q.Push(F("b"));
  ASSERT_NE(q.Pop(), nullptr);  // the writer has it
  EXPECT_EQ(q.Push(F("c")), OutboundQueue::PushResult::kQueued);
  EXPECT_FALSE(q.overflowed());
}

TEST(GatewayOutboundQueue, ClosedQueueDropsAndRefuses) {
  OutboundQueue q({10, 1000});
  q.Push(F("a"));
  q.Close();
  EXPECT_EQ(q.Pop(), nullptr);
  EXPECT_EQ(q.Push(F("b")), OutboundQueue::PushResult::kRefused);
  EXPECT_FALSE(q.overflowed());
}

}  // namespace
}  // namespace messenger::gateway
