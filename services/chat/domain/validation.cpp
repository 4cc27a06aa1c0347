#include "chat/domain/validation.hpp"

#include <string>

namespace messenger::chat {

std::optional<std::size_t> CountUtf8CodePoints(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    uint32_t code_point = 0;
    uint32_t min_value = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
      min_value = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
      min_value = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
      min_value = 0x10000;
    } else {
      return std::nullopt;  // a continuation byte or 0xF8..0xFF where a character should start
    }
    if (i + length > n) return std::nullopt;  // truncated
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < min_value) return std::nullopt;                        // overlong
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return std::nullopt;  // surrogate
    if (code_point > 0x10FFFF) return std::nullopt;
    i += length;
    ++count;
  }
  return count;
}

Status ValidateContent(std::string_view content) {
  std::optional<std::size_t> chars = CountUtf8CodePoints(content);
  if (!chars) return InvalidArgumentError("content is not valid UTF-8");
  if (*chars == 0) return InvalidArgumentError("content is empty");
  if (*chars > kMaxContentChars) {
    return InvalidArgumentError("content is longer than " + std::to_string(kMaxContentChars) + " characters");
  }
  return OkStatus();
}

Status ValidateClientMessageId(std::string_view client_message_id) {
  if (client_message_id.size() > kMaxClientMessageIdBytes) {
    return InvalidArgumentError("client_message_id is longer than " +
                                std::to_string(kMaxClientMessageIdBytes) + " bytes");
  }
  if (!CountUtf8CodePoints(client_message_id)) return InvalidArgumentError("client_message_id is not UTF-8");
  return OkStatus();
}

StatusOr<int> EffectiveHistoryLimit(int32_t limit) {
  if (limit == 0) return kDefaultHistoryLimit;
  if (limit < 1 || limit > kMaxHistoryLimit) {
    return InvalidArgumentError("limit must be between 1 and " + std::to_string(kMaxHistoryLimit));
  }
  return static_cast<int>(limit);
}

}  // namespace messenger::chat
