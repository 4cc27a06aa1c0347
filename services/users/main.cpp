// messenger-users: composition root. Reads the configuration, builds the objects, wires them, serves.
#include <chrono>
#include <cstdlib>
#include <stop_token>
#include <string>
#include <thread>

#include "messenger/common/config.hpp"
#include "messenger/common/grpc_server.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/logging.hpp"
#include "messenger/common/shutdown.hpp"
#include "messenger/pg/migrations.hpp"
#include "messenger/pg/pool.hpp"
#include "users/api/registration_consumer.hpp"
#include "users/api/reservation_sweeper.hpp"
#include "users/api/users_grpc_service.hpp"
#include "users/domain/profile_service.hpp"
#include "users/domain/registration_handler.hpp"
#include "users/storage/lazy_redis_client.hpp"
#include "users/storage/pg_profile_repository.hpp"
#include "users/storage/redis_profile_cache.hpp"

#ifndef USERS_MIGRATIONS_DIR
#define USERS_MIGRATIONS_DIR "migrations"
#endif

namespace {

int Fail(const char* what, const messenger::Status& status) {
  messenger::log::Error(what, {{"error", status.ToString()}});
  return EXIT_FAILURE;
}

}  // namespace

int main() {
  using namespace messenger;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  BlockShutdownSignals();
  log::Init("users");

  const std::string listen =
      EnvString("LISTEN_HOST", "127.0.0.1") + ":" + std::to_string(EnvInt("LISTEN_PORT", 50052));
  const PgSettings pg_settings = PgSettings::FromEnv("users");

  auto pool = pg::Pool::Create(pg_settings, pg::PoolOptions::FromEnv(pg_settings));
  if (!pool.ok()) return Fail("cannot connect to PostgreSQL", pool.status());
  Status migrated = pg::RunMigrations(**pool, EnvString("MIGRATIONS_DIR", USERS_MIGRATIONS_DIR));
  if (!migrated.ok()) return Fail("migrations failed", migrated);
  auto repository = users::PgProfileRepository::Create(**pool);
  if (!repository.ok()) return Fail("cannot prepare statements", repository.status());

  redis::ClientOptions redis_options = redis::ClientOptions::FromSettings(RedisSettings::FromEnv());
  redis_options.client_name = "messenger-users";
  users::LazyRedisClient redis_client(RedisSettings::FromEnv(), redis_options);
  users::RedisProfileCacheOptions cache_options;
  cache_options.key_prefix = EnvString("USERS_REDIS_PREFIX", "users:");
  cache_options.profile_ttl = seconds(EnvInt("USERS_CACHE_TTL_S", 600));
  users::RedisProfileCache cache(redis_client, cache_options);

  SystemClock clock;
  users::ProfileServiceOptions service_options;
  service_options.reservation_ttl = seconds(EnvInt("RESERVATION_TTL_S", 86400));
  users::ProfileService profiles(**repository, cache, clock, service_options);
  users::RegistrationHandler registrations(**repository, clock);

  users::RegistrationConsumerOptions consumer_options;
  consumer_options.brokers = KafkaSettings::FromEnv().brokers;
  consumer_options.topic = EnvString("USERS_TOPIC", "messenger.users.v1");
  consumer_options.group_id = EnvString("USERS_CONSUMER_GROUP", "users-service");
  users::RegistrationConsumer consumer(consumer_options, registrations);

  users::UsersGrpcService grpc_service(profiles);
  auto server = StartGrpcServer({listen, {&grpc_service}});
  if (!server) return EXIT_FAILURE;

  std::jthread consumer_thread([&](std::stop_token stop) { consumer.Run(stop); });
  const milliseconds sweep_interval = seconds(EnvInt("RESERVATION_SWEEP_INTERVAL_S", 3600));
  std::jthread sweeper_thread(
      [&](std::stop_token stop) { users::RunReservationSweeper(profiles, sweep_interval, stop); });

  ServeUntilSignal(*server, [&] {
    consumer_thread.request_stop();
    sweeper_thread.request_stop();
  });
  consumer_thread.join();
  sweeper_thread.join();
  log::Info("stopped");
  return EXIT_SUCCESS;
}
