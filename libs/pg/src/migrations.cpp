#include "messenger/pg/migrations.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "messenger/common/ids.hpp"

namespace messenger::pg {
namespace {

// Key of the advisory lock that serialises migration runs on one database ("msgrmigr" in ASCII).
constexpr long long kMigrationLockKey = 0x6d7367726d696772;
// How long a second process waits for the first one to finish migrating.
constexpr std::chrono::minutes kLockWait{5};
constexpr std::chrono::milliseconds kLockPoll{100};

constexpr const char* kCreateTableSql = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer     PRIMARY KEY,
  name       text        NOT NULL,
  checksum   text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";
constexpr const char* kSelectAppliedSql = "SELECT version, name, checksum FROM schema_migrations";
constexpr const char* kInsertAppliedSql =
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)";

struct MigrationFile {
  int version = 0;
  std::string name;
  std::string file_name;
  std::string sql;
  std::string checksum;
};

struct AppliedMigration {
  std::string name;
  std::string checksum;
};

// Parses "V<digits>__<name>.sql"; false when the name does not follow the pattern.
bool ParseFileName(const std::string& file_name, int* version, std::string* name) {
  constexpr std::string_view kSuffix = ".sql";
  if (file_name.size() < 1 + 1 + 2 + 1 + kSuffix.size() || file_name[0] != 'V' ||
      !file_name.ends_with(kSuffix)) {
    return false;
  }
  std::size_t digits_end = 1;
  while (digits_end < file_name.size() && std::isdigit(static_cast<unsigned char>(file_name[digits_end]))) {
    ++digits_end;
  }
  if (digits_end == 1 || digits_end > 10) return false;
  if (file_name.compare(digits_end, 2, "__") != 0) return false;
  std::size_t name_begin = digits_end + 2;
  std::size_t name_end = file_name.size() - kSuffix.size();
  if (name_end <= name_begin) return false;
  *version = std::stoi(file_name.substr(1, digits_end - 1));
  *name = file_name.substr(name_begin, name_end - name_begin);
  return true;
}

StatusOr<std::vector<MigrationFile>> ListMigrations(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return FailedPreconditionError("migrations directory " + dir.string() + " does not exist");
  }
  std::vector<MigrationFile> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string file_name = entry.path().filename().string();
    if (entry.path().extension() != ".sql") continue;
    MigrationFile file;
    if (!ParseFileName(file_name, &file.version, &file.name)) {
      return FailedPreconditionError("migration file " + file_name + " is not named V<NNN>__<name>.sql");
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) return InternalError("cannot read migration file " + entry.path().string());
    file.file_name = file_name;
    file.sql = content.str();
    file.checksum = Sha256Hex(file.sql);
    files.push_back(std::move(file));
  }
  if (ec) return InternalError("cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end(),
            [](const MigrationFile& a, const MigrationFile& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version) {
      return FailedPreconditionError("migrations " + files[i - 1].file_name + " and " + files[i].file_name +
                                     " share a version");
    }
  }
  return files;
}

// Holds the session-level advisory lock for as long as it lives.
class MigrationLock {
 public:
  explicit MigrationLock(pqxx::connection& conn) : conn_(conn) {}
  ~MigrationLock() {
    if (!held_) return;
    try {
      pqxx::nontransaction n(conn_);
      n.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (const std::exception&) {
      // The connection is gone, and the lock went with the session.
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

  Status Acquire() {
    auto deadline = std::chrono::steady_clock::now() + kLockWait;
    while (true) {
      {
        pqxx::nontransaction n(conn_);
        held_ = n.exec_params1("SELECT pg_try_advisory_lock($1)", kMigrationLockKey)[0].as<bool>();
      }
      if (held_) return OkStatus();
      if (std::chrono::steady_clock::now() >= deadline) {
        return DeadlineExceededError("another process kept the migration lock for too long");
      }
      std::this_thread::sleep_for(kLockPoll);
    }
  }

 private:
  pqxx::connection& conn_;
  bool held_ = false;
};

Status Migrate(pqxx::connection& conn, const std::vector<MigrationFile>& files) {
  MigrationLock lock(conn);
  MESSENGER_RETURN_IF_ERROR(lock.Acquire());

  std::map<int, AppliedMigration> applied;
  {
    pqxx::work txn(conn);
    txn.exec0(kCreateTableSql);
    for (const auto& row : txn.exec(kSelectAppliedSql)) {
      applied[row[0].as<int>()] = AppliedMigration{row[1].as<std::string>(), row[2].as<std::string>()};
    }
    txn.commit();
  }
  for (const MigrationFile& file : files) {
    auto it = applied.find(file.version);
    if (it != applied.end() && it->second.checksum != file.checksum) {
      return FailedPreconditionError("migration " + file.file_name +
                                     " changed after it was applied (checksum differs)");
    }
  }
  for (const MigrationFile& file : files) {
    if (applied.count(file.version) != 0) continue;
    try {
      pqxx::work txn(conn);
      txn.exec0("SET LOCAL statement_timeout = 0");
      txn.exec(file.sql);
      txn.exec_params0(kInsertAppliedSql, file.version, file.name, file.checksum);
      txn.commit();
    } catch (const std::exception& e) {
      Status status = FromPqxxException(e);
      return Status(status.code(), "migration " + file.file_name + ": " + status.message());
    }
  }
  return OkStatus();
}

}  // namespace

Status RunMigrations(Pool& pool, const std::filesystem::path& dir) {
  MESSENGER_ASSIGN_OR_RETURN(std::vector<MigrationFile> files, ListMigrations(dir));
  return pool.WithConnection([&](pqxx::connection& conn) { return Migrate(conn, files); });
}

}  // namespace messenger::pg
