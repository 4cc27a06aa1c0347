// Shared by the outbox tests that use the real Kafka broker.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/kafka/consumer.hpp"

namespace messenger::outbox::testing {

inline std::string Brokers() { return KafkaSettings::FromEnv().brokers; }

inline std::string RandomTopic() { return "test.outbox-" + RandomToken(6); }

// Polls `consumer` into `seen` until `done` holds or `within` passed; returns whether `done` held.
inline bool ConsumeUntil(kafka::Consumer& consumer, std::vector<kafka::Record>& seen,
                         const std::function<bool()>& done, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    (void)consumer.PollOnce(
        [&](const kafka::Record& r) {
          seen.push_back(r);
          return OkStatus();
        },
        std::chrono::milliseconds(200));
  }
  return true;
}

inline bool WaitUntil(const std::function<bool()>& done, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace messenger::outbox::testing
