#include "clients/grpc_health_probe.hpp"

namespace messenger::gateway {

namespace asio = boost::asio;

namespace {

const std::string kHealthCheckMethod = "/grpc.health.v1.Health/Check";
constexpr int kServing = 1;

std::string BufferBytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Valid() || !buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

}  // namespace

int HealthStatusFromBytes(const std::string& bytes) {
  // HealthCheckResponse { ServingStatus status = 1; }: the only field, tag 0x08 then a varint.
  std::size_t i = 0;
  int status = 0;
  while (i < bytes.size()) {
    unsigned char tag = static_cast<unsigned char>(bytes[i++]);
    if ((tag & 7) != 0) return 0;  // not a varint field: nothing this probe understands
    std::uint64_t value = 0;
    int shift = 0;
    while (true) {
      if (i >= bytes.size() || shift > 63) return 0;
      unsigned char b = static_cast<unsigned char>(bytes[i++]);
      value |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
      shift += 7;
    }
    if ((tag >> 3) == 1) status = static_cast<int>(value);
  }
  return status;
}

GrpcHealthProbe::GrpcHealthProbe(std::string name, std::shared_ptr<grpc::Channel> channel,
                                 std::chrono::milliseconds deadline, InFlightCalls& in_flight)
    : name_(std::move(name)), stub_(std::move(channel)), deadline_(deadline), in_flight_(in_flight) {}

asio::awaitable<Status> GrpcHealthProbe::Check(std::string request_id) {
  grpc::Slice empty("");  // HealthCheckRequest{service: ""}: the server as a whole
  grpc::ByteBuffer request(&empty, 1);
  // Named first: GCC 12 destroys an aggregate or lambda temporary twice when it sits in a co_await
  // expression (see README "Coroutine pitfalls").
  CallOptions options{deadline_, std::move(request_id)};
  auto start = [stub = &stub_](auto* context, auto* req, auto* resp, auto done) {
    stub->UnaryCall(context, kHealthCheckMethod, grpc::StubOptions(), req, resp, std::move(done));
  };
  RpcResult<grpc::ByteBuffer> result = co_await UnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      in_flight_, std::move(options), std::move(request), std::move(start));
  if (!result.ok()) co_return UnavailableError(name_ + ": " + result.status.ToString());
  int status = HealthStatusFromBytes(BufferBytes(result.value));
  if (status != kServing) co_return UnavailableError(name_ + ": health status " + std::to_string(status));
  co_return OkStatus();
}

}  // namespace messenger::gateway
