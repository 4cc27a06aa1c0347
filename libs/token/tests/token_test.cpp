#include "messenger/token/token.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <chrono>
#include <string>

#include "messenger/common/ids.hpp"
#include "messenger/token/revocation.hpp"

namespace messenger::token {
namespace {

using std::chrono::seconds;

class FakeClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return now_; }
  void Advance(seconds d) { now_ += d; }

 private:
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::time_point(seconds(1'800'000'000));
};

struct KeyPair {
  std::string private_pem;
  std::string public_pem;
};

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return out;
}

KeyPair PemPair(EVP_PKEY* key) {
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  KeyPair pair{BioToString(priv), BioToString(pub)};
  EVP_PKEY_free(key);
  return pair;
}

KeyPair NewEcKey(const char* curve = "P-256") { return PemPair(EVP_EC_gen(curve)); }
KeyPair NewRsaKey() { return PemPair(EVP_RSA_gen(2048)); }

constexpr char kIssuer[] = "messenger-auth";
constexpr char kAudience[] = "messenger-api";
constexpr char kUser[] = "9b2f3c1e-0000-4000-8000-000000000001";
constexpr char kSession[] = "5f0c6a8e-0000-4000-8000-000000000002";
constexpr char kJti[] = "jti-123";

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = NewEcKey();
    auto signer = Signer::Create(keys_.private_pem, kIssuer, kAudience, seconds(900), clock_);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::move(signer).value();
    auto verifier = Verifier::Create(keys_.public_pem, kIssuer, kAudience, clock_);
    ASSERT_TRUE(verifier.ok()) << verifier.status();
    verifier_ = std::move(verifier).value();
  }

  std::string IssueOrDie(const Signer& signer) {
    auto token = signer.Issue(kUser, kSession, kJti);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? *token : std::string();
  }

  void ExpectRefused(const std::string& token) {
    auto claims = verifier_->Verify(token);
    ASSERT_FALSE(claims.ok()) << "accepted: " << token;
    EXPECT_EQ(claims.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(claims.status().reason(), "UNAUTHENTICATED");
  }

  // A payload with every claim right, as the signer would write it.
  std::string ValidPayload() const {
    const auto now = std::chrono::duration_cast<seconds>(clock_.Now().time_since_epoch()).count();
    return std::string(R"({"iss":")") + kIssuer + R"(","aud":")" + kAudience + R"(","sub":")" + kUser +
           R"(","sid":")" + kSession + R"(","jti":")" + kJti + R"(","iat":)" + std::to_string(now) +
           R"(,"exp":)" + std::to_string(now + 900) + "}";
  }

  FakeClock clock_;
  KeyPair keys_;
  std::unique_ptr<Signer> signer_;
  std::unique_ptr<Verifier> verifier_;
};

std::vector<std::string> Split(const std::string& token) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot; (dot = token.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(token.substr(start, dot - start));
  }
  parts.push_back(token.substr(start));
  return parts;
}

std::string HmacSha256(const std::string& secret, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

TEST_F(TokenTest, IssuedTokenVerifiesWithItsClaims) {
  const std::string token = IssueOrDie(*signer_);
  auto claims = verifier_->Verify(token);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->user_id, kUser);
  EXPECT_EQ(claims->session_id, kSession);
  EXPECT_EQ(claims->jti, kJti);
  EXPECT_EQ(claims->issued_at, 1'800'000'000);
  EXPECT_EQ(claims->expires_at, 1'800'000'900);
}

TEST_F(TokenTest, HeaderNamesEs256AndTheKeyId) {
  const auto parts = Split(IssueOrDie(*signer_));
  ASSERT_EQ(parts.size(), 3u);
  const std::string header = Base64UrlDecode(parts[0]);
  EXPECT_NE(header.find(R"("alg":"ES256")"), std::string::npos) << header;
  EXPECT_NE(header.find(R"("kid":")" + signer_->key_id() + "\""), std::string::npos) << header;
  EXPECT_EQ(signer_->key_id(), verifier_->key_id());
  EXPECT_EQ(signer_->key_id().size(), 16u);
  EXPECT_EQ(*KeyId(keys_.public_pem), signer_->key_id());
}

TEST_F(TokenTest, StillValidOneSecondBeforeExpiryAndRefusedAtExpiry) {
  const std::string token = IssueOrDie(*signer_);
  clock_.Advance(seconds(899));
  EXPECT_TRUE(verifier_->Verify(token).ok());
  clock_.Advance(seconds(1));
  ExpectRefused(token);
}

TEST_F(TokenTest, TamperedPayloadIsRefused) {
  auto parts = Split(IssueOrDie(*signer_));
  std::string payload = Base64UrlDecode(parts[1]);
  const std::size_t at = payload.find(kUser);
  ASSERT_NE(at, std::string::npos);
  payload.replace(at, std::string(kUser).size(), "9b2f3c1e-0000-4000-8000-000000000666");
  ExpectRefused(parts[0] + "." + Base64UrlEncode(payload) + "." + parts[2]);
}

TEST_F(TokenTest, TamperedSignatureIsRefused) {
  auto parts = Split(IssueOrDie(*signer_));
  std::string signature = Base64UrlDecode(parts[2]);
  ASSERT_EQ(signature.size(), 64u);  // r || s
  signature[10] = static_cast<char>(signature[10] ^ 0x01);
  ExpectRefused(parts[0] + "." + parts[1] + "." + Base64UrlEncode(signature));
  ExpectRefused(parts[0] + "." + parts[1] + "." + Base64UrlEncode(signature.substr(0, 63)));
}

// The verifier remembers tokens whose signature checked out; that memory must never let a changed token in.
TEST_F(TokenTest, ATokenVerifiedBeforeDoesNotVouchForAlteredCopies) {
  const std::string token = IssueOrDie(*signer_);
  ASSERT_TRUE(verifier_->Verify(token).ok());
  ASSERT_TRUE(verifier_->Verify(token).ok());
  auto parts = Split(token);
  std::string signature = Base64UrlDecode(parts[2]);
  signature[40] = static_cast<char>(signature[40] ^ 0x80);
  ExpectRefused(parts[0] + "." + parts[1] + "." + Base64UrlEncode(signature));
  std::string payload = Base64UrlDecode(parts[1]);
  payload.replace(payload.find(kUser), std::string(kUser).size(), "9b2f3c1e-0000-4000-8000-000000000777");
  ExpectRefused(parts[0] + "." + Base64UrlEncode(payload) + "." + parts[2]);
  ExpectRefused(token + "x");
}

TEST_F(TokenTest, ARememberedTokenStillExpires) {
  const std::string token = IssueOrDie(*signer_);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(verifier_->Verify(token).ok());
  clock_.Advance(seconds(900));
  ExpectRefused(token);
}

// More distinct tokens than the verifier remembers: every one still verifies (a full shard is emptied, not
// wrongly answered), and the first ones verify again after being forgotten.
TEST_F(TokenTest, ManyDistinctTokensAllVerify) {
  auto small = Verifier::Create(keys_.public_pem, kIssuer, kAudience, clock_, /*remembered_tokens=*/32);
  ASSERT_TRUE(small.ok()) << small.status();
  std::vector<std::string> tokens;
  for (int i = 0; i < 400; ++i) {
    auto token = signer_->Issue(kUser, kSession, "jti-" + std::to_string(i));
    ASSERT_TRUE(token.ok());
    tokens.push_back(*std::move(token));
    auto claims = (*small)->Verify(tokens.back());
    ASSERT_TRUE(claims.ok()) << i;
    EXPECT_EQ(claims->jti, "jti-" + std::to_string(i));
  }
  for (int i = 0; i < 400; ++i) {
    auto claims = (*small)->Verify(tokens[static_cast<std::size_t>(i)]);
    ASSERT_TRUE(claims.ok()) << i;
    EXPECT_EQ(claims->jti, "jti-" + std::to_string(i));
  }
}

TEST_F(TokenTest, WrongIssuerIsRefused) {
  auto other = Signer::Create(keys_.private_pem, "someone-else", kAudience, seconds(900), clock_);
  ASSERT_TRUE(other.ok());
  ExpectRefused(IssueOrDie(**other));
}

TEST_F(TokenTest, WrongAudienceIsRefused) {
  auto other = Signer::Create(keys_.private_pem, kIssuer, "another-api", seconds(900), clock_);
  ASSERT_TRUE(other.ok());
  ExpectRefused(IssueOrDie(**other));
}

TEST_F(TokenTest, TokenSignedByAnotherKeyIsRefused) {
  const KeyPair stranger = NewEcKey();
  auto other = Signer::Create(stranger.private_pem, kIssuer, kAudience, seconds(900), clock_);
  ASSERT_TRUE(other.ok());
  ExpectRefused(IssueOrDie(**other));
}

TEST_F(TokenTest, AlgNoneIsRefused) {
  const std::string payload = Base64UrlEncode(ValidPayload());
  for (const std::string header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})", R"({"typ":"JWT"})"}) {
    const std::string h = Base64UrlEncode(header);
    ExpectRefused(h + "." + payload + ".");
    ExpectRefused(h + "." + payload + "." + Base64UrlEncode("anything"));
  }
}

TEST_F(TokenTest, Hs256WithThePublicKeyAsSecretIsRefused) {
  // The algorithm-confusion attack: the public key is public, so an attacker can HMAC with it.
  const std::string signing_input =
      Base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." + Base64UrlEncode(ValidPayload());
  ExpectRefused(signing_input + "." + Base64UrlEncode(HmacSha256(keys_.public_pem, signing_input)));
}

TEST_F(TokenTest, OtherAsymmetricAlgorithmsAreRefused) {
  // An ES256 signature presented under another algorithm's name is refused on the name alone.
  const auto parts = Split(IssueOrDie(*signer_));
  for (const char* alg : {"ES384", "RS256", "PS256", "EdDSA", "es256"}) {
    const std::string header = Base64UrlEncode(std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})");
    ExpectRefused(header + "." + parts[1] + "." + parts[2]);
  }
}

TEST_F(TokenTest, MalformedTokensAreRefused) {
  const std::string good = IssueOrDie(*signer_);
  for (const std::string& bad :
       {std::string(), std::string("abc"), std::string("a.b"), std::string("a.b.c"), good + ".extra",
        std::string("..."), std::string("!!!.###.$$$"), std::string(10000, 'a')}) {
    ExpectRefused(bad);
  }
}

TEST_F(TokenTest, CreateRefusesKeysThatAreNotP256) {
  const KeyPair rsa = NewRsaKey();
  const KeyPair p384 = NewEcKey("P-384");
  EXPECT_EQ(Verifier::Create(rsa.public_pem, kIssuer, kAudience, clock_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Verifier::Create(p384.public_pem, kIssuer, kAudience, clock_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Verifier::Create("not a key", kIssuer, kAudience, clock_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Signer::Create(rsa.private_pem, kIssuer, kAudience, seconds(900), clock_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Signer::Create(keys_.public_pem, kIssuer, kAudience, seconds(900), clock_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Signer::Create(keys_.private_pem, kIssuer, kAudience, seconds(0), clock_).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RevocationKeysTest, AreNamespacedUnderAuth) {
  EXPECT_EQ(SessionKey("abc"), "auth:session:abc");
  EXPECT_EQ(RevokedJtiKey("xyz"), "auth:revoked-jti:xyz");
}

}  // namespace
}  // namespace messenger::token
