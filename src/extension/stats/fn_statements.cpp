// fn_statements.cpp -- SQL functions behind pothos_perf.statements,
// pothos_perf.statements_info and pothos_perf.reset().
//
// Rows are built from the store's snapshot (copied under its locks), with no
// lock held, so a large read never holds up new fingerprints for long.
#include "extension/common/pg.h"

extern "C" {
#include "miscadmin.h"
#include "utils/builtins.h"
}

#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/stats/store.h"

namespace pothos::ext {
namespace {

constexpr int kStatementCols = 40;
constexpr int kInfoCols = 4;

Datum numeric_of(uint64 v) {
    char buf[32];
    snprintf(buf, sizeof buf, UINT64_FORMAT, v);
    return DirectFunctionCall3(numeric_in, CStringGetDatum(buf), ObjectIdGetDatum(0), Int32GetDatum(-1));
}

// Times of a TimeStats: total, then min, max, mean (0 without any), stddev.
void add_times(ResultRow<kStatementCols>& row, const core::TimeStats& t) {
    row.add_float8(t.n ? t.min : 0.0).add_float8(t.n ? t.max : 0.0).add_float8(t.n ? t.mean : 0.0);
    row.add_float8(t.stddev());
}

void add_io(ResultRow<kStatementCols>& row, const core::IoUsage& io) {
    row.add_int64(io.shared_blks_hit).add_int64(io.shared_blks_read);
    row.add_int64(io.shared_blks_dirtied).add_int64(io.shared_blks_written);
    row.add_int64(io.local_blks_hit).add_int64(io.local_blks_read);
    row.add_int64(io.local_blks_dirtied).add_int64(io.local_blks_written);
    row.add_int64(io.temp_blks_read).add_int64(io.temp_blks_written);
    row.add_float8(io.blk_read_time_ms).add_float8(io.blk_write_time_ms);
    row.add_int64(io.wal_records).add_int64(io.wal_fpi).add_datum(numeric_of(io.wal_bytes));
}

// One row of the statements view. visible: the caller may see the
// statement's id and text.
void put_statement(ReturnSetInfo* rsinfo, const StoreRow* r, bool visible, bool showtext) {
    const core::StatCounters& c = r->counters;
    ResultRow<kStatementCols> row;
    row.add_oid(r->key.userid).add_oid(r->key.dbid).add_bool(r->key.toplevel != 0);
    row.add_int64_if(visible, (int64) r->key.queryid);
    if (showtext)
        row.add_text(visible ? r->text : "<insufficient privilege>");
    else
        row.add_null();
    row.add_int64(c.calls).add_int64(c.errors).add_float8(c.exec.total);
    add_times(row, c.exec);
    row.add_float8(c.exec_percentile(0.50)).add_float8(c.exec_percentile(0.95)).add_float8(c.exec_percentile(0.99));
    row.add_int64(c.plans).add_float8(c.plan.total);
    add_times(row, c.plan);
    row.add_int64(c.rows);
    add_io(row, c.io);
    row.add_int64(c.slow_calls).add_timestamptz(c.first_seen).add_timestamptz(c.last_seen);
    row.put(rsinfo);
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

POTHOS_SQL_FUNCTION(pothos_perf_statements) {
    bool showtext = PG_GETARG_BOOL(0);
    require_preloaded(store_ready());
    Oid me = GetUserId();
    bool see_all = can_read_all_stats();
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kStatementCols, "statements");
    uint32 n = 0;
    StoreRow* rows = store_snapshot(InvalidOid, showtext, &n);
    for (uint32 i = 0; i < n; i++) put_statement(rsinfo, &rows[i], see_all || rows[i].key.userid == me, showtext);
    return (Datum) 0;
}

POTHOS_SQL_FUNCTION(pothos_perf_statements_info) {
    require_preloaded(store_ready());
    TupleDesc desc = result_row_desc(fcinfo, kInfoCols, "statements_info");
    StoreInfo info = store_info();
    ResultRow<kInfoCols> row;
    row.add_int64(info.capacity).add_int64(info.entries).add_int64(info.dealloc).add_timestamptz(info.stats_reset);
    PG_RETURN_DATUM(row.tuple(desc));
}

POTHOS_SQL_FUNCTION(pothos_perf_reset) {
    require_preloaded(store_ready());
    Oid userid = PG_GETARG_OID(0);
    Oid dbid = PG_GETARG_OID(1);
    uint64 queryid = (uint64) PG_GETARG_INT64(2);
    PG_RETURN_INT64(store_reset(userid, dbid, queryid));
}
