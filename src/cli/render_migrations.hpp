// The output of `pothos-perf db status|migrate|reset`: text and --json
// (shapes in docs/cli.md). Plain C++, no I/O.
#pragma once

#include <string>

#include "migration_files.hpp"
#include "render_text.hpp"

namespace pothos::cli {

std::string text_migration_status(const MigrationPlan& plan, const TextStyle& st);
std::string json_migration_status(const std::string& database, const MigrationPlan& plan);
std::string text_migrate(const std::string& database, const MigrateOutcome& o);
// `reset`: the document says which schema was reset.
std::string json_migrate(const std::string& database, const MigrateOutcome& o, bool reset);

}  // namespace pothos::cli
