// Test keys and tokens for the OpenID Connect adapter: RSA and P-256 keys made with OpenSSL for each run,
// their JWKs, and JWS tokens signed with them (so that tests can craft any ID token, good or bad).
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "messenger/common/ids.hpp"

namespace messenger::auth::testing {

class TestSigningKey {
 public:
  static TestSigningKey Rsa(std::string kid, int bits = 2048) {
    return TestSigningKey(EVP_RSA_gen(static_cast<unsigned>(bits)), std::move(kid), "RS256");
  }
  static TestSigningKey P256(std::string kid) {
    return TestSigningKey(EVP_EC_gen("P-256"), std::move(kid), "ES256");
  }

  const std::string& kid() const { return kid_; }
  const std::string& alg() const { return alg_; }

  // The public JWK, as a provider publishes it.
  boost::json::object Jwk() const {
    boost::json::object jwk{{"kid", kid_}, {"use", "sig"}, {"alg", alg_}};
    if (alg_ == "RS256") {
      jwk["kty"] = "RSA";
      jwk["n"] = Base64UrlEncode(BnParam(OSSL_PKEY_PARAM_RSA_N));
      jwk["e"] = Base64UrlEncode(BnParam(OSSL_PKEY_PARAM_RSA_E));
    } else {
      unsigned char point[65];
      std::size_t n = 0;
      EVP_PKEY_get_octet_string_param(key_.get(), OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &n);
      jwk["kty"] = "EC";
      jwk["crv"] = "P-256";
      jwk["x"] = Base64UrlEncode(std::string(reinterpret_cast<char*>(point + 1), 32));
      jwk["y"] = Base64UrlEncode(std::string(reinterpret_cast<char*>(point + 33), 32));
    }
    return jwk;
  }

  // A compact JWS of `payload`, with a header naming this key (override with `header`).
  std::string Sign(const boost::json::object& payload, boost::json::object header = {}) const {
    if (!header.contains("alg")) header["alg"] = alg_;
    if (!header.contains("kid")) header["kid"] = kid_;
    if (!header.contains("typ")) header["typ"] = "JWT";
    const std::string input = Base64UrlEncode(boost::json::serialize(header)) + "." +
                              Base64UrlEncode(boost::json::serialize(payload));
    return input + "." + Base64UrlEncode(RawSignature(input));
  }

 private:
  struct Free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  };

  TestSigningKey(EVP_PKEY* key, std::string kid, std::string alg)
      : key_(key, Free()), kid_(std::move(kid)), alg_(std::move(alg)) {}

  std::string BnParam(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key_.get(), name, &bn);
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
  }

  std::string RawSignature(const std::string& input) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    std::size_t size = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get());
    EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string sig(size, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &size,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    sig.resize(size);
    EVP_MD_CTX_free(ctx);
    if (alg_ != "ES256") return sig;
    // DER -> r || s, 32 bytes each.
    const auto* der = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(ecdsa);
    return raw;
  }

  std::shared_ptr<EVP_PKEY> key_;
  std::string kid_;
  std::string alg_;
};

inline std::string KeySetJson(std::initializer_list<const TestSigningKey*> keys) {
  boost::json::array out;
  for (const TestSigningKey* key : keys) out.push_back(key->Jwk());
  return boost::json::serialize(boost::json::object{{"keys", out}});
}

}  // namespace messenger::auth::testing
