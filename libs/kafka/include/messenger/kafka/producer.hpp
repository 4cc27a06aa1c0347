// Kafka producer over librdkafka: idempotent (enable.idempotence=true, acks=all), one background thread
// serving delivery reports. No librdkafka type appears in this header.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "messenger/common/status.hpp"

namespace messenger::kafka {

// Machine reasons carried by a failed Send/SendAsync status. They tell a retrying caller (e.g. an outbox
// relay) whether a retry can create a duplicate record:
//   kReasonNotPersisted      the broker never stored the record; retrying cannot duplicate it.
//   kReasonPossiblyPersisted the record was sent but no acknowledgement came back (timeout, connection
//                            lost); it may or may not be in the log, so a retry may duplicate it.
//   kReasonDeliveryPending   Send stopped waiting (its own timeout) while the record is still queued in the
//                            producer; it may be delivered later, so a retry may duplicate it.
// The idempotent producer removes duplicates caused by its own internal retries only, never duplicates
// caused by the caller producing the same payload twice. Consumers must therefore deduplicate (every
// Envelope carries an event id). A failure that happens before the record is queued (invalid argument, queue
// full) also carries kReasonNotPersisted.
inline constexpr char kReasonNotPersisted[] = "KAFKA_NOT_PERSISTED";
inline constexpr char kReasonPossiblyPersisted[] = "KAFKA_POSSIBLY_PERSISTED";
inline constexpr char kReasonDeliveryPending[] = "KAFKA_DELIVERY_PENDING";
// The idempotent producer hit a fatal error (e.g. sequence gap it cannot repair). Every later send fails
// with this reason; the owner should destroy the Producer and create a new one. Records failed this way
// count as possibly persisted.
inline constexpr char kReasonProducerFatal[] = "KAFKA_PRODUCER_FATAL";

struct ProducerOptions {
  std::string brokers;    // bootstrap.servers, "host:port,host:port"
  std::string client_id;  // client.id, shows up in broker logs and metrics
  // message.timeout.ms: the longest time a record may wait in the producer (including retries) before its
  // delivery fails. Keep Send timeouts >= this value if a failed Send must mean "the record is finished".
  std::chrono::milliseconds message_timeout{30000};
  // linger.ms: how long records wait to be batched.
  std::chrono::milliseconds linger{5};
  // topic.metadata.propagation.max.ms: how long a topic the broker reports as missing is waited for before
  // its records fail with NOT_FOUND. Topics are created explicitly (auto creation is off), so this only
  // needs to cover metadata propagation between brokers after creation.
  std::chrono::milliseconds unknown_topic_timeout{5000};
  // Extra librdkafka properties, applied last (may override the above; idempotence/acks are forced).
  std::map<std::string, std::string> extra;
};

class Producer {
 public:
  // Fails with INVALID_ARGUMENT on a bad configuration. Does not wait for the brokers to be reachable.
  static StatusOr<std::unique_ptr<Producer>> Create(const ProducerOptions& options);

  // Flushes outstanding records for up to message_timeout, then fails whatever is left (their callbacks
  // run with CANCELLED / kReasonNotPersisted or kReasonPossiblyPersisted) and stops the poll thread.
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Produces one record (partition chosen by hashing `key`, an empty key gives a null key) and waits for its
  // delivery report. OK means the broker acknowledged the record with acks=all (it is persisted).
  // Failure codes: NOT_FOUND (topic does not exist), DEADLINE_EXCEEDED (message_timeout or `timeout`
  // elapsed; broker down shows up this way), UNAVAILABLE (connection/leader errors), RESOURCE_EXHAUSTED
  // (local queue full), INVALID_ARGUMENT (record too large), INTERNAL (fatal producer state). The reason
  // (see above) says whether retrying may duplicate the record.
  Status Send(const std::string& topic, const std::string& key, const std::string& value,
              std::chrono::milliseconds timeout);

  // Like Send but returns at once; `done` runs exactly once, on the producer's poll thread (or inline when
  // the record cannot even be enqueued). `done` must not block for long and must not destroy the Producer.
  void SendAsync(const std::string& topic, const std::string& key, const std::string& value,
                 std::function<void(Status)> done);

  // Waits until every outstanding record has its delivery report (OK) or `timeout` elapses
  // (DEADLINE_EXCEEDED).
  Status Flush(std::chrono::milliseconds timeout);

  class Impl;

 private:
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace messenger::kafka
