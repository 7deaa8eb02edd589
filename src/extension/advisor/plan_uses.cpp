// advisor/plan_uses.cpp -- see advisor/plan_uses.h. C-style glue.
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/transam.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/instrument.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

#include "core/advisor/pred_table.h"
#include "extension/advisor/plan_uses.h"

namespace pothos::ext {

using core::advisor::UseKind;

namespace {

struct Walk {
    List* rtable;
    PlanUses* out;
    bool planned;  // a generic plan: expressions too
};

void add_use(Walk* w, Oid relid, AttrNumber att, UseKind kind, uint8 pos, uint32 flags, double returned,
             double filtered, bool index_cond, Expr* expr = NULL, Index rtindex = 0) {
    if (relid < FirstNormalObjectId) return;
    PlanUses* o = w->out;
    if (o->n == o->cap) {
        o->cap = o->cap > 0 ? o->cap * 2 : 16;
        o->uses = o->uses ? (PlanUse*) repalloc(o->uses, sizeof(PlanUse) * o->cap)
                          : (PlanUse*) palloc(sizeof(PlanUse) * o->cap);
    }
    PlanUse* u = &o->uses[o->n++];
    u->relid = relid;
    u->attnum = att;
    u->kind = (uint8) kind;
    u->pos = pos;
    u->flags = flags;
    u->returned = returned;
    u->filtered = filtered;
    u->index_cond = index_cond;
    u->expr = expr;
    u->rtindex = rtindex;
}

Expr* strip(Expr* e) {
    while (e != NULL && IsA(e, RelabelType)) e = ((RelabelType*) e)->arg;
    return e;
}

// The base table column an expression evaluated at plan node `plan` stands
// for, following OUTER_VAR / INNER_VAR references down through the
// children's target lists.
bool resolve_column(Plan* plan, Expr* e, List* rtable, Oid* relid, AttrNumber* att) {
    for (int depth = 0; depth < 64 && plan != NULL; depth++) {
        e = strip(e);
        if (e == NULL || !IsA(e, Var)) return false;
        Var* v = (Var*) e;
        if (v->varlevelsup != 0) return false;
        if (v->varno == OUTER_VAR || v->varno == INNER_VAR) {
            Plan* child = v->varno == OUTER_VAR ? outerPlan(plan) : innerPlan(plan);
            if (child == NULL) return false;
            TargetEntry* te = get_tle_by_resno(child->targetlist, v->varattno);
            if (te == NULL) return false;
            plan = child;
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

// An expression an index can hold: immutable, of the columns of one table
// of the range table (no parameter, sub-plan or aggregate).
struct ExprVars {
    Index varno;
    bool bad;
};

bool expr_vars_walker(Node* node, void* ctx) {
    ExprVars* c = (ExprVars*) ctx;
    if (node == NULL) return false;
    if (IsA(node, Var)) {
        Var* v = (Var*) node;
        if (v->varlevelsup != 0 || IS_SPECIAL_VARNO(v->varno) || v->varattno <= 0 ||
            (c->varno != 0 && c->varno != (Index) v->varno))
            c->bad = true;
        c->varno = v->varno;
        return c->bad;
    }
    if (IsA(node, Param) || IsA(node, SubPlan) || IsA(node, Aggref) || IsA(node, WindowFunc) ||
        IsA(node, PlaceHolderVar)) {
        c->bad = true;
        return true;
    }
    return expression_tree_walker(node, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(expr_vars_walker)), ctx);
}

bool resolve_expression(Expr* e, List* rtable, Oid* relid, Index* rtindex) {
    ExprVars c{0, false};
    expr_vars_walker((Node*) e, &c);
    if (c.bad || c.varno == 0 || c.varno > (Index) list_length(rtable)) return false;
    RangeTblEntry* rte = rt_fetch(c.varno, rtable);
    if (rte->rtekind != RTE_RELATION || contain_mutable_functions((Node*) e)) return false;
    *relid = rte->relid;
    *rtindex = c.varno;
    return true;
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

// The column (or, in a generic plan, the expression) one side of a
// comparison reads.
void add_compared(Walk* w, Plan* plan, Expr* side, UseKind kind, double returned, double filtered, bool index_cond) {
    Oid relid;
    AttrNumber att;
    Index rtindex;
    side = strip(side);
    if (side == NULL) return;
    if (IsA(side, Var)) {
        if (resolve_column(plan, side, w->rtable, &relid, &att))
            add_use(w, relid, att, kind, 0, 0, returned, filtered, index_cond);
    } else if (w->planned && kind != UseKind::JoinKey && resolve_expression(side, w->rtable, &relid, &rtindex)) {
        add_use(w, relid, 0, kind, 0, 0, returned, filtered, index_cond, side, rtindex);
    }
}

// Filter (or index condition) clause of the scan `plan`.
void classify_scan_clause(Walk* w, Plan* plan, Expr* clause, double returned, double filtered, bool index_cond) {
    Oid relid;
    AttrNumber att;
    clause = strip(clause);
    if (clause == NULL) return;
    if (IsA(clause, BoolExpr)) {
        BoolExpr* b = (BoolExpr*) clause;
        if (b->boolop == AND_EXPR) {
            ListCell* lc;
            foreach (lc, b->args) classify_scan_clause(w, plan, (Expr*) lfirst(lc), returned, filtered, index_cond);
        } else if (b->boolop == NOT_EXPR && list_length(b->args) == 1) {
            Expr* arg = strip((Expr*) linitial(b->args));
            if (arg && IsA(arg, Var) && ((Var*) arg)->vartype == BOOLOID &&
                resolve_column(plan, arg, w->rtable, &relid, &att))
                add_use(w, relid, att, UseKind::BoolFalse, 0, 0, returned, filtered, index_cond);
        }
        return;
    }
    if (IsA(clause, Var)) {
        if (((Var*) clause)->vartype == BOOLOID && resolve_column(plan, clause, w->rtable, &relid, &att))
            add_use(w, relid, att, UseKind::BoolTrue, 0, 0, returned, filtered, index_cond);
        return;
    }
    if (IsA(clause, NullTest)) {
        NullTest* nt = (NullTest*) clause;
        if (!nt->argisrow && resolve_column(plan, nt->arg, w->rtable, &relid, &att))
            add_use(w, relid, att, nt->nulltesttype == IS_NULL ? UseKind::IsNull : UseKind::NotNull, 0, 0, returned,
                    filtered, index_cond);
        return;
    }
    if (IsA(clause, ScalarArrayOpExpr)) {
        ScalarArrayOpExpr* sa = (ScalarArrayOpExpr*) clause;
        if (sa->useOr && list_length(sa->args) == 2 && is_value((Expr*) lsecond(sa->args))) {
            char* name = get_opname(sa->opno);
            if (name && strcmp(name, "=") == 0)
                add_compared(w, plan, (Expr*) linitial(sa->args), UseKind::In, returned, filtered, index_cond);
        }
        return;
    }
    if (!IsA(clause, OpExpr) || list_length(((OpExpr*) clause)->args) != 2) return;
    OpExpr* op = (OpExpr*) clause;
    Expr* l = strip((Expr*) linitial(op->args));
    Expr* r = strip((Expr*) lsecond(op->args));
    Expr* col;
    Expr* other;
    if (l && !is_value(l) && is_value(r)) {
        col = l;
        other = r;
    } else if (r && !is_value(r) && is_value(l)) {
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
    add_compared(w, plan, col, kind, returned, filtered, index_cond);
}

void classify_list(Walk* w, Plan* plan, List* clauses, double returned, double filtered, bool index_cond) {
    ListCell* lc;
    foreach (lc, clauses) classify_scan_clause(w, plan, (Expr*) lfirst(lc), returned, filtered, index_cond);
}

// Equality join clauses: both sides' columns are join keys.
void classify_join_clauses(Walk* w, Plan* plan, List* clauses) {
    ListCell* lc;
    foreach (lc, clauses) {
        Expr* c = strip((Expr*) lfirst(lc));
        if (c == NULL || !IsA(c, OpExpr) || list_length(((OpExpr*) c)->args) != 2) continue;
        OpExpr* op = (OpExpr*) c;
        char* name = get_opname(op->opno);
        if (name == NULL || strcmp(name, "=") != 0) continue;
        Oid r1, r2;
        AttrNumber a1, a2;
        if (!resolve_column(plan, (Expr*) linitial(op->args), w->rtable, &r1, &a1)) continue;
        if (!resolve_column(plan, (Expr*) lsecond(op->args), w->rtable, &r2, &a2)) continue;
        if (r1 == r2) continue;
        add_use(w, r1, a1, UseKind::JoinKey, 0, 0, 0, 0, false);
        add_use(w, r2, a2, UseKind::JoinKey, 0, 0, 0, 0, false);
    }
}

// Sort keys of the Sort feeding a Limit, when they are columns of one table.
void classify_limit_sort(Walk* w, Plan* limit) {
    Plan* p = outerPlan(limit);
    while (p != NULL && (IsA(p, GatherMerge) || IsA(p, Result))) p = outerPlan(p);
    if (p == NULL) return;
    Sort* sort;
    if (IsA(p, Sort))
        sort = (Sort*) p;
    else if (IsA(p, IncrementalSort))
        sort = &((IncrementalSort*) p)->sort;
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
        if (te == NULL || !resolve_column(p, te->expr, w->rtable, &relids[i], &atts[i])) return;
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
    for (int i = 0; i < n; i++) add_use(w, relids[i], atts[i], UseKind::OrderBy, (uint8) i, flags[i], 0, 0, false);
}

// The rows a scan's filter removed, as the planner estimated them: the
// table's rows less the rows the scan returns.
double estimated_filtered(Walk* w, Plan* plan) {
    Index scanrelid = ((Scan*) plan)->scanrelid;
    if (scanrelid == 0 || scanrelid > (Index) list_length(w->rtable)) return 0;
    RangeTblEntry* rte = rt_fetch(scanrelid, w->rtable);
    if (rte->rtekind != RTE_RELATION) return 0;
    HeapTuple ct = SearchSysCache1(RELOID, ObjectIdGetDatum(rte->relid));
    if (!HeapTupleIsValid(ct)) return 0;
    double tuples = ((Form_pg_class) GETSTRUCT(ct))->reltuples;
    ReleaseSysCache(ct);
    return tuples > plan->plan_rows ? tuples - plan->plan_rows : 0;
}

void node_uses(Walk* w, Plan* plan, Instrumentation* in) {
    double returned, filtered;
    if (w->planned) {
        returned = plan->plan_rows;
        filtered = 0;
        switch (nodeTag(plan)) {
        case T_SeqScan:
        case T_SampleScan:
        case T_IndexScan:
        case T_BitmapHeapScan:
            filtered = estimated_filtered(w, plan);
            break;
        default:
            break;
        }
    } else {
        returned = in ? in->ntuples + in->tuplecount : 0;
        filtered = in ? in->nfiltered1 : 0;
    }
    switch (nodeTag(plan)) {
    case T_SeqScan:
    case T_SampleScan:
        classify_list(w, plan, plan->qual, returned, filtered, false);
        break;
    case T_IndexScan:
        classify_list(w, plan, plan->qual, returned, filtered, false);
        classify_list(w, plan, ((IndexScan*) plan)->indexqualorig, returned, filtered, true);
        break;
    case T_IndexOnlyScan:
        classify_list(w, plan, plan->qual, returned, filtered, false);
        classify_list(w, plan, ((IndexOnlyScan*) plan)->recheckqual, returned, filtered, true);
        break;
    case T_BitmapHeapScan:
        classify_list(w, plan, plan->qual, returned, filtered, false);
        classify_list(w, plan, ((BitmapHeapScan*) plan)->bitmapqualorig, returned, filtered, true);
        break;
    case T_HashJoin:
        classify_join_clauses(w, plan, ((HashJoin*) plan)->hashclauses);
        classify_join_clauses(w, plan, ((Join*) plan)->joinqual);
        break;
    case T_MergeJoin:
        classify_join_clauses(w, plan, ((MergeJoin*) plan)->mergeclauses);
        classify_join_clauses(w, plan, ((Join*) plan)->joinqual);
        break;
    case T_NestLoop:
        classify_join_clauses(w, plan, ((Join*) plan)->joinqual);
        break;
    case T_Limit:
        classify_limit_sort(w, plan);
        break;
    default:
        break;
    }
}

bool walk_state(PlanState* ps, void* context) {
    if (ps == NULL) return false;
    node_uses((Walk*) context, ps->plan, ps->instrument);
    return planstate_tree_walker(ps, reinterpret_cast<bool (*)()>(reinterpret_cast<void*>(walk_state)), context);
}

void walk_plan(Walk* w, Plan* plan, int depth) {
    if (plan == NULL || depth > 200) return;
    node_uses(w, plan, NULL);
    walk_plan(w, plan->lefttree, depth + 1);
    walk_plan(w, plan->righttree, depth + 1);
    List* children = NIL;
    switch (nodeTag(plan)) {
    case T_Append: children = ((Append*) plan)->appendplans; break;
    case T_MergeAppend: children = ((MergeAppend*) plan)->mergeplans; break;
    case T_BitmapAnd: children = ((BitmapAnd*) plan)->bitmapplans; break;
    case T_BitmapOr: children = ((BitmapOr*) plan)->bitmapplans; break;
    case T_CustomScan: children = ((CustomScan*) plan)->custom_plans; break;
    case T_SubqueryScan: walk_plan(w, ((SubqueryScan*) plan)->subplan, depth + 1); break;
    default: break;
    }
    ListCell* lc;
    foreach (lc, children) walk_plan(w, (Plan*) lfirst(lc), depth + 1);
}

}  // namespace

void plan_uses_executed(PlanState* ps, List* rtable, PlanUses* out) {
    Walk w{rtable, out, false};
    walk_state(ps, &w);
}

void plan_uses_planned(PlannedStmt* stmt, PlanUses* out) {
    Walk w{stmt->rtable, out, true};
    walk_plan(&w, stmt->planTree, 0);
    ListCell* lc;
    foreach (lc, stmt->subplans) walk_plan(&w, (Plan*) lfirst(lc), 0);
}

}  // namespace pothos::ext
