#include "ws/realtime_component.hpp"

#include <unistd.h>

#include <boost/asio/post.hpp>

#include "messenger/kafka/topics.hpp"

namespace messenger::gateway {

namespace {

std::string DefaultInstanceId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  std::string name = host[0] != '\0' ? std::string(host) : std::string("gateway");
  return name + "-" + std::to_string(EnvInt("LISTEN_PORT", 8080));
}

}  // namespace

RealtimeConfig RealtimeConfig::FromEnv(std::chrono::system_clock::time_point started) {
  RealtimeConfig c;
  const std::string instance_id = EnvString("GATEWAY_INSTANCE_ID", DefaultInstanceId());
  c.service = RealtimeOptions::FromEnv(instance_id);
  c.events.brokers = KafkaSettings::FromEnv().brokers;
  c.events.group_id = "gateway-" + instance_id;
  c.events.topics = {EnvString("CHAT_TOPIC", kafka::kChatTopic),
                     EnvString("FRIENDS_TOPIC", kafka::kFriendsTopic)};
  c.events.start_not_before = started - EnvMillis("EVENTS_START_MARGIN_MS", std::chrono::milliseconds(5000));
  c.dedup_capacity =
      static_cast<std::size_t>(std::max<std::int64_t>(1, EnvInt("EVENTS_DEDUP_CAPACITY", 100'000)));
  c.keys.presence_prefix = EnvString("PRESENCE_KEY_PREFIX", "presence:");
  const std::string prefix = EnvString("GATEWAY_REDIS_PREFIX", "gateway:");
  c.keys.connections_prefix = prefix + "conns:";
  c.keys.session_channel = prefix + "session-ended";
  c.presence_ttl = std::chrono::seconds(std::max<std::int64_t>(1, EnvInt("PRESENCE_TTL_S", 60)));
  c.profiles.cache_ttl = EnvMillis("WS_PROFILE_CACHE_TTL_MS", c.profiles.cache_ttl);
  return c;
}

RealtimeComponent::RealtimeComponent(Dependencies deps, RealtimeConfig config) : config_(std::move(config)) {
  store_ = std::make_unique<RedisRealtimeStore>(deps.redis, config_.keys, config_.presence_ttl);
  // Refreshed three times per TTL: one lost refresh never takes a live user offline.
  presence_ = std::make_unique<PresenceTracker>(*store_, config_.presence_ttl / 3);
  profile_source_ =
      std::make_unique<GrpcProfileSource>(deps.users_channel, deps.rpc_deadline, deps.in_flight);
  profiles_ = std::make_unique<ProfileResolver>(deps.ioc.get_executor(), *profile_source_, config_.profiles);
  fanout_ = std::make_unique<EventFanout>(registry_, *profiles_, config_.dedup_capacity);
  events_ = std::make_unique<KafkaEventSource>(
      config_.events, [fanout = fanout_.get()](std::string_view v) { fanout->Deliver(v); });
  service_ = std::make_unique<RealtimeService>(deps.ioc.get_executor(), config_.service, registry_,
                                               *presence_, *store_, deps.blocking,
                                               [events = events_.get()] { return events->positioned(); });
  SubscriberOptions subscriber;
  subscriber.host = deps.redis_settings.host;
  subscriber.port = deps.redis_settings.port;
  subscriber.channel = config_.keys.session_channel;
  subscriber_ = std::make_unique<RedisSessionSubscriber>(
      deps.ioc.get_executor(), subscriber,
      [service = service_.get()](std::string session_id) { service->EndSession(session_id); },
      [service = service_.get()] { service->CheckAllSessionsSoon(); });
}

RealtimeComponent::~RealtimeComponent() { Shutdown(std::chrono::milliseconds(0)); }

void RealtimeComponent::Start() {
  subscriber_->Start();
  service_->Start();
}

void RealtimeComponent::Shutdown(std::chrono::milliseconds grace) {
  if (stopped_) return;
  stopped_ = true;
  service_->Shutdown(grace);
  subscriber_->Stop();
  events_->Stop();
  presence_->Stop();
}

}  // namespace messenger::gateway
