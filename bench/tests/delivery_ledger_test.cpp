#include "loadgen/delivery_ledger.hpp"

#include <gtest/gtest.h>

#include <string>

namespace messenger::bench {
namespace {

using std::chrono::milliseconds;

// Two connections: 0 is the author of even slots, 1 of odd slots; each receives every message of the chat.
int Role(uint64_t slot, std::size_t receiver) {
  const std::size_t author = slot % 2;
  if (receiver > 1) return 0;
  return receiver == author ? 2 : 1;
}

std::string FrameFor(uint64_t slot, int64_t seq, const std::string& chat = "chat-1") {
  return R"({"type":"message.created","message":{"message_id":"m)" + std::to_string(slot) +
         R"(","chat_id":")" + chat + R"(","seq":)" + std::to_string(seq) + R"(,"author_id":"a","content":")" +
         std::string(kDeliveryPrefix) + std::to_string(slot) + R"(","created_at":"2026-01-01T00:00:00Z"}})";
}

class DeliveryLedgerTest : public ::testing::Test {
 protected:
  Clock::time_point t0_ = Clock::now();
  RateSchedule schedule_{t0_, 100, milliseconds(40)};  // 4 slots, 10 ms apart
  DeliveryLedger ledger_{schedule_.total(), schedule_, Role};

  int64_t Count(const char* key) { return ledger_.ToJson().at(key).to_number<int64_t>(); }
};

TEST_F(DeliveryLedgerTest, EveryFrameDeliveredOnceIsNeitherLostNorDuplicated) {
  for (uint64_t slot = 0; slot < 4; ++slot) ledger_.Sent(slot, true);
  EXPECT_EQ(ledger_.Missing(), 8u);
  for (uint64_t slot = 0; slot < 4; ++slot) {
    const auto at = schedule_.IntendedStart(slot) + milliseconds(5);
    ledger_.Frame(0, FrameFor(slot, static_cast<int64_t>(slot) + 1), at);
    ledger_.Frame(1, FrameFor(slot, static_cast<int64_t>(slot) + 1), at);
  }
  EXPECT_EQ(ledger_.Missing(), 0u);
  const auto json = ledger_.ToJson();
  EXPECT_EQ(Count("messages_stored"), 4);
  EXPECT_EQ(Count("lost"), 0);
  EXPECT_EQ(Count("duplicated"), 0);
  EXPECT_EQ(Count("out_of_order"), 0);
  // Latency counts from each message's intended start.
  EXPECT_DOUBLE_EQ(json.at("latency_ms").at("p99").to_number<double>(), 5.0);
  EXPECT_EQ(json.at("latency_ms").at("count").to_number<int64_t>(), 4);
  EXPECT_EQ(json.at("author_echo_latency_ms").at("count").to_number<int64_t>(), 4);
}

TEST_F(DeliveryLedgerTest, MissingFramesOfStoredMessagesAreLostAndFailedSendsAreNotExpected) {
  ledger_.Sent(0, true);
  ledger_.Sent(1, true);
  ledger_.Sent(2, false);                 // the send failed: nothing should arrive for it
  ledger_.Frame(1, FrameFor(0, 1), t0_);  // recipient of slot 0; the author's own copy never comes
  EXPECT_EQ(ledger_.Missing(), 3u);
  EXPECT_EQ(Count("lost"), 3);
  EXPECT_EQ(Count("lost_at_recipient"), 1);
  EXPECT_EQ(Count("lost_at_author_connection"), 2);
  EXPECT_EQ(Count("expected_frames"), 4);
}

TEST_F(DeliveryLedgerTest, RepeatedFrameIsADuplicate) {
  ledger_.Sent(0, true);
  ledger_.Frame(1, FrameFor(0, 1), t0_);
  ledger_.Frame(1, FrameFor(0, 1), t0_);
  EXPECT_EQ(Count("duplicated"), 1);
  EXPECT_EQ(Count("out_of_order"), 0);
}

TEST_F(DeliveryLedgerTest, LowerSeqAfterHigherOnTheSameConnectionAndChatIsOutOfOrder) {
  ledger_.Frame(1, FrameFor(2, 3), t0_);
  ledger_.Frame(1, FrameFor(0, 1), t0_);
  EXPECT_EQ(Count("out_of_order"), 1);
  // Another connection, or another chat, has its own order.
  ledger_.Frame(0, FrameFor(0, 1), t0_);
  ledger_.Frame(1, FrameFor(1, 1, "chat-2"), t0_);
  EXPECT_EQ(Count("out_of_order"), 1);
}

TEST_F(DeliveryLedgerTest, FramesForOtherConnectionsAndJunkAreCountedApart) {
  ledger_.Sent(0, true);
  ledger_.Frame(7, FrameFor(0, 1), t0_);  // a connection that is not in the chat
  ledger_.Frame(1, "not json", t0_);
  ledger_.Frame(1, R"({"type":"message.created","message":{"chat_id":"c"}})", t0_);
  ledger_.Frame(1, R"({"type":"chat.read","chat_id":"c","user_id":"u","seq":1})",
                t0_);  // other events: ignored
  EXPECT_EQ(Count("misrouted"), 1);
  EXPECT_EQ(Count("malformed"), 2);
  EXPECT_EQ(Count("lost"), 2);
}

}  // namespace
}  // namespace messenger::bench
