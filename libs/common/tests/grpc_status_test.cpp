#include "messenger/common/grpc_status.hpp"

#include <gtest/gtest.h>

namespace messenger {
namespace {

TEST(GrpcStatusTest, CodesMapOneToOne) {
  Status s = ResourceExhaustedError("slow down", "RATE_LIMITED");
  grpc::Status g = ToGrpcStatus(s, nullptr);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(g.error_message(), "slow down");
  EXPECT_TRUE(ToGrpcStatus(Status(), nullptr).ok());
}

TEST(GrpcStatusTest, ClientContextHasDeadline) {
  auto ctx = NewClientContext(std::chrono::milliseconds(250), "rid");
  auto left = ctx->deadline() - std::chrono::system_clock::now();
  EXPECT_GT(left, std::chrono::milliseconds(0));
  EXPECT_LE(left, std::chrono::milliseconds(250));
}

}  // namespace
}  // namespace messenger
