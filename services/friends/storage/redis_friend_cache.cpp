#include "friends/storage/redis_friend_cache.hpp"

#include <charconv>

#include "messenger/common/ids.hpp"

namespace messenger::friends {
namespace {

// The member every cached friend set holds, so that a user without friends still has a (cached) set.
// Not a UUID, so never a real friend.
constexpr char kSentinel[] = "-";

// KEYS[1] friend set, KEYS[2] generation; ARGV the IDs to test.
// Returns {1, m1, m2, ...} on a hit (mi = 1 when ARGV[i] is a member), {0, generation} on a miss.
constexpr char kCheckScript[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0, redis.call('GET', KEYS[2]) or '0'}
end
local out = {1}
for i = 1, #ARGV do
  out[#out + 1] = redis.call('SISMEMBER', KEYS[1], ARGV[i])
end
return out
)lua";

// KEYS[1] friend set, KEYS[2] generation; ARGV[1] fill token, ARGV[2] ttl ms, ARGV[3..] members.
// Replaces the set unless the generation moved since the token was read. Returns 1 when stored.
constexpr char kStoreSetScript[] = R"lua(
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV, 500 do
  redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 499, #ARGV)))
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)lua";

// KEYS[1] value, KEYS[2] generation. {1, value} on a hit, {0, generation} on a miss.
constexpr char kGetScript[] = R"lua(
local v = redis.call('GET', KEYS[1])
if v then return {1, v} end
return {0, redis.call('GET', KEYS[2]) or '0'}
)lua";

// KEYS[1] value, KEYS[2] generation; ARGV[1] fill token, ARGV[2] value, ARGV[3] ttl ms.
constexpr char kStoreScript[] = R"lua(
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
)lua";

// KEYS: for each user, its generation followed by its 4 entries; ARGV[1] generation ttl ms.
constexpr char kInvalidateScript[] = R"lua(
for i = 1, #KEYS, 5 do
  redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
  redis.call('DEL', KEYS[i + 1], KEYS[i + 2], KEYS[i + 3], KEYS[i + 4])
end
return 1
)lua";

Status Unexpected(const char* what, const redis::Reply& reply) {
  return InternalError(std::string("unexpected reply to the ") + what + " script: " + reply.DebugString());
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()); }

// "id:ms" entries joined by ",".
template <typename Record, typename TimeOf>
std::string Encode(const std::vector<Record>& records, TimeOf time_of) {
  std::string out;
  out.reserve(records.size() * 52);
  for (const Record& r : records) {
    if (!out.empty()) out += ',';
    out += r.user_id;
    out += ':';
    out += std::to_string(ToUnixMillis(time_of(r)));
  }
  return out;
}

template <typename Record>
StatusOr<std::vector<Record>> Decode(const std::string& text) {
  std::vector<Record> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view entry(text.data() + pos, end - pos);
    const std::size_t colon = entry.find(':');
    std::int64_t ms = 0;
    if (colon == std::string_view::npos ||
        std::from_chars(entry.data() + colon + 1, entry.data() + entry.size(), ms).ec != std::errc()) {
      return InternalError("malformed cached friend entry");
    }
    out.push_back(Record{std::string(entry.substr(0, colon)), FromUnixMillis(ms)});
    pos = end + 1;
  }
  return out;
}

}  // namespace

StatusOr<redis::Reply> RedisFriendCache::Eval(const char* script, const std::vector<std::string>& keys,
                                              const std::vector<std::string>& args) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, redis_.Client());
  return client->Eval(script, keys, args);
}

StatusOr<CacheLookup<std::vector<bool>>> RedisFriendCache::CheckFriends(
    const std::string& user_id, const std::vector<std::string>& other_ids) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply,
                             Eval(kCheckScript, {IdsKey(user_id), GenerationKey(user_id)}, other_ids));
  if (reply.type != redis::Reply::Type::kArray || reply.elements.empty()) return Unexpected("check", reply);
  CacheLookup<std::vector<bool>> out;
  if (reply.elements[0].integer == 0) {
    if (reply.elements.size() != 2) return Unexpected("check", reply);
    out.fill_token = reply.elements[1].str;
    return out;
  }
  if (reply.elements.size() != other_ids.size() + 1) return Unexpected("check", reply);
  std::vector<bool> member(other_ids.size());
  for (std::size_t i = 0; i < other_ids.size(); ++i) {
    member[i] = reply.elements[i + 1].integer == 1 && other_ids[i] != kSentinel;
  }
  out.value = std::move(member);
  return out;
}

Status RedisFriendCache::StoreFriendIds(const std::string& user_id,
                                        const std::vector<std::string>& friend_ids,
                                        const std::string& fill_token) {
  std::vector<std::string> args;
  args.reserve(friend_ids.size() + 3);
  args.push_back(fill_token);
  args.push_back(Millis(options_.ttl));
  args.push_back(kSentinel);
  args.insert(args.end(), friend_ids.begin(), friend_ids.end());
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply,
                             Eval(kStoreSetScript, {IdsKey(user_id), GenerationKey(user_id)}, args));
  if (reply.type != redis::Reply::Type::kInteger) return Unexpected("store set", reply);
  return OkStatus();
}

StatusOr<CacheLookup<std::string>> RedisFriendCache::GetString(const std::string& key,
                                                               const std::string& user_id) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply, Eval(kGetScript, {key, GenerationKey(user_id)}, {}));
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 2) return Unexpected("get", reply);
  CacheLookup<std::string> out;
  if (reply.elements[0].integer == 1) {
    out.value = std::move(reply.elements[1].str);
  } else {
    out.fill_token = std::move(reply.elements[1].str);
  }
  return out;
}

Status RedisFriendCache::StoreString(const std::string& key, const std::string& user_id,
                                     const std::string& value, const std::string& fill_token) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply, Eval(kStoreScript, {key, GenerationKey(user_id)},
                                                      {fill_token, value, Millis(options_.ttl)}));
  if (reply.type != redis::Reply::Type::kInteger) return Unexpected("store", reply);
  return OkStatus();
}

StatusOr<CacheLookup<std::vector<FriendRecord>>> RedisFriendCache::GetFriends(const std::string& user_id) {
  MESSENGER_ASSIGN_OR_RETURN(CacheLookup<std::string> raw, GetString(ListKey(user_id), user_id));
  CacheLookup<std::vector<FriendRecord>> out;
  out.fill_token = std::move(raw.fill_token);
  if (raw.value) {
    MESSENGER_ASSIGN_OR_RETURN(std::vector<FriendRecord> records, Decode<FriendRecord>(*raw.value));
    out.value = std::move(records);
  }
  return out;
}

Status RedisFriendCache::StoreFriends(const std::string& user_id, const std::vector<FriendRecord>& friends,
                                      const std::string& fill_token) {
  return StoreString(ListKey(user_id), user_id,
                     Encode(friends, [](const FriendRecord& r) { return r.since; }), fill_token);
}

StatusOr<CacheLookup<std::vector<PendingRecord>>> RedisFriendCache::GetPending(const std::string& user_id,
                                                                               Direction direction) {
  MESSENGER_ASSIGN_OR_RETURN(CacheLookup<std::string> raw,
                             GetString(PendingKey(user_id, direction), user_id));
  CacheLookup<std::vector<PendingRecord>> out;
  out.fill_token = std::move(raw.fill_token);
  if (raw.value) {
    MESSENGER_ASSIGN_OR_RETURN(std::vector<PendingRecord> records, Decode<PendingRecord>(*raw.value));
    out.value = std::move(records);
  }
  return out;
}

Status RedisFriendCache::StorePending(const std::string& user_id, Direction direction,
                                      const std::vector<PendingRecord>& pending,
                                      const std::string& fill_token) {
  return StoreString(PendingKey(user_id, direction), user_id,
                     Encode(pending, [](const PendingRecord& r) { return r.created_at; }), fill_token);
}

Status RedisFriendCache::Invalidate(const std::vector<std::string>& user_ids) {
  if (user_ids.empty()) return OkStatus();
  std::vector<std::string> keys;
  keys.reserve(user_ids.size() * 5);
  for (const std::string& id : user_ids) {
    keys.push_back(GenerationKey(id));
    keys.push_back(IdsKey(id));
    keys.push_back(ListKey(id));
    keys.push_back(PendingKey(id, Direction::kIncoming));
    keys.push_back(PendingKey(id, Direction::kOutgoing));
  }
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply,
                             Eval(kInvalidateScript, keys, {Millis(options_.generation_ttl)}));
  if (reply.type != redis::Reply::Type::kInteger) return Unexpected("invalidate", reply);
  return OkStatus();
}

}  // namespace messenger::friends
