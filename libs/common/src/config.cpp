#include "messenger/common/config.hpp"

#include <cstdlib>
#include <string>

namespace messenger {
namespace {

const char* Lookup(std::string_view name) {
  std::string key(name);
  const char* value = std::getenv(key.c_str());
  return (value != nullptr && *value != '\0') ? value : nullptr;
}

// Quotes a value for a libpq keyword/value connection string.
std::string PqQuote(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string EnvString(std::string_view name, std::string_view fallback) {
  const char* v = Lookup(name);
  return v ? std::string(v) : std::string(fallback);
}

std::int64_t EnvInt(std::string_view name, std::int64_t fallback) {
  const char* v = Lookup(name);
  if (!v) return fallback;
  char* end = nullptr;
  long long parsed = std::strtoll(v, &end, 10);
  return (end && *end == '\0') ? parsed : fallback;
}

bool EnvBool(std::string_view name, bool fallback) {
  const char* v = Lookup(name);
  if (!v) return fallback;
  std::string s(v);
  if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
  if (s == "0" || s == "false" || s == "no" || s == "off") return false;
  return fallback;
}

std::chrono::milliseconds EnvMillis(std::string_view name, std::chrono::milliseconds fallback) {
  return std::chrono::milliseconds(EnvInt(name, fallback.count()));
}

std::string PgSettings::ConnectionString() const {
  std::string s = "host=" + PqQuote(host) + " port=" + std::to_string(port) + " user=" + PqQuote(user) +
                  " dbname=" + PqQuote(database) + " connect_timeout=5";
  if (!password.empty()) s += " password=" + PqQuote(password);
  return s;
}

PgSettings PgSettings::FromEnv(std::string_view default_database) {
  PgSettings s;
  s.host = EnvString("PG_HOST", "127.0.0.1");
  s.port = static_cast<int>(EnvInt("PG_PORT", 15432));
  s.user = EnvString("PG_USER", "messenger");
  s.password = EnvString("PG_PASSWORD", "");
  s.database = EnvString("PG_DATABASE", default_database);
  s.pool_size = static_cast<int>(EnvInt("PG_POOL_SIZE", 8));
  return s;
}

RedisSettings RedisSettings::FromEnv() {
  RedisSettings s;
  s.host = EnvString("REDIS_HOST", "127.0.0.1");
  s.port = static_cast<int>(EnvInt("REDIS_PORT", 16379));
  s.pool_size = static_cast<int>(EnvInt("REDIS_POOL_SIZE", 8));
  s.timeout = EnvMillis("REDIS_TIMEOUT_MS", std::chrono::milliseconds(500));
  return s;
}

KafkaSettings KafkaSettings::FromEnv() {
  KafkaSettings s;
  s.brokers = EnvString("KAFKA_BROKERS", "127.0.0.1:19092");
  return s;
}

MongoSettings MongoSettings::FromEnv(std::string_view default_database) {
  MongoSettings s;
  s.uri = EnvString("MONGO_URI", "mongodb://127.0.0.1:17017/?appname=messenger");
  s.database = EnvString("MONGO_DATABASE", default_database);
  return s;
}

}  // namespace messenger
