// advisor/workload.cpp -- see advisor/workload.h. C-style glue.
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "access/sysattr.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_statistic.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include "core/advisor/pred_table.h"
#include "extension/advisor/collect.h"
#include "extension/advisor/plan_uses.h"
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
    double ms;
    double calls;
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
    x->write_ms += a->ms;
    x->calls += a->calls;
    if (IsA(st, InsertStmt)) {
        x->inserted += a->rows;
        x->insert_ms += a->ms;
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


// ---------------------------------------------------------------- LIKE $n

// A LIKE pattern standing for a prefix search on relid.att: the middle value
// of the column's histogram (a value of the table's statistics, never of a
// statement) less its last character, followed by '%'; "a%" without
// statistics. A search by prefix is taken to be selective: values often
// share their first characters, a prefix typed to find one shares most.
Const* prefix_pattern(Oid relid, AttrNumber att, Oid collid) {
    char* sample = NULL;
    if (OidIsValid(relid) && att > 0) {
        HeapTuple st = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid), Int16GetDatum(att), BoolGetDatum(false));
        if (HeapTupleIsValid(st)) {
            AttStatsSlot slot;
            if (get_attstatsslot(&slot, st, STATISTIC_KIND_HISTOGRAM, InvalidOid, ATTSTATSSLOT_VALUES)) {
                if (slot.nvalues > 0 && (slot.valuetype == TEXTOID || slot.valuetype == VARCHAROID ||
                                         slot.valuetype == BPCHAROID))
                    sample = TextDatumGetCString(slot.values[slot.nvalues / 2]);
                free_attstatsslot(&slot);
            }
            ReleaseSysCache(st);
        }
    }
    StringInfoData pat;
    initStringInfo(&pat);
    if (sample != NULL) {
        int chars = pg_mbstrlen(sample) - 1;
        int len = pg_mbcharcliplen(sample, (int) strlen(sample), chars < 1 ? 1 : chars);
        for (int i = 0; i < len; i++) {
            if (sample[i] == '%' || sample[i] == '_' || sample[i] == '\\') appendStringInfoChar(&pat, '\\');
            appendStringInfoChar(&pat, sample[i]);
        }
    }
    if (pat.len == 0) appendStringInfoChar(&pat, 'a');
    appendStringInfoChar(&pat, '%');
    return makeConst(TEXTOID, -1, collid, -1, CStringGetTextDatum(pat.data), false, false);
}

// date_trunc's units: the one whose hash was recorded when the statement was
// first seen (advisor_new_statement) replaces the parameter it became.
const char* const kTruncUnits[] = {"microseconds", "milliseconds", "second", "minute", "hour", "day", "week",
                                   "month", "quarter", "year", "decade", "century", "millennium"};

struct ParamCtx {
    List* rtable;
    const uint32* hashes;  // ConstHash entries of the statement
    int nhashes;
};

const char* recorded_unit(const ParamCtx* c) {
    for (const char* unit : kTruncUnits) {
        uint32 h = advisor_const_hash(unit);
        for (int i = 0; i < c->nhashes; i++)
            if (c->hashes[i] == h) return unit;
    }
    return NULL;
}

bool is_extern_param(Node* n) {
    while (n != NULL && IsA(n, RelabelType)) n = (Node*) ((RelabelType*) n)->arg;
    return n != NULL && IsA(n, Param) && ((Param*) n)->paramkind == PARAM_EXTERN;
}

// Gives the parameters an index needs to know values: the pattern of every
// `column LIKE $n` becomes a prefix pattern; the unit of date_trunc($n, col)
// the unit recorded for it.
bool params_walker(Node* node, void* ctx) {
    ParamCtx* c = (ParamCtx*) ctx;
    if (node == NULL) return false;
    if (IsA(node, Query)) {
        List* saved = c->rtable;
        c->rtable = ((Query*) node)->rtable;
        bool r = query_tree_walker((Query*) node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(params_walker)),
                                   ctx, 0);
        c->rtable = saved;
        return r;
    }
    if (IsA(node, OpExpr) && list_length(((OpExpr*) node)->args) == 2) {
        OpExpr* op = (OpExpr*) node;
        Node* pat = (Node*) lsecond(op->args);
        while (pat != NULL && IsA(pat, RelabelType)) pat = (Node*) ((RelabelType*) pat)->arg;
        char* name = pat != NULL && IsA(pat, Param) && ((Param*) pat)->paramkind == PARAM_EXTERN ? get_opname(op->opno)
                                                                                                   : NULL;
        if (name != NULL && strcmp(name, "~~") == 0) {
            Node* col = (Node*) linitial(op->args);
            while (col != NULL && IsA(col, RelabelType)) col = (Node*) ((RelabelType*) col)->arg;
            Oid relid = InvalidOid;
            AttrNumber att = 0;
            if (col != NULL && IsA(col, Var) && ((Var*) col)->varlevelsup == 0 &&
                ((Var*) col)->varno <= list_length(c->rtable)) {
                RangeTblEntry* rte = rt_fetch(((Var*) col)->varno, c->rtable);
                if (rte->rtekind == RTE_RELATION) {
                    relid = rte->relid;
                    att = ((Var*) col)->varattno;
                }
            }
            lfirst(list_nth_cell(op->args, 1)) = prefix_pattern(relid, att, op->inputcollid);
        }
    }
    if (IsA(node, FuncExpr) && list_length(((FuncExpr*) node)->args) >= 2 &&
        is_extern_param((Node*) linitial(((FuncExpr*) node)->args))) {
        FuncExpr* f = (FuncExpr*) node;
        char* name = get_func_name(f->funcid);
        const char* unit = name != NULL && strcmp(name, "date_trunc") == 0 ? recorded_unit(c) : NULL;
        if (unit != NULL)
            linitial(f->args) = makeConst(TEXTOID, -1, DEFAULT_COLLATION_OID, -1, CStringGetTextDatum(unit), false, false);
    }
    return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(params_walker)), ctx);
}

// LIMIT $n: planned as a LIMIT of the rows the statement returned per call
// (the store's figures, not a value of the statement), as the planner's
// guess for a parameter (a tenth of the rows) can favour a plan that a
// real LIMIT does not.
void limit_from_rows(WlStatement* s) {
    Node* lim = s->query->limitCount;
    while (lim != NULL && IsA(lim, FuncExpr) && list_length(((FuncExpr*) lim)->args) == 1)
        lim = (Node*) linitial(((FuncExpr*) lim)->args);
    if (!is_extern_param(lim) || s->calls <= 0) return;
    double per_call = s->rows / s->calls + 0.999;
    int64 n = per_call < 1 ? 1 : (int64) per_call;
    s->query->limitCount = (Node*) makeConst(INT8OID, -1, InvalidOid, sizeof(int64), Int64GetDatum(n), false,
                                             FLOAT8PASSBYVAL);
}

bool ident_char(char ch) { return isalnum((unsigned char) ch) || ch == '_' || ch == '"' || (unsigned char) ch >= 0x80; }

// A typed literal normalizes to `timestamp $3`, which does not parse: the
// text with `$3::timestamp` instead; NULL when there is none.
char* typed_literals_as_casts(const char* text) {
    static const char* const kTypes[] = {"timestamptz", "timestamp", "timetz", "time", "date", "interval",
                                         "numeric", "inet", "uuid", "jsonb", "json", "boolean", "bool",
                                         "bigint", "integer", "int", "text", "real"};
    StringInfoData out;
    initStringInfo(&out);
    bool changed = false;
    const char* p = text;
    while (*p != '\0') {
        const char* end = NULL;
        size_t tlen = 0;
        if (p == text || !ident_char(p[-1])) {
            for (const char* t : kTypes) {
                tlen = strlen(t);
                if (pg_strncasecmp(p, t, tlen) != 0 || ident_char(p[tlen])) continue;
                const char* q = p + tlen;
                while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
                if (*q != '$' || !isdigit((unsigned char) q[1])) continue;
                end = q + 1;
                while (isdigit((unsigned char) *end)) end++;
                appendBinaryStringInfo(&out, q, (int) (end - q));
                appendStringInfoString(&out, "::");
                appendBinaryStringInfo(&out, p, (int) tlen);
                break;
            }
        }
        if (end != NULL) {
            p = end;
            changed = true;
        } else {
            appendStringInfoChar(&out, *p++);
        }
    }
    return changed ? out.data : NULL;
}

// ------------------------------------------------- uses of the generic plan

struct ExtractArg {
    Query* query;
    const char* text;
    PlanUses found;
    char** exprs;  // per use: the deparsed expression, NULL for a column
    Bitmapset** expr_atts;
};

// An expression of range table entry rtindex as an index key of relid:
// deparsed with search_path pinned (names outside pg_catalog qualified).
char* deparse_key(Expr* e, Index rtindex, Oid relid) {
    Expr* c = (Expr*) copyObjectImpl(e);
    if (rtindex != 1) ChangeVarNodes((Node*) c, (int) rtindex, 1, 0);
    PinnedPath pin;
    pinned_path_enter(&pin);
    char* sql = deparse_expression((Node*) c, deparse_context_for(get_rel_name(relid), relid), false, false);
    pinned_path_leave(&pin);
    return sql;
}

// Plans the statement (a generic plan: its parameters have no values) and
// collects the uses the plan shows. Runs as the statement's role.
void extract_fn(void* p) {
    ExtractArg* a = (ExtractArg*) p;
    MemoryContext outer = CurrentMemoryContext;
    MemoryContext scratch = AllocSetContextCreate(outer, "pothos_perf advisor uses", ALLOCSET_DEFAULT_SIZES);
    MemoryContextSwitchTo(scratch);
    Query* q = (Query*) copyObjectImpl(a->query);
    PlannedStmt* ps = pg_plan_query(q, a->text, CURSOR_OPT_PARALLEL_OK, NULL);
    MemoryContextSwitchTo(outer);
    plan_uses_planned(ps, &a->found);
    a->exprs = (char**) palloc0(sizeof(char*) * (a->found.n + 1));
    a->expr_atts = (Bitmapset**) palloc0(sizeof(Bitmapset*) * (a->found.n + 1));
    for (int i = 0; i < a->found.n; i++) {
        const PlanUse& u = a->found.uses[i];
        if (u.expr == NULL) continue;
        a->exprs[i] = deparse_key(u.expr, u.rtindex, u.relid);
        pull_varattnos((Node*) u.expr, u.rtindex, &a->expr_atts[i]);
        a->found.uses[i].expr = NULL;  // in the scratch context
    }
    MemoryContextDelete(scratch);
}

struct ColumnsCtx {
    Index rtindex;
    int level;
    Bitmapset* atts;
};

// The columns of range table entry rtindex a query reads (whole row: 0).
bool columns_walker(Node* node, void* ctx) {
    ColumnsCtx* c = (ColumnsCtx*) ctx;
    if (node == NULL) return false;
    if (IsA(node, Var)) {
        Var* v = (Var*) node;
        if ((int) v->varlevelsup == c->level && (Index) v->varno == c->rtindex)
            c->atts = bms_add_member(c->atts, v->varattno - FirstLowInvalidHeapAttributeNumber);
        return false;
    }
    if (IsA(node, Query)) {
        c->level++;
        bool r = query_tree_walker((Query*) node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(columns_walker)),
                                   ctx, 0);
        c->level--;
        return r;
    }
    return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(columns_walker)), ctx);
}

WlUse* next_use(WlStatement* s, int* cap) {
    if (s->nuses == *cap) {
        *cap = *cap > 0 ? *cap * 2 : 16;
        s->uses = s->uses ? (WlUse*) repalloc(s->uses, sizeof(WlUse) * *cap) : (WlUse*) palloc(sizeof(WlUse) * *cap);
    }
    WlUse* u = &s->uses[s->nuses++];
    memset(u, 0, sizeof *u);
    return u;
}

// A use of a column (not dropped since), with its name and statistics.
WlUse* add_column_use(WlStatement* s, int* cap, Oid relid, AttrNumber att, uint8 kind) {
    char* col = get_attname(relid, att, true);
    if (col == NULL) return NULL;
    WlUse* u = next_use(s, cap);
    u->use.relid = relid;
    u->use.attnum = att;
    u->use.kind = kind;
    u->distinct = column_distinct(relid, att);
    u->width = get_attavgwidth(relid, att);
    u->column = quote_identifier(col);
    return u;
}

// The uses of s: its generic plan's, the columns a SELECT reads per table,
// and those sampled executions showed (their counts replace the estimates).
void statement_uses(WlStatement* s, const core::advisor::PredEntry* sampled, uint32 nsampled) {
    int cap = 0;
    ExtractArg a{s->query, s->text, {NULL, 0, 0}, NULL, NULL};
    if (run_as_role(s->role, s->path, extract_fn, &a, NULL)) {
        for (int i = 0; i < a.found.n; i++) {
            const PlanUse& p = a.found.uses[i];
            WlUse* u = a.exprs[i] != NULL ? next_use(s, &cap) : add_column_use(s, &cap, p.relid, p.attnum, p.kind);
            if (u == NULL) continue;
            u->use = p;
            if (a.exprs[i] == NULL) continue;
            u->column = u->expr_sql = a.exprs[i];
            u->expr_atts = (AttrNumber*) palloc(sizeof(AttrNumber) * (bms_num_members(a.expr_atts[i]) + 1));
            int m = -1;
            while ((m = bms_next_member(a.expr_atts[i], m)) >= 0)
                u->expr_atts[u->nexpr_atts++] = (AttrNumber) (m + FirstLowInvalidHeapAttributeNumber);
        }
    }
    if (s->query->commandType == CMD_SELECT) {
        int rti = 0;
        ListCell* lc;
        foreach (lc, s->query->rtable) {
            RangeTblEntry* rte = (RangeTblEntry*) lfirst(lc);
            rti++;
            if (rte->rtekind != RTE_RELATION || rte->relid < FirstNormalObjectId) continue;
            ColumnsCtx c{(Index) rti, 0, NULL};
            query_tree_walker(s->query, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(columns_walker)), &c, 0);
            int m = -1;
            while ((m = bms_next_member(c.atts, m)) >= 0) {
                AttrNumber att = (AttrNumber) (m + FirstLowInvalidHeapAttributeNumber);
                if (att < 0) continue;  // system columns
                if (att == 0) {
                    WlUse* u = next_use(s, &cap);
                    u->use.relid = rte->relid;
                    u->use.kind = (uint8) core::advisor::UseKind::Output;
                    u->column = "*";
                } else {
                    add_column_use(s, &cap, rte->relid, att, (uint8) core::advisor::UseKind::Output);
                }
            }
        }
    }
    for (uint32 k = 0; k < nsampled; k++) {
        const core::advisor::PredEntry& e = sampled[k];
        if (e.key.queryid != s->queryid || e.key.kind == (uint8) core::advisor::UseKind::ConstHash) continue;
        WlUse* u = NULL;
        for (int j = 0; j < s->nuses && u == NULL; j++) {
            WlUse* x = &s->uses[j];
            if (x->expr_sql == NULL && x->use.relid == e.key.relid && x->use.attnum == e.key.attnum &&
                x->use.kind == e.key.kind && x->use.pos == e.key.pos && x->use.flags == e.key.flags)
                u = x;
        }
        if (u == NULL) {
            u = add_column_use(s, &cap, e.key.relid, e.key.attnum, e.key.kind);
            if (u == NULL) continue;
            u->use.pos = e.key.pos;
            u->use.flags = e.key.flags;
        }
        u->use.returned = e.stats.rows_returned;
        u->use.filtered = e.stats.rows_filtered;
        u->use.index_cond = u->use.index_cond || e.stats.index_cond != 0;
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
        s->exec_ms += raw[i].counters.exec.total;
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
        if (!OidIsValid(s->role)) continue;
        CHECK_FOR_INTERRUPTS();
        if (char* fixed = typed_literals_as_casts(s->text)) s->text = fixed;
        bool writer = starts_with_word(s->text, "insert") || starts_with_word(s->text, "update") ||
                      starts_with_word(s->text, "delete") || starts_with_word(s->text, "with");
        if (writer && s->rows > 0) {
            WriteArg a{w, &wcap, s->text, s->rows, s->exec_ms, s->calls};
            run_as_role(s->role, s->path, record_write_fn, &a, NULL);
        }
        s->query = analyse_as_role(s->text, s->role, s->path);
        if (s->query == NULL) continue;
        query_relations(s->query, &s->relids, &s->nrelids);
        uint32* hashes = (uint32*) palloc(sizeof(uint32) * (nuse + 1));
        int nhashes = 0;
        for (uint32 k = 0; k < nuse; k++)
            if (uses[k].key.queryid == s->queryid && uses[k].key.kind == (uint8) core::advisor::UseKind::ConstHash)
                hashes[nhashes++] = uses[k].key.flags;
        limit_from_rows(s);
        ParamCtx pc{s->query->rtable, hashes, nhashes};
        query_tree_walker(s->query, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(params_walker)), &pc, 0);
        statement_uses(s, uses, nuse);
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
