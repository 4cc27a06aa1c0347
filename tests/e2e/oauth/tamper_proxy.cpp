#include "oauth/tamper_proxy.hpp"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <thread>

#include "messenger/common/ids.hpp"
#include "support/browser.hpp"

namespace messenger::e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

constexpr char kWellKnown[] = "/.well-known/openid-configuration";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

std::string BnBytes(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, name, &bn);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

std::string SignRs256(EVP_PKEY* key, const std::string& input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t size = 0;
  EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
  EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string sig(size, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &size,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  sig.resize(size);
  return sig;
}

std::string ReplacePrefix(const std::string& s, const std::string& from, const std::string& to) {
  return s.rfind(from, 0) == 0 ? to + s.substr(from.size()) : s;
}

struct Answer {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::string location;
};

}  // namespace

struct TamperProxy::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  TamperProxy* owner = nullptr;
  std::string upstream;  // the real provider, http://127.0.0.1:<port>
  std::string origin;    // this proxy
  std::string auth_path, token_path, jwks_path;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_RSA_gen(2048), &EVP_PKEY_free};
  std::string kid = "tamper-" + RandomToken(6);

  ~Impl() {
    ioc.stop();
    if (thread.joinable()) thread.join();
  }

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      Serve(std::move(socket));
      Accept();
    });
  }

  void Serve(tcp::socket socket) {
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) return;
    const Answer answer = Handle(request);
    http::response<http::string_body> response{static_cast<http::status>(answer.status), 11};
    response.set(http::field::content_type, answer.content_type);
    response.set(http::field::cache_control, "no-store");
    response.set(http::field::connection, "close");
    if (!answer.location.empty()) response.set(http::field::location, answer.location);
    response.body() = answer.body;
    response.prepare_payload();
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }

  Answer Handle(const http::request<http::string_body>& request) {
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    const Tamper mode = owner->mode_;
    if (path == kWellKnown) return Discovery();
    if (path == auth_path) {
      // The browser goes on to the real provider, with the request altered or not.
      std::string url = upstream + target;
      if (mode == Tamper::kNonce) url = WithQueryParam(url, "nonce", "tampered-" + QueryParam(url, "nonce"));
      return Answer{302, "text/plain", "", url};
    }
    if (path == token_path && request.method() == http::verb::post) return Token(request, mode);
    if (path == jwks_path) return Jwks();
    return Answer{404, "text/plain", "not proxied", ""};
  }

  bool LearnEndpoints() {
    BrowserResponse up = SendHttp("GET", upstream + kWellKnown);
    json::value doc = up.Json();
    if (up.status != 200 || !doc.is_object()) return false;
    auto path_of = [&](const char* field) {
      const json::value* v = doc.as_object().if_contains(field);
      if (v == nullptr || !v->is_string()) return std::string();
      auto url = Url::Parse(std::string(v->as_string()));
      return url ? url->Path() : std::string();
    };
    auth_path = path_of("authorization_endpoint");
    token_path = path_of("token_endpoint");
    jwks_path = path_of("jwks_uri");
    return !auth_path.empty() && !token_path.empty() && !jwks_path.empty();
  }

  Answer Discovery() {
    BrowserResponse up = SendHttp("GET", upstream + kWellKnown);
    json::value doc = up.Json();
    if (up.status != 200 || !doc.is_object())
      return Answer{502, "text/plain", "upstream discovery failed", ""};
    for (const char* field : {"authorization_endpoint", "token_endpoint", "jwks_uri"}) {
      json::value& v = doc.as_object()[field];
      if (v.is_string()) v = ReplacePrefix(std::string(v.as_string()), upstream, origin);
    }
    return Answer{200, "application/json", json::serialize(doc), ""};
  }

  Answer Jwks() {
    BrowserResponse up = SendHttp("GET", upstream + jwks_path);
    json::value doc = up.Json();
    if (up.status != 200 || !doc.is_object()) return Answer{502, "text/plain", "upstream JWKS failed", ""};
    doc.as_object()["keys"].as_array().push_back(json::object{
        {"kty", "RSA"},
        {"kid", kid},
        {"use", "sig"},
        {"alg", "RS256"},
        {"n", Base64UrlEncode(BnBytes(key.get(), OSSL_PKEY_PARAM_RSA_N))},
        {"e", Base64UrlEncode(BnBytes(key.get(), OSSL_PKEY_PARAM_RSA_E))},
    });
    return Answer{200, "application/json", json::serialize(doc), ""};
  }

  Answer Token(const http::request<http::string_body>& request, Tamper mode) {
    ++owner->token_requests_;
    std::vector<std::pair<std::string, std::string>> headers;
    for (auto field : {http::field::authorization, http::field::content_type, http::field::accept}) {
      auto it = request.find(field);
      if (it != request.end()) headers.emplace_back(std::string(it->name_string()), std::string(it->value()));
    }
    BrowserResponse up = SendHttp("POST", upstream + token_path, headers, request.body());
    json::value answer = up.Json();
    if (up.status == 200 && answer.is_object() && answer.as_object().contains("id_token")) {
      json::value& id_token = answer.as_object()["id_token"];
      id_token = Alter(std::string(id_token.as_string()), mode);
    }
    return Answer{up.status, "application/json", answer.is_null() ? up.body : json::serialize(answer), ""};
  }

  std::string Alter(const std::string& token, Tamper mode) {
    const std::size_t first = token.find('.');
    const std::size_t second = token.find('.', first + 1);
    if (mode == Tamper::kSignature) {
      std::string signature = Base64UrlDecode(token.substr(second + 1));
      signature[signature.size() / 2] = static_cast<char>(signature[signature.size() / 2] ^ 0x01);
      return token.substr(0, second + 1) + Base64UrlEncode(signature);
    }
    if (mode != Tamper::kResign && mode != Tamper::kAudience && mode != Tamper::kExpired) return token;
    json::object claims =
        json::parse(Base64UrlDecode(token.substr(first + 1, second - first - 1))).as_object();
    if (mode == Tamper::kAudience) claims["aud"] = "someone-else";
    if (mode == Tamper::kExpired) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
          std::chrono::system_clock::now().time_since_epoch());
      claims["iat"] = now.count() - 7200;
      claims["exp"] = now.count() - 3600;
    }
    const json::object header{{"alg", "RS256"}, {"kid", kid}, {"typ", "JWT"}};
    const std::string input =
        Base64UrlEncode(json::serialize(header)) + "." + Base64UrlEncode(json::serialize(claims));
    return input + "." + Base64UrlEncode(SignRs256(key.get(), input));
  }
};

TamperProxy::TamperProxy(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TamperProxy::~TamperProxy() { impl_.reset(); }  // stops the thread while the modes still exist

std::unique_ptr<TamperProxy> TamperProxy::Start(std::chrono::seconds wait) {
  const std::string discovery = Env("OAUTH_TAMPER_DISCOVERY_URL");
  const std::string upstream = Env("OIDC_URL");
  std::optional<Url> url = Url::Parse(discovery);
  if (!url || upstream.empty()) {
    ADD_FAILURE()
        << "OAUTH_TAMPER_DISCOVERY_URL and OIDC_URL must be set (./dev env test): the 'tamper' provider "
           "of Auth is configured through them";
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->upstream = upstream;
  impl->origin = url->Origin();
  if (!impl->LearnEndpoints()) {
    ADD_FAILURE() << "the provider at " << upstream << " has no usable discovery document";
    return nullptr;
  }
  const tcp::endpoint endpoint(asio::ip::make_address(url->host),
                               static_cast<unsigned short>(std::stoi(url->port)));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (true) {
    beast::error_code ec;
    impl->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(endpoint, ec);
    if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) break;
    impl->acceptor.close(ec);
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "port " << url->port << " of the tamper proxy stayed busy";
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::unique_ptr<TamperProxy> proxy(new TamperProxy(std::move(impl)));
  Impl& running = *proxy->impl_;
  running.owner = proxy.get();
  running.Accept();
  running.thread = std::thread([&running] { running.ioc.run(); });
  return proxy;
}

}  // namespace messenger::e2e
