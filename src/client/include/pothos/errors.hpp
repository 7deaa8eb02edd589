// Typed errors raised by the client library. Every error that comes from the
// server or the connection is a DatabaseError carrying the SQLSTATE, the
// primary message, and the server's DETAIL and HINT fields when present.
#pragma once

#include <stdexcept>
#include <string>

#include <pothos/pool_stats.hpp>

namespace pothos {

// Base of every exception the library throws.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class DatabaseError : public Error {
public:
    explicit DatabaseError(const std::string& message, std::string sqlstate = {},
                           std::string detail = {}, std::string hint = {});
    const std::string& sqlstate() const noexcept { return sqlstate_; }
    const std::string& message() const noexcept { return message_; }
    const std::string& detail() const noexcept { return detail_; }
    const std::string& hint() const noexcept { return hint_; }

private:
    std::string sqlstate_, message_, detail_, hint_;
};

// 23505 unique_violation.
class UniqueConstraintError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};

// 23503 foreign_key_violation.
class ForeignKeyConstraintError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};

// Raised only when the client's own deadline fired and the statement was cancelled.
class QueryTimeoutError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};

// The connection could not be made or broke (SQLSTATE class 08, 57P01..57P03).
class ConnectionError : public DatabaseError {
public:
    using DatabaseError::DatabaseError;
};

// No connection could be handed out in time. limit() names the limit that was
// hit ("acquire_timeout"); stats() is the pool as it was at that moment and
// last_create_error() the most recent failure to create a connection, if any.
class PoolTimeoutError : public DatabaseError {
public:
    PoolTimeoutError(std::string limit, PoolStats stats, std::string last_create_error);
    const std::string& limit() const noexcept { return limit_; }
    const PoolStats& stats() const noexcept { return stats_; }
    const std::string& last_create_error() const noexcept { return last_create_error_; }

private:
    std::string limit_;
    PoolStats stats_;
    std::string last_create_error_;
};

// The program used the library wrongly, e.g. a text parameter with a NUL byte.
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

// A configuration value (usually an environment variable) was refused.
class ConfigError : public std::invalid_argument {
public:
    ConfigError(std::string variable, const std::string& reason);
    const std::string& variable() const noexcept { return variable_; }

private:
    std::string variable_;
};

// True for SQLSTATEs that mean the connection is gone: class 08 and 57P01..57P03.
bool is_connection_sqlstate(const std::string& sqlstate) noexcept;

}  // namespace pothos
