// Maps SQLSTATEs to the typed errors of errors.hpp.
#include "pg_error.hpp"

#include <string>

#include <pothos/errors.hpp>

namespace pothos::detail {
namespace {
std::string field(const PGresult* res, int code) {
    const char* v = res ? PQresultErrorField(res, code) : nullptr;
    return v ? v : "";
}
std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}
}  // namespace

std::exception_ptr error_from_result(const PGresult* res, PGconn* conn, bool timed_out) {
    std::string state = field(res, PG_DIAG_SQLSTATE);
    std::string message = field(res, PG_DIAG_MESSAGE_PRIMARY);
    std::string detail = field(res, PG_DIAG_MESSAGE_DETAIL);
    std::string hint = field(res, PG_DIAG_MESSAGE_HINT);
    if (message.empty() && res) message = trimmed(PQresultErrorMessage(res));
    if (message.empty() && conn) message = trimmed(PQerrorMessage(conn));
    if (message.empty()) message = "unknown error";
    const bool bad = conn && PQstatus(conn) == CONNECTION_BAD;
    if (state.empty() && bad) state = "08006";
    if (timed_out && state == "57014")
        return std::make_exception_ptr(
            QueryTimeoutError("statement cancelled: client deadline passed", state, detail, hint));
    if (state == "23505")
        return std::make_exception_ptr(UniqueConstraintError(message, state, detail, hint));
    if (state == "23503")
        return std::make_exception_ptr(ForeignKeyConstraintError(message, state, detail, hint));
    if (bad || is_connection_sqlstate(state))
        return std::make_exception_ptr(ConnectionError(message, state, detail, hint));
    return std::make_exception_ptr(DatabaseError(message, state, detail, hint));
}

}  // namespace pothos::detail
