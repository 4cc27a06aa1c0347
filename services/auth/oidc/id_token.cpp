#include "auth/oidc/id_token.hpp"

#include <cmath>
#include <optional>

namespace messenger::auth {
namespace json = boost::json;

namespace {

Status Invalid(std::string why) { return UnauthenticatedError("ID token " + why, "INVALID_ID_TOKEN"); }

std::optional<std::string> OptionalString(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->as_string());
}

// A NumericDate (seconds since the epoch, possibly fractional).
std::optional<int64_t> NumericDate(const json::object& claims, std::string_view name) {
  const json::value* v = claims.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double() && std::isfinite(v->as_double())) return static_cast<int64_t>(v->as_double());
  return std::nullopt;
}

bool AudienceContains(const json::value& aud, const std::string& client_id, std::size_t* count) {
  if (aud.is_string()) {
    *count = 1;
    return aud.as_string() == client_id;
  }
  if (!aud.is_array()) return false;
  *count = aud.as_array().size();
  for (const json::value& entry : aud.as_array()) {
    if (entry.is_string() && entry.as_string() == client_id) return true;
  }
  return false;
}

}  // namespace

StatusOr<ProviderIdentity> CheckIdTokenClaims(const json::object& claims,
                                              const IdTokenExpectations& expected) {
  if (OptionalString(claims, "iss") != expected.issuer) return Invalid("issuer does not match");

  const json::value* aud = claims.if_contains("aud");
  std::size_t audiences = 0;
  if (aud == nullptr || !AudienceContains(*aud, expected.client_id, &audiences)) {
    return Invalid("audience does not include this client");
  }
  std::optional<std::string> azp = OptionalString(claims, "azp");
  if (azp ? *azp != expected.client_id : audiences > 1) return Invalid("authorized party is not this client");

  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(expected.now.time_since_epoch()).count();
  const int64_t leeway = expected.leeway.count();
  std::optional<int64_t> exp = NumericDate(claims, "exp");
  if (!exp || now >= *exp + leeway) return Invalid("expired or without exp");
  std::optional<int64_t> iat = NumericDate(claims, "iat");
  if (!iat || *iat > now + leeway) return Invalid("issued in the future or without iat");
  std::optional<int64_t> nbf = NumericDate(claims, "nbf");
  if (nbf && *nbf > now + leeway) return Invalid("not valid yet");

  if (expected.nonce.empty() || OptionalString(claims, "nonce") != expected.nonce) {
    return Invalid("nonce does not match");
  }

  ProviderIdentity identity;
  identity.issuer = expected.issuer;
  identity.subject = OptionalString(claims, "sub").value_or(std::string());
  if (identity.subject.empty()) return Invalid("has no subject");
  identity.email = OptionalString(claims, "email");
  if (identity.email && identity.email->empty()) identity.email.reset();
  const json::value* verified = claims.if_contains("email_verified");
  identity.email_verified =
      verified != nullptr && ((verified->is_bool() && verified->as_bool()) ||
                              (verified->is_string() && verified->as_string() == "true"));
  identity.preferred_username = OptionalString(claims, "preferred_username");
  return identity;
}

}  // namespace messenger::auth
