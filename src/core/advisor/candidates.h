// advisor/candidates.h -- index candidates from the column uses of the
// workload's statements.
//
// Per statement and relation, with E the equality-like columns (=, IN/ANY,
// join keys; most selective first), R the range and LIKE-prefix columns, O the
// ORDER BY ... LIMIT columns and P the constant predicates (IS [NOT] NULL,
// boolean column):
//   - every column of E and R alone;
//   - E as one index (two columns: both orders, the planner decides);
//   - E then one range column, for each of the first two of R;
//   - E then O (the rows come out sorted, the LIMIT stops early), and O alone;
//   - for each predicate of P, the widest of those shapes as a partial index
//     WHERE the predicate;
//   - the widest shape with the other columns the statement reads from the
//     relation as INCLUDE columns (at most max_include of them, of at most
//     max_include_width bytes together, none of the keys an expression), for
//     an index-only scan.
// A column use may be an expression of the table's columns (lower(email),
// date_trunc('day', created_at)): it becomes an expression key.
// Duplicates (same relation, keys and predicate) are merged, keeping every
// source statement and reason.
#pragma once

#include <vector>

#include "core/advisor/model.h"

namespace pothos::core::advisor {

struct CandidateOptions {
    size_t max_columns = 4;
    size_t max_include = 3;
    double max_include_width = 24;
    // LIKE 'prefix%' needs text_pattern_ops unless the collation is C.
    bool like_needs_pattern_ops = true;
};

std::vector<Candidate> generate_candidates(const std::vector<StatementUse>& statements,
                                           const CandidateOptions& options = CandidateOptions{});

}  // namespace pothos::core::advisor
