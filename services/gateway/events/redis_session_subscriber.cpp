#include "events/redis_session_subscriber.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "events/resp_reader.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool IsBulk(const RespValue& v, std::string_view text) {
  return v.type == RespValue::Type::kBulk && v.text == text;
}

}  // namespace

struct RedisSubscriberConnection {
  explicit RedisSubscriberConnection(asio::strand<asio::any_io_executor> strand)
      : socket(strand), timer(strand) {}
  tcp::socket socket;
  asio::steady_timer timer;  // the pinger's
  SteadyClock::time_point last_read = SteadyClock::now();
  bool done = false;
};

struct RedisSessionSubscriber::State {
  State(asio::any_io_executor executor, SubscriberOptions o, OnMessage m, OnSubscribed s)
      : strand(asio::make_strand(std::move(executor))),
        options(std::move(o)),
        on_message(std::move(m)),
        on_subscribed(std::move(s)),
        pause(strand) {}
  asio::strand<asio::any_io_executor> strand;
  const SubscriberOptions options;
  const OnMessage on_message;
  const OnSubscribed on_subscribed;
  asio::steady_timer pause;
  std::shared_ptr<RedisSubscriberConnection> connection;  // on the strand only
  std::atomic<bool> subscribed{false};
  bool stopped = false;  // on the strand only
};

namespace {

// PINGs while the connection lives; closes it when nothing was read for two intervals.
asio::awaitable<void> Pinger(std::shared_ptr<RedisSubscriberConnection> c,
                             std::chrono::milliseconds interval) {
  const std::string ping = EncodeCommand({"PING"});
  while (!c->done) {
    c->timer.expires_after(interval);
    (void)co_await c->timer.async_wait(kTuple);
    if (c->done) break;
    if (SteadyClock::now() - c->last_read > 2 * interval) {
      boost::system::error_code ignored;
      c->socket.close(ignored);  // the reader fails and the loop reconnects
      break;
    }
    auto [write_ec, n] = co_await asio::async_write(c->socket, asio::buffer(ping), kTuple);
    if (write_ec) break;
  }
}

}  // namespace

RedisSessionSubscriber::RedisSessionSubscriber(asio::any_io_executor executor, SubscriberOptions options,
                                               OnMessage on_message, OnSubscribed on_subscribed)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), std::move(on_message),
                                     std::move(on_subscribed))) {}

RedisSessionSubscriber::~RedisSessionSubscriber() = default;

bool RedisSessionSubscriber::subscribed() const { return state_->subscribed.load(); }

void RedisSessionSubscriber::Start() { asio::co_spawn(state_->strand, Loop(state_), asio::detached); }

void RedisSessionSubscriber::Stop() {
  asio::post(state_->strand, [state = state_] {
    state->stopped = true;
    state->subscribed = false;
    state->pause.cancel();
    if (state->connection) {
      state->connection->done = true;
      boost::system::error_code ignored;
      state->connection->socket.close(ignored);
      state->connection->timer.cancel();
    }
  });
}

asio::awaitable<Status> RedisSessionSubscriber::Check(std::string /*request_id*/) {
  if (subscribed()) co_return OkStatus();
  co_return UnavailableError("not subscribed to the session channel");
}

asio::awaitable<void> RedisSessionSubscriber::Loop(std::shared_ptr<State> state) {
  bool first = true;
  while (!state->stopped) {
    if (!first) {
      state->pause.expires_after(state->options.retry_delay);
      co_await state->pause.async_wait(kTuple);
      if (state->stopped) break;
    }
    first = false;

    auto c = std::make_shared<RedisSubscriberConnection>(state->strand);
    state->connection = c;
    boost::system::error_code ec;
    tcp::resolver resolver(state->strand);
    auto [resolve_ec, endpoints] =
        co_await resolver.async_resolve(state->options.host, std::to_string(state->options.port), kTuple);
    if (resolve_ec) {
      log::Warn("session channel: cannot resolve Redis", {{"error", resolve_ec.message()}});
      continue;
    }
    // Connect with a deadline: the pinger's timer closes the socket if the connect takes too long.
    c->timer.expires_after(state->options.connect_timeout);
    c->timer.async_wait([c](boost::system::error_code wait_ec) {
      if (!wait_ec) {
        boost::system::error_code ignored;
        c->socket.close(ignored);
      }
    });
    auto [connect_ec, endpoint] = co_await asio::async_connect(c->socket, endpoints, kTuple);
    c->timer.cancel();
    if (connect_ec || state->stopped) {
      if (!state->stopped)
        log::Warn("session channel: cannot connect to Redis", {{"error", connect_ec.message()}});
      continue;
    }
    const std::string subscribe = EncodeCommand({"SUBSCRIBE", state->options.channel});
    auto [write_ec, written] = co_await asio::async_write(c->socket, asio::buffer(subscribe), kTuple);
    if (write_ec) continue;
    c->last_read = SteadyClock::now();
    asio::co_spawn(state->strand, Pinger(c, state->options.ping_interval), asio::detached);

    RespReader reader;
    std::array<char, 4096> chunk;
    bool broken = false;
    while (!broken && !state->stopped) {
      auto [read_ec, n] = co_await c->socket.async_read_some(asio::buffer(chunk), kTuple);
      if (read_ec) break;
      c->last_read = SteadyClock::now();
      reader.Feed(std::string_view(chunk.data(), n));
      while (true) {
        StatusOr<std::optional<RespValue>> value = reader.Next();
        if (!value.ok()) {
          log::Warn("session channel: bad reply from Redis", {{"error", value.status().ToString()}});
          broken = true;
          break;
        }
        if (!value->has_value()) break;
        const RespValue& v = **value;
        if (v.type == RespValue::Type::kError) {
          log::Warn("session channel: Redis refused", {{"error", v.text}});
          broken = true;
          break;
        }
        if (v.type != RespValue::Type::kArray || v.elements.empty()) continue;
        if (IsBulk(v.elements[0], "subscribe")) {
          state->subscribed = true;
          log::Info("session channel subscribed", {{"channel", state->options.channel}});
          if (state->on_subscribed) state->on_subscribed();
        } else if (IsBulk(v.elements[0], "message") && v.elements.size() == 3 &&
                   v.elements[2].type == RespValue::Type::kBulk) {
          if (state->on_message) state->on_message(v.elements[2].text);
        }
        // "pong" and anything else: the read itself was the sign of life.
      }
    }
    state->subscribed = false;
    c->done = true;
    c->timer.cancel();
    c->socket.close(ec);
    if (!state->stopped) log::Warn("session channel: connection lost; reconnecting");
  }
  state->connection.reset();
}

}  // namespace messenger::gateway
