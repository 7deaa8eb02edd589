// nplus1_facts.h -- facts for the batched rewrite of a repeated statement,
// taken from the Query tree of its (normalized) text when the view is read:
// table, key columns and their types, select list, ORDER BY, LIMIT, written
// columns, and whether an index leads with the key column. C structs in
// palloc'd memory; the C++ generator in core/nplus1_rewrite turns them into
// text.
#pragma once

#include "extension/pg.h"

namespace pothos::ext {

constexpr int kNpMaxItems = 64;

struct NpFactsC {
    int statement;  // core::NpStatement
    char* table;
    int nkeys;
    char* key_names[kNpMaxItems];
    char* key_types[kNpMaxItems];
    int nselect;
    char* select[kNpMaxItems];
    int norder;
    char* order[kNpMaxItems];
    int nset;
    char* set_names[kNpMaxItems];
    char* set_types[kNpMaxItems];
    long limit;       // -1: none
    char* limit_sql;  // LIMIT given as a parameter: its text; else NULL
    bool key_indexed;
    char* index_name;
};

// Parses and analyses sql in a subtransaction, as role (the role that
// recorded it: security.h); false (no error raised) when it cannot be
// analysed (dropped table, cut text, a role the caller may not act as, ...).
// flags: the NpFlag bits recorded for the statement (LIMIT 1 survives
// normalization only there).
bool np_extract_facts(const char* sql, uint16 flags, Oid role, NpFactsC* out);

}  // namespace pothos::ext
