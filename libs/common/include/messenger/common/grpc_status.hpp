// Status <-> grpc::Status. The machine-readable reason travels in the trailing metadata key
// "x-error-reason", and a retry delay in "retry-after" (seconds).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <optional>
#include <string>

#include "messenger/common/status.hpp"

namespace messenger {

inline constexpr char kReasonMetadataKey[] = "x-error-reason";
inline constexpr char kRetryAfterMetadataKey[] = "retry-after";
inline constexpr char kRequestIdMetadataKey[] = "x-request-id";

// Server side: turns a Status into a grpc::Status, putting its reason (and a retry delay) into the
// context's trailing metadata.
grpc::Status ToGrpcStatus(const Status& status, grpc::ServerContext* context,
                          std::optional<std::chrono::seconds> retry_after = std::nullopt);

// Client side: turns a grpc::Status and the call's trailing metadata into a Status.
Status FromGrpcStatus(const grpc::Status& status, const grpc::ClientContext& context);

// The retry delay a server attached to a failed call, if any.
std::optional<std::chrono::seconds> RetryAfterFromContext(const grpc::ClientContext& context);

// A client context with a deadline, carrying the current request ID.
std::unique_ptr<grpc::ClientContext> NewClientContext(std::chrono::milliseconds deadline,
                                                      const std::string& request_id);

// The request ID a caller sent in metadata, or a new one.
std::string RequestIdFromServerContext(const grpc::ServerContext& context);

}  // namespace messenger
