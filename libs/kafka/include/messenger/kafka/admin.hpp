// Topic administration. The brokers run with auto topic creation off: every topic is created here, by the
// service that produces to it (at startup) and by tests.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 4;
  int replication_factor = 1;
};

// Creates the topics that do not exist yet (an existing topic counts as success, whatever its partition
// count) and waits until the cluster metadata lists every topic with a leader for each partition.
// Fails with DEADLINE_EXCEEDED when that does not happen within `timeout` (also when the brokers are down),
// INVALID_ARGUMENT for a bad name/partition count/replication factor.
Status EnsureTopics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                    std::chrono::milliseconds timeout);

// Deletes topics; a topic that does not exist counts as success. Meant for tests that clean up after
// themselves.
Status DeleteTopics(const std::string& brokers, const std::vector<std::string>& topics,
                    std::chrono::milliseconds timeout);

}  // namespace messenger::kafka
