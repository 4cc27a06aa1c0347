#include "http/response.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

namespace messenger::gateway {

std::string_view Response::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return {};
}

Response JsonResponse(int status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.content_type = std::string(kJsonContentType);
  r.body = boost::json::serialize(body);
  return r;
}

Response EmptyResponse(int status) {
  Response r;
  r.status = status;
  return r;
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  return JsonResponse(status, boost::json::object{{"error", std::move(error)}});
}

}  // namespace messenger::gateway
