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
  // The synchronous server keeps between MIN and MAX threads polling for calls. gRPC's defaults (1 and 2)
  // make a thread exit after nearly every call under concurrency and another be created for the next one:
  // thread creation then cost the Users service more CPU than its calls (perf, issue 8). Idle pollers only
  // wait; keep enough of them for the concurrency the gateway drives.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, options.min_pollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, options.max_pollers);
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
