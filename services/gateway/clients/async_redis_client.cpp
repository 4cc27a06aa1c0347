#include "clients/async_redis_client.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <optional>
#include <utility>

namespace messenger::gateway {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

using Result = StatusOr<AsyncRedisClient::Replies>;
using Completion = asio::any_completion_handler<void(Result)>;

// One Pipeline call waiting for its replies. Moved only by construction, never assigned (see Pipeline).
struct Call {
  std::size_t expected = 0;
  AsyncRedisClient::Replies replies;
  SteadyClock::time_point deadline;
  Completion done;  // empty for a connection's own setup commands (AUTH, CLIENT SETNAME)
  // The caller's executor, tracking work: the caller's io_context does not run out of work while it waits.
  asio::any_io_executor executor;
};

// Hands `result` to the caller on its executor. With `may_run_inline` (never inside the caller's own
// initiation) the caller resumes right here when this thread may run its executor: no queueing and no
// wake-up of another thread, which is the point of this client.
void Finish(Call call, Result result, bool may_run_inline) {
  asio::any_io_executor executor = std::move(call.executor);
  auto resume = [done = std::move(call.done), result = std::move(result)]() mutable {
    std::move(done)(std::move(result));
  };
  if (may_run_inline) {
    asio::dispatch(executor, std::move(resume));
  } else {
    asio::post(executor, std::move(resume));
  }
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

AsyncRedisOptions AsyncRedisOptions::FromSettings(const RedisSettings& settings) {
  AsyncRedisOptions options;
  options.host = settings.host;
  options.port = settings.port;
  if (settings.timeout.count() > 0) {
    options.connect_timeout = settings.timeout;
    options.command_timeout = settings.timeout;
  }
  return options;
}

// One TCP connection. Replaced (never reused) once broken; everything here is touched on the owning
// Connection's strand only.
struct AsyncRedisClient::Link {
  explicit Link(const asio::strand<asio::any_io_executor>& strand)
      : socket(strand), connect_timer(strand), deadline_timer(strand) {}

  tcp::socket socket;
  asio::steady_timer connect_timer;
  asio::steady_timer deadline_timer;  // armed for calls.front().deadline while calls wait
  bool connected = false;             // TCP established; the setup commands may still be out
  bool connect_timed_out = false;
  bool closed = false;
  bool writing = false;
  bool deadline_armed = false;
  std::string out;         // bytes queued behind the write in progress (or the connect)
  std::string in_write;    // the bytes of the write in progress
  std::deque<Call> calls;  // in the order their bytes were queued: the next reply belongs to calls.front()
  RespReader reader;
};

// One of the client's connection slots: a strand and the current Link (none before the first call and after
// a failure).
struct AsyncRedisClient::Connection : std::enable_shared_from_this<Connection> {
  Connection(const asio::any_io_executor& executor, std::shared_ptr<const AsyncRedisOptions> o)
      : strand(asio::make_strand(executor)), options(std::move(o)) {}

  void Submit(Call call, std::string bytes);
  void Flush(const std::shared_ptr<Link>& link);
  void ArmDeadline(const std::shared_ptr<Link>& link);
  // Closes the link and fails its calls with `status` (DEADLINE_EXCEEDED instead for the calls past their
  // deadline when `timed_out`). `backoff`: the link never worked; calls fail at once for a while. `link` by
  // value: it may be this->link, which is reset here.
  void Break(std::shared_ptr<Link> link, Status status, bool backoff, bool timed_out = false);
  void Shutdown();
  std::string Address() const { return options->host + ":" + std::to_string(options->port); }

  static asio::awaitable<void> Connect(std::shared_ptr<Connection> self, std::shared_ptr<Link> link);
  static asio::awaitable<void> Read(std::shared_ptr<Connection> self, std::shared_ptr<Link> link);

  asio::strand<asio::any_io_executor> strand;
  const std::shared_ptr<const AsyncRedisOptions> options;
  // On the strand only.
  std::shared_ptr<Link> link;
  bool stopped = false;
  SteadyClock::time_point retry_at{};
  Status last_error;
  // retry_at for Pick (any thread): prefer a connection that is not backing off.
  std::atomic<SteadyClock::rep> backoff_until{0};
};

void AsyncRedisClient::Connection::Submit(Call call, std::string bytes) {
  if (stopped) {
    Finish(std::move(call), UnavailableError("redis: the client is stopped"), false);
    return;
  }
  bool open = false;
  if (!link) {
    if (SteadyClock::now() < retry_at) {
      Finish(std::move(call), last_error, false);
      return;
    }
    link = std::make_shared<Link>(strand);
    open = true;
  }
  link->calls.push_back(std::move(call));
  link->out += bytes;
  ArmDeadline(link);
  if (open) {
    asio::co_spawn(strand, Connect(shared_from_this(), link), asio::detached);
  } else {
    Flush(link);
  }
}

void AsyncRedisClient::Connection::Flush(const std::shared_ptr<Link>& link) {
  if (!link->connected || link->closed || link->writing || link->out.empty()) return;
  // A batch of commands nearly always fits in the socket's send buffer: write it now (the socket does not
  // block), which spares an asynchronous write and its completion handler. The rest, if any, goes async.
  boost::system::error_code ec;
  std::size_t written = link->socket.write_some(asio::buffer(link->out), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec.clear();
    written = 0;
  }
  if (ec) {
    // Not here: Flush may run inside a caller's initiation, where its completion must not run.
    asio::post(strand, [self = shared_from_this(), link, why = ec.message()] {
      self->Break(link, UnavailableError("redis: write failed: " + why), false);
    });
    return;
  }
  if (written == link->out.size()) {
    link->out.clear();
    return;
  }
  link->out.erase(0, written);
  link->writing = true;
  link->in_write.swap(link->out);  // both keep their capacity
  link->out.clear();
  asio::async_write(link->socket, asio::buffer(link->in_write),
                    [self = shared_from_this(), link](boost::system::error_code write_ec, std::size_t) {
                      link->writing = false;
                      link->in_write.clear();
                      if (link->closed) return;
                      if (write_ec) {
                        self->Break(link, UnavailableError("redis: write failed: " + write_ec.message()),
                                    false);
                        return;
                      }
                      self->Flush(link);
                    });
}

void AsyncRedisClient::Connection::ArmDeadline(const std::shared_ptr<Link>& link) {
  if (link->deadline_armed || link->closed || link->calls.empty()) return;
  link->deadline_armed = true;
  // Calls are queued in deadline order, so the front's deadline is the earliest. The timer is not moved when
  // the front is answered: it fires at the old front's deadline and is re-armed for the new front then.
  link->deadline_timer.expires_at(link->calls.front().deadline);
  link->deadline_timer.async_wait([self = shared_from_this(), link](boost::system::error_code) {
    link->deadline_armed = false;
    if (link->closed || link->calls.empty()) return;
    if (link->calls.front().deadline > SteadyClock::now()) {
      self->ArmDeadline(link);
      return;
    }
    if (!link->connected) {
      self->Break(link,
                  UnavailableError("redis: cannot connect to " + self->Address() + ": no answer within " +
                                   Millis(self->options->command_timeout)),
                  true);
      return;
    }
    // A reply may still come; the only way to never match it to a later call is a fresh connection.
    self->Break(link, UnavailableError("redis: connection dropped after a command timed out"), false, true);
  });
}

void AsyncRedisClient::Connection::Break(std::shared_ptr<Link> link, Status status, bool backoff,
                                         bool timed_out) {
  if (link->closed) return;
  link->closed = true;
  boost::system::error_code ignored;
  link->socket.close(ignored);
  link->connect_timer.cancel();
  link->deadline_timer.cancel();
  if (link == this->link) this->link.reset();
  const SteadyClock::time_point now = SteadyClock::now();
  if (backoff) {
    retry_at = now + options->reconnect_backoff;
    last_error = status;
    backoff_until.store(retry_at.time_since_epoch().count(), std::memory_order_relaxed);
  }
  // Taken out first: a caller resumed below may already submit its next call (to a new link).
  std::deque<Call> calls = std::move(link->calls);
  link->calls.clear();
  for (Call& call : calls) {
    if (!call.done) continue;
    Status result = status;
    if (timed_out && call.deadline <= now) {
      result = DeadlineExceededError("redis: no reply within " + Millis(options->command_timeout));
    }
    Finish(std::move(call), std::move(result), true);
  }
}

void AsyncRedisClient::Connection::Shutdown() {
  stopped = true;
  if (link) Break(link, UnavailableError("redis: the client is stopped"), false);
}

asio::awaitable<void> AsyncRedisClient::Connection::Connect(std::shared_ptr<Connection> self,
                                                            std::shared_ptr<Link> link) {
  const AsyncRedisOptions& options = *self->options;
  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code parse_ec;
  const asio::ip::address address = asio::ip::make_address(options.host, parse_ec);
  if (!parse_ec) {
    endpoints.emplace_back(address, static_cast<unsigned short>(options.port));
  } else {
    tcp::resolver resolver(self->strand);
    auto [resolve_ec, results] =
        co_await resolver.async_resolve(options.host, std::to_string(options.port), kTuple);
    if (link->closed) co_return;
    if (resolve_ec) {
      self->Break(link,
                  UnavailableError("redis: cannot resolve " + options.host + ": " + resolve_ec.message()),
                  true);
      co_return;
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }

  link->connect_timer.expires_after(options.connect_timeout);
  link->connect_timer.async_wait([link](boost::system::error_code ec) {
    if (ec || link->connected || link->closed) return;
    link->connect_timed_out = true;
    boost::system::error_code ignored;
    link->socket.close(ignored);  // the connect fails
  });
  auto [connect_ec, endpoint] = co_await asio::async_connect(link->socket, endpoints, kTuple);
  link->connect_timer.cancel();
  if (link->closed) co_return;
  if (connect_ec) {
    const std::string why = link->connect_timed_out ? "no answer within " + Millis(options.connect_timeout)
                                                    : connect_ec.message();
    self->Break(link, UnavailableError("redis: cannot connect to " + self->Address() + ": " + why), true);
    co_return;
  }
  boost::system::error_code ignored;
  link->socket.set_option(tcp::no_delay(true), ignored);
  link->socket.non_blocking(true, ignored);  // for Flush's direct write
  link->connected = true;

  // The setup commands go first, in the same write as the calls that queued during the connect. Should AUTH
  // be refused, its error reply arrives before theirs and fails them all (see Read).
  std::string setup;
  Call setup_call;
  if (!options.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!options.username.empty()) auth.push_back(options.username);
    auth.push_back(options.password);
    setup += EncodeCommand(auth);
    ++setup_call.expected;
  }
  if (!options.client_name.empty()) {
    setup += EncodeCommand({"CLIENT", "SETNAME", options.client_name});
    ++setup_call.expected;
  }
  if (setup_call.expected > 0) {
    setup_call.deadline =
        link->calls.empty() ? SteadyClock::now() + options.command_timeout : link->calls.front().deadline;
    link->calls.push_front(std::move(setup_call));
    link->out.insert(0, setup);
    self->ArmDeadline(link);
  }
  asio::co_spawn(self->strand, Read(self, link), asio::detached);
  self->Flush(link);
}

asio::awaitable<void> AsyncRedisClient::Connection::Read(std::shared_ptr<Connection> self,
                                                         std::shared_ptr<Link> link) {
  std::array<char, 16 * 1024> chunk;
  std::vector<Call> answered;
  while (!link->closed) {
    auto [read_ec, n] = co_await link->socket.async_read_some(asio::buffer(chunk), kTuple);
    if (link->closed) co_return;
    if (read_ec) {
      self->Break(
          link,
          UnavailableError(read_ec == asio::error::eof ? "redis: the server closed the connection"
                                                       : "redis: connection lost: " + read_ec.message()),
          false);
      co_return;
    }
    link->reader.Feed(std::string_view(chunk.data(), n));
    Status broken;
    bool backoff = false;
    while (broken.ok()) {
      StatusOr<std::optional<RespValue>> value = link->reader.Next();
      if (!value.ok()) {
        broken = UnavailableError("redis: unreadable reply: " + value.status().message());
        break;
      }
      if (!value->has_value()) break;
      if (link->calls.empty()) {
        broken = UnavailableError("redis: a reply no command asked for");
        break;
      }
      Call& front = link->calls.front();
      front.replies.push_back(std::move(**value));
      if (front.replies.size() < front.expected) continue;
      Call call = std::move(front);
      link->calls.pop_front();
      if (call.done) {
        answered.push_back(std::move(call));
        continue;
      }
      for (const RespValue& reply : call.replies) {  // the setup commands
        if (reply.type == RespValue::Type::kError) {
          broken = UnavailableError("redis: connection setup refused: " + reply.text);
          backoff = true;
        }
      }
    }
    if (!broken.ok()) self->Break(link, std::move(broken), backoff);
    // Delivered after the state is settled: a caller resumed inline may submit its next call right away.
    std::vector<Call> ready = std::move(answered);
    answered.clear();
    for (Call& call : ready) {
      Replies replies = std::move(call.replies);
      Finish(std::move(call), std::move(replies), true);
    }
  }
}

AsyncRedisClient::AsyncRedisClient(asio::any_io_executor executor, AsyncRedisOptions options) {
  auto shared = std::make_shared<const AsyncRedisOptions>(std::move(options));
  const int count = std::max(1, shared->connections);
  for (int i = 0; i < count; ++i) connections_.push_back(std::make_shared<Connection>(executor, shared));
}

AsyncRedisClient::~AsyncRedisClient() { Stop(); }

void AsyncRedisClient::Stop() {
  for (const std::shared_ptr<Connection>& connection : connections_) {
    asio::post(connection->strand, [connection] { connection->Shutdown(); });
  }
}

std::shared_ptr<AsyncRedisClient::Connection> AsyncRedisClient::Pick() {
  const std::size_t count = connections_.size();
  const std::size_t first = next_.fetch_add(1, std::memory_order_relaxed);
  const SteadyClock::rep now = SteadyClock::now().time_since_epoch().count();
  for (std::size_t i = 0; i < count; ++i) {
    const std::shared_ptr<Connection>& connection = connections_[(first + i) % count];
    if (connection->backoff_until.load(std::memory_order_relaxed) <= now) return connection;
  }
  return connections_[first % count];
}

asio::awaitable<StatusOr<AsyncRedisClient::Replies>> AsyncRedisClient::Pipeline(
    std::vector<std::vector<std::string>> commands) {
  if (commands.empty()) co_return Replies{};
  std::string bytes;
  for (const std::vector<std::string>& argv : commands) bytes += EncodeCommand(argv);
  std::shared_ptr<Connection> connection = Pick();
  const std::size_t expected = commands.size();
  // A named lambda: GCC 12 destroys a lambda temporary twice inside a co_await expression.
  auto initiation = [&connection, &bytes, expected](auto handler) {
    asio::any_io_executor executor =
        asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
    // Built in place: Boost 1.81's any_completion_handler move assignment wraps the handler in itself.
    Call call{.expected = expected,
              .replies = {},
              .deadline = SteadyClock::now() + connection->options->command_timeout,
              .done = Completion(std::move(handler)),
              .executor = std::move(executor)};
    // Runs Submit right here when this thread may enter the connection's strand. The connection moves
    // along: a suspended caller must not own it, or connection -> call -> caller -> connection would be a
    // cycle that nothing breaks when the io_context is destroyed with calls still out.
    asio::strand<asio::any_io_executor> strand = connection->strand;
    asio::dispatch(strand, [connection = std::move(connection), call = std::move(call),
                            bytes = std::move(bytes)]() mutable {
      connection->Submit(std::move(call), std::move(bytes));
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Result)>(initiation,
                                                                                        asio::use_awaitable);
}

asio::awaitable<StatusOr<RespValue>> AsyncRedisClient::Command(std::vector<std::string> argv) {
  std::vector<std::vector<std::string>> commands;
  commands.push_back(std::move(argv));
  StatusOr<Replies> replies = co_await Pipeline(std::move(commands));
  if (!replies.ok()) co_return replies.status();
  co_return std::move(replies->front());
}

}  // namespace messenger::gateway
