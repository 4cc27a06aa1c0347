// Bad requests get a clear 4xx with the error body, never a 5xx, a crash or a hang.
#include <gtest/gtest.h>

#include "support/api.hpp"

namespace messenger::e2e {
namespace {

void ExpectErrorBody(const HttpResponse& r, int status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.ErrorCode(), code) << r.body;
  auto v = r.Json();
  ASSERT_TRUE(v.is_object());
  EXPECT_TRUE(v.at("error").as_object().at("message").is_string());
}

TEST(BadInputE2E, MalformedJsonIs400) {
  ExpectErrorBody(Gateway().PostRaw("/v1/auth/register", "{\"email\": "), 400, "INVALID_ARGUMENT");
  ExpectErrorBody(Gateway().PostRaw("/v1/auth/login", "not json at all"), 400, "INVALID_ARGUMENT");
  ExpectErrorBody(Gateway().PostRaw("/v1/auth/login", "[1,2,3]"), 400, "INVALID_ARGUMENT");
}

TEST(BadInputE2E, WrongTypesAndMissingFieldsAre400) {
  ExpectErrorBody(Gateway().PostRaw("/v1/auth/register", R"({"email": 5, "password": "x", "nickname": "y"})"), 400,
                  "INVALID_ARGUMENT");
  ExpectErrorBody(Gateway().PostRaw("/v1/auth/login", R"({"email": "a@b.test"})"), 400, "INVALID_ARGUMENT");
  ExpectErrorBody(Gateway().PostRaw("/v1/auth/login", R"({"email": "a@b.test", "password": null})"), 400,
                  "INVALID_ARGUMENT");
  ExpectErrorBody(Gateway().PostRaw("/v1/auth/refresh", R"({"refresh_token": ["x"]})"), 400, "INVALID_ARGUMENT");
}

TEST(BadInputE2E, OversizeBodyIs413) {
  std::string huge = "{\"email\":\"" + std::string(70 * 1024, 'a') + "\"}";
  ExpectErrorBody(Gateway().PostRaw("/v1/auth/login", huge), 413, "PAYLOAD_TOO_LARGE");
}

TEST(BadInputE2E, UnknownRouteIs404EvenWithoutAToken) {
  ExpectErrorBody(Gateway().Get("/v1/no/such/route"), 404, "NOT_FOUND");
  ExpectErrorBody(Gateway().Get("/nothing-here"), 404, "NOT_FOUND");
}

TEST(BadInputE2E, WrongMethodIs405) {
  auto r = Gateway().Get("/v1/auth/login");
  ExpectErrorBody(r, 405, "METHOD_NOT_ALLOWED");
  EXPECT_NE(r.Header("allow").find("POST"), std::string::npos);
}

TEST(OperationsE2E, HealthReadinessMetricsAndOpenApi) {
  EXPECT_EQ(Gateway().Get("/healthz").status, 200);
  EXPECT_EQ(Gateway().Get("/readyz").status, 200);
  auto metrics = Gateway().Get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("http_requests_total"), std::string::npos);
  auto spec = Gateway().Get("/openapi.json");
  ASSERT_EQ(spec.status, 200);
  auto doc = spec.Json().as_object();
  EXPECT_EQ(std::string(doc.at("openapi").as_string()).rfind("3.1", 0), 0u);
  EXPECT_TRUE(doc.at("paths").as_object().contains("/v1/auth/register"));
}

TEST(OperationsE2E, EveryResponseCarriesARequestId) {
  auto r = Gateway().Get("/v1/no/such/route");
  EXPECT_FALSE(r.Header("x-request-id").empty());
  auto echoed = Gateway().Send({"GET", "/healthz", "", {{"X-Request-Id", "e2e-request-42"}}, ""});
  EXPECT_EQ(echoed.Header("x-request-id"), "e2e-request-42");
}

}  // namespace
}  // namespace messenger::e2e
