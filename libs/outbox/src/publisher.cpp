#include "messenger/outbox/publisher.hpp"

namespace messenger::outbox {

Status Publisher::PublishBatch(const std::vector<Message>& messages, std::size_t* acknowledged) {
  *acknowledged = 0;
  for (const Message& m : messages) {
    MESSENGER_RETURN_IF_ERROR(Publish(m.topic, m.key, m.payload));
    ++*acknowledged;
  }
  return OkStatus();
}

}  // namespace messenger::outbox
