// advisor/collect.cpp -- see advisor/collect.h. C-style glue: the plan walk
// (advisor/plan_uses.h) allocates only on sampled executions, in the
// executor's memory context.
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
#include "common/hashfn.h"
#include "utils/builtins.h"
}

#include "core/common/hot.h"
#include "core/advisor/sampling.h"
#include "extension/advisor/collect.h"
#include "extension/advisor/guc.h"
#include "extension/advisor/plan_uses.h"
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
// Bernoulli(rate) process (core/advisor/sampling.h), so candidates are the same share
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
    PlanUses found{NULL, 0, 0};
    plan_uses_executed(qd->planstate, qd->plannedstmt->rtable, &found);
    if (found.n == 0) return;
    AdvisorUse* obs = (AdvisorUse*) palloc(sizeof(AdvisorUse) * found.n);
    for (int i = 0; i < found.n; i++) {
        const PlanUse& u = found.uses[i];
        AdvisorUse* o = &obs[i];
        memset(&o->key, 0, sizeof o->key);
        o->key.dbid = MyDatabaseId;
        o->key.queryid = ev.key.queryid;
        o->key.relid = u.relid;
        o->key.attnum = u.attnum;
        o->key.kind = u.kind;
        o->key.pos = u.pos;
        o->key.flags = u.flags;
        o->returned = u.returned;
        o->filtered = u.filtered;
        o->index_cond = u.index_cond;
    }
    advisor_record(obs, found.n);
    pfree(obs);
    pfree(found.uses);
}

POTHOS_HOT void advisor_statement_end(const StmtEvent& ev) {
    if (POTHOS_LIKELY(sampled_count == 0) || ev.qd == nullptr) return;
    collect_sampled(ev);
}

namespace {

constexpr int kMaxConstHashes = 8;

struct ConstHashes {
    AdvisorUse uses[kMaxConstHashes];
    int n;
    uint64 queryid;
};

bool const_hash_walker(Node* node, void* ctx) {
    ConstHashes* c = (ConstHashes*) ctx;
    if (node == NULL || c->n == kMaxConstHashes) return false;
    if (IsA(node, Query))
        return query_tree_walker((Query*) node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(const_hash_walker)),
                                 ctx, 0);
    if (IsA(node, FuncExpr) && contain_var_clause(node)) {
        ListCell* lc;
        foreach (lc, ((FuncExpr*) node)->args) {
            Node* a = (Node*) lfirst(lc);
            if (!IsA(a, Const) || ((Const*) a)->consttype != TEXTOID || ((Const*) a)->constisnull) continue;
            char* v = text_to_cstring(DatumGetTextPP(((Const*) a)->constvalue));
            AdvisorUse* u = &c->uses[c->n++];
            memset(u, 0, sizeof *u);
            u->key.dbid = MyDatabaseId;
            u->key.queryid = c->queryid;
            u->key.kind = (uint8) UseKind::ConstHash;
            u->key.flags = advisor_const_hash(v);
            pfree(v);
            if (c->n == kMaxConstHashes) return true;
        }
    }
    return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(const_hash_walker)), ctx);
}

}  // namespace

uint32 advisor_const_hash(const char* value) {
    char buf[64];
    size_t n = strlen(value);
    if (n >= sizeof buf) n = sizeof buf - 1;
    for (size_t i = 0; i < n; i++) buf[i] = (char) pg_tolower((unsigned char) value[i]);
    return hash_bytes((const unsigned char*) buf, (int) n);
}

POTHOS_COLD void advisor_new_statement(Query* query) {
    if (!advisor_ready() || query->jointree == NULL) return;
    ConstHashes c;
    c.n = 0;
    c.queryid = query->queryId;
    const_hash_walker((Node*) query->jointree, &c);
    if (c.n > 0) advisor_record(c.uses, c.n);
}

}  // namespace pothos::ext
