#include "chat/storage/kafka_event_publisher.hpp"

#include <condition_variable>
#include <thread>
#include <variant>
#include <vector>

#include "messenger/events/v1/events.pb.h"

namespace messenger::chat {
namespace {

// The delivery reports of one batch; shared with the producer's callbacks, which may outlive a wait.
struct Batch {
  std::mutex mu;
  std::condition_variable done;
  std::vector<std::optional<Status>> results;
  std::size_t pending = 0;
};

}  // namespace

std::string EncodeEnvelope(const ChatEvent& event) {
  events::v1::Envelope envelope;
  if (const auto* sent = std::get_if<MessageSentEvent>(&event)) {
    envelope.set_event_id(sent->message.message_id);
    envelope.set_occurred_at_unix_ms(sent->message.created_at_ms);
    events::v1::MessageSent* m = envelope.mutable_message_sent();
    m->set_message_id(sent->message.message_id);
    m->set_chat_id(sent->message.chat_id);
    m->set_seq(sent->message.seq);
    m->set_author_id(sent->message.author_id);
    m->set_content(sent->message.content);
    m->set_created_at_unix_ms(sent->message.created_at_ms);
    for (const std::string& p : sent->participants) m->add_participant_ids(p);
  } else {
    const auto& read = std::get<ReadEvent>(event);
    envelope.set_event_id(read.event_id);
    envelope.set_occurred_at_unix_ms(read.occurred_at_ms);
    events::v1::ChatRead* r = envelope.mutable_chat_read();
    r->set_chat_id(read.chat_id);
    r->set_user_id(read.user_id);
    r->set_seq(read.seq);
    for (const std::string& p : read.participants) r->add_participant_ids(p);
  }
  return envelope.SerializeAsString();
}

const std::string& EventChatId(const ChatEvent& event) {
  if (const auto* sent = std::get_if<MessageSentEvent>(&event)) return sent->message.chat_id;
  return std::get<ReadEvent>(event).chat_id;
}

StatusOr<std::unique_ptr<KafkaEventPublisher>> KafkaEventPublisher::Create(
    KafkaEventPublisherOptions options) {
  std::unique_ptr<KafkaEventPublisher> publisher(new KafkaEventPublisher(std::move(options)));
  MESSENGER_RETURN_IF_ERROR(publisher->CurrentProducer().status());
  return publisher;
}

StatusOr<std::shared_ptr<kafka::Producer>> KafkaEventPublisher::CurrentProducer() {
  std::lock_guard lock(mu_);
  if (producer_ && fatal_->exchange(false)) {
    // Destroying a producer waits for its outstanding records (up to message_timeout); the caller may be
    // the send path, so that wait happens on a thread of its own.
    std::thread([old = std::move(producer_)]() mutable { old.reset(); }).detach();
  }
  if (producer_) return producer_;
  kafka::ProducerOptions options;
  options.brokers = options_.brokers;
  options.client_id = options_.client_id;
  options.message_timeout = options_.message_timeout;
  options.linger = std::chrono::milliseconds(1);
  MESSENGER_ASSIGN_OR_RETURN(std::unique_ptr<kafka::Producer> producer, kafka::Producer::Create(options));
  producer_ = std::move(producer);
  return producer_;
}

Status KafkaEventPublisher::Publish(const std::vector<ChatEvent>& events, std::size_t* acknowledged) {
  *acknowledged = 0;
  if (events.empty()) return OkStatus();
  MESSENGER_ASSIGN_OR_RETURN(std::shared_ptr<kafka::Producer> producer, CurrentProducer());

  auto batch = std::make_shared<Batch>();
  batch->results.resize(events.size());
  batch->pending = events.size();
  for (std::size_t i = 0; i < events.size(); ++i) {
    producer->SendAsync(options_.topic, EventChatId(events[i]), EncodeEnvelope(events[i]),
                        [batch, i](Status s) {
                          std::lock_guard lock(batch->mu);
                          batch->results[i] = std::move(s);
                          if (--batch->pending == 0) batch->done.notify_all();
                        });
  }
  std::unique_lock lock(batch->mu);
  // Every report comes within message_timeout; the margin only guards against a stuck producer.
  const bool finished = batch->done.wait_for(lock, options_.message_timeout + std::chrono::seconds(10),
                                             [&] { return batch->pending == 0; });
  Status first_failure;
  bool fatal = !finished;
  for (const std::optional<Status>& result : batch->results) {
    if (result && result->ok() && first_failure.ok()) {
      ++*acknowledged;
      continue;
    }
    if (first_failure.ok()) {
      first_failure = result ? *result : DeadlineExceededError("no delivery report from the Kafka producer");
    }
    if (result && result->reason() == kafka::kReasonProducerFatal) fatal = true;
  }
  lock.unlock();
  if (fatal) Retire(producer);
  return first_failure;
}

void KafkaEventPublisher::PublishAsync(const ChatEvent& event, std::function<void(Status)> done) {
  StatusOr<std::shared_ptr<kafka::Producer>> producer = CurrentProducer();
  if (!producer.ok()) {
    done(producer.status());
    return;
  }
  // The report runs on the producer's own thread, which must not destroy it: a fatal failure only flags the
  // producer, and the next publish replaces it.
  auto fatal = fatal_;
  (*producer)->SendAsync(options_.topic, EventChatId(event), EncodeEnvelope(event),
                         [fatal, done = std::move(done)](Status status) {
                           if (status.reason() == kafka::kReasonProducerFatal) fatal->store(true);
                           done(std::move(status));
                         });
}

void KafkaEventPublisher::Retire(const std::shared_ptr<kafka::Producer>& producer) {
  std::lock_guard guard(mu_);
  if (producer_ == producer) producer_.reset();  // a fresh producer for the next publish
}

}  // namespace messenger::chat
