// nplus1/facts.h -- facts for the batched rewrite of a repeated statement,
// taken from the Query tree of its (normalized) text when the view is read:
// table, key columns and their types, select list, ORDER BY, LIMIT, written
// columns, and whether an index leads with the key column. C structs in
// palloc'd memory; the C++ generator in core/nplus1/rewrite.h turns them into
// text (nplus1/rewrite_bridge.h).
#pragma once

#include "extension/common/pg.h"

#include "extension/common/guard.h"

namespace pothos::ext {

constexpr int kNplus1MaxItems = 64;

struct Nplus1FactsC {
    int statement;  // core::Nplus1Statement (core/nplus1/statement.h)
    char* table;
    int nkeys;
    char* key_names[kNplus1MaxItems];
    char* key_types[kNplus1MaxItems];
    int nselect;
    char* select[kNplus1MaxItems];
    int norder;
    char* order[kNplus1MaxItems];
    int nset;
    char* set_names[kNplus1MaxItems];
    char* set_types[kNplus1MaxItems];
    long limit;       // -1: none
    char* limit_sql;  // LIMIT given as a parameter: its text; else NULL
    bool key_indexed;
    char* index_name;
};
POTHOS_PLAIN(Nplus1FactsC);

// Parses and analyses sql in a subtransaction, as role (the role that
// recorded it: security.h); false (no error raised) when it cannot be
// analysed (dropped table, cut text, a role the caller may not act as, ...).
// flags: the Nplus1Flag bits recorded for the statement (LIMIT 1 survives
// normalization only there).
bool nplus1_extract_facts(const char* sql, uint16 flags, Oid role, Nplus1FactsC* out);

}  // namespace pothos::ext
