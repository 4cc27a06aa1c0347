#include "ws/websocket_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>

namespace messenger::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

const char* ReasonText(CloseCode code) {
  switch (code) {
    case CloseCode::kGoingAway:
      return "server shutting down";
    case CloseCode::kSessionEnded:
      return "session ended";
    case CloseCode::kSlowConsumer:
      return "client too slow: queue overflowed";
  }
  return "";
}

}  // namespace

WebSocketSession::WebSocketSession(std::uint64_t id, Principal principal, beast::tcp_stream stream,
                                   const WebSocketSettings& settings)
    : id_(id),
      principal_(std::move(principal)),
      settings_(settings),
      ws_(std::move(stream)),
      queue_(settings.queue),
      wake_(ws_.get_executor()),
      hard_close_(ws_.get_executor()) {}

void WebSocketSession::Send(Frame frame) {
  switch (queue_.Push(std::move(frame))) {
    case OutboundQueue::PushResult::kQueuedWasEmpty:
      WakeWriter();
      break;
    case OutboundQueue::PushResult::kOverflow:
      Close(CloseCode::kSlowConsumer);
      break;
    case OutboundQueue::PushResult::kQueued:
    case OutboundQueue::PushResult::kRefused:
      break;
  }
}

void WebSocketSession::Close(CloseCode code) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), code] { self->StartClosing(code); });
}

void WebSocketSession::WakeWriter() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] { self->wake_.cancel(); });
}

void WebSocketSession::StartClosing(CloseCode code) {
  if (close_code_ || reader_done_) return;
  close_code_ = code;
  queue_.Close();
  wake_.cancel();
  hard_close_.expires_after(settings_.close_timeout);
  hard_close_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    boost::system::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
  });
}

asio::awaitable<bool> WebSocketSession::Accept(WireRequest request) {
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = settings_.close_timeout;
  timeouts.idle_timeout = settings_.ping_interval * 2;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& response) {
    response.set(beast::http::field::server, "messenger-gateway");
  }));
  ws_.read_message_max(settings_.max_incoming_message);
  beast::get_lowest_layer(ws_).expires_never();  // the websocket layer keeps its own time from here on
  if (settings_.send_buffer_bytes > 0) {
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(
        asio::socket_base::send_buffer_size(settings_.send_buffer_bytes), ignored);
  }
  auto [ec] = co_await ws_.async_accept(request, kTuple);
  co_return !ec;
}

asio::awaitable<void> WebSocketSession::Serve() {
  std::shared_ptr<WebSocketSession> self = shared_from_this();
  ws_.text(true);
  asio::co_spawn(ws_.get_executor(), Writer(self), asio::detached);
  beast::flat_buffer buffer;
  while (true) {
    auto [ec, n] = co_await ws_.async_read(buffer, kTuple);
    if (ec) break;
    buffer.consume(buffer.size());  // nothing a client sends means anything (yet)
  }
  // The read fails when the closing handshake is complete (either side started it), when the peer is gone
  // or silent past the idle timeout, or on a protocol error: in every case the connection is over.
  reader_done_ = true;
  queue_.Close();
  wake_.cancel();
  hard_close_.cancel();
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

asio::awaitable<void> WebSocketSession::Writer(std::shared_ptr<WebSocketSession> self) {
  while (!self->reader_done_) {
    if (self->close_code_) {
      websocket::close_reason reason(static_cast<std::uint16_t>(*self->close_code_));
      reason.reason = ReasonText(*self->close_code_);
      // A failure here means the connection is gone already; either way the reader ends now.
      (void)co_await self->ws_.async_close(reason, kTuple);
      break;
    }
    Frame frame = self->queue_.Pop();
    if (!frame) {
      // Woken (cancelled) by the first Send after the queue ran empty, by Close, or by the reader's end.
      self->wake_.expires_at(asio::steady_timer::time_point::max());
      co_await self->wake_.async_wait(kTuple);
      continue;
    }
    auto [ec, n] = co_await self->ws_.async_write(asio::buffer(*frame), kTuple);
    if (ec) break;
    ++self->frames_sent_;
  }
}

}  // namespace messenger::gateway
