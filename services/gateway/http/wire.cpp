#include "http/wire.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <cctype>

namespace messenger::gateway {

namespace bhttp = boost::beast::http;

void ConfigureParser(RequestParser& parser, const WireLimits& limits) {
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser.body_limit(boost::none);  // decided by ArmBodyLimit once the header is complete
}

boost::beast::error_code ArmBodyLimit(RequestParser& parser, const WireLimits& limits) {
  if (auto announced = parser.content_length(); announced && *announced > limits.body_limit) {
    return bhttp::error::body_limit;
  }
  parser.body_limit(limits.body_limit);
  return {};
}

std::optional<Response> ResponseForReadError(const boost::beast::error_code& ec, const WireLimits& limits) {
  if (ec == bhttp::error::body_limit) {
    return ErrorResponse(413, "PAYLOAD_TOO_LARGE",
                         "the request body is larger than " + std::to_string(limits.body_limit) + " bytes");
  }
  if (ec == bhttp::error::header_limit) {
    return ErrorResponse(431, "HEADERS_TOO_LARGE", "the request headers are too large");
  }
  // The peer went away or was too slow: nobody is listening for an answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == bhttp::error::need_more || ec == boost::beast::error::timeout) {
    return std::nullopt;
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return ErrorResponse(400, "INVALID_ARGUMENT", "malformed HTTP request");
  }
  return std::nullopt;
}

StatusOr<Request> ToRequest(WireRequest& wire, std::string request_id, std::string peer_ip,
                            bool trusted_proxy) {
  Request request;
  request.request_id = std::move(request_id);
  request.method = std::string(wire.method_string());
  std::string_view target = wire.target();
  if (target.empty() || target.front() != '/')
    return InvalidArgumentError("the request target must be a path");
  std::size_t question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) {
    MESSENGER_ASSIGN_OR_RETURN(request.query, ParseQuery(target.substr(question + 1)));
  }
  for (const auto& field : wire) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(wire.body());
  request.client_ip = std::move(peer_ip);
  if (trusted_proxy) {
    // Exactly one trusted proxy in front: the entry it appended (the last) is the client it saw.
    if (std::optional<std::string_view> xff = request.Header("x-forwarded-for")) {
      std::string_view last = *xff;
      if (std::size_t comma = last.rfind(','); comma != std::string_view::npos) last = last.substr(comma + 1);
      while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
      while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
      if (!last.empty()) request.client_ip = std::string(last);
    }
  }
  return request;
}

WireResponse ToWire(Response response, const std::string& request_id, unsigned version, bool keep_alive,
                    bool head) {
  WireResponse wire{static_cast<bhttp::status>(response.status), version};
  wire.set(bhttp::field::server, "messenger-gateway");
  wire.set("X-Request-Id", request_id);
  if (!response.content_type.empty()) wire.set(bhttp::field::content_type, response.content_type);
  for (auto& [name, value] : response.headers) wire.set(name, value);
  wire.keep_alive(keep_alive);
  if (head) {
    if (response.status != 204 && response.status >= 200) wire.content_length(response.body.size());
    return wire;
  }
  wire.body() = std::move(response.body);
  wire.prepare_payload();
  return wire;
}

std::string MethodLabel(const WireRequest& wire) {
  if (wire.method() == bhttp::verb::unknown) return "OTHER";
  return std::string(bhttp::to_string(wire.method()));
}

}  // namespace messenger::gateway
