#include "messenger/token/token.hpp"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

namespace messenger::token {
namespace {

namespace json = boost::json;

// Longer tokens are refused unread; ours are about 400 bytes.
constexpr std::size_t kMaxTokenBytes = 8192;
// How far in the future "iat" may lie, for clocks that disagree a little.
constexpr int64_t kIssuedAtLeewaySeconds = 60;
constexpr char kAlgorithm[] = "ES256";

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct JwtDeleter {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

enum class KeyKind { kPublic, kPrivate };

PkeyPtr ReadPem(std::string_view pem, KeyKind kind) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return nullptr;
  EVP_PKEY* key = kind == KeyKind::kPublic ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr)
                                           : PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return PkeyPtr(key);
}

bool IsP256(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &length) != 1) return false;
  const std::string_view name(group, length);
  return name == "prime256v1" || name == "P-256" || name == "secp256r1";
}

StatusOr<PkeyPtr> LoadP256(std::string_view pem, KeyKind kind) {
  if (pem.size() > 64 * 1024) return InvalidArgumentError("key PEM too large");
  PkeyPtr key = ReadPem(pem, kind);
  if (!key) {
    return InvalidArgumentError(kind == KeyKind::kPublic ? "not a PEM public key" : "not a PEM private key");
  }
  if (!IsP256(key.get())) return InvalidArgumentError("key is not an EC P-256 key");
  return key;
}

StatusOr<std::string> FingerprintOf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int length = i2d_PUBKEY(key, &der);
  if (length <= 0) return InternalError("cannot encode the public key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<std::size_t>(length), digest);
  OPENSSL_free(der);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest))
      .substr(0, 16);
}

Status Refused(std::string why) {
  return UnauthenticatedError("access token refused: " + why, "UNAUTHENTICATED");
}

// Splits "a.b.c" into its three parts; nullopt unless there are exactly three, all non-empty.
std::optional<std::vector<std::string_view>> SplitCompact(std::string_view token) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = token.find('.', start);
    parts.push_back(
        token.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 3) return std::nullopt;
  for (std::string_view p : parts) {
    if (p.empty()) return std::nullopt;
  }
  return parts;
}

std::optional<json::object> DecodeJsonObject(std::string_view base64url) {
  bool ok = false;
  const std::string text = Base64UrlDecode(base64url, &ok);
  if (!ok) return std::nullopt;
  json::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::optional<std::string_view> StringField(const json::object& object, std::string_view name) {
  const json::value* v = object.if_contains(name);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->as_string());
}

std::optional<int64_t> IntegerField(const json::object& object, std::string_view name) {
  const json::value* v = object.if_contains(name);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->as_uint64());
  }
  return std::nullopt;
}

int64_t UnixSeconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.Now().time_since_epoch()).count();
}

}  // namespace

StatusOr<std::string> KeyId(std::string_view key_pem) {
  PkeyPtr key = ReadPem(key_pem, KeyKind::kPublic);
  if (!key) key = ReadPem(key_pem, KeyKind::kPrivate);
  if (!key) return InvalidArgumentError("not a PEM key");
  if (!IsP256(key.get())) return InvalidArgumentError("key is not an EC P-256 key");
  return FingerprintOf(key.get());
}

// ---------------------------------------------------------------------------------------------------------
// Verifier

Verifier::Verifier(EVP_PKEY* public_key, std::string issuer, std::string audience, const Clock& clock,
                   std::string key_id, std::size_t remembered_tokens)
    : public_key_(public_key),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)),
      clock_(clock),
      key_id_(std::move(key_id)) {
  verified_.per_shard = std::max<std::size_t>(1, remembered_tokens / VerifiedCache::kShards);
}

StatusOr<std::unique_ptr<Verifier>> Verifier::Create(std::string public_key_pem, std::string issuer,
                                                     std::string audience, const Clock& clock,
                                                     std::size_t remembered_tokens) {
  if (issuer.empty() || audience.empty()) return InvalidArgumentError("issuer and audience must be set");
  MESSENGER_ASSIGN_OR_RETURN(PkeyPtr key, LoadP256(public_key_pem, KeyKind::kPublic));
  MESSENGER_ASSIGN_OR_RETURN(std::string key_id, FingerprintOf(key.get()));
  return std::unique_ptr<Verifier>(
      new Verifier(key.release(), std::move(issuer), std::move(audience), clock, std::move(key_id),
                   remembered_tokens));
}

Verifier::~Verifier() { EVP_PKEY_free(public_key_); }

bool Verifier::SignatureVerified(std::string_view token, std::string_view signature_b64) const {
  VerifiedCache::Shard& shard = verified_.ShardFor(token);
  {
    std::lock_guard lock(shard.mutex);
    if (shard.tokens.contains(token)) return true;
  }
  bool decoded = false;
  const std::string signature = Base64UrlDecode(signature_b64, &decoded);
  if (!decoded || signature.size() != 64) return false;
  // JWS carries ES256 signatures as the raw 32-byte R and S; OpenSSL wants them DER-encoded.
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (sig == nullptr) return false;
  const auto* raw = reinterpret_cast<const unsigned char*>(signature.data());
  BIGNUM* r = BN_bin2bn(raw, 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw + 32, 32, nullptr);
  if (r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return false;
  }
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (der_length <= 0) return false;

  const std::string_view signing_input = token.substr(0, token.size() - signature_b64.size() - 1);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool valid = ctx != nullptr &&
                     EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, public_key_) == 1 &&
                     EVP_DigestVerify(ctx, der, static_cast<std::size_t>(der_length),
                                      reinterpret_cast<const unsigned char*>(signing_input.data()),
                                      signing_input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(der);
  if (!valid) return false;

  std::lock_guard lock(shard.mutex);
  if (shard.tokens.size() >= verified_.per_shard) shard.tokens.clear();
  shard.tokens.emplace(token);
  return true;
}

StatusOr<AccessClaims> Verifier::Verify(std::string_view token) const {
  if (token.empty()) return Refused("empty");
  if (token.size() > kMaxTokenBytes) return Refused("too long");
  const auto parts = SplitCompact(token);
  if (!parts) return Refused("not a compact JWS");

  // The algorithm is ours to choose, not the token's: anything but ES256 is refused before a key is used.
  // libjwt 1.x would otherwise verify with whatever the header names ("none" skips the check entirely, and
  // "HS256" would use the public key PEM as an HMAC secret).
  const auto header = DecodeJsonObject((*parts)[0]);
  if (!header) return Refused("malformed header");
  if (StringField(*header, "alg") != std::string_view(kAlgorithm)) return Refused("algorithm not ES256");
  if (header->contains("crit")) return Refused("critical header extensions are not supported");
  if (const json::value* typ = header->if_contains("typ"); typ != nullptr && *typ != "JWT") {
    return Refused("type not JWT");
  }

  if (!SignatureVerified(token, (*parts)[2])) return Refused("bad signature or encoding");

  // The payload bytes are the ones whose signature was just checked.
  const auto payload = DecodeJsonObject((*parts)[1]);
  if (!payload) return Refused("malformed payload");
  if (StringField(*payload, "iss") != std::string_view(issuer_)) return Refused("wrong issuer");
  if (StringField(*payload, "aud") != std::string_view(audience_)) return Refused("wrong audience");
  const std::string_view sub = StringField(*payload, "sub").value_or("");
  const std::string_view sid = StringField(*payload, "sid").value_or("");
  const std::string_view jti = StringField(*payload, "jti").value_or("");
  if (sub.empty() || sid.empty() || jti.empty()) return Refused("subject, session or token ID missing");
  const std::optional<int64_t> iat = IntegerField(*payload, "iat");
  const std::optional<int64_t> exp = IntegerField(*payload, "exp");
  if (!iat || !exp || *exp <= *iat) return Refused("bad lifetime");

  const int64_t now = UnixSeconds(clock_);
  if (now >= *exp) return Refused("expired");
  if (*iat > now + kIssuedAtLeewaySeconds) return Refused("issued in the future");
  if (payload->contains("nbf")) {
    const std::optional<int64_t> nbf = IntegerField(*payload, "nbf");
    if (!nbf || *nbf > now + kIssuedAtLeewaySeconds) return Refused("not yet valid");
  }

  return AccessClaims{std::string(sub), std::string(sid), std::string(jti), *iat, *exp};
}

// ---------------------------------------------------------------------------------------------------------
// Signer

Signer::Signer(std::string private_key_pem, std::string issuer, std::string audience,
               std::chrono::seconds ttl, const Clock& clock, std::string key_id)
    : private_key_pem_(std::move(private_key_pem)),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)),
      ttl_(ttl),
      clock_(clock),
      key_id_(std::move(key_id)) {}

StatusOr<std::unique_ptr<Signer>> Signer::Create(std::string private_key_pem, std::string issuer,
                                                 std::string audience, std::chrono::seconds ttl,
                                                 const Clock& clock) {
  if (issuer.empty() || audience.empty()) return InvalidArgumentError("issuer and audience must be set");
  if (ttl.count() <= 0) return InvalidArgumentError("token lifetime must be positive");
  MESSENGER_ASSIGN_OR_RETURN(PkeyPtr key, LoadP256(private_key_pem, KeyKind::kPrivate));
  MESSENGER_ASSIGN_OR_RETURN(std::string key_id, FingerprintOf(key.get()));
  return std::unique_ptr<Signer>(new Signer(std::move(private_key_pem), std::move(issuer),
                                            std::move(audience), ttl, clock, std::move(key_id)));
}

StatusOr<std::string> Signer::Issue(const std::string& user_id, const std::string& session_id,
                                    const std::string& jti) const {
  if (user_id.empty() || session_id.empty() || jti.empty()) {
    return InvalidArgumentError("user ID, session ID and token ID must be set");
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return InternalError("jwt_new failed");
  JwtPtr jwt(raw);
  const int64_t now = UnixSeconds(clock_);
  int rc = 0;
  rc |= jwt_add_header(jwt.get(), "kid", key_id_.c_str());
  rc |= jwt_add_grant(jwt.get(), "iss", issuer_.c_str());
  rc |= jwt_add_grant(jwt.get(), "aud", audience_.c_str());
  rc |= jwt_add_grant(jwt.get(), "sub", user_id.c_str());
  rc |= jwt_add_grant(jwt.get(), "sid", session_id.c_str());
  rc |= jwt_add_grant(jwt.get(), "jti", jti.c_str());
  rc |= jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(now));
  rc |= jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(now + ttl_.count()));
  rc |= jwt_set_alg(jwt.get(), JWT_ALG_ES256, reinterpret_cast<const unsigned char*>(private_key_pem_.data()),
                    static_cast<int>(private_key_pem_.size()));
  if (rc != 0) return InternalError("cannot build the token");
  char* encoded = jwt_encode_str(jwt.get());
  if (encoded == nullptr) return InternalError("cannot sign the token");
  std::string token(encoded);
  std::free(encoded);
  return token;
}

}  // namespace messenger::token
