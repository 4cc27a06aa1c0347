#include "ws/outbound_queue.hpp"

namespace messenger::gateway {

namespace {

// A drained queue keeps its vector's capacity up to this many frames; a burst beyond it is given back.
constexpr std::size_t kKeptCapacity = 16;

}  // namespace

OutboundQueue::PushResult OutboundQueue::Push(Frame frame) {
  std::lock_guard lock(mu_);
  if (closed_ || overflowed_) return PushResult::kRefused;
  const std::size_t queued = frames_.size() - head_;
  if (queued + 1 > limits_.max_frames || bytes_ + frame->size() > limits_.max_bytes) {
    overflowed_ = true;
    Clear();
    return PushResult::kOverflow;
  }
  if (head_ > 0 && head_ >= queued) {
    // The popped slots are at least half: move the queued frames to the front (amortised O(1) per frame).
    frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  bytes_ += frame->size();
  frames_.push_back(std::move(frame));
  return queued == 0 ? PushResult::kQueuedWasEmpty : PushResult::kQueued;
}

Frame OutboundQueue::Pop() {
  std::lock_guard lock(mu_);
  if (head_ == frames_.size()) return nullptr;
  Frame frame = std::move(frames_[head_++]);
  bytes_ -= frame->size();
  if (head_ == frames_.size()) {
    frames_.clear();
    head_ = 0;
    if (frames_.capacity() > kKeptCapacity) std::vector<Frame>().swap(frames_);
  }
  return frame;
}

void OutboundQueue::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  Clear();
}

void OutboundQueue::Clear() {
  std::vector<Frame>().swap(frames_);
  head_ = 0;
  bytes_ = 0;
}

bool OutboundQueue::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

std::size_t OutboundQueue::frames() const {
  std::lock_guard lock(mu_);
  return frames_.size() - head_;
}

std::size_t OutboundQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace messenger::gateway
