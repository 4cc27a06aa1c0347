// Fake Friends and Chat clients for handler tests: each call is recorded and answered by a settable function
// (UNIMPLEMENTED when none is set).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "clients/chat_client.hpp"
#include "clients/friends_client.hpp"
#include "test_support.hpp"

namespace messenger::gateway::testing {

// One faked method: the handler function and a record of the requests it saw.
template <typename Req, typename Resp>
struct FakeMethod {
  std::function<RpcResult<Resp>(const Req&)> on;
  std::vector<Req> seen;

  RpcResult<Resp> operator()(const Req& request) {
    seen.push_back(request);
    if (!on) return Fail<Resp>(Status(StatusCode::kUnimplemented, "not faked"));
    return on(request);
  }
};

class FakeFriendsClient final : public FriendsClient {
 public:
  using Action = FakeMethod<friends::v1::FriendActionRequest, friends::v1::FriendActionResponse>;
  Action send, accept, reject, remove;
  FakeMethod<friends::v1::GetFriendsListRequest, friends::v1::GetFriendsListResponse> list;
  FakeMethod<friends::v1::GetPendingRequestsRequest, friends::v1::GetPendingRequestsResponse> pending;

  boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> SendFriendRequest(
      friends::v1::FriendActionRequest r, std::string) override {
    co_return send(r);
  }
  boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> AcceptFriendRequest(
      friends::v1::FriendActionRequest r, std::string) override {
    co_return accept(r);
  }
  boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> RejectFriendRequest(
      friends::v1::FriendActionRequest r, std::string) override {
    co_return reject(r);
  }
  boost::asio::awaitable<RpcResult<friends::v1::FriendActionResponse>> RemoveFriend(
      friends::v1::FriendActionRequest r, std::string) override {
    co_return remove(r);
  }
  boost::asio::awaitable<RpcResult<friends::v1::GetFriendsListResponse>> GetFriendsList(
      friends::v1::GetFriendsListRequest r, std::string) override {
    co_return list(r);
  }
  boost::asio::awaitable<RpcResult<friends::v1::GetPendingRequestsResponse>> GetPendingRequests(
      friends::v1::GetPendingRequestsRequest r, std::string) override {
    co_return pending(r);
  }
};

class FakeChatClient final : public ChatClient {
 public:
  FakeMethod<chat::v1::CreateChatRequest, chat::v1::CreateChatResponse> create;
  FakeMethod<chat::v1::GetUserChatsRequest, chat::v1::GetUserChatsResponse> chats;
  FakeMethod<chat::v1::SendMessageRequest, chat::v1::SendMessageResponse> send;
  FakeMethod<chat::v1::GetChatHistoryRequest, chat::v1::GetChatHistoryResponse> history;
  FakeMethod<chat::v1::MarkReadRequest, chat::v1::MarkReadResponse> mark_read;

  boost::asio::awaitable<RpcResult<chat::v1::CreateChatResponse>> CreateChat(chat::v1::CreateChatRequest r,
                                                                             std::string) override {
    co_return create(r);
  }
  boost::asio::awaitable<RpcResult<chat::v1::GetUserChatsResponse>> GetUserChats(
      chat::v1::GetUserChatsRequest r, std::string) override {
    co_return chats(r);
  }
  boost::asio::awaitable<RpcResult<chat::v1::SendMessageResponse>> SendMessage(chat::v1::SendMessageRequest r,
                                                                               std::string) override {
    co_return send(r);
  }
  boost::asio::awaitable<RpcResult<chat::v1::GetChatHistoryResponse>> GetChatHistory(
      chat::v1::GetChatHistoryRequest r, std::string) override {
    co_return history(r);
  }
  boost::asio::awaitable<RpcResult<chat::v1::MarkReadResponse>> MarkRead(chat::v1::MarkReadRequest r,
                                                                         std::string) override {
    co_return mark_read(r);
  }
};

}  // namespace messenger::gateway::testing
