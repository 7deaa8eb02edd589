// Internal: turning a libpq error result into a typed exception.
#pragma once

#include <exception>
#include <string>

#include <libpq-fe.h>

#include <pothos/errors.hpp>

namespace pothos::detail {

// The server's diagnostic fields of an error result (res may be null: the
// connection's message is used), with statement (the SQL sent) attached.
ErrorFields error_fields(const PGresult* res, PGconn* conn, const std::string& statement);

// The typed error for those fields; lost: libpq reports the connection bad.
std::exception_ptr typed_error(ErrorFields fields, bool lost);

inline std::exception_ptr error_from_result(const PGresult* res, PGconn* conn,
                                            const std::string& statement) {
    return typed_error(error_fields(res, conn, statement),
                       conn && PQstatus(conn) == CONNECTION_BAD);
}

}  // namespace pothos::detail
