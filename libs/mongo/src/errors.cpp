#include "errors.hpp"

#include <mongoc/mongoc.h>

#include <string>

namespace messenger::mongo::internal {
namespace {

bool FromServer(uint32_t domain) {
  // With error API version 2 every error reported by the server is in one of these two domains.
  return domain == MONGOC_ERROR_SERVER || domain == MONGOC_ERROR_WRITE_CONCERN;
}

StatusCode ServerCode(uint32_t code) {
  switch (code) {
    case kDuplicateKey:
    case 11001:  // duplicate key on update (old servers)
      return StatusCode::kAlreadyExists;
    case 50:   // MaxTimeMSExpired
    case 262:  // ExceededTimeLimit
    case 64:   // WriteConcernFailed: wtimeout passed
    case 89:   // NetworkTimeout
      return StatusCode::kDeadlineExceeded;
    case 6:      // HostUnreachable
    case 7:      // HostNotFound
    case 91:     // ShutdownInProgress
    case 189:    // PrimarySteppedDown
    case 9001:   // SocketException
    case 10107:  // NotWritablePrimary
    case 11600:  // InterruptedAtShutdown
    case 11602:  // InterruptedDueToReplStateChange
    case 13435:  // NotPrimaryNoSecondaryOk
    case 13436:  // NotPrimaryOrSecondary
      return StatusCode::kUnavailable;
    case 112:  // WriteConflict
    case 251:  // NoSuchTransaction
      return StatusCode::kAborted;
    default:
      return StatusCode::kInternal;
  }
}

StatusCode CodeFor(const bson_error_t& error) {
  if (FromServer(error.domain)) return ServerCode(error.code);
  switch (error.domain) {
    case MONGOC_ERROR_SERVER_SELECTION:
    case MONGOC_ERROR_STREAM:
    case MONGOC_ERROR_PROTOCOL:
      return StatusCode::kUnavailable;
    case MONGOC_ERROR_BSON:
      return StatusCode::kInvalidArgument;
    case MONGOC_ERROR_COMMAND:
      return error.code == MONGOC_ERROR_COMMAND_INVALID_ARG ? StatusCode::kInvalidArgument
                                                            : StatusCode::kInternal;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

bool IsDuplicateKey(const bson_error_t& error) {
  return FromServer(error.domain) && ServerCode(error.code) == StatusCode::kAlreadyExists;
}

Status FromBsonError(const bson_error_t& error, std::string_view what) {
  std::string message = "mongo ";
  message.append(what);
  message += ": ";
  message += error.message;
  message += " (domain " + std::to_string(error.domain) + ", code " + std::to_string(error.code) + ")";
  return Status(CodeFor(error), std::move(message));
}

}  // namespace messenger::mongo::internal
