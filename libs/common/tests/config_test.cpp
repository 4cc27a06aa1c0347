#include "messenger/common/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "messenger/common/logging.hpp"

namespace messenger {
namespace {

TEST(ConfigTest, ReadsVariablesAndFallsBack) {
  setenv("MESSENGER_TEST_INT", "42", 1);
  setenv("MESSENGER_TEST_BAD_INT", "4x2", 1);
  setenv("MESSENGER_TEST_BOOL", "yes", 1);
  EXPECT_EQ(EnvInt("MESSENGER_TEST_INT", 1), 42);
  EXPECT_EQ(EnvInt("MESSENGER_TEST_BAD_INT", 7), 7);
  EXPECT_EQ(EnvInt("MESSENGER_TEST_UNSET", 9), 9);
  EXPECT_TRUE(EnvBool("MESSENGER_TEST_BOOL", false));
  EXPECT_EQ(EnvString("MESSENGER_TEST_UNSET", "dflt"), "dflt");
}

TEST(ConfigTest, PgConnectionStringQuotesValues) {
  PgSettings s;
  s.host = "127.0.0.1";
  s.port = 5432;
  s.user = "o'neil";
  s.database = "auth";
  std::string cs = s.ConnectionString();
  EXPECT_NE(cs.find("user='o\\'neil'"), std::string::npos) << cs;
  EXPECT_NE(cs.find("dbname='auth'"), std::string::npos) << cs;
}

TEST(LoggingTest, LinesAreJsonWithRequestIdAndEscapedFields) {
  std::string line = log::FormatLineForTest(log::Level::kWarn, "auth", "req-1", "said \"hi\"\n",
                                            {{"user_id", "u1"}, {"attempts", 3}});
  EXPECT_NE(line.find("\"level\":\"warn\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"request_id\":\"req-1\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"msg\":\"said \\\"hi\\\"\\n\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"attempts\":3"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LoggingTest, RequestScopeRestoresThePreviousId) {
  {
    log::RequestScope outer("a");
    {
      log::RequestScope inner("b");
      EXPECT_EQ(log::CurrentRequestId(), "b");
    }
    EXPECT_EQ(log::CurrentRequestId(), "a");
  }
  EXPECT_EQ(log::CurrentRequestId(), "");
}

}  // namespace
}  // namespace messenger
