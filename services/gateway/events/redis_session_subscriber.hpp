// Listens on the "session ended" pub/sub channel (RedisRealtimeStore::PublishSessionEnded) over a connection
// of its own, driven by the io_context without blocking a thread: SUBSCRIBE, then every message is a session
// ID whose sockets must close. The connection is PINGed every `ping_interval` and replaced when the server
// stops answering or the connection breaks (reconnect after `retry_delay`).
//
// Pub/sub is fire-and-forget: a message published while this instance was not subscribed is lost. So after
// every (re)subscription `on_subscribed` runs, and the caller re-checks the sessions of its open sockets
// (the heartbeat sweep catches any remaining gap within one ping interval anyway).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "clients/readiness_probe.hpp"

namespace messenger::gateway {

struct SubscriberOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string channel;
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds ping_interval{5000};
  std::chrono::milliseconds retry_delay{1000};
};

class RedisSessionSubscriber final : public ReadinessProbe {
 public:
  using OnMessage = std::function<void(std::string payload)>;
  using OnSubscribed = std::function<void()>;

  // Callbacks run on the subscriber's strand.
  RedisSessionSubscriber(boost::asio::any_io_executor executor, SubscriberOptions options,
                         OnMessage on_message, OnSubscribed on_subscribed);
  ~RedisSessionSubscriber() override;

  // Starts the connect / subscribe / read loop on the executor.
  void Start();
  // Ends the loop (closes the connection). The executor's context must still run to finish it.
  void Stop();

  bool subscribed() const;

  std::string_view name() const override { return "session-channel"; }
  boost::asio::awaitable<Status> Check(std::string request_id) override;

 private:
  struct State;
  static boost::asio::awaitable<void> Loop(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
};

}  // namespace messenger::gateway
