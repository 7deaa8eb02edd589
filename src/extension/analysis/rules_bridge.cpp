// analysis/rules_bridge.cpp -- see analysis/rules_bridge.h.
#include "extension/analysis/rules_bridge.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "core/analysis/explain_json.h"
#include "core/analysis/query_rules.h"
#include "extension/analysis/query_facts_core.h"
#include "extension/common/palloc_copy.h"

namespace pothos::ext {

namespace {

core::ExplainSummary read_explain(const char* json) {
    std::string why;
    std::optional<core::ExplainSummary> sum = core::parse_explain_json(json, &why);
    if (!sum) throw std::runtime_error("cannot read the EXPLAIN output: " + why);
    return *sum;
}

std::vector<std::string> rule_ids(const std::vector<core::Finding>& findings) {
    std::vector<std::string> ids;
    for (const core::Finding& f : findings) ids.push_back(f.rule_id);
    return ids;
}

// A suggestion hypothetical indexes can pretend: a btree on plain columns
// with the default operator classes.
bool pretendable(const core::IndexSuggestion& s) {
    if (s.method != "btree" || !s.opclass.empty()) return false;
    for (const std::string& c : s.columns)
        if (!c.empty() && c[0] == '(') return false;
    return true;
}

}  // namespace

bool rules_performance(const char* json, List* relations, PerformanceResult* r, CppError* err) noexcept {
    return cpp_call(err, [&] {
        core::ExplainSummary sum = read_explain(json);
        core::QueryFacts facts;
        add_core_relations(relations, facts);
        facts.plan = sum.plan;
        core::PerformanceAnalysis pa = core::analyze_performance(facts);
        r->has_exec = sum.execution_time_ms.has_value();
        r->execution_ms = sum.execution_time_ms.value_or(0);
        r->has_plan_time = sum.planning_time_ms.has_value();
        r->planning_ms = sum.planning_time_ms.value_or(0);
        r->cost = sum.plan.total_cost;
        r->est_rows = sum.estimated_rows;
        r->has_actual = sum.actual_rows.has_value();
        r->act_rows = sum.actual_rows.value_or(0);
        r->hits = sum.shared_hit_blocks;
        r->reads = sum.shared_read_blocks;
        r->optimized = pa.is_optimized;
        if (pa.is_optimized && pa.recommendations.empty()) pa.recommendations.emplace_back(core::kWellOptimized);
        r->recommendations = palloc_copy(pa.recommendations);
        r->rules = palloc_copy(rule_ids(pa.findings));
    });
}

bool rules_query(const QueryFactsC* fc, const char* sql, const char* json, QueryAnalysisC* a, CppError* err) noexcept {
    return cpp_call(err, [&] {
        core::QueryFacts facts = to_core_facts(fc, sql);
        facts.plan = read_explain(json).plan;
        core::QueryAnalysis r = core::analyze_query(facts, sql);
        std::vector<std::string> ddls, hypo;
        for (const core::IndexSuggestion& s : r.index_suggestions) {
            ddls.push_back(s.ddl);
            if (pretendable(s)) hypo.push_back(s.ddl);
        }
        a->optimized = palloc_copy(r.optimized_query);
        a->improvements = palloc_copy(r.improvements);
        a->issues = palloc_copy(r.potential_issues);
        a->rules = palloc_copy(rule_ids(r.findings));
        a->suggestions = palloc_copy(ddls);
        a->hypo_ddls = palloc_copy(hypo);
    });
}

char* rules_plan_recommendations(const char* json, List* relations) noexcept {
    char* out = nullptr;
    CppError err;
    bool ok = cpp_call(&err, [&] {
        std::optional<core::ExplainSummary> sum = core::parse_explain_json(json);
        if (!sum) return;
        core::QueryFacts facts;
        add_core_relations(relations, facts);
        facts.plan = sum->plan;
        std::string joined;
        core::QueryAnalysis q = core::run_rule("seq_scan_filter", facts, "");
        for (const std::string& s : q.improvements) joined += s + "\n";
        core::PerformanceAnalysis p = core::analyze_performance(facts);
        for (const std::string& s : p.recommendations) joined += s + "\n";
        if (!joined.empty()) out = palloc_copy(joined.data(), joined.size() - 1);
    });
    return ok ? out : nullptr;
}

}  // namespace pothos::ext
