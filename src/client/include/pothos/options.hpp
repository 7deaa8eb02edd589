// Per-call options of the client: timeouts, retries, routing, caching,
// tagging; and the options of a DataLoader.
//
// Thread safety: plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <pothos/errors.hpp>
#include <pothos/pool_options.hpp>

namespace pothos {

class BatchScheduler;

struct QueryOptions {
    // The call's own deadline, counted from the call: acquiring a connection,
    // the statement and every retry share it. When it passes during the
    // statement, the statement is cancelled and QueryTimeoutError raised
    // (limit() "timeout"); while waiting for a connection, PoolTimeoutError
    // with limit() "timeout". No retry starts once it has passed.
    std::optional<Millis> timeout;
    // Server-side limit: SET LOCAL statement_timeout around the statement
    // (same round trip). When it fires the error is a plain DatabaseError 57014.
    std::optional<Millis> statement_timeout;
    int retries = 0;
    Millis retry_delay{50};
    double backoff = 2.0;
    Millis max_retry_delay{2000};
    // Default: SerializationError and DeadlockError always; ConnectionError
    // and PoolTimeoutError for reads only; never InDoubtError. Usage,
    // configuration, conversion and closing errors are never retried,
    // whatever retry_if says.
    std::function<bool(const Error&, int attempt)> retry_if;
    // Reads may go to replicas and may be retried after connection errors.
    // Unset: a statement starting with SELECT, SHOW, VALUES or TABLE (and not
    // FOR UPDATE/SHARE) counts as a read.
    std::optional<bool> read_only;
    // Non-empty: the result is cached under this key together with the
    // statement and its parameters (the same key with other parameters is
    // another entry).
    std::string cache_key;
    Millis cache_ttl{0};    // 0 with a cache_key: 60 s
    std::string request_id; // sqlcommenter traceparent tag
};

struct BatchOptions {
    bool atomic = false;  // one implicit transaction; later statements aborted on failure
    std::optional<Millis> timeout;
    std::string request_id;
};

struct TxOptions {
    std::string request_id;
    std::string isolation;                    // e.g. "SERIALIZABLE"
    std::optional<Millis> statement_timeout;  // SET LOCAL statement_timeout
    int retries = 0;  // on SerializationError / DeadlockError (the whole function reruns)
    Millis retry_delay{20};
    double backoff = 2.0;
};

struct DataLoaderOptions {
    std::size_t max_batch_size = 100;
    std::chrono::microseconds window{1000};  // batch window after the first load
    bool cache = true;
    std::size_t cache_size = 0;  // 0: unbounded; else an LRU of this many keys
    std::string request_id;      // tags the dispatched queries
    // Runs batches and window timers; null: BatchScheduler::shared().
    std::shared_ptr<BatchScheduler> scheduler;
};

}  // namespace pothos
