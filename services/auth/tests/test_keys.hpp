// A fresh ES256 key pair per test run, made with OpenSSL, so that no key is ever committed.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <string>

namespace messenger::auth::testing {

struct TestKeyPair {
  std::string private_pem;
  std::string public_pem;
};

inline TestKeyPair NewEs256KeyPair() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  auto to_string = [](BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
  };
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  TestKeyPair pair{to_string(priv), to_string(pub)};
  EVP_PKEY_free(key);
  return pair;
}

}  // namespace messenger::auth::testing
