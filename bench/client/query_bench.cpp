// SELECT 1: through the pooled client, against one reused raw libpq
// connection, and against a new raw connection per query.
#include <libpq-fe.h>

#include <memory>

#include <pothos/client.hpp>

#include "bench_support.hpp"

namespace {

void check(PGresult* r) {
    if (PQresultStatus(r) != PGRES_TUPLES_OK) throw std::runtime_error("SELECT 1 failed");
    PQclear(r);
}

void BM_Select1_RawReused(benchmark::State& state) {
    pothos::bench::RawConnection c;
    pothos::bench::CoreMeter meter;
    for (auto _ : state) check(PQexec(c.get(), "SELECT 1"));
    meter.report(state);
}

void BM_Select1_Pothos(benchmark::State& state) {
    pothos::Client client(pothos::bench::client_config(1));
    client.query("SELECT 1");
    pothos::bench::CoreMeter meter;
    for (auto _ : state) benchmark::DoNotOptimize(client.query("SELECT 1"));
    meter.report(state);
}

void BM_Select1_NewConnectionEach(benchmark::State& state) {
    const std::string url = pothos::bench::database_url();
    pothos::bench::CoreMeter meter;
    for (auto _ : state) {
        PGconn* c = PQconnectdb(url.c_str());
        check(PQexec(c, "SELECT 1"));
        PQfinish(c);
    }
    meter.report(state);
}

}  // namespace

BENCHMARK(BM_Select1_RawReused)->UseRealTime();
BENCHMARK(BM_Select1_Pothos)->UseRealTime();
BENCHMARK(BM_Select1_NewConnectionEach)->UseRealTime();
