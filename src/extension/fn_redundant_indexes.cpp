// fn_redundant_indexes.cpp -- pothos_perf.redundant_indexes(): existing
// indexes of this database that are duplicates of another, prefixes of a
// wider btree, or never scanned (classification in
// core/advisor_redundancy.h). The catalog facts come from one SPI query.
#include "extension/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(pothos_perf_redundant_indexes);
}

#include <vector>

#include "core/advisor_redundancy.h"
#include "extension/guard.h"

using namespace pothos::ext;
namespace adv = pothos::core::advisor;

namespace {

// One row per index of a user table: keys are "expression opclass option
// collation" per key column, so equal strings mean the same key.
const char* kQuery =
    "SELECT i.indrelid, i.indrelid::regclass::text, i.indexrelid::regclass::text, am.amname,"
    "       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) || ' ' || i.indclass[k - 1] || ' ' ||"
    "                    i.indoption[k - 1] || ' ' || i.indcollation[k - 1]"
    "               FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::text[],"
    "       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)"
    "               FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::text[],"
    "       coalesce((SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true), ', ' ORDER BY k)"
    "                   FROM generate_series(i.indnkeyatts + 1, i.indnatts) k), ''),"
    "       coalesce(pg_get_expr(i.indpred, i.indrelid), ''), i.indisunique, i.indisprimary,"
    "       coalesce(s.idx_scan, 0), pg_relation_size(i.indexrelid)"
    "  FROM pg_index i"
    "  JOIN pg_class c ON c.oid = i.indexrelid"
    "  JOIN pg_am am ON am.oid = c.relam"
    "  JOIN pg_class t ON t.oid = i.indrelid"
    "  JOIN pg_namespace n ON n.oid = t.relnamespace"
    "  LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid"
    " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
    "   AND i.indisvalid AND t.relkind IN ('r', 'm')"
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
