// ChatCache over Redis. Keys (prefix CHAT_REDIS_PREFIX, default "chat:"):
//   {prefix}members:{chat_id}      string, JSON {kind, participants, created_at}; TTL members_ttl
//   {prefix}recent:{chat_id}       sorted set: score = seq, member = the message as JSON; plus the member ""
//                                  at score 0 while the window still reaches the chat's start (so an empty
//                                  chat has a window too); at most `window` members; TTL recent_ttl
//   {prefix}recent-fill:{chat_id}  the token of the fill in progress; TTL fill_ttl
// Appends and fills are Lua scripts, so each is atomic against the others (see ChatCache for the protocol).
//
// "On any doubt invalidate": when an append or an invalidation fails (Redis down, timeout: it may or may not
// have been applied), the chat is remembered and its window deleted as soon as Redis answers again; until
// then this process does not read that chat's window. (Another process could still read it: the relay's
// own append, in seq order, repairs it when Redis is back, and the TTL bounds it in any case.)
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <string>

#include "chat/domain/chat_cache.hpp"
#include "chat/storage/redis_connection.hpp"

namespace messenger::chat {

struct RedisChatCacheOptions {
  std::string prefix = "chat:";
  int window = 100;  // messages kept per chat
  std::chrono::milliseconds recent_ttl = std::chrono::hours(1);
  std::chrono::milliseconds members_ttl = std::chrono::hours(24);
  std::chrono::milliseconds fill_ttl = std::chrono::seconds(10);
};

class RedisChatCache final : public ChatCache {
 public:
  RedisChatCache(RedisConnection& redis, RedisChatCacheOptions options)
      : redis_(redis), options_(std::move(options)) {}

  StatusOr<std::optional<ChatInfo>> GetChatInfo(const std::string& chat_id) override;
  Status PutChatInfo(const ChatInfo& chat) override;
  StatusOr<std::optional<std::vector<Message>>> GetRecent(const std::string& chat_id) override;
  StatusOr<std::optional<std::vector<Message>>> GetNewest(const std::string& chat_id, std::size_t count) override;
  StatusOr<std::string> BeginFill(const std::string& chat_id) override;
  Status CompleteFill(const std::string& chat_id, const std::string& token,
                      const std::vector<Message>& newest) override;
  Status AppendRecent(const Message& message) override;
  Status Invalidate(const std::string& chat_id) override;

  std::string MembersKey(const std::string& chat_id) const { return options_.prefix + "members:" + chat_id; }
  std::string RecentKey(const std::string& chat_id) const { return options_.prefix + "recent:" + chat_id; }
  std::string FillKey(const std::string& chat_id) const { return options_.prefix + "recent-fill:" + chat_id; }
  // The highest seq ever appended (see kAppendScript): only a message above it may start a window.
  std::string NewestKey(const std::string& chat_id) const { return options_.prefix + "recent-newest:" + chat_id; }

 private:
  // The client, after deleting the windows whose invalidation is owed; UNAVAILABLE when Redis is down or
  // `chat_id`'s window is still owed a deletion.
  StatusOr<redis::Client*> Ready(const std::string& chat_id);
  void Owe(const std::string& chat_id);
  // ZRANGE of the window from rank `start` to the end ("0": all of it), decoded and checked.
  StatusOr<std::optional<std::vector<Message>>> ReadWindow(const std::string& chat_id, const std::string& start);

  RedisConnection& redis_;
  const RedisChatCacheOptions options_;
  std::mutex mu_;
  std::set<std::string> owed_;  // chats whose window must be deleted before it is used again
};

}  // namespace messenger::chat
