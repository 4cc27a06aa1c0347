// /v1/chats/*: chats and messages, forwarded to the Chat service. The acting user is always the token's user.
#pragma once

#include <boost/json/object.hpp>

#include "clients/chat_client.hpp"
#include "http/router.hpp"

namespace messenger::gateway {

// `chat` must outlive the router.
void AddChatRoutes(Router& router, ChatClient& chat);

// {message_id, chat_id, seq, author_id, content, created_at}
boost::json::object MessageJson(const chat::v1::Message& message);
// {chat_id, kind, participants, created_at, last_message, unread_count}
boost::json::object ChatJson(const chat::v1::Chat& chat);

inline constexpr std::int64_t kDefaultHistoryLimit = 50;
inline constexpr std::int64_t kMaxHistoryLimit = 100;
inline constexpr std::size_t kMaxClientMessageIdBytes = 128;

}  // namespace messenger::gateway
