#include "pg.hpp"

#include <cstdlib>

#include "json_doc.hpp"

namespace pothos::cli {
namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

PGconn* open(const ConnectOptions& o) {
    std::vector<const char*> keys, vals;
    const char* url = std::getenv("DATABASE_URL");
    // -d wins over DATABASE_URL; either may be a conninfo string or a URI.
    std::string dbname = !o.dbname.empty() ? o.dbname : (url && *url ? url : "");
    if (!dbname.empty()) { keys.push_back("dbname"); vals.push_back(dbname.c_str()); }
    if (!o.host.empty()) { keys.push_back("host"); vals.push_back(o.host.c_str()); }
    if (!o.port.empty()) { keys.push_back("port"); vals.push_back(o.port.c_str()); }
    if (!o.user.empty()) { keys.push_back("user"); vals.push_back(o.user.c_str()); }
    keys.push_back("fallback_application_name"); vals.push_back("pothos-perf");
    if (!std::getenv("PGCONNECT_TIMEOUT")) { keys.push_back("connect_timeout"); vals.push_back("10"); }
    keys.push_back(nullptr); vals.push_back(nullptr);
    return PQconnectdbParams(keys.data(), vals.data(), 1);
}

}  // namespace

std::string Result::text(int row, int col) const {
    if (PQgetisnull(r_.get(), row, col)) return {};
    return PQgetvalue(r_.get(), row, col);
}

std::int64_t Result::int64(int row, int col) const {
    if (is_null(row, col)) return 0;
    return std::strtoll(PQgetvalue(r_.get(), row, col), nullptr, 10);
}

double Result::number(int row, int col) const {
    if (is_null(row, col)) return 0;
    return std::strtod(PQgetvalue(r_.get(), row, col), nullptr);
}

bool Result::boolean(int row, int col) const {
    return !is_null(row, col) && PQgetvalue(r_.get(), row, col)[0] == 't';
}

std::vector<std::string> Result::strings(int row, int col) const {
    std::vector<std::string> out;
    if (is_null(row, col)) return out;
    auto v = parse_json(PQgetvalue(r_.get(), row, col));
    if (!v || !v->is_array()) return out;
    for (const auto& item : *v)
        if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

Connection::Connection(const ConnectOptions& opts) : conn_(open(opts), &PQfinish) {
    if (!conn_) throw CliError(kExitConnect, "cannot connect: out of memory");
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
        std::string msg = trim(PQerrorMessage(conn_.get()));
        throw CliError(kExitConnect,
                       "cannot connect to the database server: " + msg +
                           "\nhint: set DATABASE_URL (postgresql://user@host:port/dbname) or pass "
                           "-h HOST -p PORT -U USER -d DBNAME; check that the server is running and "
                           "that the database and the role exist");
    }
}

Result Connection::exec(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* r = params.empty()
                      ? PQexec(conn_.get(), sql.c_str())
                      : PQexecParams(conn_.get(), sql.c_str(), int(values.size()), nullptr,
                                     values.data(), nullptr, nullptr, 0);
    Result res(r);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && st != PGRES_EMPTY_QUERY) {
        std::string msg;
        if (const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr) {
            msg = primary;
            if (const char* d = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL)) msg += std::string("\ndetail: ") + d;
            if (const char* h = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT)) msg += std::string("\nhint: ") + h;
        } else {
            msg = trim(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_.get()));
        }
        if (PQstatus(conn_.get()) != CONNECTION_OK)
            throw CliError(kExitConnect, "lost the connection to the server: " + msg);
        throw CliError(kExitFailure, msg.empty() ? "query failed" : msg);
    }
    return res;
}

std::optional<std::string> Connection::try_exec(const std::string& sql) {
    try {
        exec(sql);
        return std::nullopt;
    } catch (const CliError& e) {
        return std::string(e.what());
    }
}

void Connection::exclude_own_statements() {
    // The server reports is_superuser at connection time: no query needed.
    const char* su = PQparameterStatus(conn_.get(), "is_superuser");
    if (!su || std::string(su) != "on") return;
    // One statement, so at most this one is recorded.
    try_exec("SELECT set_config('pothos_perf.track', 'none', false),"
             "       set_config('pothos_perf.n_plus_one', 'off', false)");
}

void Connection::require_extension() {
    const std::string how =
        "\nhint: install it with\n"
        "  1. shared_preload_libraries = 'pothos_perf' in postgresql.conf, then restart the server\n"
        "  2. CREATE EXTENSION pothos_perf;   -- in this database, as a superuser";
    Result r = exec(
        "SELECT (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'pothos_perf'),"
        "       current_setting('shared_preload_libraries') ~ '(^|[ ,])\"?pothos_perf\"?($|[ ,])'");
    if (r.is_null(0, 0))
        throw CliError(kExitNoExtension, "the pothos_perf extension is not installed in database \"" +
                                             database() + "\"" + how);
    if (!r.boolean(0, 1))
        throw CliError(kExitNoExtension,
                       "pothos_perf is installed in database \"" + database() +
                           "\" but not loaded by the server (it is missing from "
                           "shared_preload_libraries)" + how);
}

}  // namespace pothos::cli
