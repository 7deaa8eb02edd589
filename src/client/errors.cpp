// Error classes and SQLSTATE classification.
#include <pothos/errors.hpp>

namespace pothos {

DatabaseError::DatabaseError(const std::string& message, std::string sqlstate, std::string detail,
                             std::string hint)
    : Error(sqlstate.empty() ? message : message + " (SQLSTATE " + sqlstate + ")"),
      sqlstate_(std::move(sqlstate)),
      message_(message),
      detail_(std::move(detail)),
      hint_(std::move(hint)) {}

PoolTimeoutError::PoolTimeoutError(std::string limit, PoolStats stats, std::string last_create_error)
    : DatabaseError("pool timeout: no connection within " + limit + " [" + stats.to_string() + "]" +
                        (last_create_error.empty() ? "" : "; last create error: " + last_create_error),
                    "08001"),
      limit_(std::move(limit)),
      stats_(stats),
      last_create_error_(std::move(last_create_error)) {}

ConversionError::ConversionError(const std::string& message, std::string column)
    : Error(column.empty() ? message : "column " + column + ": " + message),
      column_(std::move(column)) {}

ConfigError::ConfigError(std::string variable, const std::string& reason)
    : std::invalid_argument(variable + ": " + reason), variable_(std::move(variable)) {}

bool is_connection_sqlstate(const std::string& s) noexcept {
    if (s.size() != 5) return false;
    if (s[0] == '0' && s[1] == '8') return true;
    return s == "57P01" || s == "57P02" || s == "57P03";
}

}  // namespace pothos
