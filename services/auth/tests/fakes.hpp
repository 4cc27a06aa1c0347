// In-memory stand-ins for the domain's interfaces, driven by a FakeClock. For unit tests only.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "auth/domain/account_repository.hpp"
#include "auth/domain/nickname_registry.hpp"
#include "auth/domain/password_hasher.hpp"
#include "auth/domain/session_store.hpp"
#include "auth/domain/throttle.hpp"
#include "messenger/common/ids.hpp"

namespace messenger::auth::testing {

class FakeClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void Advance(std::chrono::milliseconds d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point now_{std::chrono::seconds(1'800'000'000)};
};

class InMemoryAccountRepository final : public AccountRepository {
 public:
  StatusOr<Account> FindByEmail(std::string_view email_lower) override {
    std::lock_guard lock(mu_);
    if (fail_next_) return std::exchange(fail_next_, std::nullopt).value();
    for (const auto& [id, a] : accounts_) {
      if (a.email_lower == email_lower) return a;
    }
    return NotFoundError("no account");
  }
  Status CreateWithEvent(const Account& account, const OutboxMessage& event) override {
    std::lock_guard lock(mu_);
    if (fail_create_) return *fail_create_;
    for (const auto& [id, a] : accounts_) {
      if (a.email_lower == account.email_lower) return AlreadyExistsError("email taken", "EMAIL_TAKEN");
    }
    accounts_[account.id] = account;
    outbox_.push_back(event);
    return OkStatus();
  }
  Status UpdatePasswordHash(std::string_view user_id, std::string_view hash) override {
    std::lock_guard lock(mu_);
    auto it = accounts_.find(std::string(user_id));
    if (it == accounts_.end()) return NotFoundError("no account");
    it->second.password_hash = std::string(hash);
    return OkStatus();
  }

  void FailCreateWith(Status s) { fail_create_ = std::move(s); }
  void FailNextFindWith(Status s) { fail_next_ = std::move(s); }
  std::vector<Account> Accounts() const {
    std::lock_guard lock(mu_);
    std::vector<Account> out;
    for (const auto& [id, a] : accounts_) out.push_back(a);
    return out;
  }
  std::vector<OutboxMessage> Outbox() const {
    std::lock_guard lock(mu_);
    return outbox_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, Account> accounts_;
  std::vector<OutboxMessage> outbox_;
  std::optional<Status> fail_create_;
  std::optional<Status> fail_next_;
};

// Keys expire by the FakeClock, as Redis keys would.
class InMemorySessionStore final : public SessionStore {
 public:
  explicit InMemorySessionStore(const FakeClock& clock) : clock_(clock) {}

  Status Create(const std::string& sid, const std::string& user_id, const std::string& refresh_hash,
                std::chrono::seconds ttl) override {
    std::lock_guard lock(mu_);
    sessions_[sid] = Session{user_id, refresh_hash, {}, clock_.Now() + ttl};
    return OkStatus();
  }
  StatusOr<RotateResult> Rotate(const std::string& sid, const std::string& presented, const std::string& next,
                                std::chrono::seconds ttl) override {
    std::lock_guard lock(mu_);
    Session* s = Find(sid);
    if (s == nullptr) return RotateResult{RotateOutcome::kUnknown, {}};
    if (s->current == presented) {
      s->used.insert(presented);
      s->current = next;
      s->expires = clock_.Now() + ttl;
      return RotateResult{RotateOutcome::kRotated, s->user_id};
    }
    if (s->used.count(presented) != 0) {
      sessions_.erase(sid);
      return RotateResult{RotateOutcome::kReplayed, {}};
    }
    return RotateResult{RotateOutcome::kUnknown, {}};
  }
  Status Delete(const std::string& sid) override {
    std::lock_guard lock(mu_);
    sessions_.erase(sid);
    return OkStatus();
  }
  Status RevokeAccessToken(const std::string& jti, std::chrono::seconds ttl) override {
    std::lock_guard lock(mu_);
    revoked_[jti] = clock_.Now() + ttl;
    return OkStatus();
  }
  StatusOr<bool> IsAccessTokenLive(const std::string& sid, const std::string& jti) override {
    std::lock_guard lock(mu_);
    auto revoked = revoked_.find(jti);
    const bool is_revoked = revoked != revoked_.end() && revoked->second > clock_.Now();
    return Find(sid) != nullptr && !is_revoked;
  }

  bool HasSession(const std::string& sid) {
    std::lock_guard lock(mu_);
    return Find(sid) != nullptr;
  }
  std::optional<std::chrono::system_clock::time_point> RevokedUntil(const std::string& jti) {
    std::lock_guard lock(mu_);
    auto it = revoked_.find(jti);
    if (it == revoked_.end()) return std::nullopt;
    return it->second;
  }

 private:
  struct Session {
    std::string user_id;
    std::string current;
    std::set<std::string> used;
    std::chrono::system_clock::time_point expires;
  };
  Session* Find(const std::string& sid) {
    auto it = sessions_.find(sid);
    if (it == sessions_.end()) return nullptr;
    if (it->second.expires <= clock_.Now()) {
      sessions_.erase(it);
      return nullptr;
    }
    return &it->second;
  }

  const FakeClock& clock_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, std::chrono::system_clock::time_point> revoked_;
};

class InMemoryThrottle final : public Throttle {
 public:
  explicit InMemoryThrottle(const FakeClock& clock) : clock_(clock) {}

  StatusOr<WindowCount> Hit(const std::string& key, std::chrono::seconds window) override {
    std::lock_guard lock(mu_);
    keys_seen_.insert(key);
    Entry& e = Live(key);
    if (e.count == 0) e.closes = clock_.Now() + window;
    ++e.count;
    return Count(e);
  }
  StatusOr<WindowCount> Peek(const std::string& key) override {
    std::lock_guard lock(mu_);
    return Count(Live(key));
  }
  Status Reset(const std::string& key) override {
    std::lock_guard lock(mu_);
    entries_.erase(key);
    return OkStatus();
  }

  std::set<std::string> KeysSeen() {
    std::lock_guard lock(mu_);
    return keys_seen_;
  }

 private:
  struct Entry {
    int64_t count = 0;
    std::chrono::system_clock::time_point closes;
  };
  Entry& Live(const std::string& key) {
    Entry& e = entries_[key];
    if (e.count > 0 && e.closes <= clock_.Now()) e = Entry{};
    return e;
  }
  WindowCount Count(const Entry& e) const {
    if (e.count == 0) return WindowCount{};
    return WindowCount{e.count,
                       std::chrono::duration_cast<std::chrono::milliseconds>(e.closes - clock_.Now())};
  }

  const FakeClock& clock_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
  std::set<std::string> keys_seen_;
};

// "fake$<generation>$<password>": cheap, and lets a test see which hash a login was checked against.
class FakePasswordHasher final : public PasswordHasher {
 public:
  StatusOr<std::string> Hash(std::string_view password) override {
    std::lock_guard lock(mu_);
    if (busy_) return UnavailableError("hasher busy");
    ++hash_calls_;
    return "fake$" + std::to_string(generation_) + "$" + std::string(password);
  }
  StatusOr<bool> Verify(std::string_view hash, std::string_view password) override {
    std::lock_guard lock(mu_);
    if (busy_) return UnavailableError("hasher busy");
    ++verify_calls_;
    const std::size_t second = hash.find('$', 5);
    return second != std::string_view::npos && hash.substr(second + 1) == password;
  }
  bool NeedsRehash(std::string_view hash) const override {
    std::lock_guard lock(mu_);
    return hash.substr(0, 5 + std::to_string(generation_).size() + 1) !=
           "fake$" + std::to_string(generation_) + "$";
  }

  void SetBusy(bool busy) {
    std::lock_guard lock(mu_);
    busy_ = busy;
  }
  void RaiseParameters() {
    std::lock_guard lock(mu_);
    ++generation_;
  }
  int VerifyCalls() const {
    std::lock_guard lock(mu_);
    return verify_calls_;
  }
  int HashCalls() const {
    std::lock_guard lock(mu_);
    return hash_calls_;
  }

 private:
  mutable std::mutex mu_;
  bool busy_ = false;
  int generation_ = 1;
  int verify_calls_ = 0;
  int hash_calls_ = 0;
};

class InMemoryNicknameRegistry final : public NicknameRegistry {
 public:
  Status Reserve(const std::string& nickname, const std::string& user_id) override {
    std::lock_guard lock(mu_);
    if (unavailable_) return UnavailableError("users down");
    const std::string key = Lower(nickname);
    auto it = holders_.find(key);
    if (it != holders_.end() && it->second != user_id) {
      return AlreadyExistsError("nickname taken", "NICKNAME_TAKEN");
    }
    holders_[key] = user_id;
    return OkStatus();
  }
  Status Release(const std::string& nickname, const std::string& user_id) override {
    std::lock_guard lock(mu_);
    auto it = holders_.find(Lower(nickname));
    if (it != holders_.end() && it->second == user_id) holders_.erase(it);
    ++releases_;
    return OkStatus();
  }

  std::optional<std::string> Holder(const std::string& nickname) {
    std::lock_guard lock(mu_);
    auto it = holders_.find(Lower(nickname));
    if (it == holders_.end()) return std::nullopt;
    return it->second;
  }
  void SetUnavailable(bool v) {
    std::lock_guard lock(mu_);
    unavailable_ = v;
  }
  int Releases() {
    std::lock_guard lock(mu_);
    return releases_;
  }

 private:
  static std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  std::mutex mu_;
  std::map<std::string, std::string> holders_;
  bool unavailable_ = false;
  int releases_ = 0;
};

}  // namespace messenger::auth::testing
