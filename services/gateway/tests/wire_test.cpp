// The wire rules on bytes, without sockets: the body limit (Content-Length and chunked), the header limit,
// what each read error answers, and the conversions between Beast messages and Request / Response.
#include "http/wire.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>

namespace messenger::gateway {
namespace {

namespace bhttp = boost::beast::http;

// Feeds `bytes` to the parser the way the server reads a socket: the header, then ArmBodyLimit, then the
// body. Returns the first error.
boost::beast::error_code Feed(RequestParser& parser, const WireLimits& limits, std::string_view bytes) {
  boost::beast::error_code ec;
  bool armed = false;
  while (!parser.is_done()) {
    if (parser.is_header_done() && !armed) {
      armed = true;
      if ((ec = ArmBodyLimit(parser, limits))) return ec;
      continue;
    }
    if (bytes.empty()) break;
    std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    if (ec == bhttp::error::need_more) {
      ec = {};
      if (used == 0) break;
      continue;
    }
    if (ec) return ec;
  }
  return ec;
}

std::string Chunked(const std::vector<std::size_t>& chunk_sizes) {
  std::string out = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  char hex[32];
  for (std::size_t n : chunk_sizes) {
    std::snprintf(hex, sizeof hex, "%zx\r\n", n);
    out += hex;
    out += std::string(n, 'a');
    out += "\r\n";
  }
  return out + "0\r\n\r\n";
}

class GatewayBodyLimitTest : public ::testing::Test {
 protected:
  void SetUp() override { ConfigureParser(parser_, limits_); }
  WireLimits limits_;  // 64 KiB body, 16 KiB header
  RequestParser parser_;
};

TEST_F(GatewayBodyLimitTest, ABodyOfExactlyTheLimitIsAccepted) {
  std::string body(64 * 1024, 'a');
  auto ec = Feed(parser_, limits_, "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n" + body);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(parser_.is_done());
  EXPECT_EQ(parser_.get().body().size(), body.size());
}

TEST_F(GatewayBodyLimitTest, AContentLengthOverTheLimitFailsAtTheHeaderWithoutReadingTheBody) {
  // The client may announce more than it ever sends: the answer must not wait for the body.
  auto ec = Feed(parser_, limits_,
                 "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\nX-Request-Id: rid-413\r\n\r\n");
  EXPECT_EQ(ec, bhttp::error::body_limit);
  // The whole header is known for the answer.
  EXPECT_TRUE(parser_.is_header_done());
  EXPECT_EQ(parser_.get().method(), bhttp::verb::post);
  EXPECT_EQ(parser_.get()["X-Request-Id"], "rid-413");
}

TEST_F(GatewayBodyLimitTest, AChunkedBodyGrowingPastTheLimitFails) {
  EXPECT_EQ(Feed(parser_, limits_, Chunked({40000, 30000})), bhttp::error::body_limit);
}

TEST_F(GatewayBodyLimitTest, AChunkedBodyWithinTheLimitIsAccepted) {
  EXPECT_FALSE(Feed(parser_, limits_, Chunked({40000, 25536})));
  EXPECT_TRUE(parser_.is_done());
  EXPECT_EQ(parser_.get().body().size(), 65536u);
}

TEST_F(GatewayBodyLimitTest, HugeHeadersFailWithHeaderLimit) {
  std::string header = "GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 * 1024, 'h') + "\r\n\r\n";
  EXPECT_EQ(Feed(parser_, limits_, header), bhttp::error::header_limit);
}

TEST_F(GatewayBodyLimitTest, GarbageIsAParseError) {
  auto ec = Feed(parser_, limits_, "HELLO THERE\r\n\r\n");
  ASSERT_TRUE(ec);
  auto answer = ResponseForReadError(ec, limits_);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->status, 400);
}

TEST(GatewayResponseForReadErrorTest, MapsLimitsAndParseErrorsAndIgnoresVanishedPeers) {
  WireLimits limits;
  auto too_big = ResponseForReadError(bhttp::error::body_limit, limits);
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
  EXPECT_NE(too_big->body.find("\"PAYLOAD_TOO_LARGE\""), std::string::npos);
  auto headers = ResponseForReadError(bhttp::error::header_limit, limits);
  ASSERT_TRUE(headers);
  EXPECT_EQ(headers->status, 431);
  for (auto ec : {bhttp::error::bad_method, bhttp::error::bad_target, bhttp::error::bad_version,
                  bhttp::error::bad_content_length, bhttp::error::bad_chunk, bhttp::error::bad_field}) {
    auto r = ResponseForReadError(ec, limits);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(r->body.find("\"INVALID_ARGUMENT\""), std::string::npos);
  }
  EXPECT_FALSE(ResponseForReadError(bhttp::error::end_of_stream, limits));
  EXPECT_FALSE(ResponseForReadError(bhttp::error::partial_message, limits));
  EXPECT_FALSE(ResponseForReadError(boost::beast::error::timeout, limits));
  EXPECT_FALSE(ResponseForReadError(boost::asio::error::connection_reset, limits));
  EXPECT_FALSE(ResponseForReadError(boost::asio::error::eof, limits));
}

WireRequest Wire(bhttp::verb verb, std::string target) {
  WireRequest w{verb, target, 11};
  w.set("X-Custom", "Value");
  w.set(bhttp::field::authorization, "Bearer t");
  w.body() = "{\"a\":1}";
  return w;
}

TEST(GatewayToRequestTest, SplitsTheTargetAndDecodesTheQuery) {
  WireRequest w = Wire(bhttp::verb::get, "/v1/users?q=ab%5F+c&limit=5");
  auto r = ToRequest(w, "rid", "10.1.2.3", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->method, "GET");
  EXPECT_EQ(r->path, "/v1/users");
  EXPECT_EQ(r->Query("q"), "ab_ c");
  EXPECT_EQ(r->Query("limit"), "5");
  EXPECT_EQ(r->Header("x-custom"), "Value");
  EXPECT_EQ(r->headers.front().first, "x-custom");  // names are stored lowercase
  EXPECT_EQ(r->body, "{\"a\":1}");
  EXPECT_EQ(r->request_id, "rid");
  EXPECT_EQ(r->client_ip, "10.1.2.3");
}

TEST(GatewayToRequestTest, RefusesNonPathTargetsAndBrokenQueries) {
  WireRequest absolute = Wire(bhttp::verb::get, "http://evil.test/v1/me");
  EXPECT_EQ(ToRequest(absolute, "r", "ip", false).status().code(), StatusCode::kInvalidArgument);
  WireRequest star = Wire(bhttp::verb::options, "*");
  EXPECT_FALSE(ToRequest(star, "r", "ip", false).ok());
  WireRequest broken = Wire(bhttp::verb::get, "/v1/users?q=%G0");
  EXPECT_EQ(ToRequest(broken, "r", "ip", false).status().code(), StatusCode::kInvalidArgument);
}

TEST(GatewayToRequestTest, ForwardedForIsOnlyBelievedBehindATrustedProxy) {
  WireRequest w = Wire(bhttp::verb::get, "/healthz");
  w.set("X-Forwarded-For", "203.0.113.9, 198.51.100.4");
  WireRequest copy = w;
  EXPECT_EQ(ToRequest(w, "r", "127.0.0.1", false)->client_ip, "127.0.0.1");
  EXPECT_EQ(ToRequest(copy, "r", "127.0.0.1", true)->client_ip, "198.51.100.4");
}

TEST(GatewayToWireTest, SetsRequestIdTypeLengthAndKeepAlive) {
  Response r = ErrorResponse(405, "METHOD_NOT_ALLOWED", "no");
  r.headers.emplace_back("Allow", "GET, POST");
  WireResponse w = ToWire(r, "rid-1", 11, true);
  EXPECT_EQ(w.result_int(), 405u);
  EXPECT_EQ(w["X-Request-Id"], "rid-1");
  EXPECT_EQ(w[bhttp::field::content_type], "application/json");
  EXPECT_EQ(w[bhttp::field::allow], "GET, POST");
  EXPECT_EQ(w[bhttp::field::content_length], std::to_string(r.body.size()));
  EXPECT_TRUE(w.keep_alive());
  WireResponse closing = ToWire(EmptyResponse(204), "rid-2", 11, false);
  EXPECT_FALSE(closing.keep_alive());
  EXPECT_TRUE(closing.body().empty());
  EXPECT_EQ(closing[bhttp::field::content_type], "");
}

TEST(GatewayToWireTest, HeadGetsTheHeadersWithoutTheBody) {
  WireResponse w = ToWire(ErrorResponse(404, "NOT_FOUND", "no such route"), "rid", 11, true, /*head=*/true);
  EXPECT_TRUE(w.body().empty());
  EXPECT_EQ(w[bhttp::field::content_length],
            std::to_string(ErrorResponse(404, "NOT_FOUND", "no such route").body.size()));
  EXPECT_EQ(w[bhttp::field::content_type], "application/json");
}

TEST(GatewayMethodLabelTest, UnknownMethodsShareOneLabel) {
  EXPECT_EQ(MethodLabel(WireRequest{bhttp::verb::patch, "/", 11}), "PATCH");
  WireRequest odd;
  odd.method_string("BREW");
  EXPECT_EQ(MethodLabel(odd), "OTHER");
}

}  // namespace
}  // namespace messenger::gateway
