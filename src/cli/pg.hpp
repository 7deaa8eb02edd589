// A thin RAII layer over libpq for the pothos-perf command: connecting from
// DATABASE_URL / flags / the libpq environment, running statements, and
// errors as exceptions carrying the command's exit code.
#pragma once

#include <libpq-fe.h>

#include "cli_error.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pothos::cli {

class Result {
public:
    explicit Result(PGresult* r) : r_(r, &PQclear) {}
    int rows() const { return PQntuples(r_.get()); }
    bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col); }
    std::string text(int row, int col) const;
    std::int64_t int64(int row, int col) const;  // 0 when null
    double number(int row, int col) const;       // 0 when null
    bool boolean(int row, int col) const;
    // A column holding a JSON array of strings (array_to_json(text[])).
    std::vector<std::string> strings(int row, int col) const;

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

class Connection {
public:
    // Connects; throws CliError(kExitConnect) with libpq's message and a hint.
    explicit Connection(const ConnectOptions& opts);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one statement (or several, simple protocol) with text parameters;
    // throws CliError(kExitFailure) with the server's message.
    Result exec(const std::string& sql, const std::vector<std::optional<std::string>>& params = {});
    // Like exec but returns the error message instead of throwing.
    std::optional<std::string> try_exec(const std::string& sql);
    std::string database() const { return PQdb(conn_.get()); }
    PGconn* raw() { return conn_.get(); }

    // Throws CliError(kExitNoExtension) saying how to install pothos_perf
    // when the extension is missing from this database or not preloaded.
    void require_extension();

    // Keeps this session's own statements out of pothos_perf's statistics and
    // N+1 findings (SET pothos_perf.track = none, n_plus_one = off). Those
    // settings are superuser-only: for other roles this does nothing.
    void exclude_own_statements();

private:
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace pothos::cli
