// The simulated users the scenarios act as, created through the public API (register, log in, become
// friends, open 1:1 chats, send history) and kept in a state file so that later rounds and runs against the
// same stack reuse them instead of paying for argon2 and seeding again.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "loadgen/api.hpp"

namespace messenger::bench {

struct BenchUser {
  std::string email;
  std::string password;
  std::string nickname;
  std::string user_id;
  std::string access_token;
  std::string refresh_token;
};

// A 1:1 chat between users[a] and users[b] of the same group.
struct ChatPair {
  std::size_t a = 0;
  std::size_t b = 0;
  std::string chat_id;
  std::size_t messages = 0;  // history messages known to be stored (0: unknown)
};

// One group of users paired 2k / 2k+1.
struct UserGroup {
  std::string name;  // "u" (main population) or "h" (history chats)
  std::vector<BenchUser> users;
  std::vector<ChatPair> pairs;
};

struct Population {
  std::string tag;       // random per state file; part of every email and nickname
  std::string endpoint;  // host:port of the gateway it lives on
  UserGroup main{"u", {}, {}};
  UserGroup history{"h", {}, {}};
};

struct SeedOptions {
  Endpoint endpoint;
  std::string state_file;  // empty: no state kept
  std::vector<std::string> sources;
  int concurrency = 32;
  int threads = 2;
};

// Seeding steps. Each one does only what is missing, and saves the state when it changed anything.
class Seeder {
 public:
  explicit Seeder(SeedOptions options) : options_(std::move(options)) {}

  // Loads the state file (a missing file, another gateway, or tokens the stack no longer accepts start a
  // new population) and refreshes every session's tokens.
  Status Load(Population& population);
  // At least `count` users in the group, registered, logged in, and with a visible profile.
  Status EnsureUsers(Population& population, UserGroup& group, std::size_t count);
  // The first `count` pairs of the group are friends with a 1:1 chat.
  Status EnsureChats(Population& population, UserGroup& group, std::size_t count);
  // Every chat of the first `chats` pairs of the group holds at least `messages` messages.
  Status EnsureHistory(Population& population, UserGroup& group, std::size_t chats, std::size_t messages);
  Status Save(const Population& population) const;

  // Whether the gateway serves the route at all: false when it answers 404 (or 405) to a request that needs
  // no resource to exist (e.g. GET /v1/chats with a valid token).
  StatusOr<bool> RouteServed(const std::string& target, const std::string& token) const;

 private:
  SeedOptions options_;
};

}  // namespace messenger::bench
