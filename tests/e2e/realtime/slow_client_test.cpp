// A client that stops reading (API.md "Real time", close code 4008): its queue overflows and the gateway
// closes it, while the other participants keep receiving without delay. Its own binary, run SERIAL: it
// pushes megabytes through the stack and measures delivery delays.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "support/api.hpp"
#include "support/social.hpp"
#include "support/ws_client.hpp"

namespace messenger::e2e {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

TEST(RealtimeSlowClientE2E, AClientThatNeverReadsIsClosedWith4008AndOthersKeepReceiving) {
  TestUser alice = NewUserWithProfile("wssa");
  TestUser bob = NewUserWithProfile("wssb");
  TestUser carol = NewUserWithProfile("wssc");
  MakeFriends(alice, bob);
  MakeFriends(alice, carol);
  // One chat per sender, so the sends run in parallel; carol and bob are in all of them.
  constexpr int kChats = 4, kPerChat = 40;
  std::vector<std::string> chats;
  for (int i = 0; i < kChats; ++i) {
    chats.emplace_back(CreateChat(alice, {&bob, &carol}).at("chat_id").as_string());
  }

  auto carol_socket = WsClient::Open(GatewayUrl(), carol.access_token, WsOptions::Stalled(4096));
  auto bob_socket = WsClient::Open(GatewayUrl(), bob.access_token);
  ASSERT_TRUE(carol_socket && bob_socket);

  // Control characters travel as \u00XX escapes: each message is a ~24 KB frame, so 160 of them overflow
  // the default queue (1 MiB) and the socket buffers behind it a few times over.
  const std::string content(4000, '\x01');
  std::mutex mu;
  std::vector<SteadyClock::time_point> answered;  // when each POST had its answer
  std::atomic<int> failures{0};
  std::vector<std::thread> senders;
  for (const std::string& chat_id : chats) {
    senders.emplace_back([&, chat_id] {
      for (int i = 0; i < kPerChat; ++i) {
        if (SendMessage(alice, chat_id, content).status != 201) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        answered.push_back(SteadyClock::now());
      }
    });
  }
  // Bob reads all along; his frames must keep coming while carol's queue fills and overflows.
  std::map<std::string, std::vector<std::int64_t>> seqs;  // per chat, in arrival order
  int received = 0;
  SteadyClock::time_point last_arrival;
  while (received < kChats * kPerChat) {
    auto frame = bob_socket->NextOfType("message.created", 15s);
    if (!frame) break;
    const auto& message = frame->at("message");
    seqs[std::string(message.at("chat_id").as_string())].push_back(
        message.at("seq").to_number<std::int64_t>());
    ++received;
    last_arrival = SteadyClock::now();
  }
  for (auto& s : senders) s.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_EQ(received, kChats * kPerChat) << "bob missed messages";
  for (const auto& [chat, list] : seqs) {
    for (std::size_t i = 0; i < list.size(); ++i)
      ASSERT_EQ(list[i], static_cast<std::int64_t>(i + 1)) << chat;
  }
  const auto last_answer = *std::max_element(answered.begin(), answered.end());
  EXPECT_LT(last_arrival - last_answer, 1s) << "bob's last message lagged behind the sender";

  // Carol's app wakes up: what the network held arrives, then the close frame with 4008.
  carol_socket->StartReading();
  EXPECT_EQ(carol_socket->WaitClosed(15s), std::optional<std::uint16_t>(4008));
  EXPECT_LT(carol_socket->Pending(), static_cast<std::size_t>(kChats * kPerChat))
      << "carol cannot have received everything";
}

}  // namespace
}  // namespace messenger::e2e
