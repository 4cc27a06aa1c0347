#include "auth/oidc/curl_http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>

namespace messenger::auth {
namespace {

struct Body {
  std::string data;
  std::size_t limit = 0;
  bool overflow = false;
};

std::size_t Collect(char* ptr, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t n = size * count;
  if (body->data.size() + n > body->limit) {
    body->overflow = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  body->data.append(ptr, n);
  return n;
}

Status Unreachable(const std::string& what) { return UnavailableError(what, "PROVIDER_UNAVAILABLE"); }

}  // namespace

CurlHttpClient::CurlHttpClient(CurlHttpOptions options) : options_(options) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

StatusOr<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "POST") {
    return InvalidArgumentError("unsupported HTTP method " + request.method);
  }
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return InternalError("curl_easy_init failed");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, &curl_slist_free_all);
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) return InternalError("curl_slist_append failed");
    headers.release();
    headers.reset(appended);
  }

  const long timeout_ms = std::max<long>(1, static_cast<long>(request.timeout.count()));
  const long connect_ms = std::min<long>(timeout_ms, static_cast<long>(options_.connect_timeout.count()));
  Body body;
  body.limit = options_.max_response_bytes;
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "messenger-auth");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  if (request.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }

  const CURLcode code = curl_easy_perform(h);
  if (body.overflow) return Unreachable("answer larger than " + std::to_string(body.limit) + " bytes");
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return Unreachable("no answer within " + std::to_string(timeout_ms) + " ms");
  }
  if (code != CURLE_OK) return Unreachable(std::string("HTTP request failed: ") + curl_easy_strerror(code));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  return HttpResponse{static_cast<int>(status), std::move(body.data)};
}

}  // namespace messenger::auth
