// Maps librdkafka error codes to Status, in one place. Internal to libs/kafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <string_view>

#include "messenger/common/status.hpp"

namespace messenger::kafka::internal {

// `what` names the failed operation ("produce", "commit", ...). `reason` is the optional machine reason.
Status FromKafkaError(rd_kafka_resp_err_t err, std::string_view what, std::string reason = {});

// Same, for an rd_kafka_error_t (which it destroys).
Status FromKafkaErrorObject(rd_kafka_error_t* error, std::string_view what);

}  // namespace messenger::kafka::internal
