#include "ws/connection_registry.hpp"

#include <unordered_set>

namespace messenger::gateway {

namespace {

std::vector<std::shared_ptr<Socket>> Values(const std::map<std::uint64_t, std::shared_ptr<Socket>>& m) {
  std::vector<std::shared_ptr<Socket>> out;
  out.reserve(m.size());
  for (const auto& [id, socket] : m) out.push_back(socket);
  return out;
}

}  // namespace

std::size_t ConnectionRegistry::Add(std::shared_ptr<Socket> socket) {
  std::lock_guard lock(mu_);
  const std::uint64_t id = socket->id();
  by_session_[socket->session_id()][id] = socket;
  ById& of_user = by_user_[socket->user_id()];
  if (of_user.emplace(id, std::move(socket)).second) ++size_;
  return of_user.size();
}

std::size_t ConnectionRegistry::Remove(const Socket& socket) {
  std::lock_guard lock(mu_);
  const std::uint64_t id = socket.id();
  if (auto it = by_session_.find(socket.session_id()); it != by_session_.end()) {
    it->second.erase(id);
    if (it->second.empty()) by_session_.erase(it);
  }
  auto it = by_user_.find(socket.user_id());
  if (it == by_user_.end()) return 0;
  if (it->second.erase(id) > 0) --size_;
  const std::size_t left = it->second.size();
  if (left == 0) by_user_.erase(it);
  return left;
}

std::vector<std::shared_ptr<Socket>> ConnectionRegistry::OfUser(const std::string& user_id) const {
  std::lock_guard lock(mu_);
  auto it = by_user_.find(user_id);
  return it == by_user_.end() ? std::vector<std::shared_ptr<Socket>>{} : Values(it->second);
}

std::vector<std::shared_ptr<Socket>> ConnectionRegistry::OfSession(const std::string& session_id) const {
  std::lock_guard lock(mu_);
  auto it = by_session_.find(session_id);
  return it == by_session_.end() ? std::vector<std::shared_ptr<Socket>>{} : Values(it->second);
}

std::vector<std::shared_ptr<Socket>> ConnectionRegistry::All() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Socket>> out;
  out.reserve(size_);
  for (const auto& [user, sockets] : by_user_) {
    for (const auto& [id, socket] : sockets) out.push_back(socket);
  }
  return out;
}

std::vector<std::string> ConnectionRegistry::Users() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  out.reserve(by_user_.size());
  for (const auto& [user, sockets] : by_user_) out.push_back(user);
  return out;
}

std::size_t ConnectionRegistry::SendToUsers(const std::vector<std::string>& user_ids,
                                            const Frame& frame) const {
  std::vector<std::shared_ptr<Socket>> targets;
  {
    std::lock_guard lock(mu_);
    std::unordered_set<std::string_view> done;
    for (const std::string& user : user_ids) {
      if (!done.insert(user).second) continue;
      auto it = by_user_.find(user);
      if (it == by_user_.end()) continue;
      for (const auto& [id, socket] : it->second) targets.push_back(socket);
    }
  }
  for (const auto& socket : targets) socket->Send(frame);
  return targets.size();
}

std::size_t ConnectionRegistry::CloseSession(const std::string& session_id, CloseCode code) const {
  std::vector<std::shared_ptr<Socket>> targets = OfSession(session_id);
  for (const auto& socket : targets) socket->Close(code);
  return targets.size();
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mu_);
  return size_;
}

std::size_t ConnectionRegistry::user_count() const {
  std::lock_guard lock(mu_);
  return by_user_.size();
}

}  // namespace messenger::gateway
