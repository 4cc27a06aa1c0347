#include "chat/domain/event_relay.hpp"

#include <string>
#include <utility>
#include <vector>

#include "chat/domain/chat_service.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::chat {

void EventRelay::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void EventRelay::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
  thread_ = std::jthread();
}

void EventRelay::Notify() {
  {
    std::lock_guard lock(mu_);
    notified_ = true;
  }
  wake_.notify_one();
}

StatusOr<RelayPass> EventRelay::RunOnce() {
  RelayPass pass;
  bool messages_full = false;
  bool reads_full = false;
  MESSENGER_ASSIGN_OR_RETURN(pass.messages, PublishMessages(&messages_full));
  MESSENGER_ASSIGN_OR_RETURN(pass.read_events, PublishReadEvents(&reads_full));
  pass.more = messages_full || reads_full;
  return pass;
}

StatusOr<std::size_t> EventRelay::PublishMessages(bool* full) {
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Message> pending, messages_.ListUnpublished(options_.batch_size));
  *full = pending.size() >= options_.batch_size;
  if (pending.empty()) return std::size_t{0};

  std::vector<ChatEvent> events;
  std::vector<std::string> ids;
  events.reserve(pending.size());
  std::size_t begin = 0;
  while (begin < pending.size()) {
    // One chat's messages; only a gapless run is taken (a gap means a lower seq is not visible yet).
    std::size_t end = begin + 1;
    while (end < pending.size() && pending[end].chat_id == pending[begin].chat_id &&
           pending[end].seq == pending[end - 1].seq + 1) {
      ++end;
    }
    std::vector<Message> run(pending.begin() + begin, pending.begin() + end);
    const std::string chat_id = run.front().chat_id;
    while (end < pending.size() && pending[end].chat_id == chat_id) ++end;  // the rest waits
    begin = end;

    MESSENGER_ASSIGN_OR_RETURN(std::optional<ChatInfo> info, LoadChatInfo(chats_, cache_, chat_id));
    if (!info) {
      log::Error("unpublished messages of an unknown chat are left alone", {{"chat_id", chat_id}});
      continue;
    }
    // Repairs first: the chat document and the cache must show the message before anyone hears of it.
    MESSENGER_RETURN_IF_ERROR(chats_.ApplyMessages(run));
    for (const Message& m : run) {
      if (!cache_.AppendRecent(m).ok()) (void)cache_.Invalidate(chat_id);
      ids.push_back(m.message_id);
      events.push_back(MessageSentEvent{m, info->participants});
    }
  }
  if (events.empty()) return std::size_t{0};

  std::size_t acknowledged = 0;
  Status published = publisher_.Publish(events, &acknowledged);
  if (acknowledged > 0) {
    ids.resize(acknowledged);
    MESSENGER_RETURN_IF_ERROR(messages_.MarkPublished(ids));
  }
  if (!published.ok()) return published;
  return acknowledged;
}

StatusOr<std::size_t> EventRelay::PublishReadEvents(bool* full) {
  MESSENGER_ASSIGN_OR_RETURN(std::vector<ReadEvent> pending, chats_.ListReadEvents(options_.batch_size));
  *full = pending.size() >= options_.batch_size;
  if (pending.empty()) return std::size_t{0};
  std::vector<ChatEvent> events;
  std::vector<std::string> ids;
  for (ReadEvent& e : pending) {
    MESSENGER_RETURN_IF_ERROR(chats_.AdvanceReadMark(e.chat_id, e.user_id, e.seq));
    ids.push_back(e.event_id);
    events.push_back(std::move(e));
  }
  std::size_t acknowledged = 0;
  Status published = publisher_.Publish(events, &acknowledged);
  if (acknowledged > 0) {
    ids.resize(acknowledged);
    MESSENGER_RETURN_IF_ERROR(chats_.RemoveReadEvents(ids));
  }
  if (!published.ok()) return published;
  return acknowledged;
}

void EventRelay::Loop(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, stop, options_.scan_interval, [this] { return notified_; });
      notified_ = false;
    }
    if (stop.stop_requested()) break;
    // Drain: full batches mean more is waiting.
    while (!stop.stop_requested()) {
      StatusOr<RelayPass> pass = RunOnce();
      if (!pass.ok()) {
        log::Warn("event relay pass failed; retrying", {{"error", pass.status().ToString()}});
        std::unique_lock lock(mu_);
        // Wake-ups during the back-off do not cut it short (Kafka being down must not turn every send into
        // a publish attempt); the pending work is picked up right after it.
        wake_.wait_for(lock, stop, options_.retry_backoff, [] { return false; });
        notified_ = true;
        break;
      }
      if (!pass->more) break;
    }
  }
}

}  // namespace messenger::chat
