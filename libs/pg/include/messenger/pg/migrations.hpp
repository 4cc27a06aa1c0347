// Schema migrations from a folder of numbered SQL files.
#pragma once

#include <filesystem>

#include "messenger/common/status.hpp"
#include "messenger/pg/pool.hpp"

namespace messenger::pg {

// Applies every `V<NNN>__<name>.sql` file of `dir` that is not applied yet, in numeric order, each in its own
// transaction, and records it in `schema_migrations(version, name, checksum, applied_at)`.
//  - Two processes running this at once are serialised by a PostgreSQL advisory lock: the second waits and
//    then finds nothing left to do.
//  - A file whose content changed after it was applied (sha256 differs) stops everything with
//    FAILED_PRECONDITION, before anything new is applied. So do two files with the same version, or a
//    `.sql` file whose name does not follow the pattern.
//  - A version recorded in the table without a file is accepted (an older binary on a newer schema).
//  - A failing file rolls back alone; files applied before it stay applied. Its error is returned.
// Migration statements run without statement timeout. A file cannot use statements that refuse to run in
// a transaction (CREATE INDEX CONCURRENTLY).
Status RunMigrations(Pool& pool, const std::filesystem::path& dir);

}  // namespace messenger::pg
