// What a pooled connection's session is brought back to when a lease ends.
//
// A borrower can leave state in its session that the next borrower of the
// same connection would otherwise inherit: settings (SET), temporary tables,
// advisory locks, LISTEN, prepared statements and cursors of its own,
// sequence state. The pool restores it on release, the way DISCARD ALL
// does, except that the library's own prepared statements are kept:
//
//   off       only ROLLBACK an open transaction (the behaviour before resets).
//   detected  (default) ROLLBACK, and reset what the statements run on the
//             lease may have changed, as read from their text: SET/RESET,
//             set_config, TEMP objects, LISTEN, PREPARE, DECLARE, advisory
//             locks, nextval/setval; DO and CALL count as "anything". A
//             lease whose statements change nothing is returned without a
//             round trip. Not seen: changes made inside functions a
//             statement calls (e.g. a function calling set_config).
//   always    ROLLBACK and the full reset after every lease that ran a
//             statement (one extra round trip per lease).
//
// PoolOptions::init_sql is run again after a reset, so the session returns
// to its state right after connecting.
//
// Thread safety: plain values.
#pragma once

namespace pothos {

enum class ResetMode { off, detected, always };

}  // namespace pothos
