#include "loadgen/delivery_ledger.hpp"

#include <boost/json/parse.hpp>
#include <charconv>

#include "loadgen/run_stats.hpp"

namespace messenger::bench {

namespace json = boost::json;

DeliveryLedger::DeliveryLedger(std::size_t slots, const RateSchedule& schedule, DeliveryRole role)
    : schedule_(schedule), role_(std::move(role)), sent_(slots), got_(slots) {}

void DeliveryLedger::Sent(uint64_t slot, bool ok) {
  std::lock_guard lock(mu_);
  if (slot < sent_.size()) sent_[slot] = ok;
}

void DeliveryLedger::Frame(std::size_t receiver, std::string_view text, Clock::time_point at) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  std::lock_guard lock(mu_);
  if (ec || !v.is_object()) {
    ++malformed_;
    return;
  }
  const json::object& frame = v.as_object();
  const auto* type = frame.if_contains("type");
  if (!type || !type->is_string() || type->as_string() != "message.created") return;
  const auto* message = frame.if_contains("message");
  if (!message || !message->is_object()) {
    ++malformed_;
    return;
  }
  const json::object& m = message->as_object();
  const auto* chat = m.if_contains("chat_id");
  const auto* seq = m.if_contains("seq");
  const auto* content = m.if_contains("content");
  if (!chat || !chat->is_string() || !seq || !seq->is_number() || !content || !content->is_string()) {
    ++malformed_;
    return;
  }
  // Per connection and chat, seq only grows. (A repeat of the same seq is a duplicate, counted below.)
  int64_t& last = last_seq_[std::string(chat->as_string()) + "|" + std::to_string(receiver)];
  const auto s = seq->to_number<int64_t>();
  if (s < last) ++out_of_order_;
  if (s > last) last = s;

  const std::string_view body(content->as_string());
  if (body.substr(0, kDeliveryPrefix.size()) != kDeliveryPrefix) return;  // not one of ours
  uint64_t slot = 0;
  const std::string_view digits = body.substr(kDeliveryPrefix.size());
  if (std::from_chars(digits.data(), digits.data() + digits.size(), slot).ec != std::errc() ||
      slot >= got_.size()) {
    ++malformed_;
    return;
  }
  const int bit = role_(slot, receiver);
  if (bit == 0) {
    ++misrouted_;
    return;
  }
  if (got_[slot] & bit) {
    ++duplicated_;
    return;
  }
  got_[slot] |= static_cast<uint8_t>(bit);
  (bit == 1 ? recipient_latency_ : author_latency_).Record(at - schedule_.IntendedStart(slot));
}

uint64_t DeliveryLedger::Missing() const {
  std::lock_guard lock(mu_);
  uint64_t missing = 0;
  for (std::size_t i = 0; i < sent_.size(); ++i) {
    if (!sent_[i]) continue;
    missing += (got_[i] & 1) ? 0 : 1;
    missing += (got_[i] & 2) ? 0 : 1;
  }
  return missing;
}

json::object DeliveryLedger::ToJson() const {
  std::lock_guard lock(mu_);
  uint64_t stored = 0, lost_recipient = 0, lost_author = 0;
  for (std::size_t i = 0; i < sent_.size(); ++i) {
    if (!sent_[i]) continue;
    ++stored;
    if (!(got_[i] & 1)) ++lost_recipient;
    if (!(got_[i] & 2)) ++lost_author;
  }
  return {{"messages_stored", stored},
          {"expected_frames", 2 * stored},
          {"lost", lost_recipient + lost_author},
          {"lost_at_recipient", lost_recipient},
          {"lost_at_author_connection", lost_author},
          {"duplicated", duplicated_},
          {"out_of_order", out_of_order_},
          {"misrouted", misrouted_},
          {"malformed", malformed_},
          {"latency_ms", LatencyJson(recipient_latency_)},
          {"author_echo_latency_ms", LatencyJson(author_latency_)}};
}

}  // namespace messenger::bench
