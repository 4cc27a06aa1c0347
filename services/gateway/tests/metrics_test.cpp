#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace messenger::gateway {
namespace {

using std::chrono::milliseconds;

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(GatewayMetricsTest, CountsRequestsByRoutePatternMethodAndStatus) {
  Metrics m;
  m.Observe("/v1/users/{user_id}", "GET", 200, milliseconds(3));
  m.Observe("/v1/users/{user_id}", "GET", 200, milliseconds(4));
  m.Observe("/v1/users/{user_id}", "GET", 404, milliseconds(1));
  m.Observe("/v1/auth/login", "POST", 401, milliseconds(30));
  std::string text = m.Render();
  EXPECT_TRUE(Has(text, "# TYPE http_requests_total counter"));
  EXPECT_TRUE(Has(text, R"(http_requests_total{route="/v1/users/{user_id}",method="GET",status="200"} 2)"));
  EXPECT_TRUE(Has(text, R"(http_requests_total{route="/v1/users/{user_id}",method="GET",status="404"} 1)"));
  EXPECT_TRUE(Has(text, R"(http_requests_total{route="/v1/auth/login",method="POST",status="401"} 1)"));
}

TEST(GatewayMetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Metrics m({0.01, 0.1, 1});
  m.Observe("/r", "GET", 200, milliseconds(5));     // <= 0.01
  m.Observe("/r", "GET", 200, milliseconds(10));    // == 0.01 (le is inclusive)
  m.Observe("/r", "GET", 500, milliseconds(50));    // <= 0.1
  m.Observe("/r", "GET", 200, milliseconds(3000));  // only +Inf
  std::string text = m.Render();
  EXPECT_TRUE(Has(text, "# TYPE http_request_duration_seconds histogram"));
  EXPECT_TRUE(Has(text, R"(http_request_duration_seconds_bucket{route="/r",method="GET",le="0.01"} 2)"));
  EXPECT_TRUE(Has(text, R"(http_request_duration_seconds_bucket{route="/r",method="GET",le="0.1"} 3)"));
  EXPECT_TRUE(Has(text, R"(http_request_duration_seconds_bucket{route="/r",method="GET",le="1"} 3)"));
  EXPECT_TRUE(Has(text, R"(http_request_duration_seconds_bucket{route="/r",method="GET",le="+Inf"} 4)"));
  std::string sum_prefix = R"(http_request_duration_seconds_sum{route="/r",method="GET"} )";
  std::size_t at = text.find(sum_prefix);
  ASSERT_NE(at, std::string::npos);
  EXPECT_NEAR(std::stod(text.substr(at + sum_prefix.size())), 3.065, 1e-9);
  EXPECT_TRUE(Has(text, R"(http_request_duration_seconds_count{route="/r",method="GET"} 4)"));
}

TEST(GatewayMetricsTest, DefaultBucketsAreAscending) {
  auto b = Metrics::DefaultLatencyBuckets();
  ASSERT_FALSE(b.empty());
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
}

TEST(GatewayMetricsTest, LabelValuesAreEscaped) {
  Metrics m;
  m.Observe("a\"b\\c\nd", "GET", 200, milliseconds(1));
  EXPECT_NE(m.Render().find(R"(route="a\"b\\c\nd")"), std::string::npos);
}

TEST(GatewayMetricsTest, EmptyRegistryStillDeclaresItsFamilies) {
  std::string text = Metrics().Render();
  EXPECT_TRUE(Has(text, "# TYPE http_requests_total counter"));
  EXPECT_TRUE(Has(text, "# TYPE http_request_duration_seconds histogram"));
}

}  // namespace
}  // namespace messenger::gateway
