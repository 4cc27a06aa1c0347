#include "chat/storage/redis_chat_cache.hpp"

#include <boost/json.hpp>
#include <vector>

#include "messenger/common/ids.hpp"

namespace messenger::chat {
namespace {

namespace json = boost::json;

// KEYS: window, fill token, newest-appended seq. ARGV: seq, message, window size, ttl ms.
// Returns 2 (started a window), 1 (appended, or already held), 0 (no window: fills in progress voided),
// -1 (dropped: gap or mismatch).
// Without a window, the newest message appended so far starts one: a later message extends it, an earlier
// one (a send that lost the race, a relay repair) cannot, so the window still ends at the chat's newest
// message. Seeding a chat by sending therefore leaves its window warm.
constexpr char kAppendScript[] = R"lua(
local seq = tonumber(ARGV[1])
local newest = tonumber(redis.call('GET', KEYS[3]) or '0')
if seq > newest then redis.call('SET', KEYS[3], seq, 'PX', ARGV[4]) end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2])
  if seq <= newest then return 0 end
  if seq == 1 then redis.call('ZADD', KEYS[1], 0, '') end
  redis.call('ZADD', KEYS[1], seq, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 2
end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local hi = tonumber(top[2])
if seq <= hi then
  local held = redis.call('ZRANGEBYSCORE', KEYS[1], seq, seq)
  if held[1] == ARGV[2] then return 1 end
  local low = redis.call('ZRANGEBYSCORE', KEYS[1], 1, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if #held == 0 and (#low == 0 or seq < tonumber(low[2])) then return 1 end
  redis.call('DEL', KEYS[1], KEYS[2])
  return -1
end
if seq ~= hi + 1 then
  redis.call('DEL', KEYS[1], KEYS[2])
  return -1
end
redis.call('ZADD', KEYS[1], seq, ARGV[2])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
)lua";

// KEYS: window, fill token. ARGV: token, ttl ms, window size, then seq/message pairs.
// Returns 1 when the window was installed, 0 when the fill was voided or a window already exists.
constexpr char kFillScript[] = R"lua(
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('ZADD', KEYS[1], 0, '')
for i = 4, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
end
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua";

std::string ToJson(const Message& m) {
  json::object o;
  o["message_id"] = m.message_id;
  o["chat_id"] = m.chat_id;
  o["seq"] = m.seq;
  o["author_id"] = m.author_id;
  o["content"] = m.content;
  o["created_at"] = m.created_at_ms;
  return json::serialize(o);
}

StatusOr<Message> MessageFromJson(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return InternalError("cached message is not JSON");
  const json::object& o = v.as_object();
  const json::value* id = o.if_contains("message_id");
  const json::value* chat = o.if_contains("chat_id");
  const json::value* seq = o.if_contains("seq");
  const json::value* author = o.if_contains("author_id");
  const json::value* content = o.if_contains("content");
  const json::value* at = o.if_contains("created_at");
  if (!id || !id->is_string() || !chat || !chat->is_string() || !seq || !seq->is_int64() || !author ||
      !author->is_string() || !content || !content->is_string() || !at || !at->is_int64()) {
    return InternalError("cached message lacks a field");
  }
  return Message{std::string(id->as_string()),     std::string(chat->as_string()),    seq->as_int64(),
                 std::string(author->as_string()), std::string(content->as_string()), at->as_int64()};
}

std::string InfoToJson(const ChatInfo& chat) {
  json::object o;
  o["kind"] = chat.kind == ChatKind::kDirect ? "direct" : "group";
  json::array participants;
  for (const std::string& p : chat.participants) participants.emplace_back(p);
  o["participants"] = std::move(participants);
  o["created_at"] = chat.created_at_ms;
  return json::serialize(o);
}

std::optional<ChatInfo> InfoFromJson(const std::string& chat_id, const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.as_object();
  const json::value* kind = o.if_contains("kind");
  const json::value* participants = o.if_contains("participants");
  const json::value* at = o.if_contains("created_at");
  if (!kind || !kind->is_string() || !participants || !participants->is_array() || !at || !at->is_int64()) {
    return std::nullopt;
  }
  ChatInfo info;
  info.chat_id = chat_id;
  info.kind = kind->as_string() == "direct" ? ChatKind::kDirect : ChatKind::kGroup;
  for (const json::value& p : participants->as_array()) {
    if (!p.is_string()) return std::nullopt;
    info.participants.emplace_back(p.as_string());
  }
  info.created_at_ms = at->as_int64();
  return info;
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()); }

}  // namespace

void RedisChatCache::Owe(const std::string& chat_id) {
  std::lock_guard lock(mu_);
  owed_.insert(chat_id);
}

StatusOr<redis::Client*> RedisChatCache::Ready(const std::string& chat_id) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, redis_.Client());
  std::vector<std::string> owed;
  {
    std::lock_guard lock(mu_);
    owed.assign(owed_.begin(), owed_.end());
  }
  if (!owed.empty()) {
    std::vector<std::string> keys;
    for (const std::string& id : owed) {
      keys.push_back(RecentKey(id));
      keys.push_back(FillKey(id));
    }
    if (client->Del(keys).ok()) {
      std::lock_guard lock(mu_);
      for (const std::string& id : owed) owed_.erase(id);
    }
  }
  std::lock_guard lock(mu_);
  if (owed_.count(chat_id)) return UnavailableError("the cached window of this chat awaits deletion");
  return client;
}

StatusOr<std::optional<ChatInfo>> RedisChatCache::GetChatInfo(const std::string& chat_id) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, redis_.Client());
  MESSENGER_ASSIGN_OR_RETURN(std::optional<std::string> value, client->Get(MembersKey(chat_id)));
  if (!value) return std::optional<ChatInfo>();
  return InfoFromJson(chat_id, *value);
}

Status RedisChatCache::PutChatInfo(const ChatInfo& chat) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, redis_.Client());
  return client->Set(MembersKey(chat.chat_id), InfoToJson(chat), options_.members_ttl);
}

StatusOr<std::optional<std::vector<Message>>> RedisChatCache::GetRecent(const std::string& chat_id) {
  return ReadWindow(chat_id, "0");
}

StatusOr<std::optional<std::vector<Message>>> RedisChatCache::GetNewest(const std::string& chat_id,
                                                                        std::size_t count) {
  if (count == 0) return std::optional<std::vector<Message>>(std::vector<Message>{});
  // The last `count` members; the start-of-chat marker sorts first, so it comes only with a short window.
  return ReadWindow(chat_id, "-" + std::to_string(count));
}

StatusOr<std::optional<std::vector<Message>>> RedisChatCache::ReadWindow(const std::string& chat_id,
                                                                         const std::string& start) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, Ready(chat_id));
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply, client->Command({"ZRANGE", RecentKey(chat_id), start, "-1"}));
  if (reply.type != redis::Reply::Type::kArray) return InternalError("ZRANGE: " + reply.DebugString());
  if (reply.elements.empty()) return std::optional<std::vector<Message>>();  // no window
  std::vector<Message> window;
  window.reserve(reply.elements.size());
  for (const redis::Reply& member : reply.elements) {
    if (member.str.empty()) continue;  // the start-of-chat marker
    StatusOr<Message> m = MessageFromJson(member.str);
    if (!m.ok() || (!window.empty() && m->seq != window.back().seq + 1)) {
      (void)Invalidate(chat_id);  // unreadable or not contiguous: never serve it
      return std::optional<std::vector<Message>>();
    }
    window.push_back(*std::move(m));
  }
  return std::optional<std::vector<Message>>(std::move(window));
}

StatusOr<std::string> RedisChatCache::BeginFill(const std::string& chat_id) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, Ready(chat_id));
  std::string token = RandomToken(12);
  MESSENGER_RETURN_IF_ERROR(client->Set(FillKey(chat_id), token, options_.fill_ttl));
  return token;
}

Status RedisChatCache::CompleteFill(const std::string& chat_id, const std::string& token,
                                    const std::vector<Message>& newest) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, Ready(chat_id));
  std::vector<std::string> args = {token, Millis(options_.recent_ttl), std::to_string(options_.window)};
  const std::size_t keep = std::min<std::size_t>(newest.size(), static_cast<std::size_t>(options_.window));
  for (std::size_t i = newest.size() - keep; i < newest.size(); ++i) {
    args.push_back(std::to_string(newest[i].seq));
    args.push_back(ToJson(newest[i]));
  }
  StatusOr<redis::Reply> reply = client->Eval(kFillScript, {RecentKey(chat_id), FillKey(chat_id)}, args);
  if (!reply.ok()) {
    Owe(chat_id);  // it may have been installed; a fill is only ever right if it completed cleanly
    return reply.status();
  }
  return OkStatus();
}

Status RedisChatCache::AppendRecent(const Message& message) {
  StatusOr<redis::Client*> client = Ready(message.chat_id);
  if (!client.ok()) {
    Owe(message.chat_id);
    return client.status();
  }
  StatusOr<redis::Reply> reply =
      (*client)->Eval(kAppendScript,
                      {RecentKey(message.chat_id), FillKey(message.chat_id), NewestKey(message.chat_id)},
                      {std::to_string(message.seq), ToJson(message), std::to_string(options_.window),
                       Millis(options_.recent_ttl)});
  if (!reply.ok()) {
    Owe(message.chat_id);
    return reply.status();
  }
  return OkStatus();
}

Status RedisChatCache::Invalidate(const std::string& chat_id) {
  StatusOr<redis::Client*> client = redis_.Client();
  Status deleted =
      client.ok() ? (*client)->Del({RecentKey(chat_id), FillKey(chat_id)}).status() : client.status();
  if (!deleted.ok()) Owe(chat_id);
  return deleted;
}

}  // namespace messenger::chat
