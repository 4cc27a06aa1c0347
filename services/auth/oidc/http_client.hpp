// Outbound HTTP as the OpenID Connect adapter needs it. Implemented by CurlHttpClient; tests serve real
// HTTP or script answers.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::auth {

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{2000};  // the whole exchange, connecting included
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Any answer the server gives (4xx and 5xx included). UNAVAILABLE when the server cannot be reached, does
  // not answer within the timeout, or answers too much; redirects are not followed.
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace messenger::auth
