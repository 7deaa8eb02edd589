// advisor/collect.cpp -- see advisor/collect.h. C-style glue: the plan walk
// allocates only on sampled executions, in the executor's memory context.
#include "extension/common/pg.h"

extern "C" {
#include "access/parallel.h"
#include "access/stratnum.h"
#include "access/transam.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/instrument.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "access/xact.h"
#include "utils/timestamp.h"
}

#include "core/common/hot.h"
#include "core/common/sampling.h"
#include "extension/advisor/collect.h"
#include "extension/advisor/guc.h"
#include "extension/advisor/shmem.h"

namespace pothos::ext {

using core::advisor::PredKey;
using core::advisor::PredTable;
using core::advisor::UseKind;

namespace {

// Executions chosen for sampling and not yet ended (a small ring: a stale
// entry left by an error only makes a later lookup miss or walk a plan
// without instrumentation, which is skipped).
constexpr int kSampledSlots = 8;
const QueryDesc* sampled[kSampledSlots];
int sampled_count = 0;
int sampled_next = 0;

uint64 rng_state = 0;

inline double next_uniform() {
    if (rng_state == 0) rng_state = ((uint64) MyProcPid << 32) ^ (uint64) GetCurrentTimestamp() ^ 0x9E3779B97F4A7C15ULL;
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double) (rng_state >> 11) * (1.0 / 9007199254740992.0);
}

// A fingerprint a backend sampled less than kMinSampleGapUs ago (by the
// statements' start times) is not sampled again, unless sample_rate is 1: the
// collection then costs at most one plan walk per fingerprint, backend and
// gap however often a statement runs. The advisor needs each predicate's
// selectivity (rows returned against filtered), not one sample per call:
// how often a statement runs comes from the statement store's calls.
constexpr int kRecentSlots = 64;
constexpr int64 kMinSampleGapUs = 100 * 1000;
struct RecentSample {
    uint64 queryid;
    TimestampTz at;
};
RecentSample recent_samples[kRecentSlots];

bool sampled_recently(uint64 queryid) {
    if (advisor_guc_sample_rate >= 1.0) return false;
    TimestampTz now = GetCurrentStatementStartTimestamp();
    RecentSample* r = &recent_samples[queryid % kRecentSlots];
    if (r->queryid == queryid && now >= r->at && now - r->at < kMinSampleGapUs) return true;
    r->queryid = queryid;
    r->at = now;
    return false;
}

}  // namespace

namespace {

// Executions until the next sampling candidate (1: this one): gaps of a
// Bernoulli(rate) process (core/common/sampling.h), so candidates are the same share
// of executions as with one draw per execution. core::kNoSample: sampling is
// off (rate 0 or no shared memory) until the rate changes.
int64 sample_countdown = 1;

// The countdown reached a candidate: samples qd if it can be sampled (else
// the next execution is the candidate) and draws the next countdown.
POTHOS_COLD void sampling_candidate(QueryDesc* qd, int eflags) {
    if (advisor_guc_sample_rate <= 0 || !advisor_ready()) {
        sample_countdown = core::kNoSample;
        return;
    }
    if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) || qd->plannedstmt->queryId == 0 || qd->operation == CMD_UTILITY ||
        IsParallelWorker())
        return;  // not a candidate: the next execution is
    sample_countdown = core::geometric_gap(advisor_guc_sample_rate, next_uniform());
    if (sampled_recently(qd->plannedstmt->queryId)) return;
    qd->instrument_options |= INSTRUMENT_ROWS;
    if (sampled[sampled_next] == nullptr) sampled_count++;
    sampled[sampled_next] = qd;
    sampled_next = (sampled_next + 1) % kSampledSlots;
}

}  // namespace

void advisor_sample_rate_changed() { sample_countdown = 1; }

// Chooses executions to sample before the executor starts (instrument_options
// must be set before the plan state is built).
POTHOS_HOT void advisor_executor_start(QueryDesc* qd, int eflags) {
    if (POTHOS_LIKELY(sample_countdown > 1)) {
        if (sample_countdown != core::kNoSample) sample_countdown--;
        return;
    }
    sampling_candidate(qd, eflags);
}

namespace {

// ---------------------------------------------------------------- plan walk

struct Walk {
    List* rtable;
    AdvisorUse* obs;  // key without its database and statement (the caller's)
    int n;
    int cap;
};

void add_obs(Walk* w, Oid relid, AttrNumber att, UseKind kind, uint8 pos, uint32 flags, double returned,
             double filtered, bool index_cond) {
    // System catalogs (and everything initdb created) take no user indexes:
    // collecting their predicates would only lead to advice that cannot be
    // applied.
    if (relid < FirstNormalObjectId) return;
    if (w->n == w->cap) {
        w->cap *= 2;
        w->obs = (AdvisorUse*) repalloc(w->obs, sizeof(AdvisorUse) * w->cap);
    }
    AdvisorUse* o = &w->obs[w->n++];
    memset(&o->key, 0, sizeof o->key);
    o->key.relid = relid;
    o->key.attnum = att;
    o->key.kind = (uint8) kind;
    o->key.pos = pos;
    o->key.flags = flags;
    o->returned = returned;
    o->filtered = filtered;
    o->index_cond = index_cond;
}

Expr* strip(Expr* e) {
    while (e != NULL && IsA(e, RelabelType)) e = ((RelabelType*) e)->arg;
    return e;
}

// The base table column an expression evaluated at plan node ps stands for,
// following OUTER_VAR / INNER_VAR references down through the children's
// target lists.
bool resolve_column(PlanState* ps, Expr* e, List* rtable, Oid* relid, AttrNumber* att) {
    for (int depth = 0; depth < 64 && ps != NULL; depth++) {
        e = strip(e);
        if (e == NULL || !IsA(e, Var)) return false;
        Var* v = (Var*) e;
        if (v->varlevelsup != 0) return false;
        if (v->varno == OUTER_VAR || v->varno == INNER_VAR) {
            PlanState* child = v->varno == OUTER_VAR ? outerPlanState(ps) : innerPlanState(ps);
            if (child == NULL) return false;
            TargetEntry* te = get_tle_by_resno(child->plan->targetlist, v->varattno);
            if (te == NULL) return false;
            ps = child;
            e = te->expr;
            continue;
        }
        if (IS_SPECIAL_VARNO(v->varno) || v->varattno <= 0 || v->varno > (int) list_length(rtable)) return false;
        RangeTblEntry* rte = rt_fetch(v->varno, rtable);
        if (rte->rtekind != RTE_RELATION) return false;
        *relid = rte->relid;
        *att = v->varattno;
        return true;
    }
    return false;
}

bool is_value(Expr* e) {
    e = strip(e);
    return e != NULL && !contain_var_clause((Node*) e);
}

bool is_exec_param(Expr* e) {
    e = strip(e);
    return e != NULL && IsA(e, Param) && ((Param*) e)->paramkind == PARAM_EXEC;
}

// LIKE pattern usable by a btree: a constant must not start with a wildcard;
// a parameter or expression may be a prefix.
bool like_prefix_possible(Expr* pattern) {
    pattern = strip(pattern);
    if (pattern == NULL || !IsA(pattern, Const)) return true;
    Const* c = (Const*) pattern;
    if (c->constisnull || (c->consttype != TEXTOID && c->consttype != VARCHAROID && c->consttype != BPCHAROID))
        return false;
    text* t = DatumGetTextPP(c->constvalue);
    if (VARSIZE_ANY_EXHDR(t) == 0) return false;
    char first = VARDATA_ANY(t)[0];
    return first != '%' && first != '_';
}

// Filter (or index condition) clause of the scan at ps.
void classify_scan_clause(Walk* w, PlanState* ps, Expr* clause, double returned, double filtered, bool index_cond) {
    Oid relid;
    AttrNumber att;
    clause = strip(clause);
    if (clause == NULL) return;
    if (IsA(clause, BoolExpr)) {
        BoolExpr* b = (BoolExpr*) clause;
        if (b->boolop == AND_EXPR) {
            ListCell* lc;
            foreach (lc, b->args) classify_scan_clause(w, ps, (Expr*) lfirst(lc), returned, filtered, index_cond);
        } else if (b->boolop == NOT_EXPR && list_length(b->args) == 1) {
            Expr* arg = strip((Expr*) linitial(b->args));
            if (arg && IsA(arg, Var) && ((Var*) arg)->vartype == BOOLOID &&
                resolve_column(ps, arg, w->rtable, &relid, &att))
                add_obs(w, relid, att, UseKind::BoolFalse, 0, 0, returned, filtered, index_cond);
        }
        return;
    }
    if (IsA(clause, Var)) {
        if (((Var*) clause)->vartype == BOOLOID && resolve_column(ps, clause, w->rtable, &relid, &att))
            add_obs(w, relid, att, UseKind::BoolTrue, 0, 0, returned, filtered, index_cond);
        return;
    }
    if (IsA(clause, NullTest)) {
        NullTest* nt = (NullTest*) clause;
        if (!nt->argisrow && resolve_column(ps, nt->arg, w->rtable, &relid, &att))
            add_obs(w, relid, att, nt->nulltesttype == IS_NULL ? UseKind::IsNull : UseKind::NotNull, 0, 0, returned,
                    filtered, index_cond);
        return;
    }
    if (IsA(clause, ScalarArrayOpExpr)) {
        ScalarArrayOpExpr* sa = (ScalarArrayOpExpr*) clause;
        if (sa->useOr && list_length(sa->args) == 2 && is_value((Expr*) lsecond(sa->args))) {
            char* name = get_opname(sa->opno);
            if (name && strcmp(name, "=") == 0 && resolve_column(ps, (Expr*) linitial(sa->args), w->rtable, &relid, &att))
                add_obs(w, relid, att, UseKind::In, 0, 0, returned, filtered, index_cond);
        }
        return;
    }
    if (!IsA(clause, OpExpr) || list_length(((OpExpr*) clause)->args) != 2) return;
    OpExpr* op = (OpExpr*) clause;
    Expr* l = strip((Expr*) linitial(op->args));
    Expr* r = strip((Expr*) lsecond(op->args));
    Expr* col;
    Expr* other;
    if (l && IsA(l, Var) && is_value(r)) {
        col = l;
        other = r;
    } else if (r && IsA(r, Var) && is_value(l)) {
        col = r;
        other = l;
    } else {
        return;
    }
    char* name = get_opname(op->opno);
    if (name == NULL) return;
    UseKind kind;
    if (strcmp(name, "=") == 0)
        kind = is_exec_param(other) ? UseKind::JoinKey : UseKind::Eq;
    else if (strcmp(name, "<") == 0 || strcmp(name, "<=") == 0 || strcmp(name, ">") == 0 || strcmp(name, ">=") == 0)
        kind = UseKind::Range;
    else if (strcmp(name, "~~") == 0 && col == l && like_prefix_possible(other))
        kind = UseKind::Like;
    else
        return;
    if (resolve_column(ps, col, w->rtable, &relid, &att))
        add_obs(w, relid, att, kind, 0, 0, returned, filtered, index_cond);
}

void classify_list(Walk* w, PlanState* ps, List* clauses, double returned, double filtered, bool index_cond) {
    ListCell* lc;
    foreach (lc, clauses) classify_scan_clause(w, ps, (Expr*) lfirst(lc), returned, filtered, index_cond);
}

// Equality join clauses: both sides' columns are join keys.
void classify_join_clauses(Walk* w, PlanState* ps, List* clauses) {
    ListCell* lc;
    foreach (lc, clauses) {
        Expr* c = strip((Expr*) lfirst(lc));
        if (c == NULL || !IsA(c, OpExpr) || list_length(((OpExpr*) c)->args) != 2) continue;
        OpExpr* op = (OpExpr*) c;
        char* name = get_opname(op->opno);
        if (name == NULL || strcmp(name, "=") != 0) continue;
        Oid r1, r2;
        AttrNumber a1, a2;
        if (!resolve_column(ps, (Expr*) linitial(op->args), w->rtable, &r1, &a1)) continue;
        if (!resolve_column(ps, (Expr*) lsecond(op->args), w->rtable, &r2, &a2)) continue;
        if (r1 == r2) continue;
        add_obs(w, r1, a1, UseKind::JoinKey, 0, 0, 0, 0, false);
        add_obs(w, r2, a2, UseKind::JoinKey, 0, 0, 0, 0, false);
    }
}

// Sort keys of the Sort feeding a Limit, when they are columns of one table.
void classify_limit_sort(Walk* w, PlanState* limit) {
    PlanState* ps = outerPlanState(limit);
    while (ps != NULL && (IsA(ps, GatherMergeState) || IsA(ps, ResultState))) ps = outerPlanState(ps);
    if (ps == NULL) return;
    Sort* sort;
    if (IsA(ps, SortState))
        sort = (Sort*) ps->plan;
    else if (IsA(ps, IncrementalSortState))
        sort = &((IncrementalSort*) ps->plan)->sort;
    else
        return;
    int n = sort->numCols;
    if (n <= 0 || n > 8) return;
    Oid rel0 = InvalidOid;
    Oid relids[8];
    AttrNumber atts[8];
    uint32 flags[8];
    for (int i = 0; i < n; i++) {
        TargetEntry* te = get_tle_by_resno(sort->plan.targetlist, sort->sortColIdx[i]);
        if (te == NULL || !resolve_column(ps, te->expr, w->rtable, &relids[i], &atts[i])) return;
        if (i == 0) rel0 = relids[i];
        if (relids[i] != rel0) return;
        Oid opfamily, opcintype;
        int16 strategy;
        flags[i] = 0;
        if (get_ordering_op_properties(sort->sortOperators[i], &opfamily, &opcintype, &strategy) &&
            strategy == BTGreaterStrategyNumber)
            flags[i] |= core::advisor::kFlagDesc;
        if (sort->nullsFirst[i]) flags[i] |= core::advisor::kFlagNullsFirst;
    }
    for (int i = 0; i < n; i++) add_obs(w, relids[i], atts[i], UseKind::OrderBy, (uint8) i, flags[i], 0, 0, false);
}

double rows_out(Instrumentation* in) { return in ? in->ntuples + in->tuplecount : 0; }

bool walk_node(PlanState* ps, void* context) {
    Walk* w = (Walk*) context;
    if (ps == NULL) return false;
    Plan* plan = ps->plan;
    Instrumentation* in = ps->instrument;
    double returned = rows_out(in);
    double filtered = in ? in->nfiltered1 : 0;
    switch (nodeTag(plan)) {
    case T_SeqScan:
    case T_SampleScan:
        classify_list(w, ps, plan->qual, returned, filtered, false);
        break;
    case T_IndexScan:
        classify_list(w, ps, plan->qual, returned, filtered, false);
        classify_list(w, ps, ((IndexScan*) plan)->indexqualorig, returned, filtered, true);
        break;
    case T_BitmapHeapScan:
        classify_list(w, ps, plan->qual, returned, filtered, false);
        classify_list(w, ps, ((BitmapHeapScan*) plan)->bitmapqualorig, returned, filtered, true);
        break;
    case T_HashJoin:
        classify_join_clauses(w, ps, ((HashJoin*) plan)->hashclauses);
        classify_join_clauses(w, ps, ((Join*) plan)->joinqual);
        break;
    case T_MergeJoin:
        classify_join_clauses(w, ps, ((MergeJoin*) plan)->mergeclauses);
        classify_join_clauses(w, ps, ((Join*) plan)->joinqual);
        break;
    case T_NestLoop:
        classify_join_clauses(w, ps, ((Join*) plan)->joinqual);
        break;
    case T_Limit:
        classify_limit_sort(w, ps);
        break;
    default:
        break;
    }
    return planstate_tree_walker(ps, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(walk_node)), context);
}

bool take_sampled(const QueryDesc* qd) {
    for (int i = 0; i < kSampledSlots; i++) {
        if (sampled[i] == qd) {
            sampled[i] = nullptr;
            sampled_count--;
            return true;
        }
    }
    return false;
}

}  // namespace

// The end of a statement that may have been sampled: collect its predicates.
static POTHOS_COLD void collect_sampled(const StmtEvent& ev) {
    if (!take_sampled(ev.qd)) return;
    QueryDesc* qd = const_cast<QueryDesc*>(ev.qd);
    if (qd->planstate == NULL || qd->planstate->instrument == NULL || qd->estate == NULL) return;
    Walk w;
    w.rtable = qd->plannedstmt->rtable;
    w.cap = 16;
    w.n = 0;
    w.obs = (AdvisorUse*) palloc(sizeof(AdvisorUse) * w.cap);
    walk_node(qd->planstate, &w);
    for (int i = 0; i < w.n; i++) {
        w.obs[i].key.dbid = MyDatabaseId;
        w.obs[i].key.queryid = ev.key.queryid;
    }
    advisor_record(w.obs, w.n);
    pfree(w.obs);
}

POTHOS_HOT void advisor_statement_end(const StmtEvent& ev) {
    if (POTHOS_LIKELY(sampled_count == 0) || ev.qd == nullptr) return;
    collect_sampled(ev);
}

}  // namespace pothos::ext
