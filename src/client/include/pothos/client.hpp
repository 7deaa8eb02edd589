// The client: pooled queries with deadlines, retries, result cache, pipelined
// batches, streaming, prepared statements, transactions, request tagging,
// metrics and a read/write split over a primary and read replicas.
//
// Thread safety: Client is thread-safe (any number of threads may call it
// at once; moving or destroying it must not race with calls). A Session is
// not: one thread at a time, though it may move between threads; it keeps
// the client's state alive while it exists.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <pothos/config.hpp>
#include <pothos/connection.hpp>
#include <pothos/errors.hpp>
#include <pothos/options.hpp>
#include <pothos/pool.hpp>
#include <pothos/insights.hpp>
#include <pothos/result.hpp>

namespace pothos {

namespace detail {
struct ClientCore;
}

struct PreparedStats {
    std::string name, sql;
    std::uint64_t usage_count = 0;
    double average_execution_time_ms = 0;
    std::chrono::system_clock::time_point created_at{}, last_used{};
};

// A leased connection with the client's instrumentation and tagging. No
// retries: the connection is pinned.
class Session {
public:
    Session(std::shared_ptr<detail::ClientCore> core, Lease lease);
    Result query(const std::string& sql, const Params& params = {}, const QueryOptions& o = {});
    std::vector<BatchItem> batch(const std::vector<Statement>& statements,
                                 const BatchOptions& o = {});
    void stream(const std::string& sql, const Params& params, std::size_t batch_size,
                const std::function<void(const RowBatch&)>& on_batch, const QueryOptions& o = {});
    Result execute(const std::string& name, const Params& params = {}, const QueryOptions& o = {});
    Lease& lease() noexcept { return lease_; }

private:
    std::shared_ptr<detail::ClientCore> core_;
    Lease lease_;
};

class Client {
public:
    // Throws ConfigError when a connection string cannot be parsed
    // (variable "conninfo" or "replicas") or the pool options are inconsistent.
    explicit Client(Config config);
    static Client from_env() { return Client(Config::from_env()); }
    ~Client();
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;

    Result query(const std::string& sql, const Params& params = {}, const QueryOptions& o = {});
    std::vector<BatchItem> batch(const std::vector<Statement>& statements,
                                 const BatchOptions& o = {});
    void stream(const std::string& sql, const Params& params, std::size_t batch_size,
                const std::function<void(const RowBatch&)>& on_batch, const QueryOptions& o = {});

    // Registers a named statement; execute() prepares it per connection on first use.
    void prepare(const std::string& name, const std::string& sql);
    // UsageError for a name prepare() never registered.
    Result execute(const std::string& name, const Params& params = {}, const QueryOptions& o = {});
    PreparedStats prepared_stats(const std::string& name) const;

    // A session on the primary (optionally tagged with a request id). The
    // caller's file and line are what leak detection reports.
    Session session(const std::string& request_id = {}, const char* file = __builtin_FILE(),
                    int line = __builtin_LINE());
    // BEGIN; fn(session); COMMIT. ROLLBACK and rethrow when fn throws. A
    // connection lost during COMMIT raises InDoubtError.
    template <class F>
    auto transaction(F&& fn, const TxOptions& o = {}, const char* file = __builtin_FILE(),
                     int line = __builtin_LINE()) -> std::invoke_result_t<F&, Session&>;

    PoolStats stats() const;  // the primary's pool
    std::vector<std::pair<std::string, PoolStats>> all_stats() const;
    std::string metrics_text() const;  // Prometheus exposition format

    // The pothos_perf extension's functions, typed (pothos/insights.hpp).
    // ExtensionMissingError when the extension is not created in the
    // client's database or its library is not preloaded.
    std::vector<SlowQuery> get_slow_queries(const SlowQueryOptions& o = {});
    QueryAnalysis analyze_query(const std::string& sql);
    PerformanceAnalysis analyze_performance(const std::string& sql, bool allow_writes = false);
    SchemaInfo introspect_schema(const std::optional<std::string>& schema = std::nullopt);
    // The primary pool (size, in use, idle, waiting, timeouts) and, when the
    // extension is usable, the server's pothos_perf.health(); never throws
    // ExtensionMissingError (server_error says why the server part is absent).
    HealthStatus get_health_status();
    HealthStatus health() { return get_health_status(); }
    PoolHealth pool_health() const;
    const Config& config() const noexcept;
    void clear_cache();
    // Retires every open connection of every pool (Pool::evict_all).
    void evict_all();

private:
    void begin(Session& s, const TxOptions& o);
    void commit(Session& s);
    static void rollback_quietly(Session& s) noexcept;
    static bool retry_transaction(const DatabaseError& e, int attempt, const TxOptions& o);
    std::shared_ptr<detail::ClientCore> core_;
};

template <class F>
auto Client::transaction(F&& fn, const TxOptions& o, const char* file, int line)
    -> std::invoke_result_t<F&, Session&> {
    auto delay = o.retry_delay;
    for (int attempt = 0;; ++attempt) {
        Session s = session(o.request_id, file, line);
        try {
            begin(s, o);
            if constexpr (std::is_void_v<std::invoke_result_t<F&, Session&>>) {
                fn(s);
                commit(s);
                return;
            } else {
                auto r = fn(s);
                commit(s);
                return r;
            }
        } catch (const DatabaseError& e) {
            rollback_quietly(s);
            if (!retry_transaction(e, attempt, o)) throw;
        } catch (...) {
            rollback_quietly(s);
            throw;
        }
        std::this_thread::sleep_for(delay);
        delay = std::chrono::duration_cast<Millis>(delay * o.backoff);
    }
}

}  // namespace pothos
