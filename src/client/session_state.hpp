// Internal: which session state a statement may change (read from its text),
// and the statements that restore it. See reset.hpp for the policy.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pothos::detail {

// Session state a statement may change (bits).
constexpr unsigned kSettings = 1u << 0;   // SET, RESET, set_config, SET ROLE / SESSION AUTHORIZATION
constexpr unsigned kTemp = 1u << 1;       // temporary tables, views, sequences
constexpr unsigned kListen = 1u << 2;     // LISTEN
constexpr unsigned kAdvisory = 1u << 3;   // session-level advisory locks
constexpr unsigned kPrepared = 1u << 4;   // PREPARE of the borrower's own
constexpr unsigned kCursors = 1u << 5;    // DECLARE (WITH HOLD cursors outlive the transaction)
constexpr unsigned kSequences = 1u << 6;  // currval/lastval after nextval/setval
constexpr unsigned kAllChanges = (1u << 7) - 1;

// The session-change bits a statement (or a ';'-separated list) may set.
// Errs on the side of a reset: a word inside a literal counts too.
unsigned session_changes(std::string_view sql) noexcept;

// The statements that undo changes (one simple-protocol string, possibly
// empty). keep: the prepared statements of the library, not deallocated.
std::string reset_statements(unsigned changes, const std::vector<std::string>& keep);

}  // namespace pothos::detail
