// Turns each consumed event into frames on the sockets of this instance: parse the Envelope, drop a
// duplicate (event_id seen recently), route it (event_frames.hpp) and queue the frame on every socket of
// every recipient connected here. Chat frames are queued synchronously, on the consumer's thread, in the
// order the records come (per chat that is the partition order, i.e. seq order), and a socket's queue keeps
// that order. Friend frames need a profile: they are queued when the ProfileResolver answers, and only for
// recipients connected here (others' gateways do the same for theirs).
//
// Deliver() is called from the one consumer thread (RecentIds is not thread-safe); it never blocks on a
// socket or a network call.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "events/profile_resolver.hpp"
#include "events/recent_ids.hpp"
#include "ws/connection_registry.hpp"

namespace messenger::gateway {

class EventFanout {
 public:
  // Both must outlive the fan-out.
  EventFanout(ConnectionRegistry& registry, ProfileResolver& profiles, std::size_t dedup_capacity = 100'000);

  // One Kafka record value. A malformed value is logged and dropped (it must not stop the stream).
  void Deliver(std::string_view value);

  struct Counts {
    std::uint64_t events = 0;      // records seen
    std::uint64_t duplicates = 0;  // dropped as already seen
    std::uint64_t malformed = 0;
    std::uint64_t frames = 0;  // frames queued on sockets
  };
  Counts counts() const;

 private:
  ConnectionRegistry& registry_;
  ProfileResolver& profiles_;
  RecentIds seen_;
  std::atomic<std::uint64_t> events_{0}, duplicates_{0}, malformed_{0};
  std::shared_ptr<std::atomic<std::uint64_t>> frames_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

}  // namespace messenger::gateway
