#include "chat/domain/chat_service.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "chat/domain/validation.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::chat {
namespace {

std::string Lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Status NoSuchChat() { return NotFoundError("no such chat"); }

std::string Join(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace

StatusOr<std::optional<ChatInfo>> LoadChatInfo(ChatStore& chats, ChatCache& cache,
                                               const std::string& chat_id) {
  StatusOr<std::optional<ChatInfo>> cached = cache.GetChatInfo(chat_id);
  if (cached.ok() && cached->has_value()) return cached;
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Chat> chat, chats.Get(chat_id));
  if (!chat) return std::optional<ChatInfo>();
  (void)cache.PutChatInfo(chat->info);  // best effort: the next read fills it again
  return std::optional<ChatInfo>(chat->info);
}

std::optional<HistoryPage> PageFromWindow(const std::vector<Message>& window, const HistoryQuery& query,
                                          int limit) {
  const int64_t hi = window.empty() ? 0 : window.back().seq;
  const int64_t lo = window.empty() ? 1 : window.front().seq;
  if (!window.empty() && hi - lo + 1 != static_cast<int64_t>(window.size())) return std::nullopt;
  const int64_t n = limit;
  int64_t start = 0;
  int64_t end = 0;
  bool has_more = false;
  if (query.after_seq) {
    // Oldest first (catching up); with before_seq too, strictly between the two.
    const int64_t ceiling = query.before_seq ? std::min(*query.before_seq - 1, hi) : hi;
    start = *query.after_seq + 1;
    end = std::min(*query.after_seq + n, ceiling);
    has_more = end < ceiling;
  } else {
    // Newest first: below before_seq, or the newest of all.
    end = query.before_seq ? std::min(*query.before_seq - 1, hi) : hi;
    start = std::max<int64_t>(1, end - n + 1);
    has_more = start > 1;
  }
  if (start > end) return HistoryPage{};
  if (start < lo) return std::nullopt;  // older than what the window holds
  HistoryPage page;
  page.messages.assign(window.begin() + (start - lo), window.begin() + (end - lo + 1));
  page.has_more = has_more;
  return page;
}

std::string ReadEventId(const std::string& chat_id, const std::string& user_id, int64_t seq) {
  std::string hex = Sha256Hex("chat-read:" + chat_id + ":" + user_id + ":" + std::to_string(seq));
  hex[12] = '5';                                                    // version 5 (name-based)
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];  // RFC 4122 variant
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

StatusOr<CreateChatResult> ChatService::CreateChat(const std::string& creator_id,
                                                   const std::vector<std::string>& participant_ids) {
  // 400: malformed.
  if (!IsUuid(creator_id)) return InvalidArgumentError("creator_id is not a UUID");
  const std::string creator = Lowercase(creator_id);
  std::set<std::string> others_set;
  for (const std::string& id : participant_ids) {
    if (!IsUuid(id)) return InvalidArgumentError("participant '" + id + "' is not a user ID");
    std::string lower = Lowercase(id);
    if (lower != creator) others_set.insert(std::move(lower));
  }
  if (others_set.empty()) return InvalidArgumentError("a chat needs at least one participant besides you");
  if (others_set.size() + 1 > kMaxParticipants) {
    return InvalidArgumentError("a chat has at most " + std::to_string(kMaxParticipants) + " participants");
  }
  const std::vector<std::string> others(others_set.begin(), others_set.end());

  // 404: an unknown user.
  MESSENGER_ASSIGN_OR_RETURN(std::vector<std::string> unknown, users_.Unknown(others));
  if (!unknown.empty()) return NotFoundError("unknown user: " + Join(unknown));

  // 403: someone who is not the creator's friend.
  MESSENGER_ASSIGN_OR_RETURN(std::vector<std::string> strangers, friends_.NotFriends(creator, others));
  if (!strangers.empty()) {
    return PermissionDeniedError("not friends with: " + Join(strangers), "NOT_FRIENDS");
  }

  ChatInfo info;
  info.chat_id = NewUuid();
  info.kind = others.size() == 1 ? ChatKind::kDirect : ChatKind::kGroup;
  info.participants = others;
  info.participants.push_back(creator);
  std::sort(info.participants.begin(), info.participants.end());
  info.created_at_ms = ToUnixMillis(clock_.Now());

  MESSENGER_ASSIGN_OR_RETURN(CreatedChat created, chats_.Create(info));
  (void)cache_.PutChatInfo(created.chat);
  if (created.created) return CreateChatResult{ChatView{created.chat, std::nullopt, 0}, true};
  // The pair's existing direct chat, as the creator sees it.
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Chat> existing, chats_.Get(created.chat.chat_id));
  if (!existing) return InternalError("direct chat " + created.chat.chat_id + " vanished");
  return CreateChatResult{ViewFor(*existing, creator), false};
}

ChatView ChatService::ViewFor(const Chat& chat, const std::string& user_id) const {
  ChatView view;
  view.info = chat.info;
  view.last_message = chat.last_message;
  // The mark moves with one's own messages, so everything above it was written by others.
  view.unread_count = std::max<int64_t>(0, chat.last_seq - chat.ReadMark(user_id));
  return view;
}

StatusOr<std::vector<ChatView>> ChatService::GetUserChats(const std::string& user_id) {
  std::vector<ChatView> out;
  if (!IsUuid(user_id)) return out;
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Chat> chats, chats_.ListForUser(Lowercase(user_id)));
  out.reserve(chats.size());
  for (const Chat& chat : chats) out.push_back(ViewFor(chat, Lowercase(user_id)));
  return out;
}

StatusOr<ChatInfo> ChatService::ParticipantChat(const std::string& chat_id, const std::string& user_id) {
  if (!IsUuid(chat_id)) return NoSuchChat();
  MESSENGER_ASSIGN_OR_RETURN(std::optional<ChatInfo> info, LoadChatInfo(chats_, cache_, Lowercase(chat_id)));
  // A chat one is not in answers exactly like a chat that does not exist.
  if (!info || !info->HasParticipant(Lowercase(user_id))) return NoSuchChat();
  return *std::move(info);
}

StatusOr<StoredMessage> ChatService::SendMessage(const std::string& chat_id, const std::string& author_id,
                                                 const std::string& content,
                                                 const std::string& client_message_id) {
  MESSENGER_RETURN_IF_ERROR(ValidateContent(content));
  MESSENGER_RETURN_IF_ERROR(ValidateClientMessageId(client_message_id));
  MESSENGER_ASSIGN_OR_RETURN(ChatInfo info, ParticipantChat(chat_id, author_id));
  const std::string author = Lowercase(author_id);
  if (info.kind == ChatKind::kDirect) {
    std::vector<std::string> other;
    for (const std::string& p : info.participants) {
      if (p != author) other.push_back(p);
    }
    MESSENGER_ASSIGN_OR_RETURN(std::vector<std::string> strangers, friends_.NotFriends(author, other));
    if (!strangers.empty()) {
      return PermissionDeniedError("the friendship of this direct chat has ended", "NOT_FRIENDS");
    }
  }

  NewMessage message;
  message.message_id = NewUuid();
  message.chat_id = info.chat_id;
  message.author_id = author;
  message.content = content;
  message.client_message_id = client_message_id;
  message.created_at_ms = ToUnixMillis(clock_.Now());
  MESSENGER_ASSIGN_OR_RETURN(StoredMessage stored, messages_.Append(message));
  if (!stored.created) return stored;

  // The message is acknowledged by the database from here on; what follows is repaired by the relay
  // (it re-applies the chat update and the cache append before publishing) if it fails or the process dies.
  Status applied = chats_.ApplyMessages({stored.message});
  if (!applied.ok()) {
    log::Warn("chat update after send failed; the relay will apply it",
              {{"chat_id", info.chat_id},
               {"seq", static_cast<long long>(stored.message.seq)},
               {"error", applied.ToString()}});
  }
  if (!cache_.AppendRecent(stored.message).ok()) (void)cache_.Invalidate(info.chat_id);
  outbox_.MessageStored(stored.message, info.participants);
  return stored;
}

StatusOr<HistoryPage> ChatService::GetChatHistory(const HistoryQuery& query) {
  MESSENGER_ASSIGN_OR_RETURN(int limit, EffectiveHistoryLimit(query.limit));
  if ((query.before_seq && *query.before_seq < 0) || (query.after_seq && *query.after_seq < 0)) {
    return InvalidArgumentError("a cursor cannot be negative");
  }
  MESSENGER_ASSIGN_OR_RETURN(ChatInfo info, ParticipantChat(query.chat_id, query.user_id));

  // Opening a chat (no cursor) needs only the newest page of the window.
  const bool newest_page = !query.after_seq && !query.before_seq;
  StatusOr<std::optional<std::vector<Message>>> window =
      newest_page ? cache_.GetNewest(info.chat_id, static_cast<std::size_t>(limit))
                  : cache_.GetRecent(info.chat_id);
  const bool cached = window.ok() && window->has_value();
  if (cached) {
    if (std::optional<HistoryPage> page = PageFromWindow(**window, query, limit)) return *std::move(page);
  }
  // Opening a chat (no cursor) and catching up (after_seq) are the common reads: on a miss, load the
  // window into the cache and answer from it when it reaches back far enough.
  if (window.ok() && !cached && !query.before_seq) {
    StatusOr<std::string> token = cache_.BeginFill(info.chat_id);
    if (token.ok()) {
      MessageRange newest;
      newest.limit = options_.recent_window;
      MESSENGER_ASSIGN_OR_RETURN(std::vector<Message> recent, messages_.List(info.chat_id, newest));
      (void)cache_.CompleteFill(info.chat_id, *token, recent);
      if (std::optional<HistoryPage> page = PageFromWindow(recent, query, limit)) return *std::move(page);
    }
  }
  return HistoryFromStore(query, limit);
}

StatusOr<HistoryPage> ChatService::HistoryFromStore(const HistoryQuery& query, int limit) {
  MessageRange range;
  range.after_seq = query.after_seq;
  range.before_seq = query.before_seq;
  range.limit = limit + 1;  // one more than the page tells whether more lie beyond it
  range.oldest_first = query.after_seq.has_value();
  HistoryPage page;
  if (query.after_seq && query.before_seq && *query.after_seq + 1 >= *query.before_seq) return page;
  MESSENGER_ASSIGN_OR_RETURN(page.messages, messages_.List(Lowercase(query.chat_id), range));
  if (page.messages.size() > static_cast<std::size_t>(limit)) {
    page.has_more = true;
    if (range.oldest_first) {
      page.messages.pop_back();
    } else {
      page.messages.erase(page.messages.begin());
    }
  }
  return page;
}

Status ChatService::MarkRead(const std::string& chat_id, const std::string& user_id, int64_t seq) {
  if (seq < 0) return InvalidArgumentError("seq cannot be negative");
  if (!IsUuid(chat_id)) return NoSuchChat();
  const std::string user = Lowercase(user_id);
  MESSENGER_ASSIGN_OR_RETURN(std::optional<Chat> chat, chats_.Get(Lowercase(chat_id)));
  if (!chat || !chat->info.HasParticipant(user)) return NoSuchChat();
  if (seq > chat->last_seq) {
    // The chat document may trail a message that was just stored; the messages have the last word.
    MESSENGER_ASSIGN_OR_RETURN(int64_t last, messages_.LastSeq(chat->info.chat_id));
    if (seq > last) return InvalidArgumentError("seq is above the chat's last message");
  }
  if (seq <= chat->ReadMark(user)) return OkStatus();

  // The event goes into the outbox before the mark moves: an acknowledged MarkRead always has its event,
  // and the relay re-applies the mark before publishing (repairing a failure between the two writes).
  ReadEvent event;
  event.event_id = ReadEventId(chat->info.chat_id, user, seq);
  event.chat_id = chat->info.chat_id;
  event.user_id = user;
  event.seq = seq;
  event.participants = chat->info.participants;
  event.occurred_at_ms = ToUnixMillis(clock_.Now());
  MESSENGER_RETURN_IF_ERROR(chats_.AddReadEvent(event));
  MESSENGER_RETURN_IF_ERROR(chats_.AdvanceReadMark(event.chat_id, user, seq));
  outbox_.Notify();
  return OkStatus();
}

}  // namespace messenger::chat
