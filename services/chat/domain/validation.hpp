// Input rules of the Chat API (see /work/shared/API.md, "Chats and messages").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "messenger/common/status.hpp"

namespace messenger::chat {

inline constexpr std::size_t kMaxContentChars = 4096;  // Unicode code points
inline constexpr std::size_t kMaxParticipants = 100;   // per chat, the creator included
inline constexpr std::size_t kMaxClientMessageIdBytes = 128;
inline constexpr int kDefaultHistoryLimit = 50;
inline constexpr int kMaxHistoryLimit = 100;

// The number of code points of well-formed UTF-8 (no overlong forms, no surrogates, nothing above
// U+10FFFF, no truncated sequence); nullopt when `text` is not well-formed.
std::optional<std::size_t> CountUtf8CodePoints(std::string_view text);

// INVALID_ARGUMENT unless 1..4096 code points of well-formed UTF-8.
Status ValidateContent(std::string_view content);
// INVALID_ARGUMENT unless empty (none sent) or 1..128 bytes of well-formed UTF-8.
Status ValidateClientMessageId(std::string_view client_message_id);
// The page size: 0 (unset) means the default 50; INVALID_ARGUMENT outside 1..100.
StatusOr<int> EffectiveHistoryLimit(int32_t limit);

}  // namespace messenger::chat
