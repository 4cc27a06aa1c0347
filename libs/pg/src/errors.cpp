#include "messenger/pg/errors.hpp"

#include <pqxx/except>
#include <string>
#include <string_view>

namespace messenger::pg {
namespace {

std::string FirstLine(std::string_view text) {
  std::size_t end = text.find('\n');
  return std::string(text.substr(0, end));
}

std::string Describe(const std::exception& e, const std::string& sqlstate) {
  std::string message = FirstLine(e.what());
  if (!sqlstate.empty()) message += " [SQLSTATE " + sqlstate + "]";
  return message;
}

// Maps a SQLSTATE to a code, or kOk when the state has no specific mapping.
StatusCode CodeForSqlState(const std::string& state) {
  if (state == "23505") return StatusCode::kAlreadyExists;  // unique_violation
  if (state == "23503" || state == "23514" || state == "23P01" || state == "23001") {
    return StatusCode::kFailedPrecondition;  // foreign key, check, exclusion, restrict
  }
  if (state == "40001" || state == "40P01") return StatusCode::kAborted;  // serialization, deadlock
  if (state.starts_with("40")) return StatusCode::kAborted;               // other transaction rollbacks
  if (state == "57014" || state == "55P03") return StatusCode::kDeadlineExceeded;  // canceled, lock timeout
  if (state.starts_with("08")) return StatusCode::kUnavailable;                    // connection exception
  if (state == "57P01" || state == "57P02" || state == "57P03" || state == "53300") {
    return StatusCode::kUnavailable;  // shutdown, crash, cannot connect now, too many connections
  }
  return StatusCode::kOk;
}

}  // namespace

Status FromPqxxException(const std::exception& e) {
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr ||
      dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) {
    return Status(StatusCode::kUnknown, "outcome unknown: " + FirstLine(e.what()));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    StatusCode code = CodeForSqlState(sql->sqlstate());
    if (code != StatusCode::kOk) return Status(code, Describe(e, sql->sqlstate()));
  }
  if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
    return AlreadyExistsError(Describe(e, ""));
  }
  if (dynamic_cast<const pqxx::foreign_key_violation*>(&e) != nullptr ||
      dynamic_cast<const pqxx::check_violation*>(&e) != nullptr ||
      dynamic_cast<const pqxx::restrict_violation*>(&e) != nullptr) {
    return FailedPreconditionError(Describe(e, ""));
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return AbortedError(Describe(e, ""));
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return UnavailableError(Describe(e, ""));
  }
  std::string sqlstate;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) sqlstate = sql->sqlstate();
  return InternalError(Describe(e, sqlstate));
}

}  // namespace messenger::pg
