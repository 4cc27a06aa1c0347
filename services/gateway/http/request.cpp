#include "http/request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace messenger::gateway {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::string_view Request::Param(std::string_view name) const {
  for (const auto& [k, v] : params) {
    if (k == name) return v;
  }
  return {};
}

StatusOr<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) {
        return InvalidArgumentError("broken percent-escape in the URL");
      }
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return InvalidArgumentError("broken percent-escape in the URL");
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

StatusOr<std::optional<std::int64_t>> QueryInt64(const Request& request, std::string_view name) {
  std::optional<std::string_view> raw = request.Query(name);
  if (!raw) return std::optional<std::int64_t>();
  std::int64_t value = 0;
  const char* begin = raw->data();
  const char* end = raw->data() + raw->size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (raw->empty() || ec != std::errc() || ptr != end) {
    return InvalidArgumentError("query parameter '" + std::string(name) + "' must be an integer");
  }
  return std::optional<std::int64_t>(value);
}

StatusOr<NameValueList> ParseQuery(std::string_view query) {
  NameValueList out;
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    std::size_t eq = piece.find('=');
    std::string_view raw_name = piece.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    MESSENGER_ASSIGN_OR_RETURN(std::string name, PercentDecode(raw_name, true));
    MESSENGER_ASSIGN_OR_RETURN(std::string value, PercentDecode(raw_value, true));
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace messenger::gateway
