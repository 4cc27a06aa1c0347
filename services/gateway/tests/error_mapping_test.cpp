#include "http/error_mapping.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace messenger::gateway {
namespace {

struct Row {
  StatusCode code;
  int http;
  const char* body_code;  // without a reason
};

// API.md "Errors", row by row, plus every remaining canonical code.
const Row kTable[] = {
    {StatusCode::kInvalidArgument, 400, "INVALID_ARGUMENT"},
    {StatusCode::kFailedPrecondition, 400, "FAILED_PRECONDITION"},
    {StatusCode::kOutOfRange, 400, "OUT_OF_RANGE"},
    {StatusCode::kUnauthenticated, 401, "UNAUTHENTICATED"},
    {StatusCode::kPermissionDenied, 403, "PERMISSION_DENIED"},
    {StatusCode::kNotFound, 404, "NOT_FOUND"},
    {StatusCode::kAlreadyExists, 409, "ALREADY_EXISTS"},
    {StatusCode::kAborted, 409, "ABORTED"},
    {StatusCode::kResourceExhausted, 429, "RATE_LIMITED"},
    {StatusCode::kUnavailable, 503, "UNAVAILABLE"},
    {StatusCode::kDeadlineExceeded, 504, "DEADLINE_EXCEEDED"},
    {StatusCode::kCancelled, 500, "INTERNAL"},
    {StatusCode::kUnknown, 500, "INTERNAL"},
    {StatusCode::kUnimplemented, 500, "INTERNAL"},
    {StatusCode::kInternal, 500, "INTERNAL"},
    {StatusCode::kDataLoss, 500, "INTERNAL"},
};

boost::json::object ErrorOf(const Response& r) {
  return boost::json::parse(r.body).as_object().at("error").as_object();
}

TEST(GatewayErrorMappingTest, EveryCodeMapsAsApiMdSays) {
  for (const Row& row : kTable) {
    Status status(row.code, "detail for developers");
    SCOPED_TRACE(std::string(StatusCodeName(row.code)));
    EXPECT_EQ(HttpStatusFor(row.code), row.http);
    Response r = ErrorResponseFor(status);
    EXPECT_EQ(r.status, row.http);
    EXPECT_EQ(r.content_type, "application/json");
    auto error = ErrorOf(r);
    EXPECT_EQ(error.at("code").as_string(), row.body_code);
    EXPECT_TRUE(error.at("message").is_string());
  }
}

TEST(GatewayErrorMappingTest, ReasonBecomesTheCode) {
  Response r = ErrorResponseFor(AlreadyExistsError("email taken", "EMAIL_TAKEN"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "EMAIL_TAKEN");
  EXPECT_EQ(ErrorOf(r).at("message").as_string(), "email taken");
  r = ErrorResponseFor(UnauthenticatedError("bad credentials", "INVALID_CREDENTIALS"));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "INVALID_CREDENTIALS");
  EXPECT_EQ(r.Header("WWW-Authenticate"), "Bearer");
}

TEST(GatewayErrorMappingTest, AReasonThatIsNotAnUpperSnakeWordIsIgnored) {
  Response r = ErrorResponseFor(NotFoundError("gone", "no such thing\r\nX: y"));
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "NOT_FOUND");
}

TEST(GatewayErrorMappingTest, ThrottlingIs429RateLimitedWithRetryAfter) {
  Response r = ErrorResponseFor(ResourceExhaustedError("slow down", "TOO_MANY"), std::chrono::seconds(42));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(ErrorOf(r).at("code").as_string(), "RATE_LIMITED");
  EXPECT_EQ(r.Header("Retry-After"), "42");
  // Without a delay from the service the header is still there.
  EXPECT_EQ(ErrorResponseFor(ResourceExhaustedError("slow down")).Header("Retry-After"), "1");
}

TEST(GatewayErrorMappingTest, ServerErrorsCarryNoInternalDetail) {
  for (StatusCode code : {StatusCode::kInternal, StatusCode::kUnknown, StatusCode::kUnavailable,
                          StatusCode::kDeadlineExceeded, StatusCode::kDataLoss}) {
    Response r = ErrorResponseFor(Status(code, "pq: connection to 10.0.0.3:5432 refused", "SECRET_REASON"));
    EXPECT_GE(r.status, 500);
    EXPECT_EQ(r.body.find("10.0.0.3"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("SECRET_REASON"), std::string::npos) << r.body;
  }
}

TEST(GatewayErrorMappingTest, EmptyMessageFallsBackToTheCodeName) {
  Response r = ErrorResponseFor(NotFoundError(""));
  EXPECT_EQ(ErrorOf(r).at("message").as_string(), "NOT_FOUND");
}

}  // namespace
}  // namespace messenger::gateway
