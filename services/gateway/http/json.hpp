// Reading request bodies: one JSON object, and typed fields out of it. Every failure is INVALID_ARGUMENT with
// a message that names the field, so the client gets a 400 that says what to fix.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messenger/common/status.hpp"

namespace messenger::gateway {

// The body as a JSON object. Malformed JSON, an empty body or any other JSON value (array, string ...) fail.
StatusOr<boost::json::object> ParseJsonObject(std::string_view body);

// A field that must be present and a string (null counts as the wrong type).
StatusOr<std::string> RequiredString(const boost::json::object& object, std::string_view field);
// A field that may be absent; when present it must be a string (null is refused too).
StatusOr<std::optional<std::string>> OptionalString(const boost::json::object& object,
                                                    std::string_view field);
// An integer (a JSON number without a fraction that fits in int64).
StatusOr<std::int64_t> RequiredInt64(const boost::json::object& object, std::string_view field);
StatusOr<std::optional<std::int64_t>> OptionalInt64(const boost::json::object& object,
                                                    std::string_view field);
// An array whose every element is a string.
StatusOr<std::vector<std::string>> RequiredStringArray(const boost::json::object& object,
                                                       std::string_view field);

}  // namespace messenger::gateway
