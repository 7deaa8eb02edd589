// advisor/fn_predicates.cpp -- SQL functions over the index advisor's
// collection table: pothos_perf.advisor_predicates (what was collected, this
// database), pothos_perf.advisor_info() (capacity, entries, evictions) and
// pothos_perf.advisor_reset().
#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(pothos_perf_advisor_predicates);
PG_FUNCTION_INFO_V1(pothos_perf_advisor_info);
PG_FUNCTION_INFO_V1(pothos_perf_advisor_reset);
}

#include "extension/advisor/collect.h"

using namespace pothos::ext;
namespace adv = pothos::core::advisor;

namespace {

adv::PredTable* require_table() {
    adv::PredTable* t = advisor_table();
    if (t == nullptr)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the index advisor's collection is off"),
                        errhint("Load pothos_perf via shared_preload_libraries with pothos_perf.advisor_max_predicates above 0.")));
    return t;
}

}  // namespace

extern "C" Datum pothos_perf_advisor_predicates(PG_FUNCTION_ARGS) {
    adv::PredTable* t = require_table();
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo* rsinfo = (ReturnSetInfo*) fcinfo->resultinfo;
    LWLockAcquire(advisor_lock(), LW_SHARED);
    uint32 cap = t->capacity();
    adv::PredEntry* copy = (adv::PredEntry*) palloc_extended(sizeof(adv::PredEntry) * (cap + 1), MCXT_ALLOC_HUGE);
    uint32 n = 0;
    for (uint32 i = 0; i < cap; i++)
        if (t->in_use(i) && t->slot(i)->key.dbid == MyDatabaseId) copy[n++] = *t->slot(i);
    LWLockRelease(advisor_lock());
    for (uint32 i = 0; i < n; i++) {
        const adv::PredEntry& e = copy[i];
        char* col = get_attname(e.key.relid, e.key.attnum, true);
        if (col == NULL || get_rel_name(e.key.relid) == NULL) continue;
        Datum v[9];
        bool nulls[9] = {false, false, false, false, false, false, false, false, false};
        v[0] = Int64GetDatum((int64) e.key.queryid);
        v[1] = ObjectIdGetDatum(e.key.relid);
        v[2] = CStringGetTextDatum(col);
        v[3] = CStringGetTextDatum(adv::use_kind_name(static_cast<adv::UseKind>(e.key.kind)));
        if (e.key.kind == (uint8) adv::UseKind::OrderBy) {
            v[4] = Int32GetDatum(e.key.pos + 1);
        } else {
            nulls[4] = true;
            v[4] = (Datum) 0;
        }
        v[5] = BoolGetDatum((e.key.flags & adv::kFlagDesc) != 0);
        v[6] = Int64GetDatum((int64) e.stats.samples);
        v[7] = Float8GetDatum(e.stats.rows_returned);
        v[8] = Float8GetDatum(e.stats.rows_filtered);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
    }
    return (Datum) 0;
}

extern "C" Datum pothos_perf_advisor_info(PG_FUNCTION_ARGS) {
    adv::PredTable* t = require_table();
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE) elog(ERROR, "return type must be a row type");
    LWLockAcquire(advisor_lock(), LW_SHARED);
    const adv::PredTableHeader& h = t->header();
    int64 max = h.capacity, used = 0, evictions = (int64) h.evictions, updates = (int64) h.updates;
    for (uint32 i = 0; i < t->capacity(); i++) used += t->in_use(i) ? 1 : 0;
    LWLockRelease(advisor_lock());
    Datum v[4] = {Int64GetDatum(max), Int64GetDatum(used), Int64GetDatum(evictions), Int64GetDatum(updates)};
    bool nulls[4] = {false, false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nulls)));
}

extern "C" Datum pothos_perf_advisor_reset(PG_FUNCTION_ARGS) {
    adv::PredTable* t = require_table();
    bool all = PG_GETARG_BOOL(0);
    LWLockAcquire(advisor_lock(), LW_EXCLUSIVE);
    t->clear(all ? 0 : MyDatabaseId);
    LWLockRelease(advisor_lock());
    PG_RETURN_VOID();
}
