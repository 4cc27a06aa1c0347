#include "support/api.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

namespace messenger::e2e {

std::string UniqueSuffix() {
  static std::atomic<unsigned> counter{0};
  static const std::string run = [] {
    std::random_device rd;
    std::string s;
    const char* alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 6; ++i) s += alphabet[rd() % 36];
    return s;
  }();
  return run + std::to_string(counter.fetch_add(1));
}

boost::json::object RegisterBody(const std::string& email, const std::string& password, const std::string& nickname) {
  return {{"email", email}, {"password", password}, {"nickname", nickname}};
}

boost::json::object LoginBody(const std::string& email, const std::string& password) {
  return {{"email", email}, {"password", password}};
}

TestUser NewUser(const std::string& nickname_prefix) {
  TestUser u;
  std::string suffix = UniqueSuffix();
  u.email = "user." + suffix + "@example.test";
  u.password = "correct horse battery " + suffix;
  u.nickname = nickname_prefix + suffix;
  auto reg = Gateway().Post("/v1/auth/register", RegisterBody(u.email, u.password, u.nickname));
  if (reg.status != 201) {
    ADD_FAILURE() << "register " << u.nickname << ": " << reg.status << " " << reg.body;
    return u;
  }
  u.user_id = std::string(reg.Json().at("user_id").as_string());
  auto login = Gateway().Post("/v1/auth/login", LoginBody(u.email, u.password));
  if (login.status != 200) {
    ADD_FAILURE() << "login " << u.email << ": " << login.status << " " << login.body;
    return u;
  }
  auto body = login.Json().as_object();
  u.access_token = std::string(body.at("access_token").as_string());
  u.refresh_token = std::string(body.at("refresh_token").as_string());
  return u;
}

TestUser NewUserWithProfile(const std::string& nickname_prefix) {
  TestUser u = NewUser(nickname_prefix);
  bool ok = Eventually([&] { return Gateway().Get("/v1/me", u.access_token).status == 200; });
  if (!ok) ADD_FAILURE() << "profile of " << u.nickname << " did not appear";
  return u;
}

bool Eventually(const std::function<bool()>& check, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (check()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace messenger::e2e
