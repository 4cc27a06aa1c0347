// A minimal browser for end-to-end tests of redirect flows (OpenID Connect sign-in): it keeps cookies per
// host as a browser does (Path, Max-Age and past Expires honoured; the port does not matter), submits HTML
// forms, and never follows a redirect by itself, so a test sees and decides every hop.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace messenger::e2e {

struct Url {
  std::string host;
  std::string port;    // "80" when the URL has none
  std::string target;  // path and query, at least "/"

  // http://host[:port][/target]; nullopt for anything else (https is not needed on loopback).
  static std::optional<Url> Parse(const std::string& text);
  std::string Origin() const { return "http://" + host + ":" + port; }
  std::string Path() const { return target.substr(0, target.find('?')); }
  std::string ToString() const { return Origin() + target; }
};

// `location` (absolute, or a path) resolved against the URL it was answered from.
std::string ResolveUrl(const std::string& base, const std::string& location);
// The decoded value of query parameter `name` of `url`, or "" when it is absent.
std::string QueryParam(const std::string& url, const std::string& name);
// `url` with query parameter `name` set to `value` (added when absent).
std::string WithQueryParam(const std::string& url, const std::string& name, const std::string& value);
std::string PercentDecode(const std::string& text);
// application/x-www-form-urlencoded.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

struct BrowserResponse {
  std::string url;  // what was requested
  int status = 0;
  std::multimap<std::string, std::string> headers;  // lowercase names, every occurrence kept
  std::string body;

  std::string Header(const std::string& lowercase_name) const;
  // The Location header resolved against `url`, or "".
  std::string Location() const;
  bool IsRedirect() const { return status >= 300 && status < 400; }
  boost::json::value Json() const;
  std::string ErrorCode() const;  // error.code of an API error body, or ""
};

struct HtmlForm {
  std::string action;                                       // as written in the page (HTML entities decoded)
  std::string method;                                       // lowercase, "get" when absent
  std::vector<std::pair<std::string, std::string>> inputs;  // named inputs with a value (hidden fields...)
};
// The forms of an HTML page, in order.
std::vector<HtmlForm> FindForms(const std::string& html);

// One HTTP/1.1 exchange on a fresh connection, all response headers kept.
BrowserResponse SendHttp(const std::string& method, const std::string& url,
                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                         const std::string& body = {});

class Browser {
 public:
  BrowserResponse Get(const std::string& url);
  BrowserResponse PostForm(const std::string& url,
                           const std::vector<std::pair<std::string, std::string>>& fields);
  // Any request, with this browser's cookies for the URL; Set-Cookie answers are stored.
  BrowserResponse Send(const std::string& method, const std::string& url,
                       std::vector<std::pair<std::string, std::string>> headers = {},
                       const std::string& body = {});

  std::size_t CookieCount(const std::string& host) const;

 private:
  struct Cookie {
    std::string name;
    std::string value;
    std::string path;
  };
  std::string CookieHeader(const Url& url) const;
  void Store(const Url& url, const std::string& set_cookie);

  std::map<std::string, std::vector<Cookie>> jar_;  // by host
};

}  // namespace messenger::e2e
