#include "support/browser.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <regex>

namespace messenger::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t");
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

std::string DecodeEntities(std::string s) {
  static const std::vector<std::pair<std::string, std::string>> kEntities = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&#x2F;", "/"}};
  for (const auto& [entity, text] : kEntities) {
    for (std::size_t at = s.find(entity); at != std::string::npos; at = s.find(entity, at + text.size())) {
      s.replace(at, entity.size(), text);
    }
  }
  // Numeric entities (&#NN;) as oidc-provider's pages write them.
  static const std::regex kNumeric("&#([0-9]+);");
  std::string out;
  std::sregex_iterator it(s.begin(), s.end(), kNumeric), end;
  std::size_t last = 0;
  for (; it != end; ++it) {
    out += s.substr(last, static_cast<std::size_t>(it->position()) - last);
    out += static_cast<char>(std::stoi((*it)[1].str()));
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  return out + s.substr(last);
}

std::string Attribute(const std::string& tag, const std::string& name) {
  const std::regex pattern("\\s" + name + "\\s*=\\s*(\"([^\"]*)\"|'([^']*)')", std::regex::icase);
  std::smatch m;
  if (!std::regex_search(tag, m, pattern)) return {};
  return DecodeEntities(m[2].matched ? m[2].str() : m[3].str());
}

}  // namespace

std::optional<Url> Url::Parse(const std::string& text) {
  if (text.rfind("http://", 0) != 0) return std::nullopt;
  const std::string rest = text.substr(7);
  const std::size_t slash = rest.find_first_of("/?");
  const std::string authority = rest.substr(0, slash);
  Url url;
  url.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (url.target[0] == '?') url.target = "/" + url.target;
  const std::size_t colon = authority.rfind(':');
  url.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  url.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  if (url.host.empty()) return std::nullopt;
  return url;
}

std::string ResolveUrl(const std::string& base, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  std::optional<Url> url = Url::Parse(base);
  if (!url) return location;
  if (!location.empty() && location[0] == '/') return url->Origin() + location;
  const std::string path = url->Path();
  return url->Origin() + path.substr(0, path.rfind('/') + 1) + location;
}

std::string PercentDecode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::string QueryParam(const std::string& url, const std::string& name) {
  const std::size_t q = url.find('?');
  if (q == std::string::npos) return {};
  const std::string query =
      url.substr(q + 1, url.find('#') == std::string::npos ? std::string::npos : url.find('#') - q - 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name) {
      return eq == std::string::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return {};
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  static const char* kHex = "0123456789ABCDEF";
  auto encode = [](const std::string& s) {
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
  };
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += encode(name) + "=" + encode(value);
  }
  return out;
}

std::string WithQueryParam(const std::string& url, const std::string& name, const std::string& value) {
  const std::string encoded = FormEncode({{name, value}});
  const std::size_t q = url.find('?');
  if (q == std::string::npos) return url + "?" + encoded;
  std::string head = url.substr(0, q + 1);
  std::string query = url.substr(q + 1);
  std::vector<std::string> parts;
  bool replaced = false;
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    if (PercentDecode(pair.substr(0, pair.find('='))) == name) {
      pair = encoded;
      replaced = true;
    }
    if (!pair.empty()) parts.push_back(pair);
    start = end + 1;
  }
  if (!replaced) parts.push_back(encoded);
  std::string out = head;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "&" : "") + parts[i];
  return out;
}

std::string BrowserResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string BrowserResponse::Location() const {
  const std::string location = Header("location");
  return location.empty() ? location : ResolveUrl(url, location);
}

boost::json::value BrowserResponse::Json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  return ec ? boost::json::value() : v;
}

std::string BrowserResponse::ErrorCode() const {
  auto v = Json();
  if (!v.is_object()) return {};
  const auto* err = v.as_object().if_contains("error");
  if (!err || !err->is_object()) return {};
  const auto* code = err->as_object().if_contains("code");
  return (code && code->is_string()) ? std::string(code->as_string()) : std::string();
}

std::vector<HtmlForm> FindForms(const std::string& html) {
  std::vector<HtmlForm> forms;
  const std::regex form_pattern("<form\\b([^>]*)>([\\s\\S]*?)</form>", std::regex::icase);
  const std::regex input_pattern("<(input|button)\\b[^>]*>", std::regex::icase);
  for (std::sregex_iterator it(html.begin(), html.end(), form_pattern), end; it != end; ++it) {
    HtmlForm form;
    const std::string open_tag = " " + (*it)[1].str();
    form.action = Attribute(open_tag, "action");
    form.method = Lower(Attribute(open_tag, "method"));
    if (form.method.empty()) form.method = "get";
    const std::string inner = (*it)[2].str();
    for (std::sregex_iterator in(inner.begin(), inner.end(), input_pattern); in != end; ++in) {
      const std::string tag = in->str();
      const std::string name = Attribute(tag, "name");
      if (!name.empty()) form.inputs.emplace_back(name, Attribute(tag, "value"));
    }
    forms.push_back(std::move(form));
  }
  return forms;
}

BrowserResponse SendHttp(const std::string& method, const std::string& url_text,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body) {
  BrowserResponse out;
  out.url = url_text;
  std::optional<Url> url = Url::Parse(url_text);
  if (!url) return out;  // status 0

  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(20));
  beast::error_code ec;
  stream.connect(resolver.resolve(url->host, url->port), ec);
  if (ec) return out;

  http::request<http::string_body> req{http::string_to_verb(method), url->target, 11};
  req.set(http::field::host, url->host + ":" + url->port);
  req.set(http::field::user_agent, "messenger-e2e-browser");
  for (const auto& [name, value] : headers) req.insert(name, value);
  if (!body.empty() || method == "POST") {
    req.body() = body;
    req.prepare_payload();
  }
  http::write(stream, req, ec);
  if (ec) return out;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  http::read(stream, buffer, parser, ec);
  if (ec) return out;
  auto res = parser.release();
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res)
    out.headers.emplace(Lower(std::string(field.name_string())), std::string(field.value()));
  out.body = res.body();
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return out;
}

std::string Browser::CookieHeader(const Url& url) const {
  auto it = jar_.find(url.host);
  if (it == jar_.end()) return {};
  const std::string path = url.Path();
  std::string header;
  for (const Cookie& c : it->second) {
    const bool path_matches =
        path.rfind(c.path, 0) == 0 &&
        (path.size() == c.path.size() || c.path.back() == '/' || path[c.path.size()] == '/');
    if (!path_matches) continue;
    if (!header.empty()) header += "; ";
    header += c.name + "=" + c.value;
  }
  return header;
}

void Browser::Store(const Url& url, const std::string& set_cookie) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= set_cookie.size()) {
    std::size_t end = set_cookie.find(';', start);
    if (end == std::string::npos) end = set_cookie.size();
    parts.push_back(Trim(set_cookie.substr(start, end - start)));
    start = end + 1;
  }
  const std::size_t eq = parts[0].find('=');
  if (eq == std::string::npos || eq == 0) return;
  Cookie cookie{parts[0].substr(0, eq), parts[0].substr(eq + 1), {}};
  bool expired = false;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::size_t attr_eq = parts[i].find('=');
    const std::string name = Lower(parts[i].substr(0, attr_eq));
    const std::string value = attr_eq == std::string::npos ? std::string() : parts[i].substr(attr_eq + 1);
    if (name == "path" && !value.empty() && value[0] == '/') cookie.path = value;
    if (name == "max-age") expired = expired || std::atol(value.c_str()) <= 0;
    if (name == "expires") expired = expired || value.find("1970") != std::string::npos;
  }
  if (cookie.path.empty()) {  // the default path: the request path up to its last '/'
    const std::string path = url.Path();
    cookie.path = path.rfind('/') == 0 ? "/" : path.substr(0, path.rfind('/'));
  }
  auto& cookies = jar_[url.host];
  cookies.erase(
      std::remove_if(cookies.begin(), cookies.end(),
                     [&](const Cookie& c) { return c.name == cookie.name && c.path == cookie.path; }),
      cookies.end());
  if (!expired) cookies.push_back(std::move(cookie));
}

BrowserResponse Browser::Send(const std::string& method, const std::string& url,
                              std::vector<std::pair<std::string, std::string>> headers,
                              const std::string& body) {
  std::optional<Url> parsed = Url::Parse(url);
  if (parsed) {
    const std::string cookies = CookieHeader(*parsed);
    if (!cookies.empty()) headers.emplace_back("Cookie", cookies);
  }
  BrowserResponse response = SendHttp(method, url, headers, body);
  if (parsed) {
    auto [begin, end] = response.headers.equal_range("set-cookie");
    for (auto it = begin; it != end; ++it) Store(*parsed, it->second);
  }
  return response;
}

BrowserResponse Browser::Get(const std::string& url) { return Send("GET", url); }

BrowserResponse Browser::PostForm(const std::string& url,
                                  const std::vector<std::pair<std::string, std::string>>& fields) {
  return Send("POST", url, {{"Content-Type", "application/x-www-form-urlencoded"}}, FormEncode(fields));
}

std::size_t Browser::CookieCount(const std::string& host) const {
  auto it = jar_.find(host);
  return it == jar_.end() ? 0 : it->second.size();
}

}  // namespace messenger::e2e
