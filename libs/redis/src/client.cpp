#include "messenger/redis/client.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <set>

namespace messenger::redis {

struct Client::Connection {
  explicit Connection(redisContext* c) : ctx(c) {}
  ~Connection() {
    if (ctx != nullptr) redisFree(ctx);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  redisContext* ctx;
};

namespace {

// Increments and, when the counter has no TTL yet, sets it: KEYS[1] counter, ARGV[1] ttl in ms.
constexpr char kIncrWithExpireScript[] = R"lua(
local v = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) == -1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return v
)lua";

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string Upper(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Commands that only read, so that running them twice cannot change anything.
bool IsRetryable(const std::vector<std::string>& argv) {
  static const std::set<std::string> kReadOnly = {
      "GET",    "MGET",          "EXISTS",  "PTTL",    "TTL",  "STRLEN",   "TYPE",      "PING",  "ECHO",
      "HGET",   "HMGET",         "HGETALL", "HEXISTS", "HLEN", "SMEMBERS", "SISMEMBER", "SCARD", "ZSCORE",
      "ZRANGE", "ZRANGEBYSCORE", "ZCARD",   "LRANGE",  "LLEN", "GETRANGE", "SCAN",      "DBSIZE"};
  return !argv.empty() && kReadOnly.count(Upper(argv[0])) != 0;
}

Reply Convert(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
      return Reply::String(std::string(r->str, r->len));
    case REDIS_REPLY_STATUS:
      return Reply::Status(std::string(r->str, r->len));
    case REDIS_REPLY_ERROR:
      return Reply::Error(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) elements.push_back(Convert(r->element[i]));
      return Reply::Array(std::move(elements));
    }
    case REDIS_REPLY_NIL:
    default:
      return Reply::Nil();
  }
}

// The status for a context in error. `saved_errno` is errno right after the failing call.
Status ContextError(const redisContext* ctx, int saved_errno) {
  std::string what = ctx->errstr[0] != '\0' ? std::string(ctx->errstr) : "unknown error";
  if (ctx->err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {
    return DeadlineExceededError("redis did not answer in time");
  }
  if (ctx->err == REDIS_ERR_PROTOCOL || ctx->err == REDIS_ERR_OOM) return InternalError("redis: " + what);
  return UnavailableError("redis connection lost: " + what);
}

// True when the server closed the connection (or sent something unasked): not safe to send on it.
bool LooksClosed(int fd) {
  pollfd p{};
  p.fd = fd;
  p.events = POLLIN | POLLRDHUP;
  int n = ::poll(&p, 1, 0);
  if (n < 0) return true;
  if (n == 0) return false;
  if ((p.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL)) != 0) return true;
  // Readable while idle: either EOF or unexpected bytes; both make the connection unusable.
  return true;
}

Status UnexpectedReply(const std::string& command, const Reply& reply) {
  if (reply.is_error()) return InternalError("redis " + command + ": " + reply.str);
  return InternalError("redis " + command + ": unexpected reply " + reply.DebugString());
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

}  // namespace

std::string Reply::DebugString() const {
  auto quoted = [](const std::string& s) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size() && i < 64; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        out += static_cast<char>(c);
      } else {
        static const char kHex[] = "0123456789abcdef";
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
      }
    }
    if (s.size() > 64) out += "...";
    return out + "\"";
  };
  switch (type) {
    case Type::kNil:
      return "(nil)";
    case Type::kInteger:
      return "(integer) " + std::to_string(integer);
    case Type::kString:
      return quoted(str);
    case Type::kStatus:
      return "+" + str;
    case Type::kError:
      return "(error) " + str;
    case Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += elements[i].DebugString();
      }
      return out + "]";
    }
  }
  return "?";
}

ClientOptions ClientOptions::FromSettings(const RedisSettings& settings) {
  ClientOptions options;
  if (settings.pool_size > 0) options.pool_size = settings.pool_size;
  if (settings.timeout.count() > 0) {
    options.connect_timeout = settings.timeout;
    options.command_timeout = settings.timeout;
  }
  return options;
}

Client::Client(RedisSettings settings, ClientOptions options)
    : settings_(std::move(settings)), options_(std::move(options)) {}

Client::~Client() = default;

StatusOr<std::unique_ptr<Client>> Client::Create(const RedisSettings& settings) {
  return Create(settings, ClientOptions::FromSettings(settings));
}

StatusOr<std::unique_ptr<Client>> Client::Create(const RedisSettings& settings,
                                                 const ClientOptions& options) {
  if (options.pool_size <= 0) return InvalidArgumentError("redis pool_size must be positive");
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
  std::unique_ptr<Client> client(new Client(settings, options));
  MESSENGER_RETURN_IF_ERROR(client->Ping());
  return client;
}

StatusOr<std::unique_ptr<Client::Connection>> Client::Connect() const {
  const std::string where = settings_.host + ":" + std::to_string(settings_.port);
  redisContext* raw =
      redisConnectWithTimeout(settings_.host.c_str(), settings_.port, ToTimeval(options_.connect_timeout));
  if (raw == nullptr) return UnavailableError("cannot connect to redis at " + where + ": out of memory");
  auto conn = std::make_unique<Connection>(raw);
  if (raw->err != 0) return UnavailableError("cannot connect to redis at " + where + ": " + raw->errstr);
  if (redisSetTimeout(raw, ToTimeval(options_.command_timeout)) != REDIS_OK) {
    return UnavailableError("redis at " + where + ": cannot set timeout: " + raw->errstr);
  }
  redisEnableKeepAlive(raw);
  if (!options_.client_name.empty()) {
    auto* reply =
        static_cast<redisReply*>(redisCommand(raw, "CLIENT SETNAME %s", options_.client_name.c_str()));
    if (reply == nullptr) return ContextError(raw, errno);
    Reply converted = Convert(reply);
    freeReplyObject(reply);
    if (converted.is_error()) return InvalidArgumentError("redis CLIENT SETNAME: " + converted.str);
  }
  return conn;
}

StatusOr<std::unique_ptr<Client::Connection>> Client::Checkout() {
  std::unique_lock lock(mu_);
  while (true) {
    bool available = freed_.wait_for(lock, options_.checkout_timeout,
                                     [&] { return !idle_.empty() || open_ < options_.pool_size; });
    if (!available) {
      return UnavailableError("no free redis connection within " + Millis(options_.checkout_timeout) + "ms");
    }
    if (idle_.empty()) break;
    std::unique_ptr<Connection> conn = std::move(idle_.back());
    idle_.pop_back();
    if (!LooksClosed(conn->ctx->fd)) return conn;
    // Closed by the server while idle: drop it (outside the lock) and look again.
    --open_;
    lock.unlock();
    conn.reset();
    lock.lock();
  }
  ++open_;
  lock.unlock();
  StatusOr<std::unique_ptr<Connection>> conn = Connect();
  if (!conn.ok()) {
    lock.lock();
    --open_;
    freed_.notify_one();
  }
  return conn;
}

void Client::Return(std::unique_ptr<Connection> conn, bool healthy) {
  std::vector<std::unique_ptr<Connection>> dropped;
  {
    std::lock_guard lock(mu_);
    if (healthy) {
      idle_.push_back(std::move(conn));
    } else {
      // The server probably went away: the idle connections are likely broken as well.
      dropped.swap(idle_);
      open_ -= 1 + static_cast<int>(dropped.size());
    }
    freed_.notify_all();
  }
}

int Client::OpenConnectionsForTest() const {
  std::lock_guard lock(mu_);
  return open_;
}

StatusOr<std::vector<Reply>> Client::Execute(const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return std::vector<Reply>{};
  for (const auto& argv : commands) {
    if (argv.empty()) return InvalidArgumentError("redis: empty command");
  }
  const bool retryable = std::all_of(commands.begin(), commands.end(), IsRetryable);

  for (int attempt = 1;; ++attempt) {
    MESSENGER_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Checkout());
    redisContext* ctx = conn->ctx;
    std::vector<const char*> args;
    std::vector<size_t> lengths;
    bool appended = true;
    for (const auto& argv : commands) {
      args.clear();
      lengths.clear();
      for (const std::string& a : argv) {
        args.push_back(a.data());
        lengths.push_back(a.size());
      }
      if (redisAppendCommandArgv(ctx, static_cast<int>(argv.size()), args.data(), lengths.data()) !=
          REDIS_OK) {
        appended = false;
        break;
      }
    }
    std::vector<Reply> replies;
    Status failure;
    if (!appended) {
      failure = InternalError(std::string("redis: cannot build command: ") + ctx->errstr);
    } else {
      replies.reserve(commands.size());
      for (size_t i = 0; i < commands.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(ctx, &raw) != REDIS_OK || raw == nullptr) {
          failure = ContextError(ctx, errno);
          break;
        }
        replies.push_back(Convert(static_cast<redisReply*>(raw)));
        freeReplyObject(raw);
      }
    }
    if (failure.ok()) {
      Return(std::move(conn), true);
      return replies;
    }
    Return(std::move(conn), false);
    if (failure.code() == StatusCode::kUnavailable && retryable && attempt == 1) continue;
    return failure;
  }
}

StatusOr<Reply> Client::Command(const std::vector<std::string>& argv) {
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Reply> replies, Execute({argv}));
  return std::move(replies.front());
}

StatusOr<std::vector<Reply>> Client::Pipeline(const std::vector<std::vector<std::string>>& commands) {
  return Execute(commands);
}

StatusOr<std::optional<std::string>> Client::Get(const std::string& key) {
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command({"GET", key}));
  if (reply.is_nil()) return std::optional<std::string>();
  if (reply.type != Reply::Type::kString) return UnexpectedReply("GET", reply);
  return std::optional<std::string>(std::move(reply.str));
}

Status Client::Set(const std::string& key, const std::string& value,
                   std::optional<std::chrono::milliseconds> ttl) {
  std::vector<std::string> argv = {"SET", key, value};
  if (ttl) {
    if (ttl->count() <= 0) return InvalidArgumentError("redis SET: ttl must be positive");
    argv.insert(argv.end(), {"PX", Millis(*ttl)});
  }
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command(argv));
  if (reply.type != Reply::Type::kStatus) return UnexpectedReply("SET", reply);
  return OkStatus();
}

StatusOr<bool> Client::SetNx(const std::string& key, const std::string& value,
                             std::optional<std::chrono::milliseconds> ttl) {
  std::vector<std::string> argv = {"SET", key, value, "NX"};
  if (ttl) {
    if (ttl->count() <= 0) return InvalidArgumentError("redis SET NX: ttl must be positive");
    argv.insert(argv.end(), {"PX", Millis(*ttl)});
  }
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command(argv));
  if (reply.is_nil()) return false;
  if (reply.type != Reply::Type::kStatus) return UnexpectedReply("SET NX", reply);
  return true;
}

StatusOr<std::int64_t> Client::Del(const std::vector<std::string>& keys) {
  if (keys.empty()) return std::int64_t{0};
  std::vector<std::string> argv = {"DEL"};
  argv.insert(argv.end(), keys.begin(), keys.end());
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command(argv));
  if (reply.type != Reply::Type::kInteger) return UnexpectedReply("DEL", reply);
  return reply.integer;
}

StatusOr<bool> Client::Exists(const std::string& key) {
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command({"EXISTS", key}));
  if (reply.type != Reply::Type::kInteger) return UnexpectedReply("EXISTS", reply);
  return reply.integer > 0;
}

StatusOr<std::int64_t> Client::Incr(const std::string& key) {
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command({"INCR", key}));
  if (reply.type != Reply::Type::kInteger) return UnexpectedReply("INCR", reply);
  return reply.integer;
}

StatusOr<std::int64_t> Client::IncrWithExpire(const std::string& key, std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) return InvalidArgumentError("redis IncrWithExpire: ttl must be positive");
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Eval(kIncrWithExpireScript, {key}, {Millis(ttl)}));
  if (reply.type != Reply::Type::kInteger) return UnexpectedReply("IncrWithExpire", reply);
  return reply.integer;
}

Status Client::Expire(const std::string& key, std::chrono::milliseconds ttl) {
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command({"PEXPIRE", key, Millis(ttl)}));
  if (reply.type != Reply::Type::kInteger) return UnexpectedReply("PEXPIRE", reply);
  if (reply.integer == 0) return NotFoundError("redis PEXPIRE: no such key");
  return OkStatus();
}

StatusOr<std::int64_t> Client::PttlMillis(const std::string& key) {
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command({"PTTL", key}));
  if (reply.type != Reply::Type::kInteger) return UnexpectedReply("PTTL", reply);
  return reply.integer;
}

StatusOr<Reply> Client::Eval(const std::string& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"EVAL", script, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command(argv));
  if (reply.is_error()) return UnexpectedReply("EVAL", reply);
  return reply;
}

Status Client::Ping() {
  MESSENGER_ASSIGN_OR_RETURN(Reply reply, Command({"PING"}));
  if (reply.type != Reply::Type::kStatus) return UnexpectedReply("PING", reply);
  return OkStatus();
}

}  // namespace messenger::redis
