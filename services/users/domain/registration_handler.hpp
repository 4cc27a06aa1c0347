// Turns a UserRegistered event into the user's profile.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "messenger/common/ids.hpp"
#include "messenger/common/status.hpp"
#include "users/domain/profile.hpp"
#include "users/domain/profile_repository.hpp"

namespace messenger::users {

// The part of a UserRegistered event this service needs.
struct UserRegistration {
  std::string event_id;
  std::string user_id;
  std::string nickname;  // the nickname reserved at registration
};

// Creates the profile of a registered user with the nickname reserved for it, turning the reservation into
// ownership, in one transaction.
//
// Idempotent: when the user already has a profile (a replayed event, also after a rename) nothing changes.
// When the nickname is no longer free for the user (the reservation expired before the event arrived and
// someone else took the nickname meanwhile), the profile is still created, with a fallback nickname
// "<nickname>_<digits>" (the base is shortened so that it stays within 32 characters), and a warning is
// logged. The user can rename afterwards.
class RegistrationHandler {
 public:
  // `random` supplies the digits of fallback nicknames; by default a seeded Mersenne twister.
  explicit RegistrationHandler(ProfileRepository& repository, const Clock& clock,
                               std::function<std::uint64_t()> random = {});

  // OK once the user has a profile (created now or before). INVALID_ARGUMENT for an event that can never
  // be applied (malformed user ID); the caller should skip it. Any other error is transient: retry later.
  Status Handle(const UserRegistration& event);

  // The fallback candidates of one round: `count` nicknames `<base>_<digits>` with `digits` random digits.
  std::vector<std::string> FallbackCandidates(const std::string& base, int digits, int count);

 private:
  ProfileRepository& repository_;
  const Clock& clock_;
  std::function<std::uint64_t()> random_;
};

}  // namespace messenger::users
