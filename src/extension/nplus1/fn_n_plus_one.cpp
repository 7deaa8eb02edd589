// fn_n_plus_one.cpp -- SQL functions behind pothos_perf.n_plus_one,
// pothos_perf.n_plus_one_info and pothos_perf.n_plus_one_reset().
//
// Reading the view: (1) the whole window is analysed (units of backends gone
// idle); (2) the findings are copied (nplus1/shmem.h); (3) each finding the
// caller may see becomes a row, with no lock held: its children's texts from
// the statement store, each child's batched query from the facts of its text
// (nplus1/facts.h, nplus1/rewrite_bridge.h).
#include "extension/common/pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
}

#include "core/nplus1/findings.h"
#include "core/nplus1/statement.h"
#include "extension/common/guard.h"
#include "extension/common/sql_result.h"
#include "extension/nplus1/facts.h"
#include "extension/nplus1/guc.h"
#include "extension/nplus1/observe.h"
#include "extension/nplus1/rewrite_bridge.h"
#include "extension/nplus1/shmem.h"
#include "extension/stats/store.h"

namespace pothos::ext {
namespace {

using core::kNplus1MaxChildren;
using core::Nplus1FindingEntry;
using core::Nplus1Kind;

constexpr int kCols = 25;
constexpr int kInfoCols = 8;

// The stored text of a statement, top-level first, in this database's
// encoding; NULL if not in the store.
char* statement_text(Oid userid, Oid dbid, uint64 queryid) {
    return store_text_of(core::StatKey{userid, dbid, queryid, 1, 0}, true);
}

// A finding is listed to callers who see every role's workload, and to the
// role that recorded it while it may read every relation its statements use.
bool finding_visible(const Nplus1FindingEntry* r, bool see_all) {
    if (see_all) return true;
    if (r->userid != GetUserId() || r->dbid != MyDatabaseId) return false;
    if (r->parent_queryid &&
        !statement_visible(statement_text(r->userid, r->dbid, r->parent_queryid), r->userid, false))
        return false;
    const int nchildren = r->nchildren >= 1 ? r->nchildren : 1;
    for (int c = 0; c < nchildren; c++)
        if (!statement_visible(statement_text(r->userid, r->dbid, r->child[c].queryid), r->userid, false))
            return false;
    return true;
}

// The facts of a child's text (parsed only in its own database, as the
// role that recorded it); empty facts when they cannot be had.
void child_facts(const char* text, Oid userid, Oid dbid, uint16 flags, Nplus1FactsC* facts) {
    if (text && dbid == MyDatabaseId && nplus1_extract_facts(text, flags, userid, facts)) return;
    memset(facts, 0, sizeof *facts);
    facts->limit = -1;
    facts->statement = int(core::Nplus1Statement::Other);
}

// The children of a finding, column by column (child 0 is the one the
// scalar columns describe), and what the finding's own columns take from
// them.
struct Children {
    int n;
    Datum queryids[kNplus1MaxChildren], texts[kNplus1MaxChildren], repeats[kNplus1MaxChildren],
        wasted[kNplus1MaxChildren], rewrites[kNplus1MaxChildren];
    bool text_nulls[kNplus1MaxChildren], rewrite_nulls[kNplus1MaxChildren];
    char* suggested;   // child 0's batched query, or NULL
    char* suggestion;  // the advice, or NULL
    int64 saved;       // core::nplus1_round_trips_saved
};

void describe_children(const Nplus1FindingEntry* r, bool showtext, Children* out) {
    Nplus1Kind kind = Nplus1Kind(r->kind);
    out->n = r->nchildren >= 1 ? r->nchildren : 1;
    out->saved = core::nplus1_round_trips_saved(*r);
    for (int c = 0; c < out->n; c++) {
        const core::Nplus1ChildStats& cs = r->child[c];
        char* text = statement_text(r->userid, r->dbid, cs.queryid);
        out->queryids[c] = Int64GetDatum((int64) cs.queryid);
        out->text_nulls[c] = !showtext || !text;
        out->texts[c] = out->text_nulls[c] ? (Datum) 0 : CStringGetTextDatum(text);
        out->repeats[c] = Int64GetDatum(cs.total_repeats);
        out->wasted[c] = Float8GetDatum(cs.time_ms);
        Nplus1FactsC facts;
        child_facts(text, r->userid, r->dbid, cs.flags, &facts);
        Nplus1Rewrite rw;
        CppError err;
        if (!nplus1_rewrite(&facts, kind, c == 0, out->n - 1, r->max_repeats, r->distinct_params, &rw, &err))
            POTHOS_RAISE_CPP_ERROR(err);
        out->rewrite_nulls[c] = rw.query == NULL;
        out->rewrites[c] = rw.query ? CStringGetTextDatum(rw.query) : (Datum) 0;
        if (c == 0) {
            out->suggested = rw.query;
            out->suggestion = rw.suggestion;
        }
    }
}

// A one-dimensional array of n datums of type elem (NULL elements allowed).
Datum make_array(const Datum* elems, const bool* nulls, int n, Oid elem) {
    int dims[1] = {n};
    int lbs[1] = {1};
    ArrayType* a;
    if (elem == TEXTOID)
        a = construct_md_array((Datum*) elems, (bool*) nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT);
    else  // int8, float8
        a = construct_md_array((Datum*) elems, (bool*) nulls, 1, dims, lbs, elem, 8, FLOAT8PASSBYVAL,
                               TYPALIGN_DOUBLE);
    return PointerGetDatum(a);
}

void put_finding(ReturnSetInfo* rsinfo, const Nplus1FindingEntry* r, bool showtext) {
    char* parent_text =
        showtext && r->parent_queryid ? statement_text(r->userid, r->dbid, r->parent_queryid) : NULL;
    Children ch;
    describe_children(r, showtext, &ch);
    ResultRow<kCols> row;
    row.add_text(core::nplus1_kind_name(Nplus1Kind(r->kind))).add_oid(r->userid).add_oid(r->dbid);
    row.add_int64_if(r->parent_queryid != 0, (int64) r->parent_queryid).add_text(parent_text);
    row.add_int64((int64) r->queryid);
    if (ch.text_nulls[0])
        row.add_null();
    else
        row.add_datum(ch.texts[0]);
    row.add_int64(r->occurrences).add_int64(r->total_repeats).add_int64(r->max_repeats);
    row.add_int64(r->distinct_params).add_float8(r->time_ms).add_int64(ch.saved).add_int64(r->max_parent_rows);
    // Evidence that survives concurrency: executions per parent row.
    row.add_float8_if(r->total_parent_rows > 0, double(r->total_repeats) / double(r->total_parent_rows));
    row.add_int32(int32(ch.n) - 1).add_timestamptz(r->first_seen).add_timestamptz(r->last_seen);
    row.add_text(ch.suggested).add_text(ch.suggestion);
    // The children (n_plus_one: every lookup per row of the same parent
    // executions; one element for the other kinds).
    row.add_datum(make_array(ch.queryids, NULL, ch.n, INT8OID));
    if (showtext)
        row.add_datum(make_array(ch.texts, ch.text_nulls, ch.n, TEXTOID));
    else
        row.add_null();
    row.add_datum(make_array(ch.repeats, NULL, ch.n, INT8OID)).add_datum(make_array(ch.wasted, NULL, ch.n, FLOAT8OID));
    row.add_datum(make_array(ch.rewrites, ch.rewrite_nulls, ch.n, TEXTOID));
    row.put(rsinfo);
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

POTHOS_SQL_FUNCTION(pothos_perf_n_plus_one) {
    bool showtext = PG_GETARG_BOOL(0);
    require_preloaded(nplus1_ready() && store_ready());
    bool see_all = can_read_all_stats();
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kCols, "n_plus_one");
    nplus1_sweep();
    uint32 n = 0;
    Nplus1FindingEntry* rows = nplus1_snapshot(nplus1_guc_min_occurrences, &n);
    for (uint32 i = 0; i < n; i++)
        if (finding_visible(&rows[i], see_all)) put_finding(rsinfo, &rows[i], showtext);
    return (Datum) 0;
}

POTHOS_SQL_FUNCTION(pothos_perf_n_plus_one_info) {
    require_preloaded(nplus1_ready() && store_ready());
    TupleDesc desc = result_row_desc(fcinfo, kInfoCols, "n_plus_one_info");
    // The findings the view would list, without its sweep of the window (units
    // of backends still busy or gone idle are counted once analysed): cheap
    // enough for every metrics() scrape.
    Nplus1Info info = nplus1_info(nplus1_guc_min_occurrences);
    ResultRow<kInfoCols> row;
    row.add_int64(int64(nplus1_window().rings()) * nplus1_window().capacity()).add_int64((int64) nplus1_window().total());
    row.add_int64(info.capacity).add_int64(info.entries).add_int64(info.evictions);
    row.add_timestamptz(info.stats_reset).add_int64(info.listed).add_int64(info.round_trips_saved);
    PG_RETURN_DATUM(row.tuple(desc));
}

POTHOS_SQL_FUNCTION(pothos_perf_n_plus_one_reset) {
    require_preloaded(nplus1_ready() && store_ready());
    PG_RETURN_INT64(nplus1_reset());
}
