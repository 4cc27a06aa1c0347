// messenger-friends: composition root. Reads the configuration, builds the objects, wires them, serves.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <stop_token>
#include <string>
#include <thread>

#include "friends/api/friends_grpc_service.hpp"
#include "friends/domain/friendship_service.hpp"
#include "friends/storage/grpc_user_directory.hpp"
#include "friends/storage/pg_friendship_repository.hpp"
#include "friends/storage/redis_connection.hpp"
#include "friends/storage/redis_friend_cache.hpp"
#include "friends/storage/redis_presence.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/grpc_server.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/logging.hpp"
#include "messenger/common/shutdown.hpp"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/topics.hpp"
#include "messenger/outbox/kafka_publisher.hpp"
#include "messenger/outbox/outbox.hpp"
#include "messenger/outbox/relay.hpp"
#include "messenger/pg/migrations.hpp"
#include "messenger/pg/pool.hpp"

#ifndef FRIENDS_MIGRATIONS_DIR
#define FRIENDS_MIGRATIONS_DIR "migrations"
#endif

namespace {

int Fail(const char* what, const messenger::Status& status) {
  messenger::log::Error(what, {{"error", status.ToString()}});
  return EXIT_FAILURE;
}

// Creates the topic, retrying in the background while Kafka is unreachable; events wait in the outbox.
void EnsureTopicUntilDone(const std::string& brokers, const std::string& topic, std::stop_token stop) {
  using namespace std::chrono_literals;
  while (!stop.stop_requested()) {
    messenger::Status status = messenger::kafka::EnsureTopics(brokers, {{topic}}, 10s);
    if (status.ok()) return;
    messenger::log::Warn("cannot create the events topic yet",
                         {{"topic", topic}, {"error", status.ToString()}});
    for (int i = 0; i < 50 && !stop.stop_requested(); ++i) std::this_thread::sleep_for(100ms);
  }
}

}  // namespace

int main() {
  using namespace messenger;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  BlockShutdownSignals();
  log::Init("friends");

  const std::string listen =
      EnvString("LISTEN_HOST", "127.0.0.1") + ":" + std::to_string(EnvInt("LISTEN_PORT", 50053));
  const std::string topic = EnvString("FRIENDS_TOPIC", kafka::kFriendsTopic);
  const std::string brokers = KafkaSettings::FromEnv().brokers;

  // PostgreSQL: schema, outbox table, statements.
  const PgSettings pg_settings = PgSettings::FromEnv("friends");
  auto pool = pg::Pool::Create(pg_settings, pg::PoolOptions::FromEnv(pg_settings));
  if (!pool.ok()) return Fail("cannot connect to PostgreSQL", pool.status());
  Status migrated = pg::RunMigrations(**pool, EnvString("MIGRATIONS_DIR", FRIENDS_MIGRATIONS_DIR));
  if (!migrated.ok()) return Fail("migrations failed", migrated);
  Status outbox_schema = outbox::EnsureSchema(**pool);
  if (!outbox_schema.ok()) return Fail("cannot create the outbox table", outbox_schema);
  auto repository = friends::PgFriendshipRepository::Create(**pool, topic);
  if (!repository.ok()) return Fail("cannot prepare statements", repository.status());

  // Redis: cache and presence; created lazily so that the service serves from PostgreSQL while it is down.
  const RedisSettings redis_settings = RedisSettings::FromEnv();
  redis::ClientOptions redis_options = redis::ClientOptions::FromSettings(redis_settings);
  redis_options.client_name = "messenger-friends";
  friends::RedisConnection redis(redis_settings, redis_options);
  friends::RedisFriendCacheOptions cache_options;
  cache_options.prefix = EnvString("FRIENDS_REDIS_PREFIX", "friends:");
  cache_options.ttl = seconds(EnvInt("FRIENDS_CACHE_TTL_S", 600));
  friends::RedisFriendCache cache(redis, cache_options);
  friends::RedisPresence presence(redis, EnvString("PRESENCE_KEY_PREFIX", "presence:"));

  // Users service.
  friends::GrpcUserDirectoryOptions directory_options;
  directory_options.deadline = EnvMillis("USERS_TIMEOUT_MS", milliseconds(2000));
  friends::GrpcUserDirectory directory(
      grpc::CreateChannel(EnvString("USERS_ADDR", "127.0.0.1:50052"), grpc::InsecureChannelCredentials()),
      directory_options);

  // Events: outbox relay to Kafka.
  outbox::KafkaPublisherOptions publisher_options;
  publisher_options.brokers = brokers;
  publisher_options.client_id = "messenger-friends";
  auto publisher = outbox::KafkaPublisher::Create(publisher_options);
  if (!publisher.ok()) return Fail("cannot create the Kafka publisher", publisher.status());
  outbox::Relay relay(**pool, **publisher);
  std::jthread topic_thread([&](std::stop_token stop) { EnsureTopicUntilDone(brokers, topic, stop); });
  relay.Start();

  SystemClock clock;
  friends::FriendshipService service(**repository, cache, directory, presence, clock);
  friends::FriendsGrpcService grpc_service(service);
  auto server = StartGrpcServer({listen, {&grpc_service}});
  if (!server) {
    log::Error("cannot start the gRPC server", {{"address", listen}});
    return EXIT_FAILURE;
  }
  log::Info("serving", {{"address", listen}, {"topic", topic}});

  ServeUntilSignal(*server, [&] { topic_thread.request_stop(); });
  relay.Stop();
  log::Info("stopped");
  return EXIT_SUCCESS;
}
