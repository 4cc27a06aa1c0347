// Steps for tests that need friends and chats.
#pragma once

#include <string>
#include <vector>

#include "support/api.hpp"

namespace messenger::e2e {

// Makes a and b friends through the public API (request + accept); fails the test otherwise.
void MakeFriends(const TestUser& a, const TestUser& b);
// Creates a chat of `creator` with `others`; returns the chat JSON (empty object on failure).
boost::json::object CreateChat(const TestUser& creator, const std::vector<const TestUser*>& others,
                               int expected_status = 201);
// Sends a message; returns the response.
HttpResponse SendMessage(const TestUser& author, const std::string& chat_id, const std::string& content,
                         const std::string& client_message_id = {});
// The seqs of a history page.
std::vector<int64_t> Seqs(const HttpResponse& page);

}  // namespace messenger::e2e
