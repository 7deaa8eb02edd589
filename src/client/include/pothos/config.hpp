// Client configuration, usually read from the environment variables of the
// application this library replaces (DATABASE_URL, DB_POOL_*, DB_*, DEBUG).
// Connection strings are parsed by libpq when the configuration is built
// (from_env, or the Client's constructor): a malformed one is a ConfigError
// naming its variable at once, never a connection attempt retried until
// the acquire timeout.
//
// Thread safety: a plain value; a Client copies it at construction.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pothos/pool_options.hpp>

namespace pothos {

struct Config {
    std::string conninfo;               // the primary
    std::vector<std::string> replicas;  // read replicas (DATABASE_REPLICA_URLS)
    PoolOptions pool;                   // conninfo and name filled in per host;
                                        // pool.observer receives every pool's events
    bool prepared_statements = true;
    std::size_t max_prepared_statements = 100;  // per connection
    std::size_t query_cache_size = 1000;        // entries of the result cache
    Millis slow_query_threshold{1000};
    bool enable_metrics = true;
    bool log_slow_queries = true;
    bool log_queries = false;
    bool query_analysis = false;
    bool performance_insights = false;
    std::string debug;                  // DEBUG, e.g. "db:*"
    Millis host_retry_interval{5000};   // a failed replica is skipped this long

    using Getter = std::function<std::optional<std::string>(const char* name)>;
    // Reads the process environment. Throws ConfigError naming a bad variable.
    static Config from_env();
    static Config from_env(const Getter& get);
};

}  // namespace pothos
