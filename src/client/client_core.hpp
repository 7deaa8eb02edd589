// Internal: the state shared by a Client and its Sessions, and the routing
// and retry loop used by the Client's entry points.
#pragma once

#include <algorithm>
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

// Default retry rule: serialization failures and deadlocks always;
// connection failures and pool timeouts for reads.
bool default_retry(const Error& e, bool read);
// Errors no retry rule may retry: the library's own (usage, configuration,
// conversion, closing, aborted batch statements).
bool never_retry(const Error& e);
bool is_connection_failure(const Error& e);
// SELECT/SHOW/VALUES/TABLE without a locking clause or INTO.
bool looks_like_read(const std::string& sql);
// The deadline of a call with this timeout (none without one).
inline Deadline deadline_for(const std::optional<Millis>& timeout) {
    return timeout ? Deadline::after(*timeout, "timeout") : Deadline();
}

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
    std::unique_ptr<Host> make_host(PoolOptions options, const std::string& name);

    // session.cpp: statements on a leased connection, instrumented and tagged.
    // deadline: the call's own (QueryOptions::timeout), shared by the acquire.
    Lease acquire(Host& h, const std::string& request_id, const Deadline& deadline = {},
                  const char* file = __builtin_FILE(), int line = __builtin_LINE());
    Result run(Lease& l, const std::string& sql, const Params& params, const QueryOptions& o,
               const Deadline& deadline);
    std::vector<BatchItem> run_batch(Lease& l, const std::vector<Statement>& statements,
                                     const BatchOptions& o, const Deadline& deadline);
    void run_stream(Lease& l, const std::string& sql, const Params& params, std::size_t batch_size,
                    const std::function<void(const RowBatch&)>& on_batch, const QueryOptions& o,
                    const Deadline& deadline);
    Result run_prepared(Lease& l, const std::string& name, const Params& params,
                        const QueryOptions& o, const Deadline& deadline);

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
                    mark_down(*h, e.what());
                } catch (const PoolTimeoutError& e) {
                    // A replica pool that is merely busy is not down.
                    if (!e.last_create_error().empty()) mark_down(*h, e.what());
                }
            }
        }
        return f(*primary);
    }

    // f(host) runs one attempt; deadline is the call's own, shared by all attempts.
    template <class F>
    auto with_retries(const QueryOptions& o, bool read, const Deadline& deadline, F&& f)
        -> decltype(f(std::declval<Host&>())) {
        auto delay = o.retry_delay;
        for (int attempt = 0;; ++attempt) {
            try {
                return on_some_host(read, f);
            } catch (const Error& e) {
                if (never_retry(e) || attempt >= o.retries) throw;
                if (!(o.retry_if ? o.retry_if(e, attempt) : default_retry(e, read))) throw;
                if (deadline && Clock::now() + delay >= *deadline.at) throw;  // no time left
                logger->debug("db:query", "retry " + std::to_string(attempt + 1) + " after: " +
                                              e.what());
            }
            std::this_thread::sleep_for(delay);
            delay = std::min(std::chrono::duration_cast<Millis>(delay * o.backoff), o.max_retry_delay);
        }
    }
};

}  // namespace pothos::detail
