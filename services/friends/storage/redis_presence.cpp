#include "friends/storage/redis_presence.hpp"

namespace messenger::friends {

StatusOr<std::vector<bool>> RedisPresence::AreOnline(const std::vector<std::string>& user_ids) {
  if (user_ids.empty()) return std::vector<bool>{};
  std::vector<std::string> argv;
  argv.reserve(user_ids.size() + 1);
  argv.push_back("MGET");
  for (const std::string& id : user_ids) argv.push_back(prefix_ + id);
  MESSENGER_ASSIGN_OR_RETURN(redis::Client * client, redis_.Client());
  MESSENGER_ASSIGN_OR_RETURN(redis::Reply reply, client->Command(argv));
  if (reply.type != redis::Reply::Type::kArray || reply.elements.size() != user_ids.size()) {
    return InternalError("unexpected reply to MGET: " + reply.DebugString());
  }
  std::vector<bool> online(user_ids.size());
  for (std::size_t i = 0; i < user_ids.size(); ++i) online[i] = !reply.elements[i].is_nil();
  return online;
}

}  // namespace messenger::friends
