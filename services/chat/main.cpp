// messenger-chat: composition root. Reads the configuration, builds the objects, wires them, serves.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <stop_token>
#include <string>
#include <thread>

#include "chat/api/chat_grpc_service.hpp"
#include "chat/domain/chat_service.hpp"
#include "chat/domain/event_relay.hpp"
#include "chat/storage/grpc_directories.hpp"
#include "chat/storage/kafka_event_publisher.hpp"
#include "chat/storage/mongo_chat_store.hpp"
#include "chat/storage/mongo_message_store.hpp"
#include "chat/storage/redis_chat_cache.hpp"
#include "chat/storage/redis_connection.hpp"
#include "messenger/common/config.hpp"
#include "messenger/common/grpc_server.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/logging.hpp"
#include "messenger/common/shutdown.hpp"
#include "messenger/kafka/admin.hpp"
#include "messenger/kafka/topics.hpp"
#include "messenger/mongo/client.hpp"

namespace {

int Fail(const char* what, const messenger::Status& status) {
  messenger::log::Error(what, {{"error", status.ToString()}});
  return EXIT_FAILURE;
}

// Creates the topic, retrying in the background while Kafka is unreachable; events wait in MongoDB.
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
  log::Init("chat");

  const std::string listen =
      EnvString("LISTEN_HOST", "127.0.0.1") + ":" + std::to_string(EnvInt("LISTEN_PORT", 50054));
  const std::string topic = EnvString("CHAT_TOPIC", kafka::kChatTopic);
  const std::string brokers = KafkaSettings::FromEnv().brokers;
  const int window = static_cast<int>(EnvInt("CHAT_RECENT_WINDOW", 100));

  // MongoDB (FerretDB locally): chats, messages (each its own outbox entry), read_outbox.
  auto pool = mongo::ClientPool::Create(MongoSettings::FromEnv("chat"));
  if (!pool.ok()) return Fail("bad MongoDB configuration", pool.status());
  chat::MongoChatStore chats(**pool);
  chat::MongoMessageStore messages(**pool);
  if (Status s = chats.EnsureIndexes(); !s.ok()) return Fail("cannot create the chats indexes", s);
  if (Status s = messages.EnsureIndexes(); !s.ok()) return Fail("cannot create the messages indexes", s);

  // Redis: membership and recent-window cache; created lazily so that the service serves from MongoDB while
  // Redis is down.
  const RedisSettings redis_settings = RedisSettings::FromEnv();
  redis::ClientOptions redis_options = redis::ClientOptions::FromSettings(redis_settings);
  redis_options.client_name = "messenger-chat";
  chat::RedisConnection redis(redis_settings, redis_options);
  chat::RedisChatCacheOptions cache_options;
  cache_options.prefix = EnvString("CHAT_REDIS_PREFIX", "chat:");
  cache_options.window = window;
  cache_options.recent_ttl = seconds(EnvInt("CHAT_RECENT_TTL_S", 3600));
  cache_options.members_ttl = seconds(EnvInt("CHAT_MEMBERS_TTL_S", 86400));
  chat::RedisChatCache cache(redis, cache_options);

  // Friends and Users services.
  chat::GrpcFriendsDirectory friends(
      grpc::CreateChannel(EnvString("FRIENDS_ADDR", "127.0.0.1:50053"), grpc::InsecureChannelCredentials()),
      EnvMillis("FRIENDS_TIMEOUT_MS", milliseconds(2000)));
  chat::GrpcUserDirectory users(
      grpc::CreateChannel(EnvString("USERS_ADDR", "127.0.0.1:50052"), grpc::InsecureChannelCredentials()),
      EnvMillis("USERS_TIMEOUT_MS", milliseconds(2000)));

  // Events: the relay publishes stored messages and read marks to Kafka.
  chat::KafkaEventPublisherOptions publisher_options;
  publisher_options.brokers = brokers;
  publisher_options.topic = topic;
  publisher_options.message_timeout = EnvMillis("KAFKA_MESSAGE_TIMEOUT_MS", milliseconds(10000));
  auto publisher = chat::KafkaEventPublisher::Create(publisher_options);
  if (!publisher.ok()) return Fail("cannot create the Kafka producer", publisher.status());
  chat::EventRelayOptions relay_options;
  relay_options.batch_size = static_cast<std::size_t>(EnvInt("CHAT_RELAY_BATCH", 500));
  relay_options.scan_interval = EnvMillis("CHAT_RELAY_SCAN_INTERVAL_MS", milliseconds(10000));
  relay_options.retry_backoff = EnvMillis("CHAT_RELAY_RETRY_MS", milliseconds(1000));
  chat::EventRelay relay(messages, chats, cache, **publisher, relay_options);
  std::jthread topic_thread([&](std::stop_token stop) { EnsureTopicUntilDone(brokers, topic, stop); });
  relay.Start();

  SystemClock clock;
  chat::ChatServiceOptions service_options;
  service_options.recent_window = window;
  chat::ChatService service(chats, messages, cache, friends, users, relay, clock, service_options);
  chat::ChatGrpcService grpc_service(service);
  auto server = StartGrpcServer({listen, {&grpc_service}});
  if (!server) {
    log::Error("cannot start the gRPC server", {{"address", listen}});
    return EXIT_FAILURE;
  }
  log::Info("serving", {{"address", listen}, {"topic", topic}, {"database", (*pool)->database()}});

  ServeUntilSignal(*server, [&] { topic_thread.request_stop(); });
  relay.Stop();
  log::Info("stopped");
  return EXIT_SUCCESS;
}
