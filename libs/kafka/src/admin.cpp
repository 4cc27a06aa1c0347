#include "messenger/kafka/admin.hpp"

#include <algorithm>
#include <thread>

#include "errors.hpp"
#include "handle.hpp"

namespace messenger::kafka {
namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(left, 0));
}

StatusOr<internal::HandlePtr> NewAdminHandle(const std::string& brokers) {
  if (brokers.empty()) return InvalidArgumentError("kafka admin: brokers are empty");
  MESSENGER_ASSIGN_OR_RETURN(internal::ConfPtr conf, internal::NewConf({{"bootstrap.servers", brokers}}));
  // Admin requests need a client handle; a producer handle is the lightest one.
  return internal::NewHandle(RD_KAFKA_PRODUCER, std::move(conf));
}

struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* topic) const { rd_kafka_NewTopic_destroy(topic); }
};
struct DeleteTopicDeleter {
  void operator()(rd_kafka_DeleteTopic_t* topic) const { rd_kafka_DeleteTopic_destroy(topic); }
};
struct AdminOptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* options) const { rd_kafka_AdminOptions_destroy(options); }
};
using AdminOptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, AdminOptionsDeleter>;

StatusOr<AdminOptionsPtr> NewAdminOptions(rd_kafka_t* rk, rd_kafka_admin_op_t op, int timeout_ms) {
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, op));
  char errstr[512];
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), timeout_ms, errstr, sizeof errstr) ||
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), timeout_ms, errstr, sizeof errstr)) {
    return InvalidArgumentError(std::string("kafka admin options: ") + errstr);
  }
  return options;
}

// Waits for the single result event of an admin request on `queue`.
StatusOr<internal::EventPtr> WaitForResult(rd_kafka_queue_t* queue, Clock::time_point deadline,
                                           std::string_view what) {
  // Admin results arrive after the request's own timeout at the latest; the extra second covers delivery.
  internal::EventPtr event(rd_kafka_queue_poll(queue, RemainingMs(deadline) + 1000));
  if (!event) return DeadlineExceededError(std::string("kafka ") + std::string(what) + ": no result in time");
  if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return internal::FromKafkaError(rd_kafka_event_error(event.get()), what);
  }
  return event;
}

// Status of each topic in metadata: OK when it exists and every partition has a leader.
Status CheckMetadata(rd_kafka_t* rk, const std::vector<TopicSpec>& topics, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, /*all_topics=*/1, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return internal::FromKafkaError(err, "metadata");
  std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> owned(
      md, rd_kafka_metadata_destroy);
  for (const TopicSpec& spec : topics) {
    const rd_kafka_metadata_topic_t* found = nullptr;
    for (int i = 0; i < md->topic_cnt; ++i) {
      if (spec.name == md->topics[i].topic) found = &md->topics[i];
    }
    if (found == nullptr || found->err != RD_KAFKA_RESP_ERR_NO_ERROR || found->partition_cnt == 0) {
      return NotFoundError("kafka topic " + spec.name + " is not in the metadata yet");
    }
    for (int p = 0; p < found->partition_cnt; ++p) {
      if (found->partitions[p].leader < 0 || found->partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return UnavailableError("kafka topic " + spec.name + " partition " + std::to_string(p) +
                                " has no leader yet");
      }
    }
  }
  return OkStatus();
}

}  // namespace

Status EnsureTopics(const std::string& brokers, const std::vector<TopicSpec>& topics,
                    std::chrono::milliseconds timeout) {
  if (topics.empty()) return OkStatus();
  const Clock::time_point deadline = Clock::now() + timeout;
  MESSENGER_ASSIGN_OR_RETURN(internal::HandlePtr rk, NewAdminHandle(brokers));

  std::vector<std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>> owned;
  std::vector<rd_kafka_NewTopic_t*> raw;
  char errstr[512];
  for (const TopicSpec& spec : topics) {
    rd_kafka_NewTopic_t* t = rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions,
                                                   spec.replication_factor, errstr, sizeof errstr);
    if (t == nullptr) return InvalidArgumentError("kafka topic " + spec.name + ": " + errstr);
    owned.emplace_back(t);
    raw.push_back(t);
  }
  MESSENGER_ASSIGN_OR_RETURN(
      AdminOptionsPtr options,
      NewAdminOptions(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, RemainingMs(deadline)));
  internal::QueuePtr queue(rd_kafka_queue_new(rk.get()));
  rd_kafka_CreateTopics(rk.get(), raw.data(), raw.size(), options.get(), queue.get());
  MESSENGER_ASSIGN_OR_RETURN(internal::EventPtr event, WaitForResult(queue.get(), deadline, "create topics"));

  const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
    Status status =
        internal::FromKafkaError(err, std::string("create topic ") + rd_kafka_topic_result_name(results[i]));
    const char* detail = rd_kafka_topic_result_error_string(results[i]);
    return Status(status.code(), status.message() + (detail ? std::string(": ") + detail : std::string()));
  }

  // Creation is acknowledged by the controller before every broker knows the topic: wait for the metadata.
  Status last;
  do {
    last = CheckMetadata(rk.get(), topics, std::max(RemainingMs(deadline), 1));
    if (last.ok()) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (Clock::now() < deadline);
  return DeadlineExceededError("kafka ensure topics: " + last.message());
}

Status DeleteTopics(const std::string& brokers, const std::vector<std::string>& topics,
                    std::chrono::milliseconds timeout) {
  if (topics.empty()) return OkStatus();
  const Clock::time_point deadline = Clock::now() + timeout;
  MESSENGER_ASSIGN_OR_RETURN(internal::HandlePtr rk, NewAdminHandle(brokers));

  std::vector<std::unique_ptr<rd_kafka_DeleteTopic_t, DeleteTopicDeleter>> owned;
  std::vector<rd_kafka_DeleteTopic_t*> raw;
  for (const std::string& name : topics) {
    owned.emplace_back(rd_kafka_DeleteTopic_new(name.c_str()));
    raw.push_back(owned.back().get());
  }
  MESSENGER_ASSIGN_OR_RETURN(
      AdminOptionsPtr options,
      NewAdminOptions(rk.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, RemainingMs(deadline)));
  internal::QueuePtr queue(rd_kafka_queue_new(rk.get()));
  rd_kafka_DeleteTopics(rk.get(), raw.data(), raw.size(), options.get(), queue.get());
  MESSENGER_ASSIGN_OR_RETURN(internal::EventPtr event, WaitForResult(queue.get(), deadline, "delete topics"));

  const rd_kafka_DeleteTopics_result_t* result = rd_kafka_event_DeleteTopics_result(event.get());
  size_t count = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_DeleteTopics_result_topics(result, &count);
  for (size_t i = 0; i < count; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    return internal::FromKafkaError(err,
                                    std::string("delete topic ") + rd_kafka_topic_result_name(results[i]));
  }
  return OkStatus();
}

}  // namespace messenger::kafka
