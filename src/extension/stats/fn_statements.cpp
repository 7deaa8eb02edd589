// fn_statements.cpp -- SQL functions behind pothos_perf.statements,
// pothos_perf.statements_info and pothos_perf.reset().
//
// Reading copies each entry under the shared lock and its spinlock into
// backend memory first, then builds the result with no lock held, so a large
// read never holds up new fingerprints for long.
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(pothos_perf_statements);
PG_FUNCTION_INFO_V1(pothos_perf_statements_info);
PG_FUNCTION_INFO_V1(pothos_perf_reset);
}

#include "extension/stats/store.h"
#include "extension/common/sql_result.h"
#include "extension/stats/text_encoding.h"

namespace pothos::ext {
namespace {

struct Row {
    core::StatKey key;
    core::StatCounters c;  // histogram not used after the percentiles
    double p50, p95, p99;
    char* text;    // as stored, in encoding
    int encoding;  // of the entry's database
};

void require_store() {
    if (!store_ready())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("pothos_perf must be loaded via shared_preload_libraries"),
                        errhint("Add pothos_perf to shared_preload_libraries and restart the server.")));
}

constexpr int kStatementCols = 40;

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

extern "C" Datum pothos_perf_statements(PG_FUNCTION_ARGS) {
    bool showtext = PG_GETARG_BOOL(0);
    require_store();
    Oid me = GetUserId();
    bool see_all = can_read_all_stats();
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kStatementCols, "statements");

    pothos::core::StatTable& table = store_table();
    LWLockAcquire(store_lock(), LW_SHARED);
    uint32 cap = table.capacity();
    uint32 n = 0;
    Row* rows = (Row*) palloc_extended(sizeof(Row) * (table.header().count + 1), MCXT_ALLOC_HUGE);
    uint32 room = table.header().count;  // cannot grow while we hold the lock
    for (uint32 s = 0; s < cap && n < room; s++) {
        if (!table.in_use((int32) s)) continue;
        pothos::core::StatEntry* e = table.entry((int32) s);
        Row* r = &rows[n++];
        slock_t* lock = reinterpret_cast<slock_t*>(&e->lock_word);
        SpinLockAcquire(lock);
        r->key = e->key;
        r->c = e->counters;
        SpinLockRelease(lock);
        r->p50 = r->c.exec_percentile(0.50);
        r->p95 = r->c.exec_percentile(0.95);
        r->p99 = r->c.exec_percentile(0.99);
        r->text = showtext ? pnstrdup(e->text(), e->text_len) : NULL;
        r->encoding = e->encoding;
    }
    LWLockRelease(store_lock());

    for (uint32 i = 0; i < n; i++) {
        Row* r = &rows[i];
        const pothos::core::StatCounters& c = r->c;
        Datum v[kStatementCols];
        bool nulls[kStatementCols];
        memset(nulls, 0, sizeof nulls);
        bool visible = see_all || r->key.userid == me;
        int k = 0;
        v[k++] = ObjectIdGetDatum(r->key.userid);
        v[k++] = ObjectIdGetDatum(r->key.dbid);
        v[k++] = BoolGetDatum(r->key.toplevel != 0);
        if (visible)
            v[k++] = Int64GetDatumFast((int64) r->key.queryid);
        else
            nulls[k++] = true;
        if (!showtext)
            nulls[k++] = true;
        else
            v[k++] = CStringGetTextDatum(visible ? text_to_server(r->text, (int) strlen(r->text), r->encoding)
                                                 : "<insufficient privilege>");
        v[k++] = Int64GetDatumFast(c.calls);
        v[k++] = Int64GetDatumFast(c.errors);
        v[k++] = Float8GetDatumFast(c.exec.total);
        v[k++] = Float8GetDatumFast(c.exec.n ? c.exec.min : 0.0);
        v[k++] = Float8GetDatumFast(c.exec.n ? c.exec.max : 0.0);
        v[k++] = Float8GetDatumFast(c.exec.n ? c.exec.mean : 0.0);
        v[k++] = Float8GetDatumFast(c.exec.stddev());
        v[k++] = Float8GetDatumFast(r->p50);
        v[k++] = Float8GetDatumFast(r->p95);
        v[k++] = Float8GetDatumFast(r->p99);
        v[k++] = Int64GetDatumFast(c.plans);
        v[k++] = Float8GetDatumFast(c.plan.total);
        v[k++] = Float8GetDatumFast(c.plan.n ? c.plan.min : 0.0);
        v[k++] = Float8GetDatumFast(c.plan.n ? c.plan.max : 0.0);
        v[k++] = Float8GetDatumFast(c.plan.n ? c.plan.mean : 0.0);
        v[k++] = Float8GetDatumFast(c.plan.stddev());
        v[k++] = Int64GetDatumFast(c.rows);
        v[k++] = Int64GetDatumFast(c.io.shared_blks_hit);
        v[k++] = Int64GetDatumFast(c.io.shared_blks_read);
        v[k++] = Int64GetDatumFast(c.io.shared_blks_dirtied);
        v[k++] = Int64GetDatumFast(c.io.shared_blks_written);
        v[k++] = Int64GetDatumFast(c.io.local_blks_hit);
        v[k++] = Int64GetDatumFast(c.io.local_blks_read);
        v[k++] = Int64GetDatumFast(c.io.local_blks_dirtied);
        v[k++] = Int64GetDatumFast(c.io.local_blks_written);
        v[k++] = Int64GetDatumFast(c.io.temp_blks_read);
        v[k++] = Int64GetDatumFast(c.io.temp_blks_written);
        v[k++] = Float8GetDatumFast(c.io.blk_read_time_ms);
        v[k++] = Float8GetDatumFast(c.io.blk_write_time_ms);
        v[k++] = Int64GetDatumFast(c.io.wal_records);
        v[k++] = Int64GetDatumFast(c.io.wal_fpi);
        {
            char buf[32];
            snprintf(buf, sizeof buf, UINT64_FORMAT, (uint64) c.io.wal_bytes);
            v[k++] = DirectFunctionCall3(numeric_in, CStringGetDatum(buf), ObjectIdGetDatum(0),
                                         Int32GetDatum(-1));
        }
        v[k++] = Int64GetDatumFast(c.slow_calls);
        v[k++] = TimestampTzGetDatum(c.first_seen);
        v[k++] = TimestampTzGetDatum(c.last_seen);
        Assert(k == kStatementCols);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
    }
    return (Datum) 0;
}

extern "C" Datum pothos_perf_statements_info(PG_FUNCTION_ARGS) {
    require_store();
    TupleDesc desc;
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "return type must be a row type");
    LWLockAcquire(store_lock(), LW_SHARED);
    const pothos::core::StatTableHeader& h = store_table().header();
    int64 max = h.capacity, entries = h.count, dealloc = (int64) h.dealloc;
    TimestampTz reset = h.stats_reset;
    LWLockRelease(store_lock());
    Datum v[4] = {Int64GetDatum(max), Int64GetDatum(entries), Int64GetDatum(dealloc),
                  TimestampTzGetDatum(reset)};
    bool nulls[4] = {false, false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nulls)));
}

extern "C" Datum pothos_perf_reset(PG_FUNCTION_ARGS) {
    require_store();
    Oid userid = PG_GETARG_OID(0);
    Oid dbid = PG_GETARG_OID(1);
    uint64 queryid = (uint64) PG_GETARG_INT64(2);
    LWLockAcquire(store_lock(), LW_EXCLUSIVE);
    uint32 removed = store_table().reset(userid, dbid, queryid, GetCurrentTimestamp());
    LWLockRelease(store_lock());
    PG_RETURN_INT64((int64) removed);
}
