// Internal: a cancel request that gives up at a deadline.
//
// libpq 15's PQcancel has no timeout: it connects, sends the request and
// waits for the server to close the cancel connection, so a server (or a
// network path) that accepts but never answers blocks it for good. Here it
// runs on a detached helper thread and the caller waits at most until the
// deadline; a helper that is still stuck then ends when the OS gives up its
// socket. At most kMaxCancelHelpers helpers exist at once; beyond that no
// cancel is sent (the caller gives the connection up instead).
#pragma once

#include <libpq-fe.h>

#include <pothos/deadline.hpp>

namespace pothos::detail {

constexpr int kMaxCancelHelpers = 8;

// True when the server acknowledged the cancel request before until.
bool cancel_request(PGconn* conn, Clock::time_point until) noexcept;

}  // namespace pothos::detail
