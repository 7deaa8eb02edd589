// hypo_index.cpp -- hypothetical btree indexes (see hypo_index.h).
// C-style glue; the size estimate is core's (advisor/btree_size_bridge.h).
#include "extension/common/pg.h"

extern "C" {
#include "access/amapi.h"
#include "access/relation.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "parser/parse_type.h"
#include "parser/parse_utilcmd.h"
#include "parser/parser.h"
#include "rewrite/rewriteManip.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/ruleutils.h"
}

#include "extension/advisor/btree_size_bridge.h"
#include "extension/advisor/hypo_index.h"
#include "extension/common/guard.h"
#include "extension/security/security.h"

namespace pothos::ext {

namespace {

get_relation_info_hook_type prev_get_relation_info = nullptr;
explain_get_index_name_hook_type prev_explain_get_index_name = nullptr;

HypoIndex** active = nullptr;
int n_active = 0;
// Fake OIDs count down from the top of the OID space, where real relations
// practically never are.
Oid next_fake_oid = 0xFFFFFF00u;

void bad_ddl(const char* ddl, const char* msg, const char* detail) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("invalid hypothetical index: %s", msg),
                    detail ? errdetail("%s", detail) : 0,
                    errhint("Give one CREATE INDEX statement on a table, e.g. CREATE INDEX ON t (a, b); got: %s",
                            ddl)));
}

// Share of the table's rows the predicate keeps, as the planner estimates
// it for SELECT 1 FROM table WHERE predicate.
// The query is the extension's own: built and planned with search_path
// pinned, so the deparsed predicate names every function and operator
// outside pg_catalog with its schema.
double predicate_fraction(HypoIndex* h) {
    PinnedPath pin;
    pinned_path_enter(&pin);
    Relation rel = table_open(h->relid, AccessShareLock);
    List* ctx = deparse_context_for(RelationGetRelationName(rel), h->relid);
    char* table = quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)),
                                             RelationGetRelationName(rel));
    table_close(rel, AccessShareLock);
    char* pred = deparse_expression((Node*) make_ands_explicit(h->predicate), ctx, false, false);
    char* sql = psprintf("SELECT 1 FROM %s WHERE %s", table, pred);
    List* raw = pg_parse_query(sql);
    List* queries = pg_analyze_and_rewrite_fixedparams(linitial_node(RawStmt, raw), sql, NULL, 0, NULL);
    PlannedStmt* ps = pg_plan_query(linitial_node(Query, queries), sql, 0, NULL);
    // Whole-table rows: the same planning without the predicate.
    char* sql_all = psprintf("SELECT 1 FROM %s", table);
    List* raw_all = pg_parse_query(sql_all);
    List* q_all = pg_analyze_and_rewrite_fixedparams(linitial_node(RawStmt, raw_all), sql_all, NULL, 0, NULL);
    PlannedStmt* ps_all = pg_plan_query(linitial_node(Query, q_all), sql_all, 0, NULL);
    pinned_path_leave(&pin);
    double all = ps_all->planTree->plan_rows;
    if (all <= 0) return 1.0;
    double f = ps->planTree->plan_rows / all;
    return f > 1.0 ? 1.0 : (f <= 0 ? 1.0 / all : f);
}

void estimate_size(HypoIndex* h, double table_tuples, BtreeSizeC* out) {
    double widths[INDEX_MAX_KEYS];
    for (int i = 0; i < h->ncolumns; i++) {
        int32 w = get_attavgwidth(h->relid, h->keys[i]);
        if (w <= 0) w = get_typavgwidth(h->types[i], h->typmods[i]);
        widths[i] = w;
    }
    double tuples = table_tuples * h->fraction;
    CppError err;
    if (!advisor_btree_size(tuples, widths, h->ncolumns, out, &err)) POTHOS_RAISE_CPP_ERROR(err);
    h->tuples = tuples;
    h->pages = out->pages;
    h->tree_height = out->height;
    h->tuple_bytes = out->tuple_bytes;
}

IndexOptInfo* build_index_info(HypoIndex* h, RelOptInfo* rel) {
    IndexOptInfo* info = makeNode(IndexOptInfo);
    int nc = h->ncolumns, nk = h->nkeycolumns;
    info->indexoid = h->oid;
    info->reltablespace = rel->reltablespace;
    info->rel = rel;
    info->ncolumns = nc;
    info->nkeycolumns = nk;
    info->indexkeys = (int*) palloc(sizeof(int) * nc);
    info->indexcollations = (Oid*) palloc(sizeof(Oid) * nk);
    info->opfamily = (Oid*) palloc(sizeof(Oid) * nk);
    info->opcintype = (Oid*) palloc(sizeof(Oid) * nk);
    info->sortopfamily = (Oid*) palloc(sizeof(Oid) * nk);
    info->reverse_sort = (bool*) palloc(sizeof(bool) * nk);
    info->nulls_first = (bool*) palloc(sizeof(bool) * nk);
    info->opclassoptions = (bytea**) palloc0(sizeof(bytea*) * nc);
    info->canreturn = (bool*) palloc(sizeof(bool) * nc);
    List* exprs = NIL;
    if (h->exprs != NIL) {
        exprs = (List*) copyObjectImpl(h->exprs);
        if (rel->relid != 1) ChangeVarNodes((Node*) exprs, 1, rel->relid, 0);
    }
    ListCell* next_expr = list_head(exprs);
    for (int i = 0; i < nc; i++) {
        info->indexkeys[i] = h->keys[i];
        info->canreturn[i] = true;  // btree returns every column
        if (i < nk) {
            info->indexcollations[i] = h->collations[i];
            info->opfamily[i] = h->opfamily[i];
            info->opcintype[i] = h->opcintype[i];
            info->sortopfamily[i] = h->opfamily[i];
            info->reverse_sort[i] = h->desc[i];
            info->nulls_first[i] = h->nulls_first[i];
        }
        Expr* key;
        if (h->keys[i] != 0) {
            key = (Expr*) makeVar(rel->relid, h->keys[i], h->types[i], h->typmods[i], h->collations[i], 0);
        } else {
            key = (Expr*) lfirst(next_expr);
            next_expr = lnext(exprs, next_expr);
        }
        info->indextlist = lappend(info->indextlist, makeTargetEntry(key, i + 1, NULL, false));
    }
    info->relam = BTREE_AM_OID;
    IndexAmRoutine* am = GetIndexAmRoutineByAmId(BTREE_AM_OID, false);
    info->amcanorderbyop = am->amcanorderbyop;
    info->amoptionalkey = am->amoptionalkey;
    info->amsearcharray = am->amsearcharray;
    info->amsearchnulls = am->amsearchnulls;
    info->amcanparallel = am->amcanparallel;
    info->amhasgettuple = am->amgettuple != NULL;
    info->amhasgetbitmap = am->amgetbitmap != NULL;
    info->amcanmarkpos = am->ammarkpos != NULL && am->amrestrpos != NULL;
    info->amcostestimate = (void (*)()) am->amcostestimate;
    info->indexprs = exprs;
    if (h->predicate != NIL) {
        List* pred = (List*) copyObjectImpl(h->predicate);
        if (rel->relid != 1) ChangeVarNodes((Node*) pred, 1, rel->relid, 0);
        info->indpred = pred;
    }
    info->predOK = false;
    info->unique = h->unique;
    info->immediate = true;
    info->hypothetical = true;  // e.g. get_actual_variable_range skips it
    BtreeSizeC size;
    estimate_size(h, rel->tuples, &size);
    info->pages = (BlockNumber) size.pages;
    info->tuples = h->tuples;
    info->tree_height = size.height;
    return info;
}

void hypo_get_relation_info(PlannerInfo* root, Oid relid, bool inhparent, RelOptInfo* rel) {
    if (prev_get_relation_info) prev_get_relation_info(root, relid, inhparent, rel);
    if (n_active == 0 || inhparent || rel->reloptkind != RELOPT_BASEREL) return;
    for (int i = 0; i < n_active; i++)
        if (active[i]->relid == relid) rel->indexlist = lcons(build_index_info(active[i], rel), rel->indexlist);
}

const char* hypo_explain_index_name(Oid indexid) {
    for (int i = 0; i < n_active; i++)
        if (active[i]->oid == indexid) return active[i]->name;
    if (prev_explain_get_index_name) return prev_explain_get_index_name(indexid);
    return NULL;
}

char* default_name(HypoIndex* h) {
    StringInfoData s;
    initStringInfo(&s);
    appendStringInfo(&s, "<hypothetical %s", get_rel_name(h->relid));
    for (int i = 0; i < h->nkeycolumns; i++)
        appendStringInfo(&s, "_%s", h->keys[i] != 0 ? get_attname(h->relid, h->keys[i], false) : "expr");
    appendStringInfoChar(&s, '>');
    return s.data;
}

AttrNumber column_of(const char* ddl, Oid relid, const char* table, IndexElem* elem) {
    if (elem->name == NULL)
        bad_ddl(ddl, "expressions are not supported in INCLUDE columns", "Include plain columns only.");
    AttrNumber att = get_attnum(relid, elem->name);
    if (att == InvalidAttrNumber)
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                        errmsg("invalid hypothetical index: column \"%s\" of relation %s does not exist",
                               elem->name, table)));
    if (att < 0) bad_ddl(ddl, "system columns cannot be indexed", NULL);
    return att;
}


HypoIndex* hypo_parse(const char* ddl, const char* relation_path);

void ddl_error_context(void* arg) {
    errcontext("hypothetical index: %s", (const char*) arg);
}

}  // namespace

HypoIndex* hypo_from_ddl(const char* ddl, const char* relation_path) {
    if (ddl == NULL || ddl[0] == '\0') bad_ddl("", "empty statement", NULL);
    ErrorContextCallback ctx;
    ctx.callback = ddl_error_context;
    ctx.arg = (void*) ddl;
    ctx.previous = error_context_stack;
    error_context_stack = &ctx;
    HypoIndex* h = hypo_parse(ddl, relation_path);
    error_context_stack = ctx.previous;
    return h;
}

namespace {

HypoIndex* hypo_parse(const char* ddl, const char* relation_path) {
    List* raw = raw_parser(ddl, RAW_PARSE_DEFAULT);
    if (list_length(raw) != 1) bad_ddl(ddl, "expected exactly one statement", NULL);
    Node* parsed = linitial_node(RawStmt, raw)->stmt;
    if (!IsA(parsed, IndexStmt)) bad_ddl(ddl, "not a CREATE INDEX statement", NULL);
    IndexStmt* stmt = (IndexStmt*) parsed;
    if (stmt->accessMethod != NULL && strcmp(stmt->accessMethod, "btree") != 0)
        bad_ddl(ddl, "only btree indexes can be hypothetical", NULL);
    Oid relid;
    if (relation_path != NULL) {
        CallerPath caller;
        caller_path_enter(relation_path, &caller);
        relid = RangeVarGetRelid(stmt->relation, AccessShareLock, false);
        caller_path_leave(&caller);
    } else {
        relid = RangeVarGetRelid(stmt->relation, AccessShareLock, false);
    }
    char kind = get_rel_relkind(relid);
    if (kind != RELKIND_RELATION && kind != RELKIND_MATVIEW)
        bad_ddl(ddl, "the relation is not a table or materialized view", NULL);
    stmt = transformIndexStmt(relid, stmt, ddl);

    HypoIndex* h = (HypoIndex*) palloc0(sizeof(HypoIndex));
    h->oid = next_fake_oid--;
    h->relid = relid;
    h->table = DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(relid)));
    h->unique = stmt->unique;
    h->nkeycolumns = list_length(stmt->indexParams);
    h->ncolumns = h->nkeycolumns + list_length(stmt->indexIncludingParams);
    if (h->nkeycolumns == 0) bad_ddl(ddl, "no key column", NULL);
    if (h->ncolumns > INDEX_MAX_KEYS) bad_ddl(ddl, "too many columns", NULL);
    int i = 0;
    ListCell* lc;
    foreach (lc, stmt->indexParams) {
        IndexElem* elem = lfirst_node(IndexElem, lc);
        if (elem->name == NULL && elem->expr != NULL) {
            // An expression key (transformIndexStmt analysed it).
            Node* expr = elem->expr;
            if (contain_mutable_functions(expr))
                bad_ddl(ddl, "functions in an index expression must be marked IMMUTABLE", NULL);
            expr = eval_const_expressions(NULL, expr);
            fix_opfuncids(expr);
            h->keys[i] = 0;
            h->types[i] = exprType(expr);
            h->typmods[i] = exprTypmod(expr);
            h->collations[i] = exprCollation(expr);
            h->exprs = lappend(h->exprs, expr);
        } else {
            AttrNumber att = column_of(ddl, relid, h->table, elem);
            h->keys[i] = att;
            get_atttypetypmodcoll(relid, att, &h->types[i], &h->typmods[i], &h->collations[i]);
        }
        if (elem->collation != NIL) h->collations[i] = get_collation_oid(elem->collation, false);
        Oid opclass = ResolveOpClass(elem->opclass, h->types[i], "btree", BTREE_AM_OID);
        h->opfamily[i] = get_opclass_family(opclass);
        h->opcintype[i] = get_opclass_input_type(opclass);
        h->desc[i] = elem->ordering == SORTBY_DESC;
        h->nulls_first[i] = elem->nulls_ordering == SORTBY_NULLS_DEFAULT ? h->desc[i]
                                                                         : elem->nulls_ordering == SORTBY_NULLS_FIRST;
        i++;
    }
    foreach (lc, stmt->indexIncludingParams) {
        IndexElem* elem = lfirst_node(IndexElem, lc);
        AttrNumber att = column_of(ddl, relid, h->table, elem);
        h->keys[i] = att;
        get_atttypetypmodcoll(relid, att, &h->types[i], &h->typmods[i], &h->collations[i]);
        i++;
    }
    h->fraction = 1.0;
    if (stmt->whereClause != NULL) {
        Node* pred = eval_const_expressions(NULL, stmt->whereClause);
        pred = (Node*) canonicalize_qual((Expr*) pred, false);
        fix_opfuncids(pred);
        h->predicate = make_ands_implicit((Expr*) pred);
        h->fraction = predicate_fraction(h);
    }
    h->name = stmt->idxname ? pstrdup(stmt->idxname) : default_name(h);
    return h;
}

}  // namespace

double hypo_estimated_bytes(HypoIndex* h) {
    Relation rel = table_open(h->relid, AccessShareLock);
    BlockNumber pages;
    double tuples, allvisfrac;
    estimate_rel_size(rel, NULL, &pages, &tuples, &allvisfrac);
    table_close(rel, AccessShareLock);
    BtreeSizeC size;
    estimate_size(h, tuples, &size);
    return size.bytes;
}

void hypo_activate(HypoIndex** indexes, int n) {
    // The hooks join the chains at the first use in this backend, so that a
    // backend that never plans with hypothetical indexes does not pay a call
    // per planned relation. Once installed they stay (another module may
    // have chained after them).
    static bool installed = false;
    if (!installed) {
        prev_get_relation_info = get_relation_info_hook;
        get_relation_info_hook = hypo_get_relation_info;
        prev_explain_get_index_name = explain_get_index_name_hook;
        explain_get_index_name_hook = hypo_explain_index_name;
        installed = true;
    }
    active = indexes;
    n_active = n;
}

void hypo_deactivate() {
    active = nullptr;
    n_active = 0;
}

}  // namespace pothos::ext
