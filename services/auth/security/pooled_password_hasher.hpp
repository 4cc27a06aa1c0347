// Runs another PasswordHasher on a BoundedExecutor: at most `threads` hashes run at once, at most
// `queue_capacity` wait, and beyond that a call answers UNAVAILABLE at once. The calling thread waits for its
// own hash, so a login storm costs queue slots, not gRPC threads piling up inside argon2.
#pragma once

#include "auth/domain/password_hasher.hpp"
#include "auth/security/bounded_executor.hpp"

namespace messenger::auth {

class PooledPasswordHasher final : public PasswordHasher {
 public:
  // Both must outlive this object.
  PooledPasswordHasher(PasswordHasher& inner, BoundedExecutor& executor)
      : inner_(inner), executor_(executor) {}

  StatusOr<std::string> Hash(std::string_view password) override;
  StatusOr<bool> Verify(std::string_view hash, std::string_view password) override;
  bool NeedsRehash(std::string_view hash) const override { return inner_.NeedsRehash(hash); }

 private:
  PasswordHasher& inner_;
  BoundedExecutor& executor_;
};

}  // namespace messenger::auth
