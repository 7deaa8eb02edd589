// Connection: libpq in non-blocking mode with our own deadlines, a bounded
// cancel, typed parameters and session-change accounting.
#include <pothos/connection.hpp>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <libpq-fe.h>

#include <pothos/errors.hpp>

#include "cancel.hpp"
#include "pg_error.hpp"
#include "session_state.hpp"

namespace pothos {
namespace {

int remaining_ms(const Deadline& d) {
    if (!d.at) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*d.at - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left + 1, 1 << 30));
}

std::string trimmed_error(PGconn* c) {
    std::string s = c ? PQerrorMessage(c) : "out of memory";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

std::string ms(Millis d) { return std::to_string(d.count()) + " ms"; }

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

ErrorFields client_fields(std::string message, const std::string& statement) {
    ErrorFields f;
    f.message = std::move(message);
    f.statement = statement;
    return f;
}

// The error of an error result: a QueryTimeoutError when our deadline fired,
// we cancelled, and the server reports the cancel (57014).
std::exception_ptr result_error(const PGresult* r, PGconn* conn, const Deadline& d,
                                bool timed_out, const std::string& statement) {
    ErrorFields f = detail::error_fields(r, conn, statement);
    if (timed_out && f.sqlstate == "57014") {
        f.message = std::string("statement cancelled: ") + d.limit + " (" + ms(d.budget) + ") passed";
        return std::make_exception_ptr(QueryTimeoutError(std::move(f), d.limit, d.budget));
    }
    return detail::typed_error(std::move(f), PQstatus(conn) == CONNECTION_BAD);
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
    if (!raw) throw ConnectionError("could not allocate a connection");
    std::unique_ptr<Connection> conn(new Connection(raw, max_prepared));
    if (PQstatus(raw) == CONNECTION_BAD)
        throw ConnectionError("connection failed: " + trimmed_error(raw));
    const auto deadline = Clock::now() + timeout;
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED)
            throw ConnectionError("connection failed: " + trimmed_error(raw));
        pollfd p{PQsocket(raw), static_cast<short>(st == PGRES_POLLING_READING ? POLLIN : POLLOUT),
                 0};
        int n = ::poll(&p, 1, remaining_ms(Deadline(deadline)));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw ConnectionError(std::string("poll: ") + std::strerror(errno));
        if (n == 0)
            throw ConnectionError(
                "connection attempt timed out after create_timeout (" +
                ms(std::chrono::duration_cast<Millis>(timeout)) + ")");
        st = PQconnectPoll(raw);
    }
    if (PQsetnonblocking(raw, 1) != 0)
        throw ConnectionError("could not set non-blocking mode: " + trimmed_error(raw));
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
    return !broken_ && changes_ == 0 && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void Connection::note(const std::string& sql) noexcept {
    if (reset_mode_ == ResetMode::detected) changes_ |= detail::session_changes(sql);
    else if (reset_mode_ == ResetMode::always) changes_ = detail::kAllChanges;
}

void Connection::throw_connection_error(const char* what) {
    broken_ = true;
    throw ConnectionError(std::string(what) + ": " + trimmed_error(conn_));
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

bool Connection::cancel() noexcept {
    return detail::cancel_request(conn_, Clock::now() + cancel_timeout_);
}

// Flushes pending output and waits until input arrives (true) or the
// deadline passes (false).
bool Connection::await_input(const Deadline& deadline) {
    for (;;) {
        int f = PQflush(conn_);
        if (f < 0) throw_connection_error("could not send data");
        pollfd p{PQsocket(conn_), static_cast<short>(POLLIN | (f == 1 ? POLLOUT : 0)), 0};
        int n = ::poll(&p, 1, remaining_ms(deadline));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_connection_error("poll failed");
        if (n == 0) return false;
        if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
            if (!PQconsumeInput(conn_)) throw_connection_error("connection lost");
            return true;
        }
    }
}

// Waits for input. When the deadline passes the statement is cancelled; the
// cancel and the server's reply to it share one cancel_timeout, after which
// the connection is given up.
void Connection::wait_readable(Deadline& deadline, bool& timed_out, const std::string& statement) {
    while (!await_input(deadline)) {
        const std::string passed =
            std::string("statement cancelled: ") + deadline.limit + " (" + ms(deadline.budget) + ") passed";
        if (timed_out) {
            broken_ = true;
            throw QueryTimeoutError(
                client_fields(passed + " and the server did not stop it within cancel_timeout (" +
                                  ms(cancel_timeout_) + ")",
                              statement),
                "cancel_timeout", cancel_timeout_);
        }
        timed_out = true;
        const auto until = Clock::now() + cancel_timeout_;
        if (!detail::cancel_request(conn_, until)) {
            broken_ = true;
            throw QueryTimeoutError(
                client_fields(passed + "; the cancel request was not acknowledged within "
                                       "cancel_timeout (" + ms(cancel_timeout_) + ")",
                              statement),
                "cancel_timeout", cancel_timeout_);
        }
        deadline.at = until;
    }
}

Result Connection::collect(Deadline& deadline, const std::string& statement) {
    std::unique_ptr<PGresult, void (*)(PGresult*)> last(nullptr, PQclear), error(nullptr, PQclear);
    bool timed_out = false;
    for (;;) {
        while (PQisBusy(conn_)) wait_readable(deadline, timed_out, statement);  // results are owned
        PGresult* r = PQgetResult(conn_);
        if (!r) break;
        auto st = PQresultStatus(r);
        if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
            if (!error) error.reset(r); else PQclear(r);
        } else if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            PQclear(r);
            broken_ = true;
            throw UsageError("COPY is not supported by Connection::exec");
        } else {
            last.reset(r);
        }
    }
    if (error) {
        auto e = result_error(error.get(), conn_, deadline, timed_out, statement);
        note_error(error.get());
        std::rethrow_exception(e);
    }
    if (PQstatus(conn_) != CONNECTION_OK) throw_connection_error("connection lost");
    return Result(last.release());
}

Result Connection::exec(const std::string& sql, const Params& params, Deadline deadline) {
    if (broken()) throw ConnectionError("connection is broken");
    note(sql);
    const bool ok = params.empty() ? PQsendQuery(conn_, sql.c_str()) != 0
                                   : send_params(conn_, sql, params);
    if (!ok) send_failed();
    return collect(deadline, sql);
}

void Connection::exec_internal(const std::string& sql, Deadline deadline) {
    if (broken()) throw ConnectionError("connection is broken");
    if (!PQsendQuery(conn_, sql.c_str())) send_failed();
    collect(deadline, sql);
}

void Connection::reset(const std::string& init_sql, Deadline deadline) {
    std::string sql;
    if (in_transaction()) sql = "ROLLBACK; ";
    if (changes_ != 0) {
        std::vector<std::string> keep;
        prepared_.for_each_key([&](const std::string& name) { keep.push_back(name); });
        sql += detail::reset_statements(changes_, keep);
        sql += init_sql;
    }
    if (!sql.empty()) exec_internal(sql, deadline);
    changes_ = 0;
}

std::vector<BatchItem> Connection::pipeline(const std::vector<Statement>& statements, bool atomic,
                                            Deadline deadline) {
    if (broken()) throw ConnectionError("connection is broken");
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
        note(s.sql);
        if (!send_params(conn_, s.sql, s.params)) send_failed();
        if (!atomic && !PQpipelineSync(conn_)) send_failed();
    }
    if (atomic && !PQpipelineSync(conn_)) send_failed();

    const std::size_t syncs = atomic ? 1 : statements.size();
    std::size_t seen_syncs = 0, index = 0;
    bool have = false, timed_out = false;
    std::exception_ptr aborted;
    static const std::string kBatch = "(pipelined batch)";
    while (seen_syncs < syncs) {
        const std::string& current = index < statements.size() ? statements[index].sql : kBatch;
        while (PQisBusy(conn_)) wait_readable(deadline, timed_out, current);
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
            throw ConnectionError("pipeline: more results than statements");
        }
        have = true;
        if (st == PGRES_PIPELINE_ABORTED) {
            out[index].error = aborted ? aborted : std::make_exception_ptr(BatchAbortedError(index));
        } else if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) {
            out[index].error = result_error(r, conn_, deadline, timed_out, statements[index].sql);
            note_error(r);
            if (atomic) aborted = std::make_exception_ptr(BatchAbortedError(index));
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
    if (broken()) throw ConnectionError("connection is broken");
    if (batch_size == 0) batch_size = 1;
    note(sql);
    if (!send_params(conn_, sql, params)) send_failed();
    if (!PQsetSingleRowMode(conn_)) {
        cancel();
        broken_ = true;
        throw DatabaseError("could not enter single-row mode");
    }
    RowBatch batch;
    batch.rows.reserve(batch_size);
    bool timed_out = false, columns_known = false;
    std::exception_ptr error, callback_error;
    auto deliver = [&] {
        if (batch.rows.empty() || callback_error || error) return;
        try {
            on_batch(batch);
        } catch (...) {
            callback_error = std::current_exception();
            // Stop the server; the rows already sent are drained, for at
            // most cancel_timeout. Without an acknowledged cancel the
            // connection is given up at once.
            const auto until = Clock::now() + cancel_timeout_;
            if (!detail::cancel_request(conn_, until)) {
                broken_ = true;
                std::rethrow_exception(callback_error);
            }
            deadline = Deadline(until, "cancel_timeout", cancel_timeout_);
            timed_out = true;
        }
        batch.rows.clear();
    };
    for (;;) {
        try {
            while (PQisBusy(conn_)) wait_readable(deadline, timed_out, sql);
        } catch (const QueryTimeoutError&) {
            if (callback_error) {
                broken_ = true;
                std::rethrow_exception(callback_error);
            }
            throw;
        }
        PGresult* r = PQgetResult(conn_);
        if (!r) break;
        ResultGuard g{r};
        auto st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE) {
            if (error || callback_error) continue;
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
        } else if (!error && !callback_error) {
            error = result_error(r, conn_, deadline, timed_out, sql);
            note_error(r);
        }
    }
    if (PQstatus(conn_) != CONNECTION_OK) {
        if (callback_error) {
            broken_ = true;
            std::rethrow_exception(callback_error);
        }
        throw_connection_error("connection lost");
    }
    if (callback_error) std::rethrow_exception(callback_error);
    if (error) std::rethrow_exception(error);
}

void Connection::prepare_here(const std::string& name, const std::string& sql,
                              const Params& params, Deadline deadline) {
    ParamArrays a(params);  // binary parameters fix their types at prepare time
    if (!PQsendPrepare(conn_, name.c_str(), sql.c_str(), a.types() ? a.count() : 0, a.types()))
        send_failed();
    collect(deadline, sql);
    const unsigned changes = reset_mode_ == ResetMode::detected ? detail::session_changes(sql) : 0;
    if (auto evicted = prepared_.put(name, changes)) {
        // Best effort: a statement we cannot deallocate only costs server memory.
        try {
            exec_internal("DEALLOCATE " + quote_ident(evicted->first), deadline);
        } catch (const ConnectionError&) {
            throw;
        } catch (const DatabaseError&) {
        }
    }
}

Result Connection::exec_prepared(const std::string& name, const std::string& sql,
                                 const Params& params, Deadline deadline) {
    if (broken()) throw ConnectionError("connection is broken");
    for (int attempt = 0;; ++attempt) {
        const unsigned* changes = prepared_.find(name);
        if (!changes) {
            prepare_here(name, sql, params, deadline);
            changes = prepared_.find(name);
        }
        if (reset_mode_ == ResetMode::always) changes_ = detail::kAllChanges;
        else if (changes) changes_ |= *changes;
        ParamArrays a(params);
        if (!PQsendQueryPrepared(conn_, name.c_str(), a.count(), a.values(), a.lengths(),
                                 a.formats(), 0))
            send_failed();
        try {
            return collect(deadline, sql);
        } catch (const DatabaseError& e) {
            // 26000: the server lost the statement (DISCARD ALL, DEALLOCATE): re-prepare once.
            if (e.sqlstate() != "26000" || attempt > 0 || !idle()) throw;
            prepared_.erase(name);
        }
    }
}

bool Connection::ping(Deadline deadline) noexcept {
    try {
        if (broken() || !PQsendQuery(conn_, "")) {
            broken_ = true;
            return false;
        }
        for (;;) {
            while (PQisBusy(conn_)) {
                if (!await_input(deadline)) {
                    broken_ = true;  // no reply in time: the connection is given up, not cancelled
                    return false;
                }
            }
            PGresult* r = PQgetResult(conn_);
            if (!r) break;
            const auto st = PQresultStatus(r);
            PQclear(r);
            if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) broken_ = true;
        }
        return !broken();
    } catch (...) {
        broken_ = true;
        return false;
    }
}

}  // namespace pothos
