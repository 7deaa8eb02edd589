#include "html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "units.hpp"

namespace pothos::cli {
namespace {

const char* const kPalette[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"};

std::string num(double v, const char* fmt = "%.1f") {
    char buf[40];
    std::snprintf(buf, sizeof buf, fmt, std::isfinite(v) ? v : 0.0);
    return buf;
}

std::string td(const std::string& s, bool right = false) {
    return std::string(right ? "<td class=\"n\">" : "<td>") + xml_escape(s) + "</td>";
}

std::string code_td(const std::string& s) { return "<td><code>" + xml_escape(s) + "</code></td>"; }

std::string th_row(const std::vector<std::string>& headers) {
    std::string out = "<tr>";
    for (const auto& h : headers) out += "<th>" + xml_escape(h) + "</th>";
    return out + "</tr>\n";
}

std::string label_of(std::int64_t queryid, const std::string& query) {
    return one_line(query, 40) + " (" + std::to_string(queryid) + ")";
}

}  // namespace

std::string xml_escape(std::string_view text) {
    const std::string s = valid_utf8(text);
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default:
                // control characters are not allowed in XML 1.0
                if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') out += ' ';
                else out += char(c);
        }
    }
    return out;
}

std::string svg_bar_chart(const std::string& title, const std::vector<std::string>& series,
                          const std::vector<BarGroup>& groups, const std::string& unit, Scale scale) {
    const int label_w = 320, plot_w = 420, value_w = 90, bar_h = 14, gap = 10, top = 40;
    const int n_series = std::max<int>(1, int(series.size()));
    const int group_h = n_series * bar_h + gap;
    const int height = top + int(groups.size()) * group_h + 10;
    const int width = label_w + plot_w + value_w;
    double max_v = 0;
    for (const auto& g : groups)
        for (double v : g.values)
            if (std::isfinite(v)) max_v = std::max(max_v, v);
    if (max_v <= 0) max_v = 1;
    const double floor_v = max_v / 1e4;
    auto fraction = [&](double v) {
        if (scale == Scale::Linear) return v / max_v;
        return std::log10(1 + v / floor_v) / std::log10(1 + max_v / floor_v);
    };

    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
                      std::to_string(width) + "\" height=\"" + std::to_string(height) +
                      "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                      "\">\n<title>" + xml_escape(title) + "</title>\n";
    // legend
    int lx = 0;
    for (std::size_t s = 0; s < series.size(); ++s) {
        out += "<rect x=\"" + std::to_string(lx) + "\" y=\"8\" width=\"12\" height=\"12\" fill=\"" +
               kPalette[s % 5] + "\"/><text x=\"" + std::to_string(lx + 16) +
               "\" y=\"19\" font-size=\"12\">" + xml_escape(series[s]) + "</text>\n";
        lx += 30 + 8 * int(series[s].size());
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        int y0 = top + int(g) * group_h;
        out += "<text x=\"" + std::to_string(label_w - 6) + "\" y=\"" +
               std::to_string(y0 + (n_series * bar_h) / 2 + 4) +
               "\" font-size=\"11\" text-anchor=\"end\">" + xml_escape(one_line(groups[g].label, 48)) +
               "</text>\n";
        for (std::size_t s = 0; s < groups[g].values.size(); ++s) {
            double v = groups[g].values[s];
            if (!std::isfinite(v) || v < 0) v = 0;
            int w = int(std::lround(fraction(v) * plot_w));
            int y = y0 + int(s) * bar_h;
            out += "<rect x=\"" + std::to_string(label_w) + "\" y=\"" + std::to_string(y) +
                   "\" width=\"" + std::to_string(std::max(w, 1)) + "\" height=\"" +
                   std::to_string(bar_h - 2) + "\" fill=\"" + kPalette[s % 5] + "\"><title>" +
                   xml_escape((s < series.size() ? series[s] + ": " : std::string()) +
                              num(v, "%.3f") + unit) +
                   "</title></rect>\n";
            out += "<text x=\"" + std::to_string(label_w + w + 4) + "\" y=\"" +
                   std::to_string(y + bar_h - 4) + "\" font-size=\"10\">" +
                   xml_escape(num(v, v < 10 ? "%.2f" : "%.0f") + unit) + "</text>\n";
        }
    }
    return out + "</svg>\n";
}

std::string html_report(const Report& r) {
    std::string out =
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
        "<meta charset=\"utf-8\"/>\n<title>pothos_perf report — " + xml_escape(r.database) +
        "</title>\n<style>\n"
        "body{font-family:sans-serif;margin:2em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0}"
        "th,td{border:1px solid #ccc;padding:3px 8px;font-size:13px;vertical-align:top}"
        "th{background:#f0f0f0}td.n{text-align:right;white-space:nowrap}"
        "code,pre{font-family:monospace;font-size:12px}pre{white-space:pre-wrap}\n"
        "</style>\n</head>\n<body>\n";
    out += "<h1>pothos_perf report</h1>\n<p>Database <b>" + xml_escape(r.database) +
           "</b>, generated " + xml_escape(r.generated_at) + ".</p>\n";

    // Top statements
    out += "<h2>Top statements by total time</h2>\n";
    if (r.top.empty()) {
        out += "<p>No statements recorded yet.</p>\n";
    } else {
        std::vector<BarGroup> lat, share;
        double total = 0;
        for (const auto& s : r.top) total += s.total_ms;
        for (const auto& s : r.top) {
            lat.push_back({label_of(s.queryid, s.query), {s.p50_ms, s.p95_ms, s.p99_ms}});
            share.push_back({label_of(s.queryid, s.query), {total > 0 ? 100.0 * s.total_ms / total : 0}});
        }
        out += svg_bar_chart("Latency percentiles per statement (log scale)", {"p50", "p95", "p99"}, lat,
                             " ms", Scale::Log);
        out += svg_bar_chart("Share of total execution time per fingerprint", {"time share"}, share, " %");
        out += "<table>\n" + th_row({"queryid", "calls", "total", "mean", "p50", "p95", "p99", "rows", "hit ratio", "query"});
        for (const auto& s : r.top)
            out += "<tr>" + td(std::to_string(s.queryid)) + td(format_count(s.calls), true) +
                   td(format_ms(s.total_ms), true) + td(format_ms(s.mean_ms), true) +
                   td(format_ms(s.p50_ms), true) + td(format_ms(s.p95_ms), true) +
                   td(format_ms(s.p99_ms), true) + td(format_count(s.rows), true) +
                   td(format_ratio(s.hit_ratio()), true) + code_td(s.query) + "</tr>\n";
        out += "</table>\n";
    }

    out += "<h2>Slow queries</h2>\n";
    if (r.slow.empty()) {
        out += "<p>No slow queries captured.</p>\n";
    } else {
        out += "<table>\n" + th_row({"occurred at", "duration", "count", "average", "query", "recommendations"});
        for (const auto& s : r.slow) {
            std::string recs;
            for (const auto& x : s.recommendations) recs += "<li>" + xml_escape(x) + "</li>";
            out += "<tr>" + td(s.occurred_at) + td(format_ms(s.duration_ms), true) +
                   td(format_count(s.execution_count), true) +
                   td(format_ms(s.average_duration_ms), true) + code_td(s.query) + "<td>" +
                   (recs.empty() ? std::string() : "<ul>" + recs + "</ul>") + "</td></tr>\n";
        }
        out += "</table>\n";
    }

    out += "<h2>N+1 and repeated queries</h2>\n";
    if (r.n_plus_one.empty()) {
        out += "<p>No N+1 findings.</p>\n";
    } else {
        std::vector<BarGroup> saved;
        for (const auto& f : r.n_plus_one)
            saved.push_back({label_of(f.queryid, f.query), {double(f.round_trips_saved)}});
        out += svg_bar_chart("Round trips saved by batching", {"round trips saved"}, saved, "");
        out += "<table>\n" + th_row({"kind", "occurrences", "repeats", "wasted", "round trips saved", "query", "suggested query"});
        for (const auto& f : r.n_plus_one) {
            // Lookups interleaved per parent row follow the first, one per line.
            std::string queries = f.query, suggested = f.suggested_query;
            for (size_t c = 1; c < f.children.size(); ++c) {
                queries += "\n" + f.children[c].query;
                suggested += "\n" + f.children[c].suggested_query;
            }
            out += "<tr>" + td(f.kind) + td(format_count(f.occurrences), true) +
                   td(format_count(f.total_repeats), true) + td(format_ms(f.wasted_time_ms), true) +
                   td(format_count(f.round_trips_saved), true) + code_td(queries) +
                   code_td(suggested) + "</tr>\n";
        }
        out += "</table>\n";
    }

    out += "<h2>Index recommendations</h2>\n";
    if (r.recommendations.empty()) {
        out += "<p>No index recommendations.</p>\n";
    } else {
        out += "<table>\n" + th_row({"table", "columns", "size", "gain", "queries", "statement"});
        for (const auto& x : r.recommendations) {
            std::string cols;
            for (std::size_t i = 0; i < x.columns.size(); ++i) cols += (i ? ", " : "") + x.columns[i];
            out += "<tr>" + td(x.table_name) + td(cols) + td(format_bytes(x.estimated_size_bytes), true) +
                   td(format_pct(x.improvement_pct), true) + td(format_count(x.affected_queries), true) +
                   code_td(x.index_ddl + ";") + "</tr>\n";
        }
        out += "</table>\n";
    }

    out += "<h2>Health</h2>\n<pre>" + xml_escape(r.health_json) + "</pre>\n</body>\n</html>\n";
    return out;
}

}  // namespace pothos::cli
