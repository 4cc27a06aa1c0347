// Unary gRPC calls as awaitables, on gRPC's callback API: the I/O thread that starts a call is free while the
// call runs (Auth's login hashes a password for tens of milliseconds), and the coroutine resumes on its own
// executor, never on a gRPC thread. Every call has a deadline and carries the request ID as x-request-id.
#pragma once

#include <grpcpp/grpcpp.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "messenger/common/grpc_status.hpp"
#include "messenger/common/status.hpp"

namespace messenger::gateway {

// The outcome of one call: the Status (with the service's reason) and, for a throttled call, the retry delay.
template <typename T>
struct RpcResult {
  Status status;
  std::optional<std::chrono::seconds> retry_after;
  T value;  // meaningful when ok()

  bool ok() const { return status.ok(); }
};

// Counts calls whose completion has not been handed back yet, so that shutdown can wait for them before the
// io_context they resume on is destroyed.
class InFlightCalls {
 public:
  void Begin() {
    std::lock_guard lock(mu_);
    ++count_;
  }
  void End() {
    std::lock_guard lock(mu_);
    if (--count_ == 0) idle_.notify_all();
  }
  // True when no call is in flight (waits up to `timeout`).
  bool WaitIdle(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return idle_.wait_for(lock, timeout, [this] { return count_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable idle_;
  std::size_t count_ = 0;
};

struct CallOptions {
  std::chrono::milliseconds deadline{3000};
  std::string request_id;
};

// Runs one unary call. `start(context, request, response, on_done)` issues it on a stub, e.g.
//   [stub](auto* ctx, auto* req, auto* resp, auto done) { stub->async()->Login(ctx, req, resp,
//   std::move(done)); }
template <typename Req, typename Resp, typename Start>
boost::asio::awaitable<RpcResult<Resp>> UnaryCall(InFlightCalls& in_flight, CallOptions options, Req request,
                                                  Start start) {
  namespace asio = boost::asio;
  // Lives until both the coroutine and gRPC are done with it.
  struct CallState {
    grpc::ClientContext context;
    Req request;
    Resp response;
    grpc::Status status;
  };
  auto state = std::make_shared<CallState>();
  state->request = std::move(request);
  state->context.set_deadline(std::chrono::system_clock::now() + options.deadline);
  if (!options.request_id.empty()) state->context.AddMetadata(kRequestIdMetadataKey, options.request_id);

  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
      [&in_flight, &state, &start](auto handler) {
        // Keeps the io_context from running out of work while the call is away.
        auto executor =
            asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
        auto resume = std::make_shared<decltype(handler)>(std::move(handler));
        in_flight.Begin();
        start(&state->context, &state->request, &state->response,
              std::function<void(grpc::Status)>(
                  [state, resume, executor, &in_flight](grpc::Status status) mutable {
                    {
                      // Take the captures out so that they die inside this block: once End() has run,
                      // shutdown may destroy the io_context, and nothing here may refer to it any more.
                      auto own_state = std::move(state);
                      auto own_executor = std::move(executor);
                      own_state->status = std::move(status);
                      // Hand the coroutine back to its executor; keep no reference to it on this gRPC thread.
                      asio::post(own_executor, [resume = std::move(resume)]() mutable { std::move (*resume)(); });
                    }
                    in_flight.End();
                  }));
      },
      asio::use_awaitable);

  RpcResult<Resp> result;
  result.status = FromGrpcStatus(state->status, state->context);
  if (result.ok()) {
    result.value = std::move(state->response);
  } else {
    result.retry_after = RetryAfterFromContext(state->context);
  }
  co_return result;
}

}  // namespace messenger::gateway
