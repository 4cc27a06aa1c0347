#include "users/storage/redis_profile_cache.hpp"

#include <boost/json.hpp>
#include <utility>

#include "messenger/common/ids.hpp"

namespace messenger::users {
namespace {

constexpr int kFormatVersion = 1;

// KEYS[1] profile key, KEYS[2] generation key; ARGV[1] fill token, ARGV[2] value, ARGV[3] TTL in ms.
// Writes the profile only when no invalidation happened since the lookup that returned the token.
constexpr char kPutIfGenerationScript[] = R"lua(
local current = redis.call('GET', KEYS[2])
if (current or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
)lua";

// KEYS[1] generation key, KEYS[2] profile key, KEYS[3..] nickname keys; ARGV[1] new token, ARGV[2] its TTL.
// Atomic, so no fill can slip in between replacing the token and deleting the entries.
constexpr char kInvalidateScript[] = R"lua(
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
)lua";

// KEYS[1] nickname key; ARGV[1] profile key prefix, ARGV[2] generation key prefix. Returns {} when the
// nickname is not cached, else {user_id, profile or nil, generation or nil}. The two keys it derives are not
// declared in KEYS: fine on one Redis server, not on a cluster (where they would need a hash tag).
constexpr char kByNicknameScript[] = R"lua(
local id = redis.call('GET', KEYS[1])
if not id then return {} end
return {id, redis.call('GET', ARGV[1] .. id), redis.call('GET', ARGV[2] .. id)}
)lua";

Status CheckReply(const redis::Reply& reply) {
  if (reply.is_error()) return InternalError("redis error reply: " + reply.DebugString());
  return OkStatus();
}

CachedProfile EntryFrom(const redis::Reply& profile, const redis::Reply& generation) {
  CachedProfile out;
  if (profile.type == redis::Reply::Type::kString) out.profile = ParseProfile(profile.str);
  if (generation.type == redis::Reply::Type::kString) out.fill_token = generation.str;
  return out;
}

}  // namespace

std::string SerializeProfile(const Profile& profile) {
  boost::json::object o;
  o["v"] = kFormatVersion;
  o["user_id"] = profile.user_id;
  o["nickname"] = profile.nickname;
  o["bio"] = profile.bio;
  o["avatar_url"] = profile.avatar_url;
  o["created_at_ms"] = ToUnixMillis(profile.created_at);
  o["updated_at_ms"] = ToUnixMillis(profile.updated_at);
  return boost::json::serialize(o);
}

std::optional<Profile> ParseProfile(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const boost::json::object& o = v.as_object();
  auto str = [&](const char* key) -> const boost::json::string* {
    const boost::json::value* f = o.if_contains(key);
    return f ? f->if_string() : nullptr;
  };
  auto num = [&](const char* key) -> const std::int64_t* {
    const boost::json::value* f = o.if_contains(key);
    return f ? f->if_int64() : nullptr;
  };
  const std::int64_t* version = num("v");
  if (!version || *version != kFormatVersion) return std::nullopt;
  const auto* id = str("user_id");
  const auto* nickname = str("nickname");
  const auto* bio = str("bio");
  const auto* avatar = str("avatar_url");
  const auto* created = num("created_at_ms");
  const auto* updated = num("updated_at_ms");
  if (!id || !nickname || !bio || !avatar || !created || !updated) return std::nullopt;
  Profile p;
  p.user_id = std::string(*id);
  p.nickname = std::string(*nickname);
  p.bio = std::string(*bio);
  p.avatar_url = std::string(*avatar);
  p.created_at = FromUnixMillis(*created);
  p.updated_at = FromUnixMillis(*updated);
  return p;
}

RedisProfileCache::RedisProfileCache(LazyRedisClient& client, RedisProfileCacheOptions options)
    : client_(client), options_(std::move(options)) {}

StatusOr<CachedProfile> RedisProfileCache::GetProfile(const std::string& user_id) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * conn, client_.Get());
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply,
                             conn->Command({"MGET", ProfileKey(user_id), GenerationKey(user_id)}));
  MESSENGER_RETURN_IF_ERROR(CheckReply(reply));
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 2) {
    return InternalError("unexpected MGET reply");
  }
  return EntryFrom(reply.elements[0], reply.elements[1]);
}

StatusOr<std::vector<CachedProfile>> RedisProfileCache::GetProfiles(
    const std::vector<std::string>& user_ids) {
  std::vector<CachedProfile> out;
  if (user_ids.empty()) return out;
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * conn, client_.Get());
  std::vector<std::string> argv = {"MGET"};
  argv.reserve(1 + 2 * user_ids.size());
  for (const auto& id : user_ids) {
    argv.push_back(ProfileKey(id));
    argv.push_back(GenerationKey(id));
  }
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply, conn->Command(argv));
  MESSENGER_RETURN_IF_ERROR(CheckReply(reply));
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != 2 * user_ids.size()) {
    return InternalError("unexpected MGET reply");
  }
  out.reserve(user_ids.size());
  for (std::size_t i = 0; i < user_ids.size(); ++i) {
    out.push_back(EntryFrom(reply.elements[2 * i], reply.elements[2 * i + 1]));
  }
  return out;
}

std::vector<std::string> RedisProfileCache::PutCommand(const Profile& profile,
                                                       const std::string& fill_token) const {
  return {"EVAL",
          kPutIfGenerationScript,
          "2",
          ProfileKey(profile.user_id),
          GenerationKey(profile.user_id),
          fill_token,
          SerializeProfile(profile),
          std::to_string(options_.profile_ttl.count())};
}

Status RedisProfileCache::PutProfile(const Profile& profile, const std::string& fill_token) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * conn, client_.Get());
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply, conn->Command(PutCommand(profile, fill_token)));
  return CheckReply(reply);
}

Status RedisProfileCache::PutProfiles(const std::vector<Profile>& profiles,
                                      const std::vector<std::string>& fill_tokens) {
  if (profiles.size() != fill_tokens.size()) return InvalidArgumentError("one fill token per profile");
  if (profiles.empty()) return OkStatus();
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * conn, client_.Get());
  std::vector<std::vector<std::string>> commands;
  commands.reserve(profiles.size());
  for (std::size_t i = 0; i < profiles.size(); ++i)
    commands.push_back(PutCommand(profiles[i], fill_tokens[i]));
  MESSENGER_ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, conn->Pipeline(commands));
  for (const auto& r : replies) MESSENGER_RETURN_IF_ERROR(CheckReply(r));
  return OkStatus();
}

StatusOr<std::optional<std::string>> RedisProfileCache::GetUserIdByNickname(
    const std::string& nickname_lower) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * conn, client_.Get());
  return conn->Get(NicknameKey(nickname_lower));
}

StatusOr<CachedNickname> RedisProfileCache::GetByNickname(const std::string& nickname_lower) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * conn, client_.Get());
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply,
                             conn->Eval(kByNicknameScript, {NicknameKey(nickname_lower)},
                                        {ProfileKey(""), GenerationKey("")}));
  MESSENGER_RETURN_IF_ERROR(CheckReply(reply));
  if (reply.type != redis::Reply::Type::kArray) return InternalError("unexpected nickname lookup reply");
  CachedNickname out;
  if (reply.elements.empty()) return out;
  if (reply.elements.size() != 3 || reply.elements[0].type != redis::Reply::Type::kString) {
    return InternalError("unexpected nickname lookup reply");
  }
  out.user_id = reply.elements[0].str;
  out.entry = EntryFrom(reply.elements[1], reply.elements[2]);
  return out;
}

Status RedisProfileCache::PutNickname(const std::string& nickname_lower, const std::string& user_id) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * conn, client_.Get());
  return conn->Set(NicknameKey(nickname_lower), user_id, options_.profile_ttl);
}

Status RedisProfileCache::Invalidate(const std::string& user_id,
                                     const std::vector<std::string>& nicknames_lower) {
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * conn, client_.Get());
  std::vector<std::string> keys = {GenerationKey(user_id), ProfileKey(user_id)};
  for (const auto& n : nicknames_lower) keys.push_back(NicknameKey(n));
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply,
                             conn->Eval(kInvalidateScript, keys,
                                        {RandomToken(12), std::to_string(options_.generation_ttl.count())}));
  return CheckReply(reply);
}

}  // namespace messenger::users
