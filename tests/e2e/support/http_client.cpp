#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace messenger::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

boost::json::value HttpResponse::Json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

std::string HttpResponse::ErrorCode() const {
  auto v = Json();
  if (!v.is_object()) return {};
  const auto* err = v.as_object().if_contains("error");
  if (!err || !err->is_object()) return {};
  const auto* code = err->as_object().if_contains("code");
  return (code && code->is_string()) ? std::string(code->as_string()) : std::string();
}

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(std::string base_url) {
  std::string rest = base_url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  auto slash = rest.find('/');
  if (slash != std::string::npos) rest = rest.substr(0, slash);
  auto colon = rest.rfind(':');
  host_ = colon == std::string::npos ? rest : rest.substr(0, colon);
  port_ = colon == std::string::npos ? "80" : rest.substr(colon + 1);
}

HttpResponse HttpClient::Send(const HttpRequest& request) const {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(resolver.resolve(host_, port_));

  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  req.set(http::field::host, host_ + ":" + port_);
  req.set(http::field::user_agent, "messenger-e2e");
  if (!request.bearer.empty()) req.set(http::field::authorization, "Bearer " + request.bearer);
  for (const auto& [k, v] : request.headers) req.set(k, v);
  if (!request.body.empty() || request.method == "POST" || request.method == "PATCH") {
    if (req.find(http::field::content_type) == req.end()) req.set(http::field::content_type, "application/json");
    req.body() = request.body;
    req.prepare_payload();
  }
  http::write(stream, req);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  http::read(stream, buffer, parser);
  auto res = parser.release();

  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = res.body();
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

HttpResponse HttpClient::Get(const std::string& target, const std::string& bearer) const {
  return Send({"GET", target, "", {}, bearer});
}

HttpResponse HttpClient::Post(const std::string& target, const boost::json::value& body,
                              const std::string& bearer) const {
  return Send({"POST", target, boost::json::serialize(body), {}, bearer});
}

HttpResponse HttpClient::PostRaw(const std::string& target, const std::string& body, const std::string& bearer) const {
  return Send({"POST", target, body, {}, bearer});
}

HttpResponse HttpClient::Patch(const std::string& target, const boost::json::value& body,
                               const std::string& bearer) const {
  return Send({"PATCH", target, boost::json::serialize(body), {}, bearer});
}

HttpResponse HttpClient::Delete(const std::string& target, const std::string& bearer) const {
  return Send({"DELETE", target, "", {}, bearer});
}

HttpClient& Gateway() {
  static HttpClient client([] {
    const char* url = std::getenv("GATEWAY_URL");
    return std::string(url && *url ? url : "http://127.0.0.1:18080");
  }());
  return client;
}

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace messenger::e2e
