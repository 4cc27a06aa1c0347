#include "events/recent_ids.hpp"

#include <algorithm>

namespace messenger::gateway {

RecentIds::RecentIds(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {
  seen_.reserve(capacity_);
}

bool RecentIds::Insert(std::string_view id) {
  std::string key(id);
  if (seen_.contains(key)) return false;
  if (order_.size() == capacity_) {
    seen_.erase(order_.front());
    order_.pop_front();
  }
  seen_.insert(key);
  order_.push_back(std::move(key));
  return true;
}

}  // namespace messenger::gateway
