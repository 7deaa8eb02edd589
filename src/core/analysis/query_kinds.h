// analysis/query_kinds.h -- the kinds the glue tells the rule engines about
// a statement (core/analysis/query_facts.h), in a header of their own: plain
// enums the extension's C-style code can name without the C++ facts.
#pragma once

namespace pothos::core {

enum class StatementKind { Select, Insert, Update, Delete, Merge, Utility, Other };

// What the non-column side of a predicate is.
enum class OperandKind { None, Constant, Param, Column, Expression, Subquery };

}  // namespace pothos::core
