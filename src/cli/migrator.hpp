// `pothos-perf db migrate|status|reset`: applies migration files to a
// database. Each file runs in its own transaction together with its row in
// public.pothos_migrations, except a file marked with kNoTransactionMarker:
// its statements run one by one outside a transaction and its row is written
// after the last one succeeded; migrate and reset hold a session advisory lock
// (key kMigrationLockKey) so concurrent runs serialise and the later one
// finds nothing left to do.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "migration_files.hpp"
#include "pg.hpp"

namespace pothos::cli {

// pg_advisory_lock key: the bytes of "pothos" read as a big-endian integer.
constexpr std::int64_t kMigrationLockKey = 0x706f74686f73;
constexpr const char* kMigrationsTable = "public.pothos_migrations";

using MigrationLog = std::function<void(const std::string&)>;

std::vector<AppliedMigration> read_applied(Connection& c);

// Applies the pending files in version order. Throws CliError(kExitFailure)
// naming the files when an applied file's checksum changed (nothing is
// applied then), and naming the file and the server's message when a
// migration fails (it is rolled back; the ones before it stay applied).
MigrateOutcome migrate(Connection& c, const std::vector<MigrationFile>& files, const MigrationLog& log);

MigrationPlan status(Connection& c, const std::vector<MigrationFile>& files);

// Refuses (CliError) unless `force` and the database name ends in _dev or
// _test. Then drops schema public with everything in it (CASCADE), recreates
// it as PostgreSQL 15 creates it, and applies every migration.
MigrateOutcome reset_database(Connection& c, const std::vector<MigrationFile>& files, bool force,
                              const MigrationLog& log);

}  // namespace pothos::cli
