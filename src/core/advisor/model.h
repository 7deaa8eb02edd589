// advisor/model.h -- the index advisor's plain data: index shapes, the column
// uses observed per statement, candidates. No PostgreSQL headers; the glue
// fills these from the collection table and the catalogs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/advisor/pred_table.h"

namespace pothos::core::advisor {

// One key column of a btree index: a column, or an expression of the
// table's columns (attnum 0, expr its SQL text as deparsed against the table,
// expr_attnums the columns it reads).
struct IndexKey {
    int16_t attnum = 0;
    std::string name;          // quoted identifier (or the expression), as it goes into DDL
    bool desc = false;
    bool nulls_first = false;  // differs from the default only when != desc
    bool pattern_ops = false;  // text_pattern_ops (LIKE prefix in a non-C collation)
    std::string expr;
    std::vector<int16_t> expr_attnums;
};

bool operator==(const IndexKey& a, const IndexKey& b);

// A btree index: key columns in order, INCLUDE columns (for index-only
// scans) and an optional partial predicate.
struct IndexShape {
    uint32_t relid = 0;
    std::vector<IndexKey> keys;
    std::vector<IndexKey> include;
    std::string predicate;                 // SQL text of WHERE, empty for a whole-table index
    std::vector<int16_t> predicate_attnums;
};

// True if `wide` serves every lookup `narrow` serves: same relation, the keys
// of narrow are the leading keys of wide, wide covers narrow's rows (same
// predicate, or wide has none) and returns every column narrow returns
// (narrow's INCLUDE columns are keys or INCLUDE columns of wide).
bool serves(const IndexShape& wide, const IndexShape& narrow);
// A stable text key for deduplication.
std::string shape_id(const IndexShape& s);
// "(a, (lower(b)) DESC)" plus " INCLUDE (c)" and " WHERE ..." -- the part
// of CREATE INDEX after the table.
std::string shape_sql(const IndexShape& s);

// One observed use of a column (or of an expression of a table's columns:
// attnum 0, expr and expr_attnums as in IndexKey) by one statement.
struct ColumnUse {
    int16_t attnum = 0;
    std::string name;  // quoted identifier, or the expression
    UseKind kind = UseKind::Eq;
    uint8_t pos = 0;       // OrderBy position
    uint32_t flags = 0;    // OrderBy: kFlagDesc | kFlagNullsFirst
    double returned = 0;   // rows the scan returned (filters)
    double filtered = 0;   // rows the filter removed
    bool index_cond = false;
    double distinct = 0;   // estimated distinct values of the column (0: unknown)
    double width = 0;      // average width in bytes (0: unknown)
    std::string expr;
    std::vector<int16_t> expr_attnums;
};

// The key a use of a column or an expression becomes.
IndexKey key_of_use(const ColumnUse& u, bool pattern_ops);
// Same column, or same expression.
bool same_key(const IndexKey& a, const IndexKey& b);
// Every table column the shape reads: keys (and the columns of expression
// keys), INCLUDE columns and predicate columns.
std::vector<int16_t> shape_columns(const IndexShape& s);

struct RelationUse {
    uint32_t relid = 0;
    std::vector<ColumnUse> uses;
};

struct StatementUse {
    uint64_t queryid = 0;
    double calls = 0;
    std::vector<RelationUse> relations;
};

struct Candidate {
    IndexShape shape;
    std::vector<uint64_t> queryids;    // statements it was derived from
    std::vector<std::string> reasons;  // why, in words
};

}  // namespace pothos::core::advisor
