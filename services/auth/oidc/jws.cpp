#include "auth/oidc/jws.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "messenger/common/ids.hpp"

namespace messenger::auth {
namespace json = boost::json;

namespace {

constexpr int kMinRsaBits = 2048;
constexpr std::size_t kP256CoordinateBytes = 32;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string StringMember(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

// Decodes a base64url member; empty when it is missing or malformed.
std::string Base64UrlMember(const json::object& jwk, std::string_view name) {
  bool ok = false;
  std::string bytes = Base64UrlDecode(StringMember(jwk, name), &ok);
  return ok ? bytes : std::string();
}

// Builds a public key from OpenSSL parameters; null on failure.
PkeyPtr FromParams(const char* type, OSSL_PARAM_BLD* builder) {
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1) {
    if (EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) key = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return PkeyPtr(key);
}

PkeyPtr RsaKey(const json::object& jwk) {
  const std::string n = Base64UrlMember(jwk, "n");
  const std::string e = Base64UrlMember(jwk, "e");
  if (n.empty() || e.empty()) return nullptr;
  BIGNUM* bn_n =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()), nullptr);
  BIGNUM* bn_e =
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()), nullptr);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  PkeyPtr key;
  if (bn_n != nullptr && bn_e != nullptr && builder != nullptr &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
    key = FromParams("RSA", builder);
  }
  OSSL_PARAM_BLD_free(builder);
  BN_free(bn_n);
  BN_free(bn_e);
  if (key && EVP_PKEY_get_bits(key.get()) < kMinRsaBits) return nullptr;
  return key;
}

PkeyPtr P256Key(const json::object& jwk) {
  if (StringMember(jwk, "crv") != "P-256") return nullptr;
  const std::string x = Base64UrlMember(jwk, "x");
  const std::string y = Base64UrlMember(jwk, "y");
  if (x.size() != kP256CoordinateBytes || y.size() != kP256CoordinateBytes) return nullptr;
  const std::string point = "\x04" + x + y;  // uncompressed point
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  PkeyPtr key;
  if (builder != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1) {
    key = FromParams("EC", builder);
  }
  OSSL_PARAM_BLD_free(builder);
  return key;
}

// The key type an algorithm needs.
std::string KeyTypeFor(std::string_view alg) {
  if (alg == "RS256") return "RSA";
  if (alg == "ES256") return "EC";
  return {};
}

// A JWS ES256 signature is r || s (32 bytes each); OpenSSL wants DER. Empty on a wrong length.
std::string EcdsaRawToDer(std::string_view raw) {
  if (raw.size() != 2 * kP256CoordinateBytes) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(bytes, kP256CoordinateBytes, nullptr);
  BIGNUM* s = BN_bin2bn(bytes + kP256CoordinateBytes, kP256CoordinateBytes, nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  std::string der;
  if (r != nullptr && s != nullptr && sig != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* out = nullptr;
    const int n = i2d_ECDSA_SIG(sig, &out);
    if (n > 0) der.assign(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
    OPENSSL_free(out);
  }
  ECDSA_SIG_free(sig);
  BN_free(r);
  BN_free(s);
  return der;
}

bool VerifySha256(EVP_PKEY* key, std::string_view data, std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                             reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

}  // namespace

struct JsonWebKeySet::Key {
  std::string kid;
  std::string kty;  // "RSA" or "EC"
  std::string alg;  // empty when the JWK does not pin one
  PkeyPtr pkey;

  bool Fits(const std::string& want_kid, const std::string& want_alg) const {
    if (!want_kid.empty() && kid != want_kid) return false;
    if (kty != KeyTypeFor(want_alg)) return false;
    return alg.empty() || alg == want_alg;
  }
};

JsonWebKeySet::~JsonWebKeySet() = default;

bool IsSupportedAlgorithm(std::string_view alg) { return !KeyTypeFor(alg).empty(); }

StatusOr<Jws> ParseJws(std::string_view compact) {
  const std::size_t first = compact.find('.');
  const std::size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) {
    return InvalidArgumentError("not a compact JWS");
  }
  bool header_ok = false, payload_ok = false, signature_ok = false;
  const std::string header_json = Base64UrlDecode(compact.substr(0, first), &header_ok);
  const std::string payload_json =
      Base64UrlDecode(compact.substr(first + 1, second - first - 1), &payload_ok);
  std::string signature = Base64UrlDecode(compact.substr(second + 1), &signature_ok);
  if (!header_ok || !payload_ok || !signature_ok) return InvalidArgumentError("JWS part is not base64url");
  std::optional<json::object> header = ParseObject(header_json);
  std::optional<json::object> payload = ParseObject(payload_json);
  if (!header || !payload) return InvalidArgumentError("JWS header or payload is not a JSON object");
  const json::value* alg = header->if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return InvalidArgumentError("JWS header has no alg");

  Jws jws;
  jws.alg = std::string(alg->as_string());
  jws.kid = StringMember(*header, "kid");
  jws.payload = std::move(*payload);
  jws.signing_input = std::string(compact.substr(0, second));
  jws.signature = std::move(signature);
  return jws;
}

StatusOr<std::shared_ptr<const JsonWebKeySet>> JsonWebKeySet::Parse(std::string_view text) {
  std::optional<json::object> doc = ParseObject(text);
  const json::value* keys = doc ? doc->if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) return InvalidArgumentError("not a JSON Web Key Set");

  std::shared_ptr<JsonWebKeySet> set(new JsonWebKeySet());
  for (const json::value& entry : keys->as_array()) {
    if (!entry.is_object()) continue;
    const json::object& jwk = entry.as_object();
    const std::string use = StringMember(jwk, "use");
    if (!use.empty() && use != "sig") continue;
    auto key = std::make_unique<Key>();
    key->kid = StringMember(jwk, "kid");
    key->kty = StringMember(jwk, "kty");
    key->alg = StringMember(jwk, "alg");
    if (key->kty == "RSA") {
      key->pkey = RsaKey(jwk);
    } else if (key->kty == "EC") {
      key->pkey = P256Key(jwk);
    }
    if (key->pkey) set->keys_.push_back(std::move(key));
  }
  return std::shared_ptr<const JsonWebKeySet>(std::move(set));
}

bool JsonWebKeySet::HasKeyFor(const std::string& kid, const std::string& alg) const {
  for (const auto& key : keys_) {
    if (key->Fits(kid, alg)) return true;
  }
  return false;
}

Status JsonWebKeySet::Verify(const std::string& kid, const std::string& alg, std::string_view signing_input,
                             std::string_view signature) const {
  if (!IsSupportedAlgorithm(alg)) return InvalidArgumentError("unsupported JWS algorithm");
  std::string der;
  if (alg == "ES256") {
    der = EcdsaRawToDer(signature);
    if (der.empty()) return UnauthenticatedError("malformed ES256 signature");
    signature = der;
  }
  for (const auto& key : keys_) {
    if (key->Fits(kid, alg) && VerifySha256(key->pkey.get(), signing_input, signature)) return OkStatus();
  }
  return UnauthenticatedError("signature does not verify with the provider's keys");
}

}  // namespace messenger::auth
