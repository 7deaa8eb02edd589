// advisor/fn_recommend_indexes.cpp -- pothos_perf.recommend_indexes(min_improvement_pct):
// the index advisor's pipeline.
//   1. the workload: this database's statements and their collected column
//      uses, the rows written per table (advisor/workload.h);
//   2. candidates from the uses (advisor/select_bridge.h);
//   3. each candidate made a hypothetical index, with its size; the tables'
//      existing indexes (advisor/table_indexes.h);
//   4. the set chosen greedily by re-planning the affected statements as
//      generic plans with hypothetical indexes (advisor/select_bridge.h), the
//      existing indexes counting for the prefix rule, the write cost of
//      maintaining each index against its gain;
//   5. one row per chosen index; on a standby (read-only, in recovery) each
//      with a note that the index is to be created on the primary, from
//      where it replicates.
// The C++ steps are bridges; their state lives in a session freed with the
// call's memory context. The cost oracle that core calls catches every
// PostgreSQL error itself (workload_plan_cost) and keeps one that must not
// be swallowed, re-thrown here once the C++ frames are gone.
#include "extension/common/pg.h"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/pg_locale.h"
#include "optimizer/plancat.h"
}

#include <cmath>

#include "extension/advisor/guc.h"
#include "extension/advisor/hypo_index.h"
#include "extension/advisor/select_bridge.h"
#include "extension/advisor/shmem.h"
#include "extension/advisor/table_indexes.h"
#include "extension/advisor/workload.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/common/subxact.h"
#include "extension/stats/store.h"

namespace pothos::ext {
namespace {

constexpr int kCols = 15;
constexpr int kMaxIndexes = 25;

double min_improvement_arg(FunctionCallInfo fcinfo) {
    double min_pct = PG_ARGISNULL(0) ? advisor_guc_min_improvement : PG_GETARG_FLOAT8(0);
    if (min_pct < 0 || min_pct > 100 || std::isnan(min_pct))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("min_improvement_pct must be between 0 and 100")));
    return min_pct;
}

void require_collection() {
    require_preloaded(store_ready());
    if (!advisor_ready())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the index advisor's collection is off"),
                        errhint("Set pothos_perf.advisor_max_predicates above 0 and restart the server.")));
}

char* regclass_name(Oid relid) {
    return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(relid)));
}

// 2. The candidates, their session freed with the current memory context.
AdvisorCandidate* candidates_of(const Workload* w, AdvisorSession** sess, int* n) {
    MemoryContextCallback* cb = (MemoryContextCallback*) palloc(sizeof(MemoryContextCallback));
    bool like_needs_pattern_ops = !lc_collate_is_c(DEFAULT_COLLATION_OID);
    AdvisorCandidate* out = NULL;
    CppError err;
    bool ok = advisor_candidates(w, like_needs_pattern_ops, sess, &out, n, &err);
    if (*sess != NULL) {
        cb->func = advisor_session_free;
        cb->arg = *sess;
        MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
    }
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);
    return out;
}

// 3. Each candidate as a hypothetical index (NULL when it is not a valid
// index, e.g. text_pattern_ops on a column that is not text, or its table
// is one the caller may not read), with its size and height, and the
// existing indexes of the candidates' tables.
struct Hypotheticals {
    HypoIndex** hypos;
    double* bytes;
    double* tuple_bytes;
    int* heights;
    TableIndexes tables;
};

struct HypoArg {
    const char* ddl;
    HypoIndex* h;
    double bytes;
};

void hypo_fn(void* p) {
    HypoArg* a = (HypoArg*) p;
    a->h = hypo_from_ddl(a->ddl, NULL);
    a->bytes = hypo_estimated_bytes(a->h);
}

Hypotheticals hypotheticals_of(const AdvisorCandidate* cands, int nc, bool see_all) {
    Hypotheticals h;
    h.hypos = (HypoIndex**) palloc0(sizeof(HypoIndex*) * (nc + 1));
    h.bytes = (double*) palloc0(sizeof(double) * (nc + 1));
    h.tuple_bytes = (double*) palloc0(sizeof(double) * (nc + 1));
    h.heights = (int*) palloc0(sizeof(int) * (nc + 1));
    Oid* rels = (Oid*) palloc(sizeof(Oid) * (nc + 1));
    int nrels = 0;
    for (int i = 0; i < nc; i++) {
        CHECK_FOR_INTERRUPTS();
        Oid relid = cands[i].relid;
        // Advice only on relations the caller may read (security.h).
        if (!may_read_relation(relid, see_all)) continue;
        HypoArg a{psprintf("CREATE INDEX ON %s USING btree %s", regclass_name(relid), cands[i].shape_sql), NULL, 0};
        if (subxact_try(hypo_fn, &a, NULL)) {
            h.hypos[i] = a.h;
            h.bytes[i] = a.bytes;
            h.heights[i] = a.h->tree_height;
            h.tuple_bytes[i] = a.h->tuple_bytes;
        }
        bool seen = false;
        for (int k = 0; k < nrels; k++) seen = seen || rels[k] == relid;
        if (!seen) rels[nrels++] = relid;
    }
    h.tables = table_indexes(rels, nrels);
    return h;
}

// WAL an INSERT into the table writes per row today, and what an index of
// entries of tuple_bytes adds to it (percent).
double wal_increase(Oid relid, const TableIndexes* t, double tuple_bytes) {
    int count = 0;
    for (int k = 0; k < t->nrels; k++)
        if (t->rels[k].relid == relid) count = t->rels[k].count;
    double width = get_relation_data_width(relid, NULL);
    double pct = 0;
    CppError err;
    if (!advisor_wal_increase_pct(width, count, tuple_bytes, &pct, &err)) POTHOS_RAISE_CPP_ERROR(err);
    return pct;
}

// A table the workload writes more often than it reads (calls) is
// write-heavy: a candidate on it that would add more than
// pothos_perf.advisor_max_wal_increase percent to the WAL of each inserted
// row is left out, whatever its reads save.
void leave_out_wal_heavy(const Workload* w, const AdvisorCandidate* cands, int nc, Hypotheticals* h) {
    for (int i = 0; i < nc; i++) {
        if (h->hypos[i] == NULL) continue;
        const WlWrites* x = workload_writes(w, cands[i].relid);
        if (x == NULL || x->calls <= 0) continue;
        double reads = 0;
        for (int k = 0; k < w->nstmts; k++) {
            const WlStatement& s = w->stmts[k];
            if (s.query == NULL || s.query->commandType != CMD_SELECT) continue;
            for (int r = 0; r < s.nrelids; r++)
                if (s.relids[r] == cands[i].relid) reads += s.calls;
        }
        if (x->calls > reads && wal_increase(cands[i].relid, &h->tables, h->tuple_bytes[i]) > advisor_guc_max_wal_increase)
            h->hypos[i] = NULL;
    }
}

// 4. The cost oracle: planning errors are caught, one that must propagate
// is kept in *pending.
struct CostCtx {
    const Workload* w;
    ErrorData* pending;
};

double plan_cost(void* ctx, int stmt, HypoIndex** set, int n) noexcept {
    CostCtx* c = (CostCtx*) ctx;
    return workload_plan_cost(&c->w->stmts[stmt], set, n, &c->pending);
}

AdvisorChoice* choose(const AdvisorSession* sess, const Workload* w, const Hypotheticals* h, double min_pct,
                      int* n) {
    CostCtx ctx{w, NULL};
    AdvisorSelectArgs args{w, h->hypos, h->bytes, h->heights, &h->tables, min_pct, kMaxIndexes, plan_cost, &ctx};
    AdvisorChoice* out = NULL;
    CppError err;
    bool ok = advisor_select(sess, &args, &out, n, &err);
    if (ctx.pending != NULL) ReThrowError(ctx.pending);
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);
    return out;
}

// 5. One row; note is NULL on a primary.
void put_choice(ReturnSetInfo* rsinfo, const Workload* w, const AdvisorCandidate* c, const AdvisorChoice* r,
                double bytes, double wal_pct, const char* note) {
    char* table = regclass_name(c->relid);
    Datum* cols = (Datum*) palloc(sizeof(Datum) * (c->nkeys + 1));
    for (int k = 0; k < c->nkeys; k++) cols[k] = CStringGetTextDatum(c->key_names[k]);
    int nq = 0;
    Datum* qids = (Datum*) palloc(sizeof(Datum) * (r->nstatements + 1));
    for (int k = 0; k < r->nstatements; k++) {
        const WlStatement& s = w->stmts[r->statements[k]];
        if (s.visible) qids[nq++] = Int64GetDatum((int64) s.queryid);
    }
    ResultRow<kCols> row;
    row.add_text(table).add_datum(PointerGetDatum(construct_array(cols, c->nkeys, TEXTOID, -1, false, TYPALIGN_INT)));
    row.add_text(psprintf("CREATE INDEX CONCURRENTLY ON %s USING btree %s", table, c->shape_sql));
    row.add_int64((int64) bytes).add_float8(r->cost_before).add_float8(r->cost_after).add_float8(r->improvement);
    row.add_int32(r->nstatements);
    row.add_datum(PointerGetDatum(construct_array(qids, nq, INT8OID, 8, true, TYPALIGN_DOUBLE)));
    row.add_text(c->reasons).add_float8(r->write_cost).add_float8(r->saving).add_float8(r->write_rows);
    row.add_float8(wal_pct).add_text(note);
    row.put(rsinfo);
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

POTHOS_SQL_FUNCTION(pothos_perf_recommend_indexes) {
    double min_pct = min_improvement_arg(fcinfo);
    require_collection();
    bool see_all = can_read_all_stats();
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kCols, "recommend_indexes");
    Workload* w = workload_collect(see_all);
    AdvisorSession* sess = NULL;
    int nc = 0;
    AdvisorCandidate* cands = candidates_of(w, &sess, &nc);
    Hypotheticals h = hypotheticals_of(cands, nc, see_all);
    leave_out_wal_heavy(w, cands, nc, &h);
    int n = 0;
    AdvisorChoice* chosen = choose(sess, w, &h, min_pct, &n);
    // A standby cannot create an index; its primary can, and the index
    // reaches the standby through replication.
    const char* note = RecoveryInProgress()
                           ? "this server is a standby: run index_ddl on the primary; the index reaches the "
                             "standbys through replication"
                           : NULL;
    for (int i = 0; i < n; i++) {
        int c = chosen[i].candidate;
        put_choice(rsinfo, w, &cands[c], &chosen[i], h.bytes[c],
                   wal_increase(cands[c].relid, &h.tables, h.tuple_bytes[c]), note);
    }
    // The figure metrics() reports: the whole database's advice.
    if (superuser()) advisor_note_recommendations(n);
    return (Datum) 0;
}
