// A pool of MongoDB clients (the server may be FerretDB, see libs/mongo/README.md for what it lacks).
// Including this header gives Bson, BsonBuilder, Collection and Cursor too.
#pragma once

#include <mongoc/mongoc.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "messenger/common/config.hpp"
#include "messenger/common/status.hpp"
#include "messenger/mongo/bson.hpp"
#include "messenger/mongo/collection.hpp"

namespace messenger::mongo {

struct PoolOptions {
  // Write concern "w" of every write: "majority" in production (a write survives a primary failover),
  // "1" on the local single-node stack. A number means that many members.
  std::string write_concern = "1";
  // wtimeout of the write concern: past it a write fails with DEADLINE_EXCEEDED (it may still apply).
  std::chrono::milliseconds write_timeout{10000};
  // How long an operation waits for a usable server before failing with UNAVAILABLE.
  std::chrono::milliseconds server_selection_timeout{5000};
  // Longest wait for one network read/write; a stuck connection fails with UNAVAILABLE.
  std::chrono::milliseconds socket_timeout{10000};
  int max_pool_size = 16;

  // MONGO_WRITE_CONCERN ("1"), MONGO_WRITE_TIMEOUT_MS (10000), MONGO_SERVER_SELECTION_TIMEOUT_MS (5000),
  // MONGO_SOCKET_TIMEOUT_MS (10000), MONGO_POOL_SIZE (16).
  static PoolOptions FromEnv();
};

class ClientPool;

// A client borrowed from the pool, returned when the Lease is destroyed. Move-only; one thread at a time.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  mongoc_client_t* get() const { return client_; }
  // A collection in the pool's database (MongoSettings::database).
  Collection GetCollection(std::string_view name) const;
  Collection GetCollection(std::string_view database, std::string_view name) const;
  Status Ping() const;
  // Drops a whole database (tests use one database each).
  Status DropDatabase(std::string_view database) const;

 private:
  friend class ClientPool;
  Lease(ClientPool* pool, mongoc_client_t* client) : pool_(pool), client_(client) {}
  void Release();
  ClientPool* pool_;
  mongoc_client_t* client_;
};

class ClientPool {
 public:
  // Options from the environment (PoolOptions::FromEnv()).
  static StatusOr<std::unique_ptr<ClientPool>> Create(const MongoSettings& settings);
  // INVALID_ARGUMENT for a bad URI or write concern. Does not connect: the first operation does.
  static StatusOr<std::unique_ptr<ClientPool>> Create(const MongoSettings& settings,
                                                      const PoolOptions& options);
  ~ClientPool();
  ClientPool(const ClientPool&) = delete;
  ClientPool& operator=(const ClientPool&) = delete;

  // Blocks while all max_pool_size clients are leased.
  Lease Acquire();
  // Acquire() + Lease::Ping().
  Status Ping();
  const std::string& database() const { return database_; }

 private:
  friend class Lease;
  ClientPool(mongoc_client_pool_t* pool, std::string database)
      : pool_(pool), database_(std::move(database)) {}
  mongoc_client_pool_t* pool_;
  std::string database_;
};

}  // namespace messenger::mongo
