// value_scrub.h -- texts the extension keeps (statement texts, captured
// plans) without the values of the statement they came from: unless
// pothos_perf.capture_params is on, no literal or bound parameter value is
// stored anywhere. No PostgreSQL headers; nothing throws but std::bad_alloc.
#pragma once

#include <string>
#include <string_view>

namespace pothos::core {

// The SQL text with every string and number literal (outside comments and
// quoted identifiers) replaced by $n, numbered from one above the highest $n
// already in the text -- the normalized form of a text whose constants the
// server did not locate (utility statements, texts not seen at parse time).
std::string scrub_sql_literals(std::string_view text);

// EXPLAIN output, TEXT or JSON format, with the constants of its
// expressions (filters, conditions, keys, outputs, function calls) replaced
// by '?'. A custom plan shows the values of bound parameters there, and any
// plan shows the literals of the statement. Lines that are not expressions
// (node names, costs, counters) are kept as they are.
std::string scrub_plan_values(std::string_view plan);

}  // namespace pothos::core
