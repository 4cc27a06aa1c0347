// A Redis client driven by the gateway's io_context: no threads of its own and no blocking call, so a command
// costs no hand-off to a pool thread and back (what the blocking libs/redis client on a BlockingPool costs).
//
// A few TCP connections (AsyncRedisOptions::connections), chosen round robin per call. Commands from any
// coroutine are queued on the connection's strand and pipelined: written at once (a non-blocking send) when
// the socket is idle, else batched with whatever else queues while a write or the connect is out; replies
// are matched to calls first in, first out. The RESP parsing is events/resp_reader's (a bulk string or array
// over 1 MiB breaks the connection). A caller whose executor this thread may run resumes inline when its
// reply is read, without a post.
//
// Failures, all reported to the caller as a Status (never thrown, never logged here):
//   UNAVAILABLE        cannot resolve or connect within connect_timeout, AUTH or CLIENT SETNAME refused, the
//                      connection broke while the call was out, the client was stopped, or a recent connect
//                      attempt failed (for `reconnect_backoff` after a failed attempt, calls on that
//                      connection fail at once instead of each trying to connect)
//   DEADLINE_EXCEEDED  no reply within command_timeout of the call. The connection is then closed and every
//                      other call still waiting on it fails with UNAVAILABLE: a late reply could otherwise be
//                      matched to the wrong call. The next call opens a fresh connection.
// A broken connection (server restart, CLIENT KILL, idle timeout) is noticed at once (a read is always out)
// and replaced on next use. Error replies (-ERR, -WRONGTYPE ...) are not failures: they come back as
// RespValue::Type::kError in the reply vector.
//
// Thread-safe: Pipeline/Command may be called from any coroutine on any executor; the result comes back on
// the caller's executor. Destroying the client (or Stop) fails the calls still out with UNAVAILABLE once
// the io_context runs their handlers; with the io_context already stopped they are destroyed with it.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "events/resp_reader.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/status.hpp"

namespace messenger::gateway {

struct AsyncRedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  int connections = 2;
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{500};
  // After a failed connect (or refused AUTH), calls on that connection fail at once for this long.
  std::chrono::milliseconds reconnect_backoff{250};
  // AUTH [username] password on every new connection when the password is not empty.
  std::string username;
  std::string password;
  // CLIENT SETNAME on every new connection (shows up in CLIENT LIST); empty for none.
  std::string client_name;

  // Host, port and timeout (connect and command) from the settings, the rest defaults.
  static AsyncRedisOptions FromSettings(const RedisSettings& settings);
};

class AsyncRedisClient {
 public:
  using Replies = std::vector<RespValue>;

  // The connections' sockets and timers run on `executor` (the gateway's io_context); nothing connects
  // before the first call.
  AsyncRedisClient(boost::asio::any_io_executor executor, AsyncRedisOptions options);
  ~AsyncRedisClient();
  AsyncRedisClient(const AsyncRedisClient&) = delete;
  AsyncRedisClient& operator=(const AsyncRedisClient&) = delete;

  // The commands (argv[0] is the command name; binary safe) written together on one connection, one reply
  // per command, in order. Not atomic (use MULTI/EXEC for that).
  boost::asio::awaitable<StatusOr<Replies>> Pipeline(std::vector<std::vector<std::string>> commands);
  // One command.
  boost::asio::awaitable<StatusOr<RespValue>> Command(std::vector<std::string> argv);

  // Closes the connections and fails every call still out with UNAVAILABLE; later calls fail at once.
  // Asynchronous (runs on the connections' strands). Idempotent.
  void Stop();

 private:
  struct Connection;
  struct Link;

  std::shared_ptr<Connection> Pick();

  std::vector<std::shared_ptr<Connection>> connections_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace messenger::gateway
