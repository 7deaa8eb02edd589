// hypo_index.h -- hypothetical btree indexes: indexes the planner of this
// backend pretends exist while, and only while, a pothos_perf function plans
// a statement with them (hypothetical_explain, the index advisor, and any
// other feature that wants a what-if plan).
//
// get_relation_info_hook (chained) adds an IndexOptInfo for each active
// hypothetical index of the relation being planned, sized from the table's
// tuple count and the average key widths (core/advisor/cost.h), scaled by
// the predicate's selectivity for a partial index.
// explain_get_index_name_hook (chained) names them in EXPLAIN output. Both
// join the hook chains in a backend at its first hypo_activate, so a backend
// that never plans with hypothetical indexes never calls them. The
// active set is per backend and set only around a planning call by our own
// functions (hypo_activate / hypo_deactivate in PG_FINALLY), so other
// sessions -- and this session's real queries -- never see them.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "access/attnum.h"
#include "nodes/pg_list.h"
}

#include "extension/common/guard.h"

namespace pothos::ext {

struct HypoIndex {
    Oid oid;    // a fake OID, unique in this backend
    Oid relid;
    char* name;
    char* table;  // qualified table name, for messages
    int ncolumns;     // key + INCLUDE columns
    int nkeycolumns;
    AttrNumber keys[INDEX_MAX_KEYS];  // 0: the next expression of exprs
    Oid types[INDEX_MAX_KEYS];
    int32 typmods[INDEX_MAX_KEYS];
    Oid collations[INDEX_MAX_KEYS];
    Oid opfamily[INDEX_MAX_KEYS];
    Oid opcintype[INDEX_MAX_KEYS];
    bool desc[INDEX_MAX_KEYS];
    bool nulls_first[INDEX_MAX_KEYS];
    List* exprs;       // expression keys in order, Vars with varno 1
    List* predicate;   // implicit-AND list, Vars with varno 1; NIL for a whole-table index
    double fraction;   // share of the table's rows the predicate keeps (1 without one)
    bool unique;
    // Filled by the planner hook at the last planning with this index:
    double tuples;
    double pages;
    int tree_height;
    double tuple_bytes;  // one leaf entry
};
POTHOS_PLAIN(HypoIndex);

// Parses one CREATE INDEX statement with the server's parser and resolves
// it against the catalogs, without creating anything. Any problem is a
// clear ERROR (not one statement, not CREATE INDEX, unknown table or
// column, an expression that is not immutable, access method other than
// btree, ...). Key columns may be expressions of the table's columns.
// The table's name is resolved with search_path = relation_path when given
// (the caller's, for an index a caller wrote), else with the current one;
// everything else in the statement (expressions, predicate, operator
// classes, collations) is resolved with the current search_path, which our
// functions pin.
HypoIndex* hypo_from_ddl(const char* ddl, const char* relation_path);

// Estimated size in bytes (from the table's current statistics).
double hypo_estimated_bytes(HypoIndex* h);

// The set the planner of this backend sees until hypo_deactivate(). The
// caller keeps the array alive and must deactivate in PG_FINALLY.
void hypo_activate(HypoIndex** indexes, int n);
void hypo_deactivate();

}  // namespace pothos::ext
