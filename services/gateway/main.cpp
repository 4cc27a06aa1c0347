// messenger-gateway: composition root. Reads the configuration, builds the clients, the route table and the
// HTTP server, runs the I/O threads until SIGTERM, then drains. See README.md.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "api/routes.hpp"
#include "api/token_authenticator.hpp"
#include "clients/blocking_pool.hpp"
#include "clients/grpc_clients.hpp"
#include "clients/grpc_health_probe.hpp"
#include "clients/grpc_social_clients.hpp"
#include "clients/redis_checks.hpp"
#include "http/dispatcher.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/logging.hpp"
#include "messenger/common/shutdown.hpp"
#include "messenger/token/token.hpp"
#include "ws/realtime_component.hpp"

namespace {

using namespace messenger;
using namespace messenger::gateway;

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int Run() {
  const ServerOptions server_options = ServerOptions::FromEnv();
  const auto cores = static_cast<std::int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = static_cast<int>(std::max<std::int64_t>(1, EnvInt("GATEWAY_THREADS", cores)));
  const auto rpc_deadline = EnvMillis("GRPC_DEADLINE_MS", std::chrono::milliseconds(3000));
  const auto readiness_deadline = EnvMillis("READINESS_TIMEOUT_MS", std::chrono::milliseconds(1000));
  const auto shutdown_grace = EnvMillis("SHUTDOWN_GRACE_MS", std::chrono::milliseconds(5000));
  const RedisSettings redis_settings = RedisSettings::FromEnv();

  const std::string key_file = EnvString("JWT_PUBLIC_KEY_FILE", "");
  if (key_file.empty()) {
    log::Error("JWT_PUBLIC_KEY_FILE is not set");
    return 1;
  }
  StatusOr<std::string> public_key = ReadFile(key_file);
  if (!public_key.ok()) {
    log::Error("cannot load the token public key", {{"error", public_key.status().ToString()}});
    return 1;
  }
  SystemClock clock;
  auto verifier =
      token::Verifier::Create(std::move(public_key).value(), EnvString("JWT_ISSUER", "messenger-auth"),
                              EnvString("JWT_AUDIENCE", "messenger-api"), clock);
  if (!verifier.ok()) {
    log::Error("bad token public key", {{"error", verifier.status().ToString()}});
    return 1;
  }

  boost::asio::io_context ioc(threads);
  InFlightCalls in_flight;
  BlockingPool blocking(static_cast<std::size_t>(std::max(1, redis_settings.pool_size)));
  LazyRedisClient redis(redis_settings);  // blocking: the real-time presence store and its session sweeps
  // The per-request revocation check and the readiness PING: on the io_context, no thread hand-off.
  AsyncRedisOptions redis_options = AsyncRedisOptions::FromSettings(redis_settings);
  redis_options.client_name = "gateway";
  AsyncRedisClient redis_async(ioc.get_executor(), std::move(redis_options));
  AsyncRedisSessionLiveness liveness(redis_async);
  AsyncRedisPingProbe redis_probe(redis_async);

  auto auth_channel = MakeChannel(EnvString("AUTH_ADDR", "127.0.0.1:50051"));
  auto users_channel = MakeChannel(EnvString("USERS_ADDR", "127.0.0.1:50052"));
  GrpcAuthClient auth(auth_channel, rpc_deadline, in_flight);
  GrpcUsersClient users(users_channel, rpc_deadline, in_flight);
  GrpcHealthProbe auth_probe("auth", auth_channel, readiness_deadline, in_flight);
  GrpcHealthProbe users_probe("users", users_channel, readiness_deadline, in_flight);
  auto friends_channel = MakeChannel(EnvString("FRIENDS_ADDR", "127.0.0.1:50053"));
  auto chat_channel = MakeChannel(EnvString("CHAT_ADDR", "127.0.0.1:50054"));
  GrpcFriendsClient friends(friends_channel, rpc_deadline, in_flight);
  GrpcChatClient chat(chat_channel, rpc_deadline, in_flight);
  GrpcHealthProbe friends_probe("friends", friends_channel, readiness_deadline, in_flight);
  GrpcHealthProbe chat_probe("chat", chat_channel, readiness_deadline, in_flight);

  // Real time (GET /v1/ws): the event consumer starts positioning itself now, before the server listens.
  RealtimeComponent realtime(RealtimeComponent::Dependencies{ioc, redis, blocking, redis_settings,
                                                             users_channel, rpc_deadline, in_flight},
                             RealtimeConfig::FromEnv(std::chrono::system_clock::now()));
  std::vector<ReadinessProbe*> probes = {&auth_probe, &users_probe, &friends_probe, &chat_probe,
                                         &redis_probe};
  for (ReadinessProbe* probe : realtime.probes()) probes.push_back(probe);

  Metrics metrics;
  Router router;
  AddAllRoutes(router, RouteDependencies{auth, users, metrics, probes, &friends, &chat, &realtime.service()});
  TokenAuthenticator authenticator(**verifier, liveness);
  Dispatcher dispatcher(router, authenticator);
  HttpServer server(ioc, server_options, dispatcher, metrics);
  if (Status started = server.Start(); !started.ok()) {
    log::Error("cannot listen", {{"error", started.ToString()}});
    return 1;
  }

  auto work = boost::asio::make_work_guard(ioc);
  std::vector<std::thread> io_threads;
  for (int i = 0; i < threads; ++i) io_threads.emplace_back([&ioc] { ioc.run(); });
  realtime.Start();
  log::Info("gateway listening",
            {{"host", server_options.host}, {"port", server.port()}, {"threads", threads}});

  int signal = WaitForShutdownSignal();
  log::Info("shutting down", {{"signal", signal}});
  server.StopAccepting();
  realtime.Shutdown(shutdown_grace);  // WebSockets close with 1001; clients reconnect to another instance
  auto give_up = std::chrono::steady_clock::now() + shutdown_grace;
  while (server.active_requests() > 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  work.reset();
  ioc.stop();
  for (std::thread& t : io_threads) t.join();
  // Calls still out resume onto the (stopped) io_context; it must outlive their completions.
  in_flight.WaitIdle(rpc_deadline + std::chrono::seconds(1));
  blocking.Stop();
  log::Info("gateway stopped");
  return 0;
}

}  // namespace

int main() {
  messenger::BlockShutdownSignals();
  messenger::log::Init("gateway");
  return Run();
}
