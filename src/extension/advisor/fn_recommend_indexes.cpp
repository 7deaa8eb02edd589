// advisor/fn_recommend_indexes.cpp -- pothos_perf.recommend_indexes(min_improvement_pct):
// the index advisor's pipeline.
//   1. the workload: this database's statements and their collected column
//      uses, the rows written per table (advisor/workload.h);
//   2. candidates from the uses (core/advisor/candidates.h);
//   3. each candidate made a hypothetical index: its size, and the write
//      cost of maintaining it (core/advisor/cost.h);
//   4. the set chosen greedily by re-planning the affected statements as
//      generic plans with hypothetical indexes (core/advisor/select.h), the
//      tables' existing indexes counting for the prefix rule;
//   5. one row per chosen index.
// The C++ parts (core) run inside cpp_call with their state in a Session
// owned through a memory-context callback; PostgreSQL calls are made from
// C-style frames, and the cost oracle called from core catches every
// PostgreSQL error itself (workload_plan_cost).
#include "extension/common/pg.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/pg_locale.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"

PG_FUNCTION_INFO_V1(pothos_perf_recommend_indexes);
}

#include <cmath>
#include <string>
#include <vector>

#include "core/advisor/candidates.h"
#include "core/advisor/cost.h"
#include "core/advisor/select.h"
#include "extension/advisor/collect.h"
#include "extension/advisor/guc.h"
#include "extension/advisor/workload.h"
#include "extension/common/guard.h"
#include "extension/advisor/hypo_index.h"
#include "extension/stats/store.h"
#include "extension/common/subxact.h"
#include "extension/common/sql_result.h"

namespace pothos::ext {
namespace {

namespace adv = core::advisor;

struct Session {
    std::vector<adv::Candidate> candidates;
    std::vector<std::string> shape_sql;
    std::vector<std::string> reasons;
    std::vector<adv::Choice> choices;
};

void delete_session(void* arg) { delete static_cast<Session*>(arg); }

// An existing btree index as a shape (prefix of plain columns), C-style.
struct ExistingShape {
    Oid relid;
    int nkeys;
    AttrNumber keys[INDEX_MAX_KEYS];
    bool desc[INDEX_MAX_KEYS];
    bool nulls_first[INDEX_MAX_KEYS];
    bool pattern[INDEX_MAX_KEYS];
    char* predicate;  // deparsed, "" if none
};

bool is_pattern_opfamily(Oid opfamily) {
    HeapTuple tup = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamily));
    if (!HeapTupleIsValid(tup)) return false;
    bool p = strstr(NameStr(((Form_pg_opfamily) GETSTRUCT(tup))->opfname), "pattern_ops") != NULL;
    ReleaseSysCache(tup);
    return p;
}

int existing_indexes(Oid relid, ExistingShape** out, int* cap, int n) {
    Relation rel = table_open(relid, AccessShareLock);
    List* ids = RelationGetIndexList(rel);
    List* ctx = deparse_context_for(RelationGetRelationName(rel), relid);
    table_close(rel, AccessShareLock);
    ListCell* lc;
    foreach (lc, ids) {
        Relation ix = index_open(lfirst_oid(lc), AccessShareLock);
        if (ix->rd_rel->relam == BTREE_AM_OID && ix->rd_index->indisvalid) {
            if (n == *cap) {
                *cap *= 2;
                *out = (ExistingShape*) repalloc(*out, sizeof(ExistingShape) * *cap);
            }
            ExistingShape* e = &(*out)[n];
            e->relid = relid;
            e->nkeys = 0;
            for (int k = 0; k < ix->rd_index->indnkeyatts; k++) {
                AttrNumber att = ix->rd_index->indkey.values[k];
                if (att == 0) break;  // an expression: the prefix stops here
                e->keys[k] = att;
                e->desc[k] = (ix->rd_indoption[k] & INDOPTION_DESC) != 0;
                e->nulls_first[k] = (ix->rd_indoption[k] & INDOPTION_NULLS_FIRST) != 0;
                e->pattern[k] = is_pattern_opfamily(ix->rd_opfamily[k]);
                e->nkeys++;
            }
            List* pred = RelationGetIndexPredicate(ix);
            e->predicate = pred == NIL ? pstrdup("")
                                       : deparse_expression((Node*) make_ands_explicit(pred), ctx, false, false);
            if (e->nkeys > 0) n++;
        }
        index_close(ix, AccessShareLock);
    }
    return n;
}

struct HypoArg {
    const char* ddl;
    HypoIndex* h;
    double bytes;
};

void hypo_fn(void* p) {
    HypoArg* a = (HypoArg*) p;
    a->h = hypo_from_ddl(a->ddl);
    a->bytes = hypo_estimated_bytes(a->h);
}

// What decides whether an UPDATE of a table can be HOT today: its indexes
// and every column they cover.
struct RelIndexes {
    Oid relid;
    int count;
    int ncols;
    int16* cols;
};

void rel_indexes(Oid relid, RelIndexes* out) {
    Relation rel = table_open(relid, AccessShareLock);
    out->relid = relid;
    out->count = list_length(RelationGetIndexList(rel));
    Bitmapset* cols = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_ALL);
    table_close(rel, AccessShareLock);
    out->cols = (int16*) palloc(sizeof(int16) * (bms_num_members(cols) + 1));
    out->ncols = 0;
    int m = -1;
    while ((m = bms_next_member(cols, m)) >= 0) {
        int att = m + FirstLowInvalidHeapAttributeNumber;
        if (att > 0) out->cols[out->ncols++] = (int16) att;
    }
}

// hypo_from_ddl and its size: NULL if the candidate is not a valid index
// (e.g. text_pattern_ops on a column that is not text).
HypoIndex* try_hypo(const char* ddl, double* bytes) {
    HypoArg a{ddl, NULL, 0};
    if (!subxact_try(hypo_fn, &a, NULL)) return NULL;
    *bytes = a.bytes;
    return a.h;
}

char* regclass_name(Oid relid) {
    return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(relid)));
}

// One output row, filled from the session by C++ code (no allocation).
struct OutRow {
    int candidate;
    double cost_before, cost_after, improvement, saving, write_cost;
    int nstatements;
    int* statements;  // workload statement positions
};

constexpr int kCols = 11;

}  // namespace
}  // namespace pothos::ext

using namespace pothos::ext;

extern "C" Datum pothos_perf_recommend_indexes(PG_FUNCTION_ARGS) {
    namespace adv = pothos::core::advisor;
    double min_pct = PG_ARGISNULL(0) ? advisor_guc_min_improvement : PG_GETARG_FLOAT8(0);
    if (min_pct < 0 || min_pct > 100 || std::isnan(min_pct))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("min_improvement_pct must be between 0 and 100")));
    if (!store_ready())
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("pothos_perf must be loaded via shared_preload_libraries")));
    if (advisor_table() == nullptr)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the index advisor's collection is off"),
                        errhint("Set pothos_perf.advisor_max_predicates above 0 and restart the server.")));
    bool see_all = can_read_all_stats();
    ReturnSetInfo* rsinfo = begin_result_set(fcinfo, kCols, "recommend_indexes");

    // 1. The workload.
    Workload* w = workload_collect(see_all);
    bool like_pattern = !lc_collate_is_c(DEFAULT_COLLATION_OID);

    // 2. Candidates.
    Session* sess = nullptr;
    CppError err;
    bool ok = cpp_call(&err, [&] {
        sess = new Session();
        std::vector<adv::StatementUse> uses;
        for (int i = 0; i < w->nstmts; i++) {
            const WlStatement& s = w->stmts[i];
            if (s.query == NULL || s.nuses == 0) continue;
            adv::StatementUse su;
            su.queryid = s.queryid;
            su.calls = s.calls;
            for (int k = 0; k < s.nuses; k++) {
                const WlUse& u = s.uses[k];
                adv::RelationUse* ru = nullptr;
                for (adv::RelationUse& r : su.relations)
                    if (r.relid == u.relid) ru = &r;
                if (ru == nullptr) {
                    su.relations.push_back(adv::RelationUse{u.relid, {}});
                    ru = &su.relations.back();
                }
                adv::ColumnUse cu;
                cu.attnum = u.attnum;
                cu.name = u.column;
                cu.kind = static_cast<adv::UseKind>(u.kind);
                cu.pos = u.pos;
                cu.flags = u.flags;
                cu.returned = u.returned;
                cu.filtered = u.filtered;
                cu.index_cond = u.index_cond;
                cu.distinct = u.distinct;
                ru->uses.push_back(cu);
            }
            uses.push_back(std::move(su));
        }
        adv::CandidateOptions opt;
        opt.like_needs_pattern_ops = like_pattern;
        sess->candidates = adv::generate_candidates(uses, opt);
        for (const adv::Candidate& c : sess->candidates) {
            sess->shape_sql.push_back(adv::shape_sql(c.shape));
            std::string r;
            for (size_t i = 0; i < c.reasons.size(); i++) r += (i ? "; " : "") + c.reasons[i];
            sess->reasons.push_back(r);
        }
    });
    if (sess != nullptr) {
        MemoryContextCallback* cb = (MemoryContextCallback*) palloc(sizeof(MemoryContextCallback));
        cb->func = delete_session;
        cb->arg = sess;
        MemoryContextRegisterResetCallback(CurrentMemoryContext, cb);
    }
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);

    // 3. Hypothetical indexes, sizes, existing indexes of the tables.
    int nc = (int) sess->candidates.size();
    HypoIndex** hypos = (HypoIndex**) palloc0(sizeof(HypoIndex*) * (nc + 1));
    double* bytes = (double*) palloc0(sizeof(double) * (nc + 1));
    int* heights = (int*) palloc0(sizeof(int) * (nc + 1));
    Oid* rels = (Oid*) palloc(sizeof(Oid) * (nc + 1));
    int nrels = 0;
    for (int i = 0; i < nc; i++) {
        CHECK_FOR_INTERRUPTS();
        Oid relid = sess->candidates[i].shape.relid;
        // Advice only on relations the caller may read (security.h).
        if (!may_read_relation(relid, see_all)) continue;
        char* ddl = psprintf("CREATE INDEX ON %s USING btree %s", regclass_name(relid), sess->shape_sql[i].c_str());
        hypos[i] = try_hypo(ddl, &bytes[i]);
        if (hypos[i] != NULL) heights[i] = hypos[i]->tree_height;
        bool seen = false;
        for (int k = 0; k < nrels; k++) seen = seen || rels[k] == relid;
        if (!seen) rels[nrels++] = relid;
    }
    int ecap = 8, nexisting = 0;
    ExistingShape* existing = (ExistingShape*) palloc(sizeof(ExistingShape) * ecap);
    for (int k = 0; k < nrels; k++) nexisting = existing_indexes(rels[k], &existing, &ecap, nexisting);
    RelIndexes* relix = (RelIndexes*) palloc(sizeof(RelIndexes) * (nrels + 1));
    for (int k = 0; k < nrels; k++) rel_indexes(rels[k], &relix[k]);

    // 4. Selection, re-planning with hypothetical indexes.
    // At most kMaxIndexes rows, each with at most nstmts statements.
    const int kMaxIndexes = 10;
    OutRow* out = (OutRow*) palloc0(sizeof(OutRow) * (kMaxIndexes + 1));
    int nout = 0;
    int* stmt_pos = (int*) palloc(sizeof(int) * (w->nstmts + 1));
    int* stmt_buf = (int*) palloc_extended(sizeof(int) * (size_t) (w->nstmts + 1) * (kMaxIndexes + 1), MCXT_ALLOC_HUGE);
    ErrorData* pending = NULL;
    ok = cpp_call(&err, [&] {
        adv::SelectionInput in;
        std::vector<int> cand_of;  // input position -> candidate
        for (int i = 0; i < nc; i++) {
            if (hypos[i] == NULL) continue;
            const adv::Candidate& c = sess->candidates[i];
            adv::TableWrites tw;
            if (const WlWrites* x = workload_writes(w, c.shape.relid)) {
                tw.inserted = x->inserted;
                tw.deleted = x->deleted;
                for (int u = 0; u < x->nupdates; u++)
                    tw.updated.emplace_back(std::vector<int16_t>(x->updates[u].cols, x->updates[u].cols + x->updates[u].ncols),
                                            x->updates[u].rows);
            }
            for (int k = 0; k < nrels; k++) {
                if (relix[k].relid != c.shape.relid) continue;
                tw.index_count = relix[k].count;
                tw.indexed_columns.assign(relix[k].cols, relix[k].cols + relix[k].ncols);
            }
            adv::BtreeSize size;
            size.tree_height = heights[i];
            in.candidates.push_back(c);
            in.bytes.push_back(bytes[i]);
            in.write_cost.push_back(adv::index_write_rows(tw, c.shape) * adv::write_cost_per_row(size));
            in.breaks_hot.push_back(adv::breaks_hot_updates(tw, c.shape));
            cand_of.push_back(i);
        }
        int nstmt = 0;
        for (int i = 0; i < w->nstmts; i++) {
            const WlStatement& s = w->stmts[i];
            if (s.query == NULL || s.nrelids == 0) continue;
            adv::SelectStatement st;
            st.queryid = s.queryid;
            st.calls = s.calls;
            st.relids.assign(s.relids, s.relids + s.nrelids);
            in.statements.push_back(std::move(st));
            stmt_pos[nstmt++] = i;
        }
        for (int e = 0; e < nexisting; e++) {
            adv::IndexShape s;
            s.relid = existing[e].relid;
            for (int k = 0; k < existing[e].nkeys; k++) {
                adv::IndexKey key;
                key.attnum = existing[e].keys[k];
                key.desc = existing[e].desc[k];
                key.nulls_first = existing[e].nulls_first[k];
                key.pattern_ops = existing[e].pattern[k];
                s.keys.push_back(key);
            }
            s.predicate = existing[e].predicate;
            in.existing.push_back(std::move(s));
        }
        adv::CostOracle oracle = [&](const std::vector<size_t>& set, size_t stmt) -> double {
            std::vector<HypoIndex*> hs;
            for (size_t c : set) hs.push_back(hypos[cand_of[c]]);
            return workload_plan_cost(&w->stmts[stmt_pos[stmt]], hs.data(), (int) hs.size(), &pending);
        };
        adv::SelectOptions opt;
        opt.min_improvement_pct = min_pct;
        opt.max_indexes = kMaxIndexes;
        sess->choices = adv::select_indexes(in, oracle, opt);
        for (const adv::Choice& ch : sess->choices) {
            OutRow& r = out[nout];
            r.candidate = cand_of[ch.candidate];
            r.cost_before = ch.cost_before;
            r.cost_after = ch.cost_after;
            r.improvement = ch.improvement_pct;
            r.saving = ch.saving;
            r.write_cost = ch.write_cost;
            r.statements = stmt_buf + (size_t) nout * (w->nstmts + 1);
            r.nstatements = 0;
            for (size_t s : ch.statements) r.statements[r.nstatements++] = stmt_pos[s];
            nout++;
        }
    });
    if (pending != NULL) ReThrowError(pending);
    if (!ok) POTHOS_RAISE_CPP_ERROR(err);

    // 5. Rows.
    for (int i = 0; i < nout; i++) {
        OutRow* r = &out[i];
        const adv::Candidate& c = sess->candidates[r->candidate];
        char* table = regclass_name(c.shape.relid);
        int nk = (int) c.shape.keys.size();
        Datum* cols = (Datum*) palloc(sizeof(Datum) * nk);
        for (int k = 0; k < nk; k++) cols[k] = CStringGetTextDatum(c.shape.keys[k].name.c_str());
        int nq = 0;
        Datum* qids = (Datum*) palloc(sizeof(Datum) * (r->nstatements + 1));
        for (int k = 0; k < r->nstatements; k++) {
            const WlStatement& s = w->stmts[r->statements[k]];
            if (s.visible) qids[nq++] = Int64GetDatum((int64) s.queryid);
        }
        Datum v[kCols];
        bool nulls[kCols];
        memset(nulls, 0, sizeof nulls);
        v[0] = CStringGetTextDatum(table);
        v[1] = PointerGetDatum(construct_array(cols, nk, TEXTOID, -1, false, TYPALIGN_INT));
        v[2] = CStringGetTextDatum(
            psprintf("CREATE INDEX CONCURRENTLY ON %s USING btree %s", table, sess->shape_sql[r->candidate].c_str()));
        v[3] = Int64GetDatum((int64) bytes[r->candidate]);
        v[4] = Float8GetDatum(r->cost_before);
        v[5] = Float8GetDatum(r->cost_after);
        v[6] = Float8GetDatum(r->improvement);
        v[7] = Int32GetDatum(r->nstatements);
        v[8] = PointerGetDatum(construct_array(qids, nq, INT8OID, 8, true, TYPALIGN_DOUBLE));
        v[9] = CStringGetTextDatum(sess->reasons[r->candidate].c_str());
        v[10] = Float8GetDatum(r->write_cost);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
    }
    // The figure metrics() reports: the whole database's advice.
    if (superuser()) advisor_note_recommendations(nout);
    return (Datum) 0;
}
