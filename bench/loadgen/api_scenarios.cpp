// S1 send, S3 history, S4 login and S5 profile: request/response scenarios over the public REST API.
#include <boost/json/array.hpp>
#include <cmath>
#include <iostream>

#include "loadgen/api.hpp"
#include "loadgen/http_load.hpp"
#include "loadgen/population.hpp"
#include "loadgen/scenario_support.hpp"
#include "loadgen/scenarios.hpp"
#include "loadgen/steps.hpp"

namespace messenger::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

SeedOptions SeedOptionsFor(const ScenarioOptions& o) {
  SeedOptions s;
  s.endpoint = o.gateway;
  s.state_file = o.state_file;
  s.sources = o.sources;
  s.concurrency = o.seed_concurrency;
  s.threads = o.threads;
  return s;
}

Status RequireRoutes(const Seeder& seeder, const std::string& token,
                     const std::vector<std::string>& targets) {
  for (const std::string& target : targets) {
    MESSENGER_ASSIGN_OR_RETURN(bool served, seeder.RouteServed(target, token));
    if (!served)
      return Status(StatusCode::kUnimplemented,
                    "GET " + target + " answers 404/405: the gateway does not serve it yet");
  }
  return OkStatus();
}

json::object RunSend(const ScenarioOptions& o) {
  const std::string name = "s1";
  Seeder seeder(SeedOptionsFor(o));
  Population pop;
  if (Status s = seeder.Load(pop); !s.ok()) return Unavailable(name, s.ToString());
  if (Status s = seeder.EnsureUsers(pop, pop.main, 2); !s.ok())
    return Unavailable(name, "seeding: " + s.ToString());
  if (Status s = RequireRoutes(seeder, pop.main.users[0].access_token, {"/v1/friends", "/v1/chats"});
      !s.ok()) {
    return Unavailable(name, s.message());
  }
  const std::size_t pairs = std::max<std::size_t>(1, o.users / 2);
  if (Status s = seeder.EnsureChats(pop, pop.main, pairs); !s.ok())
    return Unavailable(name, "seeding: " + s.ToString());

  struct Sender {
    std::string target;
    std::string token_a;
    std::string token_b;
  };
  std::vector<Sender> senders;
  for (std::size_t k = 0; k < pairs; ++k) {
    const ChatPair& p = pop.main.pairs[k];
    senders.push_back(Sender{"/v1/chats/" + p.chat_id + "/messages", pop.main.users[p.a].access_token,
                             pop.main.users[p.b].access_token});
  }
  const RequestFactory factory = [&senders](uint64_t slot) {
    const Sender& s = senders[slot % senders.size()];
    const bool by_a = (slot / senders.size()) % 2 == 0;
    return HttpRequestSpec{http::verb::post, s.target,
                           "{\"content\":\"s1 message " + std::to_string(slot) + "\"}",
                           by_a ? s.token_a : s.token_b};
  };
  LoadOptions load;
  load.endpoint = o.gateway;
  load.connections = o.connections;
  load.threads = o.threads;
  load.source_addresses = o.sources;
  std::vector<double> rates = o.rates;
  if (rates.empty()) rates = {50, 100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000};
  std::cerr << "s1 send: " << pairs << " chats, " << 2 * pairs << " users" << std::endl;
  json::object result =
      StepsJson(name, o, RunSteps(name, o, rates, load, factory, [](int status) { return status == 201; }));
  result["users"] = 2 * pairs;
  result["chats"] = pairs;
  return result;
}

json::object RunHistory(const ScenarioOptions& o) {
  const std::string name = "s3";
  Seeder seeder(SeedOptionsFor(o));
  Population pop;
  if (Status s = seeder.Load(pop); !s.ok()) return Unavailable(name, s.ToString());
  if (Status s = seeder.EnsureUsers(pop, pop.history, 2); !s.ok())
    return Unavailable(name, "seeding: " + s.ToString());
  if (Status s = RequireRoutes(seeder, pop.history.users[0].access_token, {"/v1/friends", "/v1/chats"});
      !s.ok()) {
    return Unavailable(name, s.message());
  }
  const std::size_t chats = std::max<std::size_t>(1, o.history_chats);
  if (Status s = seeder.EnsureChats(pop, pop.history, chats); !s.ok()) {
    return Unavailable(name, "seeding: " + s.ToString());
  }
  const auto seed_start = std::chrono::steady_clock::now();
  if (Status s = seeder.EnsureHistory(pop, pop.history, chats, o.history_messages); !s.ok()) {
    return Unavailable(name, "seeding history: " + s.ToString());
  }
  const double seed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - seed_start).count();

  struct Reader {
    std::string target;
    std::string token_a;
    std::string token_b;
  };
  std::vector<Reader> readers;
  for (std::size_t k = 0; k < chats; ++k) {
    const ChatPair& p = pop.history.pairs[k];
    readers.push_back(Reader{"/v1/chats/" + p.chat_id + "/messages?limit=50",
                             pop.history.users[p.a].access_token, pop.history.users[p.b].access_token});
  }
  const RequestFactory factory = [&readers](uint64_t slot) {
    const Reader& reader = readers[slot % readers.size()];
    return HttpRequestSpec{http::verb::get, reader.target, "", slot % 2 ? reader.token_b : reader.token_a};
  };
  LoadOptions load;
  load.endpoint = o.gateway;
  load.threads = o.threads;
  load.rate = 0;
  load.source_addresses = o.sources;
  // The very first read may find no cache warm (the chat service keeps the newest messages in Redis):
  // time it on its own, then warm readers.
  double first_read_ms = 0;
  int first_read_status = 0;
  Status first = ForEachConcurrently(
      o.gateway, o.sources, 1, 1, 1, "first read",
      [&](ApiClient& client, std::size_t) -> asio::awaitable<Status> {
        const auto t0 = std::chrono::steady_clock::now();
        HttpReply reply = co_await client.Call(http::verb::get, readers[0].target, "", readers[0].token_a);
        first_read_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        first_read_status = reply.status;
        co_return OkStatus();
      });
  (void)first;
  std::cerr << "  s3 first read: " << first_read_status << " in " << first_read_ms << " ms" << std::endl;
  // One reader alone first. If that already fails or crawls, 100 at once would only pile abandoned queries
  // onto the database (the gateway gives up after its deadline; the query runs on), so the concurrent run is
  // skipped and the single reader's figures are the result.
  load.connections = 1;
  load.duration = std::chrono::seconds(2);
  LoadResult single = RunHttpLoad(load, factory);
  json::object single_json = ToJson(single.stats, single.elapsed_s, 0);
  std::cerr << "  s3 single reader: " << single_json["achieved_rate"].as_double() << " pages/s, p99 "
            << single.stats.latency.PercentileMicros(99) / 1000.0 << " ms, errors "
            << single.stats.error_total() << std::endl;
  json::object result;
  if (single.stats.error_total() > 0 || single.stats.latency.PercentileMicros(99) > 1'000'000) {
    result = single_json;
    result["skipped_concurrent"] = "one reader alone already fails or takes over 1 s; " +
                                   std::to_string(o.readers) + " readers were not run";
    std::cerr << "  s3: " << result["skipped_concurrent"].as_string() << std::endl;
  } else {
    load.connections = o.readers;
    load.duration = o.duration;
    std::cerr << "s3 history: " << o.readers << " readers, newest 50 of " << o.history_messages << " messages"
              << std::endl;
    LoadResult r = RunHttpLoad(load, factory);
    result = ToJson(r.stats, r.elapsed_s, 0);
    std::cerr << "  s3: " << result["achieved_rate"].as_double() << " pages/s, p99 "
              << r.stats.latency.PercentileMicros(99) / 1000.0 << " ms, errors " << r.stats.error_total()
              << std::endl;
  }
  result["single_reader"] = std::move(single_json);
  result["first_read"] =
      json::object{{"status", first_read_status}, {"ms", std::round(first_read_ms * 10) / 10}};
  result["scenario"] = name;
  result["available"] = true;
  result["readers"] = o.readers;
  result["chats"] = chats;
  result["history_messages"] = o.history_messages;
  result["history_seed_s"] = seed_s;
  return result;
}

json::object RunLogin(const ScenarioOptions& o) {
  const std::string name = "s4";
  Seeder seeder(SeedOptionsFor(o));
  Population pop;
  if (Status s = seeder.Load(pop); !s.ok()) return Unavailable(name, s.ToString());
  const std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(o.users, 200));
  if (Status s = seeder.EnsureUsers(pop, pop.main, n); !s.ok())
    return Unavailable(name, "seeding: " + s.ToString());
  std::vector<std::string> bodies;
  for (std::size_t i = 0; i < n; ++i) {
    const BenchUser& u = pop.main.users[i];
    bodies.push_back("{\"email\":" + JsonString(u.email) + ",\"password\":" + JsonString(u.password) + "}");
  }
  LoadOptions load;
  load.endpoint = o.gateway;
  load.connections = o.login_connections;
  load.threads = o.threads;
  load.rate = 0;
  load.duration = o.duration;
  load.source_addresses = o.sources;
  std::cerr << "s4 login: " << o.login_connections << " clients back to back" << std::endl;
  LoadResult r = RunHttpLoad(load, [&bodies](uint64_t slot) {
    return HttpRequestSpec{http::verb::post, "/v1/auth/login", bodies[slot % bodies.size()], ""};
  });
  json::object result = ToJson(r.stats, r.elapsed_s, 0);
  std::cerr << "  s4: " << result["achieved_rate"].as_double() << " logins/s, p99 "
            << r.stats.latency.PercentileMicros(99) / 1000.0 << " ms, errors " << r.stats.error_total()
            << std::endl;
  result["scenario"] = name;
  result["available"] = true;
  result["clients"] = o.login_connections;
  return result;
}

json::object RunProfile(const ScenarioOptions& o) {
  const std::string name = "s5";
  Seeder seeder(SeedOptionsFor(o));
  Population pop;
  if (Status s = seeder.Load(pop); !s.ok()) return Unavailable(name, s.ToString());
  const std::size_t n = std::max<std::size_t>(2, o.users);
  if (Status s = seeder.EnsureUsers(pop, pop.main, n); !s.ok())
    return Unavailable(name, "seeding: " + s.ToString());
  std::vector<std::string> targets;
  std::vector<std::string> tokens;
  for (std::size_t i = 0; i < n; ++i) {
    targets.push_back("/v1/users/by-nickname/" + UrlEncode(pop.main.users[i].nickname));
    tokens.push_back(pop.main.users[i].access_token);
  }
  // Warm the cache: every profile read once.
  Status warmed = ForEachConcurrently(o.gateway, o.sources, o.seed_concurrency, n, o.threads, "warm-up",
                                      [&](ApiClient& client, std::size_t i) -> asio::awaitable<Status> {
                                        HttpReply reply =
                                            co_await client.Call(http::verb::get, targets[i], "", tokens[i]);
                                        if (reply.status != 200)
                                          co_return ReplyError("GET " + targets[i], reply);
                                        co_return OkStatus();
                                      });
  if (!warmed.ok()) return Unavailable(name, "warm-up: " + warmed.ToString());
  LoadOptions load;
  load.endpoint = o.gateway;
  load.connections = o.connections;
  load.threads = o.threads;
  load.source_addresses = o.sources;
  std::vector<double> rates = o.rates;
  if (rates.empty()) rates = {500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000};
  std::cerr << "s5 profile: " << n << " profiles, warm cache" << std::endl;
  json::object result =
      StepsJson(name, o,
                RunSteps(
                    name, o, rates, load,
                    [&](uint64_t slot) {
                      const std::size_t viewer = slot % n;
                      const std::size_t subject = (slot * 7919 + 1) % n;
                      return HttpRequestSpec{http::verb::get, targets[subject], "", tokens[viewer]};
                    },
                    [](int status) { return status == 200; }));
  result["profiles"] = n;
  return result;
}

}  // namespace messenger::bench
