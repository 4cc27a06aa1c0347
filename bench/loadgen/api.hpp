// The messenger's public API as the benchmark's simulated clients call it (docs: /work/shared/API.md), and a
// helper that runs many such calls at once for seeding.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <string>
#include <vector>

#include "loadgen/http_connection.hpp"
#include "messenger/common/status.hpp"

namespace messenger::bench {

// Parses "http://host:port" (no path). INVALID_ARGUMENT otherwise.
StatusOr<Endpoint> ParseBaseUrl(const std::string& url);

// Loopback source addresses 127.<second>.<third>.1 .. count, so that simulated clients come from many
// addresses as real ones would (the services rate-limit per client address).
std::vector<std::string> LoopbackSources(int count, int second_octet, int third_octet);

struct Session {
  std::string user_id;
  std::string access_token;
  std::string refresh_token;
};

// One simulated client on one keep-alive connection.
class ApiClient {
 public:
  ApiClient(boost::asio::any_io_executor executor, Endpoint endpoint, std::string source_address = {});

  // The raw call: a transport failure on a connection that had already served requests (the server may
  // have closed it while idle) is retried once on a new connection.
  boost::asio::awaitable<HttpReply> Call(boost::beast::http::verb method, std::string target,
                                         std::string body, std::string bearer);

  boost::asio::awaitable<StatusOr<std::string>> Register(const std::string& email,
                                                         const std::string& password,
                                                         const std::string& nickname);
  boost::asio::awaitable<StatusOr<Session>> Login(const std::string& email, const std::string& password);
  boost::asio::awaitable<StatusOr<Session>> Refresh(const std::string& refresh_token);

 private:
  HttpConnection connection_;
};

// The error as a Status: "<what> answered <status> <code>: <body>" with the code mapped roughly to a status.
Status ReplyError(const std::string& what, const HttpReply& reply);
// The JSON body as an object, or INTERNAL when it is not one.
StatusOr<boost::json::object> BodyObject(const HttpReply& reply);
// JSON string escaping for request bodies built by hand.
std::string JsonString(std::string_view s);
// Percent-encoding for a path segment or query value.
std::string UrlEncode(std::string_view s);

// Runs task(client, i) for every i in [0, n) on `concurrency` clients at once (client k binds
// sources[k % size]), using `threads` threads. Returns the first failure (the other tasks still finish).
// Prints progress to stderr with `label` every few seconds.
using SeedTask = std::function<boost::asio::awaitable<Status>(ApiClient&, std::size_t)>;
Status ForEachConcurrently(const Endpoint& endpoint, const std::vector<std::string>& sources, int concurrency,
                           std::size_t n, int threads, const std::string& label, const SeedTask& task);

}  // namespace messenger::bench
