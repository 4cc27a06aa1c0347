// Running a gRPC server with the standard health service, until SIGTERM or SIGINT.
#pragma once

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace messenger {

struct GrpcServerOptions {
  std::string listen_address;  // "127.0.0.1:50051"
  std::vector<grpc::Service*> services;
  int max_message_bytes = 4 * 1024 * 1024;
  // Threads waiting for calls (see StartGrpcServer).
  int min_pollers = 4;
  int max_pollers = 64;
};

// Builds and starts the server, with grpc.health.v1.Health reporting SERVING. Returns null on failure
// (for example, the port is taken).
std::unique_ptr<grpc::Server> StartGrpcServer(const GrpcServerOptions& options);

// Serves until a shutdown signal, then reports NOT_SERVING, runs `before_stop`, and drains calls for up to
// `grace` before returning.
void ServeUntilSignal(grpc::Server& server, const std::function<void()>& before_stop = {},
                      std::chrono::milliseconds grace = std::chrono::seconds(5));

}  // namespace messenger
