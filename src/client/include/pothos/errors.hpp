// Typed errors of the client library, meant to be dispatched on by type.
//
// Two families share the base pothos::Error:
//  - DatabaseError: the server refused a statement, or the connection to it
//    failed. sqlstate() is exactly what the server sent, and empty when the
//    failure was seen on the client side (a lost socket, our own deadline
//    without a reply to the cancel). Subclasses follow the SQLSTATE classes
//    retry code cares about (integrity 23, transaction rollback 40 with its
//    serialization and deadlock cases, connection 08, in doubt 08007), so
//    nobody needs to compare "40001" strings. The server's diagnostic fields
//    (detail, hint, schema, table, column, datatype, constraint) and the
//    statement that failed come with it.
//  - Library errors: UsageError, ConversionError, PoolTimeoutError,
//    PoolClosingError, ConfigError, BatchAbortedError. Raised by this library
//    itself, they never carry a SQLSTATE, so a server error is never confused
//    with one of ours.
//
// Thread safety: every error is immutable once thrown; reading one from
// several threads (e.g. a shared_future's stored exception) is safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

#include <pothos/pool_stats.hpp>

namespace pothos {

// Base of every exception the library throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The fields of a server error (PQresultErrorField) plus the statement sent.
struct ErrorFields {
    std::string sqlstate;    // empty: detected on the client side
    std::string message;     // primary message
    std::string detail, hint;
    std::string schema, table, column, datatype, constraint;
    std::string statement;   // the SQL text the library sent (empty if none)
};

class DatabaseError : public Error {
public:
    explicit DatabaseError(ErrorFields fields);
    // A failure without server fields (client side): message only.
    explicit DatabaseError(const std::string& message);

    const std::string& sqlstate() const noexcept { return f_.sqlstate; }
    const std::string& message() const noexcept { return f_.message; }
    const std::string& detail() const noexcept { return f_.detail; }
    const std::string& hint() const noexcept { return f_.hint; }
    const std::string& schema() const noexcept { return f_.schema; }
    const std::string& table() const noexcept { return f_.table; }
    const std::string& column() const noexcept { return f_.column; }
    const std::string& datatype() const noexcept { return f_.datatype; }
    const std::string& constraint() const noexcept { return f_.constraint; }
    const std::string& statement() const noexcept { return f_.statement; }
    const ErrorFields& fields() const noexcept { return f_; }

private:
    ErrorFields f_;
};

// SQLSTATE class 23: a constraint refused the data.
class IntegrityError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};
class UniqueConstraintError : public IntegrityError {  // 23505
public:
    using IntegrityError::IntegrityError;
};
class ForeignKeyConstraintError : public IntegrityError {  // 23503
public:
    using IntegrityError::IntegrityError;
};
class NotNullConstraintError : public IntegrityError {  // 23502
public:
    using IntegrityError::IntegrityError;
};
class CheckConstraintError : public IntegrityError {  // 23514
public:
    using IntegrityError::IntegrityError;
};

// SQLSTATE class 40: the server rolled the transaction back; running it
// again may succeed for the two subclasses.
class TransactionRollbackError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};
class SerializationError : public TransactionRollbackError {  // 40001
public:
    using TransactionRollbackError::TransactionRollbackError;
};
class DeadlockError : public TransactionRollbackError {  // 40P01
public:
    using TransactionRollbackError::TransactionRollbackError;
};

// The connection could not be made or broke: SQLSTATE class 08 (but 08007),
// 57P01..57P03, or a socket libpq found closed (sqlstate() empty).
class ConnectionError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};

// Whether the transaction committed is unknown: the connection was lost
// while COMMIT was under way, or the server said 08007. Never retry blindly.
class InDoubtError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};

// Our own deadline passed and the statement was cancelled. limit() names the
// limit that fired ("timeout" of QueryOptions, "cancel_timeout" when the
// server did not answer the cancel either) and timeout() its value.
// sqlstate() is the server's 57014 when it acknowledged the cancel.
class QueryTimeoutError : public DatabaseError {
public:
    QueryTimeoutError(ErrorFields fields, std::string limit, std::chrono::milliseconds timeout);
    const std::string& limit() const noexcept { return limit_; }
    std::chrono::milliseconds timeout() const noexcept { return timeout_; }

private:
    std::string limit_;
    std::chrono::milliseconds timeout_;
};

// The program used the library wrongly: an unregistered prepared statement,
// a text parameter with a NUL byte, a released lease, and the like.
class UsageError : public Error {
public:
    using Error::Error;
};

// A result value cannot be read as the requested type: NULL into a
// non-optional, out of range, not a number. column() names the column.
class ConversionError : public Error {
public:
    ConversionError(const std::string& message, std::string column = {});
    const std::string& column() const noexcept { return column_; }

private:
    std::string column_;
};

// No connection could be handed out in time. limit() is the bare name of the
// limit that fired ("acquire_timeout", or "timeout" when a call's own
// deadline was shorter) and timeout() its value; stats() is the pool at that
// moment and last_create_error() the most recent failure to connect, if any.
class PoolTimeoutError : public Error {
public:
    PoolTimeoutError(std::string pool, std::string limit, std::chrono::milliseconds timeout,
                     PoolStats stats, std::string last_create_error);
    const std::string& pool() const noexcept { return pool_; }
    const std::string& limit() const noexcept { return limit_; }
    std::chrono::milliseconds timeout() const noexcept { return timeout_; }
    const PoolStats& stats() const noexcept { return stats_; }
    const std::string& last_create_error() const noexcept { return last_create_error_; }

private:
    std::string pool_, limit_;
    std::chrono::milliseconds timeout_;
    PoolStats stats_;
    std::string last_create_error_;
};

// The pool is being destroyed: waiting callers are released with this.
class PoolClosingError : public Error {
public:
    using Error::Error;
};

// A configuration value was refused when the configuration was built.
// variable() names it: the environment variable (DATABASE_URL, DB_POOL_MAX,
// ...) or the option (conninfo, max, ...).
class ConfigError : public Error {
public:
    ConfigError(std::string variable, const std::string& reason);
    const std::string& variable() const noexcept { return variable_; }

private:
    std::string variable_;
};

// A statement of an atomic batch that the server skipped because an earlier
// statement of the batch failed (failed_statement() is its 0-based index).
class BatchAbortedError : public Error {
public:
    explicit BatchAbortedError(std::size_t failed_statement);
    std::size_t failed_statement() const noexcept { return failed_; }

private:
    std::size_t failed_;
};

// True for SQLSTATEs that mean the connection is gone: class 08 and 57P01..57P03.
bool is_connection_sqlstate(const std::string& sqlstate) noexcept;

}  // namespace pothos
