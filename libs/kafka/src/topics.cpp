#include "messenger/kafka/topics.hpp"

namespace messenger::kafka {

std::vector<TopicSpec> ProjectTopics() { return ProjectTopics(4, 1); }

std::vector<TopicSpec> ProjectTopics(int partitions, int replication_factor) {
  std::vector<TopicSpec> topics;
  for (const char* name : {kUsersTopic, kFriendsTopic, kChatTopic}) {
    topics.push_back(TopicSpec{name, partitions, replication_factor});
  }
  return topics;
}

}  // namespace messenger::kafka
