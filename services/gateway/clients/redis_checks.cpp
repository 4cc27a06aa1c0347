#include "clients/redis_checks.hpp"

#include "messenger/token/revocation.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;

LazyRedisClient::LazyRedisClient(RedisSettings settings, std::chrono::milliseconds retry_interval)
    : settings_(std::move(settings)), retry_interval_(retry_interval) {}

StatusOr<redis::Client*> LazyRedisClient::Get() {
  std::lock_guard lock(mu_);
  if (client_) return client_.get();
  auto now = std::chrono::steady_clock::now();
  if (now < next_attempt_) return last_error_;
  redis::ClientOptions options = redis::ClientOptions::FromSettings(settings_);
  options.client_name = "gateway";
  StatusOr<std::unique_ptr<redis::Client>> created = redis::Client::Create(settings_, options);
  if (!created.ok()) {
    next_attempt_ = now + retry_interval_;
    last_error_ = UnavailableError("redis: " + created.status().message());
    return last_error_;
  }
  client_ = std::move(created).value();
  return client_.get();
}

asio::awaitable<Status> AsyncRedisSessionLiveness::CheckAlive(std::string session_id, std::string jti) {
  // Named locals: GCC 12 destroys aggregate temporaries twice inside a co_await expression.
  std::vector<std::vector<std::string>> commands;
  commands.push_back({"EXISTS", token::SessionKey(session_id)});
  commands.push_back({"EXISTS", token::RevokedJtiKey(jti)});
  StatusOr<AsyncRedisClient::Replies> replies = co_await redis_.Pipeline(std::move(commands));
  if (!replies.ok()) co_return replies.status();
  if (replies->size() != 2 || (*replies)[0].type != RespValue::Type::kInteger ||
      (*replies)[1].type != RespValue::Type::kInteger) {
    co_return UnavailableError("redis: unexpected reply to the revocation check");
  }
  if ((*replies)[0].integer != 1) co_return UnauthenticatedError("the session has ended");
  if ((*replies)[1].integer != 0) co_return UnauthenticatedError("the access token was revoked");
  co_return OkStatus();
}

asio::awaitable<Status> AsyncRedisPingProbe::Check(std::string /*request_id*/) {
  std::vector<std::string> ping = {"PING"};
  StatusOr<RespValue> reply = co_await redis_.Command(std::move(ping));
  if (!reply.ok()) co_return reply.status();
  if (reply->type != RespValue::Type::kSimple || reply->text != "PONG") {
    co_return UnavailableError("redis: PING answered " + (reply->text.empty() ? "nothing" : reply->text));
  }
  co_return OkStatus();
}

}  // namespace messenger::gateway
