// Config::from_env: strict parsing of the seed's environment variables. A bad
// value is refused with a ConfigError naming the variable, connection strings
// included (parsed by libpq when the configuration is built).
#include <pothos/config.hpp>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <limits>

#include <pothos/errors.hpp>

#include "conninfo.hpp"
#include "strings.hpp"

namespace pothos {
namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::uint64_t parse_count(const char* name, const std::string& v, std::uint64_t lo,
                          std::uint64_t hi) {
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos)
        throw ConfigError(name, "expected a whole number, got '" + v + "'");
    errno = 0;
    unsigned long long n = std::strtoull(v.c_str(), nullptr, 10);
    if (errno == ERANGE || n < lo || n > hi)
        throw ConfigError(name, "value " + v + " is out of range [" + std::to_string(lo) + ", " +
                                    std::to_string(hi) + "]");
    return n;
}

bool parse_bool(const char* name, const std::string& raw) {
    const std::string v = lower(raw);
    if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "0" || v == "no" || v == "off") return false;
    throw ConfigError(name, "expected true or false, got '" + raw + "'");
}

// A libpq keyword/value pair with the value quoted.
std::string kv(const char* key, const std::string& value) {
    std::string out = std::string(key) + "='";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "' ";
}

constexpr std::uint64_t kMaxMillis = 24ull * 3600 * 1000;

}  // namespace

Config Config::from_env() {
    return from_env([](const char* name) -> std::optional<std::string> {
        const char* v = std::getenv(name);
        if (!v) return std::nullopt;
        return std::string(v);
    });
}

Config Config::from_env(const Getter& get) {
    Config c;
    auto millis = [&](const char* name, Millis& out) {
        if (auto v = get(name)) out = Millis(parse_count(name, *v, 0, kMaxMillis));
    };
    auto flag = [&](const char* name, bool& out) {
        if (auto v = get(name)) out = parse_bool(name, *v);
    };

    if (auto url = get("DATABASE_URL"); url && !url->empty()) {
        detail::check_conninfo(*url, "DATABASE_URL");
        c.conninfo = *url;
    } else {
        std::string ci;
        if (auto v = get("POSTGRES_HOST")) ci += kv("host", *v);
        if (auto v = get("POSTGRES_PORT"))
            ci += kv("port", std::to_string(parse_count("POSTGRES_PORT", *v, 1, 65535)));
        if (auto v = get("POSTGRES_USER")) ci += kv("user", *v);
        if (auto v = get("POSTGRES_PASSWORD")) ci += kv("password", *v);
        if (auto v = get("POSTGRES_DB")) ci += kv("dbname", *v);
        c.conninfo = ci;
    }
    if (auto v = get("DATABASE_REPLICA_URLS")) {
        c.replicas = detail::split_list(*v);
        for (const auto& r : c.replicas) detail::check_conninfo(r, "DATABASE_REPLICA_URLS");
    }

    if (auto v = get("DB_POOL_MIN")) c.pool.min = parse_count("DB_POOL_MIN", *v, 0, 10000);
    if (auto v = get("DB_POOL_MAX")) c.pool.max = parse_count("DB_POOL_MAX", *v, 1, 10000);
    if (c.pool.min > c.pool.max)
        throw ConfigError(get("DB_POOL_MIN") ? "DB_POOL_MIN" : "DB_POOL_MAX",
                          "pool min " + std::to_string(c.pool.min) + " exceeds max " +
                              std::to_string(c.pool.max));
    millis("DB_POOL_IDLE_TIMEOUT", c.pool.idle_timeout);
    if (auto v = get("DB_POOL_CONNECTION_TIMEOUT")) {
        Millis t(parse_count("DB_POOL_CONNECTION_TIMEOUT", *v, 1, kMaxMillis));
        c.pool.acquire_timeout = t;
        c.pool.create_timeout = t;
    }
    flag("DB_HEALTH_CHECK", c.pool.enable_health_check);
    if (auto v = get("DB_HEALTH_CHECK_INTERVAL"))
        c.pool.health_check_interval =
            Millis(parse_count("DB_HEALTH_CHECK_INTERVAL", *v, 1, kMaxMillis));
    flag("DB_PREPARED_STATEMENTS", c.prepared_statements);
    if (auto v = get("DB_MAX_PREPARED_STATEMENTS"))
        c.max_prepared_statements = parse_count("DB_MAX_PREPARED_STATEMENTS", *v, 1, 100000);
    if (auto v = get("DB_QUERY_CACHE_SIZE"))
        c.query_cache_size = parse_count("DB_QUERY_CACHE_SIZE", *v, 0, 10000000);
    millis("DB_SLOW_QUERY_THRESHOLD", c.slow_query_threshold);
    flag("DB_ENABLE_METRICS", c.enable_metrics);
    flag("DB_LOG_SLOW_QUERIES", c.log_slow_queries);
    flag("DB_LOG_QUERIES", c.log_queries);
    flag("DB_QUERY_ANALYSIS", c.query_analysis);
    flag("DB_ENABLE_PERFORMANCE_INSIGHTS", c.performance_insights);
    if (auto v = get("DEBUG")) c.debug = *v;
    millis("DB_REPLICA_RETRY_INTERVAL", c.host_retry_interval);
    return c;
}

}  // namespace pothos
