// Error classes: their messages and the SQLSTATE classification.
#include <pothos/errors.hpp>

namespace pothos {
namespace {

std::string with_state(const ErrorFields& f) {
    return f.sqlstate.empty() ? f.message : f.message + " (SQLSTATE " + f.sqlstate + ")";
}

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

DatabaseError::DatabaseError(ErrorFields fields) : Error(with_state(fields)), f_(std::move(fields)) {}

DatabaseError::DatabaseError(const std::string& message) : Error(message) { f_.message = message; }

QueryTimeoutError::QueryTimeoutError(ErrorFields fields, std::string limit,
                                     std::chrono::milliseconds timeout)
    : DatabaseError(std::move(fields)), limit_(std::move(limit)), timeout_(timeout) {}

ConversionError::ConversionError(const std::string& message, std::string column)
    : Error(column.empty() ? message : "column " + column + ": " + message),
      column_(std::move(column)) {}

PoolTimeoutError::PoolTimeoutError(std::string pool, std::string limit,
                                   std::chrono::milliseconds timeout, PoolStats stats,
                                   std::string last_create_error)
    : Error("pool " + pool + ": no connection within " + limit + " (" + ms(timeout) + ") [" +
            stats.to_string() + "]" +
            (last_create_error.empty() ? "" : "; last create error: " + last_create_error)),
      pool_(std::move(pool)),
      limit_(std::move(limit)),
      timeout_(timeout),
      stats_(stats),
      last_create_error_(std::move(last_create_error)) {}

ConfigError::ConfigError(std::string variable, const std::string& reason)
    : Error(variable + ": " + reason), variable_(std::move(variable)) {}

BatchAbortedError::BatchAbortedError(std::size_t failed_statement)
    : Error("statement not run: statement " + std::to_string(failed_statement + 1) +
            " of the atomic batch failed"),
      failed_(failed_statement) {}

bool is_connection_sqlstate(const std::string& s) noexcept {
    if (s.size() != 5) return false;
    if (s[0] == '0' && s[1] == '8') return true;
    return s == "57P01" || s == "57P02" || s == "57P03";
}

}  // namespace pothos
