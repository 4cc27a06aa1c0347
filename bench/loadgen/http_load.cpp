#include "loadgen/http_load.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>
#include <thread>

#include "loadgen/rate_schedule.hpp"

namespace messenger::bench {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct Shared {
  const LoadOptions& options;
  const RequestFactory& factory;
  const StatusCheck& check;
  std::optional<RateSchedule> schedule;  // open loop only
  std::optional<SlotDispenser> dispenser;
  Clock::time_point start;
  Clock::time_point stop;  // closed loop: no request starts after this
  std::atomic<uint64_t> closed_loop_slot{0};
};

void Account(RunStats& stats, const HttpReply& reply, const Shared& shared, Clock::duration latency) {
  const bool success = reply.transport_ok() && (shared.check ? shared.check(reply.status)
                                                             : (reply.status >= 200 && reply.status < 300));
  if (success) {
    ++stats.ok;
    stats.latency.Record(latency);
  } else {
    stats.AddError(reply.Kind());
  }
}

asio::awaitable<void> OpenLoopSender(Shared& shared, HttpConnection& connection, RunStats& stats) {
  const LoadOptions& options = shared.options;
  // Connect before the first slot so that connection setup is not charged to the first requests.
  co_await connection.Connect(options.timeout);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const Clock::time_point give_up = shared.schedule->end() + options.overrun;
  while (auto slot = shared.dispenser->Next()) {
    const Clock::time_point intended = shared.schedule->IntendedStart(*slot);
    if (Clock::now() > give_up) {
      ++stats.not_started;
      continue;
    }
    if (Clock::now() < intended) {
      timer.expires_at(intended);
      co_await timer.async_wait(kTuple);
    }
    const Clock::time_point started = Clock::now();
    if (StartedLate(intended, started, options.late_tolerance)) ++stats.late_starts;
    HttpReply reply = co_await connection.Send(shared.factory(*slot), options.timeout);
    if (options.on_reply) options.on_reply(*slot, reply);
    Account(stats, reply, shared, Clock::now() - intended);
  }
}

asio::awaitable<void> ClosedLoopSender(Shared& shared, HttpConnection& connection, RunStats& stats) {
  co_await connection.Connect(shared.options.timeout);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  if (Clock::now() < shared.start) {
    timer.expires_at(shared.start);
    co_await timer.async_wait(kTuple);
  }
  while (Clock::now() < shared.stop) {
    const uint64_t slot = shared.closed_loop_slot.fetch_add(1, std::memory_order_relaxed);
    const Clock::time_point started = Clock::now();
    HttpReply reply = co_await connection.Send(shared.factory(slot), shared.options.timeout);
    if (shared.options.on_reply) shared.options.on_reply(slot, reply);
    Account(stats, reply, shared, Clock::now() - started);
  }
}

}  // namespace

LoadResult RunHttpLoad(const LoadOptions& options, const RequestFactory& factory, StatusCheck check) {
  asio::io_context ioc(options.threads);
  Shared shared{options, factory, check, std::nullopt, std::nullopt, {}, {}, {}};
  // A short head start lets the connections open before the first request is due.
  const auto head_start = std::chrono::milliseconds(200 + options.connections / 4);
  shared.start = options.start_at.value_or(Clock::now() + head_start);
  shared.stop = shared.start + options.duration;
  if (options.rate > 0) {
    shared.schedule.emplace(shared.start, options.rate, options.duration);
    shared.dispenser.emplace(*shared.schedule);
  }

  const int n = std::max(1, options.connections);
  std::vector<std::unique_ptr<HttpConnection>> connections;
  std::vector<RunStats> stats(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    std::string source;
    if (!options.source_addresses.empty()) {
      source = options.source_addresses[static_cast<std::size_t>(i) % options.source_addresses.size()];
    }
    auto strand = asio::make_strand(ioc);
    connections.push_back(std::make_unique<HttpConnection>(strand, options.endpoint, source));
    RunStats& mine = stats[static_cast<std::size_t>(i)];
    if (options.rate > 0) {
      asio::co_spawn(strand, OpenLoopSender(shared, *connections.back(), mine), asio::detached);
    } else {
      asio::co_spawn(strand, ClosedLoopSender(shared, *connections.back(), mine), asio::detached);
    }
  }
  std::vector<std::thread> threads;
  for (int t = 1; t < std::max(1, options.threads); ++t) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (std::thread& t : threads) t.join();
  const Clock::time_point finished = Clock::now();

  LoadResult result;
  for (const RunStats& s : stats) result.stats.Merge(s);
  // From the first intended start to the last answer: an overloaded server stretches it, lowering the rate.
  result.elapsed_s = std::max(1e-9, std::chrono::duration<double>(finished - shared.start).count());
  result.offered_rate = options.rate;
  return result;
}

}  // namespace messenger::bench
