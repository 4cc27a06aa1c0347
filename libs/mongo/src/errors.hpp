// Maps libmongoc/libbson errors to Status, in one place. Internal to libs/mongo.
#pragma once

#include <bson/bson.h>

#include <string_view>

#include "messenger/common/status.hpp"

namespace messenger::mongo::internal {

// Server error codes the mapping (and callers that tolerate them) care about.
inline constexpr uint32_t kDuplicateKey = 11000;
inline constexpr uint32_t kNamespaceNotFound = 26;

// `what` names the failed operation ("insert into chats", ...). Relies on error API version 2, which
// ClientPool sets.
Status FromBsonError(const bson_error_t& error, std::string_view what);

bool IsDuplicateKey(const bson_error_t& error);

}  // namespace messenger::mongo::internal
