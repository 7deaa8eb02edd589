// The operation and main table of a statement, read from its (normalized)
// text: the `operation` and `model` labels of the Prometheus metrics, which
// are computed from the statement store where only the text is kept.
//
// Nothing here throws except std::bad_alloc.
#pragma once

#include <string>
#include <string_view>

namespace pothos::core {

struct StatementClass {
    // "select" (SELECT, VALUES, TABLE), "insert", "update" (UPDATE and MERGE),
    // "delete", or "utility" for everything else (DDL, COPY, EXPLAIN, ...).
    std::string operation;
    // The main table: FROM's first relation for a SELECT (looking into a
    // leading subquery), the target of INSERT/UPDATE/DELETE/MERGE. Unqualified,
    // folded to lower case unless quoted; empty when there is none (SELECT 1,
    // a function in FROM, utility statements).
    std::string model;
};

// WITH clauses are skipped to the main statement; comments are ignored.
StatementClass classify_statement(std::string_view text);

}  // namespace pothos::core
