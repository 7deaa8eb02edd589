#include "repository.hpp"

#include <cctype>

namespace pothos::cli {

std::vector<Statement> fetch_top(Connection& c, int limit) {
    Result r = c.exec(
        "SELECT queryid, query, calls, total_exec_time, mean_exec_time, p50_exec_time,"
        "       p95_exec_time, p99_exec_time, rows, shared_blks_hit, shared_blks_read"
        "  FROM pothos_perf.statements"
        " WHERE dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
        "   AND calls > 0"
        " ORDER BY total_exec_time DESC, queryid LIMIT $1",
        {std::to_string(limit)});
    std::vector<Statement> out;
    for (int i = 0; i < r.rows(); ++i) {
        Statement s;
        s.queryid = r.int64(i, 0);
        s.query = r.text(i, 1);
        s.calls = r.int64(i, 2);
        s.total_ms = r.number(i, 3);
        s.mean_ms = r.number(i, 4);
        s.p50_ms = r.number(i, 5);
        s.p95_ms = r.number(i, 6);
        s.p99_ms = r.number(i, 7);
        s.rows = r.int64(i, 8);
        s.blks_hit = r.int64(i, 9);
        s.blks_read = r.int64(i, 10);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<SlowQuery> fetch_slow(Connection& c, std::optional<double> threshold_ms, int limit) {
    std::optional<std::string> thr;
    if (threshold_ms) thr = std::to_string(*threshold_ms);
    Result r = c.exec(
        "SELECT queryid, query, duration_ms, to_char(occurred_at, 'YYYY-MM-DD HH24:MI:SS.MS TZ'),"
        "       execution_count, average_duration_ms,"
        "       coalesce(array_to_json(recommendations), '[]')"
        "  FROM pothos_perf.get_slow_queries(coalesce($1::float8,"
        "           (SELECT nullif(greatest(setting::float8, 0), 0) FROM pg_catalog.pg_settings"
        "             WHERE name = 'pothos_perf.slow_query_threshold')), 100000, false)"
        " WHERE dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
        " ORDER BY duration_ms DESC, queryid LIMIT $2",
        {thr, std::to_string(limit)});
    std::vector<SlowQuery> out;
    for (int i = 0; i < r.rows(); ++i) {
        SlowQuery s;
        s.queryid = r.int64(i, 0);
        s.query = r.text(i, 1);
        s.duration_ms = r.number(i, 2);
        s.occurred_at = r.text(i, 3);
        s.execution_count = r.int64(i, 4);
        s.average_duration_ms = r.number(i, 5);
        s.recommendations = r.strings(i, 6);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<Nplus1> fetch_n_plus_one(Connection& c, int limit) {
    Result r = c.exec(
        "SELECT kind, parent_queryid, parent_query, queryid, query, occurrences, total_repeats,"
        "       max_repeats, wasted_time_ms, round_trips_saved, suggested_query, suggestion,"
        "       array_to_json(child_queryids::text[]), array_to_json(array_replace(child_queries, NULL, '')),"
        "       array_to_json(child_total_repeats::text[]),"
        "       array_to_json(array_replace(child_suggested_queries, NULL, ''))"
        "  FROM pothos_perf.n_plus_one"
        " WHERE dbid = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
        " ORDER BY wasted_time_ms DESC NULLS LAST, queryid LIMIT $1",
        {std::to_string(limit)});
    std::vector<Nplus1> out;
    for (int i = 0; i < r.rows(); ++i) {
        Nplus1 f;
        f.kind = r.text(i, 0);
        f.parent_queryid = r.int64(i, 1);
        f.parent_query = r.text(i, 2);
        f.queryid = r.int64(i, 3);
        f.query = r.text(i, 4);
        f.occurrences = r.int64(i, 5);
        f.total_repeats = r.int64(i, 6);
        f.max_repeats = r.int64(i, 7);
        f.wasted_time_ms = r.number(i, 8);
        f.round_trips_saved = r.int64(i, 9);
        f.suggested_query = r.text(i, 10);
        f.suggestion = r.text(i, 11);
        // Ids are hidden (NULL) from roles that may not see other roles' texts.
        const std::vector<std::string> ids = r.strings(i, 12), queries = r.strings(i, 13),
                                       repeats = r.strings(i, 14), suggested = r.strings(i, 15);
        for (size_t c = 0; c < queries.size(); ++c) {
            Nplus1Child child;
            child.queryid = c < ids.size() ? std::stoll(ids[c]) : 0;
            child.query = queries[c];
            child.total_repeats = c < repeats.size() ? std::stoll(repeats[c]) : 0;
            child.suggested_query = c < suggested.size() ? suggested[c] : std::string();
            f.children.push_back(std::move(child));
        }
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<IndexRecommendation> fetch_recommendations(Connection& c, std::optional<double> min_pct) {
    const std::string cols =
        "SELECT table_name, coalesce(array_to_json(columns), '[]'), index_ddl, estimated_size_bytes,"
        "       cost_before, cost_after, improvement_pct, affected_queries, reason";
    Result r = min_pct ? c.exec(cols + " FROM pothos_perf.recommend_indexes($1::float8)"
                                       " ORDER BY improvement_pct DESC, index_ddl",
                                {std::to_string(*min_pct)})
                       : c.exec(cols + " FROM pothos_perf.index_recommendations"
                                       " ORDER BY improvement_pct DESC, index_ddl");
    std::vector<IndexRecommendation> out;
    for (int i = 0; i < r.rows(); ++i) {
        IndexRecommendation x;
        x.table_name = r.text(i, 0);
        x.columns = r.strings(i, 1);
        x.index_ddl = r.text(i, 2);
        x.estimated_size_bytes = r.int64(i, 3);
        x.cost_before = r.number(i, 4);
        x.cost_after = r.number(i, 5);
        x.improvement_pct = r.number(i, 6);
        x.affected_queries = r.int64(i, 7);
        x.reason = r.text(i, 8);
        out.push_back(std::move(x));
    }
    return out;
}

Explain fetch_explain(Connection& c, const std::string& sql, bool allow_writes) {
    Explain e;
    e.query = sql;
    Result a = c.exec(
        "SELECT optimized_query, coalesce(array_to_json(improvements), '[]'),"
        "       coalesce(array_to_json(potential_issues), '[]'), performance_gain"
        "  FROM pothos_perf.analyze_query($1)",
        {sql});
    if (a.rows() > 0) {
        e.optimized_query = a.text(0, 0);
        e.improvements = a.strings(0, 1);
        e.potential_issues = a.strings(0, 2);
        e.performance_gain_pct = a.number(0, 3);
    }
    Result p = c.exec(
        "SELECT execution_time, planning_time, estimated_cost, actual_rows, estimated_rows,"
        "       buffer_hits, buffer_reads, is_optimized,"
        "       coalesce(array_to_json(recommendations), '[]'), execution_plan"
        "  FROM pothos_perf.analyze_performance($1, $2::bool)",
        {sql, std::string(allow_writes ? "true" : "false")});
    if (p.rows() > 0) {
        e.executed = !p.is_null(0, 0);
        e.execution_ms = p.number(0, 0);
        e.planning_ms = p.number(0, 1);
        e.estimated_cost = p.number(0, 2);
        e.actual_rows = p.number(0, 3);
        e.estimated_rows = p.number(0, 4);
        e.buffer_hits = p.int64(0, 5);
        e.buffer_reads = p.int64(0, 6);
        e.is_optimized = p.boolean(0, 7);
        e.recommendations = p.strings(0, 8);
        e.plan_json = p.text(0, 9);
    }
    return e;
}

std::string fetch_health(Connection& c) {
    return c.exec("SELECT pothos_perf.health()::text").text(0, 0);
}

std::string fetch_metrics(Connection& c) {
    return c.exec("SELECT pothos_perf.metrics()").text(0, 0);
}

std::string fetch_now(Connection& c) {
    return c.exec("SELECT to_char(now(), 'YYYY-MM-DD HH24:MI:SS TZ')").text(0, 0);
}

bool fetch_in_recovery(Connection& c) { return c.exec("SELECT pg_is_in_recovery()").boolean(0, 0); }

ResetCounts reset_all(Connection& c) {
    Result r = c.exec(
        "SELECT pothos_perf.reset(), pothos_perf.slow_queries_reset(), pothos_perf.n_plus_one_reset()");
    return {r.int64(0, 0), r.int64(0, 1), r.int64(0, 2)};
}

std::string create_index_concurrently(Connection& c, const std::string& ddl) {
    std::string upper;
    for (char ch : ddl) upper += char(std::toupper(static_cast<unsigned char>(ch)));
    std::string stmt = ddl;
    if (upper.rfind("CREATE INDEX CONCURRENTLY", 0) == 0) {
        // as recommended
    } else if (upper.rfind("CREATE INDEX", 0) == 0) {
        stmt = "CREATE INDEX CONCURRENTLY" + ddl.substr(12);
    } else {
        throw CliError(kExitFailure, "refusing to run a recommendation that is not a CREATE INDEX: " + ddl);
    }
    if (ddl.find(';') != std::string::npos)
        throw CliError(kExitFailure, "refusing to run a recommendation with several statements: " + ddl);
    // Outside any transaction block: CONCURRENTLY requires it.
    c.exec(stmt);
    return stmt;
}

}  // namespace pothos::cli
