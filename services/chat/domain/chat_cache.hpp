// The Redis cache in front of the stores: chat membership (immutable) and the newest messages of each
// active chat (the "recent window"), so that opening a chat is answered from memory.
//
// Every method may fail (cache server down, timeout); callers then use the stores and never report the
// failure to their clients. The cache is never the only copy of anything.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "chat/domain/types.hpp"
#include "messenger/common/status.hpp"

namespace messenger::chat {

class ChatCache {
 public:
  virtual ~ChatCache() = default;

  // Membership. Chats never change members, so an entry never goes stale.
  virtual StatusOr<std::optional<ChatInfo>> GetChatInfo(const std::string& chat_id) = 0;
  virtual Status PutChatInfo(const ChatInfo& chat) = 0;

  // The recent window: the newest messages of the chat (up to the configured size), ascending and
  // contiguous, whose last one is the chat's newest acknowledged message; empty for a chat without
  // messages; nullopt when the chat is not cached.
  //
  // Invariant: after a send returned to its client, the window holds that message or is gone. Kept by:
  //  - AppendRecent(m), called after the store acknowledged m (and again by the relay, in seq order):
  //    appends m when it is the window's next seq, ignores it when the window already has it, and drops
  //    the window on a gap or a mismatch (any doubt). When no window exists it voids every fill in progress,
  //    and m starts a new window if its seq is above every seq appended to the chat before (so a chat
  //    being written is cached without a read first; an older message cannot start one).
  //  - Fills use a token: BeginFill before reading the store, CompleteFill with what was read. The fill is
  //    dropped when an append (or Invalidate) came in between, so a window read before a message was
  //    acknowledged is never installed after it.
  virtual StatusOr<std::optional<std::vector<Message>>> GetRecent(const std::string& chat_id) = 0;
  // The newest `count` messages of the window (all of it when it holds fewer); otherwise like GetRecent.
  // Opening a chat needs only its newest page, so a cache can read less than the whole window.
  virtual StatusOr<std::optional<std::vector<Message>>> GetNewest(const std::string& chat_id,
                                                                  std::size_t count) {
    StatusOr<std::optional<std::vector<Message>>> window = GetRecent(chat_id);
    if (window.ok() && window->has_value() && (*window)->size() > count) {
      auto& messages = **window;
      messages.erase(messages.begin(), messages.end() - static_cast<std::ptrdiff_t>(count));
    }
    return window;
  }
  virtual StatusOr<std::string> BeginFill(const std::string& chat_id) = 0;
  // `newest` is the chat's newest messages as read after BeginFill (ascending, contiguous, ending at the
  // chat's last message; empty for a chat without messages). A no-op when the token was voided.
  virtual Status CompleteFill(const std::string& chat_id, const std::string& token,
                              const std::vector<Message>& newest) = 0;
  virtual Status AppendRecent(const Message& message) = 0;
  virtual Status Invalidate(const std::string& chat_id) = 0;
};

}  // namespace messenger::chat
