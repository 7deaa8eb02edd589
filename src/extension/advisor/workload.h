// advisor/workload.h -- the workload the index advisor works on, gathered
// from this database's statements in the statement store and the column
// uses collected for them (advisor/collect.h):
//  - every statement whose normalized text parses again with its $n as
//    parameters of inferred types (others are skipped);
//  - for every statement, the column uses its generic plan shows (planned
//    from the stored text as the role that recorded it, advisor/plan_uses.h),
//    so that a statement no execution of which was sampled is seen too; the
//    uses sampled executions showed (advisor/collect.h) add their observed
//    row counts, and what only they showed;
//  - for a SELECT, the columns it reads of each table (INCLUDE candidates);
//  - a LIKE whose pattern is a parameter is planned as a prefix search (with
//    a prefix of a value of the column's statistics), as a btree can serve it;
//  - for INSERT/UPDATE/DELETE, the rows written per table (and, for UPDATE,
//    which columns it assigns) -- the write rate an index must pay for, over
//    the same window as the reads' calls.
// Plain C structs in palloc'd memory (the caller's context).
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "nodes/parsenodes.h"
}

#include "extension/advisor/hypo_index.h"
#include "extension/advisor/plan_uses.h"
#include "extension/common/guard.h"

namespace pothos::ext {

struct WlUse {
    PlanUse use;         // what the plan showed (use.expr is NULL: see expr_sql)
    double distinct;     // estimated distinct values (pg_statistic), 0 if unknown
    double width;        // average width in bytes (pg_statistic), 0 if unknown
    const char* column;  // quoted identifier, or the expression
    const char* expr_sql;   // an expression of the table's columns (use.attnum 0), deparsed; NULL for a column
    AttrNumber* expr_atts;  // the columns it reads
    int nexpr_atts;
};
POTHOS_PLAIN(WlUse);

struct WlStatement {
    uint64 queryid;
    double calls;
    double rows;
    double exec_ms;  // total execution time
    bool visible;  // the caller may see this statement's id
    Oid role;      // parsed and planned as this role (InvalidOid: not at all)
    char* path;    // with this search_path (role_search_path)
    const char* text;
    Query* query;  // analysed and rewritten; NULL when it could not be
    Oid* relids;   // relations it reads or writes
    int nrelids;
    WlUse* uses;
    int nuses;
};
POTHOS_PLAIN(WlStatement);

struct WlUpdate {
    AttrNumber* cols;
    int ncols;
    double rows;
};
POTHOS_PLAIN(WlUpdate);

struct WlWrites {
    Oid relid;
    double inserted;
    double deleted;
    double insert_ms;  // execution time of the INSERTs into it
    double write_ms;   // of every statement writing it
    double calls;      // calls of the statements writing it
    WlUpdate* updates;
    int nupdates;
};
POTHOS_PLAIN(WlWrites);

struct Workload {
    WlStatement* stmts;
    int nstmts;
    WlWrites* writes;
    int nwrites;
};
POTHOS_PLAIN(Workload);

// see_all: superuser or pg_read_all_stats (ids of every role's statements).
// A statement is parsed and planned as a role that recorded it and that the
// caller may act as (security.h), the one with the most calls; statements
// no such role recorded are left unparsed (query NULL).
Workload* workload_collect(bool see_all);

// Plan cost (total cost of the top plan node, generic plan) of s with the
// hypothetical indexes set[0..n) pretended to exist, planned as s->role;
// -1 when planning fails.
// Core code calls it (the advisor's selection, through its cost oracle), so
// no error escapes: one that must not be swallowed (a query cancel) is kept
// in *pending (the first one) and every later call returns -1 at once; the
// caller re-throws it once no C++ frame is alive.
double workload_plan_cost(const WlStatement* s, HypoIndex** set, int n, ErrorData** pending);

const WlWrites* workload_writes(const Workload* w, Oid relid);

}  // namespace pothos::ext
