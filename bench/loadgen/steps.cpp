// Rate steps, the HTTP ceiling (hello server), the smoke run and the argon2id ceiling.
#include "loadgen/steps.hpp"

#include <sodium.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/json/array.hpp>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "loadgen/http_load.hpp"
#include "loadgen/scenarios.hpp"

namespace messenger::bench {

namespace json = boost::json;

namespace {

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace
namespace http = boost::beast::http;

json::object Unavailable(const std::string& scenario, const std::string& reason) {
  std::cerr << scenario << ": not available: " << reason << std::endl;
  return {{"scenario", scenario}, {"available", false}, {"reason", reason}};
}

bool StepPassed(const LoadResult& r, double p99_ms) {
  return r.stats.ok > 0 && r.stats.error_total() == 0 && r.stats.not_started == 0 &&
         static_cast<double>(r.stats.latency.PercentileMicros(99)) <= p99_ms * 1000.0;
}

StepOutcome RunSteps(const std::string& label, const ScenarioOptions& o, const std::vector<double>& rates,
                     LoadOptions load, const RequestFactory& factory, const StatusCheck& check) {
  StepOutcome out;
  for (double rate : rates) {
    load.rate = rate;
    load.duration = o.step;
    LoadResult r = RunHttpLoad(load, factory, check);
    const bool passed = StepPassed(r, o.p99_ms);
    json::object step = ToJson(r.stats, r.elapsed_s, rate);
    step["passed"] = passed;
    std::cerr << "  " << label << " " << rate << "/s: achieved " << step["achieved_rate"].as_double()
              << "/s, p50 " << r.stats.latency.PercentileMicros(50) / 1000.0 << " ms, p99 "
              << r.stats.latency.PercentileMicros(99) / 1000.0 << " ms, errors " << r.stats.error_total()
              << ", late starts " << r.stats.late_starts << (passed ? "" : "  (fails the criteria)")
              << std::endl;
    if (passed) {
      out.best_rate = rate;
      out.best = step;
    }
    out.steps.push_back(std::move(step));
    if (!passed) break;  // higher rates only get worse; save the time
  }
  return out;
}

json::object StepsJson(const std::string& scenario, const ScenarioOptions& o, StepOutcome&& out) {
  return {{"scenario", scenario},
          {"available", true},
          {"criteria", json::object{{"p99_ms", o.p99_ms}, {"errors", 0}}},
          {"step_s", std::chrono::duration<double>(o.step).count()},
          {"best_rate", out.best_rate},
          {"best", std::move(out.best)},
          {"steps", std::move(out.steps)}};
}

json::object RunHello(const ScenarioOptions& o) {
  std::vector<double> rates = o.rates;
  if (rates.empty()) rates = {1000, 2000, 5000, 10000, 15000, 20000, 30000, 40000, 60000};
  LoadOptions load;
  load.endpoint = o.target;
  load.connections = o.connections;
  load.threads = o.threads;
  const RequestFactory factory = [](uint64_t) { return HttpRequestSpec{http::verb::get, "/", "", ""}; };
  std::cerr << "hello ceiling: rate steps against " << o.target.host << ":" << o.target.port << std::endl;
  json::object result = StepsJson("hello", o, RunSteps("hello", o, rates, load, factory, {}));
  load.rate = 0;
  load.duration = o.step;
  LoadResult max = RunHttpLoad(load, factory);
  result["closed_loop"] = ToJson(max.stats, max.elapsed_s, 0);
  result["closed_loop_connections"] = o.connections;
  std::cerr << "  hello closed loop: " << result["closed_loop"].as_object()["achieved_rate"].as_double()
            << "/s" << std::endl;
  return result;
}

json::object RunSmoke(const ScenarioOptions& o) {
  LoadOptions load;
  load.endpoint = o.target;
  load.rate = o.rates.empty() ? 500 : o.rates.front();
  load.duration = std::chrono::seconds(2);
  load.connections = 8;
  load.threads = 1;
  LoadResult r = RunHttpLoad(load, [](uint64_t) { return HttpRequestSpec{http::verb::get, "/", "", ""}; });
  json::object result = ToJson(r.stats, r.elapsed_s, load.rate);
  const auto expected = static_cast<uint64_t>(load.rate * 2);
  const bool passed =
      r.stats.ok == expected && r.stats.error_total() == 0 && r.stats.latency.count() == expected;
  result["scenario"] = "smoke";
  result["available"] = true;
  result["expected"] = expected;
  result["passed"] = passed;
  return result;
}

json::object RunArgon2(const ScenarioOptions& o) {
  if (sodium_init() < 0) return Unavailable("argon2", "libsodium failed to initialise");
  // The same parameters as Auth (services/auth: PASSWORD_HASH_MEMORY_KIB, PASSWORD_HASH_ITERATIONS).
  const char* mem_env = std::getenv("PASSWORD_HASH_MEMORY_KIB");
  const char* ops_env = std::getenv("PASSWORD_HASH_ITERATIONS");
  const uint64_t memory_kib = mem_env ? std::strtoull(mem_env, nullptr, 10) : 19 * 1024;
  const uint64_t iterations = ops_env ? std::strtoull(ops_env, nullptr, 10) : 2;
  const std::string password = "bench-password-argon2";
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), iterations, memory_kib * 1024,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Unavailable("argon2", "hashing failed (out of memory?)");
  }
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::atomic<uint64_t> verified{0};
  std::atomic<bool> failed{false};
  const double cpu_before = ProcessCpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  const auto stop = start + o.duration;
  std::vector<std::thread> workers;
  for (int i = 0; i < cores; ++i) {
    workers.emplace_back([&] {
      while (std::chrono::steady_clock::now() < stop) {
        if (crypto_pwhash_str_verify(hash, password.data(), password.size()) != 0) failed = true;
        verified.fetch_add(1);
      }
    });
  }
  for (std::thread& t : workers) t.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = static_cast<double>(verified.load()) / elapsed;
  // On a shared machine the loop gets less than every core: the CPU time per verification says what the
  // cores would do if they were ours alone.
  const double cpu_per_verify =
      verified.load() ? (ProcessCpuSeconds() - cpu_before) / static_cast<double>(verified.load()) : 0;
  std::cerr << "argon2id verify: " << rate << "/s on " << cores << " threads (m=" << memory_kib
            << " KiB, t=" << iterations << ")" << std::endl;
  return {
      {"scenario", "argon2"},
      {"available", !failed.load()},
      {"verifies_per_s", std::round(rate * 10) / 10},
      {"per_core_per_s", std::round(rate / cores * 10) / 10},
      {"threads", cores},
      {"cpu_ms_per_verify", std::round(cpu_per_verify * 10000) / 10},
      {"idle_cores_projection_per_s", cpu_per_verify > 0 ? std::round(cores / cpu_per_verify * 10) / 10 : 0},
      {"memory_kib", memory_kib},
      {"iterations", iterations},
      {"elapsed_s", elapsed}};
}

}  // namespace messenger::bench
