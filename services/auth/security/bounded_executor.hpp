// A fixed set of worker threads with a bounded queue in front of them. When the queue is full a submission
// is refused at once instead of waiting, so a flood of expensive work cannot pile up without bound.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace messenger::auth {

class BoundedExecutor {
 public:
  // `threads` workers (at least 1); at most `queue_capacity` tasks wait for a worker.
  BoundedExecutor(int threads, std::size_t queue_capacity);
  // Runs the tasks already queued, then joins the workers.
  ~BoundedExecutor();
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task`; false (and `task` is dropped) when queue_capacity tasks are already waiting or the
  // executor is shutting down.
  bool TrySubmit(std::function<void()> task);

  int threads() const { return static_cast<int>(workers_.size()); }
  std::size_t queue_capacity() const { return capacity_; }

 private:
  void Work();

  const std::size_t capacity_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace messenger::auth
