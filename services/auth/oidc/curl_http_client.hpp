// HttpClient over libcurl: one easy handle per request, no signals, no redirects, http and https only,
// bounded answer size. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>

#include "auth/oidc/http_client.hpp"

namespace messenger::auth {

struct CurlHttpOptions {
  // Connecting takes at most this long (and never longer than the request's timeout).
  std::chrono::milliseconds connect_timeout{1000};
  // An answer longer than this is refused (UNAVAILABLE).
  std::size_t max_response_bytes = 1 << 20;
};

class CurlHttpClient final : public HttpClient {
 public:
  // Initializes libcurl once per process.
  explicit CurlHttpClient(CurlHttpOptions options = {});

  StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  CurlHttpOptions options_;
};

}  // namespace messenger::auth
