// The data the pothos-perf command shows, as plain structs: filled by the
// data-access layer (repository.cpp), read by the text, JSON and HTML
// renderers. No libpq here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pothos::cli {

struct Statement {
    std::int64_t queryid = 0;
    std::string query;
    std::int64_t calls = 0;
    double total_ms = 0, mean_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0;
    std::int64_t rows = 0;
    std::int64_t blks_hit = 0, blks_read = 0;
    // Fraction of shared blocks found in the buffer cache, or none when the
    // statement touched no block.
    std::optional<double> hit_ratio() const {
        if (blks_hit + blks_read == 0) return std::nullopt;
        return double(blks_hit) / double(blks_hit + blks_read);
    }
};

struct SlowQuery {
    std::int64_t queryid = 0;
    std::string query;
    double duration_ms = 0;
    std::string occurred_at;
    std::int64_t execution_count = 0;
    double average_duration_ms = 0;
    std::vector<std::string> recommendations;
};

// One repeated statement of a finding (the view's child_* arrays). The first
// is the finding's own query; lookups interleaved per parent row (A B A B)
// add more.
struct Nplus1Child {
    std::int64_t queryid = 0;
    std::string query;
    std::int64_t total_repeats = 0;
    std::string suggested_query;
};

struct Nplus1 {
    std::string kind;
    std::int64_t parent_queryid = 0;
    std::string parent_query;
    std::int64_t queryid = 0;
    std::string query;
    std::int64_t occurrences = 0, total_repeats = 0, max_repeats = 0;
    double wasted_time_ms = 0;
    std::int64_t round_trips_saved = 0;
    std::string suggested_query;
    std::string suggestion;
    std::vector<Nplus1Child> children;
};

struct IndexRecommendation {
    std::string table_name;
    std::vector<std::string> columns;
    std::string index_ddl;
    std::int64_t estimated_size_bytes = 0;
    double cost_before = 0, cost_after = 0, improvement_pct = 0;
    std::int64_t affected_queries = 0;
    std::string reason;
};

struct Explain {
    std::string query;
    // analyze_query
    std::string optimized_query;
    std::vector<std::string> improvements;
    std::vector<std::string> potential_issues;
    double performance_gain_pct = 0;
    // analyze_performance; executed is false for a statement with $n
    // parameters, planned generically and not run (no times, no actual rows)
    bool executed = true;
    double execution_ms = 0, planning_ms = 0, estimated_cost = 0;
    double actual_rows = 0, estimated_rows = 0;
    std::int64_t buffer_hits = 0, buffer_reads = 0;
    bool is_optimized = false;
    std::vector<std::string> recommendations;
    std::string plan_json;  // the execution plan, JSON text as the server gave it
};

struct ResetCounts {
    std::int64_t statements = 0, slow_queries = 0, n_plus_one = 0;
};

// Everything `report` shows.
struct Report {
    std::string database;
    std::string generated_at;
    std::vector<Statement> top;
    std::vector<SlowQuery> slow;
    std::vector<Nplus1> n_plus_one;
    std::vector<IndexRecommendation> recommendations;
    std::string health_json;  // pothos_perf.health() as JSON text
};

}  // namespace pothos::cli
