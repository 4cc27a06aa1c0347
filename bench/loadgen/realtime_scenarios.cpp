// S2 delivery and S6 idle sockets: the WebSocket side of the API.
#include <atomic>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <functional>
#include <iostream>
#include <thread>
#include <unordered_map>

#include "loadgen/api.hpp"
#include "loadgen/delivery_ledger.hpp"
#include "loadgen/http_load.hpp"
#include "loadgen/population.hpp"
#include "loadgen/proc_stats.hpp"
#include "loadgen/run_stats.hpp"
#include "loadgen/scenario_support.hpp"
#include "loadgen/scenarios.hpp"
#include "loadgen/ws_pool.hpp"

namespace messenger::bench {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

json::object CountsJson(const std::map<std::string, uint64_t>& counts) {
  json::object out;
  for (const auto& [k, v] : counts) out[k] = v;
  return out;
}

// Connects one client to see whether the gateway serves GET /v1/ws at all.
Status ProbeWebSocket(const Endpoint& gateway, const std::string& token) {
  WsPool probe(gateway, 1);
  probe.ConnectAll(1, {token}, {}, 1, [](std::size_t, std::string_view) {});
  if (probe.connected() == 1) return OkStatus();
  const auto failures = probe.connect_failures();
  std::string what = failures.empty() ? "unknown" : failures.begin()->first;
  if (what == "http_404" || what == "http_405") {
    return Status(StatusCode::kUnimplemented, "GET /v1/ws answers " + what.substr(5) + ": not served yet");
  }
  return UnavailableError("GET /v1/ws upgrade failed: " + what);
}

}  // namespace

json::object RunDelivery(const ScenarioOptions& o) {
  const std::string name = "s2";
  Seeder seeder(SeedOptionsFor(o));
  Population pop;
  if (Status s = seeder.Load(pop); !s.ok()) return Unavailable(name, s.ToString());
  if (Status s = seeder.EnsureUsers(pop, pop.main, 2); !s.ok())
    return Unavailable(name, "seeding: " + s.ToString());
  if (Status s = RequireRoutes(seeder, pop.main.users[0].access_token, {"/v1/friends", "/v1/chats"});
      !s.ok()) {
    return Unavailable(name, s.message());
  }
  if (Status s = ProbeWebSocket(o.gateway, pop.main.users[0].access_token); !s.ok()) {
    return Unavailable(name, s.message());
  }
  const std::size_t pairs = std::max<std::size_t>(1, o.users / 2);
  if (Status s = seeder.EnsureChats(pop, pop.main, pairs); !s.ok())
    return Unavailable(name, "seeding: " + s.ToString());
  const std::size_t receivers = 2 * pairs;
  RaiseOpenFilesLimit();

  // Slot k is sent in chat k % pairs, by user a on even rounds and user b on odd ones.
  const auto role = [pairs](uint64_t slot, std::size_t receiver) {
    const std::size_t pair = slot % pairs;
    const bool by_a = (slot / pairs) % 2 == 0;
    const std::size_t author = by_a ? 2 * pair : 2 * pair + 1;
    const std::size_t other = by_a ? 2 * pair + 1 : 2 * pair;
    return receiver == other ? 1 : receiver == author ? 2 : 0;
  };
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < receivers; ++i) tokens.push_back(pop.main.users[i].access_token);
  WsPool pool(o.gateway, o.threads);
  // Frames that arrive before the ledger exists (nothing of ours is sent yet) are ignored.
  std::atomic<DeliveryLedger*> ledger_ptr{nullptr};
  std::cerr << "s2 delivery: connecting " << receivers << " WebSocket recipients" << std::endl;
  pool.ConnectAll(receivers, tokens, o.sources, 100,
                  [&ledger_ptr](std::size_t receiver, std::string_view text) {
                    if (DeliveryLedger* ledger = ledger_ptr.load()) ledger->Frame(receiver, text);
                  });
  if (pool.connected() != receivers) {
    json::object failures = CountsJson(pool.connect_failures());
    pool.CloseAll();
    json::object out = Unavailable(name, "only " + std::to_string(pool.connected()) + " of " +
                                             std::to_string(receivers) + " WebSockets connected");
    out["connect_failures"] = std::move(failures);
    return out;
  }
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(500);
  const RateSchedule schedule(start, o.send_rate, o.duration);
  DeliveryLedger ledger(schedule.total(), schedule, role);
  ledger_ptr.store(&ledger);

  struct Sender {
    std::string target, token_a, token_b;
  };
  std::vector<Sender> senders;
  for (std::size_t k = 0; k < pairs; ++k) {
    const ChatPair& p = pop.main.pairs[k];
    senders.push_back(Sender{"/v1/chats/" + p.chat_id + "/messages", pop.main.users[p.a].access_token,
                             pop.main.users[p.b].access_token});
  }
  LoadOptions load;
  load.endpoint = o.gateway;
  load.rate = o.send_rate;
  load.duration = o.duration;
  load.connections = std::min(o.connections, 64);
  load.threads = 1;
  load.source_addresses = o.sources;
  load.start_at = start;
  load.on_reply = [&ledger](uint64_t slot, const HttpReply& reply) {
    ledger.Sent(slot, reply.transport_ok() && reply.status == 201);
  };
  std::cerr << "s2 delivery: sending " << o.send_rate << " messages/s for "
            << std::chrono::duration<double>(o.duration).count() << " s" << std::endl;
  LoadResult sent = RunHttpLoad(
      load,
      [&senders](uint64_t slot) {
        const Sender& s = senders[slot % senders.size()];
        const bool by_a = (slot / senders.size()) % 2 == 0;
        return HttpRequestSpec{
            http::verb::post, s.target,
            "{\"content\":\"" + std::string(kDeliveryPrefix) + std::to_string(slot) + "\"}",
            by_a ? s.token_a : s.token_b};
      },
      [](int status) { return status == 201; });

  // Frames still in flight: wait for them (up to 10 s) before calling anything lost.
  const auto drain_deadline = Clock::now() + std::chrono::seconds(10);
  while (ledger.Missing() > 0 && Clock::now() < drain_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  pool.CloseAll();  // before the ledger goes away: no frames after this
  ledger_ptr.store(nullptr);

  json::object result = ledger.ToJson();
  std::cerr << "  s2: p99 " << result["latency_ms"].as_object()["p99"].as_double() << " ms, lost "
            << result["lost"].as_uint64() << ", duplicated " << result["duplicated"].as_uint64()
            << ", out of order " << result["out_of_order"].as_uint64() << std::endl;
  result["scenario"] = name;
  result["available"] = true;
  result["recipients"] = receivers;
  result["offered_rate"] = o.send_rate;
  result["send"] = ToJson(sent.stats, sent.elapsed_s, o.send_rate);
  result["ws_closed_early"] = CountsJson(pool.closed_early());
  return result;
}

json::object RunIdleSockets(const ScenarioOptions& o) {
  const std::string name = "s6";
  Seeder seeder(SeedOptionsFor(o));
  Population pop;
  if (Status s = seeder.Load(pop); !s.ok()) return Unavailable(name, s.ToString());
  const std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(o.users, 1000));
  if (Status s = seeder.EnsureUsers(pop, pop.main, n); !s.ok())
    return Unavailable(name, "seeding: " + s.ToString());
  if (Status s = ProbeWebSocket(o.gateway, pop.main.users[0].access_token); !s.ok()) {
    return Unavailable(name, s.message());
  }
  const int64_t own_limit = RaiseOpenFilesLimit();
  std::size_t sockets = static_cast<std::size_t>(o.sockets);
  std::string note;
  if (own_limit > 0 && static_cast<int64_t>(sockets) + 200 > own_limit) {
    sockets = static_cast<std::size_t>(std::max<int64_t>(0, own_limit - 200));
    note = "the load generator's open-file limit (" + std::to_string(own_limit) + ") capped the sockets";
  }
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < n; ++i) tokens.push_back(pop.main.users[i].access_token);

  const ProcSample before = SampleProcess(o.gateway_pid);
  WsPool pool(o.gateway, o.threads);
  std::cerr << "s6 idle: opening " << sockets << " WebSockets" << std::endl;
  const auto t0 = Clock::now();
  pool.ConnectAll(sockets, tokens, o.sources, 200, [](std::size_t, std::string_view) {});
  const double connect_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const ProcSample connected = SampleProcess(o.gateway_pid);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const ProcSample settled = SampleProcess(o.gateway_pid);
  std::this_thread::sleep_for(o.idle_hold);
  const ProcSample held = SampleProcess(o.gateway_pid);
  const std::size_t open_at_end = pool.connected() - [&] {
    uint64_t closed = 0;
    for (const auto& [k, v] : pool.closed_early()) closed += v;
    return static_cast<std::size_t>(closed);
  }();
  json::object result{{"scenario", name},
                      {"available", true},
                      {"sockets_requested", o.sockets},
                      {"sockets_connected", pool.connected()},
                      {"sockets_open_after_hold", open_at_end},
                      {"connect_failures", CountsJson(pool.connect_failures())},
                      {"closed_early", CountsJson(pool.closed_early())},
                      {"connect_s", connect_s},
                      {"connect_latency_ms", LatencyJson(pool.connect_latency())},
                      {"hold_s", std::chrono::duration<double>(o.idle_hold).count()},
                      {"loadgen_open_files_limit", own_limit}};
  if (!note.empty()) result["note"] = note;
  pool.CloseAll();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const ProcSample closed = SampleProcess(o.gateway_pid);
  if (before.ok && settled.ok && held.ok) {
    const double per_conn = pool.connected() ? static_cast<double>(settled.rss_kib - before.rss_kib) *
                                                   1024.0 / static_cast<double>(pool.connected())
                                             : 0;
    const double hold_s = std::chrono::duration<double>(o.idle_hold).count();
    result["gateway"] = json::object{
        {"pid", o.gateway_pid},
        {"open_files_limit", before.open_files_limit},
        {"threads", settled.threads},
        {"rss_before_kib", before.rss_kib},
        {"rss_connected_kib", settled.rss_kib},
        {"rss_per_connection_bytes", std::round(per_conn)},
        // Memory a process has grown into is seldom given back: a gateway that held sockets before (an
        // earlier run) shows a smaller growth. Compare with a freshly started gateway.
        {"rss_after_close_kib", closed.ok ? closed.rss_kib : 0},
        {"cpu_connect_s", connected.cpu_seconds - before.cpu_seconds},
        {"cpu_idle_percent", std::round((held.cpu_seconds - settled.cpu_seconds) / hold_s * 1000) / 10}};
    std::cerr << "  s6: " << pool.connected() << " connected, gateway RSS " << before.rss_kib << " -> "
              << settled.rss_kib << " KiB (" << per_conn << " B/connection), idle CPU "
              << (held.cpu_seconds - settled.cpu_seconds) / hold_s * 100 << " %" << std::endl;
  } else {
    result["gateway"] =
        json::object{{"pid", o.gateway_pid}, {"note", "gateway process not readable (--gateway-pid)"}};
  }
  return result;
}

}  // namespace messenger::bench
