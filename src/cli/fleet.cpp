#include "fleet.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

namespace pothos::cli {

std::vector<FleetStatement> merge_statements(const std::vector<std::vector<Statement>>& per_server,
                                             std::size_t limit) {
    std::map<std::int64_t, FleetStatement> by_id;
    for (std::size_t srv = 0; srv < per_server.size(); ++srv) {
        for (const Statement& s : per_server[srv]) {
            FleetStatement& f = by_id[s.queryid];
            if (f.per_server.empty()) {
                f.queryid = s.queryid;
                f.query = s.query;
                f.total.queryid = s.queryid;
                f.total.query = s.query;
                f.per_server.resize(per_server.size());
            }
            f.per_server[srv] = s;
            Statement& t = f.total;
            t.calls += s.calls;
            t.total_ms += s.total_ms;
            t.rows += s.rows;
            t.blks_hit += s.blks_hit;
            t.blks_read += s.blks_read;
            t.p50_ms = std::max(t.p50_ms, s.p50_ms);
            t.p95_ms = std::max(t.p95_ms, s.p95_ms);
            t.p99_ms = std::max(t.p99_ms, s.p99_ms);
        }
    }
    std::vector<FleetStatement> out;
    out.reserve(by_id.size());
    for (auto& [id, f] : by_id) {
        f.total.mean_ms = f.total.calls > 0 ? f.total.total_ms / double(f.total.calls) : 0;
        out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(), [](const FleetStatement& a, const FleetStatement& b) {
        if (a.total.total_ms != b.total.total_ms) return a.total.total_ms > b.total.total_ms;
        return a.queryid < b.queryid;
    });
    if (out.size() > limit) out.resize(limit);
    return out;
}

namespace {

// The statement's words, single-spaced, outside quotes lower-cased: the key
// two servers' recommendations of one index share.
std::string ddl_key(const std::string& ddl) {
    std::string out;
    bool space = false;
    char quote = 0;
    for (char c : ddl) {
        if (quote) {
            out += c;
            if (c == quote) quote = 0;
            continue;
        }
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        if (c == '"' || c == '\'') quote = c;
        out += char(std::tolower(static_cast<unsigned char>(c)));
    }
    while (!out.empty() && out.back() == ';') out.pop_back();
    return out;
}

}  // namespace

std::vector<FleetRecommendation> merge_recommendations(
    const std::vector<std::vector<IndexRecommendation>>& per_server) {
    std::vector<FleetRecommendation> out;
    std::map<std::string, std::size_t> index_of;
    for (std::size_t srv = 0; srv < per_server.size(); ++srv) {
        for (const IndexRecommendation& r : per_server[srv]) {
            auto [it, fresh] = index_of.emplace(ddl_key(r.index_ddl), out.size());
            if (fresh) {
                out.push_back({r, {srv}});
                continue;
            }
            FleetRecommendation& f = out[it->second];
            if (f.servers.back() != srv) f.servers.push_back(srv);
            std::int64_t affected = f.rec.affected_queries + r.affected_queries;
            if (r.improvement_pct > f.rec.improvement_pct) f.rec = r;
            f.rec.affected_queries = affected;
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const FleetRecommendation& a, const FleetRecommendation& b) {
        return a.rec.improvement_pct > b.rec.improvement_pct;
    });
    return out;
}

std::optional<std::size_t> primary_of(const std::vector<Server>& servers) {
    std::optional<std::size_t> primary;
    for (std::size_t i = 0; i < servers.size(); ++i) {
        if (servers[i].standby) continue;
        if (primary)
            throw std::invalid_argument("two primaries among the servers (" + servers[*primary].name + ", " +
                                        servers[i].name + "): give one cluster, its primary and standbys");
        primary = i;
    }
    return primary;
}

FleetReport merge_reports(std::vector<Server> servers, std::vector<Report> reports, std::size_t limit) {
    FleetReport f;
    std::vector<std::vector<Statement>> top;
    std::vector<std::vector<IndexRecommendation>> recs;
    for (const Report& r : reports) {
        top.push_back(r.top);
        recs.push_back(r.recommendations);
    }
    f.top = merge_statements(top, limit);
    f.recommendations = merge_recommendations(recs);
    f.primary = primary_of(servers);
    f.servers = std::move(servers);
    f.reports = std::move(reports);
    return f;
}

std::string server_name(const std::string& host, const std::string& port, const std::string& database) {
    std::string h = host.empty() || host[0] == '/' ? "local" : host;
    return h + ":" + port + "/" + database;
}

}  // namespace pothos::cli
