// Configuration from environment variables. Every getter takes a default that works on the local stack,
// so a service started by ./dev needs no configuration file.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace messenger {

std::string EnvString(std::string_view name, std::string_view fallback);
std::int64_t EnvInt(std::string_view name, std::int64_t fallback);
bool EnvBool(std::string_view name, bool fallback);
std::chrono::milliseconds EnvMillis(std::string_view name, std::chrono::milliseconds fallback);

// Connection settings shared by every service; each reads the same variable names.
struct PgSettings {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
  std::string database;
  int pool_size = 0;
  // A libpq connection string built from the fields above.
  std::string ConnectionString() const;
  static PgSettings FromEnv(std::string_view default_database);
};

struct RedisSettings {
  std::string host;
  int port = 0;
  int pool_size = 0;
  std::chrono::milliseconds timeout{0};
  static RedisSettings FromEnv();
};

struct KafkaSettings {
  std::string brokers;
  static KafkaSettings FromEnv();
};

struct MongoSettings {
  std::string uri;
  std::string database;
  static MongoSettings FromEnv(std::string_view default_database);
};

}  // namespace messenger
