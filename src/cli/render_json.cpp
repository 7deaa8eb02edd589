#include "render_json.hpp"

#include "json_doc.hpp"

namespace pothos::cli {

Json json_statement_list(const std::vector<Statement>& rows) {
    Json out = Json::array();
    for (const auto& s : rows)
        out.push_back({{"queryid", s.queryid},
                       {"query", json_text(s.query)},
                       {"calls", s.calls},
                       {"total_ms", json_number(s.total_ms)},
                       {"mean_ms", json_number(s.mean_ms)},
                       {"p50_ms", json_number(s.p50_ms)},
                       {"p95_ms", json_number(s.p95_ms)},
                       {"p99_ms", json_number(s.p99_ms)},
                       {"rows", s.rows},
                       {"shared_blks_hit", s.blks_hit},
                       {"shared_blks_read", s.blks_read},
                       {"hit_ratio", json_number(s.hit_ratio())}});
    return out;
}

Json json_slow_list(const std::vector<SlowQuery>& rows) {
    Json out = Json::array();
    for (const auto& s : rows)
        out.push_back({{"queryid", s.queryid},
                       {"query", json_text(s.query)},
                       {"duration_ms", json_number(s.duration_ms)},
                       {"occurred_at", json_text(s.occurred_at)},
                       {"execution_count", s.execution_count},
                       {"average_duration_ms", json_number(s.average_duration_ms)},
                       {"recommendations", json_texts(s.recommendations)}});
    return out;
}

Json json_finding_list(const std::vector<Nplus1>& rows) {
    Json out = Json::array();
    for (const auto& f : rows) {
        Json children = Json::array();
        for (const auto& k : f.children)
            children.push_back({{"queryid", k.queryid},
                                {"query", json_text(k.query)},
                                {"total_repeats", k.total_repeats},
                                {"suggested_query", json_text(k.suggested_query)}});
        out.push_back({{"kind", json_text(f.kind)},
                       {"parent_queryid", f.parent_queryid},
                       {"parent_query", json_text(f.parent_query)},
                       {"queryid", f.queryid},
                       {"query", json_text(f.query)},
                       {"occurrences", f.occurrences},
                       {"total_repeats", f.total_repeats},
                       {"max_repeats", f.max_repeats},
                       {"wasted_time_ms", json_number(f.wasted_time_ms)},
                       {"round_trips_saved", f.round_trips_saved},
                       {"suggested_query", json_text(f.suggested_query)},
                       {"suggestion", json_text(f.suggestion)},
                       {"children", std::move(children)}});
    }
    return out;
}

Json json_recommendation_list(const std::vector<IndexRecommendation>& rows) {
    Json out = Json::array();
    for (const auto& r : rows)
        out.push_back({{"table_name", json_text(r.table_name)},
                       {"columns", json_texts(r.columns)},
                       {"index_ddl", json_text(r.index_ddl)},
                       {"estimated_size_bytes", r.estimated_size_bytes},
                       {"cost_before", json_number(r.cost_before)},
                       {"cost_after", json_number(r.cost_after)},
                       {"improvement_pct", json_number(r.improvement_pct)},
                       {"affected_queries", r.affected_queries},
                       {"reason", json_text(r.reason)}});
    return out;
}

std::string json_top(const std::vector<Statement>& rows) {
    return json_document({{"statements", json_statement_list(rows)}});
}

std::string json_slow(const std::vector<SlowQuery>& rows) {
    return json_document({{"slow_queries", json_slow_list(rows)}});
}

std::string json_n_plus_one(const std::vector<Nplus1>& rows) {
    return json_document({{"findings", json_finding_list(rows)}});
}

std::string json_advise(const std::vector<IndexRecommendation>& rows,
                        const std::vector<std::string>* applied) {
    Json doc = {{"recommendations", json_recommendation_list(rows)}};
    if (applied) doc["applied"] = json_texts(*applied);
    return json_document(doc);
}

std::string json_explain(const Explain& e) {
    // Without a run (a statement with $n parameters) there are no times and
    // no actual rows.
    auto measured = [&](double v) { return e.executed ? json_number(v) : Json(nullptr); };
    Json analysis = {{"optimized_query", json_text(e.optimized_query)},
                     {"improvements", json_texts(e.improvements)},
                     {"potential_issues", json_texts(e.potential_issues)},
                     {"performance_gain_pct", json_number(e.performance_gain_pct)}};
    Json performance = {{"executed", e.executed},
                        {"execution_ms", measured(e.execution_ms)},
                        {"planning_ms", measured(e.planning_ms)},
                        {"estimated_cost", json_number(e.estimated_cost)},
                        {"estimated_rows", json_number(e.estimated_rows)},
                        {"actual_rows", measured(e.actual_rows)},
                        {"buffer_hits", e.buffer_hits},
                        {"buffer_reads", e.buffer_reads},
                        {"is_optimized", e.is_optimized},
                        {"recommendations", json_texts(e.recommendations)},
                        {"plan", json_from_server(e.plan_json, "the execution plan")}};
    return json_document({{"query", json_text(e.query)},
                          {"analysis", std::move(analysis)},
                          {"performance", std::move(performance)}});
}

std::string json_health(const std::string& health_json) {
    return json_document({{"health", json_from_server(health_json, "health()")}});
}

std::string json_reset(const ResetCounts& r) {
    return json_document({{"removed",
                           {{"statements", r.statements},
                            {"slow_queries", r.slow_queries},
                            {"n_plus_one", r.n_plus_one}}}});
}

std::string json_report(const Report& r) {
    return json_document({{"database", json_text(r.database)},
                          {"generated_at", json_text(r.generated_at)},
                          {"statements", json_statement_list(r.top)},
                          {"slow_queries", json_slow_list(r.slow)},
                          {"findings", json_finding_list(r.n_plus_one)},
                          {"recommendations", json_recommendation_list(r.recommendations)},
                          {"health", json_from_server(r.health_json, "health()")}});
}

}  // namespace pothos::cli
