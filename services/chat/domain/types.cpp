#include "chat/domain/types.hpp"

#include <algorithm>

namespace messenger::chat {

bool ChatInfo::HasParticipant(const std::string& user_id) const {
  return std::find(participants.begin(), participants.end(), user_id) != participants.end();
}

int64_t Chat::ReadMark(const std::string& user_id) const {
  auto it = read.find(user_id);
  return it == read.end() ? 0 : it->second;
}

}  // namespace messenger::chat
