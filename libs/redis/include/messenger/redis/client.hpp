// A synchronous Redis client over hiredis with a small connection pool. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "messenger/common/config.hpp"
#include "messenger/common/status.hpp"
#include "messenger/redis/reply.hpp"

namespace messenger::redis {

struct ClientOptions {
  int pool_size = 8;
  std::chrono::milliseconds connect_timeout{500};
  // Read/write timeout of one command or pipeline; exceeding it gives DEADLINE_EXCEEDED.
  std::chrono::milliseconds command_timeout{500};
  // How long a caller waits for a free connection before getting UNAVAILABLE.
  std::chrono::milliseconds checkout_timeout{1000};
  // CLIENT SETNAME on every connection (shows up in CLIENT LIST); empty for none. [a-zA-Z0-9_.:-] only.
  std::string client_name;

  // pool_size and timeout (connect and command) from settings, the rest defaults.
  static ClientOptions FromSettings(const RedisSettings& settings);
};

// Errors:
//   UNAVAILABLE        cannot connect, connection lost, no free connection within checkout_timeout
//   DEADLINE_EXCEEDED  the server did not answer within command_timeout
//   INTERNAL           a Redis error reply (WRONGTYPE, script error...) in the convenience methods, or a
//                      reply of an unexpected type. Command/Pipeline return error replies as Reply::kError.
//
// Connections: opened lazily up to pool_size. A connection that failed (I/O error, timeout) is closed, and
// so are the idle ones (the server probably restarted); fresh ones are opened on next use. Before a command
// is sent on an idle connection, the socket is checked (without blocking) for having been closed by the
// server (restart, CLIENT KILL, idle timeout); such a connection is replaced first, so no command is lost to
// it. Only when a connection breaks after the command was sent is the outcome unknown: then read-only
// commands (GET, EXISTS, PTTL, PING, ... see IsRetryable in client.cpp) are retried once on a fresh
// connection, and everything else is reported as UNAVAILABLE without retry.
//
// Writing to a socket the server has closed raises SIGPIPE; Create() sets SIGPIPE to ignored if it still
// has its default (process-killing) disposition.
class Client {
 public:
  // Opens one connection at once (and PINGs), so a wrong address fails here with UNAVAILABLE.
  static StatusOr<std::unique_ptr<Client>> Create(const RedisSettings& settings);
  static StatusOr<std::unique_ptr<Client>> Create(const RedisSettings& settings,
                                                  const ClientOptions& options);

  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // One command; argv[0] is the command name. Binary safe. An error reply is returned as a Reply, not a
  // Status.
  StatusOr<Reply> Command(const std::vector<std::string>& argv);
  // Several commands in one round trip on one connection (not atomic: wrap in MULTI/EXEC for that). One
  // reply per command, in order. Retried (see above) only when every command is read-only.
  StatusOr<std::vector<Reply>> Pipeline(const std::vector<std::vector<std::string>>& commands);

  // nullopt when the key does not exist.
  StatusOr<std::optional<std::string>> Get(const std::string& key);
  // SET, with PX ttl when given.
  Status Set(const std::string& key, const std::string& value,
             std::optional<std::chrono::milliseconds> ttl = std::nullopt);
  // SET NX [PX ttl]: true when the key was set, false when it already existed.
  StatusOr<bool> SetNx(const std::string& key, const std::string& value,
                       std::optional<std::chrono::milliseconds> ttl = std::nullopt);
  // Number of keys removed.
  StatusOr<std::int64_t> Del(const std::vector<std::string>& keys);
  StatusOr<bool> Exists(const std::string& key);
  // The value after increment; a missing key counts as 0.
  StatusOr<std::int64_t> Incr(const std::string& key);
  // INCR, and PEXPIRE ttl when the counter had no TTL (it is new), atomically (one Lua script). For fixed
  // window rate limits: the window starts at the first increment.
  StatusOr<std::int64_t> IncrWithExpire(const std::string& key, std::chrono::milliseconds ttl);
  // PEXPIRE; NOT_FOUND when the key does not exist.
  Status Expire(const std::string& key, std::chrono::milliseconds ttl);
  // Remaining TTL in ms; -1 when the key has no TTL, -2 when it does not exist (as Redis answers).
  StatusOr<std::int64_t> PttlMillis(const std::string& key);
  // EVAL; an error reply (script error) is INTERNAL.
  StatusOr<Reply> Eval(const std::string& script, const std::vector<std::string>& keys,
                       const std::vector<std::string>& args);
  Status Ping();

  int OpenConnectionsForTest() const;

 private:
  struct Connection;
  explicit Client(RedisSettings settings, ClientOptions options);
  StatusOr<std::unique_ptr<Connection>> Connect() const;
  StatusOr<std::unique_ptr<Connection>> Checkout();
  void Return(std::unique_ptr<Connection> conn, bool healthy);
  StatusOr<std::vector<Reply>> Execute(const std::vector<std::vector<std::string>>& commands);

  const RedisSettings settings_;
  const ClientOptions options_;

  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

}  // namespace messenger::redis
