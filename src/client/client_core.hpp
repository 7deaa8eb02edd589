// Internal: the state shared by a Client and its Sessions, and the routing
// and retry loop used by the Client's entry points.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <pothos/client.hpp>
#include <pothos/lru.hpp>
#include <pothos/metrics.hpp>

namespace pothos::detail {

struct Host {
    std::string name;
    std::unique_ptr<Pool> pool;
    std::atomic<std::int64_t> down_until{0};  // steady-clock ns; skipped until then
};

struct CachedResult {
    Result result;
    Clock::time_point expires;
};

struct PreparedEntry {
    std::string sql;
    std::string server_name;  // changes when the SQL of a name changes
    PreparedStats stats;
    double total_ms = 0;
};

// Default retry rule: 40001/40P01 always; connection errors for reads; never 08007.
bool default_retry(const DatabaseError& e, bool read);
bool is_connection_failure(const DatabaseError& e);
// SELECT/SHOW/VALUES/TABLE without a locking clause or INTO.
bool looks_like_read(const std::string& sql);

struct ClientCore {
    explicit ClientCore(Config c);

    Config config;
    std::shared_ptr<Logger> logger;
    Metrics metrics;
    std::unique_ptr<Host> primary;
    std::vector<std::unique_ptr<Host>> replicas;
    std::atomic<std::size_t> next_replica{0};
    std::mutex cache_mu;
    LruMap<std::string, CachedResult> cache;
    mutable std::mutex prepared_mu;
    std::unordered_map<std::string, PreparedEntry> prepared;
    std::atomic<int> extension{-1};  // pothos_perf installed? -1 unknown

    // hosts.cpp
    Host* pick_replica();
    void mark_down(Host& h, const std::string& why);

    // session.cpp: statements on a leased connection, instrumented and tagged.
    Lease acquire(Host& h, const std::string& request_id, const char* file = __builtin_FILE(),
                  int line = __builtin_LINE());
    Result run(Lease& l, const std::string& sql, const Params& params, const QueryOptions& o);
    std::vector<BatchItem> run_batch(Lease& l, const std::vector<Statement>& statements,
                                     const BatchOptions& o);
    void run_stream(Lease& l, const std::string& sql, const Params& params, std::size_t batch_size,
                    const std::function<void(const RowBatch&)>& on_batch, const QueryOptions& o);
    Result run_prepared(Lease& l, const std::string& name, const Params& params,
                        const QueryOptions& o);

    // instrument.cpp: metrics and query logs.
    void observe(const std::string& sql, Clock::time_point start, bool ok, Lease& l);

    template <class F>
    auto on_some_host(bool read, F& f) -> decltype(f(std::declval<Host&>())) {
        if (read) {
            for (std::size_t n = 0; n < replicas.size(); ++n) {
                Host* h = pick_replica();
                if (!h) break;
                try {
                    return f(*h);
                } catch (const DatabaseError& e) {
                    if (e.sqlstate() == "25006") break;  // a write after all: use the primary
                    if (!is_connection_failure(e)) throw;
                    // A replica pool that is merely busy is not down.
                    auto* busy = dynamic_cast<const PoolTimeoutError*>(&e);
                    if (!busy || !busy->last_create_error().empty()) mark_down(*h, e.what());
                }
            }
        }
        return f(*primary);
    }

    template <class F>
    auto with_retries(const QueryOptions& o, bool read, F&& f) -> decltype(f(std::declval<Host&>())) {
        auto delay = o.retry_delay;
        for (int attempt = 0;; ++attempt) {
            try {
                return on_some_host(read, f);
            } catch (const DatabaseError& e) {
                const bool retry = attempt < o.retries &&
                                   (o.retry_if ? o.retry_if(e, attempt) : default_retry(e, read));
                if (!retry) throw;
                logger->debug("db:query", "retry " + std::to_string(attempt + 1) + " after: " +
                                              e.what());
            }
            std::this_thread::sleep_for(delay);
            delay = std::min(std::chrono::duration_cast<Millis>(delay * o.backoff), o.max_retry_delay);
        }
    }
};

}  // namespace pothos::detail
