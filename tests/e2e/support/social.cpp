#include "support/social.hpp"

#include <gtest/gtest.h>

namespace messenger::e2e {

void MakeFriends(const TestUser& a, const TestUser& b) {
  auto r = Gateway().Post("/v1/friends/requests", boost::json::object{{"nickname", b.nickname}}, a.access_token);
  ASSERT_EQ(r.status, 201) << r.body;
  auto ok = Gateway().Send({"POST", "/v1/friends/requests/" + a.nickname + "/accept", "", {}, b.access_token});
  ASSERT_EQ(ok.status, 200) << ok.body;
}

boost::json::object CreateChat(const TestUser& creator, const std::vector<const TestUser*>& others,
                               int expected_status) {
  boost::json::array ids;
  for (const auto* u : others) ids.emplace_back(u->user_id);
  auto r = Gateway().Post("/v1/chats", boost::json::object{{"participants", ids}}, creator.access_token);
  EXPECT_EQ(r.status, expected_status) << r.body;
  auto v = r.Json();
  return v.is_object() ? v.as_object() : boost::json::object{};
}

HttpResponse SendMessage(const TestUser& author, const std::string& chat_id, const std::string& content,
                         const std::string& client_message_id) {
  boost::json::object body{{"content", content}};
  if (!client_message_id.empty()) body["client_message_id"] = client_message_id;
  return Gateway().Post("/v1/chats/" + chat_id + "/messages", body, author.access_token);
}

std::vector<int64_t> Seqs(const HttpResponse& page) {
  std::vector<int64_t> out;
  auto v = page.Json();
  if (!v.is_object()) return out;
  for (const auto& m : v.at("messages").as_array()) out.push_back(m.at("seq").to_number<int64_t>());
  return out;
}

}  // namespace messenger::e2e
