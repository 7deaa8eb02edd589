// nplus1/facts.cpp -- see nplus1/facts.h.
#include "extension/common/pg.h"

extern "C" {
#include "access/htup_details.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "catalog/namespace.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/ruleutils.h"
#include "utils/syscache.h"
}

#include "core/nplus1/event.h"
#include "core/nplus1/statement.h"
#include "extension/nplus1/facts.h"
#include "extension/nplus1/shape.h"
#include "extension/security/security.h"

namespace pothos::ext {

namespace {

Node* strip(Node* n) { return const_cast<Node*>(nplus1_strip_casts(n)); }

struct Ctx {
    Oid relid;
    AttrNumber key_attnos[kNplus1MaxItems];
    List* deparse;
};

void add_key(Ctx* c, Nplus1FactsC* f, Var* v) {
    for (int i = 0; i < f->nkeys; i++)
        if (c->key_attnos[i] == v->varattno) return;
    if (f->nkeys >= kNplus1MaxItems || v->varattno <= 0) return;
    c->key_attnos[f->nkeys] = v->varattno;
    f->key_names[f->nkeys] = pstrdup(quote_identifier(get_attname(c->relid, v->varattno, false)));
    f->key_types[f->nkeys] = format_type_be(v->vartype);
    f->nkeys++;
}

void collect_keys(Ctx* c, Nplus1FactsC* f, Node* quals) {
    if (!quals) return;
    if (IsA(quals, BoolExpr) && ((BoolExpr*) quals)->boolop == AND_EXPR) {
        ListCell* lc;
        foreach (lc, ((BoolExpr*) quals)->args) collect_keys(c, f, (Node*) lfirst(lc));
        return;
    }
    if (IsA(quals, List)) {
        ListCell* lc;
        foreach (lc, (List*) quals) collect_keys(c, f, (Node*) lfirst(lc));
        return;
    }
    if (!IsA(quals, OpExpr) || list_length(((OpExpr*) quals)->args) != 2) return;
    OpExpr* op = (OpExpr*) quals;
    Node* l = strip((Node*) linitial(op->args));
    Node* r = strip((Node*) lsecond(op->args));
    Var* var = IsA(l, Var) ? (Var*) l : (IsA(r, Var) ? (Var*) r : nullptr);
    Node* val = (Node*) var == l ? r : l;
    if (!var || var->varlevelsup != 0 || !(IsA(val, Param) || IsA(val, Const))) return;
    char* opname = get_opname(op->opno);
    if (opname && strcmp(opname, "=") == 0) add_key(c, f, var);
}

char* deparse(Ctx* c, Node* expr) { return deparse_expression(expr, c->deparse, false, false); }

void select_list(Ctx* c, Nplus1FactsC* f, Query* q, Relation rel) {
    // SELECT * when the list is every live column in order.
    TupleDesc desc = RelationGetDescr(rel);
    ListCell* lc = list_head(q->targetList);
    bool star = true;
    for (int a = 0; a < desc->natts && star; a++) {
        if (TupleDescAttr(desc, a)->attisdropped) continue;
        while (lc && ((TargetEntry*) lfirst(lc))->resjunk) lc = lnext(q->targetList, lc);
        if (!lc) {
            star = false;
            break;
        }
        TargetEntry* tle = (TargetEntry*) lfirst(lc);
        Var* v = IsA(tle->expr, Var) ? (Var*) tle->expr : nullptr;
        star = v && v->varattno == a + 1 && tle->resname &&
               strcmp(tle->resname, NameStr(TupleDescAttr(desc, a)->attname)) == 0;
        lc = lnext(q->targetList, lc);
    }
    while (lc && ((TargetEntry*) lfirst(lc))->resjunk) lc = lnext(q->targetList, lc);
    if (star && !lc) {
        f->select[f->nselect++] = pstrdup("*");
        return;
    }
    foreach (lc, q->targetList) {
        TargetEntry* tle = (TargetEntry*) lfirst(lc);
        if (tle->resjunk || f->nselect >= kNplus1MaxItems) continue;
        char* item;
        if (IsA(tle->expr, Var) && ((Var*) tle->expr)->varattno > 0) {
            char* att = get_attname(c->relid, ((Var*) tle->expr)->varattno, false);
            item = pstrdup(quote_identifier(att));
            if (tle->resname && strcmp(tle->resname, att) != 0)
                item = psprintf("%s AS %s", item, quote_identifier(tle->resname));
        } else {
            item = deparse(c, (Node*) tle->expr);
            if (tle->resname) item = psprintf("%s AS %s", item, quote_identifier(tle->resname));
        }
        f->select[f->nselect++] = item;
    }
}

void order_by(Ctx* c, Nplus1FactsC* f, Query* q) {
    ListCell* lc;
    foreach (lc, q->sortClause) {
        if (f->norder >= kNplus1MaxItems) break;
        SortGroupClause* sgc = (SortGroupClause*) lfirst(lc);
        TargetEntry* tle = get_sortgroupclause_tle(sgc, q->targetList);
        char* item;
        if (IsA(tle->expr, Var) && ((Var*) tle->expr)->varattno > 0)
            item = pstrdup(quote_identifier(get_attname(c->relid, ((Var*) tle->expr)->varattno, false)));
        else
            item = deparse(c, (Node*) tle->expr);
        Oid opfamily, opcintype;
        int16 strategy;
        if (get_ordering_op_properties(sgc->sortop, &opfamily, &opcintype, &strategy) &&
            strategy == BTGreaterStrategyNumber)
            item = psprintf("%s DESC", item);
        f->order[f->norder++] = item;
    }
}

void written_columns(Nplus1FactsC* f, Query* q) {
    ListCell* lc;
    foreach (lc, q->targetList) {
        TargetEntry* tle = (TargetEntry*) lfirst(lc);
        if (tle->resjunk || !tle->resname || f->nset >= kNplus1MaxItems) continue;
        f->set_names[f->nset] = pstrdup(quote_identifier(tle->resname));
        f->set_types[f->nset] = format_type_be(exprType((Node*) tle->expr));
        f->nset++;
    }
}

void key_index(Ctx* c, Nplus1FactsC* f, Relation rel) {
    if (f->nkeys == 0) return;
    List* indexes = RelationGetIndexList(rel);
    ListCell* lc;
    foreach (lc, indexes) {
        Oid idx = lfirst_oid(lc);
        HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(idx));
        if (!HeapTupleIsValid(tup)) continue;
        Form_pg_index ix = (Form_pg_index) GETSTRUCT(tup);
        bool usable = ix->indisvalid && ix->indnkeyatts > 0 && ix->indkey.values[0] == c->key_attnos[0];
        ReleaseSysCache(tup);
        if (usable) {
            f->key_indexed = true;
            f->index_name = get_rel_name(idx);
            return;
        }
    }
}

void extract(const char* sql, uint16 flags, Nplus1FactsC* f) {
    List* raw = raw_parser(sql, RAW_PARSE_DEFAULT);
    if (list_length(raw) != 1) return;
    Oid* ptypes = NULL;
    int nparams = 0;
    Query* q = parse_analyze_varparams(linitial_node(RawStmt, raw), sql, &ptypes, &nparams, NULL);
    Index rti = 0;
    switch (q->commandType) {
        case CMD_SELECT: {
            f->statement = int(core::Nplus1Statement::Select);
            if (list_length(q->rtable) != 1) return;
            rti = 1;
            break;
        }
        case CMD_INSERT:
            f->statement = int(core::Nplus1Statement::Insert);
            rti = q->resultRelation;
            break;
        case CMD_UPDATE:
            f->statement = int(core::Nplus1Statement::Update);
            rti = q->resultRelation;
            break;
        case CMD_DELETE:
            f->statement = int(core::Nplus1Statement::Delete);
            rti = q->resultRelation;
            break;
        default:
            return;
    }
    RangeTblEntry* rte = rt_fetch(rti, q->rtable);
    if (rte->rtekind != RTE_RELATION) return;
    Ctx c;
    memset(&c, 0, sizeof c);
    c.relid = rte->relid;
    char* relname = get_rel_name(c.relid);
    f->table = RelationIsVisible(c.relid)
                   ? pstrdup(quote_identifier(relname))
                   : quote_qualified_identifier(get_namespace_name(get_rel_namespace(c.relid)), relname);
    c.deparse = deparse_context_for(relname, c.relid);
    Relation rel = relation_open(c.relid, AccessShareLock);
    if (q->jointree) collect_keys(&c, f, q->jointree->quals);
    if (q->commandType == CMD_SELECT) {
        select_list(&c, f, q, rel);
        order_by(&c, f, q);
        Node* lim = strip(q->limitCount);
        if (lim && IsA(lim, Const) && !((Const*) lim)->constisnull)
            f->limit = ((Const*) lim)->consttype == INT4OID ? long(DatumGetInt32(((Const*) lim)->constvalue))
                                                            : long(DatumGetInt64(((Const*) lim)->constvalue));
        else if (lim && (flags & core::NPLUS1_LIMIT1))
            f->limit = 1;
        else if (lim && IsA(lim, Param)) {
            f->limit = 2;
            f->limit_sql = psprintf("$%d", f->nkeys + 1);
        }
    } else if (q->commandType != CMD_DELETE) {
        written_columns(f, q);
    }
    key_index(&c, f, rel);
    relation_close(rel, AccessShareLock);
}

struct ExtractArgs {
    const char* sql;
    uint16 flags;
    Nplus1FactsC* out;
};

void extract_cb(void* arg) {
    ExtractArgs* a = static_cast<ExtractArgs*>(arg);
    extract(a->sql, a->flags, a->out);
}

void clear(Nplus1FactsC* out) {
    memset(out, 0, sizeof *out);
    out->limit = -1;
    out->statement = int(core::Nplus1Statement::Other);
}

}  // namespace

bool nplus1_extract_facts(const char* sql, uint16 flags, Oid role, Nplus1FactsC* out) {
    clear(out);
    if (!sql || !*sql) return false;
    ExtractArgs args{sql, flags, out};
    // A cancel or shutdown is re-thrown; any other error just means no facts.
    if (!run_as_role(role, NULL, extract_cb, &args, NULL)) {
        clear(out);
        return false;
    }
    return out->table != nullptr;
}

}  // namespace pothos::ext
