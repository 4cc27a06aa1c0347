#include "ws/realtime_service.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <exception>
#include <thread>

#include "http/error_mapping.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// Whether a comma-separated header value lists `token` (case-insensitive).
bool HasToken(std::optional<std::string_view> header, std::string_view token) {
  if (!header) return false;
  std::string_view v = *header;
  while (!v.empty()) {
    std::size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    if (item.size() == token.size() &&
        std::equal(item.begin(), item.end(), token.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
    if (comma == std::string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return false;
}

std::string DescribeFailure(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

RealtimeOptions RealtimeOptions::FromEnv(std::string instance_id) {
  RealtimeOptions o;
  o.instance_id = std::move(instance_id);
  o.socket.queue.max_frames =
      static_cast<std::size_t>(std::max<std::int64_t>(1, EnvInt("WS_QUEUE_MAX_FRAMES", 1024)));
  o.socket.queue.max_bytes =
      static_cast<std::size_t>(std::max<std::int64_t>(1024, EnvInt("WS_QUEUE_MAX_BYTES", 1024 * 1024)));
  o.socket.ping_interval = std::chrono::seconds(std::max<std::int64_t>(1, EnvInt("WS_PING_INTERVAL_S", 20)));
  o.socket.close_timeout = EnvMillis("WS_CLOSE_TIMEOUT_MS", o.socket.close_timeout);
  o.socket.max_incoming_message =
      static_cast<std::size_t>(std::max<std::int64_t>(125, EnvInt("WS_MAX_MESSAGE_BYTES", 4096)));
  o.socket.send_buffer_bytes =
      static_cast<int>(std::max<std::int64_t>(0, EnvInt("WS_SEND_BUFFER_BYTES", 65536)));
  o.allowed_origins = EnvString("WS_ALLOWED_ORIGINS", kDefaultAllowedOrigins);
  return o;
}

RealtimeService::RealtimeService(asio::any_io_executor executor, RealtimeOptions options,
                                 ConnectionRegistry& registry, PresenceTracker& presence,
                                 RealtimeStore& store, BlockingPool& pool, std::function<bool()> ready)
    : executor_(asio::make_strand(std::move(executor))),
      options_(std::move(options)),
      origins_(options_.allowed_origins),
      registry_(registry),
      presence_(presence),
      store_(store),
      pool_(pool),
      ready_(std::move(ready)),
      sweep_timer_(std::make_shared<asio::steady_timer>(executor_)) {}

RealtimeService::~RealtimeService() = default;

asio::awaitable<Response> RealtimeService::HandleUpgrade(Request& request) {
  if (!HasToken(request.Header("upgrade"), "websocket") ||
      !HasToken(request.Header("connection"), "upgrade")) {
    Response r = ErrorResponse(426, "UPGRADE_REQUIRED", "this route only answers a WebSocket upgrade");
    r.headers.emplace_back("Upgrade", "websocket");
    co_return r;
  }
  if (request.Header("sec-websocket-version").value_or("") != "13") {
    Response r = ErrorResponse(426, "UPGRADE_REQUIRED", "WebSocket version 13 is required");
    r.headers.emplace_back("Sec-WebSocket-Version", "13");
    co_return r;
  }
  if (request.Header("sec-websocket-key").value_or("").empty()) {
    co_return ErrorResponse(400, "INVALID_ARGUMENT", "Sec-WebSocket-Key is missing");
  }
  if (auto origin = request.Header("origin"); origin && !origins_.Allows(*origin)) {
    co_return ErrorResponse(403, "ORIGIN_NOT_ALLOWED", "this origin may not open a WebSocket");
  }
  if (draining_.load() || !ready_()) {
    Response r = ErrorResponse(503, "UNAVAILABLE", "real-time events are not available yet; retry");
    r.headers.emplace_back("Retry-After", "1");
    co_return r;
  }
  // The socket keeps who it serves but not the raw token (nothing on a socket needs it after the upgrade).
  const Principal& caller = *request.principal;
  Principal principal{caller.user_id, caller.session_id, caller.jti, std::string()};
  Response response;
  response.status = 101;
  // The server calls the handler once and keeps it while the socket lives: the principal moves out of it.
  response.upgrade = [this, principal = std::move(principal)](Upgrade& upgrade) mutable {
    return Serve(upgrade, std::move(principal));
  };
  co_return response;
}

asio::awaitable<void> RealtimeService::Serve(Upgrade& upgrade, Principal principal) {
  const auto strand = upgrade.stream.get_executor();
  auto session = std::make_shared<WebSocketSession>(next_id_.fetch_add(1), std::move(principal),
                                                    std::move(upgrade.stream), options_.socket);
  // Registered before the 101 leaves: an event consumed from this moment on finds the socket (its frame
  // waits in the queue until the handshake is done). Bytes a client sent after its upgrade request, before
  // the 101, are dropped: RFC 6455 clients wait for the answer.
  registry_.Add(session);
  WireRequest request = std::move(upgrade.request);
  const bool accepted = co_await session->Accept(std::move(request));
  if (!accepted) {
    registry_.Remove(*session);
    co_return;
  }
  presence_.Connected(session->user_id(), PresenceMember(*session));
  if (draining_.load()) session->Close(CloseCode::kGoingAway);
  // The token was checked before the socket was registered: a logout broadcast in between missed it.
  std::vector<std::shared_ptr<Socket>> just_this = {session};
  asio::co_spawn(executor_, CheckSessions(std::move(just_this)), asio::detached);
  // The open socket is served by a coroutine of its own and this one ends, so that an idle socket keeps
  // nothing of its upgrade (this frame, the HTTP server's hand-over state): only the socket's read loop.
  auto closed = [this, session](std::exception_ptr failure) {
    registry_.Remove(*session);
    presence_.Disconnected(session->user_id(), PresenceMember(*session));
    if (failure) log::Error("websocket failed", {{"error", DescribeFailure(failure)}});
  };
  asio::co_spawn(strand, session->Serve(), std::move(closed));
}

std::string RealtimeService::PresenceMember(const WebSocketSession& session) const {
  return options_.instance_id + ":" + std::to_string(session.id());
}

asio::awaitable<void> RealtimeService::SessionEnded(std::string session_id, std::string request_id) {
  registry_.CloseSession(session_id, CloseCode::kSessionEnded);
  auto publish = [this, session_id] { return store_.PublishSessionEnded(session_id); };
  Status published = co_await pool_.Run(std::move(publish));
  if (!published.ok()) {
    log::RequestScope scope(request_id);
    log::Warn("cannot broadcast the end of a session; other instances close its sockets at their next check",
              {{"error", published.ToString()}});
  }
}

void RealtimeService::EndSession(const std::string& session_id) {
  registry_.CloseSession(session_id, CloseCode::kSessionEnded);
}

void RealtimeService::CheckAllSessionsSoon() {
  asio::co_spawn(executor_, CheckSessions(registry_.All()), asio::detached);
}

asio::awaitable<void> RealtimeService::CheckSessions(std::vector<std::shared_ptr<Socket>> sockets) {
  if (sockets.empty()) co_return;
  std::vector<SessionCheck> checks;
  checks.reserve(sockets.size());
  for (const auto& socket : sockets) checks.push_back(SessionCheck{socket->session_id(), socket->token_id()});
  auto check = [this, checks = std::move(checks)] { return store_.SessionsAlive(checks); };
  StatusOr<std::vector<bool>> alive = co_await pool_.Run(std::move(check));
  if (!alive.ok()) {
    // An outage must never look like a logout: the sockets stay, the next check decides.
    log::Warn("session check failed; sockets kept until the next check",
              {{"error", alive.status().ToString()}});
    co_return;
  }
  for (std::size_t i = 0; i < sockets.size() && i < alive->size(); ++i) {
    if (!(*alive)[i]) sockets[i]->Close(CloseCode::kSessionEnded);
  }
}

void RealtimeService::Start() { asio::co_spawn(executor_, SweepLoop(), asio::detached); }

asio::awaitable<void> RealtimeService::SweepLoop() {
  std::shared_ptr<asio::steady_timer> timer = sweep_timer_;
  while (!draining_.load()) {
    timer->expires_after(options_.socket.ping_interval);
    auto [ec] = co_await timer->async_wait(kTuple);
    if (ec || draining_.load()) break;
    co_await CheckSessions(registry_.All());
  }
}

void RealtimeService::Shutdown(std::chrono::milliseconds grace) {
  draining_ = true;
  asio::post(executor_, [timer = sweep_timer_] { timer->cancel(); });
  for (const auto& socket : registry_.All()) socket->Close(CloseCode::kGoingAway);
  const auto give_up = std::chrono::steady_clock::now() + grace;
  while (registry_.size() > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace messenger::gateway
