// Maps libpqxx exceptions to Status, in exactly one place.
#pragma once

#include <exception>

#include "messenger/common/status.hpp"

namespace messenger::pg {

// Maps an exception thrown by libpqxx (or by code running inside a transaction) to a Status:
//   unique_violation                        -> ALREADY_EXISTS
//   foreign key / check / exclusion / restrict violation -> FAILED_PRECONDITION
//   serialization_failure, deadlock_detected, other rollbacks -> ABORTED (safe to retry the transaction)
//   broken_connection, server shutting down -> UNAVAILABLE
//   statement timeout / query_canceled, lock timeout -> DEADLINE_EXCEEDED
//   in_doubt_error (connection lost during COMMIT) -> UNKNOWN (the commit may or may not have happened)
//   anything else                           -> INTERNAL
// The message is the first line of the driver's message, for developers; the SQLSTATE is appended.
Status FromPqxxException(const std::exception& e);

}  // namespace messenger::pg
