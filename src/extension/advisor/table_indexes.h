// advisor/table_indexes.h -- what the index advisor needs to know of the
// indexes the workload's tables have now: their btree key prefixes (an
// existing index that serves a candidate makes it useless) and, per table,
// how many indexes it has and which columns they cover (whether an UPDATE
// stays HOT). C-style glue: may ereport.
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "access/attnum.h"
}

#include "extension/common/guard.h"

namespace pothos::ext {

// An existing valid btree index as a shape: its key columns (an expression
// key: 0, with its deparsed text in exprs) and INCLUDE columns.
struct ExistingShape {
    Oid relid;
    int nkeys;
    AttrNumber keys[INDEX_MAX_KEYS];
    char* exprs[INDEX_MAX_KEYS];
    int ninclude;
    AttrNumber include[INDEX_MAX_KEYS];
    bool desc[INDEX_MAX_KEYS];
    bool nulls_first[INDEX_MAX_KEYS];
    bool pattern[INDEX_MAX_KEYS];
    char* predicate;  // deparsed, "" if none
};
POTHOS_PLAIN(ExistingShape);

struct RelIndexes {
    Oid relid;
    int count;    // indexes of any kind
    int ncols;
    int16* cols;  // every column they cover (keys, INCLUDE, expressions, predicates)
};
POTHOS_PLAIN(RelIndexes);

struct TableIndexes {
    ExistingShape* shapes;
    int nshapes;
    RelIndexes* rels;  // one per relation, in the order given
    int nrels;
};
POTHOS_PLAIN(TableIndexes);

// The indexes of relids[0, n).
TableIndexes table_indexes(const Oid* relids, int n);

}  // namespace pothos::ext
