// The pothos-perf command's data access, over the client library's
// pothos::Connection / pothos::Result: connecting from DATABASE_URL / flags /
// the libpq environment, running statements, lenient value reads (NULL as
// 0 / "" / false), and errors as exceptions carrying the command's exit code.
#pragma once

#include <libpq-fe.h>

#include <pothos/connection.hpp>
#include <pothos/result.hpp>

#include "cli_error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pothos::cli {

class Result {
public:
    explicit Result(pothos::Result r) : r_(std::move(r)) {}
    int rows() const { return r_.rows(); }
    // True for NULL and for a row or column out of range (read as NULL).
    bool is_null(int row, int col) const;
    std::string text(int row, int col) const;
    std::int64_t int64(int row, int col) const;  // 0 when null
    double number(int row, int col) const;       // 0 when null
    bool boolean(int row, int col) const;
    // A column holding a JSON array of strings (array_to_json(text[])).
    std::vector<std::string> strings(int row, int col) const;

private:
    const char* raw_text(int row, int col) const;  // nullptr when is_null
    pothos::Result r_;
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
    std::string database() const { return PQdb(conn_->native()); }
    // The libpq connection (for PQconninfo, PQhost, ...): the client
    // connection's native handle.
    PGconn* raw() { return conn_->native(); }

    // Throws CliError(kExitNoExtension) saying how to install pothos_perf
    // when the extension is missing from this database or not preloaded.
    void require_extension();

    // Keeps this session's own statements out of pothos_perf's statistics and
    // N+1 findings (SET pothos_perf.track = none, n_plus_one = off). Those
    // settings are superuser-only: for other roles this does nothing.
    void exclude_own_statements();

private:
    std::unique_ptr<pothos::Connection> conn_;
};

}  // namespace pothos::cli
