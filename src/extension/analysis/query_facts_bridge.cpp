// analysis/query_facts_bridge.cpp -- see analysis/query_facts_core.h.
#include "extension/analysis/query_facts_core.h"

#include "core/analysis/query_rules.h"
#include "core/common/sql_text.h"

namespace pothos::ext {

namespace {
std::string s_or_empty(const char* s) { return s ? std::string(s) : std::string(); }
}  // namespace

void add_core_relations(List* relations, core::QueryFacts& facts) {
    ListCell* lc;
    foreach (lc, relations) {
        const RelationC* r = (const RelationC*) lfirst(lc);
        core::RelationFacts rf;
        rf.schema = s_or_empty(r->schema);
        rf.name = s_or_empty(r->name);
        rf.alias = s_or_empty(r->alias);
        rf.estimated_rows = r->reltuples;
        rf.pages = r->relpages;
        for (int i = 0; i < r->nindexes; i++) {
            const IndexC& ix = r->indexes[i];
            core::IndexFacts f;
            f.name = s_or_empty(ix.name);
            for (int k = 0; k < ix.ncols; k++) f.columns.push_back(s_or_empty(ix.cols[k]));
            f.unique = ix.unique;
            f.primary = ix.primary;
            f.method = s_or_empty(ix.method);
            f.partial = ix.partial;
            rf.indexes.push_back(std::move(f));
        }
        facts.relations.push_back(std::move(rf));
    }
}

core::QueryFacts to_core_facts(const QueryFactsC* c, std::string_view text) {
    core::QueryFacts f;
    f.kind = core::StatementKind(c->kind);
    add_core_relations(c->relations, f);
    ListCell* lc;
    foreach (lc, c->predicates) {
        const PredicateC* p = (const PredicateC*) lfirst(lc);
        core::PredicateFacts pf;
        pf.relation = s_or_empty(p->relation);
        pf.column = s_or_empty(p->column);
        if (p->special == 1) {
            pf.op = core::PredicateOp::InList;
            pf.negated = p->negated;
            pf.op_text = p->negated ? "NOT IN" : "IN";
        } else if (p->special == 2) {
            pf.op = core::PredicateOp::IsNull;
            pf.negated = p->negated;
            pf.op_text = p->negated ? "IS NOT NULL" : "IS NULL";
        } else {
            pf.op_text = s_or_empty(p->op_text);
            core::OperatorClass oc = core::classify_operator(pf.op_text);
            pf.op = oc.op;
            pf.negated = oc.negated;
        }
        pf.wrapper_function = s_or_empty(p->wrapper_function);
        pf.cast_type = s_or_empty(p->cast_type);
        pf.column_expression = s_or_empty(p->column_expression);
        pf.other_side = core::OperandKind(p->other_side);
        if (p->pattern && (pf.op == core::PredicateOp::Like || pf.op == core::PredicateOp::ILike))
            pf.pattern = std::string(p->pattern);
        f.predicates.push_back(std::move(pf));
    }
    foreach (lc, c->or_groups) {
        const OrGroupC* g = (const OrGroupC*) lfirst(lc);
        core::OrGroup og;
        for (int i = 0; i + 1 < list_length(g->columns); i += 2)
            og.columns.push_back({s_or_empty((char*) list_nth(g->columns, i)),
                                  s_or_empty((char*) list_nth(g->columns, i + 1))});
        f.or_groups.push_back(std::move(og));
    }
    for (int i = 0; i + 1 < list_length(c->cross_joins); i += 2)
        f.cross_joins.push_back({s_or_empty((char*) list_nth(c->cross_joins, i)),
                                 s_or_empty((char*) list_nth(c->cross_joins, i + 1))});
    foreach (lc, c->not_in) {
        const NotInC* n = (const NotInC*) lfirst(lc);
        core::NotInSubqueryFacts nf;
        if (n->outer_nullable >= 0) nf.outer_nullable = n->outer_nullable == 1;
        if (n->subquery_nullable >= 0) nf.subquery_column_nullable = n->subquery_nullable == 1;
        if (core::locate_not_in(text, (std::size_t) n->expr_begin, (std::size_t) n->not_offset, nf))
            f.not_in_subqueries.push_back(std::move(nf));
    }
    f.select_star = c->select_star;
    f.has_aggregates = c->has_aggregates;
    f.has_group_by = c->has_group_by;
    f.has_set_returning = c->has_set_returning;
    f.has_limit = c->has_limit;
    if (c->limit_known) f.limit_value = c->limit_value;
    if (c->offset_known) f.offset_value = c->offset_value;
    f.order_by_random = c->order_by_random;
    foreach (lc, c->order_by) f.order_by.push_back(s_or_empty((const char*) lfirst(lc)));
    f.literal_count = core::sql::count_literals(text);
    std::size_t params = 0;
    for (const core::sql::Token& t : core::sql::tokenize(text))
        if (t.kind == core::sql::TokenKind::Param) params++;
    f.param_count = params;
    return f;
}

}  // namespace pothos::ext
