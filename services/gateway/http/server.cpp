#include "http/server.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>

#include "http/request_id.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 8 * 1024;
// After an error answer sent before the request was fully read, what the client still sends is read and
// dropped (up to this much, for up to this long) so that closing does not reset the connection before the
// client has read the answer.
constexpr std::size_t kMaxDrainBytes = 4 * 1024 * 1024;
constexpr std::chrono::seconds kDrainTime{2};

void LogSessionEnd(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log::Error("connection failed", {{"error", ex.what()}});
  } catch (...) {
    log::Error("connection failed", {{"error", "unknown exception"}});
  }
}

void AccessLog(const Request& request, const std::string& method, int status, std::chrono::nanoseconds took) {
  log::RequestScope scope(request.request_id);
  log::Info("http request", {{"method", method},
                             {"route", request.route},
                             {"path", request.path},
                             {"status", status},
                             {"duration_ms", std::chrono::duration<double, std::milli>(took).count()},
                             {"client_ip", request.client_ip}});
}

// Owns an upgraded connection for as long as its handler serves it.
asio::awaitable<void> ServeUpgraded(UpgradeHandler handler, Upgrade upgrade) { co_await handler(upgrade); }

}  // namespace

// Counts a request as in flight for as long as it lives (or until released).
class HttpServer::ActiveRequest {
 public:
  explicit ActiveRequest(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {
    shared_->active_requests.fetch_add(1);
  }
  ~ActiveRequest() { Release(); }
  ActiveRequest(const ActiveRequest&) = delete;
  ActiveRequest& operator=(const ActiveRequest&) = delete;
  void Release() {
    if (shared_) shared_->active_requests.fetch_sub(1);
    shared_.reset();
  }

 private:
  std::shared_ptr<Shared> shared_;
};

ServerOptions ServerOptions::FromEnv() {
  ServerOptions o;
  o.host = EnvString("LISTEN_HOST", "127.0.0.1");
  o.port = static_cast<int>(EnvInt("LISTEN_PORT", 8080));
  o.limits.body_limit = static_cast<std::size_t>(EnvInt("HTTP_BODY_LIMIT_BYTES", 64 * 1024));
  o.header_timeout = EnvMillis("HTTP_HEADER_TIMEOUT_MS", o.header_timeout);
  o.body_timeout = EnvMillis("HTTP_BODY_TIMEOUT_MS", o.body_timeout);
  o.idle_timeout = EnvMillis("HTTP_IDLE_TIMEOUT_MS", o.idle_timeout);
  o.write_timeout = EnvMillis("HTTP_WRITE_TIMEOUT_MS", o.write_timeout);
  o.trusted_proxy = EnvBool("TRUSTED_PROXY", false);
  return o;
}

HttpServer::HttpServer(asio::io_context& ioc, ServerOptions options, const Dispatcher& dispatcher,
                       Metrics& metrics)
    : ioc_(ioc),
      options_(std::move(options)),
      dispatcher_(dispatcher),
      metrics_(metrics),
      shared_(std::make_shared<Shared>()) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.host, ec);
  if (ec) return InvalidArgumentError("LISTEN_HOST is not an IP address: " + options_.host);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(options_.port));
  acceptor_ = std::make_shared<tcp::acceptor>(asio::make_strand(ioc_));
  if (acceptor_->open(endpoint.protocol(), ec); ec) return UnavailableError("open: " + ec.message());
  if (acceptor_->set_option(asio::socket_base::reuse_address(true), ec); ec) {
    return UnavailableError("reuse_address: " + ec.message());
  }
  if (acceptor_->bind(endpoint, ec); ec) {
    return UnavailableError("bind " + options_.host + ":" + std::to_string(options_.port) + ": " +
                            ec.message());
  }
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec); ec) {
    return UnavailableError("listen: " + ec.message());
  }
  port_ = acceptor_->local_endpoint().port();
  asio::co_spawn(acceptor_->get_executor(), AcceptLoop(acceptor_), LogSessionEnd);
  return OkStatus();
}

void HttpServer::StopAccepting() {
  shared_->draining = true;
  if (!acceptor_) return;
  asio::post(acceptor_->get_executor(), [acceptor = acceptor_] {
    boost::system::error_code ignored;
    acceptor->close(ignored);
  });
}

std::size_t HttpServer::active_requests() const { return shared_->active_requests.load(); }

asio::awaitable<void> HttpServer::AcceptLoop(std::shared_ptr<tcp::acceptor> acceptor) {
  while (acceptor->is_open()) {
    auto [ec, socket] = co_await acceptor->async_accept(asio::make_strand(ioc_), kTuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) break;
      // Out of file descriptors and the like: wait a moment instead of spinning.
      log::Warn("accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(acceptor->get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(kTuple);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(beast::tcp_stream(std::move(socket)), shared_), LogSessionEnd);
  }
}

asio::awaitable<void> HttpServer::Session(beast::tcp_stream stream, std::shared_ptr<Shared> shared) {
  boost::system::error_code ec;
  std::string peer_ip;
  if (auto remote = stream.socket().remote_endpoint(ec); !ec) peer_ip = remote.address().to_string();
  beast::flat_buffer buffer;
  bool first_request = true;

  while (true) {
    // Wait for the first byte of the next request: the idle timeout between keep-alive requests.
    if (buffer.size() == 0) {
      stream.expires_after(first_request ? options_.header_timeout : options_.idle_timeout);
      auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kTuple);
      if (read_ec) break;
      buffer.commit(n);
    }
    first_request = false;

    RequestParser parser;
    ConfigureParser(parser, options_.limits);
    stream.expires_after(options_.header_timeout);
    auto [header_ec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, kTuple);
    auto started = std::chrono::steady_clock::now();
    beast::error_code read_ec = header_ec;
    if (!read_ec) read_ec = ArmBodyLimit(parser, options_.limits);

    if (!read_ec && !parser.is_done()) {
      const auto& fields = parser.get();
      if (beast::iequals(fields[bhttp::field::expect], "100-continue")) {
        bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, fields.version()};
        stream.expires_after(options_.write_timeout);
        auto [write_ec, written] = co_await bhttp::async_write(stream, go_on, kTuple);
        if (write_ec) break;
      }
      stream.expires_after(options_.body_timeout);
      auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
      read_ec = body_ec;
    }

    std::string method_label = parser.is_header_done() ? MethodLabel(parser.get()) : std::string("OTHER");
    std::optional<std::string_view> incoming_id;
    if (parser.is_header_done()) {
      auto it = parser.get().find("X-Request-Id");
      if (it != parser.get().end()) incoming_id = it->value();
    }
    std::string request_id = RequestIdFor(incoming_id);

    if (read_ec) {
      std::optional<Response> answer = ResponseForReadError(read_ec, options_.limits);
      if (!answer) break;  // the peer is gone or too slow; nobody reads an answer
      Request failed;
      failed.request_id = request_id;
      failed.route = std::string(kUnmatchedRoute);
      failed.client_ip = peer_ip;
      if (parser.is_header_done()) {
        std::string_view target = parser.get().target();
        failed.path = std::string(target.substr(0, target.find('?')));
      }
      int status = answer->status;
      auto took = std::chrono::steady_clock::now() - started;
      metrics_.Observe(kUnmatchedRoute, method_label, status, took);
      AccessLog(failed, method_label, status, took);
      WireResponse wire = ToWire(std::move(*answer), request_id, 11, /*keep_alive=*/false);
      stream.expires_after(options_.write_timeout);
      auto [write_ec, written] = co_await bhttp::async_write(stream, wire, kTuple);
      if (write_ec) break;
      // Read and drop what the client still sends, then close.
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      stream.expires_after(kDrainTime);
      std::array<char, kReadChunk> sink;
      for (std::size_t drained = 0; drained < kMaxDrainBytes;) {
        auto [drain_ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
        if (drain_ec) break;
        drained += n;
      }
      break;
    }

    WireRequest wire_request = parser.release();
    bool keep_alive = wire_request.keep_alive();
    unsigned version = wire_request.version();
    ActiveRequest active(shared);
    StatusOr<Request> parsed = ToRequest(wire_request, request_id, peer_ip, options_.trusted_proxy);
    Request request;
    Response response;
    if (parsed.ok()) {
      request = std::move(parsed).value();
      response = co_await dispatcher_.Dispatch(request);
    } else {
      request.request_id = request_id;
      request.route = std::string(kUnmatchedRoute);
      request.client_ip = peer_ip;
      response = ErrorResponse(400, "INVALID_ARGUMENT", parsed.status().message());
    }

    if (response.upgrade) {
      // The handler owns the connection from here on (it writes its own answer, e.g. 101).
      auto took = std::chrono::steady_clock::now() - started;
      metrics_.Observe(request.route, method_label, 101, took);
      AccessLog(request, method_label, 101, took);
      active.Release();
      // The upgraded connection runs in a coroutine of its own and this one ends: an open WebSocket keeps
      // neither this frame (parser, request, response, the drain buffer) nor the 8 KiB read buffer.
      buffer.shrink_to_fit();
      Upgrade upgrade{std::move(stream), std::move(buffer), std::move(wire_request)};
      UpgradeHandler handler = std::move(response.upgrade);
      auto executor = upgrade.stream.get_executor();
      asio::co_spawn(executor, ServeUpgraded(std::move(handler), std::move(upgrade)), LogSessionEnd);
      co_return;
    }

    keep_alive = keep_alive && !response.close && !shared->draining.load();
    // Counted before the answer leaves, so a client that has the answer also finds it in /metrics.
    int status = response.status;
    auto took = std::chrono::steady_clock::now() - started;
    metrics_.Observe(request.route, method_label, status, took);
    AccessLog(request, method_label, status, took);
    WireResponse wire = ToWire(std::move(response), request_id, version, keep_alive,
                               wire_request.method() == bhttp::verb::head);
    stream.expires_after(options_.write_timeout);
    auto [write_ec, written] = co_await bhttp::async_write(stream, wire, kTuple);
    active.Release();
    if (write_ec) break;
    if (!keep_alive) {
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      break;
    }
  }
  stream.socket().close(ec);
}

}  // namespace messenger::gateway
