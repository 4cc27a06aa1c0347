#include "support/ws_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace messenger::e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

struct Target {
  std::string host;
  std::string port;
};

Target Parse(const std::string& base_url) {
  HttpClient client(base_url);
  return Target{client.host(), client.port()};
}

std::string Path(const std::string& token, const WsOptions& options) {
  return options.token_in_query ? "/v1/ws?access_token=" + UrlEncode(token) : std::string("/v1/ws");
}

}  // namespace

class WsClient::Impl {
 public:
  Impl() : work_(asio::make_work_guard(ioc_)), ws_(ioc_) {}

  ~Impl() {
    asio::post(ioc_, [this] {
      boost::system::error_code ignored;
      beast::get_lowest_layer(ws_).close(ignored);
    });
    work_.reset();
    if (thread_.joinable()) thread_.join();
  }

  // Connects and upgrades on the calling thread; the HTTP answer when the server refused.
  bool Open(const std::string& base_url, const std::string& token, const WsOptions& options,
            websocket::response_type& answer, boost::system::error_code& ec) {
    Target target = Parse(base_url);
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(target.host, target.port, ec);
    if (ec) return false;
    tcp::socket& socket = beast::get_lowest_layer(ws_);
    for (const auto& entry : endpoints) {
      socket.open(entry.endpoint().protocol(), ec);
      if (ec) continue;
      if (options.receive_buffer_bytes > 0) {
        socket.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer_bytes), ec);
      }
      socket.connect(entry.endpoint(), ec);
      if (!ec) break;
      boost::system::error_code ignored;
      socket.close(ignored);
    }
    if (ec) return false;
    ws_.set_option(websocket::stream_base::decorator([token, options](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "messenger-e2e-ws");
      if (!options.token_in_query && !token.empty()) {
        request.set(beast::http::field::authorization, "Bearer " + token);
      }
      if (!options.origin.empty()) request.set(beast::http::field::origin, options.origin);
    }));
    ws_.handshake(answer, target.host + ":" + target.port, Path(token, options), ec);
    if (ec) return false;
    thread_ = std::thread([this] { ioc_.run(); });
    if (options.read) StartReading();
    return true;
  }

  void StartReading() {
    asio::post(ioc_, [this] {
      if (reading_) return;
      reading_ = true;
      ReadNext();
    });
  }

  void ReadNext() {
    ws_.async_read(buffer_, [this](boost::system::error_code ec, std::size_t) {
      if (ec) {
        std::lock_guard lock(mu_);
        closed_ = true;
        close_code_ = ec == websocket::error::closed ? static_cast<std::uint16_t>(ws_.reason().code) : 0;
        changed_.notify_all();
        return;
      }
      std::string text = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      boost::system::error_code parse_ec;
      json::value value = json::parse(text, parse_ec);
      {
        std::lock_guard lock(mu_);
        if (parse_ec) {
          ADD_FAILURE() << "the gateway sent a frame that is not JSON: " << text;
        } else {
          frames_.push_back(std::move(value));
        }
        changed_.notify_all();
      }
      ReadNext();
    });
  }

  std::optional<json::value> Take(const std::function<bool(const json::value&)>& match,
                                  std::chrono::milliseconds within) {
    std::unique_lock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (true) {
      while (!frames_.empty()) {
        json::value front = std::move(frames_.front());
        frames_.pop_front();
        if (!match || match(front)) return front;
        skipped_.push_back(std::move(front));
      }
      if (closed_) return std::nullopt;
      if (changed_.wait_until(lock, deadline) == std::cv_status::timeout && frames_.empty())
        return std::nullopt;
    }
  }

  std::optional<std::uint16_t> WaitClosed(std::chrono::milliseconds within) {
    std::unique_lock lock(mu_);
    if (!changed_.wait_for(lock, within, [this] { return closed_; })) return std::nullopt;
    return close_code_;
  }

  void Close() {
    auto done = std::make_shared<std::promise<void>>();
    asio::post(ioc_, [this, done] {
      ws_.async_close(websocket::close_code::normal, [this, done](boost::system::error_code) {
        {
          std::lock_guard lock(mu_);
          closed_ = true;
          changed_.notify_all();
        }
        done->set_value();
      });
    });
    done->get_future().wait_for(std::chrono::seconds(5));
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  websocket::stream<tcp::socket> ws_;
  beast::flat_buffer buffer_;
  std::thread thread_;
  bool reading_ = false;  // on the io thread

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<json::value> frames_;
  std::vector<json::value> skipped_;
  bool closed_ = false;
  std::uint16_t close_code_ = 0;
};

WsClient::WsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WsClient::~WsClient() = default;

std::unique_ptr<WsClient> WsClient::Open(const std::string& base_url, const std::string& token,
                                         WsOptions options) {
  auto impl = std::make_unique<Impl>();
  websocket::response_type answer;
  boost::system::error_code ec;
  if (!impl->Open(base_url, token, options, answer, ec)) {
    ADD_FAILURE() << "WebSocket upgrade at " << base_url << " failed: " << ec.message() << " (HTTP "
                  << answer.result_int() << " " << answer.body() << ")";
    return nullptr;
  }
  return std::unique_ptr<WsClient>(new WsClient(std::move(impl)));
}

HttpResponse WsClient::TryUpgrade(const std::string& base_url, const std::string& token, WsOptions options) {
  HttpRequest request;
  request.method = "GET";
  request.target = Path(token, options);
  if (!options.token_in_query && !token.empty()) request.bearer = token;
  request.headers = {{"Upgrade", "websocket"},
                     {"Connection", "Upgrade"},
                     {"Sec-WebSocket-Version", "13"},
                     {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  if (!options.origin.empty()) request.headers["Origin"] = options.origin;
  return HttpClient(base_url).Send(request);
}

std::optional<json::value> WsClient::Next(std::chrono::milliseconds within) {
  return impl_->Take({}, within);
}

std::optional<json::value> WsClient::NextMatching(const std::function<bool(const json::value&)>& match,
                                                  std::chrono::milliseconds within) {
  return impl_->Take(match, within);
}

std::optional<json::value> WsClient::NextOfType(const std::string& type, std::chrono::milliseconds within) {
  return impl_->Take(
      [&type](const json::value& v) {
        const auto* t = v.is_object() ? v.as_object().if_contains("type") : nullptr;
        return t && t->is_string() && t->as_string() == type;
      },
      within);
}

std::vector<json::value> WsClient::Skipped() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->skipped_;
}

std::size_t WsClient::Pending() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->frames_.size();
}

std::optional<std::uint16_t> WsClient::WaitClosed(std::chrono::milliseconds within) {
  return impl_->WaitClosed(within);
}

bool WsClient::closed() const {
  std::lock_guard lock(impl_->mu_);
  return impl_->closed_;
}

void WsClient::StartReading() { impl_->StartReading(); }

void WsClient::Close() { impl_->Close(); }

std::string GatewayUrl() {
  const char* url = std::getenv("GATEWAY_URL");
  return url && *url ? url : "http://127.0.0.1:18080";
}

std::string Gateway2Url() {
  const char* url = std::getenv("GATEWAY2_URL");
  return url && *url ? url : "";
}

}  // namespace messenger::e2e
