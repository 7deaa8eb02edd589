#include "html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "json_doc.hpp"
#include "render_fleet.hpp"
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

std::string html_health(const std::string& health_json) {
    std::optional<Json> v = parse_json(health_json);
    if (!v || v->is_null()) return "<pre>" + xml_escape(health_json) + "</pre>\n";
    std::string out = "<table class=\"health\">\n" + th_row({"measure", "value"});
    for (const auto& [path, value] : flatten_json(*v)) out += "<tr>" + td(path) + td(value) + "</tr>\n";
    return out + "</table>\n";
}

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
    const int label_w = 320, plot_w = 420, value_w = 90, bar_h = 14, gap = 10, top = 58;
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
                      "\">\n<title>" + xml_escape(title) + "</title>\n" +
                      // the visible title (<title> is only a tooltip)
                      "<text class=\"chart-title\" x=\"0\" y=\"16\" font-size=\"14\" font-weight=\"bold\">" +
                      xml_escape(title) + "</text>\n";
    // legend
    int lx = 0;
    for (std::size_t s = 0; s < series.size(); ++s) {
        out += "<rect x=\"" + std::to_string(lx) + "\" y=\"28\" width=\"12\" height=\"12\" fill=\"" +
               kPalette[s % 5] + "\"/><text x=\"" + std::to_string(lx + 16) +
               "\" y=\"39\" font-size=\"12\">" + xml_escape(series[s]) + "</text>\n";
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

namespace {

std::string document_start(const std::string& title) {
    return "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
           "<meta charset=\"utf-8\"/>\n<title>" + xml_escape(title) +
           "</title>\n<style>\n"
           "body{font-family:sans-serif;margin:2em;color:#222}"
           "table{border-collapse:collapse;margin:1em 0}"
           "th,td{border:1px solid #ccc;padding:3px 8px;font-size:13px;vertical-align:top}"
           "th{background:#f0f0f0}td.n{text-align:right;white-space:nowrap}"
           "code,pre{font-family:monospace;font-size:12px}pre{white-space:pre-wrap}\n"
           "</style>\n</head>\n<body>\n";
}

std::string slow_table(const std::vector<SlowQuery>& rows) {
    if (rows.empty()) return "<p>No slow queries captured.</p>\n";
    std::string out = "<table>\n" + th_row({"occurred at", "duration", "count", "average", "query", "recommendations"});
    for (const auto& s : rows) {
        std::string recs;
        for (const auto& x : s.recommendations) recs += "<li>" + xml_escape(x) + "</li>";
        out += "<tr>" + td(s.occurred_at) + td(format_ms(s.duration_ms), true) +
               td(format_count(s.execution_count), true) + td(format_ms(s.average_duration_ms), true) +
               code_td(s.query) + "<td>" + (recs.empty() ? std::string() : "<ul>" + recs + "</ul>") +
               "</td></tr>\n";
    }
    return out + "</table>\n";
}

// `chart_title`: the round-trips chart's title (one per server in a fleet).
std::string n_plus_one_section(const std::vector<Nplus1>& rows, const std::string& chart_title) {
    if (rows.empty()) return "<p>No N+1 findings.</p>\n";
    std::vector<BarGroup> saved;
    for (const auto& f : rows) saved.push_back({label_of(f.queryid, f.query), {double(f.round_trips_saved)}});
    std::string out = svg_bar_chart(chart_title, {"round trips saved"}, saved, "");
    out += "<table>\n" + th_row({"kind", "occurrences", "repeats", "wasted", "round trips saved", "query", "suggested query"});
    for (const auto& f : rows) {
        // Lookups interleaved per parent row follow the first, one per line.
        std::string queries = f.query, suggested = f.suggested_query;
        for (size_t c = 1; c < f.children.size(); ++c) {
            queries += "\n" + f.children[c].query;
            suggested += "\n" + f.children[c].suggested_query;
        }
        out += "<tr>" + td(f.kind) + td(format_count(f.occurrences), true) + td(format_count(f.total_repeats), true) +
               td(format_ms(f.wasted_time_ms), true) + td(format_count(f.round_trips_saved), true) +
               code_td(queries) + code_td(suggested) + "</tr>\n";
    }
    return out + "</table>\n";
}

// `where`: per recommendation, the servers it was recommended on (a fleet), or empty.
std::string recommendations_table(const std::vector<IndexRecommendation>& rows,
                                  const std::vector<std::string>& where = {}) {
    if (rows.empty()) return "<p>No index recommendations.</p>\n";
    std::vector<std::string> headers = {"table", "columns", "size", "gain", "queries", "statement"};
    if (!where.empty()) headers.push_back("recommended on");
    std::string out = "<table>\n" + th_row(headers);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& x = rows[i];
        std::string cols;
        for (std::size_t c = 0; c < x.columns.size(); ++c) cols += (c ? ", " : "") + x.columns[c];
        out += "<tr>" + td(x.table_name) + td(cols) + td(format_bytes(x.estimated_size_bytes), true) +
               td(format_pct(x.improvement_pct), true) + td(format_count(x.affected_queries), true) +
               code_td(x.index_ddl + ";") + (where.empty() ? std::string() : td(where[i])) + "</tr>\n";
    }
    return out + "</table>\n";
}

}  // namespace

std::string html_report(const Report& r) {
    std::string out = document_start("pothos_perf report — " + r.database);
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
    out += "<h2>Slow queries</h2>\n" + slow_table(r.slow);
    out += "<h2>N+1 and repeated queries</h2>\n" + n_plus_one_section(r.n_plus_one, "Round trips saved by batching");
    out += "<h2>Index recommendations</h2>\n" + recommendations_table(r.recommendations);
    out += "<h2>Health</h2>\n" + html_health(r.health_json) + "</body>\n</html>\n";
    return out;
}

std::string html_fleet_report(const FleetReport& f) {
    std::string out = document_start("pothos_perf report — " + std::to_string(f.servers.size()) + " servers");
    out += "<h1>pothos_perf report</h1>\n<p>" + std::to_string(f.servers.size()) + " servers, generated " +
           xml_escape(f.reports.empty() ? std::string() : f.reports[0].generated_at) + ".</p>\n";
    out += "<table>\n" + th_row({"server", "role", "database"});
    for (std::size_t i = 0; i < f.servers.size(); ++i)
        out += "<tr>" + td(f.servers[i].name) + td(role_of(f.servers[i])) + td(f.reports[i].database) + "</tr>\n";
    out += "</table>\n";

    out += "<h2>Top statements by total time (all servers)</h2>\n";
    std::vector<std::string> names;
    for (const auto& s : f.servers) names.push_back(s.name);
    if (f.top.empty()) {
        out += "<p>No statements recorded yet.</p>\n";
    } else {
        std::vector<BarGroup> time, p95;
        for (const auto& s : f.top) {
            BarGroup t{label_of(s.queryid, s.query), {}}, p{label_of(s.queryid, s.query), {}};
            for (const auto& one : s.per_server) {
                t.values.push_back(one ? one->total_ms : 0);
                p.values.push_back(one ? one->p95_ms : 0);
            }
            time.push_back(t);
            p95.push_back(p);
        }
        out += svg_bar_chart("Total execution time per statement and server", names, time, " ms");
        out += svg_bar_chart("p95 latency per statement and server (log scale)", names, p95, " ms", Scale::Log);
        std::vector<std::string> headers = {"queryid", "calls", "total", "mean", "p95 (highest)", "p99 (highest)"};
        for (const auto& n : names) headers.push_back(n + ": total / calls");
        headers.push_back("query");
        out += "<table>\n" + th_row(headers);
        for (const auto& s : f.top) {
            out += "<tr>" + td(std::to_string(s.queryid)) + td(format_count(s.total.calls), true) +
                   td(format_ms(s.total.total_ms), true) + td(format_ms(s.total.mean_ms), true) +
                   td(format_ms(s.total.p95_ms), true) + td(format_ms(s.total.p99_ms), true);
            for (const auto& one : s.per_server)
                out += td(one ? format_ms(one->total_ms) + " / " + format_count(one->calls) : "-", true);
            out += code_td(s.query) + "</tr>\n";
        }
        out += "</table>\n";
    }
    out += "<h2>Slow queries</h2>\n";
    for (std::size_t i = 0; i < f.servers.size(); ++i)
        out += "<h3>" + xml_escape(names[i]) + " (" + role_of(f.servers[i]) + ")</h3>\n" + slow_table(f.reports[i].slow);
    out += "<h2>N+1 and repeated queries</h2>\n";
    for (std::size_t i = 0; i < f.servers.size(); ++i)
        out += "<h3>" + xml_escape(names[i]) + " (" + role_of(f.servers[i]) + ")</h3>\n" +
               n_plus_one_section(f.reports[i].n_plus_one, "Round trips saved by batching on " + names[i]);
    out += "<h2>Index recommendations</h2>\n";
    std::vector<IndexRecommendation> recs;
    std::vector<std::string> where;
    for (const auto& r : f.recommendations) {
        recs.push_back(r.rec);
        std::string w;
        for (std::size_t i : r.servers) w += (w.empty() ? "" : ", ") + names[i];
        where.push_back(w);
    }
    if (!recs.empty())
        out += "<p>To run on the primary " +
               (f.primary ? "<b>" + xml_escape(names[*f.primary]) + "</b>" : std::string("(none among these servers)")) +
               "; standbys replay them.</p>\n";
    out += recommendations_table(recs, where);
    out += "<h2>Health</h2>\n";
    for (std::size_t i = 0; i < f.servers.size(); ++i)
        out += "<h3>" + xml_escape(names[i]) + " (" + role_of(f.servers[i]) + ")</h3>\n" +
               html_health(f.reports[i].health_json);
    return out + "</body>\n</html>\n";
}

}  // namespace pothos::cli
