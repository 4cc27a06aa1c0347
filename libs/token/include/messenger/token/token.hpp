// Access tokens: compact JWTs signed with ES256 (ECDSA P-256 / SHA-256).
//
// The algorithm is fixed in code. A token whose header names any other algorithm ("none", "HS256",
// "RS256"...) is refused before any key is touched, so neither the "alg: none" trick nor the
// HMAC-with-the-public-key confusion can get through. Claims: iss, aud, sub (user ID), sid (session ID), jti
// (token ID), iat, exp; the header carries kid, a short fingerprint of the public key.
//
// Both classes are immutable after Create (apart from the Verifier's internal cache) and safe to use from
// many threads at once.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <mutex>
#include <unordered_set>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "messenger/common/ids.hpp"
#include "messenger/common/status.hpp"

struct evp_pkey_st;

namespace messenger::token {

struct AccessClaims {
  std::string user_id;     // "sub"
  std::string session_id;  // "sid"
  std::string jti;         // "jti"
  int64_t issued_at = 0;   // "iat", Unix seconds
  int64_t expires_at = 0;  // "exp", Unix seconds
};

// The key ID ("kid") of a PEM public or private key: the first 16 characters of the unpadded base64url
// SHA-256 of its DER SubjectPublicKeyInfo. INVALID_ARGUMENT when the PEM is not a P-256 key.
StatusOr<std::string> KeyId(std::string_view key_pem);

class Verifier {
 public:
  // `public_key_pem` must be an EC P-256 public key (INVALID_ARGUMENT otherwise). `clock` must outlive the
  // Verifier. It remembers about `remembered_tokens` tokens whose signature checked out (see below).
  static StatusOr<std::unique_ptr<Verifier>> Create(std::string public_key_pem, std::string issuer,
                                                    std::string audience, const Clock& clock,
                                                    std::size_t remembered_tokens = 16384);

  // The claims of a well-formed, correctly signed, unexpired token for this issuer and audience.
  // UNAUTHENTICATED (reason "UNAUTHENTICATED") on any failure; the message says why, for logs only.
  StatusOr<AccessClaims> Verify(std::string_view token) const;

  const std::string& key_id() const { return key_id_; }

  ~Verifier();
  Verifier(const Verifier&) = delete;
  Verifier& operator=(const Verifier&) = delete;

 private:
  // Tokens whose signature already verified, so a client's every request does not cost an ECDSA
  // verification (~40 us). Only the signature is remembered: the claims (expiry above all) are checked on
  // every call. The key is the whole token, so a token altered in any byte misses. Bounded: a full shard is
  // emptied.
  struct VerifiedCache {
    static constexpr std::size_t kShards = 16;
    struct Hash {
      using is_transparent = void;
      std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    struct Shard {
      std::mutex mutex;
      std::unordered_set<std::string, Hash, std::equal_to<>> tokens;
    };
    Shard& ShardFor(std::string_view token) { return shards[Hash{}(token) % kShards]; }
    std::array<Shard, kShards> shards;
    std::size_t per_shard = 1;
  };

  Verifier(evp_pkey_st* public_key, std::string issuer, std::string audience, const Clock& clock,
           std::string key_id, std::size_t remembered_tokens);
  bool SignatureVerified(std::string_view token, std::string_view signature_b64) const;

  evp_pkey_st* public_key_;
  mutable VerifiedCache verified_;
  std::string issuer_;
  std::string audience_;
  const Clock& clock_;
  std::string key_id_;
};

class Signer {
 public:
  // `private_key_pem` must be an EC P-256 private key (INVALID_ARGUMENT otherwise); `ttl` must be positive.
  // `clock` must outlive the Signer.
  static StatusOr<std::unique_ptr<Signer>> Create(std::string private_key_pem, std::string issuer,
                                                  std::string audience, std::chrono::seconds ttl,
                                                  const Clock& clock);

  // A token for the user and session, issued now and expiring after the TTL. INVALID_ARGUMENT for an empty
  // ID; INTERNAL when signing fails.
  StatusOr<std::string> Issue(const std::string& user_id, const std::string& session_id,
                              const std::string& jti) const;

  std::chrono::seconds ttl() const { return ttl_; }
  const std::string& key_id() const { return key_id_; }

 private:
  Signer(std::string private_key_pem, std::string issuer, std::string audience, std::chrono::seconds ttl,
         const Clock& clock, std::string key_id);

  std::string private_key_pem_;
  std::string issuer_;
  std::string audience_;
  std::chrono::seconds ttl_;
  const Clock& clock_;
  std::string key_id_;
};

}  // namespace messenger::token
