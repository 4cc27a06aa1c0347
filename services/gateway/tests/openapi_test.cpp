// openapi.json must describe every route the gateway serves: walks the real route table (built by the same
// AddAllRoutes as main) and fails for a method + pattern the document lacks, a path parameter it does not
// declare, or security that disagrees with the route's access rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "api/ops_routes.hpp"
#include "api/routes.hpp"
#include "social_fakes.hpp"
#include "test_support.hpp"

namespace messenger::gateway {
namespace {

using namespace messenger::gateway::testing;
namespace json = boost::json;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

class GatewayOpenApiTest : public ::testing::Test {
 protected:
  GatewayOpenApiTest() {
    AddAllRoutes(router_, RouteDependencies{auth_, users_, metrics_, {}, &friends_, &chat_});
    boost::system::error_code ec;
    json::value v = json::parse(OpenApiDocument(), ec);
    EXPECT_FALSE(ec) << "openapi.json is not valid JSON: " << ec.message();
    if (!ec && v.is_object()) doc_ = v.as_object();
  }

  const json::object* Operation(const std::string& method, const std::string& pattern) const {
    const json::value* paths = doc_.if_contains("paths");
    if (!paths || !paths->is_object()) return nullptr;
    const json::value* item = paths->as_object().if_contains(pattern);
    if (!item || !item->is_object()) return nullptr;
    const json::value* op = item->as_object().if_contains(Lower(method));
    return (op && op->is_object()) ? &op->as_object() : nullptr;
  }

  // Parameters declared on the operation or on its path item.
  std::vector<std::pair<std::string, std::string>> Parameters(const std::string& method,
                                                              const std::string& pattern) const {
    std::vector<std::pair<std::string, std::string>> out;
    auto collect = [&](const json::value* list) {
      if (!list || !list->is_array()) return;
      for (const json::value& p : list->as_array()) {
        const json::object* param = &p.as_object();
        if (const json::value* ref = param->if_contains("$ref")) {
          // "#/components/parameters/Name"
          std::string name(ref->as_string());
          name = name.substr(name.rfind('/') + 1);
          param = &doc_.at("components").at("parameters").at(name).as_object();
        }
        out.emplace_back(std::string(param->at("name").as_string()),
                         std::string(param->at("in").as_string()));
      }
    };
    const json::object& item = doc_.at("paths").at(pattern).as_object();
    collect(item.if_contains("parameters"));
    collect(Operation(method, pattern)->if_contains("parameters"));
    return out;
  }

  // An operation's security requirement: its own, else the document's.
  bool NeedsBearer(const json::object& op) const {
    const json::value* security = op.if_contains("security");
    if (!security) security = doc_.if_contains("security");
    if (!security || !security->is_array()) return false;
    for (const json::value& requirement : security->as_array()) {
      if (requirement.is_object() && requirement.as_object().contains("bearerAuth")) return true;
    }
    return false;
  }

  FakeAuthClient auth_;
  FakeUsersClient users_;
  FakeFriendsClient friends_;
  FakeChatClient chat_;
  Metrics metrics_;
  Router router_;
  json::object doc_;
};

TEST_F(GatewayOpenApiTest, IsAnOpenApi31DocumentWithTheErrorBodyAndBearerScheme) {
  ASSERT_TRUE(doc_.contains("openapi"));
  EXPECT_EQ(std::string(doc_.at("openapi").as_string()).rfind("3.1", 0), 0u);
  EXPECT_TRUE(doc_.at("info").as_object().contains("version"));
  const json::object& components = doc_.at("components").as_object();
  EXPECT_TRUE(components.at("schemas").as_object().contains("Error"));
  const json::object& bearer = components.at("securitySchemes").at("bearerAuth").as_object();
  EXPECT_EQ(bearer.at("type").as_string(), "http");
  EXPECT_EQ(bearer.at("scheme").as_string(), "bearer");
}

TEST_F(GatewayOpenApiTest, EveryServedRouteIsDocumented) {
  ASSERT_FALSE(router_.routes().empty());
  for (const Route& route : router_.routes()) {
    SCOPED_TRACE(route.method + " " + route.pattern);
    const json::object* op = Operation(route.method, route.pattern);
    ASSERT_NE(op, nullptr) << "missing from services/gateway/openapi.json";
    EXPECT_TRUE(op->contains("responses"));
    EXPECT_TRUE(op->contains("operationId"));
    EXPECT_EQ(NeedsBearer(*op), route.access == Access::kBearer) << "security disagrees with the route";
    auto params = Parameters(route.method, route.pattern);
    for (const Route::Segment& seg : route.segments) {
      if (!seg.is_param) continue;
      bool declared = std::find(params.begin(), params.end(),
                                std::make_pair(seg.text, std::string("path"))) != params.end();
      EXPECT_TRUE(declared) << "path parameter {" << seg.text << "} is not declared";
    }
  }
}

TEST_F(GatewayOpenApiTest, RoutesOfLaterIssuesAreAlreadyDescribed) {
  // API.md's friend, chat and WebSocket routes, so the issues that serve them start from the contract.
  const std::pair<const char*, const char*> kPlanned[] = {
      {"POST", "/v1/friends/requests"},
      {"GET", "/v1/friends/requests"},
      {"POST", "/v1/friends/requests/{nickname}/accept"},
      {"POST", "/v1/friends/requests/{nickname}/reject"},
      {"GET", "/v1/friends"},
      {"DELETE", "/v1/friends/{nickname}"},
      {"POST", "/v1/chats"},
      {"GET", "/v1/chats"},
      {"POST", "/v1/chats/{chat_id}/messages"},
      {"GET", "/v1/chats/{chat_id}/messages"},
      {"POST", "/v1/chats/{chat_id}/read"},
      {"GET", "/v1/ws"},
  };
  for (const auto& [method, pattern] : kPlanned) {
    EXPECT_NE(Operation(method, pattern), nullptr) << method << " " << pattern;
  }
}

TEST_F(GatewayOpenApiTest, EveryReferenceResolves) {
  // Walk the whole document; every "$ref": "#/a/b/c" must point at something.
  std::vector<std::string> broken;
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (v.is_array()) {
      for (const auto& e : v.as_array()) walk(e);
      return;
    }
    if (!v.is_object()) return;
    for (const auto& [key, child] : v.as_object()) {
      if (key == "$ref" && child.is_string()) {
        std::string ref(child.as_string());
        boost::system::error_code ec;
        json::value whole(doc_);
        if (ref.rfind("#/", 0) != 0 || whole.find_pointer(ref.substr(1), ec) == nullptr)
          broken.push_back(ref);
      } else {
        walk(child);
      }
    }
  };
  walk(json::value(doc_));
  EXPECT_TRUE(broken.empty()) << broken.front();
}

}  // namespace
}  // namespace messenger::gateway
