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
#include "auth/domain/identity_provider.hpp"
#include "auth/domain/nickname_registry.hpp"
#include "auth/domain/oauth_state_store.hpp"
#include "auth/domain/password_hasher.hpp"
#include "auth/domain/session_store.hpp"
#include "auth/domain/throttle.hpp"
#include "messenger/common/ids.hpp"
#include "messenger/common/testing/fake_clock.hpp"

namespace messenger::auth::testing {

using messenger::testing::FakeClock;

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

  StatusOr<std::string> FindUserByIdentity(std::string_view issuer, std::string_view subject) override {
    std::lock_guard lock(mu_);
    auto it = identities_.find({std::string(issuer), std::string(subject)});
    if (it == identities_.end()) return NotFoundError("no identity");
    return it->second;
  }
  Status CreateWithIdentity(const Account& account, const ExternalIdentity& identity,
                            const OutboxMessage& event) override {
    std::lock_guard lock(mu_);
    if (fail_create_) return *fail_create_;
    for (const auto& [id, a] : accounts_) {
      if (a.email_lower == account.email_lower) return AlreadyExistsError("email taken", "EMAIL_TAKEN");
    }
    if (identities_.count({identity.issuer, identity.subject}) != 0) {
      return AlreadyExistsError("identity taken", "IDENTITY_TAKEN");
    }
    accounts_[account.id] = account;
    identities_[{identity.issuer, identity.subject}] = account.id;
    outbox_.push_back(event);
    return OkStatus();
  }
  Status LinkIdentity(const ExternalIdentity& identity, std::string_view user_id) override {
    std::lock_guard lock(mu_);
    if (accounts_.count(std::string(user_id)) == 0) return NotFoundError("no account");
    if (identities_.count({identity.issuer, identity.subject}) != 0) {
      return AlreadyExistsError("identity taken", "IDENTITY_TAKEN");
    }
    identities_[{identity.issuer, identity.subject}] = std::string(user_id);
    return OkStatus();
  }

  // Links an identity behind the service's back, as a concurrent sign-in would.
  void LinkForTest(const std::string& issuer, const std::string& subject, const std::string& user_id) {
    std::lock_guard lock(mu_);
    identities_[{issuer, subject}] = user_id;
  }
  std::map<std::pair<std::string, std::string>, std::string> Identities() const {
    std::lock_guard lock(mu_);
    return identities_;
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
  std::map<std::pair<std::string, std::string>, std::string> identities_;
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

// States expire by the FakeClock, as Redis keys would.
class InMemoryOAuthStateStore final : public OAuthStateStore {
 public:
  explicit InMemoryOAuthStateStore(const FakeClock& clock) : clock_(clock) {}

  Status Save(const std::string& state, const PendingSignIn& pending, std::chrono::seconds ttl) override {
    std::lock_guard lock(mu_);
    states_[state] = {pending, clock_.Now() + ttl};
    return OkStatus();
  }
  StatusOr<PendingSignIn> Take(const std::string& state) override {
    std::lock_guard lock(mu_);
    auto it = states_.find(state);
    if (it == states_.end()) return NotFoundError("no state");
    auto [pending, expires] = it->second;
    states_.erase(it);
    if (expires <= clock_.Now()) return NotFoundError("state expired");
    return pending;
  }
  StatusOr<bool> RememberCode(const std::string& provider, const std::string& code,
                              std::chrono::seconds ttl) override {
    std::lock_guard lock(mu_);
    const std::string key = provider + '\n' + code;
    auto it = codes_.find(key);
    if (it != codes_.end() && it->second > clock_.Now()) return false;
    codes_[key] = clock_.Now() + ttl;
    return true;
  }

  std::optional<PendingSignIn> Peek(const std::string& state) {
    std::lock_guard lock(mu_);
    auto it = states_.find(state);
    if (it == states_.end()) return std::nullopt;
    return it->second.first;
  }
  std::size_t Size() {
    std::lock_guard lock(mu_);
    return states_.size();
  }

 private:
  const FakeClock& clock_;
  std::mutex mu_;
  std::map<std::string, std::pair<PendingSignIn, std::chrono::system_clock::time_point>> states_;
  std::map<std::string, std::chrono::system_clock::time_point> codes_;
};

// Answers with a scripted identity; remembers what it was asked.
class FakeIdentityProvider final : public IdentityProvider {
 public:
  StatusOr<std::string> AuthorizationUrl(const AuthorizationRequest& request,
                                         std::chrono::milliseconds) override {
    std::lock_guard lock(mu_);
    if (!url_error_.ok()) return url_error_;
    requests_.push_back(request);
    return "https://idp.test/authorize?state=" + request.state;
  }
  StatusOr<ProviderIdentity> Redeem(const std::string& code, const std::string& code_verifier,
                                    const std::string& redirect_uri, const std::string& expected_nonce,
                                    std::chrono::milliseconds) override {
    std::lock_guard lock(mu_);
    redeemed_.push_back({code, code_verifier, redirect_uri, expected_nonce});
    if (!redeem_error_.ok()) return redeem_error_;
    return identity_;
  }

  struct Redemption {
    std::string code, code_verifier, redirect_uri, nonce;
  };
  void SetIdentity(ProviderIdentity identity) {
    std::lock_guard lock(mu_);
    identity_ = std::move(identity);
  }
  void FailUrlWith(Status s) {
    std::lock_guard lock(mu_);
    url_error_ = std::move(s);
  }
  void FailRedeemWith(Status s) {
    std::lock_guard lock(mu_);
    redeem_error_ = std::move(s);
  }
  std::vector<AuthorizationRequest> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<Redemption> Redeemed() {
    std::lock_guard lock(mu_);
    return redeemed_;
  }

 private:
  std::mutex mu_;
  ProviderIdentity identity_;
  Status url_error_ = OkStatus();
  Status redeem_error_ = OkStatus();
  std::vector<AuthorizationRequest> requests_;
  std::vector<Redemption> redeemed_;
};

}  // namespace messenger::auth::testing
