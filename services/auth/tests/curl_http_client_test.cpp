// CurlHttpClient and OidcIdentityProvider against real servers: the local OpenID provider (OIDC_URL), a port
// nobody listens on, a server that never answers and one that answers too much.
#include "auth/oidc/curl_http_client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "auth/oidc/oidc_identity_provider.hpp"

namespace messenger::auth {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

std::string OidcUrl() {
  const char* url = std::getenv("OIDC_URL");
  return url != nullptr ? url : "";
}

// A loopback TCP socket bound to a free port, listening (or not).
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listen) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (listen) ::listen(fd_, 16);
  }
  ~LoopbackSocket() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(CurlHttpClientTest, FetchesFromTheRealProvider) {
  ASSERT_FALSE(OidcUrl().empty()) << "OIDC_URL is not set (./dev env test)";
  CurlHttpClient http;
  auto found = http.Send({"GET", OidcUrl() + "/.well-known/openid-configuration", {}, "", 2000ms});
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->status, 200);
  EXPECT_NE(found->body.find("\"issuer\":\"" + OidcUrl() + "\""), std::string::npos) << found->body;
  auto missing = http.Send({"GET", OidcUrl() + "/no-such-page", {}, "", 2000ms});
  ASSERT_TRUE(missing.ok()) << "an HTTP error is an answer";
  EXPECT_EQ(missing->status, 404);
}

TEST(CurlHttpClientTest, NobodyListeningIsUnavailableAtOnce) {
  LoopbackSocket closed(false);
  const std::string url = closed.Url();
  closed.Close();
  CurlHttpClient http;
  const auto start = Steady::now();
  auto answer = http.Send({"GET", url, {}, "", 2000ms});
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(answer.status().reason(), "PROVIDER_UNAVAILABLE");
  EXPECT_LT(Steady::now() - start, 1s);
}

TEST(CurlHttpClientTest, AServerThatNeverAnswersTimesOut) {
  LoopbackSocket silent(true);  // connections complete in the backlog; nothing is ever read or written
  CurlHttpClient http;
  const auto start = Steady::now();
  auto answer = http.Send({"POST", silent.Url(), {}, "x=1", 500ms});
  const auto took = Steady::now() - start;
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
  EXPECT_GE(took, 450ms);
  EXPECT_LT(took, 2s);
}

TEST(CurlHttpClientTest, AnOversizedAnswerIsRefused) {
  LoopbackSocket server(true);
  std::thread serve([&] {
    const int conn = ::accept(server.fd(), nullptr, nullptr);
    char buffer[4096];
    (void)::read(conn, buffer, sizeof buffer);
    const std::string body(64 * 1024, 'x');
    const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                               "\r\nConnection: close\r\n\r\n" + body;
    (void)::send(conn, answer.data(), answer.size(), MSG_NOSIGNAL);
    ::close(conn);
  });
  CurlHttpOptions options;
  options.max_response_bytes = 16 * 1024;
  CurlHttpClient http(options);
  auto answer = http.Send({"GET", server.Url(), {}, "", 2000ms});
  serve.join();
  EXPECT_EQ(answer.status().code(), StatusCode::kUnavailable);
}

TEST(OidcRealProviderTest, TheAuthorizationUrlPointsAtTheRealProvider) {
  ASSERT_FALSE(OidcUrl().empty()) << "OIDC_URL is not set (./dev env test)";
  CurlHttpClient http;
  SystemClock clock;
  OidcProviderConfig config;
  config.name = "local";
  config.issuer = OidcUrl();
  config.client_id = "messenger-local";
  config.client_secret = "messenger-local-secret";
  config.redirect_uris = {"http://127.0.0.1:1/v1/auth/oauth/local/callback"};
  auto provider = OidcIdentityProvider::Create(config, http, clock);
  ASSERT_TRUE(provider.ok()) << provider.status();
  auto url =
      (*provider)->AuthorizationUrl({"state-1", "nonce-1", "verifier-1", config.redirect_uris[0]}, 2500ms);
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->rfind(OidcUrl() + "/", 0), 0u) << *url;
  EXPECT_NE(url->find("code_challenge_method=S256"), std::string::npos);

  // A code the provider never issued is refused by its token endpoint.
  auto redeemed = (*provider)->Redeem("not-a-code", "verifier-1", config.redirect_uris[0], "nonce-1", 2500ms);
  EXPECT_EQ(redeemed.status().code(), StatusCode::kUnauthenticated) << redeemed.status();
  EXPECT_EQ(redeemed.status().reason(), "OAUTH_REFUSED");

  // A client with the wrong secret is our fault, not the user's.
  config.client_secret = "wrong";
  auto misconfigured = OidcIdentityProvider::Create(config, http, clock);
  EXPECT_EQ((*misconfigured)->Redeem("not-a-code", "v", config.redirect_uris[0], "n", 2500ms).status().code(),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace messenger::auth
