// advisor/select_bridge.cpp -- see advisor/select_bridge.h.
#include "extension/advisor/select_bridge.h"

#include <string>
#include <vector>

#include "core/advisor/candidates.h"
#include "core/advisor/cost.h"
#include "core/advisor/select.h"
#include "extension/common/palloc_copy.h"

namespace pothos::ext {

namespace adv = core::advisor;

struct AdvisorSession {
    std::vector<adv::Candidate> candidates;
};

namespace {

// The column uses of one workload statement, per relation.
adv::StatementUse statement_use(const WlStatement& s) {
    adv::StatementUse su;
    su.queryid = s.queryid;
    su.calls = s.calls;
    for (int k = 0; k < s.nuses; k++) {
        const WlUse& u = s.uses[k];
        adv::RelationUse* ru = nullptr;
        for (adv::RelationUse& r : su.relations)
            if (r.relid == u.use.relid) ru = &r;
        if (ru == nullptr) {
            su.relations.push_back(adv::RelationUse{u.use.relid, {}});
            ru = &su.relations.back();
        }
        adv::ColumnUse cu;
        cu.attnum = u.use.attnum;
        cu.name = u.column;
        cu.kind = static_cast<adv::UseKind>(u.use.kind);
        cu.pos = u.use.pos;
        cu.flags = u.use.flags;
        cu.returned = u.use.returned;
        cu.filtered = u.use.filtered;
        cu.index_cond = u.use.index_cond;
        cu.distinct = u.distinct;
        cu.width = u.width;
        if (u.expr_sql != NULL) {
            cu.expr = u.expr_sql;
            cu.expr_attnums.assign(u.expr_atts, u.expr_atts + u.nexpr_atts);
        }
        ru->uses.push_back(cu);
    }
    return su;
}

AdvisorCandidate candidate_of(const adv::Candidate& c) {
    AdvisorCandidate out;
    out.relid = c.shape.relid;
    out.shape_sql = palloc_copy(adv::shape_sql(c.shape));
    std::string r;
    for (size_t i = 0; i < c.reasons.size(); i++) r += (i ? "; " : "") + c.reasons[i];
    out.reasons = palloc_copy(r);
    out.nkeys = (int) c.shape.keys.size();
    out.key_names = palloc_items<char*>(c.shape.keys.size() + 1);
    for (int k = 0; k < out.nkeys; k++) out.key_names[k] = palloc_copy(c.shape.keys[k].name);
    return out;
}

// What the workload writes to relid, and the indexes the table has: the
// cost a new index adds to those writes.
adv::TableWrites table_writes(const AdvisorSelectArgs* a, Oid relid) {
    adv::TableWrites tw;
    if (const WlWrites* x = workload_writes(a->w, relid)) {
        tw.inserted = x->inserted;
        tw.deleted = x->deleted;
        tw.insert_ms = x->insert_ms;
        tw.write_ms = x->write_ms;
        for (int u = 0; u < x->nupdates; u++)
            tw.updated.emplace_back(std::vector<int16_t>(x->updates[u].cols, x->updates[u].cols + x->updates[u].ncols),
                                    x->updates[u].rows);
    }
    for (int k = 0; k < a->tables->nrels; k++) {
        const RelIndexes& ri = a->tables->rels[k];
        if (ri.relid != relid) continue;
        tw.index_count = ri.count;
        tw.indexed_columns.assign(ri.cols, ri.cols + ri.ncols);
    }
    return tw;
}

adv::IndexShape shape_of(const ExistingShape& e) {
    adv::IndexShape s;
    s.relid = e.relid;
    for (int k = 0; k < e.nkeys; k++) {
        adv::IndexKey key;
        key.attnum = e.keys[k];
        key.desc = e.desc[k];
        key.nulls_first = e.nulls_first[k];
        key.pattern_ops = e.pattern[k];
        if (e.exprs[k] != NULL) key.expr = e.exprs[k];
        s.keys.push_back(key);
    }
    for (int k = 0; k < e.ninclude; k++) {
        adv::IndexKey key;
        key.attnum = e.include[k];
        s.include.push_back(key);
    }
    s.predicate = e.predicate;
    return s;
}

}  // namespace

bool advisor_candidates(const Workload* w, bool like_needs_pattern_ops, AdvisorSession** sess,
                        AdvisorCandidate** out, int* n, CppError* err) noexcept {
    *sess = nullptr;
    *n = 0;
    return cpp_call(err, [&] {
        *sess = new AdvisorSession();
        std::vector<adv::StatementUse> uses;
        for (int i = 0; i < w->nstmts; i++) {
            const WlStatement& s = w->stmts[i];
            if (s.query != NULL && s.nuses > 0) uses.push_back(statement_use(s));
        }
        adv::CandidateOptions opt;
        opt.like_needs_pattern_ops = like_needs_pattern_ops;
        (*sess)->candidates = adv::generate_candidates(uses, opt);
        *out = palloc_items<AdvisorCandidate>((*sess)->candidates.size() + 1);
        for (const adv::Candidate& c : (*sess)->candidates) (*out)[(*n)++] = candidate_of(c);
    });
}

void advisor_session_free(void* sess) noexcept { delete static_cast<AdvisorSession*>(sess); }

bool advisor_select(const AdvisorSession* sess, const AdvisorSelectArgs* a, AdvisorChoice** out, int* n,
                    CppError* err) noexcept {
    *n = 0;
    return cpp_call(err, [&] {
        adv::SelectionInput in;
        std::vector<int> cand_of;  // input position -> candidate
        for (size_t i = 0; i < sess->candidates.size(); i++) {
            if (a->hypos[i] == NULL) continue;
            const adv::Candidate& c = sess->candidates[i];
            adv::TableWrites tw = table_writes(a, c.shape.relid);
            adv::BtreeSize size;
            size.tree_height = a->heights[i];
            in.candidates.push_back(c);
            in.bytes.push_back(a->bytes[i]);
            in.write_cost.push_back(adv::index_write_ms(tw, c.shape));
            in.write_rows.push_back(adv::index_write_rows(tw, c.shape));
            in.breaks_hot.push_back(adv::breaks_hot_updates(tw, c.shape));
            cand_of.push_back((int) i);
        }
        std::vector<int> stmt_pos;  // input position -> workload statement
        for (int i = 0; i < a->w->nstmts; i++) {
            const WlStatement& s = a->w->stmts[i];
            if (s.query == NULL || s.nrelids == 0) continue;
            adv::SelectStatement st;
            st.queryid = s.queryid;
            st.calls = s.calls;
            st.exec_ms = s.exec_ms;
            st.relids.assign(s.relids, s.relids + s.nrelids);
            in.statements.push_back(std::move(st));
            stmt_pos.push_back(i);
        }
        for (int e = 0; e < a->tables->nshapes; e++) in.existing.push_back(shape_of(a->tables->shapes[e]));
        adv::CostOracle oracle = [&](const std::vector<size_t>& set, size_t stmt) -> double {
            std::vector<HypoIndex*> hs;
            for (size_t c : set) hs.push_back(a->hypos[cand_of[c]]);
            return a->cost(a->cost_ctx, stmt_pos[stmt], hs.data(), (int) hs.size());
        };
        adv::SelectOptions opt;
        opt.min_improvement_pct = a->min_improvement_pct;
        opt.max_indexes = (size_t) a->max_indexes;
        std::vector<adv::Choice> choices = adv::select_indexes(in, oracle, opt);
        *out = palloc_items<AdvisorChoice>(choices.size() + 1);
        for (const adv::Choice& ch : choices) {
            AdvisorChoice& r = (*out)[(*n)++];
            r.candidate = cand_of[ch.candidate];
            r.cost_before = ch.cost_before;
            r.cost_after = ch.cost_after;
            r.improvement = ch.improvement_pct;
            r.saving = ch.saving;
            r.write_cost = ch.write_cost;
            r.write_rows = in.write_rows[ch.candidate];
            r.statements = palloc_items<int>(ch.statements.size() + 1);
            r.nstatements = 0;
            for (size_t s : ch.statements) r.statements[r.nstatements++] = stmt_pos[s];
        }
    });
}

bool advisor_wal_increase_pct(double row_width, int index_count, double tuple_bytes, double* out,
                              CppError* err) noexcept {
    return cpp_call(err, [&] { *out = adv::wal_increase_pct(row_width, index_count, tuple_bytes); });
}

}  // namespace pothos::ext
