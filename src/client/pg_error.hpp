// Internal: turning a libpq error result into a typed exception.
#pragma once

#include <exception>

#include <libpq-fe.h>

namespace pothos::detail {

// The typed error for an error result (res may be null: the connection's
// message is used). timed_out: our deadline fired and we cancelled.
std::exception_ptr error_from_result(const PGresult* res, PGconn* conn, bool timed_out);

}  // namespace pothos::detail
