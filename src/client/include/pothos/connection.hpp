// One libpq connection, used in non-blocking mode: every wait is a poll()
// with our own deadline, a statement whose deadline passes is cancelled, and
// the cancel itself is bounded (cancel_timeout): a server that does not
// answer it costs the connection, never an unbounded wait.
//
// The connection also records which session state its statements may have
// changed (reset.hpp), so a pool can restore exactly that on release.
//
// Thread safety: none. A Connection is used by one thread at a time (the
// holder of its lease); it may move between threads.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pothos/deadline.hpp>
#include <pothos/lru.hpp>
#include <pothos/params.hpp>
#include <pothos/reset.hpp>
#include <pothos/result.hpp>

struct pg_conn;
struct pg_result;

namespace pothos {

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
    // Not broken, idle, and no session state changed since the last reset.
    bool reusable() const noexcept;

    // How long a cancel (sending it and waiting for the server to stop the
    // statement) may take before the connection is given up. Default 2 s.
    void set_cancel_timeout(Millis timeout) noexcept { cancel_timeout_ = timeout; }
    Millis cancel_timeout() const noexcept { return cancel_timeout_; }
    // How statements are accounted for session changes (reset.hpp).
    void set_reset_mode(ResetMode mode) noexcept { reset_mode_ = mode; }
    // The session state statements may have changed since the last reset
    // (detail::SessionChange bits); 0 when there is nothing to reset.
    unsigned session_changes() const noexcept { return changes_; }

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

    // Quick liveness check: one empty query round trip. No cancel: when the
    // deadline passes the connection is marked broken and false returned.
    bool ping(Deadline deadline) noexcept;
    // Runs sql without accounting it as a session change (init statements).
    void exec_internal(const std::string& sql, Deadline deadline);
    // ROLLBACK an open transaction, undo the recorded session changes (the
    // library's prepared statements stay) and run init_sql again if anything
    // was reset. Throws on failure (the caller discards the connection).
    void reset(const std::string& init_sql, Deadline deadline);

private:
    explicit Connection(pg_conn* conn, std::size_t max_prepared);
    void note(const std::string& sql) noexcept;
    void send_failed();
    void note_error(const pg_result* res) noexcept;
    bool await_input(const Deadline& deadline);
    void wait_readable(Deadline& deadline, bool& timed_out, const std::string& statement);
    bool cancel() noexcept;
    Result collect(Deadline& deadline, const std::string& statement);
    void prepare_here(const std::string& name, const std::string& sql, const Params& params,
                      Deadline deadline);
    [[noreturn]] void throw_connection_error(const char* what);

    pg_conn* conn_;
    bool broken_ = false;
    ResetMode reset_mode_ = ResetMode::detected;
    unsigned changes_ = 0;
    Millis cancel_timeout_{2000};
    LruMap<std::string, unsigned> prepared_;  // name -> session changes of its SQL
};

}  // namespace pothos
