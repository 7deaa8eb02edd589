// 100 lookups by primary key: one DataLoader batch (WHERE id = ANY($1))
// against 100 single queries through the same client.
#include <pothos/any_loader.hpp>

#include "bench_support.hpp"

namespace {

std::unique_ptr<pothos::Client> make_client() {
    auto c = std::make_unique<pothos::Client>(pothos::bench::client_config(2));
    c->query("CREATE TABLE IF NOT EXISTS pothos_bench_users (id int PRIMARY KEY, name text)");
    c->query("INSERT INTO pothos_bench_users SELECT g, 'user' || g FROM generate_series(1, 1000) g "
             "ON CONFLICT DO NOTHING");
    return c;
}

pothos::Client& client() {
    static auto c = make_client();
    return *c;
}

void BM_Lookup100_DataLoader(benchmark::State& state) {
    pothos::DataLoaderOptions o;
    o.window = std::chrono::seconds(10);  // dispatched explicitly
    auto loader = pothos::make_any_loader(
        client(), "SELECT id, name FROM pothos_bench_users WHERE id = ANY($1)", "id", o);
    pothos::bench::CoreMeter meter;
    for (auto _ : state) {
        loader->clear_all();
        std::vector<std::shared_future<std::optional<pothos::Record>>> f;
        f.reserve(100);
        for (int k = 1; k <= 100; ++k) f.push_back(loader->load(std::to_string(k * 7)));
        loader->dispatch();
        for (auto& x : f)
            if (!x.get()) throw std::runtime_error("missing row");
    }
    meter.report(state);
}

void BM_Lookup100_SingleQueries(benchmark::State& state) {
    auto& c = client();
    pothos::bench::CoreMeter meter;
    for (auto _ : state) {
        for (int k = 1; k <= 100; ++k) {
            auto r = c.query("SELECT id, name FROM pothos_bench_users WHERE id = $1",
                             pothos::params(k * 7));
            if (r.rows() != 1) throw std::runtime_error("missing row");
        }
    }
    meter.report(state);
}

}  // namespace

BENCHMARK(BM_Lookup100_DataLoader)->UseRealTime();
BENCHMARK(BM_Lookup100_SingleQueries)->UseRealTime();
