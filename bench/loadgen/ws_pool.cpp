#include "loadgen/ws_pool.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "loadgen/rate_schedule.hpp"

namespace messenger::bench {

namespace asio = boost::asio;

WsPool::WsPool(Endpoint endpoint, int threads)
    : endpoint_(std::move(endpoint)), ioc_(std::max(1, threads)), work_(asio::make_work_guard(ioc_)) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { ioc_.run(); });
}

WsPool::~WsPool() { CloseAll(); }

void WsPool::ConnectAll(std::size_t count, const std::vector<std::string>& tokens,
                        const std::vector<std::string>& sources, int parallel, FrameHandler on_text) {
  const std::size_t base = clients_.size();
  for (std::size_t i = 0; i < count; ++i) {
    auto strand = asio::make_strand(ioc_);
    executors_.push_back(strand);
    const std::string source = sources.empty() ? "" : sources[(base + i) % sources.size()];
    clients_.push_back(std::make_unique<WsClient>(strand, endpoint_, source));
  }
  std::atomic<std::size_t> next{0};
  const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, parallel)), count);
  std::size_t finished_workers = 0;
  auto handler = std::make_shared<FrameHandler>(std::move(on_text));
  for (std::size_t w = 0; w < workers; ++w) {
    asio::co_spawn(ioc_, ConnectWorker(&next, count, base, &tokens, handler, &finished_workers),
                   asio::detached);
  }
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return finished_workers == workers; });
}

// Coroutines are member functions taking their inputs by value (not capturing lambdas): GCC 12 mishandles
// lambda captures with destructors in coroutines.
asio::awaitable<void> WsPool::ConnectWorker(std::atomic<std::size_t>* next, std::size_t count,
                                            std::size_t base, const std::vector<std::string>* tokens,
                                            std::shared_ptr<FrameHandler> handler,
                                            std::size_t* finished_workers) {
  for (;;) {
    const std::size_t i = next->fetch_add(1);
    if (i >= count) break;
    const std::size_t index = base + i;
    WsClient* client = clients_[index].get();
    const Clock::time_point started = Clock::now();
    // The handshake runs on the client's own strand.
    WsConnectResult result = co_await asio::co_spawn(
        executors_[index], ConnectOne(client, (*tokens)[index % tokens->size()]), asio::use_awaitable);
    if (!result.upgraded) {
      std::lock_guard lock(mu_);
      ++connect_failures_[result.failure.empty() ? "http_" + std::to_string(result.status) : "transport"];
      continue;
    }
    {
      std::lock_guard lock(mu_);
      connect_latency_.Record(Clock::now() - started);
    }
    connected_.fetch_add(1);
    reading_.fetch_add(1);
    asio::co_spawn(executors_[index], ReadUntilClosed(client, index, handler), asio::detached);
  }
  std::lock_guard lock(mu_);
  ++*finished_workers;
  cv_.notify_all();
}

asio::awaitable<WsConnectResult> WsPool::ConnectOne(WsClient* client, std::string token) {
  co_return co_await client->Connect(token, std::chrono::seconds(15));
}

asio::awaitable<void> WsPool::ReadUntilClosed(WsClient* client, std::size_t index,
                                              std::shared_ptr<FrameHandler> handler) {
  FrameHandler& on_text = *handler;
  const int code =
      co_await client->ReadLoop([&on_text, index](std::string_view text) { on_text(index, text); });
  std::lock_guard lock(mu_);
  if (!closing_.load()) ++closed_early_[code ? "close_" + std::to_string(code) : "transport"];
  reading_.fetch_sub(1);
  cv_.notify_all();
}

void WsPool::CloseAll() {
  if (stopped_) return;
  stopped_ = true;
  closing_ = true;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    asio::post(executors_[i], [client = clients_[i].get()] { client->Close(); });
  }
  {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [this] { return reading_.load() == 0; });
  }
  work_.reset();
  ioc_.stop();
  for (std::thread& t : threads_) t.join();
}

std::map<std::string, uint64_t> WsPool::closed_early() const {
  std::lock_guard lock(mu_);
  return closed_early_;
}

std::map<std::string, uint64_t> WsPool::connect_failures() const {
  std::lock_guard lock(mu_);
  return connect_failures_;
}

}  // namespace messenger::bench
