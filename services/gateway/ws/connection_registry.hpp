// The open WebSockets of this gateway instance, by user and by session (a user may hold several
// connections, from one session or several). Thread-safe: sockets come and go on the I/O threads while the
// event consumer, the logout channel and the heartbeat sweep look them up. Lookups copy the matching
// pointers out under the lock and act on them after releasing it, so nothing slow runs under the lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ws/socket.hpp"

namespace messenger::gateway {

class ConnectionRegistry {
 public:
  // Adds a socket (its id must be new). Returns how many sockets its user has here now.
  std::size_t Add(std::shared_ptr<Socket> socket);
  // Removes the socket with this id; returns how many sockets its user still has here (0 when unknown).
  std::size_t Remove(const Socket& socket);

  std::vector<std::shared_ptr<Socket>> OfUser(const std::string& user_id) const;
  std::vector<std::shared_ptr<Socket>> OfSession(const std::string& session_id) const;
  std::vector<std::shared_ptr<Socket>> All() const;
  // The users with at least one socket here, each once.
  std::vector<std::string> Users() const;

  // Sends `frame` to every socket of each user (users listed twice get it once). Returns the sockets reached.
  std::size_t SendToUsers(const std::vector<std::string>& user_ids, const Frame& frame) const;
  // Closes every socket of the session; returns how many.
  std::size_t CloseSession(const std::string& session_id, CloseCode code) const;

  std::size_t size() const;
  std::size_t user_count() const;

 private:
  using ById = std::map<std::uint64_t, std::shared_ptr<Socket>>;
  mutable std::mutex mu_;
  std::unordered_map<std::string, ById> by_user_;
  std::unordered_map<std::string, ById> by_session_;
  std::size_t size_ = 0;
};

}  // namespace messenger::gateway
