// A Redis reply as a plain value, so that no hiredis type leaves libs/redis.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace messenger::redis {

struct Reply {
  enum class Type { kNil, kInteger, kString, kArray, kStatus, kError };

  Type type = Type::kNil;
  std::int64_t integer = 0;     // kInteger
  std::string str;              // kString (binary safe), kStatus ("OK"), kError ("ERR ...", "WRONGTYPE ...")
  std::vector<Reply> elements;  // kArray

  static Reply Nil() { return Reply{}; }
  static Reply Integer(std::int64_t v) { return Reply{Type::kInteger, v, {}, {}}; }
  static Reply String(std::string s) { return Reply{Type::kString, 0, std::move(s), {}}; }
  static Reply Status(std::string s) { return Reply{Type::kStatus, 0, std::move(s), {}}; }
  static Reply Error(std::string s) { return Reply{Type::kError, 0, std::move(s), {}}; }
  static Reply Array(std::vector<Reply> v) { return Reply{Type::kArray, 0, {}, std::move(v)}; }

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  // For tests and error messages; strings are shown escaped and truncated.
  std::string DebugString() const;

  friend bool operator==(const Reply& a, const Reply& b) = default;
};

}  // namespace messenger::redis
