// One libpq connection, used in non-blocking mode: every wait is a poll() with
// our own deadline, and a statement whose deadline passes is cancelled.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pothos/lru.hpp>
#include <pothos/params.hpp>
#include <pothos/result.hpp>

struct pg_conn;
struct pg_result;

namespace pothos {

using Clock = std::chrono::steady_clock;
using Deadline = std::optional<Clock::time_point>;

// The outcome of one statement of a batch: a result or the error it raised.
struct BatchItem {
    Result result;
    std::exception_ptr error;
    bool ok() const noexcept { return !error; }
    const Result& value() const;  // rethrows error
};

// Rows delivered by stream(), at most batch_size of them at a time.
struct RowBatch {
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;
};

class Connection {
public:
    // Connects with PQconnectStart/PQconnectPoll; throws ConnectionError when the
    // attempt fails or takes longer than timeout.
    static std::unique_ptr<Connection> open(const std::string& conninfo,
                                            Clock::duration timeout,
                                            std::size_t max_prepared = 100);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    pg_conn* native() const noexcept { return conn_; }
    int backend_pid() const noexcept;
    bool broken() const noexcept;           // failed or CONNECTION_BAD
    void mark_broken() noexcept { broken_ = true; }
    bool in_transaction() const noexcept;   // idle in (failed) transaction
    bool idle() const noexcept;             // no transaction, no command running
    bool reusable() const noexcept;         // not broken and idle (one libpq call)

    // One statement (simple protocol when params is empty). Typed errors.
    Result exec(const std::string& sql, const Params& params = {}, Deadline deadline = {});
    // Statements sent in one round trip with pipeline mode. With atomic, one
    // sync at the end (statements after a failure are reported as aborted);
    // otherwise each statement is its own implicit transaction.
    std::vector<BatchItem> pipeline(const std::vector<Statement>& statements, bool atomic,
                                    Deadline deadline = {});
    // Rows in batches of batch_size via single-row mode; never holds the whole result.
    void stream(const std::string& sql, const Params& params, std::size_t batch_size,
                const std::function<void(const RowBatch&)>& on_batch, Deadline deadline = {});
    // Executes a named statement, preparing it on this connection when needed
    // (per-connection LRU; re-prepared when the server no longer knows it).
    Result exec_prepared(const std::string& name, const std::string& sql, const Params& params,
                         Deadline deadline = {});
    bool is_prepared(const std::string& name) const { return prepared_.contains(name); }
    std::size_t prepared_count() const noexcept { return prepared_.size(); }
    // Quick liveness check: one empty query round trip.
    bool ping(Deadline deadline) noexcept;

private:
    explicit Connection(pg_conn* conn, std::size_t max_prepared);
    void send_failed();
    void note_error(const pg_result* res) noexcept;
    bool wait_idle(Deadline& deadline, bool& timed_out);
    void wait_readable(Deadline& deadline, bool& timed_out);
    void cancel() noexcept;
    Result collect(Deadline& deadline, bool& timed_out);
    void prepare_here(const std::string& name, const std::string& sql, const Params& params,
                      Deadline deadline);
    [[noreturn]] void throw_connection_error(const char* what);

    pg_conn* conn_;
    bool broken_ = false;
    LruMap<std::string, bool> prepared_;
};

}  // namespace pothos
