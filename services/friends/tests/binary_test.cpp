// The messenger-friends executable as the stack runs it: started with its environment (own database, key
// prefix, topic, port; USERS_ADDR pointing at an in-process fake Users service), used over gRPC, and
// stopped with SIGTERM. Checks the wiring of main.cpp: migrations, outbox relay, topic creation, shutdown.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "friends/tests/fake_users_service.hpp"
#include "friends/tests/integration_support.hpp"
#include "messenger/friends/v1/friends.grpc.pb.h"

extern char** environ;

#ifndef FRIENDS_BINARY
#error "FRIENDS_BINARY must name the messenger-friends executable"
#endif

namespace messenger::friends {
namespace {

using namespace std::chrono_literals;

// A port nobody listens on right now (the kernel's choice for an ephemeral bind).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return 0;
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The child process; SIGKILLed at the end if it is still running.
class Process {
 public:
  Process(const std::string& path, const std::vector<std::string>& env_overrides) {
    // The inherited environment with the overridden variables replaced.
    std::vector<std::string> merged;
    for (const std::string& o : env_overrides) merged.push_back(o);
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      const std::string name = entry.substr(0, entry.find('='));
      bool overridden = false;
      for (const std::string& o : env_overrides) overridden |= o.rfind(name + "=", 0) == 0;
      if (!overridden) merged.push_back(entry);
    }
    std::vector<char*> envp;
    for (std::string& s : merged) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string arg0 = path;
    char* argv[] = {arg0.data(), nullptr};
    if (::posix_spawn(&pid_, path.c_str(), nullptr, nullptr, argv, envp.data()) != 0) pid_ = -1;
  }
  ~Process() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool started() const { return pid_ > 0; }
  // Sends SIGTERM and waits up to `within` for the exit; returns the exit status, or -1 on timeout.
  int Terminate(std::chrono::milliseconds within) {
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

TEST(FriendsBinaryTest, ServesChangesPublishesEventsAndStopsOnSigterm) {
  testing::TestTopic topic;
  ASSERT_TRUE(topic.Create().ok());              // created ahead so that the reader can subscribe at once
  auto schema = testing::TestSchema::Create(2);  // the binary migrates again: nothing left to do
  ASSERT_TRUE(schema.ok()) << schema.status();
  testing::TestRedis redis;

  const std::string alice = NewUuid(), bob = NewUuid();
  FakeUsersService users;
  users.Add(alice, "alice");
  users.Add(bob, "bob");
  int users_port = 0;
  auto users_server = Serve(users, &users_port);
  ASSERT_NE(users_server, nullptr);

  const int port = FreePort();
  ASSERT_GT(port, 0);
  Process friends(FRIENDS_BINARY, {"LISTEN_PORT=" + std::to_string(port), "PG_DATABASE=" + schema->db->name(),
                                   "FRIENDS_TOPIC=" + topic.name(), "FRIENDS_REDIS_PREFIX=" + redis.prefix(),
                                   "USERS_ADDR=127.0.0.1:" + std::to_string(users_port), "LOG_LEVEL=warn"});
  ASSERT_TRUE(friends.started());

  auto stub = v1::FriendsService::NewStub(
      grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  auto call = [&](auto rpc, const v1::FriendActionRequest& request, v1::FriendActionResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    return ((*stub).*rpc)(&context, request, response);
  };
  v1::FriendActionRequest send;
  send.set_user_id(alice);
  send.set_friend_nickname("BOB");
  v1::FriendActionResponse response;
  grpc::Status sent;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        sent = call(&v1::FriendsService::Stub::SendFriendRequest, send, &response);
        return sent.error_code() != grpc::StatusCode::UNAVAILABLE;
      },
      30s))
      << "the service did not come up";
  ASSERT_TRUE(sent.ok()) << sent.error_message();
  EXPECT_EQ(response.status(), v1::FRIENDSHIP_STATUS_REQUESTED);

  v1::FriendActionRequest accept;
  accept.set_user_id(bob);
  accept.set_friend_nickname("alice");
  ASSERT_TRUE(call(&v1::FriendsService::Stub::AcceptFriendRequest, accept, &response).ok());
  EXPECT_EQ(response.status(), v1::FRIENDSHIP_STATUS_ACCEPTED);

  {
    grpc::ClientContext context;
    v1::GetFriendsListRequest request;
    request.set_user_id(alice);
    v1::GetFriendsListResponse list;
    ASSERT_TRUE(stub->GetFriendsList(&context, request, &list).ok());
    ASSERT_EQ(list.friends_size(), 1);
    EXPECT_EQ(list.friends(0).nickname(), "bob");
  }
  EXPECT_TRUE(redis.client().Exists(redis.prefix() + "list:" + alice).value());  // its prefix is used

  auto reader = testing::TopicReader::Create(topic.name());
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_TRUE((*reader)->ReadAtLeast(2, 30s)) << "got " << (*reader)->records().size();
  events::v1::Envelope first, second;
  ASSERT_TRUE(first.ParseFromString((*reader)->records()[0].value));
  ASSERT_TRUE(second.ParseFromString((*reader)->records()[1].value));
  EXPECT_EQ(first.friend_request_sent().to_user_id(), bob);
  EXPECT_EQ(second.friend_request_accepted().accepter_id(), bob);

  EXPECT_EQ(friends.Terminate(15s), 0);
  users_server->Shutdown();
}

}  // namespace
}  // namespace messenger::friends
