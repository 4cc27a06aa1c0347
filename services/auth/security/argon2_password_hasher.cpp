#include "auth/security/argon2_password_hasher.hpp"

#include <sodium.h>

namespace messenger::auth {

StatusOr<std::unique_ptr<Argon2PasswordHasher>> Argon2PasswordHasher::Create(const Argon2Params& params) {
  if (sodium_init() < 0) return InternalError("libsodium failed to initialise");
  if (params.memory_kib < Argon2Params::kMinMemoryKib || params.iterations < Argon2Params::kMinIterations) {
    return InvalidArgumentError("argon2id parameters below the OWASP minimum (m=19456 KiB, t=2)");
  }
  if (params.memory_kib * 1024 > crypto_pwhash_MEMLIMIT_MAX ||
      params.iterations > crypto_pwhash_OPSLIMIT_MAX) {
    return InvalidArgumentError("argon2id parameters above libsodium's limits");
  }
  return std::unique_ptr<Argon2PasswordHasher>(new Argon2PasswordHasher(params));
}

StatusOr<std::string> Argon2PasswordHasher::Hash(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params_.iterations,
                            params_.memory_kib * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return ResourceExhaustedError("argon2id hashing failed (out of memory?)");
  }
  return std::string(out);
}

StatusOr<bool> Argon2PasswordHasher::Verify(std::string_view hash, std::string_view password) {
  if (hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool Argon2PasswordHasher::NeedsRehash(std::string_view hash) const {
  const std::string terminated(hash);
  // 0: made with exactly these parameters; 1: other parameters; -1: not an argon2id hash at all.
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), params_.iterations, params_.memory_kib * 1024) !=
         0;
}

}  // namespace messenger::auth
