// The bookkeeping of the delivery scenario (S2): which messages were stored, which WebSocket frames came
// back for them, on which connection, how late, and what was lost, duplicated or out of order.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "loadgen/histogram.hpp"
#include "loadgen/rate_schedule.hpp"

namespace messenger::bench {

// Message content "s2 message <slot>" ties a frame to the request that sent it.
inline constexpr std::string_view kDeliveryPrefix = "s2 message ";

// For a message slot and a receiving connection: 1 when the connection is the other participant's (the
// recipient), 2 when it is the author's own, 0 when it should not have received the message at all.
using DeliveryRole = std::function<int(uint64_t slot, std::size_t receiver)>;

class DeliveryLedger {
 public:
  DeliveryLedger(std::size_t slots, const RateSchedule& schedule, DeliveryRole role);

  // The send of `slot` answered; ok = the message was stored (201), so two frames are expected for it.
  void Sent(uint64_t slot, bool ok);
  // A text frame received at `at` on connection `receiver`. Thread-safe.
  void Frame(std::size_t receiver, std::string_view text, Clock::time_point at);
  void Frame(std::size_t receiver, std::string_view text) { Frame(receiver, text, Clock::now()); }

  // Expected frames (two per stored message) not received yet.
  uint64_t Missing() const;
  // {messages_stored, expected_frames, lost, lost_at_recipient, lost_at_author_connection, duplicated,
  //  out_of_order, misrouted, malformed, latency_ms (recipient), author_echo_latency_ms}
  boost::json::object ToJson() const;

 private:
  const RateSchedule& schedule_;
  DeliveryRole role_;
  mutable std::mutex mu_;
  std::vector<uint8_t> sent_;
  std::vector<uint8_t> got_;  // bit 1: recipient frame seen, bit 2: author's own frame seen
  std::unordered_map<std::string, int64_t> last_seq_;  // "chat|receiver" -> highest seq seen
  Histogram recipient_latency_;
  Histogram author_latency_;
  uint64_t duplicated_ = 0, out_of_order_ = 0, misrouted_ = 0, malformed_ = 0;
};

}  // namespace messenger::bench
