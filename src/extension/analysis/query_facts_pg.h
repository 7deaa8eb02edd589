// query_facts_pg.h -- reads the facts the rule engines need (core/analysis/query_facts.h)
// from PostgreSQL: the analysed Query, a plan's range table and the catalogs.
// Collection is C-style glue (palloc'd plain structs, may ereport); turning
// the result into core::QueryFacts is the bridges' (analysis/query_facts_core.h).
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
}

#include "extension/common/guard.h"

namespace pothos::ext {

struct IndexC {
    char* name;
    int ncols;
    char** cols;  // column names, or "(expression)"
    bool unique, primary, partial;
    char* method;
};

struct RelationC {
    char* schema;
    char* name;
    char* alias;  // NULL if none
    double reltuples, relpages;
    int nindexes;
    IndexC* indexes;
};

struct PredicateC {
    char* relation;
    char* column;
    char* op_text;       // operator name ("=", "~~"); NULL for IN lists and IS NULL
    int special;         // 0: binary operator; 1: IN list / = ANY; 2: IS [NOT] NULL
    bool negated;        // for special kinds
    char* wrapper_function;
    char* cast_type;
    char* column_expression;
    int other_side;      // core::OperandKind
    char* pattern;       // LIKE pattern, or NULL
};

struct OrGroupC {
    List* columns;  // of char* "relation", char* "column" pairs (2 list cells each)
};

struct NotInC {
    int expr_begin;
    int not_offset;
    int outer_nullable;     // -1 unknown, 0 no, 1 yes
    int subquery_nullable;  // idem
};

struct QueryFactsC {
    int kind;       // core::StatementKind (core/analysis/query_kinds.h)
    List* relations;   // RelationC*
    List* predicates;  // PredicateC*
    List* or_groups;   // OrGroupC*
    List* cross_joins; // char* left, char* right pairs (2 cells each)
    List* not_in;      // NotInC*
    bool select_star;
    bool has_aggregates, has_group_by, has_set_returning, has_limit;
    bool limit_known, offset_known;
    int64 limit_value, offset_value;
    bool order_by_random;
    List* order_by;  // char*
};
POTHOS_PLAIN(IndexC);
POTHOS_PLAIN(RelationC);
POTHOS_PLAIN(PredicateC);
POTHOS_PLAIN(QueryFactsC);

// The relations of a range table (RTE_RELATION entries, each once).
List* relations_of_rtable(List* rtable);

// Everything collected from an analysed statement; raw is the parse tree's
// statement (for SELECT * and ORDER BY directions), may be NULL.
QueryFactsC* collect_query_facts(Query* q, Node* raw);

}  // namespace pothos::ext
