#include "messenger/common/status.hpp"

#include <gtest/gtest.h>

namespace messenger {
namespace {

StatusOr<int> Half(int v) {
  if (v % 2 != 0) return InvalidArgumentError("odd", "ODD_NUMBER");
  return v / 2;
}

StatusOr<int> Quarter(int v) {
  MESSENGER_ASSIGN_OR_RETURN(int h, Half(v));
  MESSENGER_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeReasonAndMessage) {
  Status s = AlreadyExistsError("email in use", "EMAIL_TAKEN");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(s.reason(), "EMAIL_TAKEN");
  EXPECT_EQ(s.ToString(), "ALREADY_EXISTS[EMAIL_TAKEN]: email in use");
}

TEST(StatusOrTest, PropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "ODD_NUMBER");
}

TEST(StatusCodeTest, NamesMatchGrpc) {
  EXPECT_EQ(StatusCodeName(StatusCode::kResourceExhausted), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(StatusCodeName(StatusCode::kUnauthenticated), "UNAUTHENTICATED");
}

}  // namespace
}  // namespace messenger
