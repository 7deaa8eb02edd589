#include "pg.hpp"

#include <chrono>
#include <cstdlib>
#include <utility>

#include <pothos/errors.hpp>
#include <pothos/params.hpp>

#include "json_doc.hpp"

namespace pothos::cli {
namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// A conninfo value, quoted for a key=value connection string.
std::string quoted(const std::string& v) {
    std::string out = "'";
    for (char c : v) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    return out + "'";
}

// libpq's test for a dbname that is itself a connection string (what
// PQconnectdbParams expands with expand_dbname).
bool is_connection_string(const std::string& s) {
    return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0 ||
           s.find('=') != std::string::npos;
}

// The connection string: -d (or DATABASE_URL, either a conninfo string or a
// URI) expanded first, then -h/-p/-U over it; the libpq environment fills
// in the rest when connecting.
std::string conninfo(const ConnectOptions& o) {
    const char* url = std::getenv("DATABASE_URL");
    // -d wins over DATABASE_URL.
    std::string dbname = !o.dbname.empty() ? o.dbname : (url && *url ? url : "");
    std::vector<std::pair<std::string, std::string>> kv;
    if (is_connection_string(dbname)) {
        char* err = nullptr;
        PQconninfoOption* opts = PQconninfoParse(dbname.c_str(), &err);
        if (!opts) {
            std::string msg = err ? trim(err) : "out of memory";
            PQfreemem(err);
            throw CliError(kExitConnect, "cannot connect to the database server: invalid connection "
                                         "string: " + msg);
        }
        for (PQconninfoOption* p = opts; p->keyword; ++p)
            if (p->val) kv.emplace_back(p->keyword, p->val);
        PQconninfoFree(opts);
    } else if (!dbname.empty()) {
        kv.emplace_back("dbname", dbname);
    }
    auto set = [&](const std::string& key, const std::string& value) {
        for (auto& [k, v] : kv)
            if (k == key) { v = value; return; }
        kv.emplace_back(key, value);
    };
    if (!o.host.empty()) set("host", o.host);
    if (!o.port.empty()) set("port", o.port);
    if (!o.user.empty()) set("user", o.user);
    set("fallback_application_name", "pothos-perf");
    std::string out;
    for (const auto& [k, v] : kv) out += (out.empty() ? "" : " ") + k + "=" + quoted(v);
    return out;
}

// libpq leaves connect_timeout to the caller of PQconnectStart: the client
// library's open() enforces it. PGCONNECT_TIMEOUT or the connection string's
// connect_timeout (seconds, 0 or less: none), else 10 s.
std::chrono::seconds connect_timeout(const std::string& info) {
    std::string value;
    if (const char* env = std::getenv("PGCONNECT_TIMEOUT")) value = env;
    if (PQconninfoOption* opts = PQconninfoParse(info.c_str(), nullptr)) {
        for (PQconninfoOption* p = opts; p->keyword; ++p)
            if (std::string(p->keyword) == "connect_timeout" && p->val) value = p->val;
        PQconninfoFree(opts);
    }
    if (value.empty()) return std::chrono::seconds(10);
    long s = std::strtol(value.c_str(), nullptr, 10);
    if (s <= 0) return std::chrono::hours(24 * 365);
    return std::chrono::seconds(s < 2 ? 2 : s);  // libpq's minimum
}

}  // namespace

bool Result::is_null(int row, int col) const {
    if (row < 0 || row >= r_.rows() || col < 0 || col >= r_.columns()) return true;
    return r_.is_null(row, col);
}

// The value's text, NUL-terminated inside the PGresult.
const char* Result::raw_text(int row, int col) const {
    if (is_null(row, col)) return nullptr;
    return r_.get<std::string_view>(row, col).data();
}

std::string Result::text(int row, int col) const {
    const char* v = raw_text(row, col);
    return v ? v : std::string();
}

std::int64_t Result::int64(int row, int col) const {
    const char* v = raw_text(row, col);
    return v ? std::strtoll(v, nullptr, 10) : 0;
}

double Result::number(int row, int col) const {
    const char* v = raw_text(row, col);
    return v ? std::strtod(v, nullptr) : 0;
}

bool Result::boolean(int row, int col) const {
    const char* v = raw_text(row, col);
    return v && v[0] == 't';
}

std::vector<std::string> Result::strings(int row, int col) const {
    std::vector<std::string> out;
    const char* v = raw_text(row, col);
    if (!v) return out;
    auto doc = parse_json(v);
    if (!doc || !doc->is_array()) return out;
    for (const auto& item : *doc)
        if (item.is_string()) out.push_back(item.get<std::string>());
    return out;
}

Connection::Connection(const ConnectOptions& opts) {
    const std::string info = conninfo(opts);
    try {
        conn_ = pothos::Connection::open(info, connect_timeout(info));
    } catch (const pothos::Error& e) {
        std::string msg = e.what();
        // libpq's own message, without the client library's prefix; its
        // deadline in the words libpq uses for connect_timeout.
        const std::string prefix = "connection failed: ";
        if (msg.rfind(prefix, 0) == 0) msg.erase(0, prefix.size());
        if (msg.rfind("connection attempt timed out", 0) == 0)
            msg = "timeout expired (connect_timeout " +
                  std::to_string(connect_timeout(info).count()) + " s)";
        throw CliError(kExitConnect,
                       "cannot connect to the database server: " + msg +
                           "\nhint: set DATABASE_URL (postgresql://user@host:port/dbname) or pass "
                           "-h HOST -p PORT -U USER -d DBNAME; check that the server is running and "
                           "that the database and the role exist");
    }
}

Result Connection::exec(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    pothos::Params values;
    for (const auto& p : params) values.push_back(p ? pothos::Param::text(*p) : pothos::Param());
    std::string msg;
    try {
        return Result(conn_->exec(sql, values));
    } catch (const pothos::DatabaseError& e) {
        msg = e.message();
        // A socket found closed: libpq's message, without the client library's prefix.
        const std::string prefix = "connection lost: ";
        if (e.sqlstate().empty() && msg.rfind(prefix, 0) == 0) msg.erase(0, prefix.size());
        if (!e.detail().empty()) msg += "\ndetail: " + e.detail();
        if (!e.hint().empty()) msg += "\nhint: " + e.hint();
    } catch (const pothos::Error& e) {
        msg = e.what();
    }
    if (PQstatus(conn_->native()) != CONNECTION_OK)
        throw CliError(kExitConnect, "lost the connection to the server: " + msg);
    throw CliError(kExitFailure, msg.empty() ? "query failed" : msg);
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
    const char* su = PQparameterStatus(conn_->native(), "is_superuser");
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
