// The Kafka side of registration: reads UserRegistered envelopes from the users topic and hands them to the
// domain's RegistrationHandler. Offsets are committed only after the handler's transaction committed.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>

#include "messenger/common/status.hpp"
#include "messenger/kafka/consumer.hpp"
#include "users/domain/registration_handler.hpp"

namespace messenger::users {

struct RegistrationConsumerOptions {
  std::string brokers;
  std::string topic = "messenger.users.v1";
  std::string group_id = "users-service";
  std::string client_id = "messenger-users";
  int topic_partitions = 4;
  // Pause of a partition after a failed record (the database is down, say) before it is tried again.
  std::chrono::milliseconds retry_backoff{1000};
};

class RegistrationConsumer {
 public:
  RegistrationConsumer(RegistrationConsumerOptions options, RegistrationHandler& handler);

  // Creates the topic when it does not exist yet (retrying while the brokers are unreachable), joins the
  // group and handles records until `stop` is requested.
  void Run(std::stop_token stop);

  // Decodes one record and applies it. OK (commit the offset) when it was applied, was not a UserRegistered
  // event, or can never be applied (an undecodable value or a malformed event; logged and skipped). An error
  // means "try again later".
  Status HandleRecord(const kafka::Record& record);

 private:
  const RegistrationConsumerOptions options_;
  RegistrationHandler& handler_;
};

}  // namespace messenger::users
