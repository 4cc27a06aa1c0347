// The real-time part of the composition root, shared by main.cpp and the in-process tests: builds the
// WebSocket service and what feeds it from the environment (README "Real time"), and starts and stops them
// in the right order.
//
//   Kafka (chat + friends topics) -> KafkaEventSource -> EventFanout -> ConnectionRegistry -> sockets
//                                                         \-> ProfileResolver (Users) for friend events
//   Redis: RedisRealtimeStore (presence, session checks, broadcast) + RedisSessionSubscriber (broadcasts)
#pragma once

#include <grpcpp/grpcpp.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "clients/blocking_pool.hpp"
#include "clients/readiness_probe.hpp"
#include "clients/redis_checks.hpp"
#include "clients/rpc.hpp"
#include "events/event_fanout.hpp"
#include "events/grpc_profile_source.hpp"
#include "events/kafka_event_source.hpp"
#include "events/presence_tracker.hpp"
#include "events/profile_resolver.hpp"
#include "events/redis_realtime_store.hpp"
#include "events/redis_session_subscriber.hpp"
#include "messenger/common/config.hpp"
#include "ws/connection_registry.hpp"
#include "ws/realtime_service.hpp"

namespace messenger::gateway {

struct RealtimeConfig {
  RealtimeOptions service;
  EventSourceOptions events;
  RedisRealtimeKeys keys;
  std::chrono::milliseconds presence_ttl{60'000};
  std::size_t dedup_capacity = 100'000;
  ProfileResolverOptions profiles;

  // GATEWAY_INSTANCE_ID (default "<hostname>-<LISTEN_PORT>"), KAFKA_BROKERS, CHAT_TOPIC, FRIENDS_TOPIC,
  // EVENTS_START_MARGIN_MS, EVENTS_DEDUP_CAPACITY, PRESENCE_KEY_PREFIX, PRESENCE_TTL_S, GATEWAY_REDIS_PREFIX,
  // WS_PROFILE_CACHE_TTL_MS and RealtimeOptions::FromEnv. The events start at `started` minus the margin.
  static RealtimeConfig FromEnv(std::chrono::system_clock::time_point started);
};

class RealtimeComponent {
 public:
  struct Dependencies {
    boost::asio::io_context& ioc;
    LazyRedisClient& redis;
    BlockingPool& blocking;
    RedisSettings redis_settings;  // the subscriber's own connection
    std::shared_ptr<grpc::Channel> users_channel;
    std::chrono::milliseconds rpc_deadline;
    InFlightCalls& in_flight;
  };

  // Builds everything and starts the event consumer's thread (it positions itself in the background).
  RealtimeComponent(Dependencies deps, RealtimeConfig config);
  ~RealtimeComponent();
  RealtimeComponent(const RealtimeComponent&) = delete;
  RealtimeComponent& operator=(const RealtimeComponent&) = delete;

  RealtimeService& service() { return *service_; }
  ConnectionRegistry& registry() { return registry_; }
  const EventFanout& fanout() const { return *fanout_; }
  // For /readyz: "events" (consumer positioned) and "session-channel" (subscribed).
  std::vector<ReadinessProbe*> probes() { return {events_.get(), subscriber_.get()}; }

  // Starts the broadcast subscriber and the periodic session check (the io_context must run).
  void Start();
  // Refuses upgrades, closes every socket (1001, waiting up to `grace`), stops the consumer, the subscriber
  // and the presence writer (which sends what is queued). Idempotent.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  const RealtimeConfig config_;
  ConnectionRegistry registry_;
  std::unique_ptr<RedisRealtimeStore> store_;
  std::unique_ptr<PresenceTracker> presence_;
  std::unique_ptr<GrpcProfileSource> profile_source_;
  std::unique_ptr<ProfileResolver> profiles_;
  std::unique_ptr<EventFanout> fanout_;
  std::unique_ptr<KafkaEventSource> events_;
  std::unique_ptr<RealtimeService> service_;
  std::unique_ptr<RedisSessionSubscriber> subscriber_;
  bool stopped_ = false;
};

}  // namespace messenger::gateway
