// In-memory test doubles of the Chat domain's interfaces, for unit tests (no network).
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "chat/domain/chat_cache.hpp"
#include "chat/domain/chat_store.hpp"
#include "chat/domain/event_publisher.hpp"
#include "chat/domain/friends_directory.hpp"
#include "chat/domain/message_store.hpp"
#include "chat/domain/user_directory.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::chat::testing {

class FakeClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return now_; }
  void Advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  std::chrono::system_clock::time_point now_ = FromUnixMillis(1'700'000'000'000);
};

class InMemoryChatStore final : public ChatStore {
 public:
  StatusOr<CreatedChat> Create(const ChatInfo& info) override {
    std::lock_guard lock(mu_);
    if (fail_) return UnavailableError("chat store down");
    if (info.kind == ChatKind::kDirect) {
      const std::string key = info.participants[0] + ":" + info.participants[1];
      auto it = direct_.find(key);
      if (it != direct_.end()) return CreatedChat{chats_.at(it->second).info, false};
      direct_[key] = info.chat_id;
    }
    Chat chat;
    chat.info = info;
    chat.last_activity_ms = info.created_at_ms;
    chats_[info.chat_id] = chat;
    return CreatedChat{info, true};
  }
  StatusOr<std::optional<Chat>> Get(const std::string& chat_id) override {
    std::lock_guard lock(mu_);
    ++gets_;
    if (fail_) return UnavailableError("chat store down");
    auto it = chats_.find(chat_id);
    if (it == chats_.end()) return std::optional<Chat>();
    return std::optional<Chat>(it->second);
  }
  StatusOr<std::vector<Chat>> ListForUser(const std::string& user_id) override {
    std::lock_guard lock(mu_);
    ++list_queries_;
    if (fail_) return UnavailableError("chat store down");
    std::vector<Chat> out;
    for (const auto& [id, chat] : chats_) {
      if (chat.info.HasParticipant(user_id)) out.push_back(chat);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Chat& a, const Chat& b) { return a.last_activity_ms > b.last_activity_ms; });
    return out;
  }
  Status ApplyMessages(const std::vector<Message>& messages) override {
    std::lock_guard lock(mu_);
    ++applies_;
    if (fail_ || fail_apply_) return UnavailableError("chat store down");
    auto it = chats_.find(messages.front().chat_id);
    if (it == chats_.end()) return NotFoundError("no chat");
    Chat& chat = it->second;
    for (const Message& m : messages) {
      if (m.seq > chat.last_seq) {
        chat.last_seq = m.seq;
        chat.last_message = m;
        chat.last_activity_ms = m.created_at_ms;
      }
      chat.read[m.author_id] = std::max(chat.read[m.author_id], m.seq);
    }
    return OkStatus();
  }
  Status AdvanceReadMark(const std::string& chat_id, const std::string& user_id, int64_t seq) override {
    std::lock_guard lock(mu_);
    if (fail_ || fail_mark_) return UnavailableError("chat store down");
    Chat& chat = chats_.at(chat_id);
    chat.read[user_id] = std::max(chat.read[user_id], seq);
    return OkStatus();
  }
  Status AddReadEvent(const ReadEvent& event) override {
    std::lock_guard lock(mu_);
    if (fail_) return UnavailableError("chat store down");
    for (const ReadEvent& e : read_outbox_) {
      if (e.event_id == event.event_id) return OkStatus();
    }
    read_outbox_.push_back(event);
    return OkStatus();
  }
  StatusOr<std::vector<ReadEvent>> ListReadEvents(std::size_t limit) override {
    std::lock_guard lock(mu_);
    if (fail_) return UnavailableError("chat store down");
    std::vector<ReadEvent> out(read_outbox_.begin(),
                               read_outbox_.begin() + std::min(limit, read_outbox_.size()));
    return out;
  }
  Status RemoveReadEvents(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mu_);
    std::erase_if(read_outbox_, [&](const ReadEvent& e) {
      return std::find(ids.begin(), ids.end(), e.event_id) != ids.end();
    });
    return OkStatus();
  }

  // Test controls and probes.
  void SetFailing(bool fail) {
    std::lock_guard lock(mu_);
    fail_ = fail;
  }
  void SetApplyFailing(bool fail) {
    std::lock_guard lock(mu_);
    fail_apply_ = fail;
  }
  void SetMarkFailing(bool fail) {
    std::lock_guard lock(mu_);
    fail_mark_ = fail;
  }
  Chat ChatForTest(const std::string& id) {
    std::lock_guard lock(mu_);
    return chats_.at(id);
  }
  std::size_t ChatCount() {
    std::lock_guard lock(mu_);
    return chats_.size();
  }
  std::vector<ReadEvent> ReadOutbox() {
    std::lock_guard lock(mu_);
    return read_outbox_;
  }
  int list_queries() {
    std::lock_guard lock(mu_);
    return list_queries_;
  }
  int gets() {
    std::lock_guard lock(mu_);
    return gets_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Chat> chats_;
  std::map<std::string, std::string> direct_;
  std::vector<ReadEvent> read_outbox_;
  bool fail_ = false, fail_apply_ = false, fail_mark_ = false;
  int list_queries_ = 0, gets_ = 0, applies_ = 0;
};

class InMemoryMessageStore final : public MessageStore {
 public:
  StatusOr<StoredMessage> Append(const NewMessage& m) override {
    std::lock_guard lock(mu_);
    ++appends_;
    if (fail_) return UnavailableError("message store down");
    std::vector<Message>& chat = chats_[m.chat_id];
    if (!m.client_message_id.empty()) {
      auto it = by_client_id_.find({m.chat_id, m.author_id, m.client_message_id});
      if (it != by_client_id_.end()) return StoredMessage{chat[it->second - 1], false};
    }
    Message stored{m.message_id, m.chat_id, static_cast<int64_t>(chat.size()) + 1,
                   m.author_id,  m.content, m.created_at_ms};
    chat.push_back(stored);
    unpublished_.insert({m.chat_id, stored.seq});
    if (!m.client_message_id.empty())
      by_client_id_[{m.chat_id, m.author_id, m.client_message_id}] = stored.seq;
    return StoredMessage{stored, true};
  }
  StatusOr<std::vector<Message>> List(const std::string& chat_id, const MessageRange& range) override {
    std::lock_guard lock(mu_);
    ++lists_;
    if (fail_) return UnavailableError("message store down");
    std::vector<Message> in_range;
    for (const Message& m : chats_[chat_id]) {
      if (range.after_seq && m.seq <= *range.after_seq) continue;
      if (range.before_seq && m.seq >= *range.before_seq) continue;
      in_range.push_back(m);
    }
    const std::size_t n = std::min<std::size_t>(range.limit, in_range.size());
    if (range.oldest_first) return std::vector<Message>(in_range.begin(), in_range.begin() + n);
    return std::vector<Message>(in_range.end() - n, in_range.end());
  }
  StatusOr<int64_t> LastSeq(const std::string& chat_id) override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(chats_[chat_id].size());
  }
  StatusOr<std::vector<Message>> ListUnpublished(std::size_t limit) override {
    std::lock_guard lock(mu_);
    if (fail_) return UnavailableError("message store down");
    std::vector<Message> out;
    for (const auto& [chat_id, seq] : unpublished_) {
      if (out.size() >= limit) break;
      out.push_back(chats_[chat_id][seq - 1]);
    }
    return out;
  }
  StatusOr<std::vector<Message>> ListUnpublishedInChat(const std::string& chat_id, std::size_t limit) override {
    std::lock_guard lock(mu_);
    if (fail_) return UnavailableError("message store down");
    std::vector<Message> out;
    for (const auto& [chat, seq] : unpublished_) {
      if (out.size() >= limit) break;
      if (chat == chat_id) out.push_back(chats_[chat][seq - 1]);
    }
    return out;
  }
  Status MarkPublished(const std::vector<std::string>& ids) override {
    std::lock_guard lock(mu_);
    for (auto it = unpublished_.begin(); it != unpublished_.end();) {
      const Message& m = chats_[it->first][it->second - 1];
      if (std::find(ids.begin(), ids.end(), m.message_id) != ids.end()) {
        it = unpublished_.erase(it);
      } else {
        ++it;
      }
    }
    return OkStatus();
  }

  void SetFailing(bool fail) {
    std::lock_guard lock(mu_);
    fail_ = fail;
  }
  std::vector<Message> MessagesForTest(const std::string& chat_id) {
    std::lock_guard lock(mu_);
    return chats_[chat_id];
  }
  std::size_t UnpublishedCount() {
    std::lock_guard lock(mu_);
    return unpublished_.size();
  }
  int appends() {
    std::lock_guard lock(mu_);
    return appends_;
  }
  int lists() {
    std::lock_guard lock(mu_);
    return lists_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<Message>> chats_;
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> by_client_id_;
  std::set<std::pair<std::string, int64_t>> unpublished_;
  bool fail_ = false;
  int appends_ = 0, lists_ = 0;
};

// Follows the ChatCache contract (window appends, fill tokens) in memory; can be switched off ("down").
class InMemoryChatCache final : public ChatCache {
 public:
  explicit InMemoryChatCache(std::size_t window = 100) : window_(window) {}

  StatusOr<std::optional<ChatInfo>> GetChatInfo(const std::string& chat_id) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    auto it = infos_.find(chat_id);
    if (it == infos_.end()) return std::optional<ChatInfo>();
    return std::optional<ChatInfo>(it->second);
  }
  Status PutChatInfo(const ChatInfo& chat) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    infos_[chat.chat_id] = chat;
    return OkStatus();
  }
  StatusOr<std::optional<std::vector<Message>>> GetRecent(const std::string& chat_id) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    auto it = recent_.find(chat_id);
    if (it == recent_.end()) return std::optional<std::vector<Message>>();
    ++hits_;
    return std::optional<std::vector<Message>>(it->second);
  }
  StatusOr<std::string> BeginFill(const std::string& chat_id) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    std::string token = NewUuid();
    fills_[chat_id] = token;
    return token;
  }
  Status CompleteFill(const std::string& chat_id, const std::string& token,
                      const std::vector<Message>& newest) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    auto it = fills_.find(chat_id);
    if (it == fills_.end() || it->second != token) return OkStatus();
    fills_.erase(it);
    if (recent_.count(chat_id)) return OkStatus();
    std::vector<Message> window(newest.end() - std::min(window_, newest.size()), newest.end());
    recent_[chat_id] = window;
    return OkStatus();
  }
  Status AppendRecent(const Message& m) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    int64_t& newest = newest_[m.chat_id];
    const bool above = m.seq > newest;
    if (above) newest = m.seq;
    auto it = recent_.find(m.chat_id);
    if (it == recent_.end()) {
      fills_.erase(m.chat_id);
      if (above) recent_[m.chat_id] = {m};
      return OkStatus();
    }
    std::vector<Message>& window = it->second;
    const int64_t hi = window.empty() ? 0 : window.back().seq;
    if (m.seq <= hi) {
      const int64_t lo = window.empty() ? 1 : window.front().seq;
      if (m.seq >= lo && !(window[m.seq - lo] == m)) recent_.erase(it);
      return OkStatus();
    }
    if (m.seq != hi + 1) {
      recent_.erase(it);
      fills_.erase(m.chat_id);
      return OkStatus();
    }
    window.push_back(m);
    if (window.size() > window_) window.erase(window.begin());
    return OkStatus();
  }
  Status Invalidate(const std::string& chat_id) override {
    std::lock_guard lock(mu_);
    if (down_) return UnavailableError("cache down");
    recent_.erase(chat_id);
    fills_.erase(chat_id);
    return OkStatus();
  }

  void SetDown(bool down) {
    std::lock_guard lock(mu_);
    down_ = down;
  }
  bool HasWindow(const std::string& chat_id) {
    std::lock_guard lock(mu_);
    return recent_.count(chat_id) > 0;
  }
  std::vector<Message> WindowForTest(const std::string& chat_id) {
    std::lock_guard lock(mu_);
    return recent_[chat_id];
  }
  int hits() {
    std::lock_guard lock(mu_);
    return hits_;
  }

 private:
  std::mutex mu_;
  const std::size_t window_;
  std::map<std::string, ChatInfo> infos_;
  std::map<std::string, std::vector<Message>> recent_;
  std::map<std::string, int64_t> newest_;  // the highest seq appended per chat
  std::map<std::string, std::string> fills_;
  bool down_ = false;
  int hits_ = 0;
};

// Users are "friends" when the pair was added; counts calls.
class FakeFriends final : public FriendsDirectory {
 public:
  void Befriend(const std::string& a, const std::string& b) { pairs_.insert(Key(a, b)); }
  void Unfriend(const std::string& a, const std::string& b) { pairs_.erase(Key(a, b)); }
  StatusOr<std::vector<std::string>> NotFriends(const std::string& user_id,
                                                const std::vector<std::string>& others) override {
    ++calls_;
    if (down_) return UnavailableError("friends down");
    std::vector<std::string> out;
    for (const std::string& o : others) {
      if (!pairs_.count(Key(user_id, o))) out.push_back(o);
    }
    return out;
  }
  int calls() const { return calls_; }
  void SetDown(bool down) { down_ = down; }

 private:
  static std::pair<std::string, std::string> Key(const std::string& a, const std::string& b) {
    return a < b ? std::make_pair(a, b) : std::make_pair(b, a);
  }
  std::set<std::pair<std::string, std::string>> pairs_;
  int calls_ = 0;
  bool down_ = false;
};

class FakeUsers final : public UserDirectory {
 public:
  std::string Add() {
    std::string id = NewUuid();
    known_.insert(id);
    return id;
  }
  StatusOr<std::vector<std::string>> Unknown(const std::vector<std::string>& ids) override {
    ++calls_;
    std::vector<std::string> out;
    for (const std::string& id : ids) {
      if (!known_.count(id)) out.push_back(id);
    }
    return out;
  }
  int calls() const { return calls_; }

 private:
  std::set<std::string> known_;
  int calls_ = 0;
};

class RecordingPublisher final : public EventPublisher {
 public:
  Status Publish(const std::vector<ChatEvent>& events, std::size_t* acknowledged) override {
    std::lock_guard lock(mu_);
    *acknowledged = 0;
    for (const ChatEvent& e : events) {
      if (fail_after_ >= 0 && static_cast<int>(published_.size()) >= fail_after_) {
        return UnavailableError("broker down");
      }
      published_.push_back(e);
      ++*acknowledged;
    }
    return OkStatus();
  }
  void PublishAsync(const ChatEvent& event, std::function<void(Status)> done) override {
    Status status;
    {
      std::lock_guard lock(mu_);
      if (fail_after_ >= 0 && static_cast<int>(published_.size()) >= fail_after_) {
        status = UnavailableError("broker down");
      } else {
        published_.push_back(event);
      }
    }
    done(std::move(status));
  }
  // Accept this many events in all, then fail every publish (-1: never fail).
  void FailAfter(int n) {
    std::lock_guard lock(mu_);
    fail_after_ = n;
  }
  std::vector<ChatEvent> published() {
    std::lock_guard lock(mu_);
    return published_;
  }

 private:
  std::mutex mu_;
  std::vector<ChatEvent> published_;
  int fail_after_ = -1;
};

class CountingSignal final : public OutboxSignal {
 public:
  void Notify() override { ++count_; }
  int count() const { return count_; }

 private:
  int count_ = 0;
};

}  // namespace messenger::chat::testing
