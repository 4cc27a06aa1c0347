// What a Kafka event means for WebSocket clients (API.md "Real time"): who receives it and the JSON text
// frame they get. Pure functions: no I/O, unit-tested on Envelopes built by hand.
//
//   MessageSent            {"type":"message.created","message":{message_id,chat_id,seq,author_id,content,
//                           created_at}} to every participant (the author's other connections included)
//   ChatRead               {"type":"chat.read","chat_id","user_id","seq"} to every participant but the reader
//   FriendRequestSent      {"type":"friend.request.received","from":profile} to the receiver
//   FriendRequestAccepted  {"type":"friend.request.accepted","by":profile} to the requester
// Everything else (UserRegistered, FriendRequestRejected, FriendRemoved, unknown payloads) reaches nobody.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "messenger/events/v1/events.pb.h"

namespace messenger::gateway {

// A profile as API.md shows it.
struct Profile {
  std::string user_id;
  std::string nickname;
  std::string bio;
  std::string avatar_url;
};

// A chat event: the frame is complete.
struct ChatFrame {
  std::string chat_id;
  std::vector<std::string> recipients;  // user IDs, each once
  std::string frame;
};

// A friend event: the frame needs the profile of `subject_id` (the user who acted), fetched from Users.
struct FriendNotice {
  enum class Kind { kRequestReceived, kRequestAccepted };
  Kind kind = Kind::kRequestReceived;
  std::string recipient_id;
  std::string subject_id;
};

using RoutedEvent = std::variant<std::monostate, ChatFrame, FriendNotice>;

// Who an event is for and what they get; monostate for events no socket sees (and for malformed ones: a
// chat event without a chat ID, a friend event without both users).
RoutedEvent RouteEvent(const events::v1::Envelope& envelope);

// The frame of a friend notice once the subject's profile is known.
std::string FriendFrame(FriendNotice::Kind kind, const Profile& subject);

}  // namespace messenger::gateway
