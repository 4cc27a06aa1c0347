// The project's Kafka topics. Every record value is a messenger.events.v1.Envelope.
#pragma once

#include <vector>

#include "messenger/kafka/admin.hpp"

namespace messenger::kafka {

inline constexpr char kUsersTopic[] = "messenger.users.v1";      // key: user id
inline constexpr char kFriendsTopic[] = "messenger.friends.v1";  // key: user id
inline constexpr char kChatTopic[] = "messenger.chat.v1";        // key: chat id

// The three topics above with 4 partitions and replication factor 1 (the local stack has one broker).
std::vector<TopicSpec> ProjectTopics();
// The same topics with the given partition count and replication factor (production: replication 3).
std::vector<TopicSpec> ProjectTopics(int partitions, int replication_factor);

}  // namespace messenger::kafka
