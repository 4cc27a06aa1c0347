// Many WebSocket clients of GET /v1/ws on their own threads: connect them (a bounded number at a time), hand
// every text frame to a callback, and close them all at the end.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "loadgen/histogram.hpp"
#include "loadgen/ws_client.hpp"

namespace messenger::bench {

class WsPool {
 public:
  WsPool(Endpoint endpoint, int threads);
  ~WsPool();
  WsPool(const WsPool&) = delete;
  WsPool& operator=(const WsPool&) = delete;

  using FrameHandler = std::function<void(std::size_t client, std::string_view text)>;

  // Connects `count` clients: client i presents tokens[i % size] and binds sources[i % size] (if any);
  // `parallel` handshakes run at once. Returns when every attempt has finished.
  void ConnectAll(std::size_t count, const std::vector<std::string>& tokens,
                  const std::vector<std::string>& sources, int parallel, FrameHandler on_text);
  // Closes every socket and waits (briefly) for the readers to end.
  void CloseAll();

  std::size_t connected() const { return connected_.load(); }
  // Connections the server ended before CloseAll, by close code ("close_4001", "transport").
  std::map<std::string, uint64_t> closed_early() const;
  std::map<std::string, uint64_t> connect_failures() const;
  const Histogram& connect_latency() const { return connect_latency_; }

 private:
  boost::asio::awaitable<void> ConnectWorker(std::atomic<std::size_t>* next, std::size_t count,
                                             std::size_t base, const std::vector<std::string>* tokens,
                                             std::shared_ptr<FrameHandler> handler,
                                             std::size_t* finished_workers);
  boost::asio::awaitable<WsConnectResult> ConnectOne(WsClient* client, std::string token);
  boost::asio::awaitable<void> ReadUntilClosed(WsClient* client, std::size_t index,
                                               std::shared_ptr<FrameHandler> handler);

  Endpoint endpoint_;
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::vector<std::unique_ptr<WsClient>> clients_;
  std::vector<boost::asio::any_io_executor> executors_;
  std::atomic<std::size_t> connected_{0};
  std::atomic<std::size_t> reading_{0};
  std::atomic<bool> closing_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, uint64_t> closed_early_;
  std::map<std::string, uint64_t> connect_failures_;
  Histogram connect_latency_;
  bool stopped_ = false;
};

}  // namespace messenger::bench
