#include "render_json.hpp"

namespace pothos::cli {

namespace {

// A JSON text from the server inserted as is; null when there is none.
void write_raw_or_null(JsonWriter& w, const std::string& json) {
    if (json.empty()) w.null(); else w.raw(json);
}

}  // namespace

void write_statements(JsonWriter& w, const std::vector<Statement>& rows) {
    w.begin_array();
    for (const auto& s : rows) {
        w.begin_object();
        w.key("queryid").value(s.queryid);
        w.key("query").value(s.query);
        w.key("calls").value(s.calls);
        w.key("total_ms").value(s.total_ms);
        w.key("mean_ms").value(s.mean_ms);
        w.key("p50_ms").value(s.p50_ms);
        w.key("p95_ms").value(s.p95_ms);
        w.key("p99_ms").value(s.p99_ms);
        w.key("rows").value(s.rows);
        w.key("shared_blks_hit").value(s.blks_hit);
        w.key("shared_blks_read").value(s.blks_read);
        w.key("hit_ratio").value(s.hit_ratio());
        w.end_object();
    }
    w.end_array();
}

void write_slow(JsonWriter& w, const std::vector<SlowQuery>& rows) {
    w.begin_array();
    for (const auto& s : rows) {
        w.begin_object();
        w.key("queryid").value(s.queryid);
        w.key("query").value(s.query);
        w.key("duration_ms").value(s.duration_ms);
        w.key("occurred_at").value(s.occurred_at);
        w.key("execution_count").value(s.execution_count);
        w.key("average_duration_ms").value(s.average_duration_ms);
        w.key("recommendations").strings(s.recommendations);
        w.end_object();
    }
    w.end_array();
}

void write_n_plus_one(JsonWriter& w, const std::vector<Nplus1>& rows) {
    w.begin_array();
    for (const auto& f : rows) {
        w.begin_object();
        w.key("kind").value(f.kind);
        w.key("parent_queryid").value(f.parent_queryid);
        w.key("parent_query").value(f.parent_query);
        w.key("queryid").value(f.queryid);
        w.key("query").value(f.query);
        w.key("occurrences").value(f.occurrences);
        w.key("total_repeats").value(f.total_repeats);
        w.key("max_repeats").value(f.max_repeats);
        w.key("wasted_time_ms").value(f.wasted_time_ms);
        w.key("round_trips_saved").value(f.round_trips_saved);
        w.key("suggested_query").value(f.suggested_query);
        w.key("suggestion").value(f.suggestion);
        w.key("children").begin_array();
        for (const auto& k : f.children) {
            w.begin_object();
            w.key("queryid").value(k.queryid);
            w.key("query").value(k.query);
            w.key("total_repeats").value(k.total_repeats);
            w.key("suggested_query").value(k.suggested_query);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }
    w.end_array();
}

void write_recommendations(JsonWriter& w, const std::vector<IndexRecommendation>& rows) {
    w.begin_array();
    for (const auto& r : rows) {
        w.begin_object();
        w.key("table_name").value(r.table_name);
        w.key("columns").strings(r.columns);
        w.key("index_ddl").value(r.index_ddl);
        w.key("estimated_size_bytes").value(r.estimated_size_bytes);
        w.key("cost_before").value(r.cost_before);
        w.key("cost_after").value(r.cost_after);
        w.key("improvement_pct").value(r.improvement_pct);
        w.key("affected_queries").value(r.affected_queries);
        w.key("reason").value(r.reason);
        w.end_object();
    }
    w.end_array();
}

std::string json_top(const std::vector<Statement>& rows) {
    JsonWriter w;
    w.begin_object().key("statements");
    write_statements(w, rows);
    w.end_object();
    return w.str();
}

std::string json_slow(const std::vector<SlowQuery>& rows) {
    JsonWriter w;
    w.begin_object().key("slow_queries");
    write_slow(w, rows);
    w.end_object();
    return w.str();
}

std::string json_n_plus_one(const std::vector<Nplus1>& rows) {
    JsonWriter w;
    w.begin_object().key("findings");
    write_n_plus_one(w, rows);
    w.end_object();
    return w.str();
}

std::string json_advise(const std::vector<IndexRecommendation>& rows,
                        const std::vector<std::string>* applied) {
    JsonWriter w;
    w.begin_object().key("recommendations");
    write_recommendations(w, rows);
    if (applied) w.key("applied").strings(*applied);
    w.end_object();
    return w.str();
}

std::string json_explain(const Explain& e) {
    JsonWriter w;
    w.begin_object();
    w.key("query").value(e.query);
    w.key("analysis").begin_object();
    w.key("optimized_query").value(e.optimized_query);
    w.key("improvements").strings(e.improvements);
    w.key("potential_issues").strings(e.potential_issues);
    w.key("performance_gain_pct").value(e.performance_gain_pct);
    w.end_object();
    w.key("performance").begin_object();
    w.key("executed").value(e.executed);
    if (e.executed) {
        w.key("execution_ms").value(e.execution_ms);
        w.key("planning_ms").value(e.planning_ms);
    } else {
        w.key("execution_ms").null();
        w.key("planning_ms").null();
    }
    w.key("estimated_cost").value(e.estimated_cost);
    w.key("estimated_rows").value(e.estimated_rows);
    if (e.executed)
        w.key("actual_rows").value(e.actual_rows);
    else
        w.key("actual_rows").null();
    w.key("buffer_hits").value(e.buffer_hits);
    w.key("buffer_reads").value(e.buffer_reads);
    w.key("is_optimized").value(e.is_optimized);
    w.key("recommendations").strings(e.recommendations);
    w.key("plan");
    write_raw_or_null(w, e.plan_json);
    w.end_object();
    w.end_object();
    return w.str();
}

std::string json_health(const std::string& health_json) {
    JsonWriter w;
    w.begin_object().key("health");
    write_raw_or_null(w, health_json);
    w.end_object();
    return w.str();
}

std::string json_reset(const ResetCounts& r) {
    JsonWriter w;
    w.begin_object().key("removed").begin_object();
    w.key("statements").value(r.statements);
    w.key("slow_queries").value(r.slow_queries);
    w.key("n_plus_one").value(r.n_plus_one);
    w.end_object().end_object();
    return w.str();
}

std::string json_report(const Report& r) {
    JsonWriter w;
    w.begin_object();
    w.key("database").value(r.database);
    w.key("generated_at").value(r.generated_at);
    w.key("statements");
    write_statements(w, r.top);
    w.key("slow_queries");
    write_slow(w, r.slow);
    w.key("findings");
    write_n_plus_one(w, r.n_plus_one);
    w.key("recommendations");
    write_recommendations(w, r.recommendations);
    w.key("health");
    write_raw_or_null(w, r.health_json);
    w.end_object();
    return w.str();
}

}  // namespace pothos::cli
