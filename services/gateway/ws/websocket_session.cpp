#include "ws/websocket_session.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
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

WebSocketSession::WebSocketSession(std::uint64_t id, Principal principal, beast::tcp_stream&& stream,
                                   const WebSocketSettings& settings)
    : id_(id),
      principal_(std::move(principal)),
      settings_(settings),
      ws_(std::move(stream)),
      queue_(settings.queue) {}

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
  asio::post(ws_.get_executor(), [self = shared_from_this()] { self->PumpWriter(); });
}

void WebSocketSession::PumpWriter() {
  if (!serving_ || writing_ || writer_done_ || reader_done_) return;
  if (close_code_) {
    writing_ = true;
    writer_done_ = true;
    websocket::close_reason reason(static_cast<std::uint16_t>(*close_code_));
    reason.reason = ReasonText(*close_code_);
    // A failure here means the connection is gone already; either way the reader ends now.
    ws_.async_close(reason,
                    [self = shared_from_this()](boost::system::error_code) { self->writing_ = false; });
    return;
  }
  Frame frame = queue_.Pop();
  if (!frame) return;  // the next Send after the queue ran empty wakes the writer again
  writing_ = true;
  const asio::const_buffer bytes = asio::buffer(*frame);
  // The handler holds the frame until it is written.
  auto written = [self = shared_from_this(), frame = std::move(frame)](boost::system::error_code ec,
                                                                       std::size_t) {
    self->writing_ = false;
    if (ec) {
      self->writer_done_ = true;
      return;
    }
    ++self->frames_sent_;
    self->PumpWriter();
  };
  ws_.async_write(bytes, std::move(written));
}

void WebSocketSession::StartClosing(CloseCode code) {
  if (close_code_ || reader_done_) return;
  close_code_ = code;
  queue_.Close();
  hard_close_ = std::make_unique<asio::steady_timer>(ws_.get_executor(), settings_.close_timeout);
  hard_close_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    boost::system::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
  });
  PumpWriter();  // the close frame follows the frame being written, if any
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
  serving_ = true;
  PumpWriter();  // frames queued during the handshake (or a close asked for meanwhile)
  // Nothing a client sends means anything (yet), so its messages are read piecewise into a small scratch
  // array and dropped: an idle socket holds no read buffer. Beast still counts each message against
  // read_message_max (1009 when over) and answers pings and closes while this read is pending.
  std::array<char, 128> scratch;
  while (true) {
    auto [ec, n] = co_await ws_.async_read_some(asio::buffer(scratch), kTuple);
    if (ec) break;
  }
  // The read fails when the closing handshake is complete (either side started it), when the peer is gone
  // or silent past the idle timeout, or on a protocol error: in every case the connection is over.
  reader_done_ = true;
  queue_.Close();
  if (hard_close_) hard_close_->cancel();
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
}

}  // namespace messenger::gateway
