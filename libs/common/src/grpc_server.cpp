#include "messenger/common/grpc_server.hpp"

#include <grpcpp/health_check_service_interface.h>

#include "messenger/common/logging.hpp"
#include "messenger/common/shutdown.hpp"

namespace messenger {

std::unique_ptr<grpc::Server> StartGrpcServer(const GrpcServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(options.listen_address, grpc::InsecureServerCredentials(), &bound_port);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  for (grpc::Service* s : options.services) builder.RegisterService(s);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    log::Error("grpc server failed to start", {{"address", options.listen_address}});
    return nullptr;
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  log::Info("grpc server listening", {{"address", options.listen_address}});
  return server;
}

void ServeUntilSignal(grpc::Server& server, const std::function<void()>& before_stop,
                      std::chrono::milliseconds grace) {
  int sig = WaitForShutdownSignal();
  log::Info("shutting down", {{"signal", sig}});
  server.GetHealthCheckService()->SetServingStatus(false);
  if (before_stop) before_stop();
  server.Shutdown(std::chrono::system_clock::now() + grace);
}

}  // namespace messenger
