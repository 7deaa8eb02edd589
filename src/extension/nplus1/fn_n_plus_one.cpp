// fn_n_plus_one.cpp -- SQL functions behind pothos_perf.n_plus_one,
// pothos_perf.n_plus_one_info and pothos_perf.n_plus_one_reset().
//
// Reading first analyses the whole window (units of backends gone idle), then
// copies the findings under the shared lock, and builds the rows with no lock
// held: texts from the statement store, the rewrite from the child's text.
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(pothos_perf_n_plus_one);
PG_FUNCTION_INFO_V1(pothos_perf_n_plus_one_info);
PG_FUNCTION_INFO_V1(pothos_perf_n_plus_one_reset);
}

#include <string>

#include "core/nplus1/findings.h"
#include "core/nplus1/rewrite.h"
#include "extension/common/guard.h"
#include "extension/common/palloc_copy.h"
#include "extension/nplus1/facts.h"
#include "extension/nplus1/guc.h"
#include "extension/nplus1/observe.h"
#include "extension/nplus1/shmem.h"
#include "extension/stats/store.h"
#include "extension/common/sql_result.h"
#include "extension/stats/text_encoding.h"

namespace pothos::ext {
namespace {

constexpr int kCols = 26;
constexpr size_t kTextCap = 8192;

void require_ready() {
    if (!nplus1_ready() || !store_ready())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("pothos_perf must be loaded via shared_preload_libraries"),
                        errhint("Add pothos_perf to shared_preload_libraries and restart the server.")));
}

// The stored text of a statement, top-level first, in this database's
// encoding; NULL if not in the store.
char* statement_text(Oid userid, Oid dbid, uint64 queryid) {
    char* text = NULL;
    int encoding = 0;
    core::StatTable& table = store_table();
    LWLockAcquire(store_lock(), LW_SHARED);
    for (uint32 top = 2; top-- > 0 && text == NULL;) {
        core::StatKey k{userid, dbid, queryid, top, 0};
        int32 slot = table.find(k);
        if (slot >= 0) {
            core::StatEntry* e = table.entry(slot);
            text = pnstrdup(e->text(), e->text_len);
            encoding = e->encoding;
        }
    }
    LWLockRelease(store_lock());
    return text ? text_to_server(text, (int) strlen(text), encoding) : NULL;
}

core::Nplus1Facts to_facts(const Nplus1FactsC& c) {
    core::Nplus1Facts f;
    f.statement = core::Nplus1Statement(c.statement);
    if (c.table) f.table = c.table;
    for (int i = 0; i < c.nkeys; i++) f.keys.push_back({c.key_names[i], c.key_types[i]});
    for (int i = 0; i < c.nselect; i++) f.select.push_back(c.select[i]);
    for (int i = 0; i < c.norder; i++) f.order_by.push_back(c.order[i]);
    for (int i = 0; i < c.nset; i++) f.set_columns.push_back({c.set_names[i], c.set_types[i]});
    f.limit = c.limit;
    if (c.limit_sql) f.limit_sql = c.limit_sql;
    f.key_indexed = c.key_indexed;
    if (c.index_name) f.index_name = c.index_name;
    return f;
}

void copy_out(const std::string& s, char* buf) {
    size_t n = s.size() < kTextCap - 1 ? s.size() : kTextCap - 1;
    memcpy(buf, s.data(), n);
    buf[n] = '\0';
}

// The facts of a child's text (parsed only in its own database, as the
// role that recorded it); empty facts when they cannot be had.
void child_facts(const char* text, Oid userid, Oid dbid, uint16 flags, Nplus1FactsC* facts) {
    if (text && dbid == MyDatabaseId && nplus1_extract_facts(text, flags, userid, facts)) return;
    memset(facts, 0, sizeof *facts);
    facts->limit = -1;
    facts->statement = int(core::Nplus1Statement::Other);
}

// The batched query for one child (NULL when there is none) and, for the
// first child, the finding's suggested query and advice (copied into
// suggested and advice, at most kTextCap bytes each).
bool child_rewrite(const Nplus1FactsC& facts, core::Nplus1Kind kind, int c, int nchildren, int64 max_repeats,
                   char** rewrite, char* suggested, char* advice, CppError* err) {
    return cpp_call(err, [&] {
        core::Nplus1Facts f = to_facts(facts);
        std::string q;
        // Same parameters again: nothing to batch, only to reuse.
        if (kind != core::Nplus1Kind::DuplicateQuery) q = core::nplus1_suggest_query(f);
        if (c == 0) {
            copy_out(q, suggested);
            copy_out(core::nplus1_suggestion(kind, f, "", long(max_repeats), nchildren - 1), advice);
        }
        *rewrite = q.empty() ? nullptr : palloc_copy(q);
    });
}

// A finding is listed to callers who see every role's workload, and to the
// role that recorded it while it may read every relation its statements use.
bool finding_visible(const core::Nplus1FindingEntry* r, bool see_all) {
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

// A one-dimensional array of n datums of type elem (NULL elements allowed).
Datum make_array(Datum* elems, bool* nulls, int n, Oid elem) {
    int dims[1] = {n};
    int lbs[1] = {1};
    ArrayType* a;
    if (elem == TEXTOID)
        a = construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT);
    else  // int8, float8
        a = construct_md_array(elems, nulls, 1, dims, lbs, elem, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
    return PointerGetDatum(a);
}

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;
using pothos::core::Nplus1FindingEntry;
using pothos::core::Nplus1Kind;

extern "C" Datum pothos_perf_n_plus_one(PG_FUNCTION_ARGS) {
    bool showtext = PG_GETARG_BOOL(0);
    require_ready();
    bool see_all = can_read_all_stats();
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kCols, "n_plus_one");

    nplus1_sweep();

    pothos::core::Nplus1Findings& findings = nplus1_findings();
    LWLockAcquire(nplus1_lock(), LW_SHARED);
    uint32 cap = findings.capacity();
    Nplus1FindingEntry* rows = (Nplus1FindingEntry*) palloc(sizeof(Nplus1FindingEntry) * (findings.header().count + 1));
    uint32 n = 0, room = findings.header().count;
    for (uint32 i = 0; i < cap && n < room; i++)
        if (findings.entry(i).in_use && findings.entry(i).occurrences >= nplus1_guc_min_occurrences)
            rows[n++] = findings.entry(i);
    LWLockRelease(nplus1_lock());

    char* suggested = (char*) palloc(kTextCap);
    char* advice = (char*) palloc(kTextCap);
    for (uint32 i = 0; i < n; i++) {
        const Nplus1FindingEntry* r = &rows[i];
        if (!finding_visible(r, see_all)) continue;
        Nplus1Kind kind = Nplus1Kind(r->kind);
        const int nchildren = r->nchildren >= 1 ? r->nchildren : 1;
        char* parent_text = showtext && r->parent_queryid ? statement_text(r->userid, r->dbid, r->parent_queryid)
                                                          : NULL;
        // Per child: its text and its batched query; child 0 is the one the
        // scalar columns describe.
        Datum qids[pothos::core::kNplus1MaxChildren], texts[pothos::core::kNplus1MaxChildren],
            repeats[pothos::core::kNplus1MaxChildren], wasted[pothos::core::kNplus1MaxChildren],
            rewrites[pothos::core::kNplus1MaxChildren];
        bool text_nulls[pothos::core::kNplus1MaxChildren], rewrite_nulls[pothos::core::kNplus1MaxChildren];
        suggested[0] = advice[0] = '\0';
        int64 saved = 0;
        for (int c = 0; c < nchildren; c++) {
            const pothos::core::Nplus1ChildStats& cs = r->child[c];
            char* child_text = statement_text(r->userid, r->dbid, cs.queryid);
            qids[c] = Int64GetDatumFast((int64) cs.queryid);
            text_nulls[c] = !showtext || !child_text;
            texts[c] = text_nulls[c] ? (Datum) 0 : CStringGetTextDatum(child_text);
            repeats[c] = Int64GetDatumFast(cs.total_repeats);
            wasted[c] = Float8GetDatumFast(cs.time_ms);
            saved += cs.total_repeats - cs.occurrences;
            Nplus1FactsC facts;
            child_facts(child_text, r->userid, r->dbid, cs.flags, &facts);
            char* rewrite = NULL;
            CppError err;
            if (!child_rewrite(facts, kind, c, nchildren, r->max_repeats, &rewrite, suggested, advice, &err))
                POTHOS_RAISE_CPP_ERROR(err);
            rewrite_nulls[c] = rewrite == NULL;
            rewrites[c] = rewrite ? CStringGetTextDatum(rewrite) : (Datum) 0;
        }
        if (kind == Nplus1Kind::ServerSideLoop) saved = 0;

        Datum v[kCols];
        bool nulls[kCols];
        memset(nulls, 0, sizeof nulls);
        int k = 0;
        v[k++] = CStringGetTextDatum(pothos::core::nplus1_kind_name(kind));
        v[k++] = ObjectIdGetDatum(r->userid);
        v[k++] = ObjectIdGetDatum(r->dbid);
        if (r->parent_queryid)
            v[k++] = Int64GetDatumFast((int64) r->parent_queryid);
        else
            nulls[k++] = true;
        if (parent_text)
            v[k++] = CStringGetTextDatum(parent_text);
        else
            nulls[k++] = true;
        v[k++] = Int64GetDatumFast((int64) r->queryid);
        if (text_nulls[0])
            nulls[k++] = true;
        else
            v[k++] = texts[0];
        v[k++] = Int64GetDatumFast(r->occurrences);
        v[k++] = Int64GetDatumFast(r->total_repeats);
        v[k++] = Int64GetDatumFast(r->max_repeats);
        v[k++] = Int64GetDatumFast(r->distinct_params);
        v[k++] = Float8GetDatumFast(r->time_ms);
        // Every child's lookups but one per occurrence become one batched query.
        v[k++] = Int64GetDatumFast(saved);
        v[k++] = Int64GetDatumFast(r->max_parent_rows);
        // Evidence that survives concurrency: executions per parent row.
        if (r->total_parent_rows > 0)
            v[k++] = Float8GetDatumFast(double(r->total_repeats) / double(r->total_parent_rows));
        else
            nulls[k++] = true;
        v[k++] = Int32GetDatum(int32(nchildren) - 1);
        v[k++] = TimestampTzGetDatum(r->first_seen);
        v[k++] = TimestampTzGetDatum(r->last_seen);
        if (suggested[0])
            v[k++] = CStringGetTextDatum(suggested);
        else
            nulls[k++] = true;
        if (advice[0])
            v[k++] = CStringGetTextDatum(advice);
        else
            nulls[k++] = true;
        // The children (n_plus_one: every lookup per row of the same parent
        // executions; one element for the other kinds).
        v[k++] = make_array(qids, NULL, nchildren, INT8OID);
        if (showtext)
            v[k++] = make_array(texts, text_nulls, nchildren, TEXTOID);
        else
            nulls[k++] = true;
        v[k++] = make_array(repeats, NULL, nchildren, INT8OID);
        v[k++] = make_array(wasted, NULL, nchildren, FLOAT8OID);
        v[k++] = make_array(rewrites, rewrite_nulls, nchildren, TEXTOID);
        v[k++] = Int64GetDatumFast(r->rate_occurrences);
        Assert(k == kCols);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
    }
    return (Datum) 0;
}

extern "C" Datum pothos_perf_n_plus_one_info(PG_FUNCTION_ARGS) {
    require_ready();
    TupleDesc desc = result_row_desc(fcinfo, 7, "n_plus_one_info");
    int64 window = int64(nplus1_window().rings()) * nplus1_window().capacity();
    int64 events = (int64) nplus1_window().total();
    LWLockAcquire(nplus1_lock(), LW_SHARED);
    const pothos::core::Nplus1FindingsHeader& h = nplus1_findings().header();
    int64 max = h.capacity, entries = h.count, evictions = (int64) h.evictions;
    TimestampTz reset = h.stats_reset;
    // The findings the view would list, without its sweep of the window (units
    // of backends still busy or gone idle are counted once analysed): cheap
    // enough for every metrics() scrape.
    int64 listed = 0;
    for (uint32 i = 0, seen = 0; i < h.capacity && seen < h.count; i++) {
        const pothos::core::Nplus1FindingEntry& e = nplus1_findings().entry(i);
        if (!e.in_use) continue;
        seen++;
        if (e.occurrences >= nplus1_guc_min_occurrences) listed++;
    }
    LWLockRelease(nplus1_lock());
    Datum v[7] = {Int64GetDatum(window), Int64GetDatum(events), Int64GetDatum(max), Int64GetDatum(entries),
                  Int64GetDatum(evictions), TimestampTzGetDatum(reset), Int64GetDatum(listed)};
    bool nulls[7] = {false, false, false, false, false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, v, nulls)));
}

extern "C" Datum pothos_perf_n_plus_one_reset(PG_FUNCTION_ARGS) {
    (void) fcinfo;
    require_ready();
    LWLockAcquire(nplus1_lock(), LW_EXCLUSIVE);
    int64 removed = nplus1_findings().header().count;
    // Units still in the window are forgotten too: occurrences anchored on
    // statements that started before now are not counted again.
    TimestampTz now = GetCurrentTimestamp();
    nplus1_findings().reset(now, now);
    LWLockRelease(nplus1_lock());
    PG_RETURN_INT64(removed);
}
