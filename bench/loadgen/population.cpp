#include "loadgen/population.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>

namespace messenger::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::chrono::seconds kProfileWait{120};

std::string NewTag() {
  std::random_device rd;
  std::mt19937 rng(rd());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag = "b";
  for (int i = 0; i < 6; ++i) tag.push_back(kHex[rng() % 16]);
  return tag;
}

std::string EndpointName(const Endpoint& e) { return e.host + ":" + std::to_string(e.port); }

std::string Str(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

json::object GroupToJson(const UserGroup& g) {
  json::array users;
  for (const BenchUser& u : g.users) {
    users.push_back(json::object{{"email", u.email},
                                 {"password", u.password},
                                 {"nickname", u.nickname},
                                 {"user_id", u.user_id},
                                 {"refresh_token", u.refresh_token}});
  }
  json::array pairs;
  for (const ChatPair& p : g.pairs)
    pairs.push_back(json::object{{"a", p.a}, {"b", p.b}, {"chat_id", p.chat_id}, {"messages", p.messages}});
  return {{"users", std::move(users)}, {"pairs", std::move(pairs)}};
}

void GroupFromJson(const json::object& o, UserGroup& g) {
  if (const auto* users = o.if_contains("users"); users && users->is_array()) {
    for (const json::value& v : users->as_array()) {
      if (!v.is_object()) continue;
      const json::object& u = v.as_object();
      g.users.push_back(BenchUser{Str(u, "email"), Str(u, "password"), Str(u, "nickname"), Str(u, "user_id"),
                                  "", Str(u, "refresh_token")});
    }
  }
  if (const auto* pairs = o.if_contains("pairs"); pairs && pairs->is_array()) {
    for (const json::value& v : pairs->as_array()) {
      if (!v.is_object()) continue;
      const json::object& p = v.as_object();
      g.pairs.push_back(ChatPair{
          static_cast<std::size_t>(p.at("a").to_number<int64_t>()),
          static_cast<std::size_t>(p.at("b").to_number<int64_t>()), Str(p, "chat_id"),
          p.contains("messages") ? static_cast<std::size_t>(p.at("messages").to_number<int64_t>()) : 0});
    }
  }
}

asio::awaitable<void> Pause(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

Status Seeder::Save(const Population& population) const {
  if (options_.state_file.empty()) return OkStatus();
  const json::object state{{"tag", population.tag},
                           {"endpoint", population.endpoint},
                           {"main", GroupToJson(population.main)},
                           {"history", GroupToJson(population.history)}};
  const std::string tmp = options_.state_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return UnavailableError("cannot write " + tmp);
    out << json::serialize(state);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, options_.state_file, ec);
  if (ec) return UnavailableError("cannot rename " + tmp + ": " + ec.message());
  return OkStatus();
}

Status Seeder::Load(Population& population) {
  population = Population{};
  population.endpoint = EndpointName(options_.endpoint);
  if (!options_.state_file.empty()) {
    std::ifstream in(options_.state_file);
    if (in) {
      std::stringstream text;
      text << in.rdbuf();
      boost::system::error_code ec;
      json::value v = json::parse(text.str(), ec);
      if (!ec && v.is_object() && Str(v.as_object(), "endpoint") == population.endpoint) {
        const json::object& o = v.as_object();
        population.tag = Str(o, "tag");
        if (const auto* g = o.if_contains("main"); g && g->is_object())
          GroupFromJson(g->as_object(), population.main);
        if (const auto* g = o.if_contains("history"); g && g->is_object()) {
          GroupFromJson(g->as_object(), population.history);
        }
      }
    }
  }
  if (population.tag.empty()) {
    population.tag = NewTag();
    return OkStatus();
  }
  // Refresh every session: this both checks that the stack still knows these users and gives fresh access
  // tokens. Refresh rotates the refresh token, so the state is saved right after.
  std::vector<BenchUser*> all;
  for (BenchUser& u : population.main.users) all.push_back(&u);
  for (BenchUser& u : population.history.users) all.push_back(&u);
  std::cerr << "refreshing " << all.size() << " saved sessions (population " << population.tag << ")"
            << std::endl;
  std::mutex mu;
  Status refreshed = ForEachConcurrently(options_.endpoint, options_.sources, options_.concurrency,
                                         all.size(), options_.threads, "refresh",
                                         [&](ApiClient& client, std::size_t i) -> asio::awaitable<Status> {
                                           auto session = co_await client.Refresh(all[i]->refresh_token);
                                           if (!session.ok()) co_return session.status();
                                           std::lock_guard lock(mu);
                                           all[i]->access_token = session->access_token;
                                           all[i]->refresh_token = session->refresh_token;
                                           co_return OkStatus();
                                         });
  if (!refreshed.ok()) {
    std::cerr << "saved population unusable (" << refreshed.ToString() << "); seeding a new one" << std::endl;
    population = Population{};
    population.endpoint = EndpointName(options_.endpoint);
    population.tag = NewTag();
    return OkStatus();
  }
  return Save(population);
}

Status Seeder::EnsureUsers(Population& population, UserGroup& group, std::size_t count) {
  const std::size_t have = group.users.size();
  if (have >= count) return OkStatus();
  std::cerr << "registering " << count - have << " users (group " << group.name << ")" << std::endl;
  for (std::size_t i = have; i < count; ++i) {
    BenchUser u;
    u.email = population.tag + "-" + group.name + std::to_string(i) + "@bench.test";
    u.password = "bench-password-" + population.tag;
    u.nickname = population.tag + "_" + group.name + std::to_string(i);
    group.users.push_back(std::move(u));
  }
  std::mutex mu;
  Status s = ForEachConcurrently(options_.endpoint, options_.sources, options_.concurrency, count - have,
                                 options_.threads, "register+login",
                                 [&](ApiClient& client, std::size_t k) -> asio::awaitable<Status> {
                                   BenchUser& u = group.users[have + k];
                                   auto id = co_await client.Register(u.email, u.password, u.nickname);
                                   if (!id.ok() && id.status().code() != StatusCode::kAlreadyExists)
                                     co_return id.status();
                                   auto session = co_await client.Login(u.email, u.password);
                                   if (!session.ok()) co_return session.status();
                                   std::lock_guard lock(mu);
                                   u.user_id = session->user_id.empty() && id.ok() ? *id : session->user_id;
                                   u.access_token = session->access_token;
                                   u.refresh_token = session->refresh_token;
                                   co_return OkStatus();
                                 });
  if (!s.ok()) {
    group.users.resize(have);
    return s;
  }
  MESSENGER_RETURN_IF_ERROR(Save(population));
  // Profiles are created from the UserRegistered event: wait until each one is visible.
  return ForEachConcurrently(
      options_.endpoint, options_.sources, options_.concurrency, count - have, options_.threads, "profiles",
      [&](ApiClient& client, std::size_t k) -> asio::awaitable<Status> {
        const BenchUser& u = group.users[have + k];
        const auto deadline = std::chrono::steady_clock::now() + kProfileWait;
        for (;;) {
          HttpReply reply = co_await client.Call(
              http::verb::get, "/v1/users/by-nickname/" + UrlEncode(u.nickname), "", u.access_token);
          if (reply.status == 200) co_return OkStatus();
          if (reply.transport_ok() && reply.status != 404) co_return ReplyError("GET profile", reply);
          if (std::chrono::steady_clock::now() > deadline) {
            co_return DeadlineExceededError("profile of " + u.nickname + " did not appear within 120 s");
          }
          co_await Pause(std::chrono::milliseconds(100));
        }
      });
}

Status Seeder::EnsureChats(Population& population, UserGroup& group, std::size_t count) {
  MESSENGER_RETURN_IF_ERROR(EnsureUsers(population, group, 2 * count));
  while (group.pairs.size() < count) {
    const std::size_t k = group.pairs.size();
    group.pairs.push_back(ChatPair{2 * k, 2 * k + 1, ""});
  }
  std::vector<std::size_t> missing;
  for (std::size_t k = 0; k < count; ++k) {
    if (group.pairs[k].chat_id.empty()) missing.push_back(k);
  }
  if (missing.empty()) return OkStatus();
  std::cerr << "making " << missing.size() << " friendships and 1:1 chats (group " << group.name << ")"
            << std::endl;
  std::mutex mu;
  Status s = ForEachConcurrently(
      options_.endpoint, options_.sources, options_.concurrency, missing.size(), options_.threads,
      "friends+chats", [&](ApiClient& client, std::size_t j) -> asio::awaitable<Status> {
        ChatPair& pair = group.pairs[missing[j]];
        const BenchUser& a = group.users[pair.a];
        const BenchUser& b = group.users[pair.b];
        HttpReply asked =
            co_await client.Call(http::verb::post, "/v1/friends/requests",
                                 "{\"nickname\":" + JsonString(b.nickname) + "}", a.access_token);
        if (asked.status != 201 && asked.status != 200 && asked.status != 409) {
          co_return ReplyError("POST /v1/friends/requests", asked);
        }
        if (asked.status == 201 || asked.status == 409) {
          HttpReply accepted = co_await client.Call(
              http::verb::post, "/v1/friends/requests/" + UrlEncode(a.nickname) + "/accept", "",
              b.access_token);
          if (accepted.status != 200 && !(asked.status == 409 && accepted.status == 404)) {
            co_return ReplyError("POST /v1/friends/requests/{nickname}/accept", accepted);
          }
        }
        HttpReply chat =
            co_await client.Call(http::verb::post, "/v1/chats",
                                 "{\"participants\":[" + JsonString(b.user_id) + "]}", a.access_token);
        if (chat.status != 201 && chat.status != 200) co_return ReplyError("POST /v1/chats", chat);
        auto body = BodyObject(chat);
        if (!body.ok()) co_return body.status();
        const std::string id = Str(*body, "chat_id");
        if (id.empty()) co_return InternalError("chat answer without chat_id");
        std::lock_guard lock(mu);
        pair.chat_id = id;
        co_return OkStatus();
      });
  Status saved = Save(population);
  MESSENGER_RETURN_IF_ERROR(s);
  return saved;
}

Status Seeder::EnsureHistory(Population& population, UserGroup& group, std::size_t chats,
                             std::size_t messages) {
  struct Send {
    std::size_t pair;
    std::size_t number;
  };
  std::vector<Send> sends;
  for (std::size_t k = 0; k < chats && k < group.pairs.size(); ++k) {
    const ChatPair& pair = group.pairs[k];
    // What an earlier run stored is in the state; asking the chat would mean reading it (and a big chat
    // may be slow to read: that is what S3 measures, not what seeding should trip over).
    std::size_t have = pair.messages;
    if (have >= messages) continue;
    Status probed = ForEachConcurrently(
        options_.endpoint, options_.sources, 1, 1, 1, "history probe",
        [&](ApiClient& client, std::size_t) -> asio::awaitable<Status> {
          HttpReply reply =
              co_await client.Call(http::verb::get, "/v1/chats/" + pair.chat_id + "/messages?limit=1", "",
                                   group.users[pair.a].access_token);
          if (reply.status != 200) co_return ReplyError("GET /v1/chats/{id}/messages", reply);
          auto body = BodyObject(reply);
          if (!body.ok()) co_return body.status();
          const auto* list = body->if_contains("messages");
          if (list && list->is_array() && !list->as_array().empty()) {
            const auto& last = list->as_array().back();
            if (last.is_object() && last.as_object().contains("seq")) {
              have = static_cast<std::size_t>(last.as_object().at("seq").to_number<int64_t>());
            }
          }
          co_return OkStatus();
        });
    MESSENGER_RETURN_IF_ERROR(probed);
    for (std::size_t n = have; n < messages; ++n) sends.push_back(Send{k, n});
  }
  if (sends.empty()) {
    for (std::size_t k = 0; k < chats && k < group.pairs.size(); ++k) {
      group.pairs[k].messages = std::max(group.pairs[k].messages, messages);
    }
    return Save(population);
  }
  std::cerr << "sending " << sends.size() << " history messages into " << chats << " chat(s)" << std::endl;
  Status sent = ForEachConcurrently(
      options_.endpoint, options_.sources, options_.concurrency * 2, sends.size(), options_.threads,
      "history", [&](ApiClient& client, std::size_t i) -> asio::awaitable<Status> {
        const ChatPair& pair = group.pairs[sends[i].pair];
        const BenchUser& author = group.users[sends[i].number % 2 == 0 ? pair.a : pair.b];
        const std::string body =
            "{\"content\":" + JsonString("history message " + std::to_string(sends[i].number)) + "}";
        HttpReply reply = co_await client.Call(http::verb::post, "/v1/chats/" + pair.chat_id + "/messages",
                                               body, author.access_token);
        if (reply.status != 201 && reply.status != 200)
          co_return ReplyError("POST /v1/chats/{id}/messages", reply);
        co_return OkStatus();
      });
  if (sent.ok()) {
    for (std::size_t k = 0; k < chats && k < group.pairs.size(); ++k) {
      group.pairs[k].messages = std::max(group.pairs[k].messages, messages);
    }
    MESSENGER_RETURN_IF_ERROR(Save(population));
  }
  return sent;
}

StatusOr<bool> Seeder::RouteServed(const std::string& target, const std::string& token) const {
  int status = 0;
  Status s = ForEachConcurrently(options_.endpoint, {}, 1, 1, 1, "probe",
                                 [&](ApiClient& client, std::size_t) -> asio::awaitable<Status> {
                                   HttpReply reply = co_await client.Call(http::verb::get, target, "", token);
                                   if (!reply.transport_ok()) co_return ReplyError("GET " + target, reply);
                                   status = reply.status;
                                   co_return OkStatus();
                                 });
  MESSENGER_RETURN_IF_ERROR(s);
  return status != 404 && status != 405;
}

}  // namespace messenger::bench
