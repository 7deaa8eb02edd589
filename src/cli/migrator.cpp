#include "migrator.hpp"

#include <chrono>
#include <cstdio>

#include "sql_split.hpp"

namespace pothos::cli {
namespace {

const std::string kLock = "SELECT pg_catalog.pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")";
const std::string kTryLock =
    "SELECT pg_catalog.pg_try_advisory_lock(" + std::to_string(kMigrationLockKey) + ")";
const std::string kUnlock = "SELECT pg_catalog.pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")";

// Holds the session advisory lock for its lifetime.
class MigrationLock {
public:
    MigrationLock(Connection& c, const MigrationLog& log) : c_(c) {
        if (!c_.exec(kTryLock).boolean(0, 0)) {
            log("waiting for another migration run to finish (advisory lock " +
                std::to_string(kMigrationLockKey) + ")");
            c_.exec(kLock);
        }
    }
    ~MigrationLock() { c_.try_exec(kUnlock); }

private:
    Connection& c_;
};

void ensure_table(Connection& c) {
    c.exec("SET client_min_messages = warning");
    c.exec(std::string("CREATE TABLE IF NOT EXISTS ") + kMigrationsTable +
           " (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
           "  applied_at timestamptz NOT NULL DEFAULT now(), execution_ms float8 NOT NULL)");
    c.exec("RESET client_min_messages");
}

void record(Connection& c, const MigrationFile& f, double ms) {
    c.exec(std::string("INSERT INTO ") + kMigrationsTable +
               " (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)",
           {std::to_string(f.version), f.name, f.checksum, std::to_string(ms)});
}

void run_in_transaction(Connection& c, const MigrationFile& f) {
    auto t0 = std::chrono::steady_clock::now();
    c.exec("BEGIN");
    try {
        c.exec(f.content);
        record(c, f, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        c.exec("COMMIT");
    } catch (const CliError& e) {
        c.try_exec("ROLLBACK");
        throw CliError(e.code(), "migration " + f.name + " failed and was rolled back: " + e.what());
    }
}

// Each statement on its own (CREATE INDEX CONCURRENTLY refuses a
// multi-statement string); a failure leaves the statements before it applied
// and the file unrecorded, so the next run starts it again from the top.
void run_statement_by_statement(Connection& c, const MigrationFile& f) {
    std::vector<SqlStatement> stmts = split_sql(f.content);
    for (std::size_t i = 0; i < stmts.size(); ++i) {
        try {
            c.exec(stmts[i].text);
        } catch (const CliError& e) {
            throw CliError(e.code(),
                           "migration " + f.name + " (" + std::string(kNoTransactionMarker) + ") failed at line " +
                               std::to_string(stmts[i].line) + ", statement " + std::to_string(i + 1) + " of " +
                               std::to_string(stmts.size()) + ": " + e.what() +
                               "\nnote: it ran outside a transaction: the " + std::to_string(i) +
                               " statement(s) before it stay applied and the file is not recorded as applied;"
                               " make the file safe to run again (IF NOT EXISTS; drop an INVALID index a failed"
                               " CREATE INDEX CONCURRENTLY left) before the next migrate");
        }
    }
}

MigrateOutcome apply_pending(Connection& c, const std::vector<MigrationFile>& files, const MigrationLog& log) {
    ensure_table(c);
    MigrationPlan plan = plan_migrations(files, read_applied(c));
    if (!plan.changed.empty())
        throw CliError(kExitFailure,
                       "applied migrations were changed after they ran (checksum differs): " +
                           migration_names(plan.changed) + "\nhint: restore the files, or add a new migration instead");
    MigrateOutcome out;
    out.already_applied = plan.applied.size();
    for (const auto& f : plan.pending) {
        auto t0 = std::chrono::steady_clock::now();
        if (f.transactional) run_in_transaction(c, f);
        else run_statement_by_statement(c, f);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        char buf[64];
        std::snprintf(buf, sizeof buf, " (%.1f ms)", ms);
        // A transactional file's row was written in its transaction; the
        // other kind is recorded once every statement succeeded.
        if (!f.transactional) record(c, f, ms);
        log("applied " + f.name + (f.transactional ? "" : " (outside a transaction)") + buf);
        out.applied.push_back(f.name);
    }
    return out;
}

}  // namespace

std::vector<AppliedMigration> read_applied(Connection& c) {
    Result exists = c.exec("SELECT to_regclass($1) IS NOT NULL", {std::string(kMigrationsTable)});
    std::vector<AppliedMigration> out;
    if (!exists.boolean(0, 0)) return out;
    Result r = c.exec(std::string("SELECT version, name, checksum,"
                                  " to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS TZ') FROM ") +
                      kMigrationsTable + " ORDER BY version");
    for (int i = 0; i < r.rows(); ++i)
        out.push_back({r.int64(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3)});
    return out;
}

MigrateOutcome migrate(Connection& c, const std::vector<MigrationFile>& files, const MigrationLog& log) {
    MigrationLock lock(c, log);
    return apply_pending(c, files, log);
}

MigrationPlan status(Connection& c, const std::vector<MigrationFile>& files) {
    return plan_migrations(files, read_applied(c));
}

MigrateOutcome reset_database(Connection& c, const std::vector<MigrationFile>& files, bool force,
                              const MigrationLog& log) {
    std::string db = c.database();
    auto ends_with = [&](const std::string& suffix) {
        return db.size() > suffix.size() && db.compare(db.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (!ends_with("_dev") && !ends_with("_test"))
        throw CliError(kExitFailure, "refusing to reset database \"" + db +
                                         "\": only databases whose name ends in _dev or _test can be reset");
    if (!force)
        throw CliError(kExitFailure, "refusing to reset database \"" + db +
                                         "\" without --force (it drops schema public and everything in it)");
    MigrationLock lock(c, log);
    c.exec("SET client_min_messages = warning");
    c.exec("BEGIN");
    try {
        c.exec("DROP SCHEMA IF EXISTS public CASCADE");
        c.exec("CREATE SCHEMA public AUTHORIZATION pg_database_owner");
        c.exec("GRANT USAGE ON SCHEMA public TO PUBLIC");
        c.exec("COMMENT ON SCHEMA public IS 'standard public schema'");
        c.exec("COMMIT");
    } catch (const CliError&) {
        c.try_exec("ROLLBACK");
        throw;
    }
    c.exec("RESET client_min_messages");
    log("dropped and recreated schema public in database \"" + db + "\"");
    return apply_pending(c, files, log);
}

}  // namespace pothos::cli
