// Password hashing. Implemented by Argon2PasswordHasher (libsodium argon2id), run through a bounded pool by
// PooledPasswordHasher; a cheap fake in unit tests.
#pragma once

#include <string>
#include <string_view>

#include "messenger/common/status.hpp"

namespace messenger::auth {

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;

  // A self-describing hash string (algorithm, parameters and salt included). UNAVAILABLE when the hashing
  // capacity is exhausted; RESOURCE_EXHAUSTED when memory cannot be had.
  virtual StatusOr<std::string> Hash(std::string_view password) = 0;

  // true when `password` matches `hash`, false when it does not (a malformed hash does not match).
  // UNAVAILABLE when the hashing capacity is exhausted.
  virtual StatusOr<bool> Verify(std::string_view hash, std::string_view password) = 0;

  // True when `hash` was made with other parameters than the current ones (and should be replaced).
  virtual bool NeedsRehash(std::string_view hash) const = 0;
};

}  // namespace messenger::auth
