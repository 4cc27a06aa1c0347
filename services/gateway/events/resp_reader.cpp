#include "events/resp_reader.hpp"

#include <charconv>

namespace messenger::gateway {

namespace {

constexpr int kMaxDepth = 8;

// The line starting at `at` (without CRLF) and the position after it; nullopt when no CRLF yet.
std::optional<std::pair<std::string_view, std::size_t>> Line(const std::string& buffer, std::size_t at) {
  const std::size_t end = buffer.find("\r\n", at);
  if (end == std::string::npos) return std::nullopt;
  return std::make_pair(std::string_view(buffer).substr(at, end - at), end + 2);
}

bool ParseInt(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

StatusOr<std::optional<RespValue>> RespReader::Next() {
  std::size_t at = pos_;
  MESSENGER_ASSIGN_OR_RETURN(std::optional<RespValue> value, Parse(at, 0));
  if (!value) return value;
  pos_ = at;
  // Drop consumed bytes once they are the larger part of the buffer.
  if (pos_ > 4096 && pos_ * 2 > buffer_.size()) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  return value;
}

StatusOr<std::optional<RespValue>> RespReader::Parse(std::size_t& at, int depth) const {
  if (depth > kMaxDepth) return InvalidArgumentError("resp: nested too deeply");
  if (at >= buffer_.size()) return std::optional<RespValue>();
  const char kind = buffer_[at];
  auto line = Line(buffer_, at + 1);
  if (!line) {
    if (buffer_.size() - at > 64 * 1024) return InvalidArgumentError("resp: header line too long");
    return std::optional<RespValue>();
  }
  auto [text, after] = *line;
  RespValue value;
  switch (kind) {
    case '+':
    case '-':
      value.type = kind == '+' ? RespValue::Type::kSimple : RespValue::Type::kError;
      value.text = std::string(text);
      at = after;
      return std::optional<RespValue>(std::move(value));
    case ':':
      value.type = RespValue::Type::kInteger;
      if (!ParseInt(text, value.integer)) return InvalidArgumentError("resp: bad integer");
      at = after;
      return std::optional<RespValue>(std::move(value));
    case '$': {
      std::int64_t length = 0;
      if (!ParseInt(text, length) || length < -1) return InvalidArgumentError("resp: bad bulk length");
      if (length == -1) {
        at = after;
        return std::optional<RespValue>(RespValue{});
      }
      if (static_cast<std::size_t>(length) > max_bulk_) return InvalidArgumentError("resp: bulk too large");
      const std::size_t end = after + static_cast<std::size_t>(length);
      if (buffer_.size() < end + 2) return std::optional<RespValue>();
      if (buffer_.compare(end, 2, "\r\n") != 0) return InvalidArgumentError("resp: bulk without CRLF");
      value.type = RespValue::Type::kBulk;
      value.text = buffer_.substr(after, static_cast<std::size_t>(length));
      at = end + 2;
      return std::optional<RespValue>(std::move(value));
    }
    case '*': {
      std::int64_t count = 0;
      if (!ParseInt(text, count) || count < -1) return InvalidArgumentError("resp: bad array length");
      if (count == -1) {
        at = after;
        return std::optional<RespValue>(RespValue{});
      }
      if (static_cast<std::size_t>(count) > max_bulk_) return InvalidArgumentError("resp: array too large");
      value.type = RespValue::Type::kArray;
      std::size_t cursor = after;
      for (std::int64_t i = 0; i < count; ++i) {
        MESSENGER_ASSIGN_OR_RETURN(std::optional<RespValue> element, Parse(cursor, depth + 1));
        if (!element) return std::optional<RespValue>();
        value.elements.push_back(std::move(*element));
      }
      at = cursor;
      return std::optional<RespValue>(std::move(value));
    }
    default:
      return InvalidArgumentError("resp: unknown type byte");
  }
}

std::string EncodeCommand(const std::vector<std::string>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string& arg : argv) {
    out += "$" + std::to_string(arg.size()) + "\r\n";
    out += arg;
    out += "\r\n";
  }
  return out;
}

}  // namespace messenger::gateway
