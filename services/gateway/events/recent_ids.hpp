// A bounded memory of recently seen event IDs, for de-duplication: the outbox relays publish at least once,
// so the same Envelope can arrive twice (a relay retry, a consumer rebalance). The oldest IDs are forgotten
// first; a duplicate arriving after `capacity` newer events gets through, which the capacity is sized against
// (a redelivery comes within one relay batch or one uncommitted poll, far fewer than the default 100,000).
// Not thread-safe: the event consumer's single thread owns it.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>

namespace messenger::gateway {

class RecentIds {
 public:
  explicit RecentIds(std::size_t capacity);

  // True when `id` is new (and remembers it); false when it was seen among the last `capacity` IDs.
  bool Insert(std::string_view id);

  std::size_t size() const { return order_.size(); }

 private:
  const std::size_t capacity_;
  std::unordered_set<std::string> seen_;
  std::deque<std::string> order_;  // oldest first
};

}  // namespace messenger::gateway
