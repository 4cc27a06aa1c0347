// One server-side WebSocket (Boost.Beast) on the connection the HTTP server handed over. It runs on the
// connection's strand: a reader (clients send nothing the API uses; reading keeps control frames — pong,
// close — flowing and notices a dead peer) and a writer that drains the OutboundQueue one frame at a time.
// Other threads only touch the queue and post to the strand (Send, Close), so no socket write ever blocks
// them.
//
// Heartbeats are Beast's: with idle_timeout = 2 x ping_interval and keep-alive pings, the server pings every
// ping_interval and a peer that sent nothing (not even a pong) for idle_timeout is dropped.
// Closing: the close frame follows the frame being written (never cuts one); if the closing handshake has
// not finished after close_timeout (a peer that does not read cannot even receive the close frame), the TCP
// connection is dropped.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "http/request.hpp"
#include "http/wire.hpp"
#include "ws/outbound_queue.hpp"
#include "ws/socket.hpp"

namespace messenger::gateway {

struct WebSocketSettings {
  OutboundLimits queue;
  std::chrono::milliseconds ping_interval{20'000};
  std::chrono::milliseconds close_timeout{10'000};  // also the opening handshake's limit
  std::size_t max_incoming_message = 4096;  // clients have nothing to send; a bigger message is an error
  int send_buffer_bytes = 64 * 1024;        // SO_SNDBUF of the socket; 0 leaves it to the kernel
};

class WebSocketSession final : public Socket, public std::enable_shared_from_this<WebSocketSession> {
 public:
  // `stream` is moved from (taken by reference: a moved tcp_stream allocates its state anew each time).
  WebSocketSession(std::uint64_t id, Principal principal, boost::beast::tcp_stream&& stream,
                   const WebSocketSettings& settings);

  std::uint64_t id() const override { return id_; }
  const std::string& user_id() const override { return principal_.user_id; }
  const std::string& session_id() const override { return principal_.session_id; }
  const std::string& token_id() const override { return principal_.jti; }

  void Send(Frame frame) override;
  void Close(CloseCode code) override;

  // Answers the upgrade request (the 101). False when the handshake failed (Beast has answered it).
  boost::asio::awaitable<bool> Accept(WireRequest request);
  // Serves the open WebSocket until it is closed, by either side or by a failure.
  boost::asio::awaitable<void> Serve();

  // How the socket ended (nullopt when the peer closed or the connection failed first).
  std::optional<CloseCode> close_code() const { return close_code_; }
  std::uint64_t frames_sent() const { return frames_sent_.load(); }

 private:
  // The writer is a chain of completion handlers, not a coroutine: an idle socket has no writer state at
  // all (no frame, no pending wait). PumpWriter and StartClosing run on the strand.
  void PumpWriter();  // starts the next write (or the close frame) unless one is in flight
  void WakeWriter();  // from any thread: posts PumpWriter
  void StartClosing(CloseCode code);

  const std::uint64_t id_;
  const Principal principal_;
  const WebSocketSettings settings_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  OutboundQueue queue_;
  // Drops the connection if closing takes too long; made when closing starts.
  std::unique_ptr<boost::asio::steady_timer> hard_close_;
  std::optional<CloseCode> close_code_;  // on the strand
  bool serving_ = false;                 // on the strand: the handshake is done, frames may be written
  bool writing_ = false;                 // on the strand: a frame or the close frame is being written
  bool writer_done_ = false;             // on the strand: the close frame went out, or a write failed
  bool reader_done_ = false;             // on the strand
  std::atomic<std::uint64_t> frames_sent_{0};
};

}  // namespace messenger::gateway
