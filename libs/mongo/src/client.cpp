#include "messenger/mongo/client.hpp"

#include <charconv>
#include <mutex>
#include <utility>

#include "errors.hpp"
#include "messenger/common/logging.hpp"

namespace messenger::mongo {

using internal::FromBsonError;

namespace {

// The driver's own diagnostics (failed server monitoring, FerretDB's missing endSessions, ...) go to the
// JSON log instead of raw stderr lines; its debug and trace chatter is dropped.
void DriverLog(mongoc_log_level_t level, const char* domain, const char* message, void*) {
  log::Level our;
  switch (level) {
    case MONGOC_LOG_LEVEL_ERROR:
    case MONGOC_LOG_LEVEL_CRITICAL:
      our = log::Level::kError;
      break;
    case MONGOC_LOG_LEVEL_WARNING:
      our = log::Level::kWarn;
      break;
    case MONGOC_LOG_LEVEL_MESSAGE:
    case MONGOC_LOG_LEVEL_INFO:
      our = log::Level::kDebug;
      break;
    default:
      return;
  }
  log::Write(our, "libmongoc", {{"domain", domain}, {"detail", message}});
}

void InitDriverOnce() {
  static std::once_flag once;
  // mongoc_cleanup is never called: the driver lives as long as the process.
  std::call_once(once, [] {
    mongoc_init();
    mongoc_log_set_handler(DriverLog, nullptr);
  });
}

template <typename T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const { Destroy(p); }
};
using UriPtr = std::unique_ptr<mongoc_uri_t, Deleter<mongoc_uri_t, mongoc_uri_destroy>>;
using WriteConcernPtr =
    std::unique_ptr<mongoc_write_concern_t, Deleter<mongoc_write_concern_t, mongoc_write_concern_destroy>>;

StatusOr<WriteConcernPtr> ParseWriteConcern(const PoolOptions& options) {
  WriteConcernPtr wc(mongoc_write_concern_new());
  const std::string& w = options.write_concern;
  const int32_t wtimeout = static_cast<int32_t>(options.write_timeout.count());
  if (w == "majority") {
    mongoc_write_concern_set_wmajority(wc.get(), wtimeout);
    return wc;
  }
  int32_t members = 0;
  auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), members);
  if (ec != std::errc() || end != w.data() + w.size() || members < 1) {
    return InvalidArgumentError("mongo write concern must be \"majority\" or a number >= 1, got \"" + w +
                                "\"");
  }
  mongoc_write_concern_set_w(wc.get(), members);
  mongoc_write_concern_set_wtimeout_int64(wc.get(), wtimeout);
  return wc;
}

}  // namespace

PoolOptions PoolOptions::FromEnv() {
  PoolOptions o;
  o.write_concern = EnvString("MONGO_WRITE_CONCERN", o.write_concern);
  o.write_timeout = EnvMillis("MONGO_WRITE_TIMEOUT_MS", o.write_timeout);
  o.server_selection_timeout = EnvMillis("MONGO_SERVER_SELECTION_TIMEOUT_MS", o.server_selection_timeout);
  o.socket_timeout = EnvMillis("MONGO_SOCKET_TIMEOUT_MS", o.socket_timeout);
  o.max_pool_size = static_cast<int>(EnvInt("MONGO_POOL_SIZE", o.max_pool_size));
  return o;
}

StatusOr<std::unique_ptr<ClientPool>> ClientPool::Create(const MongoSettings& settings) {
  return Create(settings, PoolOptions::FromEnv());
}

StatusOr<std::unique_ptr<ClientPool>> ClientPool::Create(const MongoSettings& settings,
                                                         const PoolOptions& options) {
  InitDriverOnce();
  if (settings.database.empty()) return InvalidArgumentError("mongo: database name is empty");
  if (options.max_pool_size < 1) return InvalidArgumentError("mongo: max_pool_size < 1");
  bson_error_t error;
  UriPtr uri(mongoc_uri_new_with_error(settings.uri.c_str(), &error));
  if (!uri) return InvalidArgumentError(std::string("mongo uri: ") + error.message);
  mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
                                 static_cast<int32_t>(options.server_selection_timeout.count()));
  mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_SOCKETTIMEOUTMS,
                                 static_cast<int32_t>(options.socket_timeout.count()));
  MESSENGER_ASSIGN_OR_RETURN(WriteConcernPtr wc, ParseWriteConcern(options));
  mongoc_uri_set_write_concern(uri.get(), wc.get());

  mongoc_client_pool_t* pool = mongoc_client_pool_new_with_error(uri.get(), &error);
  if (pool == nullptr) return InvalidArgumentError(std::string("mongo client pool: ") + error.message);
  // Version 2 reports every server error in MONGOC_ERROR_SERVER with the server's code (see errors.cpp).
  mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_pool_max_size(pool, static_cast<uint32_t>(options.max_pool_size));
  return std::unique_ptr<ClientPool>(new ClientPool(pool, settings.database));
}

ClientPool::~ClientPool() { mongoc_client_pool_destroy(pool_); }

Lease ClientPool::Acquire() { return Lease(this, mongoc_client_pool_pop(pool_)); }

Status ClientPool::Ping() { return Acquire().Ping(); }

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)), client_(std::exchange(other.client_, nullptr)) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    client_ = std::exchange(other.client_, nullptr);
  }
  return *this;
}

Lease::~Lease() { Release(); }

void Lease::Release() {
  if (pool_ != nullptr && client_ != nullptr) mongoc_client_pool_push(pool_->pool_, client_);
  pool_ = nullptr;
  client_ = nullptr;
}

Collection Lease::GetCollection(std::string_view name) const {
  return GetCollection(pool_->database(), name);
}

Collection Lease::GetCollection(std::string_view database, std::string_view name) const {
  return Collection(
      mongoc_client_get_collection(client_, std::string(database).c_str(), std::string(name).c_str()));
}

Status Lease::Ping() const {
  Bson ping = BsonBuilder().Append("ping", int32_t{1}).Build();
  bson_t reply;
  bson_error_t error;
  bool ok = mongoc_client_command_simple(client_, "admin", ping.get(), nullptr, &reply, &error);
  bson_destroy(&reply);
  return ok ? OkStatus() : FromBsonError(error, "ping");
}

Status Lease::DropDatabase(std::string_view database) const {
  mongoc_database_t* db = mongoc_client_get_database(client_, std::string(database).c_str());
  bson_error_t error;
  bool ok = mongoc_database_drop_with_opts(db, nullptr, &error);
  mongoc_database_destroy(db);
  if (!ok && !(error.domain == MONGOC_ERROR_SERVER && error.code == internal::kNamespaceNotFound)) {
    return FromBsonError(error, "drop database " + std::string(database));
  }
  return OkStatus();
}

}  // namespace messenger::mongo
