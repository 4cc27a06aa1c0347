// argon2id (RFC 9106) password hashes through libsodium's crypto_pwhash_str_alg. Each hash is a PHC string
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>") that carries its own parameters and random salt.
//
// Parameters: OWASP's Password Storage Cheat Sheet asks for at least m = 19 MiB, t = 2, p = 1 for argon2id;
// Create refuses anything weaker. libsodium always uses one lane (p = 1). Raising them makes old hashes
// NeedsRehash, and AuthService replaces them on the next successful login.
//
// Hashing is deliberately slow and memory-hungry: call it through PooledPasswordHasher so that the number of
// hashes running at once (and the memory they take) stays bounded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/domain/password_hasher.hpp"

namespace messenger::auth {

struct Argon2Params {
  static constexpr uint64_t kMinMemoryKib = 19 * 1024;
  static constexpr uint64_t kMinIterations = 2;

  uint64_t memory_kib = kMinMemoryKib;   // PASSWORD_HASH_MEMORY_KIB
  uint64_t iterations = kMinIterations;  // PASSWORD_HASH_ITERATIONS
};

class Argon2PasswordHasher final : public PasswordHasher {
 public:
  // INVALID_ARGUMENT for parameters below the OWASP minimum or above libsodium's limits.
  static StatusOr<std::unique_ptr<Argon2PasswordHasher>> Create(const Argon2Params& params);

  StatusOr<std::string> Hash(std::string_view password) override;
  StatusOr<bool> Verify(std::string_view hash, std::string_view password) override;
  bool NeedsRehash(std::string_view hash) const override;

  const Argon2Params& params() const { return params_; }

 private:
  explicit Argon2PasswordHasher(const Argon2Params& params) : params_(params) {}

  Argon2Params params_;
};

}  // namespace messenger::auth
