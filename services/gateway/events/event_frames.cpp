#include "events/event_frames.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "messenger/common/ids.hpp"

namespace messenger::gateway {

namespace json = boost::json;
namespace eventspb = messenger::events::v1;

namespace {

// The participants, each once, in their order, optionally without one user.
std::vector<std::string> Recipients(const google::protobuf::RepeatedPtrField<std::string>& participants,
                                    const std::string& except = {}) {
  std::vector<std::string> out;
  out.reserve(participants.size());
  for (const std::string& id : participants) {
    if (id.empty() || id == except) continue;
    if (std::find(out.begin(), out.end(), id) != out.end()) continue;
    out.push_back(id);
  }
  return out;
}

RoutedEvent MessageCreated(const eventspb::MessageSent& m) {
  if (m.chat_id().empty()) return std::monostate{};
  json::object message{{"message_id", m.message_id()},
                       {"chat_id", m.chat_id()},
                       {"seq", m.seq()},
                       {"author_id", m.author_id()},
                       {"content", m.content()},
                       {"created_at", FormatRfc3339Millis(m.created_at_unix_ms())}};
  json::object frame{{"type", "message.created"}, {"message", std::move(message)}};
  return ChatFrame{m.chat_id(), Recipients(m.participant_ids()), json::serialize(frame)};
}

RoutedEvent ChatReadFrame(const eventspb::ChatRead& r) {
  if (r.chat_id().empty() || r.user_id().empty()) return std::monostate{};
  json::object frame{
      {"type", "chat.read"}, {"chat_id", r.chat_id()}, {"user_id", r.user_id()}, {"seq", r.seq()}};
  return ChatFrame{r.chat_id(), Recipients(r.participant_ids(), r.user_id()), json::serialize(frame)};
}

RoutedEvent Notice(FriendNotice::Kind kind, const std::string& recipient, const std::string& subject) {
  if (recipient.empty() || subject.empty() || recipient == subject) return std::monostate{};
  return FriendNotice{kind, recipient, subject};
}

}  // namespace

RoutedEvent RouteEvent(const eventspb::Envelope& envelope) {
  switch (envelope.payload_case()) {
    case eventspb::Envelope::kMessageSent:
      return MessageCreated(envelope.message_sent());
    case eventspb::Envelope::kChatRead:
      return ChatReadFrame(envelope.chat_read());
    case eventspb::Envelope::kFriendRequestSent:
      return Notice(FriendNotice::Kind::kRequestReceived, envelope.friend_request_sent().to_user_id(),
                    envelope.friend_request_sent().from_user_id());
    case eventspb::Envelope::kFriendRequestAccepted:
      return Notice(FriendNotice::Kind::kRequestAccepted, envelope.friend_request_accepted().requester_id(),
                    envelope.friend_request_accepted().accepter_id());
    default:
      return std::monostate{};
  }
}

std::string FriendFrame(FriendNotice::Kind kind, const Profile& subject) {
  json::object profile{{"user_id", subject.user_id},
                       {"nickname", subject.nickname},
                       {"bio", subject.bio},
                       {"avatar_url", subject.avatar_url}};
  json::object frame;
  if (kind == FriendNotice::Kind::kRequestReceived) {
    frame = json::object{{"type", "friend.request.received"}, {"from", std::move(profile)}};
  } else {
    frame = json::object{{"type", "friend.request.accepted"}, {"by", std::move(profile)}};
  }
  return json::serialize(frame);
}

}  // namespace messenger::gateway
