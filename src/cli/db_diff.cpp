#include "db_diff.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "migrator.hpp"
#include "schema_diff.hpp"
#include "schema_introspect.hpp"
#include "sql_split.hpp"

namespace pothos::cli {
namespace {

// A conninfo value in single quotes (libpq's rules: \ and ' escaped).
std::string conninfo_value(const std::string& v) {
    std::string out = "'";
    for (char ch : v) {
        if (ch == '\\' || ch == '\'') out += '\\';
        out += ch;
    }
    return out + "'";
}

// The connection settings of `c` (host, port, user, password, sslmode, ...)
// with another database name, as one conninfo string.
ConnectOptions same_server(Connection& c, const std::string& dbname) {
    std::string conninfo;
    PQconninfoOption* opts = PQconninfo(c.raw());
    for (PQconninfoOption* o = opts; o && o->keyword; ++o) {
        std::string key = o->keyword;
        if (!o->val || key == "dbname" || key == "replication" || key == "fallback_application_name") continue;
        conninfo += key + "=" + conninfo_value(o->val) + " ";
    }
    PQconninfoFree(opts);
    ConnectOptions out;
    out.dbname = conninfo + "dbname=" + conninfo_value(dbname);
    return out;
}

std::string random_suffix() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> dist(0, 0xffffff);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%06x", dist(rd));
    return buf;
}

// A database created on the server of `admin` for the lifetime of this
// object, then dropped (WITH (FORCE)), also when an error unwinds.
class ShadowDatabase {
public:
    ShadowDatabase(Connection& admin, const std::string& role) : admin_(admin) {
        name_ = "pothos_shadow_" + std::to_string(getpid()) + "_" + random_suffix() + "_" + role;
        try {
            admin_.exec("CREATE DATABASE " + name_ + " TEMPLATE template0");
        } catch (const CliError& e) {
            throw CliError(kExitFailure,
                           "cannot create the shadow database \"" + name_ + "\" that db diff builds the " + role +
                               " schema in: " + e.what() +
                               "\nhint: db diff needs a role allowed to create databases (ALTER ROLE " +
                               user_of(admin) + " CREATEDB) on the server; the two databases it creates are "
                               "dropped when it ends");
        }
        try {
            conn_ = std::make_unique<Connection>(same_server(admin_, name_));
            conn_->exec("SET client_min_messages = warning");
        } catch (...) {
            drop();
            throw;
        }
    }
    ~ShadowDatabase() { drop(); }
    ShadowDatabase(const ShadowDatabase&) = delete;
    ShadowDatabase& operator=(const ShadowDatabase&) = delete;
    Connection& conn() { return *conn_; }

private:
    static std::string user_of(Connection& c) { return PQuser(c.raw()) ? PQuser(c.raw()) : "..."; }
    void drop() {
        conn_.reset();
        admin_.try_exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
    Connection& admin_;
    std::string name_;
    std::unique_ptr<Connection> conn_;
};

// Runs one statement through libpq directly for the error position.
void exec_located(Connection& c, const SqlStatement& st, const std::string& file) {
    PGresult* r = PQexec(c.raw(), st.text.c_str());
    std::unique_ptr<PGresult, decltype(&PQclear)> keep(r, &PQclear);
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) return;
    const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string msg = primary ? primary : PQerrorMessage(c.raw());
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    int line = st.line;
    if (const char* pos = r ? PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION) : nullptr)
        line = line_at_position(st.text, st.line, std::atoi(pos));
    if (const char* d = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : nullptr) msg += std::string("\ndetail: ") + d;
    throw CliError(kExitFailure, file + ":" + std::to_string(line) + ": " + msg);
}

}  // namespace

void load_schema_file(Connection& c, const std::string& path) {
    std::vector<SqlSource> pieces;
    try {
        pieces = read_sql_script(path);
    } catch (const std::runtime_error& e) {
        throw CliError(kExitFailure, e.what());
    }
    for (const auto& piece : pieces)
        for (SqlStatement st : split_sql(piece.text)) {
            st.line += piece.first_line - 1;
            exec_located(c, st, piece.file);
        }
}

DiffOutcome run_schema_diff(Connection& c, const DiffRequest& r) {
    std::vector<MigrationFile> files;
    try {
        files = load_migrations(r.dir);
    } catch (const std::runtime_error& e) {
        throw CliError(kExitFailure, e.what());
    }
    std::vector<AppliedMigration> applied = read_applied(c);
    MigrationPlan plan = plan_migrations(files, applied);
    if (!plan.changed.empty())
        throw CliError(kExitFailure,
                       "the migrations in " + r.dir + " disagree with database \"" + c.database() +
                           "\": applied migrations were changed after they ran (checksum differs): " +
                           migration_names(plan.changed) +
                           "\nhint: restore the files as they were applied; a diff against changed files would "
                           "not describe the database");
    DiffOutcome out;
    if (!plan.missing.empty())
        out.warnings.push_back("database \"" + c.database() + "\" applied migrations that are not in " + r.dir +
                               ": " + migration_names(plan.missing));
    Schema current, desired;
    {
        ShadowDatabase shadow(c, "current");
        try {
            migrate(shadow.conn(), files, [](const std::string&) {});
        } catch (const CliError& e) {
            throw CliError(kExitFailure, "the migrations in " + r.dir + " do not build: " + e.what());
        }
        current = introspect_schema(shadow.conn());
    }
    {
        ShadowDatabase shadow(c, "desired");
        load_schema_file(shadow.conn(), r.schema_file);
        desired = introspect_schema(shadow.conn());
    }
    SchemaDiff d = diff_schemas(current, desired);
    if (d.empty()) return out;
    out.changes = true;
    std::string name = r.name.empty() ? "schema_changes" : r.name;
    std::vector<RenderedMigration> migrations =
        render_diff(d, name, r.allow_destructive, std::filesystem::path(r.schema_file).filename().string());
    for (const auto& w : d.review) out.warnings.push_back("review: " + w);
    std::size_t commented = 0;
    for (const auto& s : d.steps) commented += s.destructive && !r.allow_destructive;
    if (commented)
        out.warnings.push_back(std::to_string(commented) +
                               " destructive step(s) written commented out (--allow-destructive keeps them)");
    for (std::size_t i = 0; i < migrations.size(); ++i) {
        std::string file = next_migration_name(files, applied, migrations[i].description, int(i));
        std::string path = (std::filesystem::path(r.dir) / file).string();
        out.listing += "-- " + file + "\n" + migrations[i].content;
        if (i + 1 < migrations.size()) out.listing += "\n";
        if (r.dry_run) continue;
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << migrations[i].content;
        f.close();
        if (!f) throw CliError(kExitFailure, "cannot write " + path);
        out.written.push_back(path);
    }
    return out;
}

}  // namespace pothos::cli
