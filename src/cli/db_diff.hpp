// `pothos-perf db diff`: builds what the migrations of a directory produce
// and what a schema file describes, each in a throwaway shadow database on
// the server, compares them (schema_diff) and writes the next migration.
#pragma once

#include <string>
#include <vector>

#include "migration_files.hpp"
#include "pg.hpp"
#include "schema_model.hpp"

namespace pothos::cli {

struct DiffRequest {
    std::string dir;          // the migrations
    std::string schema_file;  // the desired schema (SQL; \i and \ir of psql are read)
    std::string name;         // the new migration's description; empty: "schema_changes"
    bool dry_run = false;
    bool allow_destructive = false;
};

struct DiffOutcome {
    std::vector<std::string> written;  // paths, in version order (none: no changes or --dry-run)
    std::string listing;               // what was (or would be) written, for stdout
    std::vector<std::string> warnings; // for stderr
    bool changes = false;
};

// `c` is the database the migrations are for: its applied migrations must
// match the files (checksums). Throws CliError with the file and line of a
// schema error, the migration that does not build, or the privilege missing.
DiffOutcome run_schema_diff(Connection& c, const DiffRequest& r);

// Builds the schema of `path` in `c` statement by statement; an error names
// the file and line.
void load_schema_file(Connection& c, const std::string& path);

}  // namespace pothos::cli
