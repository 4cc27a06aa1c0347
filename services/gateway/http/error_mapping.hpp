// The ONE table from Status codes (gRPC's canonical codes) to HTTP answers, as API.md "Errors" says.
//
//   INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400     UNAUTHENTICATED -> 401
//   PERMISSION_DENIED -> 403       NOT_FOUND -> 404                ALREADY_EXISTS, ABORTED -> 409
//   RESOURCE_EXHAUSTED -> 429 (code RATE_LIMITED, Retry-After)     UNAVAILABLE -> 503
//   DEADLINE_EXCEEDED -> 504       anything else -> 500
//
// The body's code is the Status reason (EMAIL_TAKEN ...) when it has one, else the code's name. A 4xx carries
// the service's message (written for developers, free of internals); a 5xx carries a fixed message and no
// reason, so nothing internal (addresses, SQL, stack) reaches a client.
#pragma once

#include <chrono>
#include <optional>

#include "http/response.hpp"
#include "messenger/common/status.hpp"

namespace messenger::gateway {

int HttpStatusFor(StatusCode code);

// The "code" word of the error body for this status.
std::string ErrorCodeFor(const Status& status);

// The full error answer. `retry_after` becomes the Retry-After header of a 429 (1 second when absent).
Response ErrorResponseFor(const Status& status,
                          std::optional<std::chrono::seconds> retry_after = std::nullopt);

}  // namespace messenger::gateway
