// Readiness through the standard gRPC health service (grpc.health.v1.Health/Check, overall server status),
// called with a generic stub so no health proto needs compiling.
#pragma once

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "clients/readiness_probe.hpp"
#include "clients/rpc.hpp"

namespace messenger::gateway {

class GrpcHealthProbe final : public ReadinessProbe {
 public:
  GrpcHealthProbe(std::string name, std::shared_ptr<grpc::Channel> channel,
                  std::chrono::milliseconds deadline, InFlightCalls& in_flight);

  std::string_view name() const override { return name_; }
  // OK for SERVING; UNAVAILABLE for any other answer or a failed call.
  boost::asio::awaitable<Status> Check(std::string request_id) override;

 private:
  const std::string name_;
  grpc::GenericStub stub_;
  const std::chrono::milliseconds deadline_;
  InFlightCalls& in_flight_;
};

// The `status` field of an encoded grpc.health.v1.HealthCheckResponse (0 when absent or unreadable).
int HealthStatusFromBytes(const std::string& bytes);

}  // namespace messenger::gateway
