// query_facts_pg.cpp -- see query_facts_pg.h.
#include "extension/common/pg.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/clauses.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteManip.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include "core/analysis/query_kinds.h"
#include "extension/analysis/query_facts_pg.h"

namespace pothos::ext {

namespace {

// ---- relations -----------------------------------------------------------------

char* deparse_for(Node* expr, const char* relname, Oid relid) {
    return deparse_expression(expr, deparse_context_for(relname, relid), false, false);
}

void fill_indexes(RelationC* r, Oid relid) {
    Relation rel = relation_open(relid, AccessShareLock);
    List* ids = RelationGetIndexList(rel);
    r->nindexes = 0;
    r->indexes = (IndexC*) palloc0(sizeof(IndexC) * (list_length(ids) + 1));
    ListCell* lc;
    foreach (lc, ids) {
        Oid ix = lfirst_oid(lc);
        Relation irel = index_open(ix, AccessShareLock);
        Form_pg_index form = irel->rd_index;
        IndexC* out = &r->indexes[r->nindexes++];
        out->name = pstrdup(RelationGetRelationName(irel));
        out->unique = form->indisunique;
        out->primary = form->indisprimary;
        out->partial = !heap_attisnull(irel->rd_indextuple, Anum_pg_index_indpred, NULL);
        char* am = get_am_name(irel->rd_rel->relam);
        out->method = am ? am : pstrdup("btree");
        int nkeys = form->indnkeyatts;
        out->ncols = nkeys;
        out->cols = (char**) palloc0(sizeof(char*) * (nkeys + 1));
        List* exprs = RelationGetIndexExpressions(irel);
        ListCell* next_expr = list_head(exprs);
        for (int k = 0; k < nkeys; k++) {
            AttrNumber att = form->indkey.values[k];
            if (att != 0) {
                out->cols[k] = get_attname(relid, att, false);
            } else if (next_expr != NULL) {
                char* e = deparse_for((Node*) lfirst(next_expr), RelationGetRelationName(rel), relid);
                out->cols[k] = psprintf("(%s)", e);
                next_expr = lnext(exprs, next_expr);
            } else {
                out->cols[k] = pstrdup("(?)");
            }
        }
        index_close(irel, AccessShareLock);
    }
    relation_close(rel, AccessShareLock);
}

RelationC* make_relation(RangeTblEntry* rte) {
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rte->relid));
    if (!HeapTupleIsValid(tup)) return NULL;
    Form_pg_class c = (Form_pg_class) GETSTRUCT(tup);
    RelationC* r = (RelationC*) palloc0(sizeof(RelationC));
    r->name = pstrdup(NameStr(c->relname));
    r->schema = get_namespace_name(c->relnamespace);
    r->reltuples = c->reltuples < 0 ? 0 : c->reltuples;
    r->relpages = c->relpages;
    char kind = c->relkind;
    ReleaseSysCache(tup);
    r->alias = rte->alias ? pstrdup(rte->alias->aliasname) : NULL;
    if (kind == RELKIND_RELATION || kind == RELKIND_MATVIEW || kind == RELKIND_PARTITIONED_TABLE)
        fill_indexes(r, rte->relid);
    return r;
}

// ---- predicates ----------------------------------------------------------------

struct Walk {
    Query* q;
    QueryFactsC* f;
};

struct ColumnSide {
    Var* var;
    Node* expr;  // the column-side expression as written (Var, or wrapped)
    char* wrapper_function;
    char* cast_type;
};

Node* skip_relabel(Node* n) {
    while (n && IsA(n, RelabelType)) n = (Node*) ((RelabelType*) n)->arg;
    return n;
}

bool column_of(Walk* w, Var* v, Oid* relid, char** relname, char** colname) {
    if (v->varlevelsup != 0 || v->varattno <= 0 || (int) v->varno > list_length(w->q->rtable)) return false;
    RangeTblEntry* rte = rt_fetch(v->varno, w->q->rtable);
    if (rte->rtekind != RTE_RELATION) return false;
    *relid = rte->relid;
    *relname = get_rel_name(rte->relid);
    *colname = get_attname(rte->relid, v->varattno, true);
    return *relname != NULL && *colname != NULL;
}

// The column a side of a comparison restricts, bare or wrapped in one
// function call or cast.
bool column_side(Node* n, ColumnSide* out) {
    memset(out, 0, sizeof *out);
    n = skip_relabel(n);
    if (n == NULL) return false;
    out->expr = n;
    if (IsA(n, Var)) {
        out->var = (Var*) n;
        return true;
    }
    if (IsA(n, FuncExpr)) {
        FuncExpr* fe = (FuncExpr*) n;
        Var* found = NULL;
        ListCell* lc;
        foreach (lc, fe->args) {
            Node* a = skip_relabel((Node*) lfirst(lc));
            if (IsA(a, Var)) {
                if (found) return false;
                found = (Var*) a;
            } else if (!IsA(a, Const)) {
                return false;
            }
        }
        if (!found) return false;
        out->var = found;
        if (fe->funcformat == COERCE_EXPLICIT_CAST || fe->funcformat == COERCE_IMPLICIT_CAST)
            out->cast_type = format_type_be(fe->funcresulttype);
        else
            out->wrapper_function = get_func_name(fe->funcid);
        return true;
    }
    if (IsA(n, CoerceViaIO)) {
        Node* a = skip_relabel((Node*) ((CoerceViaIO*) n)->arg);
        if (!IsA(a, Var)) return false;
        out->var = (Var*) a;
        out->cast_type = format_type_be(((CoerceViaIO*) n)->resulttype);
        return true;
    }
    return false;
}

int operand_kind(Node* n) {
    n = skip_relabel(n);
    if (n == NULL) return (int) core::OperandKind::None;
    if (IsA(n, Const)) return (int) core::OperandKind::Constant;
    if (IsA(n, Param)) return (int) core::OperandKind::Param;
    if (IsA(n, Var)) return (int) core::OperandKind::Column;
    if (IsA(n, SubLink)) return (int) core::OperandKind::Subquery;
    if (IsA(n, FuncExpr) || IsA(n, CoerceViaIO)) {
        // a cast of a constant is still a constant (e.g. '2024-01-01'::date)
        List* args = IsA(n, FuncExpr) ? ((FuncExpr*) n)->args : list_make1(((CoerceViaIO*) n)->arg);
        if (list_length(args) == 1 && IsA(skip_relabel((Node*) linitial(args)), Const))
            return (int) core::OperandKind::Constant;
        if (list_length(args) == 1 && IsA(skip_relabel((Node*) linitial(args)), Param))
            return (int) core::OperandKind::Param;
    }
    return (int) core::OperandKind::Expression;
}

PredicateC* make_predicate(Walk* w, ColumnSide* cs) {
    Oid relid;
    char *relname, *colname;
    if (!column_of(w, cs->var, &relid, &relname, &colname)) return NULL;
    PredicateC* p = (PredicateC*) palloc0(sizeof(PredicateC));
    p->relation = relname;
    p->column = colname;
    p->wrapper_function = cs->wrapper_function;
    p->cast_type = cs->cast_type;
    if (cs->expr != (Node*) cs->var) {
        Node* e = (Node*) copyObjectImpl(cs->expr);
        ChangeVarNodes(e, cs->var->varno, 1, 0);
        p->column_expression = deparse_for(e, relname, relid);
    }
    return p;
}

// One predicate of a clause, or NULL.
PredicateC* predicate_of(Walk* w, Node* clause) {
    ColumnSide cs;
    if (IsA(clause, OpExpr)) {
        OpExpr* op = (OpExpr*) clause;
        if (list_length(op->args) != 2) return NULL;
        Node* l = (Node*) linitial(op->args);
        Node* r = (Node*) lsecond(op->args);
        Node* other = r;
        if (!column_side(l, &cs) || operand_kind(r) == (int) core::OperandKind::Column) {
            if (!column_side(r, &cs)) return NULL;
            if (operand_kind(l) == (int) core::OperandKind::Column && cs.expr != (Node*) cs.var) return NULL;
            other = l;
        }
        PredicateC* p = make_predicate(w, &cs);
        if (!p) return NULL;
        p->op_text = get_opname(op->opno);
        p->other_side = operand_kind(other);
        Node* o = skip_relabel(other);
        if (o && IsA(o, Const) && !((Const*) o)->constisnull) {
            Const* c = (Const*) o;
            if (c->consttype == TEXTOID || c->consttype == VARCHAROID || c->consttype == BPCHAROID)
                p->pattern = TextDatumGetCString(c->constvalue);
        }
        return p;
    }
    if (IsA(clause, ScalarArrayOpExpr)) {
        ScalarArrayOpExpr* sa = (ScalarArrayOpExpr*) clause;
        if (list_length(sa->args) != 2 || !column_side((Node*) linitial(sa->args), &cs)) return NULL;
        PredicateC* p = make_predicate(w, &cs);
        if (!p) return NULL;
        char* name = get_opname(sa->opno);
        if (sa->useOr && name && strcmp(name, "=") == 0) {
            p->special = 1;
        } else if (!sa->useOr && name && strcmp(name, "<>") == 0) {
            p->special = 1;
            p->negated = true;
        } else {
            p->op_text = name;
        }
        Node* arr = skip_relabel((Node*) lsecond(sa->args));
        p->other_side = arr && (IsA(arr, Const) || IsA(arr, ArrayExpr)) ? (int) core::OperandKind::Constant
                                                                         : operand_kind(arr);
        return p;
    }
    if (IsA(clause, NullTest)) {
        NullTest* nt = (NullTest*) clause;
        if (!column_side((Node*) nt->arg, &cs)) return NULL;
        PredicateC* p = make_predicate(w, &cs);
        if (!p) return NULL;
        p->special = 2;
        p->negated = nt->nulltesttype == IS_NOT_NULL;
        p->other_side = (int) core::OperandKind::None;
        return p;
    }
    return NULL;
}

bool var_notnull(Query* q, Node* n, int* out) {
    n = skip_relabel(n);
    if (!n || !IsA(n, Var)) return false;
    Var* v = (Var*) n;
    if (v->varlevelsup != 0 || v->varattno <= 0 || (int) v->varno > list_length(q->rtable)) return false;
    RangeTblEntry* rte = rt_fetch(v->varno, q->rtable);
    if (rte->rtekind != RTE_RELATION) return false;
    HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rte->relid), Int16GetDatum(v->varattno));
    if (!HeapTupleIsValid(tup)) return false;
    *out = ((Form_pg_attribute) GETSTRUCT(tup))->attnotnull ? 0 : 1;
    ReleaseSysCache(tup);
    return true;
}

void not_in_of(Walk* w, SubLink* sl) {
    if (sl->subLinkType != ANY_SUBLINK || sl->testexpr == NULL || !IsA(sl->testexpr, OpExpr)) return;
    OpExpr* op = (OpExpr*) sl->testexpr;
    if (list_length(op->args) != 2) return;
    Node* outer = skip_relabel((Node*) linitial(op->args));
    if (!outer || !IsA(outer, Var)) return;
    NotInC* n = (NotInC*) palloc0(sizeof(NotInC));
    n->expr_begin = ((Var*) outer)->location;
    n->not_offset = sl->location;
    n->outer_nullable = -1;
    n->subquery_nullable = -1;
    var_notnull(w->q, outer, &n->outer_nullable);
    Query* sub = (Query*) sl->subselect;
    if (sub && IsA(sub, Query)) {
        ListCell* lc;
        foreach (lc, sub->targetList) {
            TargetEntry* te = (TargetEntry*) lfirst(lc);
            if (te->resjunk) continue;
            var_notnull(sub, (Node*) te->expr, &n->subquery_nullable);
            break;
        }
    }
    if (n->expr_begin >= 0 && n->not_offset >= 0) w->f->not_in = lappend(w->f->not_in, n);
}

void or_group_of(Walk* w, BoolExpr* b) {
    OrGroupC* g = (OrGroupC*) palloc0(sizeof(OrGroupC));
    ListCell* lc;
    foreach (lc, b->args) {
        List* arm = make_ands_implicit((Expr*) lfirst(lc));
        ListCell* lc2;
        foreach (lc2, arm) {
            PredicateC* p = predicate_of(w, (Node*) lfirst(lc2));
            if (p) g->columns = lappend(lappend(g->columns, p->relation), p->column);
        }
    }
    if (list_length(g->columns) >= 4) w->f->or_groups = lappend(w->f->or_groups, g);
}

void clause(Walk* w, Node* c) {
    if (c == NULL) return;
    if (IsA(c, BoolExpr)) {
        BoolExpr* b = (BoolExpr*) c;
        if (b->boolop == AND_EXPR) {
            ListCell* lc;
            foreach (lc, b->args) clause(w, (Node*) lfirst(lc));
            return;
        }
        if (b->boolop == OR_EXPR) {
            or_group_of(w, b);
            return;
        }
        if (b->boolop == NOT_EXPR) {
            Node* a = (Node*) linitial(b->args);
            if (IsA(a, SubLink)) not_in_of(w, (SubLink*) a);
            return;
        }
    }
    PredicateC* p = predicate_of(w, c);
    if (p) w->f->predicates = lappend(w->f->predicates, p);
}

void jointree_quals(Walk* w, Node* n) {
    if (n == NULL) return;
    if (IsA(n, FromExpr)) {
        FromExpr* fe = (FromExpr*) n;
        ListCell* lc;
        foreach (lc, fe->fromlist) jointree_quals(w, (Node*) lfirst(lc));
        clause(w, fe->quals);
    } else if (IsA(n, JoinExpr)) {
        JoinExpr* je = (JoinExpr*) n;
        jointree_quals(w, je->larg);
        jointree_quals(w, je->rarg);
        clause(w, je->quals);
    }
}

// ---- implicit cross joins ----------------------------------------------------------

int find_root(int* parent, int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
}

void cross_joins(Walk* w) {
    FromExpr* fe = w->q->jointree;
    if (fe == NULL) return;
    int n = list_length(fe->fromlist);
    if (n < 2) return;
    // Each FROM item and the range-table indexes it covers.
    Bitmapset** items = (Bitmapset**) palloc0(sizeof(Bitmapset*) * n);
    char** names = (char**) palloc0(sizeof(char*) * n);
    int* parent = (int*) palloc(sizeof(int) * n);
    for (int i = 0; i < n; i++) {
        Node* item = (Node*) list_nth(fe->fromlist, i);
        parent[i] = i;
        if (IsA(item, RangeTblRef)) {
            int rti = ((RangeTblRef*) item)->rtindex;
            items[i] = bms_make_singleton(rti);
            RangeTblEntry* rte = rt_fetch(rti, w->q->rtable);
            if (rte->rtekind == RTE_RELATION) names[i] = get_rel_name(rte->relid);
        } else if (IsA(item, JoinExpr)) {
            items[i] = bms_make_singleton(((JoinExpr*) item)->rtindex);
        }
    }
    // Items joined by a top-level qual that refers to both.
    List* quals = make_ands_implicit((Expr*) fe->quals);
    ListCell* lc;
    foreach (lc, quals) {
        Bitmapset* refs = pull_varnos(NULL, (Node*) lfirst(lc));
        int first = -1;
        for (int i = 0; i < n; i++) {
            if (!items[i] || !IsA(list_nth(fe->fromlist, i), RangeTblRef)) continue;
            if (!bms_overlap(refs, items[i])) continue;
            if (first < 0)
                first = i;
            else
                parent[find_root(parent, i)] = find_root(parent, first);
        }
    }
    int base = -1;
    for (int i = 0; i < n; i++) {
        if (!names[i]) return;  // joins, subqueries, functions: not judged
        if (base < 0) {
            base = i;
            continue;
        }
        if (find_root(parent, i) == i && find_root(parent, base) != i) {
            w->f->cross_joins = lappend(lappend(w->f->cross_joins, names[base]), names[i]);
        }
    }
}

// ---- select-list and tail flags ------------------------------------------------------

bool const_int(Node* n, int64* out) {
    n = skip_relabel(n);
    if (n && IsA(n, FuncExpr) && list_length(((FuncExpr*) n)->args) == 1)
        n = skip_relabel((Node*) linitial(((FuncExpr*) n)->args));
    if (!n || !IsA(n, Const) || ((Const*) n)->constisnull) return false;
    Const* c = (Const*) n;
    switch (c->consttype) {
        case INT8OID: *out = DatumGetInt64(c->constvalue); return true;
        case INT4OID: *out = DatumGetInt32(c->constvalue); return true;
        case INT2OID: *out = DatumGetInt16(c->constvalue); return true;
        default: return false;
    }
}

// True if e refers only to columns of range-table entry rti (at this query
// level) and holds no aggregate, window function or sublink, so it can be
// deparsed against that one relation.
bool deparsable_on(Node* e, Index rti) {
    if (e == NULL || contain_agg_clause(e) || contain_window_function(e) || checkExprHasSubLink(e)) return false;
    List* vars = pull_var_clause(e, PVC_INCLUDE_PLACEHOLDERS);
    ListCell* lc;
    foreach (lc, vars) {
        Node* n = (Node*) lfirst(lc);
        if (!IsA(n, Var) || ((Var*) n)->varno != (int) rti || ((Var*) n)->varlevelsup != 0) return false;
    }
    return true;
}

void select_flags(Walk* w, Node* raw) {
    Query* q = w->q;
    QueryFactsC* f = w->f;
    f->has_aggregates = q->hasAggs;
    f->has_group_by = q->groupClause != NIL || q->groupingSets != NIL || q->hasDistinctOn;
    f->has_set_returning = q->hasTargetSRFs;
    f->has_limit = q->limitCount != NULL;
    f->limit_known = q->limitCount && const_int(q->limitCount, &f->limit_value);
    f->offset_known = q->limitOffset && const_int(q->limitOffset, &f->offset_value);

    SelectStmt* ss = raw && IsA(raw, SelectStmt) ? (SelectStmt*) raw : NULL;
    if (ss) {
        ListCell* lc;
        foreach (lc, ss->targetList) {
            ResTarget* rt = (ResTarget*) lfirst(lc);
            if (rt->val && IsA(rt->val, ColumnRef) && IsA(llast(((ColumnRef*) rt->val)->fields), A_Star))
                f->select_star = true;
        }
    }
    // ORDER BY: random(), and the expressions (deparsed for one-relation queries).
    RelationC* only = list_length(f->relations) == 1 ? (RelationC*) linitial(f->relations) : NULL;
    Oid only_relid = InvalidOid;
    Index only_rti = 0;
    for (int i = 0; i < list_length(q->rtable) && only; i++) {
        RangeTblEntry* rte = (RangeTblEntry*) list_nth(q->rtable, i);
        if (rte->rtekind == RTE_RELATION) {
            only_relid = rte->relid;
            only_rti = i + 1;
            break;
        }
    }
    int k = 0;
    ListCell* lc;
    foreach (lc, q->sortClause) {
        SortGroupClause* sgc = (SortGroupClause*) lfirst(lc);
        Node* e = (Node*) get_sortgroupclause_expr(sgc, q->targetList);
        if (e && IsA(e, FuncExpr) && ((FuncExpr*) e)->funcid == F_RANDOM) f->order_by_random = true;
        if (only && OidIsValid(only_relid) && deparsable_on(e, only_rti)) {
            Node* copy = (Node*) copyObjectImpl(e);
            ChangeVarNodes(copy, only_rti, 1, 0);
            char* text = deparse_for(copy, only->name, only_relid);
            SortBy* sb = ss && k < list_length(ss->sortClause) ? (SortBy*) list_nth(ss->sortClause, k) : NULL;
            if (sb && sb->sortby_dir == SORTBY_DESC) text = psprintf("%s DESC", text);
            f->order_by = lappend(f->order_by, text);
        }
        k++;
    }
}

}  // namespace

List* relations_of_rtable(List* rtable) {
    List* out = NIL;
    List* seen = NIL;
    ListCell* lc;
    foreach (lc, rtable) {
        RangeTblEntry* rte = (RangeTblEntry*) lfirst(lc);
        if (rte->rtekind != RTE_RELATION || list_member_oid(seen, rte->relid)) continue;
        seen = lappend_oid(seen, rte->relid);
        RelationC* r = make_relation(rte);
        if (r) out = lappend(out, r);
    }
    return out;
}

QueryFactsC* collect_query_facts(Query* q, Node* raw) {
    QueryFactsC* f = (QueryFactsC*) palloc0(sizeof(QueryFactsC));
    switch (q->commandType) {
        case CMD_SELECT: f->kind = (int) core::StatementKind::Select; break;
        case CMD_INSERT: f->kind = (int) core::StatementKind::Insert; break;
        case CMD_UPDATE: f->kind = (int) core::StatementKind::Update; break;
        case CMD_DELETE: f->kind = (int) core::StatementKind::Delete; break;
        case CMD_MERGE: f->kind = (int) core::StatementKind::Merge; break;
        case CMD_UTILITY: f->kind = (int) core::StatementKind::Utility; break;
        default: f->kind = (int) core::StatementKind::Other; break;
    }
    f->relations = relations_of_rtable(q->rtable);
    Walk w{q, f};
    jointree_quals(&w, (Node*) q->jointree);
    if (q->commandType == CMD_SELECT) {
        cross_joins(&w);
        select_flags(&w, raw);
    }
    return f;
}

}  // namespace pothos::ext
