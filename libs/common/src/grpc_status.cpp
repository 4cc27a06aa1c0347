#include "messenger/common/grpc_status.hpp"

#include "messenger/common/ids.hpp"

namespace messenger {
namespace {

std::string FindTrailer(const grpc::ClientContext& context, const char* key) {
  const auto& md = context.GetServerTrailingMetadata();
  auto it = md.find(key);
  if (it == md.end()) return {};
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

grpc::Status ToGrpcStatus(const Status& status, grpc::ServerContext* context,
                          std::optional<std::chrono::seconds> retry_after) {
  if (status.ok()) return grpc::Status::OK;
  if (context != nullptr) {
    if (!status.reason().empty()) context->AddTrailingMetadata(kReasonMetadataKey, status.reason());
    if (retry_after) context->AddTrailingMetadata(kRetryAfterMetadataKey, std::to_string(retry_after->count()));
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
}

Status FromGrpcStatus(const grpc::Status& status, const grpc::ClientContext& context) {
  if (status.ok()) return Status();
  return Status(static_cast<StatusCode>(status.error_code()), status.error_message(),
                FindTrailer(context, kReasonMetadataKey));
}

std::optional<std::chrono::seconds> RetryAfterFromContext(const grpc::ClientContext& context) {
  std::string v = FindTrailer(context, kRetryAfterMetadataKey);
  if (v.empty()) return std::nullopt;
  try {
    return std::chrono::seconds(std::stoll(v));
  } catch (...) {
    return std::nullopt;
  }
}

std::unique_ptr<grpc::ClientContext> NewClientContext(std::chrono::milliseconds deadline,
                                                      const std::string& request_id) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + deadline);
  if (!request_id.empty()) ctx->AddMetadata(kRequestIdMetadataKey, request_id);
  return ctx;
}

std::string RequestIdFromServerContext(const grpc::ServerContext& context) {
  const auto& md = context.client_metadata();
  auto it = md.find(kRequestIdMetadataKey);
  if (it != md.end() && it->second.size() <= 128) return std::string(it->second.data(), it->second.size());
  return NewUuid();
}

}  // namespace messenger
