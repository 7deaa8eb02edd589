// Connection: libpq in non-blocking mode with our own deadlines and cancel.
#include <pothos/connection.hpp>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <libpq-fe.h>

#include <pothos/errors.hpp>

#include "pg_error.hpp"

namespace pothos {
namespace {

constexpr auto kCancelGrace = std::chrono::seconds(5);

int remaining_ms(const Deadline& d) {
    if (!d) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*d - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left + 1, 1 << 30));
}

std::string trimmed_error(PGconn* c) {
    std::string s = c ? PQerrorMessage(c) : "out of memory";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// Parameter arrays for PQsend*Params: values with their lengths, and formats
// and types only when some parameter is binary. Up to 8 parameters without
// a heap allocation.
class ParamArrays {
public:
    explicit ParamArrays(const Params& p) : n_(static_cast<int>(p.size())) {
        if (p.size() > kInline) {
            values_heap_.resize(p.size());
            lengths_heap_.resize(p.size());
            values_ = values_heap_.data();
            lengths_ = lengths_heap_.data();
        }
        for (std::size_t i = 0; i < p.size(); ++i) {
            values_[i] = p[i].is_null() ? nullptr : p[i].data().data();
            lengths_[i] = static_cast<int>(p[i].data().size());
            binary_ = binary_ || p[i].is_binary();
        }
        if (binary_) {
            formats_.resize(p.size());
            types_.resize(p.size());
            for (std::size_t i = 0; i < p.size(); ++i) {
                formats_[i] = p[i].is_binary() ? 1 : 0;
                types_[i] = p[i].type();
            }
        }
    }
    int count() const { return n_; }
    const char* const* values() const { return n_ ? values_ : nullptr; }
    const int* lengths() const { return n_ ? lengths_ : nullptr; }
    const int* formats() const { return binary_ ? formats_.data() : nullptr; }
    const Oid* types() const { return binary_ ? types_.data() : nullptr; }

private:
    static constexpr std::size_t kInline = 8;
    const char* values_inline_[kInline];
    int lengths_inline_[kInline];
    std::vector<const char*> values_heap_;
    std::vector<int> lengths_heap_;
    const char** values_ = values_inline_;
    int* lengths_ = lengths_inline_;
    std::vector<int> formats_;
    std::vector<Oid> types_;
    int n_;
    bool binary_ = false;
};

bool send_params(PGconn* c, const std::string& sql, const Params& params) {
    ParamArrays a(params);
    return PQsendQueryParams(c, sql.c_str(), a.count(), a.types(), a.values(), a.lengths(),
                             a.formats(), 0) != 0;
}

struct ResultGuard {
    PGresult* r;
    ~ResultGuard() { if (r) PQclear(r); }
};

std::string quote_ident(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + '"';
}

}  // namespace

const Result& BatchItem::value() const {
    if (error) std::rethrow_exception(error);
    return result;
}

Connection::Connection(PGconn* conn, std::size_t max_prepared)
    : conn_(conn), prepared_(max_prepared) {}

Connection::~Connection() { PQfinish(conn_); }

std::unique_ptr<Connection> Connection::open(const std::string& conninfo, Clock::duration timeout,
                                             std::size_t max_prepared) {
    PGconn* raw = PQconnectStart(conninfo.c_str());
    if (!raw) throw ConnectionError("could not allocate a connection", "08001");
    std::unique_ptr<Connection> conn(new Connection(raw, max_prepared));
    if (PQstatus(raw) == CONNECTION_BAD)
        throw ConnectionError("connection failed: " + trimmed_error(raw), "08001");
    const auto deadline = Clock::now() + timeout;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED)
            throw ConnectionError("connection failed: " + trimmed_error(raw), "08001");
        pollfd p{PQsocket(raw), static_cast<short>(st == PGRES_POLLING_READING ? POLLIN : POLLOUT),
                 0};
        int wait = remaining_ms(deadline);
        int n = wait == 0 ? 0 : ::poll(&p, 1, wait);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw ConnectionError(std::string("poll: ") + std::strerror(errno), "08001");
        if (n == 0)
            throw ConnectionError(
                "connection attempt timed out after create_timeout (" +
                    std::to_string(
                        std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
                    " ms)",
                "08001");
        st = PQconnectPoll(raw);
    }
    if (PQsetnonblocking(raw, 1) != 0)
        throw ConnectionError("could not set non-blocking mode: " + trimmed_error(raw), "08001");
    return conn;
}

int Connection::backend_pid() const noexcept { return PQbackendPID(conn_); }

bool Connection::broken() const noexcept { return broken_ || PQstatus(conn_) != CONNECTION_OK; }

bool Connection::in_transaction() const noexcept {
    auto s = PQtransactionStatus(conn_);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

bool Connection::idle() const noexcept { return PQtransactionStatus(conn_) == PQTRANS_IDLE; }

// PQtransactionStatus is PQTRANS_UNKNOWN for a bad connection.
bool Connection::reusable() const noexcept {
    return !broken_ && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void Connection::throw_connection_error(const char* what) {
    broken_ = true;
    throw ConnectionError(std::string(what) + ": " + trimmed_error(conn_), "08006");
}

// A connection-class SQLSTATE (08xxx, 57P01..57P03) means the server is
// closing this session even if libpq has not seen the socket close yet.
void Connection::note_error(const pg_result* res) noexcept {
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (PQstatus(conn_) != CONNECTION_OK || (state && is_connection_sqlstate(state))) broken_ = true;
}

void Connection::send_failed() {
    if (PQstatus(conn_) != CONNECTION_OK) throw_connection_error("could not send statement");
    throw DatabaseError("could not send statement: " + trimmed_error(conn_));
}

void Connection::cancel() noexcept {
    if (PGcancel* c = PQgetCancel(conn_)) {
        char err[256];
        PQcancel(c, err, sizeof err);
        PQfreeCancel(c);
    }
}

// Waits for input once (flushing pending output first). When the deadline
// passes, the running statement is cancelled and a grace period begins.
void Connection::wait_readable(Deadline& deadline, bool& timed_out) {
    for (;;) {
        int f = PQflush(conn_);
        if (f < 0) throw_connection_error("could not send data");
        pollfd p{PQsocket(conn_), static_cast<short>(POLLIN | (f == 1 ? POLLOUT : 0)), 0};
        int wait = remaining_ms(deadline);
        int n = wait == 0 ? 0 : ::poll(&p, 1, wait);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_connection_error("poll failed");
        if (n == 0) {
            if (timed_out) {
                // The server did not answer the cancel either: give the connection up.
                broken_ = true;
                throw QueryTimeoutError("statement cancelled: client deadline passed and the "
                                        "server did not respond to the cancel",
                                        "57014");
            }
            timed_out = true;
            cancel();
            deadline = Clock::now() + kCancelGrace;
            continue;
        }
        if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
            if (!PQconsumeInput(conn_)) throw_connection_error("connection lost");
            return;
        }
    }
}

Result Connection::collect(Deadline& deadline, bool& timed_out) {
    std::unique_ptr<PGresult, void (*)(PGresult*)> last(nullptr, PQclear), error(nullptr, PQclear);
    for (;;) {
        while (PQisBusy(conn_)) wait_readable(deadline, timed_out);  // may throw: results are owned
        PGresult* r = PQgetResult(conn_);
        if (!r) break;
        auto st = PQresultStatus(r);
        if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
            if (!error) error.reset(r); else PQclear(r);
        } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            PQclear(r);
            broken_ = true;
            throw DatabaseError("COPY is not supported by Connection::exec");
        } else {
            last.reset(r);
        }
    }
    if (error) {
        auto e = detail::error_from_result(error.get(), conn_, timed_out);
        note_error(error.get());
        std::rethrow_exception(e);
    }
    if (PQstatus(conn_) != CONNECTION_OK) throw_connection_error("connection lost");
    return Result(last.release());
}

Result Connection::exec(const std::string& sql, const Params& params, Deadline deadline) {
    if (broken()) throw ConnectionError("connection is broken", "08003");
    int ok;
    if (params.empty()) {
        ok = PQsendQuery(conn_, sql.c_str());
    } else {
        ok = send_params(conn_, sql, params);
    }
    if (!ok) send_failed();
    bool timed_out = false;
    return collect(deadline, timed_out);
}

std::vector<BatchItem> Connection::pipeline(const std::vector<Statement>& statements, bool atomic,
                                            Deadline deadline) {
    if (broken()) throw ConnectionError("connection is broken", "08003");
    std::vector<BatchItem> out(statements.size());
    if (statements.empty()) return out;
    if (!PQenterPipelineMode(conn_)) send_failed();
    struct Exit {
        Connection* self;
        ~Exit() {
            if (!PQexitPipelineMode(self->conn_)) self->broken_ = true;
        }
    } exit_guard{this};
    for (const auto& s : statements) {
        if (!send_params(conn_, s.sql, s.params)) send_failed();
        if (!atomic && !PQpipelineSync(conn_)) send_failed();
    }
    if (atomic && !PQpipelineSync(conn_)) send_failed();

    const std::size_t syncs = atomic ? 1 : statements.size();
    std::size_t seen_syncs = 0, index = 0;
    bool have = false, timed_out = false;
    std::exception_ptr aborted;
    while (seen_syncs < syncs) {
        while (PQisBusy(conn_)) wait_readable(deadline, timed_out);
        PGresult* r = PQgetResult(conn_);
        if (!r) {  // end of one statement's results
            if (have) {
                ++index;
                have = false;
            }
            continue;
        }
        ResultGuard g{r};
        auto st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            ++seen_syncs;
            continue;
        }
        if (index >= out.size()) {
            broken_ = true;
            throw DatabaseError("pipeline: more results than statements");
        }
        have = true;
        if (st == PGRES_PIPELINE_ABORTED) {
            out[index].error = aborted ? aborted
                                       : std::make_exception_ptr(DatabaseError(
                                             "statement not run: an earlier statement of the "
                                             "batch failed",
                                             "25P02"));
        } else if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
            out[index].error = detail::error_from_result(r, conn_, timed_out);
            note_error(r);
            if (atomic)
                aborted = std::make_exception_ptr(DatabaseError(
                    "statement not run: statement " + std::to_string(index + 1) +
                        " of the batch failed",
                    "25P02"));
        } else {
            out[index].result = Result(r);
            g.r = nullptr;
        }
    }
    if (PQstatus(conn_) != CONNECTION_OK) throw_connection_error("connection lost");
    return out;
}

void Connection::stream(const std::string& sql, const Params& params, std::size_t batch_size,
                        const std::function<void(const RowBatch&)>& on_batch, Deadline deadline) {
    if (broken()) throw ConnectionError("connection is broken", "08003");
    if (batch_size == 0) batch_size = 1;
    if (!send_params(conn_, sql, params)) send_failed();
    if (!PQsetSingleRowMode(conn_)) {
        cancel();
        broken_ = true;
        throw DatabaseError("could not enter single-row mode");
    }
    RowBatch batch;
    batch.rows.reserve(batch_size);
    bool timed_out = false, columns_known = false;
    std::exception_ptr error;
    auto deliver = [&] {
        if (batch.rows.empty() || error) return;
        try {
            on_batch(batch);
        } catch (...) {
            error = std::current_exception();
            cancel();  // stop the server; the remaining rows are drained below
        }
        batch.rows.clear();
    };
    for (;;) {
        while (PQisBusy(conn_)) wait_readable(deadline, timed_out);
        PGresult* r = PQgetResult(conn_);
        if (!r) break;
        ResultGuard g{r};
        auto st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            if (error) continue;
            if (!columns_known) {
                for (int c = 0; c < PQnfields(r); ++c) batch.columns.emplace_back(PQfname(r, c));
                columns_known = true;
            }
            std::vector<std::optional<std::string>> row;
            row.reserve(PQnfields(r));
            for (int c = 0; c < PQnfields(r); ++c) {
                if (PQgetisnull(r, 0, c)) row.emplace_back(std::nullopt);
                else row.emplace_back(std::in_place, PQgetvalue(r, 0, c), PQgetlength(r, 0, c));
            }
            batch.rows.push_back(std::move(row));
            if (batch.rows.size() >= batch_size) deliver();
        } else if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            deliver();
        } else if (!error) {
            error = detail::error_from_result(r, conn_, timed_out);
            note_error(r);
        }
    }
    if (PQstatus(conn_) != CONNECTION_OK) throw_connection_error("connection lost");
    if (error) std::rethrow_exception(error);
}

void Connection::prepare_here(const std::string& name, const std::string& sql,
                              const Params& params, Deadline deadline) {
    ParamArrays a(params);  // binary parameters fix their types at prepare time
    if (!PQsendPrepare(conn_, name.c_str(), sql.c_str(), a.types() ? a.count() : 0, a.types()))
        send_failed();
    bool timed_out = false;
    collect(deadline, timed_out);
    if (auto evicted = prepared_.put(name, true)) {
        // Best effort: a statement we cannot deallocate only costs server memory.
        try {
            exec("DEALLOCATE " + quote_ident(evicted->first), {}, deadline);
        } catch (const ConnectionError&) {
            throw;
        } catch (const DatabaseError&) {
        }
    }
}

Result Connection::exec_prepared(const std::string& name, const std::string& sql,
                                 const Params& params, Deadline deadline) {
    if (broken()) throw ConnectionError("connection is broken", "08003");
    for (int attempt = 0;; ++attempt) {
        if (!prepared_.find(name)) prepare_here(name, sql, params, deadline);
        ParamArrays a(params);
        if (!PQsendQueryPrepared(conn_, name.c_str(), a.count(), a.values(), a.lengths(),
                                 a.formats(), 0))
            send_failed();
        bool timed_out = false;
        try {
            return collect(deadline, timed_out);
        } catch (const DatabaseError& e) {
            // 26000: the server lost the statement (DISCARD ALL, DEALLOCATE): re-prepare once.
            if (e.sqlstate() != "26000" || attempt > 0 || !idle()) throw;
            prepared_.erase(name);
        }
    }
}

bool Connection::ping(Deadline deadline) noexcept {
    try {
        exec("", {}, deadline);
        return !broken();
    } catch (...) {
        broken_ = true;
        return false;
    }
}

}  // namespace pothos
