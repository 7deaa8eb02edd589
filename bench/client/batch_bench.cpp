// A batch of N statements: our pipelined batch against the same statements
// sent with raw libpq pipeline mode, and sent one round trip each.
#include <libpq-fe.h>

#include <string>
#include <vector>

#include <pothos/client.hpp>

#include "bench_support.hpp"

namespace {

const char* kSql = "SELECT $1::int";

std::vector<std::string> values(int n) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i) v.push_back(std::to_string(i));
    return v;
}

// Raw libpq pipeline: all statements, then one sync (or a sync after each).
void raw_pipeline(PGconn* c, const std::vector<std::string>& vals, bool sync_each) {
    if (!PQenterPipelineMode(c)) throw std::runtime_error("pipeline mode");
    for (const auto& v : vals) {
        const char* p[1] = {v.c_str()};
        if (!PQsendQueryParams(c, kSql, 1, nullptr, p, nullptr, nullptr, 0))
            throw std::runtime_error(PQerrorMessage(c));
        if (sync_each) PQpipelineSync(c);
    }
    if (!sync_each) PQpipelineSync(c);
    std::size_t syncs = sync_each ? vals.size() : 1, seen = 0;
    while (seen < syncs) {
        PGresult* r = PQgetResult(c);
        if (!r) continue;
        auto st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) ++seen;
        else if (st != PGRES_TUPLES_OK) throw std::runtime_error("statement failed");
        PQclear(r);
    }
    PQexitPipelineMode(c);
}

void BM_Batch_RawPipeline(benchmark::State& state) {
    pothos::bench::RawConnection c;
    const auto vals = values(static_cast<int>(state.range(0)));
    const bool sync_each = state.range(1) != 0;
    pothos::bench::CoreMeter meter;
    for (auto _ : state) raw_pipeline(c.get(), vals, sync_each);
    meter.report(state);
}

void BM_Batch_Pothos(benchmark::State& state) {
    pothos::Client client(pothos::bench::client_config(1));
    std::vector<pothos::Statement> st;
    for (const auto& v : values(static_cast<int>(state.range(0))))
        st.push_back({kSql, pothos::params(v)});
    pothos::BatchOptions o;
    o.atomic = state.range(1) == 0;  // atomic = one sync, like the raw single-sync run
    pothos::bench::CoreMeter meter;
    for (auto _ : state) {
        auto out = client.batch(st, o);
        if (!out.back().ok()) throw std::runtime_error("batch failed");
    }
    meter.report(state);
}

void BM_Batch_RawSequential(benchmark::State& state) {
    pothos::bench::RawConnection c;
    const auto vals = values(static_cast<int>(state.range(0)));
    pothos::bench::CoreMeter meter;
    for (auto _ : state) {
        for (const auto& v : vals) {
            const char* p[1] = {v.c_str()};
            PGresult* r = PQexecParams(c.get(), kSql, 1, nullptr, p, nullptr, nullptr, 0);
            if (PQresultStatus(r) != PGRES_TUPLES_OK) throw std::runtime_error("statement failed");
            PQclear(r);
        }
    }
    meter.report(state);
}

}  // namespace

// Args: {statements, sync after each statement (1) or one sync (0)}.
BENCHMARK(BM_Batch_RawPipeline)->Args({100, 0})->Args({100, 1})->Args({1000, 0})->Args({1000, 1})->UseRealTime();
BENCHMARK(BM_Batch_Pothos)->Args({100, 0})->Args({100, 1})->Args({1000, 0})->Args({1000, 1})->UseRealTime();
BENCHMARK(BM_Batch_RawSequential)->Arg(100)->Arg(1000)->UseRealTime();
