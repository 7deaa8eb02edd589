#include "render_fleet.hpp"

#include "core/common/strings.h"
#include "json_doc.hpp"
#include "render_json.hpp"
#include "table.hpp"
#include "units.hpp"

namespace pothos::cli {
namespace {

std::string heading(const std::string& title, const TextStyle& st) {
    return paint(title, "1;36", st.colour) + "\n";
}

std::string server_heading(const Server& s, const TextStyle& st) {
    return paint(s.name + " (" + role_of(s) + ")", "1", st.colour) + "\n";
}

std::vector<std::string> names(const std::vector<Server>& servers, const std::vector<std::size_t>& which) {
    std::vector<std::string> out;
    for (std::size_t i : which) out.push_back(servers[i].name);
    return out;
}

std::string text_servers(const std::vector<Server>& servers, const TextStyle& st) {
    TextTable t({{"server"}, {"role"}});
    for (const auto& s : servers) t.add_row({s.name, role_of(s)});
    return t.render(st.colour);
}

Json json_servers(const std::vector<Server>& servers) {
    Json out = Json::array();
    for (const auto& s : servers) out.push_back({{"name", json_text(s.name)}, {"role", role_of(s)}});
    return out;
}

Json json_statements(const std::vector<Server>& servers, const std::vector<FleetStatement>& rows) {
    Json out = Json::array();
    for (const auto& f : rows) {
        Json merged = json_statement_list({f.total})[0];
        Json per = Json::array();
        for (std::size_t i = 0; i < f.per_server.size(); ++i) {
            if (!f.per_server[i]) continue;
            Json one = json_statement_list({*f.per_server[i]})[0];
            one.erase("query");
            one.erase("queryid");
            Json row = {{"server", json_text(servers[i].name)}};
            row.update(one);
            per.push_back(std::move(row));
        }
        merged["servers"] = std::move(per);
        out.push_back(std::move(merged));
    }
    return out;
}

Json json_findings(const std::vector<Server>& servers, const std::vector<std::vector<Nplus1>>& per_server) {
    Json out = Json::array();
    for (std::size_t i = 0; i < servers.size(); ++i)
        out.push_back({{"server", json_text(servers[i].name)}, {"findings", json_finding_list(per_server[i])}});
    return out;
}

Json json_recommendations(const std::vector<Server>& servers, const std::vector<FleetRecommendation>& recs) {
    Json out = Json::array();
    for (const auto& r : recs) {
        Json one = json_recommendation_list({r.rec})[0];
        one["recommended_on"] = json_texts(names(servers, r.servers));
        out.push_back(std::move(one));
    }
    return out;
}

Json apply_on(const std::vector<Server>& servers, std::optional<std::size_t> primary) {
    return primary ? json_text(servers[*primary].name) : Json(nullptr);
}

}  // namespace

const char* role_of(const Server& s) { return s.standby ? "standby" : "primary"; }

std::string text_fleet_top(const std::vector<Server>& servers, const std::vector<FleetStatement>& rows,
                           const TextStyle& st) {
    if (rows.empty()) return paint("(no statements recorded yet)", "2", st.colour) + "\n";
    std::vector<Column> cols = {{"queryid"}, {"calls", Align::Right}, {"total", Align::Right},
                                           {"mean", Align::Right}, {"p95", Align::Right}, {"p99", Align::Right}};
    for (const auto& s : servers) cols.push_back({s.name, Align::Right});
    cols.push_back({"query"});
    TextTable t(cols);
    for (const auto& f : rows) {
        std::vector<std::string> cells = {std::to_string(f.queryid), format_count(f.total.calls),
                                          format_ms(f.total.total_ms), format_ms(f.total.mean_ms),
                                          format_ms(f.total.p95_ms), format_ms(f.total.p99_ms)};
        for (const auto& one : f.per_server)
            cells.push_back(one ? format_ms(one->total_ms) + " / " + format_count(one->calls) : "-");
        cells.push_back(one_line(f.query, st.query_width));
        t.add_row(cells);
    }
    return t.render(st.colour) +
           paint("per server: total time / calls; p95, p99: the highest of the servers'", "2", st.colour) + "\n";
}

std::string text_fleet_n_plus_one(const std::vector<Server>& servers,
                                  const std::vector<std::vector<Nplus1>>& per_server, const TextStyle& st) {
    std::string out;
    for (std::size_t i = 0; i < servers.size(); ++i)
        out += (i ? "\n" : "") + server_heading(servers[i], st) + text_n_plus_one(per_server[i], st);
    return out;
}

std::string text_fleet_advise(const std::vector<Server>& servers, const std::vector<FleetRecommendation>& recs,
                              std::optional<std::size_t> primary, const TextStyle& st) {
    std::vector<IndexRecommendation> plain;
    for (const auto& r : recs) plain.push_back(r.rec);
    std::string out;
    if (!recs.empty())
        out += (primary ? "to run on the primary " + servers[*primary].name
                        : std::string("to run on the cluster's primary (none among these servers)")) +
               " (standbys replay them):\n";
    out += text_advise(plain, st);
    if (recs.empty()) return out;
    TextTable t({{"index"}, {"recommended on"}});
    for (const auto& r : recs) t.add_row({r.rec.table_name + " (" + core::join(r.rec.columns, ", ") + ")",
                                          core::join(names(servers, r.servers), ", ")});
    return out + "\n" + t.render(st.colour);
}

std::string text_fleet_report(const FleetReport& f, const TextStyle& st) {
    std::string out = paint("pothos_perf report", "1", st.colour) + " — " + std::to_string(f.servers.size()) +
                      " servers, " + (f.reports.empty() ? std::string() : f.reports[0].generated_at) + "\n\n";
    out += heading("Servers", st) + text_servers(f.servers, st) + "\n";
    out += heading("Top statements by total time (all servers)", st) + text_fleet_top(f.servers, f.top, st) + "\n";
    out += heading("Slow queries", st);
    for (std::size_t i = 0; i < f.servers.size(); ++i)
        out += server_heading(f.servers[i], st) + text_slow(f.reports[i].slow, st) + "\n";
    std::vector<std::vector<Nplus1>> findings;
    for (const auto& r : f.reports) findings.push_back(r.n_plus_one);
    out += heading("N+1 and repeated queries", st) + text_fleet_n_plus_one(f.servers, findings, st) + "\n";
    out += heading("Index recommendations", st) + text_fleet_advise(f.servers, f.recommendations, f.primary, st) +
           "\n";
    out += heading("Health", st);
    for (std::size_t i = 0; i < f.servers.size(); ++i)
        out += (i ? "\n" : "") + server_heading(f.servers[i], st) + text_health(f.reports[i].health_json, st);
    return out;
}

std::string json_fleet_top(const std::vector<Server>& servers, const std::vector<FleetStatement>& rows) {
    return json_document({{"servers", json_servers(servers)}, {"statements", json_statements(servers, rows)}});
}

std::string json_fleet_n_plus_one(const std::vector<Server>& servers,
                                  const std::vector<std::vector<Nplus1>>& per_server) {
    return json_document({{"servers", json_servers(servers)}, {"findings", json_findings(servers, per_server)}});
}

std::string json_fleet_advise(const std::vector<Server>& servers, const std::vector<FleetRecommendation>& recs,
                              std::optional<std::size_t> primary, const std::vector<std::string>* applied) {
    Json doc = {{"servers", json_servers(servers)},
                {"apply_on", apply_on(servers, primary)},
                {"recommendations", json_recommendations(servers, recs)}};
    if (applied) doc["applied"] = json_texts(*applied);
    return json_document(doc);
}

std::string json_fleet_report(const FleetReport& f) {
    Json per = Json::array();
    for (std::size_t i = 0; i < f.servers.size(); ++i) {
        const Report& r = f.reports[i];
        per.push_back({{"server", json_text(f.servers[i].name)},
                       {"database", json_text(r.database)},
                       {"generated_at", json_text(r.generated_at)},
                       {"slow_queries", json_slow_list(r.slow)},
                       {"findings", json_finding_list(r.n_plus_one)},
                       {"health", json_from_server(r.health_json, "health()")}});
    }
    return json_document({{"servers", json_servers(f.servers)},
                          {"statements", json_statements(f.servers, f.top)},
                          {"apply_on", apply_on(f.servers, f.primary)},
                          {"recommendations", json_recommendations(f.servers, f.recommendations)},
                          {"per_server", std::move(per)}});
}

}  // namespace pothos::cli
