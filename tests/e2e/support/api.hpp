// Client-level steps shared by end-to-end tests: a fresh user, signing in, waiting for eventual state.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "support/http_client.hpp"

namespace messenger::e2e {

// A string unique to this test run, safe inside emails and nicknames ([a-z0-9]).
std::string UniqueSuffix();

struct TestUser {
  std::string email;
  std::string password;
  std::string nickname;
  std::string user_id;
  std::string access_token;
  std::string refresh_token;
};

// Registers a new user with unique email and nickname (nickname_prefix + suffix), logs in and fills tokens.
// Fails the calling test (ADD_FAILURE) on any unexpected status.
TestUser NewUser(const std::string& nickname_prefix = "u");
// Like NewUser, and waits until the user's profile exists (it is created from the UserRegistered event).
TestUser NewUserWithProfile(const std::string& nickname_prefix = "u");

boost::json::object RegisterBody(const std::string& email, const std::string& password, const std::string& nickname);
boost::json::object LoginBody(const std::string& email, const std::string& password);

// Polls `check` until it returns true or `timeout` passes; returns the last result.
bool Eventually(const std::function<bool()>& check, std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace messenger::e2e
