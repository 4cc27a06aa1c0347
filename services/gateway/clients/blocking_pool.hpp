// A few threads for blocking client calls (Redis), with an awaitable hand-off: the coroutine suspends, the
// call runs on a pool thread, and the coroutine resumes on its own executor. An I/O thread never waits on a
// Redis socket, so a slow or unreachable Redis (up to the client's 500 ms timeouts) stalls only the requests
// that need it.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <type_traits>

namespace messenger::gateway {

class BlockingPool {
 public:
  explicit BlockingPool(std::size_t threads) : pool_(threads) {}
  ~BlockingPool() { Stop(); }
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // Runs fn() on a pool thread; the result comes back on the awaiting coroutine's executor.
  template <typename F>
  boost::asio::awaitable<std::invoke_result_t<F&>> Run(F fn) {
    namespace asio = boost::asio;
    using Result = std::invoke_result_t<F&>;
    std::optional<Result> result;  // lives in this frame, which waits for the hand-back
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [this, &fn, &result](auto handler) {
          auto executor =
              asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
          asio::post(pool_, [fn = std::move(fn), &result, handler = std::move(handler), executor]() mutable {
            result.emplace(fn());
            asio::post(executor, std::move(handler));
          });
        },
        asio::use_awaitable);
    co_return std::move(*result);
  }

  // Finishes queued work and joins the threads. Idempotent.
  void Stop() {
    pool_.stop();
    pool_.join();
  }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace messenger::gateway
