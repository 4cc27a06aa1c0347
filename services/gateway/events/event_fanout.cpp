#include "events/event_fanout.hpp"

#include "messenger/common/logging.hpp"
#include "messenger/events/v1/events.pb.h"

namespace messenger::gateway {

EventFanout::EventFanout(ConnectionRegistry& registry, ProfileResolver& profiles, std::size_t dedup_capacity)
    : registry_(registry), profiles_(profiles), seen_(dedup_capacity) {}

void EventFanout::Deliver(std::string_view value) {
  ++events_;
  events::v1::Envelope envelope;
  if (!envelope.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    ++malformed_;
    log::Warn("dropped an event that is not an Envelope",
              {{"bytes", static_cast<std::int64_t>(value.size())}});
    return;
  }
  // An event without an ID cannot be de-duplicated; it is still delivered.
  if (!envelope.event_id().empty() && !seen_.Insert(envelope.event_id())) {
    ++duplicates_;
    return;
  }
  RoutedEvent routed = RouteEvent(envelope);
  if (auto* chat = std::get_if<ChatFrame>(&routed)) {
    auto frame = std::make_shared<const std::string>(std::move(chat->frame));
    *frames_ += registry_.SendToUsers(chat->recipients, frame);
    return;
  }
  if (auto* notice = std::get_if<FriendNotice>(&routed)) {
    // Only this instance's users: no profile lookups for recipients connected elsewhere (or nowhere).
    if (registry_.OfUser(notice->recipient_id).empty()) return;
    profiles_.Resolve(notice->subject_id, [&registry = registry_, frames = frames_, kind = notice->kind,
                                           recipient = notice->recipient_id,
                                           event_id = envelope.event_id()](StatusOr<Profile> profile) {
      if (!profile.ok()) {
        log::Warn("friend event not delivered: no profile",
                  {{"event_id", event_id}, {"error", profile.status().ToString()}});
        return;
      }
      auto frame = std::make_shared<const std::string>(FriendFrame(kind, *profile));
      *frames += registry.SendToUsers({recipient}, frame);
    });
  }
}

EventFanout::Counts EventFanout::counts() const {
  return Counts{events_.load(), duplicates_.load(), malformed_.load(), frames_->load()};
}

}  // namespace messenger::gateway
