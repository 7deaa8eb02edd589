// advisor/fn_predicates.cpp -- SQL functions over the index advisor's
// collection table: pothos_perf.advisor_predicates (what was collected, this
// database), pothos_perf.advisor_info() (capacity, entries, evictions) and
// pothos_perf.advisor_reset().
#include "extension/common/pg.h"

extern "C" {
#include "miscadmin.h"
#include "utils/lsyscache.h"
}

#include "extension/advisor/shmem.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"

using namespace pothos::ext;
namespace adv = pothos::core::advisor;

namespace {

constexpr int kPredicateCols = 9;
constexpr int kInfoCols = 4;

void require_table() {
    if (!advisor_ready())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the index advisor's collection is off"),
                        errhint("Load pothos_perf via shared_preload_libraries with pothos_perf.advisor_max_predicates above 0.")));
}

}  // namespace

POTHOS_SQL_FUNCTION(pothos_perf_advisor_predicates) {
    require_table();
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kPredicateCols, "advisor_predicates");
    uint32 n = 0;
    adv::PredEntry* copy = advisor_snapshot(MyDatabaseId, &n);
    for (uint32 i = 0; i < n; i++) {
        const adv::PredEntry& e = copy[i];
        char* col = get_attname(e.key.relid, e.key.attnum, true);
        if (col == NULL || get_rel_name(e.key.relid) == NULL) continue;
        ResultRow<kPredicateCols> row;
        row.add_int64((int64) e.key.queryid).add_oid(e.key.relid).add_text(col);
        row.add_text(adv::use_kind_name(static_cast<adv::UseKind>(e.key.kind)));
        if (e.key.kind == (uint8) adv::UseKind::OrderBy)
            row.add_int32(e.key.pos + 1);
        else
            row.add_null();
        row.add_bool((e.key.flags & adv::kFlagDesc) != 0).add_int64((int64) e.stats.samples);
        row.add_float8(e.stats.rows_returned).add_float8(e.stats.rows_filtered);
        row.put(rsinfo);
    }
    return (Datum) 0;
}

POTHOS_SQL_FUNCTION(pothos_perf_advisor_info) {
    require_table();
    TupleDesc desc = result_row_desc(fcinfo, kInfoCols, "advisor_info");
    AdvisorInfo info = advisor_info();
    ResultRow<kInfoCols> row;
    row.add_int64(info.capacity).add_int64(info.entries).add_int64(info.evictions).add_int64(info.updates);
    PG_RETURN_DATUM(row.tuple(desc));
}

POTHOS_SQL_FUNCTION(pothos_perf_advisor_reset) {
    require_table();
    bool all = PG_GETARG_BOOL(0);
    advisor_reset(all ? InvalidOid : MyDatabaseId);
    PG_RETURN_VOID();
}
