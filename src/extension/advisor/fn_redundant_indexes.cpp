// fn_redundant_indexes.cpp -- pothos_perf.redundant_indexes(): existing
// indexes of this database that are duplicates of another, prefixes of a
// wider btree, or never scanned (classification in
// core/advisor/redundancy.h). The catalog facts come from one SPI query.
#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

#include "extension/advisor/redundancy_bridge.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/security/security.h"

using namespace pothos::ext;

namespace {

// One row per index of a user table: keys are "expression opclass option
// collation" per key column, so equal strings mean the same key.
// Runs with search_path pinned (the function's SET clause) and names every
// function and operator with its schema all the same.
const char* kQuery =
    "SELECT i.indrelid, i.indrelid::pg_catalog.regclass::pg_catalog.text,"
    "       i.indexrelid::pg_catalog.regclass::pg_catalog.text, am.amname,"
    "       ARRAY(SELECT pg_catalog.concat_ws(' ', pg_catalog.pg_get_indexdef(i.indexrelid, k, true),"
    "                    i.indclass[k OPERATOR(pg_catalog.-) 1], i.indoption[k OPERATOR(pg_catalog.-) 1],"
    "                    i.indcollation[k OPERATOR(pg_catalog.-) 1])"
    "               FROM pg_catalog.generate_series(1, i.indnkeyatts) k ORDER BY k)::pg_catalog.text[],"
    "       ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k, true)"
    "               FROM pg_catalog.generate_series(1, i.indnkeyatts) k ORDER BY k)::pg_catalog.text[],"
    "       coalesce((SELECT pg_catalog.string_agg(pg_catalog.pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)"
    "                   FROM pg_catalog.generate_series(i.indnkeyatts OPERATOR(pg_catalog.+) 1, i.indnatts) k), ''),"
    "       coalesce(pg_catalog.pg_get_expr(i.indpred, i.indrelid), ''), i.indisunique, i.indisprimary,"
    "       coalesce(s.idx_scan, 0), pg_catalog.pg_relation_size(i.indexrelid)"
    "  FROM pg_catalog.pg_index i"
    "  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid"
    "  JOIN pg_catalog.pg_am am ON am.oid OPERATOR(pg_catalog.=) c.relam"
    "  JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) i.indrelid"
    "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) t.relnamespace"
    "  LEFT JOIN pg_catalog.pg_stat_all_indexes s ON s.indexrelid OPERATOR(pg_catalog.=) i.indexrelid"
    " WHERE n.nspname OPERATOR(pg_catalog.<>) ALL ('{pg_catalog,information_schema}'::pg_catalog.name[])"
    "   AND n.nspname OPERATOR(pg_catalog.!~~) 'pg_toast%'"
    "   AND i.indisvalid AND t.relkind OPERATOR(pg_catalog.=) ANY ('{r,m}'::pg_catalog.\"char\"[])"
    " ORDER BY 2, 3";

constexpr int kCols = 8;

char** text_array(HeapTuple tup, TupleDesc desc, int col, int* n) {
    bool isnull;
    Datum d = SPI_getbinval(tup, desc, col, &isnull);
    *n = 0;
    if (isnull) return NULL;
    Datum* elems;
    bool* nulls;
    deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, n);
    char** out = (char**) palloc(sizeof(char*) * (*n + 1));
    for (int i = 0; i < *n; i++) out[i] = nulls[i] ? pstrdup("") : TextDatumGetCString(elems[i]);
    return out;
}

// The facts of this database's indexes (one SPI query), palloc'd in the
// caller's context.
IndexFact* index_facts(int* n) {
    MemoryContext outer = CurrentMemoryContext;
    SPI_connect();
    if (SPI_execute(kQuery, true, 0) != SPI_OK_SELECT) elog(ERROR, "pothos_perf: index catalog query failed");
    *n = (int) SPI_processed;
    MemoryContext spi = MemoryContextSwitchTo(outer);
    IndexFact* facts = (IndexFact*) palloc0(sizeof(IndexFact) * (*n + 1));
    for (int i = 0; i < *n; i++) {
        HeapTuple tup = SPI_tuptable->vals[i];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool isnull;
        IndexFact* f = &facts[i];
        f->relid = DatumGetObjectId(SPI_getbinval(tup, desc, 1, &isnull));
        f->table = SPI_getvalue(tup, desc, 2);
        f->name = SPI_getvalue(tup, desc, 3);
        f->method = SPI_getvalue(tup, desc, 4);
        f->keys = text_array(tup, desc, 5, &f->nkeys);
        int nn;
        f->key_names = text_array(tup, desc, 6, &nn);
        f->include = SPI_getvalue(tup, desc, 7);
        f->predicate = SPI_getvalue(tup, desc, 8);
        f->unique = DatumGetBool(SPI_getbinval(tup, desc, 9, &isnull));
        f->primary = DatumGetBool(SPI_getbinval(tup, desc, 10, &isnull));
        f->scans = DatumGetInt64(SPI_getbinval(tup, desc, 11, &isnull));
        f->size = DatumGetInt64(SPI_getbinval(tup, desc, 12, &isnull));
    }
    MemoryContextSwitchTo(spi);
    SPI_finish();
    return facts;
}

void put_redundant(ReturnSetInfo* rsinfo, const IndexFact* f, const RedundantIndex* r, const IndexFact* cover) {
    Datum cols[INDEX_MAX_KEYS];
    for (int c = 0; c < f->nkeys && c < INDEX_MAX_KEYS; c++) cols[c] = CStringGetTextDatum(f->key_names[c]);
    ResultRow<kCols> row;
    row.add_text(f->table).add_text(f->name);
    row.add_datum(PointerGetDatum(construct_array(cols, f->nkeys, TEXTOID, -1, false, TYPALIGN_INT)));
    row.add_text(r->kind).add_text(cover ? cover->name : NULL).add_int64(f->scans).add_int64(f->size);
    row.add_text(psprintf("DROP INDEX CONCURRENTLY %s", f->name));
    row.put(rsinfo);
}

}  // namespace

POTHOS_SQL_FUNCTION(pothos_perf_redundant_indexes) {
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kCols, "redundant_indexes");
    bool see_all = can_read_all_stats();
    int n = 0;
    IndexFact* facts = index_facts(&n);
    RedundantIndex* found = NULL;
    int nfound = 0;
    CppError err;
    if (!advisor_redundant(facts, n, &found, &nfound, &err)) POTHOS_RAISE_CPP_ERROR(err);
    for (int i = 0; i < nfound; i++) {
        const IndexFact* f = &facts[found[i].index];
        // Figures only for relations the caller may read (security.h).
        if (!may_read_relation(f->relid, see_all)) continue;
        put_redundant(rsinfo, f, &found[i], found[i].covered_by >= 0 ? &facts[found[i].covered_by] : NULL);
    }
    return (Datum) 0;
}
