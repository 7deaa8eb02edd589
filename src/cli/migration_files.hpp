// Versioned SQL migration files for `pothos-perf db`: naming, loading,
// checksums, and the comparison with what a database has applied. Plain
// C++ (files and OpenSSL's SHA-256), no libpq.
//
// Naming: V<version>__<description>.sql, version one or more digits
// (leading zeros allowed, compared as a number), description letters,
// digits and underscores, e.g. V001__create_users.sql. Other *.sql files in
// the directory are an error; files not ending in .sql are ignored.
//
// A file whose first line is exactly kNoTransactionMarker runs outside a
// transaction, one statement at a time (for CREATE INDEX CONCURRENTLY).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pothos::cli {

constexpr std::string_view kNoTransactionMarker = "-- pothos:no-transaction";

// True when the first line of `content` is the no-transaction marker
// (trailing blanks and a carriage return allowed).
bool is_non_transactional(std::string_view content);

struct MigrationFile {
    std::int64_t version = 0;
    std::string name;         // the file name, e.g. V001__create_users.sql
    std::string description;  // "create users"
    std::string content;
    std::string checksum;     // sha256 of the content, lowercase hex
    bool transactional = true;  // false: first line is kNoTransactionMarker
};

struct MigrationName {
    std::int64_t version;
    std::string description;
};

// The version and description of a migration file name, or nullopt.
std::optional<MigrationName> parse_migration_name(std::string_view file_name);

// The migrations of `dir` in version order. Throws std::runtime_error for a
// missing directory, an unreadable file, a badly named *.sql file or two
// files with the same version.
std::vector<MigrationFile> load_migrations(const std::string& dir);

std::string sha256_hex(std::string_view data);

struct AppliedMigration {
    std::int64_t version = 0;
    std::string name;
    std::string checksum;
    std::string applied_at;
};

struct MigrationPlan {
    std::vector<AppliedMigration> applied;     // recorded in the database, file unchanged
    std::vector<AppliedMigration> changed;     // recorded, but the file's checksum differs
    std::vector<AppliedMigration> missing;     // recorded, no file with that version any more
    std::vector<MigrationFile> pending;        // files not yet applied, in version order
};

MigrationPlan plan_migrations(const std::vector<MigrationFile>& files,
                              const std::vector<AppliedMigration>& applied);

// "V1__a.sql, V2__b.sql"
std::string migration_names(const std::vector<AppliedMigration>& v);

// The file name of the migration after `files` and `applied`: version one
// more than the highest of both (plus `offset`), zero-padded like the last
// file's version (at least 3 digits), e.g. V007__add_due_dates.sql.
std::string next_migration_name(const std::vector<MigrationFile>& files,
                                const std::vector<AppliedMigration>& applied, const std::string& description,
                                int offset = 0);

struct MigrateOutcome {
    std::vector<std::string> applied;  // file names applied by this run
    std::size_t already_applied = 0;
};

}  // namespace pothos::cli
