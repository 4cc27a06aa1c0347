// The benchmark's scenarios and ceilings. Each returns one JSON object: {"scenario", "available", ...}; a
// scenario whose routes the gateway does not serve yet answers {"available": false, "reason"} and no numbers.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "loadgen/http_connection.hpp"

namespace messenger::bench {

struct ScenarioOptions {
  Endpoint gateway;                            // --gateway http://127.0.0.1:8080
  Endpoint target;                             // --target, for hello and smoke
  std::string state_file;                      // --state: saved population
  std::vector<double> rates;                   // --rates a,b,c (step scenarios; defaults per scenario)
  std::chrono::milliseconds step{5000};        // --step-s: length of each rate step
  std::chrono::milliseconds duration{10000};   // --duration-s: closed-loop and delivery runs
  double p99_ms = 50;                          // --p99-ms: a step passes with p99 <= this and no errors
  int connections = 64;                        // --connections
  int threads = 2;                             // --threads
  std::size_t users = 1000;                    // --users
  std::size_t history_messages = 100000;       // --history-messages
  std::size_t history_chats = 1;               // --history-chats
  int readers = 100;                           // --readers (S3)
  int login_connections = 16;                  // --login-connections (S4)
  double send_rate = 300;                      // --send-rate (S2)
  int sockets = 10000;                         // --sockets (S6)
  std::chrono::milliseconds idle_hold{10000};  // --hold-s (S6)
  int gateway_pid = 0;                         // --gateway-pid (S6)
  int seed_concurrency = 32;                   // --seed-concurrency
  std::vector<std::string> sources;            // loopback client addresses
};

boost::json::object RunHello(const ScenarioOptions& o);        // HTTP ceiling: steps + closed-loop maximum
boost::json::object RunSmoke(const ScenarioOptions& o);        // 2 s at 500/s against --target
boost::json::object RunArgon2(const ScenarioOptions& o);       // argon2id verifications/s on every core
boost::json::object RunSend(const ScenarioOptions& o);         // S1
boost::json::object RunDelivery(const ScenarioOptions& o);     // S2
boost::json::object RunHistory(const ScenarioOptions& o);      // S3
boost::json::object RunLogin(const ScenarioOptions& o);        // S4
boost::json::object RunProfile(const ScenarioOptions& o);      // S5
boost::json::object RunIdleSockets(const ScenarioOptions& o);  // S6

// Shared by the scenarios.
boost::json::object Unavailable(const std::string& scenario, const std::string& reason);

}  // namespace messenger::bench
