// The event relay against the real Kafka, MongoDB (FerretDB) and Redis: every stored message produces exactly
// one MessageSent, in seq order per chat, also after the relay (or the whole service) died between the write
// and the publication.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

#include "chat/domain/chat_service.hpp"
#include "chat/domain/event_relay.hpp"
#include "chat/storage/kafka_event_publisher.hpp"
#include "chat/tests/fakes.hpp"
#include "chat/tests/integration_support.hpp"
#include "messenger/chat/v1/chat.grpc.pb.h"

extern char** environ;

namespace messenger::chat {
namespace {

using namespace std::chrono_literals;
using testing::CountingSignal;
using testing::FakeFriends;
using testing::FakeUsers;
using testing::TestMongo;
using testing::TestRedis;
using testing::TestTopic;
using testing::TopicReader;

// Fails ApplyMessages on demand: a process that died right after the insert never updated the chat.
class CrashingChatStore final : public ChatStore {
 public:
  explicit CrashingChatStore(ChatStore& inner) : inner_(inner) {}
  std::atomic<bool> crash_after_insert{false};

  StatusOr<CreatedChat> Create(const ChatInfo& chat) override { return inner_.Create(chat); }
  StatusOr<std::optional<Chat>> Get(const std::string& id) override { return inner_.Get(id); }
  StatusOr<std::vector<Chat>> ListForUser(const std::string& user) override {
    return inner_.ListForUser(user);
  }
  Status ApplyMessages(const std::vector<Message>& messages) override {
    if (crash_after_insert) return UnavailableError("process died");
    return inner_.ApplyMessages(messages);
  }
  Status AdvanceReadMark(const std::string& c, const std::string& u, int64_t s) override {
    return inner_.AdvanceReadMark(c, u, s);
  }
  Status AddReadEvent(const ReadEvent& e) override { return inner_.AddReadEvent(e); }
  StatusOr<std::vector<ReadEvent>> ListReadEvents(std::size_t n) override { return inner_.ListReadEvents(n); }
  Status RemoveReadEvents(const std::vector<std::string>& ids) override {
    return inner_.RemoveReadEvents(ids);
  }

 private:
  ChatStore& inner_;
};

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(topic_.Create().ok());
    auto reader = TopicReader::Create(topic_.name());
    ASSERT_TRUE(reader.ok()) << reader.status();
    reader_ = *std::move(reader);
    KafkaEventPublisherOptions options;
    options.brokers = testing::Brokers();
    options.topic = topic_.name();
    auto publisher = KafkaEventPublisher::Create(options);
    ASSERT_TRUE(publisher.ok()) << publisher.status();
    publisher_ = *std::move(publisher);
    alice_ = users_.Add();
    bob_ = users_.Add();
    carol_ = users_.Add();
    friends_.Befriend(alice_, bob_);
    friends_.Befriend(alice_, carol_);
  }

  EventRelayOptions FastRelay() {
    EventRelayOptions options;
    options.scan_interval = 200ms;
    options.retry_backoff = 200ms;
    return options;
  }

  // All messages of a chat, from MongoDB.
  std::vector<Message> Stored(const std::string& chat) {
    MessageRange all;
    all.limit = 100000;
    all.oldest_first = true;
    auto listed = messages_->List(chat, all);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<Message>{};
  }

  // Every stored message of `chats` has exactly one MessageSent (after waiting for them and for strays),
  // in seq order per chat, keyed by chat, carrying the stored message and its participants.
  void ExpectExactlyOneEventPerMessage(const std::vector<std::string>& chats) {
    std::map<std::string, Message> by_id;
    for (const std::string& chat : chats) {
      for (const Message& m : Stored(chat)) by_id[m.message_id] = m;
    }
    ASSERT_TRUE(reader_->ReadAtLeast(by_id.size(), 60s))
        << "read " << reader_->events().size() << " of " << by_id.size();
    reader_->Drain(2s);
    std::map<std::string, int> counts = reader_->MessageSentCounts();
    EXPECT_EQ(counts.size(), by_id.size());
    for (const auto& [id, m] : by_id)
      EXPECT_EQ(counts[id], 1) << "message seq " << m.seq << " of " << m.chat_id;
    std::map<std::string, int64_t> last_seq;
    for (const TopicReader::Event& e : reader_->events()) {
      if (!e.envelope.has_message_sent()) continue;
      const events::v1::MessageSent& sent = e.envelope.message_sent();
      EXPECT_EQ(e.key, sent.chat_id());
      EXPECT_EQ(e.envelope.event_id(), sent.message_id());
      EXPECT_EQ(sent.seq(), last_seq[sent.chat_id()] + 1) << "out of order in " << sent.chat_id();
      last_seq[sent.chat_id()] = sent.seq();
      auto it = by_id.find(sent.message_id());
      ASSERT_NE(it, by_id.end());
      EXPECT_EQ(sent.content(), it->second.content);
      EXPECT_EQ(sent.author_id(), it->second.author_id);
      EXPECT_EQ(sent.created_at_unix_ms(), it->second.created_at_ms);
      EXPECT_GE(sent.participant_ids_size(), 2);
    }
    auto unpublished = messages_->ListUnpublished(10);
    ASSERT_TRUE(unpublished.ok());
    EXPECT_TRUE(unpublished->empty());
  }

  TestMongo mongo_;
  TestRedis redis_;
  TestTopic topic_;
  std::unique_ptr<TopicReader> reader_;
  std::unique_ptr<KafkaEventPublisher> publisher_;
  std::unique_ptr<MongoChatStore> chats_ = mongo_.NewChatStore();
  std::unique_ptr<MongoMessageStore> messages_ = mongo_.NewMessageStore();
  std::unique_ptr<RedisChatCache> cache_ = redis_.NewCache();
  FakeUsers users_;
  FakeFriends friends_;
  SystemClock clock_;
  std::string alice_, bob_, carol_;
};

TEST_F(RelayTest, EveryStoredMessageProducesExactlyOneMessageSentInOrder) {
  EventRelay relay(*messages_, *chats_, *cache_, *publisher_, FastRelay());
  ChatService service(*chats_, *messages_, *cache_, friends_, users_, relay, clock_);
  relay.Start();
  std::vector<std::string> chats = {service.CreateChat(alice_, {bob_})->chat.info.chat_id,
                                    service.CreateChat(alice_, {carol_})->chat.info.chat_id,
                                    service.CreateChat(alice_, {bob_, carol_})->chat.info.chat_id};
  std::vector<std::thread> senders;
  for (int t = 0; t < 3; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        const std::string& chat = chats[(t + i) % chats.size()];
        auto sent = service.SendMessage(chat, alice_, "t" + std::to_string(t) + " " + std::to_string(i), "");
        ASSERT_TRUE(sent.ok()) << sent.status();
      }
    });
  }
  for (auto& s : senders) s.join();
  ExpectExactlyOneEventPerMessage(chats);
  relay.Stop();
}

TEST_F(RelayTest, MarkReadPublishesOneChatReadWithTheParticipants) {
  EventRelay relay(*messages_, *chats_, *cache_, *publisher_, FastRelay());
  ChatService service(*chats_, *messages_, *cache_, friends_, users_, relay, clock_);
  relay.Start();
  const std::string chat = service.CreateChat(alice_, {bob_, carol_})->chat.info.chat_id;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(service.SendMessage(chat, bob_, "m", "").ok());
  ASSERT_TRUE(service.MarkRead(chat, alice_, 2).ok());
  ASSERT_TRUE(service.MarkRead(chat, alice_, 2).ok());  // no change: no event
  ASSERT_TRUE(service.MarkRead(chat, alice_, 1).ok());  // backwards: no event
  ASSERT_TRUE(reader_->ReadAtLeast(4, 30s));
  reader_->Drain(2s);
  std::vector<events::v1::ChatRead> reads;
  for (const TopicReader::Event& e : reader_->events()) {
    if (e.envelope.has_chat_read()) {
      reads.push_back(e.envelope.chat_read());
      EXPECT_EQ(e.key, chat);
      EXPECT_EQ(e.envelope.event_id(), ReadEventId(chat, alice_, 2));
    }
  }
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].user_id(), alice_);
  EXPECT_EQ(reads[0].seq(), 2);
  EXPECT_EQ(reads[0].participant_ids_size(), 3);
  relay.Stop();
  auto left = chats_->ListReadEvents(10);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

// The relay "dies" between the writes and their publication: messages are written with no relay running
// (and, for the last ones, the chat update after the insert never happens), then a fresh relay instance
// starts, repairs the chat document and the cache, and publishes each message exactly once.
TEST_F(RelayTest, AFreshRelayPublishesWhatADeadOneLeftAndRepairsTheChat) {
  CountingSignal nobody;
  CrashingChatStore crashing(*chats_);
  ChatService service(crashing, *messages_, *cache_, friends_, users_, nobody, clock_);
  const std::string chat = service.CreateChat(alice_, {bob_})->chat.info.chat_id;
  ASSERT_TRUE(service.GetChatHistory({chat, alice_, std::nullopt, std::nullopt, 0}).ok());  // window cached
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(service.SendMessage(chat, alice_, "before", "").ok());
  crashing.crash_after_insert = true;
  (void)cache_->Invalidate(chat);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(service.SendMessage(chat, bob_, "after", "").ok());
  EXPECT_EQ((*chats_->Get(chat))->last_seq, 10);
  EXPECT_FALSE(reader_->ReadAtLeast(1, 1s)) << "nothing may be published yet";

  EventRelay fresh(*messages_, *chats_, *cache_, *publisher_, FastRelay());
  fresh.Start();
  ExpectExactlyOneEventPerMessage({chat});
  fresh.Stop();
  Chat repaired = **chats_->Get(chat);
  EXPECT_EQ(repaired.last_seq, 13);
  ASSERT_TRUE(repaired.last_message);
  EXPECT_EQ(repaired.last_message->content, "after");
  EXPECT_EQ(repaired.ReadMark(bob_), 13);
  ChatService reader(*chats_, *messages_, *cache_, friends_, users_, nobody, clock_);
  auto views = reader.GetUserChats(alice_);
  ASSERT_TRUE(views.ok());
  EXPECT_EQ((*views)[0].unread_count, 3);
}

// --------------------------------------------------------------------------- a real SIGKILL of the service

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

// Runs messenger-chat as a child process with extra environment; SIGKILLs it when destroyed, if still alive.
class ChildService {
 public:
  ChildService(const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> merged;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv(*e);
      auto eq = kv.find('=');
      if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const auto& [k, v] : env) merged[k] = v;
    std::vector<std::string> flat;
    for (const auto& [k, v] : merged) flat.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (std::string& s : flat) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string binary = CHAT_BINARY;
    char* argv[] = {binary.data(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    log_ = "/tmp/chat-child-" + testing::RandomSuffix() + ".log";
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    spawned_ = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, envp.data()) == 0;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~ChildService() {
    Kill();
    unlink(log_.c_str());
  }
  bool spawned() const { return spawned_; }
  // SIGKILL: no shutdown code runs.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  bool spawned_ = false;
  std::string log_;
};

TEST_F(RelayTest, SigkilledServiceLeavesNothingUnpublishedForTheNextRelay) {
  // A group chat (no Friends/Users calls on send), created directly in the test's database.
  ChatInfo group{NewUuid(), ChatKind::kGroup, {alice_, bob_, carol_}, ToUnixMillis(clock_.Now())};
  std::sort(group.participants.begin(), group.participants.end());
  ASSERT_TRUE(chats_->Create(group).ok());

  const int port = FreePort();
  // Kafka unreachable for the child: its relay can never publish, so everything it stores is in the
  // "written, not yet published" state when it is killed.
  ChildService child({{"LISTEN_HOST", "127.0.0.1"},
                      {"LISTEN_PORT", std::to_string(port)},
                      {"MONGO_DATABASE", mongo_.database()},
                      {"CHAT_REDIS_PREFIX", redis_.prefix()},
                      {"CHAT_TOPIC", topic_.name()},
                      {"KAFKA_BROKERS", "127.0.0.1:" + std::to_string(FreePort())},
                      {"KAFKA_MESSAGE_TIMEOUT_MS", "60000"}});
  ASSERT_TRUE(child.spawned());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  ASSERT_TRUE(channel->WaitForConnected(std::chrono::system_clock::now() + 30s)) << "the child did not start";
  auto stub = v1::ChatService::NewStub(channel);
  std::vector<std::string> ids;
  for (int i = 0; i < 15; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::SendMessageRequest request;
    request.set_chat_id(group.chat_id);
    request.set_author_id(i % 2 ? alice_ : bob_);
    request.set_content("sent before the kill " + std::to_string(i));
    v1::SendMessageResponse response;
    grpc::Status status = stub->SendMessage(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.message().seq(), i + 1);
    ids.push_back(response.message().message_id());
  }
  child.Kill();
  EXPECT_EQ(messages_->ListUnpublished(100)->size(), 15u);

  EventRelay fresh(*messages_, *chats_, *cache_, *publisher_, FastRelay());
  fresh.Start();
  ExpectExactlyOneEventPerMessage({group.chat_id});
  fresh.Stop();
  EXPECT_EQ((*chats_->Get(group.chat_id))->last_seq, 15);
}

}  // namespace
}  // namespace messenger::chat
