// Nicknames for accounts created by an OpenID Connect sign-in: derived from what the provider says, made
// valid (^[A-Za-z0-9_]{3,32}$), and varied by suffixes until one is free.
#pragma once

#include <optional>
#include <string>

namespace messenger::auth {

// How many candidates a first sign-in tries before giving up.
inline constexpr int kNicknameAttempts = 10;

// A valid nickname from `preferred_username`, or else from the local part of `email`: characters outside
// [A-Za-z0-9_] become '_' (one for a run of them), at most 32 characters are kept, and a result of fewer than
// 3 characters or without a letter or digit is padded or replaced ("user"). Always valid.
std::string NicknameBase(const std::optional<std::string>& preferred_username,
                         const std::optional<std::string>& email);

// Candidate number `attempt` (0-based) for `base`: the base itself, then base_2 .. base_5, then base_ and six
// random digits; the base is shortened so the result keeps to 32 characters. Always valid when base is.
std::string NicknameCandidate(const std::string& base, int attempt);

}  // namespace messenger::auth
