// The frames waiting to be written to one WebSocket. Bounded in frames and in bytes: a client that reads
// too slowly makes it overflow, and then the socket is closed (4008) instead of the gateway buffering without
// limit or slowing down whoever feeds it. Pushing never blocks; the event consumer pushes, the socket's
// writer takes. Thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace messenger::gateway {

struct OutboundLimits {
  std::size_t max_frames = 1024;
  std::size_t max_bytes = 1024 * 1024;
};

// One frame, shared by every socket it is sent to.
using Frame = std::shared_ptr<const std::string>;

class OutboundQueue {
 public:
  enum class PushResult {
    kQueued,          // the writer is busy or already woken
    kQueuedWasEmpty,  // the first frame after the writer drained the queue: wake it
    kOverflow,        // over a limit: the queue is now overflowed, its frames dropped (close with 4008)
    kRefused,         // already overflowed or closed: dropped
  };

  explicit OutboundQueue(OutboundLimits limits) : limits_(limits) {}

  PushResult Push(Frame frame);
  // The oldest frame, or null when the queue is empty. The writer takes one frame at a time, so what is
  // queued plus the one frame being written is all a socket holds.
  Frame Pop();
  // Refuses every later push and drops what is queued (the socket is closing).
  void Close();

  bool overflowed() const;
  std::size_t frames() const;
  std::size_t bytes() const;

 private:
  void Clear();  // mu_ held

  const OutboundLimits limits_;
  mutable std::mutex mu_;
  // frames_[head_..] are queued. A vector, not a deque: an empty one holds no memory (libstdc++'s deque
  // allocates ~600 bytes even when empty), and most sockets are idle. Popped slots are reclaimed when the
  // queue drains or when they are at least half of the vector.
  std::vector<Frame> frames_;
  std::size_t head_ = 0;
  std::size_t bytes_ = 0;
  bool overflowed_ = false;
  bool closed_ = false;
};

}  // namespace messenger::gateway
