// A small blocking HTTP/1.1 client for end-to-end tests: one connection per request, like a fresh client.
#pragma once

#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace messenger::e2e {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;

  // The body parsed as JSON (null when it is not JSON).
  boost::json::value Json() const;
  // error.code of an API error body, or "" when there is none.
  std::string ErrorCode() const;
  std::string Header(const std::string& lowercase_name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::map<std::string, std::string> headers;
  std::string bearer;  // Authorization: Bearer ...
};

class HttpClient {
 public:
  // base_url: http://host:port
  explicit HttpClient(std::string base_url);
  HttpResponse Send(const HttpRequest& request) const;
  HttpResponse Get(const std::string& target, const std::string& bearer = {}) const;
  HttpResponse Post(const std::string& target, const boost::json::value& body, const std::string& bearer = {}) const;
  HttpResponse PostRaw(const std::string& target, const std::string& body, const std::string& bearer = {}) const;
  HttpResponse Patch(const std::string& target, const boost::json::value& body, const std::string& bearer = {}) const;
  HttpResponse Delete(const std::string& target, const std::string& bearer = {}) const;

  const std::string& host() const { return host_; }
  const std::string& port() const { return port_; }

 private:
  std::string host_;
  std::string port_;
};

// The gateway of the running stack (GATEWAY_URL, default http://127.0.0.1:18080).
HttpClient& Gateway();

// Percent-encodes a query parameter value.
std::string UrlEncode(const std::string& s);

}  // namespace messenger::e2e
