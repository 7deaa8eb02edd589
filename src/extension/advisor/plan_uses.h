// advisor/plan_uses.h -- the column uses a plan shows: filter predicates of
// scans (=, range, IN/= ANY, LIKE 'prefix%', IS [NOT] NULL, boolean
// columns) with the rows the scan returned and the rows its filter removed,
// columns already used as index conditions, join keys of hash, merge and
// nested-loop joins (and of parameterised inner scans), the columns of a
// Sort under a Limit (ORDER BY ... LIMIT) with their directions.
// Two sources:
//  * an executed plan (a sampled execution, advisor/collect.h): row counts
//    from its instrumentation; plain columns only;
//  * a generic plan of a statement's stored text (advisor/workload.h): row
//    counts as the planner estimated them, and expressions of one table's
//    columns (lower(email), date_trunc('day', created_at), casts) compared
//    with a value, when the expression is immutable (an index can hold it).
// System catalogs are left out (no user index can be created on them).
// C-style glue: allocates in the current memory context.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "access/attnum.h"
#include "nodes/execnodes.h"
#include "nodes/plannodes.h"
}

#include "extension/common/guard.h"

namespace pothos::ext {

struct PlanUse {
    Oid relid;
    AttrNumber attnum;  // 0 for an expression
    uint8 kind;         // core::advisor::UseKind
    uint8 pos;
    uint32 flags;
    double returned;
    double filtered;
    bool index_cond;
    Expr* expr;         // the expression (its Vars of range table entry rtindex); NULL for a column
    Index rtindex;
};
POTHOS_PLAIN(PlanUse);

struct PlanUses {
    PlanUse* uses;
    int n;
    int cap;
};
POTHOS_PLAIN(PlanUses);

// The uses of an executed plan, counts from its instrumentation.
void plan_uses_executed(PlanState* ps, List* rtable, PlanUses* out);
// The uses of a planned (not executed) statement, estimated counts.
void plan_uses_planned(PlannedStmt* stmt, PlanUses* out);

}  // namespace pothos::ext
