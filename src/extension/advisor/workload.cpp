// advisor/workload.cpp -- see advisor/workload.h. C-style glue.
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_statistic.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parsetree.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
}

#include "extension/advisor/shmem.h"
#include "extension/advisor/workload.h"
#include "extension/security/security.h"
#include "extension/stats/store.h"
#include "extension/common/subxact.h"

namespace pothos::ext {

namespace {

bool starts_with_word(const char* s, const char* word) {
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '(') s++;
    return pg_strncasecmp(s, word, strlen(word)) == 0;
}

// Distinct values of a column as ANALYZE estimated them; 0 if unknown.
double column_distinct(Oid relid, AttrNumber att) {
    HeapTuple st = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid), Int16GetDatum(att), BoolGetDatum(false));
    if (!HeapTupleIsValid(st)) return 0;
    double d = ((Form_pg_statistic) GETSTRUCT(st))->stadistinct;
    ReleaseSysCache(st);
    if (d >= 0) return d;
    HeapTuple ct = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(ct)) return 0;
    double tuples = ((Form_pg_class) GETSTRUCT(ct))->reltuples;
    ReleaseSysCache(ct);
    return tuples > 0 ? -d * tuples : 0;
}

WlWrites* writes_for(Workload* w, Oid relid, int* cap) {
    for (int i = 0; i < w->nwrites; i++)
        if (w->writes[i].relid == relid) return &w->writes[i];
    if (w->nwrites == *cap) {
        *cap *= 2;
        w->writes = (WlWrites*) repalloc(w->writes, sizeof(WlWrites) * *cap);
    }
    WlWrites* x = &w->writes[w->nwrites++];
    memset(x, 0, sizeof *x);
    x->relid = relid;
    return x;
}

struct WriteArg {
    Workload* w;
    int* cap;
    const char* text;
    double rows;
};

// The table an INSERT, UPDATE or DELETE writes and, for UPDATE, the columns
// it assigns -- from the raw parse tree, which needs no parameter types.
void record_write_fn(void* p) {
    WriteArg* a = (WriteArg*) p;
    List* raw = pg_parse_query(a->text);
    if (list_length(raw) != 1) return;
    Node* st = linitial_node(RawStmt, raw)->stmt;
    RangeVar* rv = NULL;
    if (IsA(st, InsertStmt))
        rv = ((InsertStmt*) st)->relation;
    else if (IsA(st, UpdateStmt))
        rv = ((UpdateStmt*) st)->relation;
    else if (IsA(st, DeleteStmt))
        rv = ((DeleteStmt*) st)->relation;
    if (rv == NULL) return;
    Oid relid = RangeVarGetRelid(rv, AccessShareLock, true);
    if (!OidIsValid(relid)) return;
    WlWrites* x = writes_for(a->w, relid, a->cap);
    if (IsA(st, InsertStmt)) {
        x->inserted += a->rows;
    } else if (IsA(st, DeleteStmt)) {
        x->deleted += a->rows;
    } else {
        List* targets = ((UpdateStmt*) st)->targetList;
        x->updates = x->nupdates == 0 ? (WlUpdate*) palloc(sizeof(WlUpdate))
                                      : (WlUpdate*) repalloc(x->updates, sizeof(WlUpdate) * (x->nupdates + 1));
        WlUpdate* u = &x->updates[x->nupdates++];
        u->cols = (AttrNumber*) palloc(sizeof(AttrNumber) * (list_length(targets) + 1));
        u->ncols = 0;
        u->rows = a->rows;
        ListCell* lc;
        foreach (lc, targets) {
            ResTarget* rt = lfirst_node(ResTarget, lc);
            AttrNumber att = rt->name ? get_attnum(relid, rt->name) : InvalidAttrNumber;
            if (att > 0) u->cols[u->ncols++] = att;
        }
    }
}

}  // namespace

Workload* workload_collect(bool see_all) {
    Oid me = GetUserId();
    // This database's statements that ran (texts are in its encoding).
    uint32 nraw = 0;
    StoreRow* raw = store_snapshot(MyDatabaseId, true, &nraw);

    // Column uses of this database.
    uint32 nuse = 0;
    core::advisor::PredEntry* uses = advisor_snapshot(MyDatabaseId, &nuse);

    Workload* w = (Workload*) palloc0(sizeof(Workload));
    w->stmts = (WlStatement*) palloc0(sizeof(WlStatement) * (nraw + 1));
    int wcap = 8;
    w->writes = (WlWrites*) palloc0(sizeof(WlWrites) * wcap);

    // Calls of the role each statement is planned as (the one with most).
    double* role_calls = (double*) palloc0(sizeof(double) * (nraw + 1));
    for (uint32 i = 0; i < nraw; i++) {
        if (raw[i].counters.calls <= 0) continue;
        // The same fingerprint may be stored per role and nesting level: merge.
        WlStatement* s = NULL;
        for (int j = 0; j < w->nstmts; j++)
            if (w->stmts[j].queryid == raw[i].key.queryid) s = &w->stmts[j];
        if (s == NULL) {
            s = &w->stmts[w->nstmts++];
            s->queryid = raw[i].key.queryid;
            s->text = raw[i].text;
            s->role = InvalidOid;
        }
        double calls = (double) raw[i].counters.calls;
        s->calls += calls;
        s->rows += (double) raw[i].counters.rows;
        s->visible = s->visible || see_all || raw[i].key.userid == me;
        double* best = &role_calls[s - w->stmts];
        if (calls > *best && may_act_as(raw[i].key.userid)) {
            s->role = raw[i].key.userid;
            *best = calls;
        }
    }
    for (int i = 0; i < w->nstmts; i++)
        if (OidIsValid(w->stmts[i].role)) w->stmts[i].path = role_search_path(w->stmts[i].role);

    for (int i = 0; i < w->nstmts; i++) {
        WlStatement* s = &w->stmts[i];
        int n = 0;
        for (uint32 k = 0; k < nuse; k++)
            if (uses[k].key.queryid == s->queryid) n++;
        bool writer = starts_with_word(s->text, "insert") || starts_with_word(s->text, "update") ||
                      starts_with_word(s->text, "delete") || starts_with_word(s->text, "with");
        if ((n == 0 && !writer) || !OidIsValid(s->role)) continue;
        CHECK_FOR_INTERRUPTS();
        if (writer && s->rows > 0) {
            WriteArg a{w, &wcap, s->text, s->rows};
            run_as_role(s->role, s->path, record_write_fn, &a, NULL);
        }
        s->query = analyse_as_role(s->text, s->role, s->path);
        if (s->query == NULL) continue;
        query_relations(s->query, &s->relids, &s->nrelids);
        if (n == 0) continue;
        s->uses = (WlUse*) palloc(sizeof(WlUse) * n);
        for (uint32 k = 0; k < nuse; k++) {
            const core::advisor::PredEntry& e = uses[k];
            if (e.key.queryid != s->queryid) continue;
            char* col = get_attname(e.key.relid, e.key.attnum, true);
            if (col == NULL) continue;  // dropped since
            WlUse* u = &s->uses[s->nuses++];
            u->relid = e.key.relid;
            u->attnum = e.key.attnum;
            u->kind = e.key.kind;
            u->pos = e.key.pos;
            u->flags = e.key.flags;
            u->returned = e.stats.rows_returned;
            u->filtered = e.stats.rows_filtered;
            u->index_cond = e.stats.index_cond != 0;
            u->distinct = column_distinct(e.key.relid, e.key.attnum);
            u->column = quote_identifier(col);
        }
    }
    return w;
}

namespace {

struct PlanArg {
    const WlStatement* s;
    HypoIndex** set;
    int n;
    MemoryContext scratch;
    double cost;
};

void plan_fn(void* p) {
    PlanArg* a = (PlanArg*) p;
    // Planning allocates a lot: a scratch context per planning.
    a->scratch = AllocSetContextCreate(CurrentMemoryContext, "pothos_perf advisor planning", ALLOCSET_DEFAULT_SIZES);
    MemoryContextSwitchTo(a->scratch);
    hypo_activate(a->set, a->n);
    Query* q = (Query*) copyObjectImpl(a->s->query);
    PlannedStmt* ps = pg_plan_query(q, a->s->text, CURSOR_OPT_PARALLEL_OK, NULL);
    a->cost = ps->planTree->total_cost;
    hypo_deactivate();
}

}  // namespace

double workload_plan_cost(const WlStatement* s, HypoIndex** set, int n, ErrorData** pending) {
    if (*pending != NULL || s->query == NULL) return -1;
    // Called below C++ frames (the core's selection): subxact_try with
    // `pending` never lets an error propagate.
    PlanArg a{s, set, n, NULL, -1};
    bool ok = run_as_role(s->role, s->path, plan_fn, &a, pending);
    hypo_deactivate();
    if (a.scratch != NULL) MemoryContextDelete(a.scratch);
    return ok ? a.cost : -1;
}

const WlWrites* workload_writes(const Workload* w, Oid relid) {
    for (int i = 0; i < w->nwrites; i++)
        if (w->writes[i].relid == relid) return &w->writes[i];
    return NULL;
}

}  // namespace pothos::ext
