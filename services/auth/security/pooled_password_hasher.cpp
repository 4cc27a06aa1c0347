#include "auth/security/pooled_password_hasher.hpp"

#include <future>
#include <memory>
#include <optional>

namespace messenger::auth {

namespace {

Status Busy() { return UnavailableError("password hashing capacity exhausted; retry later"); }

// Runs fn on the executor and waits for its result; Busy() when the executor refuses it.
template <typename T, typename Fn>
StatusOr<T> RunOn(BoundedExecutor& executor, Fn fn) {
  auto promise = std::make_shared<std::promise<StatusOr<T>>>();
  std::future<StatusOr<T>> result = promise->get_future();
  if (!executor.TrySubmit([promise, fn = std::move(fn)]() mutable { promise->set_value(fn()); }))
    return Busy();
  return result.get();
}

}  // namespace

StatusOr<std::string> PooledPasswordHasher::Hash(std::string_view password) {
  // The caller waits for the result, so the view stays valid while the task runs.
  return RunOn<std::string>(executor_, [this, password] { return inner_.Hash(password); });
}

StatusOr<bool> PooledPasswordHasher::Verify(std::string_view hash, std::string_view password) {
  return RunOn<bool>(executor_, [this, hash, password] { return inner_.Verify(hash, password); });
}

}  // namespace messenger::auth
