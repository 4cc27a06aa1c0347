#include "ws/outbound_queue.hpp"

namespace messenger::gateway {

OutboundQueue::PushResult OutboundQueue::Push(Frame frame) {
  std::lock_guard lock(mu_);
  if (closed_ || overflowed_) return PushResult::kRefused;
  if (frames_.size() + 1 > limits_.max_frames || bytes_ + frame->size() > limits_.max_bytes) {
    overflowed_ = true;
    frames_.clear();
    bytes_ = 0;
    return PushResult::kOverflow;
  }
  const bool was_empty = frames_.empty();
  bytes_ += frame->size();
  frames_.push_back(std::move(frame));
  return was_empty ? PushResult::kQueuedWasEmpty : PushResult::kQueued;
}

Frame OutboundQueue::Pop() {
  std::lock_guard lock(mu_);
  if (frames_.empty()) return nullptr;
  Frame frame = std::move(frames_.front());
  frames_.pop_front();
  bytes_ -= frame->size();
  return frame;
}

void OutboundQueue::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  frames_.clear();
  bytes_ = 0;
}

bool OutboundQueue::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

std::size_t OutboundQueue::frames() const {
  std::lock_guard lock(mu_);
  return frames_.size();
}

std::size_t OutboundQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace messenger::gateway
