#include "auth/domain/oauth_service.hpp"

#include <algorithm>
#include <cctype>

#include "auth/domain/events.hpp"
#include "auth/domain/oauth_nickname.hpp"
#include "auth/domain/validation.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::auth {
namespace {

constexpr std::size_t kRandomBytes = 32;  // state, nonce and PKCE verifier: 43 base64url characters each
constexpr std::size_t kMinStateChars = 16;
constexpr std::size_t kMaxStateChars = 128;
constexpr std::size_t kMaxCodeBytes = 4096;
// A first sign-in that loses a race (its identity or email was stored concurrently) looks again once.
constexpr int kSignInAttempts = 2;

Status InvalidState(std::string why) { return InvalidArgumentError(std::move(why), "INVALID_STATE"); }

bool LooksLikeState(const std::string& state) {
  if (state.size() < kMinStateChars || state.size() > kMaxStateChars) return false;
  return std::all_of(state.begin(), state.end(),
                     [](unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '_'; });
}

bool IsReason(const Status& status, StatusCode code, std::string_view reason) {
  return status.code() == code && status.reason() == reason;
}

// Lost a race to a concurrent sign-in or registration: looking again will find what it stored.
bool LostRace(const Status& status) {
  return IsReason(status, StatusCode::kAlreadyExists, "IDENTITY_TAKEN") ||
         IsReason(status, StatusCode::kAlreadyExists, "EMAIL_TAKEN");
}

}  // namespace

StatusOr<std::unique_ptr<OAuthService>> OAuthService::Create(OAuthDependencies deps,
                                                             const OAuthConfig& config) {
  if (!deps.accounts || !deps.nicknames || !deps.states || !deps.sessions || !deps.clock) {
    return InvalidArgumentError("OAuthService needs every dependency");
  }
  for (const auto& [name, entry] : deps.providers) {
    if (name.empty() || entry.provider == nullptr || entry.redirect_uris.empty()) {
      return InvalidArgumentError("provider '" + name + "' needs an implementation and a redirect URI");
    }
  }
  if (config.state_ttl.count() <= 0 || config.used_code_ttl.count() <= 0 ||
      config.provider_budget.count() <= 0 || config.users_topic.empty()) {
    return InvalidArgumentError("TTLs, the provider budget and the topic must be set");
  }
  return std::unique_ptr<OAuthService>(new OAuthService(std::move(deps), config));
}

StatusOr<const OAuthProvider*> OAuthService::Find(const std::string& provider) const {
  auto it = deps_.providers.find(provider);
  if (it == deps_.providers.end()) return NotFoundError("unknown provider", "UNKNOWN_PROVIDER");
  return &it->second;
}

StatusOr<std::string> OAuthService::Authorize(const std::string& provider, const std::string& redirect_uri) {
  MESSENGER_ASSIGN_OR_RETURN(const OAuthProvider* entry, Find(provider));
  std::string redirect = entry->redirect_uris.front();
  if (!redirect_uri.empty()) {
    const auto& allowed = entry->redirect_uris;
    if (std::find(allowed.begin(), allowed.end(), redirect_uri) == allowed.end()) {
      return InvalidArgumentError("redirect_uri is not registered for this provider",
                                  "REDIRECT_URI_NOT_ALLOWED");
    }
    redirect = redirect_uri;
  }

  AuthorizationRequest request{RandomToken(kRandomBytes), RandomToken(kRandomBytes),
                               RandomToken(kRandomBytes), redirect};
  // The URL first: a provider that cannot be reached leaves no state behind.
  MESSENGER_ASSIGN_OR_RETURN(std::string url,
                             entry->provider->AuthorizationUrl(request, config_.provider_budget));
  MESSENGER_RETURN_IF_ERROR(deps_.states->Save(
      request.state, PendingSignIn{provider, request.code_verifier, request.nonce, redirect},
      config_.state_ttl));
  return url;
}

StatusOr<TokenPair> OAuthService::Callback(const std::string& provider, const std::string& code,
                                           const std::string& state) {
  MESSENGER_ASSIGN_OR_RETURN(const OAuthProvider* entry, Find(provider));
  if (!LooksLikeState(state)) return InvalidState("malformed state");
  if (code.empty() || code.size() > kMaxCodeBytes) {
    return InvalidArgumentError("missing or oversized code", "INVALID_ARGUMENT");
  }

  // Taken before anything else happens, so that a state works once whatever follows.
  StatusOr<PendingSignIn> pending = deps_.states->Take(state);
  if (!pending.ok()) {
    if (pending.status().code() == StatusCode::kNotFound)
      return InvalidState("unknown, expired or used state");
    return pending.status();
  }
  if (pending->provider != provider) return InvalidState("the state belongs to another provider");

  MESSENGER_ASSIGN_OR_RETURN(bool first_use,
                             deps_.states->RememberCode(provider, code, config_.used_code_ttl));
  if (!first_use) return InvalidArgumentError("authorization code already used", "CODE_REPLAYED");

  MESSENGER_ASSIGN_OR_RETURN(ProviderIdentity identity,
                             entry->provider->Redeem(code, pending->code_verifier, pending->redirect_uri,
                                                     pending->nonce, config_.provider_budget));
  MESSENGER_ASSIGN_OR_RETURN(std::string user_id, SignIn(identity));
  return deps_.sessions->StartSessionFor(user_id);
}

StatusOr<std::string> OAuthService::SignIn(const ProviderIdentity& identity) {
  if (identity.issuer.empty() || identity.subject.empty()) {
    return InvalidArgumentError("an identity needs an issuer and a subject");
  }
  Status last = AbortedError("concurrent sign-ins of one identity; try again");
  for (int attempt = 0; attempt < kSignInAttempts; ++attempt) {
    StatusOr<std::string> linked = deps_.accounts->FindUserByIdentity(identity.issuer, identity.subject);
    if (linked.ok()) return linked;
    if (linked.status().code() != StatusCode::kNotFound) return linked.status();

    if (!identity.email || !IsValidEmail(*identity.email)) {
      return PermissionDeniedError("the provider gave no usable email", "EMAIL_REQUIRED");
    }
    if (!identity.email_verified) {
      return PermissionDeniedError("the provider has not verified this email", "EMAIL_NOT_VERIFIED");
    }
    const ExternalIdentity external{identity.issuer, identity.subject, identity.email};

    StatusOr<Account> existing = deps_.accounts->FindByEmail(NormalizeEmail(*identity.email));
    if (existing.ok()) {
      const Status link = deps_.accounts->LinkIdentity(external, existing->id);
      if (link.ok()) {
        log::Info("provider identity linked to an account by its verified email",
                  {{"user_id", existing->id}});
        return existing->id;
      }
      if (!LostRace(link)) return link;
      last = link;
      continue;
    }
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();

    StatusOr<std::string> created = CreateAccount(identity, *identity.email);
    if (created.ok() || !LostRace(created.status())) return created;
    last = created.status();
  }
  return last;
}

StatusOr<std::string> OAuthService::CreateAccount(const ProviderIdentity& identity,
                                                  const std::string& email) {
  const std::string user_id = NewUuid();
  MESSENGER_ASSIGN_OR_RETURN(std::string nickname, ReserveNickname(identity, user_id));

  const int64_t now_ms = ToUnixMillis(deps_.clock->Now());
  const Account account{user_id, email, NormalizeEmail(email), std::nullopt, now_ms};
  const Status created = deps_.accounts->CreateWithIdentity(
      account, ExternalIdentity{identity.issuer, identity.subject, email},
      UserRegisteredMessage(config_.users_topic, user_id, nickname, now_ms));
  if (!created.ok()) {
    const Status released = deps_.nicknames->Release(nickname, user_id);
    if (!released.ok()) {
      log::Warn("nickname release failed; the reservation will expire",
                {{"user_id", user_id}, {"error", released.ToString()}});
    }
    return created;
  }
  log::Info("account created by a provider sign-in", {{"user_id", user_id}});
  return user_id;
}

StatusOr<std::string> OAuthService::ReserveNickname(const ProviderIdentity& identity,
                                                    const std::string& user_id) {
  const std::string base = NicknameBase(identity.preferred_username, identity.email);
  Status last = OkStatus();
  for (int attempt = 0; attempt < kNicknameAttempts; ++attempt) {
    std::string candidate = NicknameCandidate(base, attempt);
    last = deps_.nicknames->Reserve(candidate, user_id);
    if (last.ok()) return candidate;
    if (!IsReason(last, StatusCode::kAlreadyExists, "NICKNAME_TAKEN")) return last;
  }
  return last;
}

}  // namespace messenger::auth
