// An incremental reader of RESP2 (the Redis protocol), for the gateway's pub/sub connection, which runs on
// the I/O threads without blocking and so does not go through the (blocking) libs/redis client. Feed it bytes
// as they arrive and take the complete values out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::gateway {

struct RespValue {
  enum class Type { kSimple, kError, kInteger, kBulk, kNil, kArray };
  Type type = Type::kNil;
  std::string text;  // kSimple, kError, kBulk
  std::int64_t integer = 0;
  std::vector<RespValue> elements;  // kArray
};

class RespReader {
 public:
  // Bulk strings and arrays larger than this are a protocol error (a pub/sub message here is a session ID).
  explicit RespReader(std::size_t max_bulk = 1024 * 1024) : max_bulk_(max_bulk) {}

  void Feed(std::string_view bytes) { buffer_.append(bytes); }

  // The next complete value, nullopt when more bytes are needed, INVALID_ARGUMENT when the bytes are not
  // RESP (the connection should be dropped).
  StatusOr<std::optional<RespValue>> Next();

  std::size_t buffered() const { return buffer_.size() - pos_; }

 private:
  // Parses one value at `at`; advances it. nullopt when incomplete.
  StatusOr<std::optional<RespValue>> Parse(std::size_t& at, int depth) const;

  const std::size_t max_bulk_;
  std::string buffer_;
  std::size_t pos_ = 0;
};

// Encodes a command as a RESP array of bulk strings.
std::string EncodeCommand(const std::vector<std::string>& argv);

}  // namespace messenger::gateway
