#include "messenger/pg/testing/test_database.hpp"

#include <pqxx/pqxx>

#include "messenger/common/ids.hpp"
#include "messenger/pg/errors.hpp"

namespace messenger::pg::testing {
namespace {

PgSettings AdminSettings() {
  PgSettings admin = PgSettings::FromEnv("postgres");
  admin.database = "postgres";
  return admin;
}

Status RunAdmin(const std::string& sql) {
  try {
    pqxx::connection conn(AdminSettings().ConnectionString());
    pqxx::nontransaction n(conn);
    n.exec0(sql);
    return OkStatus();
  } catch (const std::exception& e) {
    return FromPqxxException(e);
  }
}

}  // namespace

StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  PgSettings settings = PgSettings::FromEnv("postgres");
  std::string suffix;
  for (char c : NewUuid()) {
    if (c != '-') suffix += c;
  }
  settings.database = "t_" + suffix.substr(0, 16);
  // The name is made of [a-z0-9_] only, so it needs no quoting.
  MESSENGER_RETURN_IF_ERROR(RunAdmin("CREATE DATABASE " + settings.database));
  return std::unique_ptr<TestDatabase>(new TestDatabase(std::move(settings)));
}

TestDatabase::~TestDatabase() {
  (void)RunAdmin("DROP DATABASE IF EXISTS " + settings_.database + " WITH (FORCE)");
}

StatusOr<std::unique_ptr<Pool>> TestDatabase::NewPool(int pool_size) const {
  PoolOptions options = PoolOptions::FromEnv(settings_);
  options.pool_size = pool_size;
  return Pool::Create(settings_, options);
}

}  // namespace messenger::pg::testing

// libpqxx 6.4 leaks one PGresult when it transparently reconnects a broken connection while starting a
// transaction (transaction_base::direct_exec retries BEGIN without freeing the failed result). Tests that
// kill connections on purpose hit it, so LeakSanitizer is told about it here, in the one object every
// PostgreSQL test binary links. No other leak in or through libpqxx is expected.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:pqxx::transaction_base::direct_exec\n"
         "leak:libpqxx-6.4.so\n";
}
