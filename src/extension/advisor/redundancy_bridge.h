// advisor/redundancy_bridge.h -- core::advisor::find_redundant_indexes for
// the glue: the catalog facts of this database's indexes in, the redundant
// ones out (the boundary rules: guard.h).
#pragma once

#include "extension/common/pg.h"

#include "extension/common/guard.h"

namespace pothos::ext {

// One index of a user table, as the catalog query returns it.
struct IndexFact {
    Oid relid;
    char* table;
    char* name;
    char* method;
    int nkeys;
    char** keys;       // "expression opclass option collation" per key column
    char** key_names;  // the key columns as written
    char* include;
    char* predicate;
    bool unique;
    bool primary;
    int64 scans;
    int64 size;
};
POTHOS_PLAIN(IndexFact);

struct RedundantIndex {
    int index;       // position in the input
    const char* kind;  // "duplicate", "prefix", "unused"
    int covered_by;  // position of the index that serves it, -1 if none
};
POTHOS_PLAIN(RedundantIndex);

// The redundant indexes among facts[0, n) (palloc'd, *nout of them); false
// when that failed (the message in *err).
bool advisor_redundant(const IndexFact* facts, int n, RedundantIndex** out, int* nout, CppError* err) noexcept;

}  // namespace pothos::ext
