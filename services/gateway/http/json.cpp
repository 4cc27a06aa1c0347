#include "http/json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>

namespace messenger::gateway {
namespace {

Status Missing(std::string_view field) {
  return InvalidArgumentError("field '" + std::string(field) + "' is required");
}

Status WrongType(std::string_view field, std::string_view type) {
  return InvalidArgumentError("field '" + std::string(field) + "' must be " + std::string(type));
}

std::optional<std::int64_t> AsInt64(const boost::json::value& v) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) {
    if (v.as_uint64() > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(v.as_uint64());
  }
  if (v.is_double()) {
    double d = v.as_double();
    // 5.0 is an integer written by a client that only has doubles; 5.5 and 1e300 are not.
    if (std::isfinite(d) && d == std::trunc(d) && d >= -9.2e18 && d <= 9.2e18)
      return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

}  // namespace

StatusOr<boost::json::object> ParseJsonObject(std::string_view body) {
  if (body.empty()) return InvalidArgumentError("a JSON object body is required");
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return InvalidArgumentError("the body is not valid JSON");
  if (!v.is_object()) return InvalidArgumentError("the body must be a JSON object");
  return std::move(v.as_object());
}

StatusOr<std::string> RequiredString(const boost::json::object& object, std::string_view field) {
  const boost::json::value* v = object.if_contains(field);
  if (v == nullptr) return Missing(field);
  if (!v->is_string()) return WrongType(field, "a string");
  return std::string(v->as_string());
}

StatusOr<std::optional<std::string>> OptionalString(const boost::json::object& object,
                                                    std::string_view field) {
  const boost::json::value* v = object.if_contains(field);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(field, "a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

StatusOr<std::int64_t> RequiredInt64(const boost::json::object& object, std::string_view field) {
  const boost::json::value* v = object.if_contains(field);
  if (v == nullptr) return Missing(field);
  std::optional<std::int64_t> n = AsInt64(*v);
  if (!n) return WrongType(field, "an integer");
  return *n;
}

StatusOr<std::optional<std::int64_t>> OptionalInt64(const boost::json::object& object,
                                                    std::string_view field) {
  const boost::json::value* v = object.if_contains(field);
  if (v == nullptr) return std::optional<std::int64_t>();
  std::optional<std::int64_t> n = AsInt64(*v);
  if (!n) return WrongType(field, "an integer");
  return n;
}

StatusOr<std::vector<std::string>> RequiredStringArray(const boost::json::object& object,
                                                       std::string_view field) {
  const boost::json::value* v = object.if_contains(field);
  if (v == nullptr) return Missing(field);
  if (!v->is_array()) return WrongType(field, "an array of strings");
  std::vector<std::string> out;
  out.reserve(v->as_array().size());
  for (const boost::json::value& item : v->as_array()) {
    if (!item.is_string()) return WrongType(field, "an array of strings");
    out.emplace_back(item.as_string());
  }
  return out;
}

}  // namespace messenger::gateway
