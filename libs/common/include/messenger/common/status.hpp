// Status and StatusOr: recoverable failure as a returned value, not an exception.
// Codes follow gRPC's canonical codes so that the api layer can map them 1:1.
#pragma once

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace messenger {

enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

std::string_view StatusCodeName(StatusCode code);

// A Status is a code, a developer-facing message and an optional machine-readable reason
// (an UPPER_SNAKE word such as "EMAIL_TAKEN") that clients may branch on.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string reason = {})
      : code_(code), message_(std::move(message)), reason_(std::move(reason)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& reason() const { return reason_; }
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ && a.reason_ == b.reason_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string reason_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

Status OkStatus();
Status InvalidArgumentError(std::string message, std::string reason = {});
Status NotFoundError(std::string message, std::string reason = {});
Status AlreadyExistsError(std::string message, std::string reason = {});
Status PermissionDeniedError(std::string message, std::string reason = {});
Status UnauthenticatedError(std::string message, std::string reason = {});
Status ResourceExhaustedError(std::string message, std::string reason = {});
Status FailedPreconditionError(std::string message, std::string reason = {});
Status AbortedError(std::string message, std::string reason = {});
Status UnavailableError(std::string message, std::string reason = {});
Status DeadlineExceededError(std::string message, std::string reason = {});
Status InternalError(std::string message, std::string reason = {});

// StatusOr<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "StatusOr built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  Status status() const { return ok() ? Status() : std::get<Status>(data_); }

  const T& value() const& { return std::get<T>(data_); }
  T& value() & { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace messenger

// Returns the status of `expr` from the enclosing function when it is not OK.
#define MESSENGER_RETURN_IF_ERROR(expr)                 \
  do {                                                  \
    ::messenger::Status messenger_status_ = (expr);     \
    if (!messenger_status_.ok()) return messenger_status_; \
  } while (false)

#define MESSENGER_CONCAT_INNER_(a, b) a##b
#define MESSENGER_CONCAT_(a, b) MESSENGER_CONCAT_INNER_(a, b)
// MESSENGER_ASSIGN_OR_RETURN(auto x, Fn()) declares x from a StatusOr, or returns its error.
#define MESSENGER_ASSIGN_OR_RETURN(lhs, expr) \
  MESSENGER_ASSIGN_OR_RETURN_IMPL_(MESSENGER_CONCAT_(messenger_statusor_, __LINE__), lhs, expr)
#define MESSENGER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()
