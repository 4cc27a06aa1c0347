// Compact JWS (the form of an ID token) and JSON Web Key Sets: parsing, and signature checks with the keys
// of a set. Supported algorithms: RS256 (RSA keys of at least 2048 bits) and ES256 (P-256 keys); anything
// else, "none" and HMAC included, is refused before any key is touched.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::auth {

struct Jws {
  std::string alg;
  std::string kid;  // empty when the header has none
  boost::json::object payload;
  std::string signing_input;  // base64url(header) "." base64url(payload), as signed
  std::string signature;      // raw bytes
};

// INVALID_ARGUMENT unless `compact` is three base64url parts whose first two are JSON objects and whose
// header names a string "alg".
StatusOr<Jws> ParseJws(std::string_view compact);

// RS256 or ES256.
bool IsSupportedAlgorithm(std::string_view alg);

class JsonWebKeySet {
 public:
  // {"keys": [...]}. Keys that cannot be used (other types or curves, use other than "sig", RSA under 2048
  // bits, malformed members) are skipped. INVALID_ARGUMENT when the document is not a key set at all.
  static StatusOr<std::shared_ptr<const JsonWebKeySet>> Parse(std::string_view json);

  ~JsonWebKeySet();
  JsonWebKeySet(const JsonWebKeySet&) = delete;
  JsonWebKeySet& operator=(const JsonWebKeySet&) = delete;

  // True when some key could check a signature of `alg` with key ID `kid` (any ID when `kid` is empty).
  bool HasKeyFor(const std::string& kid, const std::string& alg) const;

  // OK when a key with ID `kid` (any key when `kid` is empty) of a type fit for `alg` verifies `signature`
  // over `signing_input`; UNAUTHENTICATED otherwise, and INVALID_ARGUMENT for an unsupported algorithm.
  Status Verify(const std::string& kid, const std::string& alg, std::string_view signing_input,
                std::string_view signature) const;

  std::size_t size() const { return keys_.size(); }

 private:
  struct Key;
  JsonWebKeySet() = default;
  std::vector<std::unique_ptr<Key>> keys_;
};

}  // namespace messenger::auth
