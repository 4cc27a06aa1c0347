// The Chat service's rules: creating chats, sending and reading messages, read marks. Depends only on the
// interfaces declared in this folder; api/ calls it, storage/ implements what it needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/domain/chat_cache.hpp"
#include "chat/domain/chat_store.hpp"
#include "chat/domain/event_publisher.hpp"
#include "chat/domain/friends_directory.hpp"
#include "chat/domain/message_store.hpp"
#include "chat/domain/types.hpp"
#include "chat/domain/user_directory.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/status.hpp"

namespace messenger::chat {

struct ChatServiceOptions {
  // How many of a chat's newest messages the cache keeps (the recent window).
  int recent_window = 100;
};

struct CreateChatResult {
  ChatView chat;
  bool created = false;
};

struct HistoryQuery {
  std::string chat_id;
  std::string user_id;
  std::optional<int64_t> before_seq;
  std::optional<int64_t> after_seq;
  int32_t limit = 0;  // 0: the default (50)
};

// The chat's membership and kind, from the cache or (on a miss) the store, which then fills the cache.
// nullopt for an unknown chat. Shared by the service and the relay.
StatusOr<std::optional<ChatInfo>> LoadChatInfo(ChatStore& chats, ChatCache& cache,
                                               const std::string& chat_id);

// The page `query` asks for, taken from `window` (a chat's newest messages, ascending and contiguous, ending
// at its newest message), or nullopt when the window does not reach back far enough to answer it.
// `limit` is the effective page size. Exposed for tests.
std::optional<HistoryPage> PageFromWindow(const std::vector<Message>& window, const HistoryQuery& query,
                                          int limit);

// The event_id of the ChatRead announcing that `user_id` read `chat_id` up to `seq`: a name-based UUID, the
// same for a retried MarkRead.
std::string ReadEventId(const std::string& chat_id, const std::string& user_id, int64_t seq);

class ChatService {
 public:
  ChatService(ChatStore& chats, MessageStore& messages, ChatCache& cache, FriendsDirectory& friends,
              UserDirectory& users, OutboxSignal& outbox, const Clock& clock, ChatServiceOptions options = {})
      : chats_(chats),
        messages_(messages),
        cache_(cache),
        friends_(friends),
        users_(users),
        outbox_(outbox),
        clock_(clock),
        options_(options) {}

  // The creator is added to `participant_ids` (listing oneself is ignored, duplicates too). Checks, in this
  // order: INVALID_ARGUMENT (no other participant, an ID that is not a UUID, more than 100 participants in
  // all), NOT_FOUND (an unknown user; one Users call), PERMISSION_DENIED with reason NOT_FRIENDS (someone who
  // is not the creator's friend; one Friends call). One other participant makes a direct chat, returned with
  // created=false when the pair already has one; more make a new group chat.
  StatusOr<CreateChatResult> CreateChat(const std::string& creator_id,
                                        const std::vector<std::string>& participant_ids);

  // The user's chats, newest activity first, with their last message and unread count. One store query.
  StatusOr<std::vector<ChatView>> GetUserChats(const std::string& user_id);

  // INVALID_ARGUMENT for content that is empty, over 4096 code points or not UTF-8, or a bad
  // client_message_id; NOT_FOUND for an unknown chat or an author who is not a participant;
  // PERMISSION_DENIED (NOT_FRIENDS) in a direct chat whose two users are no longer friends. Returns once the
  // database acknowledged the message. A retry with the same client_message_id returns the stored message
  // with created=false and stores nothing.
  StatusOr<StoredMessage> SendMessage(const std::string& chat_id, const std::string& author_id,
                                      const std::string& content, const std::string& client_message_id);

  // A page of the chat's history in ascending seq (paging rules in API.md). INVALID_ARGUMENT for a limit
  // outside 1..100 (0 means 50) or a negative cursor; NOT_FOUND for an unknown chat or a non-participant.
  // Readable also after the friendship of a direct chat ended.
  StatusOr<HistoryPage> GetChatHistory(const HistoryQuery& query);

  // Moves the caller's read mark forward to `seq` and announces it (ChatRead). INVALID_ARGUMENT for a seq
  // below 0 or above the chat's last message; NOT_FOUND as above. A seq at or below the current mark
  // changes nothing and announces nothing.
  Status MarkRead(const std::string& chat_id, const std::string& user_id, int64_t seq);

 private:
  StatusOr<ChatInfo> ParticipantChat(const std::string& chat_id, const std::string& user_id);
  ChatView ViewFor(const Chat& chat, const std::string& user_id) const;
  StatusOr<HistoryPage> HistoryFromStore(const HistoryQuery& query, int limit);

  ChatStore& chats_;
  MessageStore& messages_;
  ChatCache& cache_;
  FriendsDirectory& friends_;
  UserDirectory& users_;
  OutboxSignal& outbox_;
  const Clock& clock_;
  const ChatServiceOptions options_;
};

}  // namespace messenger::chat
