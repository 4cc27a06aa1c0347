// messenger-loadgen: the benchmark's load generator. One mode per run; prints one JSON object on stdout
// (and to --out), progress on stderr. See docs/benchmarks.md and bench/run.sh.
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "loadgen/api.hpp"
#include "loadgen/scenarios.hpp"

namespace {

using namespace messenger::bench;

constexpr const char* kUsage = R"(usage: messenger-loadgen MODE [--flag value]...
modes:
  smoke      2 s at 500 requests/s against --target (exit 1 unless every request succeeded)
  hello      HTTP ceiling: rate steps and a closed-loop maximum against --target (the hello server)
  argon2     argon2id verifications/s on every core (Auth's parameters: PASSWORD_HASH_MEMORY_KIB/ITERATIONS)
  s1         send: POST /v1/chats/{id}/messages at rising rates in --users/2 1:1 chats
  s2         delivery: --users WebSocket recipients, --send-rate messages/s, latency send -> frame
  s3         history: newest 50 of --history-messages, --readers concurrent readers
  s4         login: POST /v1/auth/login, --login-connections clients back to back
  s5         profile: GET /v1/users/by-nickname/{nick} at rising rates, warm cache
  s6         idle sockets: --sockets authenticated WebSockets held open; gateway RSS and CPU (--gateway-pid)
flags: --gateway URL (http://127.0.0.1:8080)  --target URL  --state FILE  --out FILE  --rates a,b,c
  --step-s S  --duration-s S  --p99-ms MS  --connections N  --threads N  --users N  --history-messages N
  --history-chats N  --readers N  --login-connections N  --send-rate R  --sockets N  --hold-s S
  --gateway-pid PID  --seed-concurrency N  --source-addresses N (0: all clients from 127.0.0.1)
)";

std::chrono::milliseconds Seconds(const std::string& v) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::stod(v) * 1000));
}

int Fail(const std::string& message) {
  std::cerr << "messenger-loadgen: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Fail("no mode given");
  const std::string mode = argv[1];
  if (mode == "help" || mode == "--help" || mode == "-h") {
    std::cout << kUsage;
    return 0;
  }
  std::map<std::string, std::string> flags;
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0 || i + 1 >= argc) return Fail("bad argument " + flag);
    flags[flag.substr(2)] = argv[++i];
  }
  ScenarioOptions o;
  std::string out_file;
  int source_count = 64;
  try {
    for (const auto& [key, value] : flags) {
      if (key == "gateway" || key == "target") {
        auto endpoint = ParseBaseUrl(value);
        if (!endpoint.ok()) return Fail(endpoint.status().message());
        (key == "gateway" ? o.gateway : o.target) = *endpoint;
      } else if (key == "state") {
        o.state_file = value;
      } else if (key == "out") {
        out_file = value;
      } else if (key == "rates") {
        std::stringstream list(value);
        for (std::string item; std::getline(list, item, ',');) o.rates.push_back(std::stod(item));
      } else if (key == "step-s") {
        o.step = Seconds(value);
      } else if (key == "duration-s") {
        o.duration = Seconds(value);
      } else if (key == "hold-s") {
        o.idle_hold = Seconds(value);
      } else if (key == "p99-ms") {
        o.p99_ms = std::stod(value);
      } else if (key == "connections") {
        o.connections = std::stoi(value);
      } else if (key == "threads") {
        o.threads = std::stoi(value);
      } else if (key == "users") {
        o.users = std::stoul(value);
      } else if (key == "history-messages") {
        o.history_messages = std::stoul(value);
      } else if (key == "history-chats") {
        o.history_chats = std::stoul(value);
      } else if (key == "readers") {
        o.readers = std::stoi(value);
      } else if (key == "login-connections") {
        o.login_connections = std::stoi(value);
      } else if (key == "send-rate") {
        o.send_rate = std::stod(value);
      } else if (key == "sockets") {
        o.sockets = std::stoi(value);
      } else if (key == "gateway-pid") {
        o.gateway_pid = std::stoi(value);
      } else if (key == "seed-concurrency") {
        o.seed_concurrency = std::stoi(value);
      } else if (key == "source-addresses") {
        source_count = std::stoi(value);
      } else {
        return Fail("unknown flag --" + key);
      }
    }
  } catch (const std::exception& e) {
    return Fail(std::string("bad flag value: ") + e.what());
  }
  if (source_count > 0) {
    // A random third octet per run, so that reruns do not inherit each other's per-address counters.
    std::random_device rd;
    o.sources = LoopbackSources(source_count, 77, static_cast<int>(rd() % 200));
  }

  boost::json::object result;
  if (mode == "smoke") {
    result = RunSmoke(o);
  } else if (mode == "hello") {
    result = RunHello(o);
  } else if (mode == "argon2") {
    result = RunArgon2(o);
  } else if (mode == "s1") {
    result = RunSend(o);
  } else if (mode == "s2") {
    result = RunDelivery(o);
  } else if (mode == "s3") {
    result = RunHistory(o);
  } else if (mode == "s4") {
    result = RunLogin(o);
  } else if (mode == "s5") {
    result = RunProfile(o);
  } else if (mode == "s6") {
    result = RunIdleSockets(o);
  } else {
    return Fail("unknown mode " + mode);
  }
  const std::string text = boost::json::serialize(result);
  std::cout << text << std::endl;
  if (!out_file.empty()) {
    std::ofstream out(out_file, std::ios::trunc);
    out << text << "\n";
  }
  if (mode == "smoke" && !result["passed"].as_bool()) return 1;
  return 0;
}
