#include "render_text.hpp"

#include <cstdio>

#include "core/common/strings.h"
#include "json_doc.hpp"
#include "table.hpp"
#include "units.hpp"

namespace pothos::cli {
namespace {

std::string heading(const std::string& title, const TextStyle& st) {
    return paint(title, "1;36", st.colour) + "\n";
}

std::string none(const char* what, const TextStyle& st) {
    return paint(std::string("(no ") + what + ")", "2", st.colour) + "\n";
}

std::string bullets(const char* title, const std::vector<std::string>& items, const TextStyle& st) {
    std::string out = paint(title, "1", st.colour) + ":";
    if (items.empty()) return out + " none\n";
    out += "\n";
    for (const auto& s : items) {
        std::string w = wrap(s, 96, "    ");
        out += "  - " + w.substr(4);
    }
    return out;
}

}  // namespace

std::string text_top(const std::vector<Statement>& rows, const TextStyle& st) {
    if (rows.empty()) return none("statements recorded yet", st);
    TextTable t({{"queryid"}, {"calls", Align::Right}, {"total", Align::Right},
                 {"mean", Align::Right}, {"p50", Align::Right}, {"p95", Align::Right},
                 {"p99", Align::Right}, {"rows", Align::Right}, {"hit", Align::Right},
                 {"query"}});
    for (const auto& s : rows)
        t.add_row({std::to_string(s.queryid), format_count(s.calls), format_ms(s.total_ms),
                   format_ms(s.mean_ms), format_ms(s.p50_ms), format_ms(s.p95_ms),
                   format_ms(s.p99_ms), format_count(s.rows), format_ratio(s.hit_ratio()),
                   one_line(s.query, st.query_width)});
    return t.render(st.colour);
}

std::string text_slow(const std::vector<SlowQuery>& rows, const TextStyle& st) {
    if (rows.empty()) return none("slow queries captured", st);
    TextTable t({{"occurred at"}, {"duration", Align::Right}, {"count", Align::Right},
                 {"average", Align::Right}, {"query"}});
    std::string recs;
    for (const auto& s : rows) {
        t.add_row({s.occurred_at, format_ms(s.duration_ms), format_count(s.execution_count),
                   format_ms(s.average_duration_ms), one_line(s.query, st.query_width)});
        for (const auto& r : s.recommendations)
            recs += "  " + std::to_string(s.queryid) + ": " + r + "\n";
    }
    std::string out = t.render(st.colour);
    if (!recs.empty()) out += paint("recommendations", "1", st.colour) + ":\n" + recs;
    return out;
}

std::string text_n_plus_one(const std::vector<Nplus1>& rows, const TextStyle& st) {
    if (rows.empty()) return none("N+1 findings", st);
    TextTable t({{"kind"}, {"occurrences", Align::Right}, {"repeats", Align::Right},
                 {"max", Align::Right}, {"wasted", Align::Right},
                 {"round trips saved", Align::Right}, {"query"}});
    for (const auto& f : rows)
        t.add_row({f.kind, format_count(f.occurrences), format_count(f.total_repeats),
                   format_count(f.max_repeats), format_ms(f.wasted_time_ms),
                   format_count(f.round_trips_saved), one_line(f.query, st.query_width)});
    std::string out = t.render(st.colour);
    int i = 0;
    for (const auto& f : rows) {
        ++i;
        out += "\n" + paint("#" + std::to_string(i) + " " + f.kind, "33", st.colour) + "\n";
        if (!f.parent_query.empty()) out += "  parent:    " + one_line(f.parent_query, 200) + "\n";
        out += "  repeated:  " + one_line(f.query, 200) + "\n";
        if (!f.suggested_query.empty())
            out += "  batch as:  " + one_line(f.suggested_query, 200) + "\n";
        // Lookups interleaved with the first one, per parent row.
        for (size_t c = 1; c < f.children.size(); ++c) {
            const Nplus1Child& k = f.children[c];
            out += "  and:       " + one_line(k.query, 200) + " (" + format_count(k.total_repeats) +
                   " repeats)\n";
            if (!k.suggested_query.empty()) out += "  batch as:  " + one_line(k.suggested_query, 200) + "\n";
        }
        if (!f.suggestion.empty()) out += wrap(f.suggestion, 96, "  ");
    }
    return out;
}

std::string text_advise(const std::vector<IndexRecommendation>& rows, const TextStyle& st) {
    if (rows.empty()) return none("index recommendations", st);
    TextTable t({{"table"}, {"columns"}, {"size", Align::Right}, {"cost before", Align::Right},
                 {"cost after", Align::Right}, {"gain", Align::Right},
                 {"queries", Align::Right}});
    for (const auto& r : rows) {
        char before[32], after[32];
        std::snprintf(before, sizeof before, "%.1f", r.cost_before);
        std::snprintf(after, sizeof after, "%.1f", r.cost_after);
        t.add_row({r.table_name, core::join(r.columns, ", "), format_bytes(r.estimated_size_bytes),
                   before, after, format_pct(r.improvement_pct),
                   format_count(r.affected_queries)});
    }
    std::string out = t.render(st.colour) + "\n";
    for (const auto& r : rows) {
        out += paint(r.index_ddl + ";", "32", st.colour) + "\n";
        if (!r.reason.empty()) out += paint(wrap(r.reason, 96, "  -- "), "2", st.colour);
    }
    return out;
}

std::string text_explain(const Explain& e, const TextStyle& st) {
    std::string out = heading("Query", st) + "  " + one_line(e.query, 400) + "\n\n";
    out += heading("Static analysis (analyze_query)", st);
    if (!e.optimized_query.empty() && e.optimized_query != e.query)
        out += "  optimized: " + one_line(e.optimized_query, 400) + "\n";
    out += "  estimated gain: " + format_pct(e.performance_gain_pct) + "\n";
    out += bullets("improvements", e.improvements, st);
    out += bullets("potential issues", e.potential_issues, st);
    out += "\n" + heading("Execution (analyze_performance)", st);
    if (!e.executed) out += "  not run: the statement has $n parameters; its generic plan's estimates\n";
    TextTable t({{"measure"}, {"value", Align::Right}});
    char buf[40];
    if (e.executed) {
        t.add_row({"execution time", format_ms(e.execution_ms)});
        t.add_row({"planning time", format_ms(e.planning_ms)});
    }
    std::snprintf(buf, sizeof buf, "%.2f", e.estimated_cost);
    t.add_row({"estimated cost", buf});
    std::snprintf(buf, sizeof buf, "%.0f", e.estimated_rows);
    t.add_row({"estimated rows", buf});
    if (e.executed) {
        std::snprintf(buf, sizeof buf, "%.0f", e.actual_rows);
        t.add_row({"actual rows", buf});
        t.add_row({"buffer hits", format_count(e.buffer_hits)});
        t.add_row({"buffer reads", format_count(e.buffer_reads)});
    }
    t.add_row({"optimized", e.is_optimized ? "yes" : "no"});
    out += t.render(st.colour);
    out += bullets("recommendations", e.recommendations, st);
    return out;
}

std::string text_health(const std::string& health_json, const TextStyle& st) {
    Json v = json_from_server(health_json, "health()");
    TextTable t({{"measure"}, {"value"}});
    for (auto& [path, value] : flatten_json(v)) t.add_row({path, value});
    return t.render(st.colour);
}

std::string text_reset(const ResetCounts& r, const TextStyle& st) {
    TextTable t({{"store"}, {"entries removed", Align::Right}});
    t.add_row({"statements", format_count(r.statements)});
    t.add_row({"slow queries", format_count(r.slow_queries)});
    t.add_row({"N+1 findings", format_count(r.n_plus_one)});
    return t.render(st.colour);
}

std::string text_report(const Report& r, const TextStyle& st) {
    std::string out = paint("pothos_perf report", "1", st.colour) + " — database " + r.database +
                      ", " + r.generated_at + "\n\n";
    out += heading("Top statements by total time", st) + text_top(r.top, st) + "\n";
    out += heading("Slow queries", st) + text_slow(r.slow, st) + "\n";
    out += heading("N+1 and repeated queries", st) + text_n_plus_one(r.n_plus_one, st) + "\n";
    out += heading("Index recommendations", st) + text_advise(r.recommendations, st) + "\n";
    out += heading("Health", st) + text_health(r.health_json, st);
    return out;
}

}  // namespace pothos::cli
