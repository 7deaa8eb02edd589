// advisor/model.h -- the index advisor's plain data: index shapes, the column
// uses observed per statement, candidates. No PostgreSQL headers; the glue
// fills these from the collection table and the catalogs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/advisor/pred_table.h"

namespace pothos::core::advisor {

// One key column of a btree index.
struct IndexKey {
    int16_t attnum = 0;
    std::string name;          // quoted identifier, as it goes into DDL
    bool desc = false;
    bool nulls_first = false;  // differs from the default only when != desc
    bool pattern_ops = false;  // text_pattern_ops (LIKE prefix in a non-C collation)
};

bool operator==(const IndexKey& a, const IndexKey& b);

// A btree index: key columns in order and an optional partial predicate.
struct IndexShape {
    uint32_t relid = 0;
    std::vector<IndexKey> keys;
    std::string predicate;                 // SQL text of WHERE, empty for a whole-table index
    std::vector<int16_t> predicate_attnums;
};

// True if `wide` serves every lookup `narrow` serves: same relation, the keys
// of narrow are the leading keys of wide, and wide covers narrow's rows
// (same predicate, or wide has none).
bool serves(const IndexShape& wide, const IndexShape& narrow);
// A stable text key for deduplication.
std::string shape_id(const IndexShape& s);
// "(a, b DESC)" plus " WHERE ..." -- the part of CREATE INDEX after the table.
std::string shape_sql(const IndexShape& s);

// One observed use of a column by one statement.
struct ColumnUse {
    int16_t attnum = 0;
    std::string name;  // quoted identifier
    UseKind kind = UseKind::Eq;
    uint8_t pos = 0;       // OrderBy position
    uint32_t flags = 0;    // OrderBy: kFlagDesc | kFlagNullsFirst
    double returned = 0;   // rows the scan returned (filters)
    double filtered = 0;   // rows the filter removed
    bool index_cond = false;
    double distinct = 0;   // estimated distinct values of the column (0: unknown)
};

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
