#include "loadgen/api.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <iostream>
#include <mutex>
#include <thread>

namespace messenger::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::chrono::milliseconds kCallTimeout{15000};

StatusOr<Session> SessionFrom(const HttpReply& reply) {
  MESSENGER_ASSIGN_OR_RETURN(json::object body, BodyObject(reply));
  Session s;
  const auto* access = body.if_contains("access_token");
  const auto* refresh = body.if_contains("refresh_token");
  const auto* user = body.if_contains("user_id");
  if (!access || !access->is_string() || !refresh || !refresh->is_string()) {
    return InternalError("token answer without access_token/refresh_token");
  }
  s.access_token = std::string(access->as_string());
  s.refresh_token = std::string(refresh->as_string());
  if (user && user->is_string()) s.user_id = std::string(user->as_string());
  return s;
}

}  // namespace

StatusOr<Endpoint> ParseBaseUrl(const std::string& url) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return InvalidArgumentError("base URL must start with http://: " + url);
  std::string rest = url.substr(prefix.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return InvalidArgumentError("base URL needs a port: " + url);
  Endpoint e;
  e.host = rest.substr(0, colon);
  if (e.host == "localhost") e.host = "127.0.0.1";
  try {
    e.port = static_cast<uint16_t>(std::stoi(rest.substr(colon + 1)));
  } catch (const std::exception&) {
    return InvalidArgumentError("bad port in " + url);
  }
  return e;
}

std::vector<std::string> LoopbackSources(int count, int second_octet, int third_octet) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    const int third = (third_octet + (i + 1) / 255) % 256;
    const int fourth = (i + 1) % 255 == 0 ? 255 : (i + 1) % 255;
    out.push_back("127." + std::to_string(second_octet) + "." + std::to_string(third) + "." +
                  std::to_string(fourth));
  }
  return out;
}

Status ReplyError(const std::string& what, const HttpReply& reply) {
  if (!reply.transport_ok()) return UnavailableError(what + ": " + reply.Kind() + " (" + reply.detail + ")");
  std::string body = reply.body.substr(0, 300);
  const std::string message = what + " answered " + std::to_string(reply.status) + ": " + body;
  switch (reply.status) {
    case 400:
      return InvalidArgumentError(message);
    case 401:
      return UnauthenticatedError(message);
    case 403:
      return PermissionDeniedError(message);
    case 404:
      return NotFoundError(message);
    case 409:
      return AlreadyExistsError(message);
    case 429:
      return ResourceExhaustedError(message);
    default:
      return UnavailableError(message);
  }
}

StatusOr<json::object> BodyObject(const HttpReply& reply) {
  boost::system::error_code ec;
  json::value v = json::parse(reply.body, ec);
  if (ec || !v.is_object()) return InternalError("answer is not a JSON object: " + reply.body.substr(0, 200));
  return std::move(v.as_object());
}

std::string JsonString(std::string_view s) { return json::serialize(json::string(s)); }

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

ApiClient::ApiClient(asio::any_io_executor executor, Endpoint endpoint, std::string source_address)
    : connection_(std::move(executor), std::move(endpoint), std::move(source_address)) {}

asio::awaitable<HttpReply> ApiClient::Call(http::verb method, std::string target, std::string body,
                                           std::string bearer) {
  HttpRequestSpec spec{method, std::move(target), std::move(body), std::move(bearer)};
  const bool reused = connection_.connected() && connection_.reuse_count() > 0;
  HttpReply reply = co_await connection_.Send(spec, kCallTimeout);
  if (reused && reply.failure == HttpFailure::kClosed) reply = co_await connection_.Send(spec, kCallTimeout);
  co_return reply;
}

asio::awaitable<StatusOr<std::string>> ApiClient::Register(const std::string& email,
                                                           const std::string& password,
                                                           const std::string& nickname) {
  const std::string body = "{\"email\":" + JsonString(email) + ",\"password\":" + JsonString(password) +
                           ",\"nickname\":" + JsonString(nickname) + "}";
  HttpReply reply = co_await Call(http::verb::post, "/v1/auth/register", body, "");
  if (reply.status != 201) co_return ReplyError("POST /v1/auth/register", reply);
  auto object = BodyObject(reply);
  if (!object.ok()) co_return object.status();
  const auto* id = object->if_contains("user_id");
  if (!id || !id->is_string()) co_return InternalError("register answer without user_id");
  co_return std::string(id->as_string());
}

asio::awaitable<StatusOr<Session>> ApiClient::Login(const std::string& email, const std::string& password) {
  const std::string body = "{\"email\":" + JsonString(email) + ",\"password\":" + JsonString(password) + "}";
  HttpReply reply = co_await Call(http::verb::post, "/v1/auth/login", body, "");
  if (reply.status != 200) co_return ReplyError("POST /v1/auth/login", reply);
  co_return SessionFrom(reply);
}

asio::awaitable<StatusOr<Session>> ApiClient::Refresh(const std::string& refresh_token) {
  const std::string body = "{\"refresh_token\":" + JsonString(refresh_token) + "}";
  HttpReply reply = co_await Call(http::verb::post, "/v1/auth/refresh", body, "");
  if (reply.status != 200) co_return ReplyError("POST /v1/auth/refresh", reply);
  co_return SessionFrom(reply);
}

Status ForEachConcurrently(const Endpoint& endpoint, const std::vector<std::string>& sources, int concurrency,
                           std::size_t n, int threads, const std::string& label, const SeedTask& task) {
  if (n == 0) return OkStatus();
  asio::io_context ioc(threads);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex mu;
  Status first_error;
  std::atomic<bool> failed{false};
  const int workers =
      static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(1, concurrency)), n));
  std::vector<std::unique_ptr<ApiClient>> clients;
  for (int k = 0; k < workers; ++k) {
    auto strand = asio::make_strand(ioc);
    const std::string source = sources.empty() ? "" : sources[static_cast<std::size_t>(k) % sources.size()];
    clients.push_back(std::make_unique<ApiClient>(strand, endpoint, source));
    asio::co_spawn(
        strand,
        [&, client = clients.back().get()]() -> asio::awaitable<void> {
          for (;;) {
            if (failed.load()) co_return;
            const std::size_t i = next.fetch_add(1);
            if (i >= n) co_return;
            Status s = co_await task(*client, i);
            done.fetch_add(1);
            if (!s.ok()) {
              std::lock_guard lock(mu);
              if (first_error.ok()) first_error = s;
              failed = true;
            }
          }
        },
        asio::detached);
  }
  std::atomic<bool> finished{false};
  std::thread progress([&] {
    auto last = std::chrono::steady_clock::now();
    while (!finished.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (std::chrono::steady_clock::now() - last > std::chrono::seconds(5)) {
        last = std::chrono::steady_clock::now();
        std::cerr << "  " << label << ": " << done.load() << "/" << n << std::endl;
      }
    }
  });
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (std::thread& t : pool) t.join();
  finished = true;
  progress.join();
  return first_error;
}

}  // namespace messenger::bench
