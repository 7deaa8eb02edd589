// nplus1/rewrite.h -- the batched rewrite of a statement found repeated per
// row, and the advice sentence, from facts the glue extracts from its Query
// tree. Plain text generation: no PostgreSQL, no parsing.
//
// Lookups (n_plus_one, duplicate_query):
//   one key      SELECT key, <list> FROM t WHERE key = ANY($1::type[])
//   LIMIT 1      SELECT DISTINCT ON (key) key, <list> FROM t WHERE ... ORDER BY key[, order]
//   composite    SELECT t.k1, t.k2, <list> FROM t JOIN unnest($1::type1[], $2::type2[])
//                AS k(k1, k2) ON t.k1 = k.k1 AND t.k2 = k.k2
// Row-by-row DML:
//   INSERT       INSERT INTO t (c1, c2) SELECT * FROM unnest($1::type1[], $2::type2[])
//   UPDATE       UPDATE t SET c = v.c FROM unnest(...) AS v(k, c) WHERE t.k = v.k
//   DELETE       DELETE FROM t WHERE key = ANY($1::type[])
// Names arrive already quoted as SQL identifiers where needed.
#pragma once

#include <string>
#include <vector>

#include "core/nplus1/detector.h"
#include "core/nplus1/statement.h"

namespace pothos::core {

struct Nplus1Column {
    std::string name;  // quoted identifier
    std::string type;  // SQL type name, e.g. "integer", "character varying"
};

struct Nplus1Facts {
    Nplus1Statement statement = Nplus1Statement::Other;
    std::string table;                  // possibly schema-qualified, quoted
    std::vector<Nplus1Column> keys;         // columns compared with a parameter/constant (WHERE)
    std::vector<std::string> select;    // select-list items as SQL ("*" allowed)
    std::vector<std::string> order_by;  // ORDER BY items as SQL
    std::vector<Nplus1Column> set_columns;  // UPDATE SET / INSERT columns, with types
    long limit = -1;                    // LIMIT constant, -1 if none
    std::string limit_sql;              // LIMIT given as a parameter ($n), else empty
    bool key_indexed = false;           // an index leads with the (first) key column
    std::string index_name;             // that index
};

// The batched statement, or "" when the facts do not allow one.
std::string nplus1_suggest_query(const Nplus1Facts& facts);

// One or two sentences of advice for a finding of this kind. distinct_keys:
// the most distinct parameter sets of one occurrence (fewer than max_repeats
// for a loop over rows whose keys repeat), -1 if unknown.
std::string nplus1_suggestion(Nplus1Kind kind, const Nplus1Facts& facts, const std::string& parent_hint,
                              long max_repeats, int siblings, long distinct_keys = -1);

}  // namespace pothos::core
