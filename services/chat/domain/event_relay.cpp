#include "chat/domain/event_relay.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "chat/domain/chat_service.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::chat {
namespace {

// The delivery reports of what one scan pass queued.
struct PassReports {
  std::mutex mu;
  std::condition_variable done;
  std::size_t pending = 0;
  std::vector<std::string> delivered;
  std::vector<std::string> failed_chats;
  Status first_failure;
};

}  // namespace

void EventRelay::Start() {
  if (thread_.joinable()) return;
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void EventRelay::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  inbox_->wake.notify_all();
  thread_.join();
  thread_ = std::jthread();
  // What was delivered by now is marked, so that the next process does not publish it again.
  if (Status s = FlushDelivered(); !s.ok()) {
    log::Warn("cannot mark delivered messages at shutdown; they will be published again",
              {{"error", s.ToString()}});
  }
}

void EventRelay::Notify() {
  {
    std::lock_guard lock(inbox_->mu);
    inbox_->scan_requested = true;
  }
  inbox_->wake.notify_one();
}

void EventRelay::MessageStored(const Message& message, const std::vector<std::string>& participants) {
  std::unique_lock lock(order_mu_);
  auto last = queued_.find(message.chat_id);
  if (last == queued_.end()) {
    // Nothing known of this chat (first message, or a fresh process): only its very first message can go
    // directly; for any other, earlier ones may be unpublished, which the chat's check finds.
    if (message.seq == 1 && queued_.size() < options_.max_tracked_chats) {
      QueueDirectLocked(message, participants);
      return;
    }
    lock.unlock();
    AskCheck(message.chat_id);
    return;
  }
  if (message.seq <= last->second) return;  // a pass already queued it
  if (message.seq == last->second + 1) {
    QueueDirectLocked(message, participants);
    return;
  }
  // A predecessor is still between its insert and this call (a concurrent send in the same chat), or was
  // published by another instance: the check settles it if the predecessor does not come.
  parked_[message.chat_id].emplace(message.seq, Parked{message, participants});
  lock.unlock();
  AskCheck(message.chat_id);
}

void EventRelay::AskCheck(const std::string& chat_id) {
  {
    std::lock_guard lock(inbox_->mu);
    inbox_->chats_to_check.insert(chat_id);
  }
  inbox_->wake.notify_one();
}

void EventRelay::QueueDirectLocked(const Message& message, const std::vector<std::string>& participants) {
  SendDirectLocked(message, participants);
  AdvanceLocked(message.chat_id, message.seq);
}

void EventRelay::SendDirectLocked(const Message& message, const std::vector<std::string>& participants) {
  std::weak_ptr<Inbox> weak = inbox_;
  publisher_.PublishAsync(MessageSentEvent{message, participants},
                          [weak, id = message.message_id, chat = message.chat_id](Status status) {
                            std::shared_ptr<Inbox> inbox = weak.lock();
                            if (!inbox) return;  // the relay is gone: the next process's scan publishes it
                            {
                              std::lock_guard lock(inbox->mu);
                              if (status.ok()) {
                                inbox->delivered.push_back(id);
                              } else {
                                inbox->failed_chats.push_back(chat);
                              }
                            }
                            inbox->wake.notify_one();
                          });
}

void EventRelay::AdvanceLocked(const std::string& chat_id, int64_t seq) {
  auto parked = parked_.find(chat_id);
  if (parked != parked_.end()) {
    // Parked messages up to `seq` are out already; successors next in line go now.
    auto& waiting = parked->second;
    while (!waiting.empty() && waiting.begin()->first <= seq + 1) {
      if (waiting.begin()->first == seq + 1) {
        SendDirectLocked(waiting.begin()->second.message, waiting.begin()->second.participants);
        ++seq;
      }
      waiting.erase(waiting.begin());
    }
    if (waiting.empty()) parked_.erase(parked);
  }
  queued_[chat_id] = seq;
}

void EventRelay::ForgetChatsLocked(const std::vector<std::string>& chats) {
  for (const std::string& chat : chats) {
    queued_.erase(chat);
    parked_.erase(chat);  // still unpublished in the store: the scan takes them, in order
  }
}

Status EventRelay::FlushDelivered() {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(inbox_->mu);
    ids.swap(inbox_->delivered);
  }
  if (ids.empty()) return OkStatus();
  Status marked = messages_.MarkPublished(ids);
  if (!marked.ok()) {
    // Kept for the next attempt (a scan in between would publish them again: harmless, consumers
    // de-duplicate).
    std::lock_guard lock(inbox_->mu);
    inbox_->delivered.insert(inbox_->delivered.end(), ids.begin(), ids.end());
  }
  return marked;
}

StatusOr<RelayPass> EventRelay::RunOnce() {
  RelayPass pass;
  bool messages_full = false;
  bool reads_full = false;
  std::vector<std::string> failed;
  {
    std::lock_guard lock(inbox_->mu);
    failed.swap(inbox_->failed_chats);
  }
  if (!failed.empty()) {
    // Their undelivered messages are still unpublished in the store: this pass takes them, in order.
    std::lock_guard order(order_mu_);
    ForgetChatsLocked(failed);
  }
  MESSENGER_RETURN_IF_ERROR(FlushDelivered());
  {
    std::lock_guard lock(inbox_->mu);
    inbox_->chats_to_check.clear();  // the full scan below covers them
  }
  MESSENGER_ASSIGN_OR_RETURN(pass.messages, PublishMessages(&messages_full));
  MESSENGER_ASSIGN_OR_RETURN(pass.read_events, PublishReadEvents(&reads_full));
  pass.more = messages_full || reads_full;
  return pass;
}

StatusOr<std::size_t> EventRelay::PublishMessages(bool* full) {
  MESSENGER_ASSIGN_OR_RETURN(std::vector<Message> pending, messages_.ListUnpublished(options_.batch_size));
  *full = pending.size() >= options_.batch_size;
  return PublishPending(pending);
}

Status EventRelay::CheckChats() {
  std::set<std::string> chats;
  {
    std::lock_guard lock(inbox_->mu);
    chats.swap(inbox_->chats_to_check);
  }
  if (chats.empty()) return OkStatus();
  const auto retry_later = [this, &chats](Status status) {
    std::lock_guard lock(inbox_->mu);
    inbox_->chats_to_check.insert(chats.begin(), chats.end());
    return status;
  };
  if (chats.size() > options_.max_chat_checks) {
    // Many at once (a fresh process meeting every active chat): one scan is cheaper than a query each.
    bool full = true;
    while (full) {
      StatusOr<std::size_t> published = PublishMessages(&full);
      if (!published.ok()) return retry_later(published.status());
    }
    return OkStatus();
  }
  std::vector<Message> pending;
  for (const std::string& chat : chats) {
    StatusOr<std::vector<Message>> listed = messages_.ListUnpublishedInChat(chat, options_.batch_size);
    if (!listed.ok()) return retry_later(listed.status());
    pending.insert(pending.end(), listed->begin(), listed->end());
  }
  StatusOr<std::size_t> published = PublishPending(pending);
  if (!published.ok()) return retry_later(published.status());
  return OkStatus();
}

StatusOr<std::size_t> EventRelay::PublishPending(const std::vector<Message>& pending) {
  if (pending.empty()) return std::size_t{0};

  auto reports = std::make_shared<PassReports>();
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
    }

    std::lock_guard order(order_mu_);
    auto last = queued_.find(chat_id);
    std::size_t skip = 0;
    if (last != queued_.end()) {
      // The direct path queued these already (their reports are on the way). Whatever lies between the last
      // queued seq and the run is published: only marked messages are missing from the list.
      while (skip < run.size() && run[skip].seq <= last->second) ++skip;
      if (skip == run.size()) continue;
    }
    for (std::size_t i = skip; i < run.size(); ++i) {
      {
        std::lock_guard lock(reports->mu);
        ++reports->pending;
      }
      publisher_.PublishAsync(MessageSentEvent{run[i], info->participants},
                              [reports, id = run[i].message_id, chat_id](Status status) {
                                std::lock_guard lock(reports->mu);
                                if (status.ok()) {
                                  reports->delivered.push_back(id);
                                } else {
                                  reports->failed_chats.push_back(chat_id);
                                  if (reports->first_failure.ok()) reports->first_failure = status;
                                }
                                if (--reports->pending == 0) reports->done.notify_all();
                              });
    }
    if (queued_.size() >= options_.max_tracked_chats && last == queued_.end()) {
      queued_.clear();
      parked_.clear();  // their messages stay unpublished in the store; a scan takes them
    }
    AdvanceLocked(chat_id, run.back().seq);
  }

  std::unique_lock lock(reports->mu);
  const bool finished =
      reports->done.wait_for(lock, options_.publish_timeout, [&] { return reports->pending == 0; });
  std::vector<std::string> delivered = reports->delivered;
  std::vector<std::string> failed = reports->failed_chats;
  Status failure = reports->first_failure;
  lock.unlock();
  if (!finished && failure.ok()) failure = DeadlineExceededError("no delivery report from the publisher in time");
  if (!failed.empty() || !finished) {
    std::lock_guard order(order_mu_);
    if (!finished) {
      queued_.clear();
      parked_.clear();
    } else {
      ForgetChatsLocked(failed);
    }
  }
  if (!delivered.empty()) MESSENGER_RETURN_IF_ERROR(messages_.MarkPublished(delivered));
  if (!failure.ok()) return failure;
  return delivered.size();
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
  using Clock = std::chrono::steady_clock;
  Clock::time_point next_scan = Clock::now() + options_.scan_interval;
  bool backing_off = false;
  while (!stop.stop_requested()) {
    bool scan = false;
    {
      std::unique_lock lock(inbox_->mu);
      // During a back-off only deliveries to mark wake the relay; requests wait for its end.
      const auto asked = [this, &backing_off] {
        return !backing_off && (inbox_->scan_requested || !inbox_->failed_chats.empty());
      };
      inbox_->wake.wait_until(lock, stop, next_scan, [&] {
        return asked() || !inbox_->delivered.empty() || (!backing_off && !inbox_->chats_to_check.empty());
      });
      if (stop.stop_requested()) break;
      scan = asked() || Clock::now() >= next_scan;
      if (scan) inbox_->scan_requested = false;  // failed chats are taken by the pass
    }
    if (!scan) {
      // Deliveries to mark and chats to check: let more gather (a parked message's predecessor usually
      // arrives within this time, and the check finds nothing to do), then handle them together.
      std::unique_lock lock(inbox_->mu);
      inbox_->wake.wait_for(lock, stop, options_.mark_linger, [] { return false; });
      lock.unlock();
      if (Status s = FlushDelivered(); !s.ok()) {
        log::Warn("cannot mark delivered messages; retrying", {{"error", s.ToString()}});
      }
      if (!backing_off) {
        if (Status s = CheckChats(); !s.ok()) {
          log::Warn("event relay check failed; retrying", {{"error", s.ToString()}});
          backing_off = true;
          next_scan = Clock::now() + options_.retry_backoff;
        }
      }
      continue;
    }
    // Drain: full batches mean more is waiting.
    backing_off = false;
    while (!stop.stop_requested()) {
      StatusOr<RelayPass> pass = RunOnce();
      if (!pass.ok()) {
        log::Warn("event relay pass failed; retrying", {{"error", pass.status().ToString()}});
        // Kafka being down must not turn every send into a publish attempt: the next pass waits for the
        // back-off, whatever asks for it in between.
        backing_off = true;
        break;
      }
      if (!pass->more) break;
    }
    next_scan = Clock::now() + (backing_off ? options_.retry_backoff : options_.scan_interval);
  }
}

}  // namespace messenger::chat
