// fn_redundant_indexes.cpp -- pothos_perf.redundant_indexes(): existing
// indexes of this database that are duplicates of another, prefixes of a
// wider btree, or never scanned (classification in
// core/advisor/redundancy.h). The catalog facts come from one SPI query.
#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(pothos_perf_redundant_indexes);
}

#include <vector>

#include "core/advisor/redundancy.h"
#include "extension/common/guard.h"
#include "extension/security/security.h"

using namespace pothos::ext;
namespace adv = pothos::core::advisor;

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

struct Fact {
    Oid relid;
    char* table;
    char* name;
    char* method;
    int nkeys;
    char** keys;
    char** key_names;
    char* include;
    char* predicate;
    bool unique;
    bool primary;
    int64 scans;
    int64 size;
};

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

}  // namespace

extern "C" Datum pothos_perf_redundant_indexes(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = (ReturnSetInfo*) fcinfo->resultinfo;
    MemoryContext outer = CurrentMemoryContext;
    bool see_all = can_read_all_stats();

    SPI_connect();
    if (SPI_execute(kQuery, true, 0) != SPI_OK_SELECT) elog(ERROR, "pothos_perf: index catalog query failed");
    int n = (int) SPI_processed;
    MemoryContext spi = MemoryContextSwitchTo(outer);
    Fact* facts = (Fact*) palloc0(sizeof(Fact) * (n + 1));
    for (int i = 0; i < n; i++) {
        HeapTuple tup = SPI_tuptable->vals[i];
        TupleDesc desc = SPI_tuptable->tupdesc;
        bool isnull;
        Fact* f = &facts[i];
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

    // Classification (C++), results into plain arrays.
    int* idx = (int*) palloc(sizeof(int) * (n + 1));
    int* kind = (int*) palloc(sizeof(int) * (n + 1));
    int* cover = (int*) palloc(sizeof(int) * (n + 1));
    int nout = 0;
    CppError err;
    bool ok = cpp_call(&err, [&] {
        std::vector<adv::ExistingIndex> in;
        for (int i = 0; i < n; i++) {
            adv::ExistingIndex e;
            e.relid = facts[i].relid;
            e.name = facts[i].name;
            e.method = facts[i].method;
            for (int k = 0; k < facts[i].nkeys; k++) e.keys.push_back(facts[i].keys[k]);
            e.include = facts[i].include;
            e.predicate = facts[i].predicate;
            e.unique = facts[i].unique;
            e.primary = facts[i].primary;
            e.scans = facts[i].scans;
            in.push_back(std::move(e));
        }
        for (const adv::Redundancy& r : adv::find_redundant_indexes(in)) {
            idx[nout] = (int) r.index;
            kind[nout] = (int) r.kind;
            cover[nout] = (int) r.covered_by;
            nout++;
        }
    });
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);

    for (int i = 0; i < nout; i++) {
        Fact* f = &facts[idx[i]];
        // Figures only for relations the caller may read (security.h).
        if (!may_read_relation(f->relid, see_all)) continue;
        adv::RedundancyKind k = (adv::RedundancyKind) kind[i];
        Datum cols[INDEX_MAX_KEYS];
        for (int c = 0; c < f->nkeys && c < INDEX_MAX_KEYS; c++) cols[c] = CStringGetTextDatum(f->key_names[c]);
        Datum v[8];
        bool nulls[8] = {false, false, false, false, false, false, false, false};
        v[0] = CStringGetTextDatum(f->table);
        v[1] = CStringGetTextDatum(f->name);
        v[2] = PointerGetDatum(construct_array(cols, f->nkeys, TEXTOID, -1, false, TYPALIGN_INT));
        v[3] = CStringGetTextDatum(adv::redundancy_kind_name(k));
        if (cover[i] >= 0)
            v[4] = CStringGetTextDatum(facts[cover[i]].name);
        else
            nulls[4] = true;
        v[5] = Int64GetDatum(f->scans);
        v[6] = Int64GetDatum(f->size);
        v[7] = CStringGetTextDatum(psprintf("DROP INDEX CONCURRENTLY %s", f->name));
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
    }
    return (Datum) 0;
}
