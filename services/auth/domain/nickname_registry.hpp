// Nickname reservations held by the Users service. Implemented by UsersNicknameRegistry (gRPC);
// InMemoryNicknameRegistry in tests.
#pragma once

#include <string>

#include "messenger/common/status.hpp"

namespace messenger::auth {

class NicknameRegistry {
 public:
  virtual ~NicknameRegistry() = default;

  // Reserves `nickname` (case-insensitively) for the user about to be created. ALREADY_EXISTS (reason
  // NICKNAME_TAKEN) when a profile or another live reservation holds it; UNAVAILABLE when Users is down.
  virtual Status Reserve(const std::string& nickname, const std::string& user_id) = 0;

  // Gives the reservation up. Idempotent.
  virtual Status Release(const std::string& nickname, const std::string& user_id) = 0;
};

}  // namespace messenger::auth
