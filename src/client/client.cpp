// Client: construction from Config, routing and retries for each entry point,
// the result cache, prepared-statement registry and transactions.
#include "client_core.hpp"
#include "conninfo.hpp"

#include <algorithm>
#include <cctype>

namespace pothos {
namespace detail {

bool is_connection_failure(const Error& e) {
    return dynamic_cast<const ConnectionError*>(&e) != nullptr ||
           dynamic_cast<const PoolTimeoutError*>(&e) != nullptr;
}

bool default_retry(const Error& e, bool read) {
    if (dynamic_cast<const SerializationError*>(&e) || dynamic_cast<const DeadlockError*>(&e))
        return true;
    return read && is_connection_failure(e);
}

bool never_retry(const Error& e) {
    return dynamic_cast<const UsageError*>(&e) || dynamic_cast<const ConfigError*>(&e) ||
           dynamic_cast<const ConversionError*>(&e) || dynamic_cast<const PoolClosingError*>(&e) ||
           dynamic_cast<const BatchAbortedError*>(&e);
}

bool looks_like_read(const std::string& sql) {
    std::size_t i = 0;
    for (;;) {  // skip blanks and comments
        while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
        if (sql.compare(i, 2, "--") == 0) {
            i = sql.find('\n', i);
            if (i == std::string::npos) return false;
        } else if (sql.compare(i, 2, "/*") == 0) {
            i = sql.find("*/", i);
            if (i == std::string::npos) return false;
            i += 2;
        } else {
            break;
        }
    }
    std::string upper;
    upper.reserve(sql.size() - i);
    for (std::size_t j = i; j < sql.size(); ++j)
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[j])));
    auto starts = [&](const char* w) {
        const std::size_t n = std::char_traits<char>::length(w);
        return upper.compare(0, n, w) == 0 &&
               (upper.size() == n || !std::isalnum(static_cast<unsigned char>(upper[n])));
    };
    if (!(starts("SELECT") || starts("SHOW") || starts("VALUES") || starts("TABLE"))) return false;
    for (const char* w : {"FOR UPDATE", "FOR SHARE", "FOR NO KEY", "FOR KEY SHARE", " INTO "})
        if (upper.find(w) != std::string::npos) return false;
    return true;
}

ClientCore::ClientCore(Config c)
    : config(std::move(c)),
      logger(config.pool.logger ? config.pool.logger : std::make_shared<Logger>(config.debug)),
      cache(config.query_cache_size) {
    check_conninfo(config.conninfo, "conninfo");
    metrics.set_slow_threshold_ms(config.slow_query_threshold.count());
    for (const auto& r : config.replicas) check_conninfo(r, "replicas");
    PoolOptions base = config.pool;
    base.logger = logger;
    base.max_prepared_statements = config.max_prepared_statements;
    PoolOptions p = base;
    p.conninfo = config.conninfo;
    primary = make_host(p, "primary");
    for (std::size_t i = 0; i < config.replicas.size(); ++i) {
        PoolOptions r = base;
        r.conninfo = config.replicas[i];
        r.min = 0;
        r.propagate_create_error = true;  // a dead replica fails fast; we fall back
        r.acquire_timeout = std::min(r.acquire_timeout, r.create_timeout);
        replicas.push_back(make_host(r, "replica" + std::to_string(i + 1)));
    }
}

// A host's pool reports to the client's metrics (when enabled), which pass
// each event on to the application's observer (config.pool.observer).
std::unique_ptr<Host> ClientCore::make_host(PoolOptions options, const std::string& name) {
    options.name = name;
    if (config.enable_metrics) options.observer = metrics.pool(name, config.pool.observer);
    auto h = std::make_unique<Host>();
    h->name = name;
    h->pool = std::make_unique<Pool>(std::move(options));
    return h;
}

}  // namespace detail

Client::Client(Config config) : core_(std::make_shared<detail::ClientCore>(std::move(config))) {}
Client::~Client() = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

const Config& Client::config() const noexcept { return core_->config; }

namespace {
// The result cache's key: the caller's key, the statement and its parameters.
std::string cache_key_of(const std::string& key, const std::string& sql, const Params& params) {
    std::string k = key;
    k += '\x1f';
    k += std::to_string(sql.size());
    k += ':';
    k += sql;
    detail::append_key(k, params);
    return k;
}
}  // namespace

Result Client::query(const std::string& sql, const Params& params, const QueryOptions& o) {
    auto& c = *core_;
    const Deadline deadline = detail::deadline_for(o.timeout);
    Millis ttl = o.cache_ttl.count() > 0 ? o.cache_ttl : Millis(60000);
    std::string key;
    if (!o.cache_key.empty()) {
        key = cache_key_of(o.cache_key, sql, params);
        std::lock_guard<std::mutex> lk(c.cache_mu);
        if (auto* hit = c.cache.find(key)) {
            if (hit->expires > Clock::now()) return hit->result;
            c.cache.erase(key);
        }
    }
    // Whether it is a read matters only for routing to replicas and retries.
    const bool read = o.read_only ? *o.read_only
                                  : (!c.replicas.empty() || o.retries > 0) &&
                                        detail::looks_like_read(sql);
    Result r = c.with_retries(o, read, deadline, [&](detail::Host& h) {
        Lease l = c.acquire(h, o.request_id, deadline);
        return c.run(l, sql, params, o, deadline);
    });
    if (!key.empty()) {
        std::lock_guard<std::mutex> lk(c.cache_mu);
        c.cache.put(key, detail::CachedResult{r, Clock::now() + ttl});
    }
    return r;
}

void Client::clear_cache() {
    std::lock_guard<std::mutex> lk(core_->cache_mu);
    core_->cache.clear();
}

std::vector<BatchItem> Client::batch(const std::vector<Statement>& statements,
                                     const BatchOptions& o) {
    const Deadline deadline = detail::deadline_for(o.timeout);
    Lease l = core_->acquire(*core_->primary, o.request_id, deadline);
    return core_->run_batch(l, statements, o, deadline);
}

void Client::stream(const std::string& sql, const Params& params, std::size_t batch_size,
                    const std::function<void(const RowBatch&)>& on_batch, const QueryOptions& o) {
    // Rows already delivered cannot be taken back: no retries, and a replica
    // is used only for the choice of host (its failure is reported).
    auto& c = *core_;
    const Deadline deadline = detail::deadline_for(o.timeout);
    const bool read = o.read_only ? *o.read_only : detail::looks_like_read(sql);
    detail::Host* h = read ? c.pick_replica() : nullptr;
    if (!h) h = c.primary.get();
    Lease l;
    try {
        l = c.acquire(*h, o.request_id, deadline);
    } catch (const Error& e) {
        if (h == c.primary.get() || !detail::is_connection_failure(e)) throw;
        c.mark_down(*h, e.what());
        l = c.acquire(*c.primary, o.request_id, deadline);
    }
    c.run_stream(l, sql, params, batch_size, on_batch, o, deadline);
}

void Client::prepare(const std::string& name, const std::string& sql) {
    static std::atomic<std::uint64_t> version{0};
    std::lock_guard<std::mutex> lk(core_->prepared_mu);
    auto& e = core_->prepared[name];
    if (!e.server_name.empty() && e.sql == sql) return;
    e.sql = sql;
    e.server_name = "pothos_" + std::to_string(version.fetch_add(1)) + "_" + name;
    e.stats = PreparedStats{};
    e.stats.name = name;
    e.stats.sql = sql;
    e.stats.created_at = std::chrono::system_clock::now();
    e.total_ms = 0;
}

Result Client::execute(const std::string& name, const Params& params, const QueryOptions& o) {
    auto& c = *core_;
    bool read = false;
    if (o.read_only) {
        read = *o.read_only;
    } else {
        std::lock_guard<std::mutex> lk(c.prepared_mu);
        auto it = c.prepared.find(name);
        read = it != c.prepared.end() && detail::looks_like_read(it->second.sql);
    }
    const Deadline deadline = detail::deadline_for(o.timeout);
    return c.with_retries(o, read, deadline, [&](detail::Host& h) {
        Lease l = c.acquire(h, o.request_id, deadline);
        return c.run_prepared(l, name, params, o, deadline);
    });
}

PreparedStats Client::prepared_stats(const std::string& name) const {
    std::lock_guard<std::mutex> lk(core_->prepared_mu);
    auto it = core_->prepared.find(name);
    if (it == core_->prepared.end()) throw std::out_of_range("no prepared statement " + name);
    return it->second.stats;
}

Session Client::session(const std::string& request_id, const char* file, int line) {
    return Session(core_, core_->acquire(*core_->primary, request_id, {}, file, line));
}

void Client::begin(Session& s, const TxOptions& o) {
    std::string sql = "BEGIN";
    if (!o.isolation.empty()) {
        std::string iso = o.isolation;
        for (auto& ch : iso) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (iso != "SERIALIZABLE" && iso != "REPEATABLE READ" && iso != "READ COMMITTED" &&
            iso != "READ UNCOMMITTED")
            throw std::invalid_argument("transaction: unknown isolation level " + o.isolation);
        sql += " ISOLATION LEVEL " + iso;
    }
    if (o.statement_timeout)
        sql += "; SET LOCAL statement_timeout = " + std::to_string(o.statement_timeout->count());
    s.query(sql);
}

void Client::commit(Session& s) {
    Result r;
    try {
        r = s.query("COMMIT");
    } catch (const ConnectionError& e) {
        ErrorFields f = e.fields();
        f.message = "connection lost during COMMIT; whether the transaction committed is unknown (" +
                    e.message() + ")";
        throw InDoubtError(std::move(f));
    }
    if (r.command_status() == "ROLLBACK")
        throw UsageError("COMMIT of a failed transaction: a statement inside it failed and its "
                         "error was caught; the server rolled the transaction back");
}

void Client::rollback_quietly(Session& s) noexcept {
    try {
        if (s.lease() && s.lease()->in_transaction()) s.lease()->exec("ROLLBACK");
    } catch (...) {
        if (s.lease()) s.lease()->mark_broken();
    }
}

bool Client::retry_transaction(const DatabaseError& e, int attempt, const TxOptions& o) {
    return attempt < o.retries && (dynamic_cast<const SerializationError*>(&e) ||
                                   dynamic_cast<const DeadlockError*>(&e));
}

PoolStats Client::stats() const { return core_->primary->pool->stats(); }

std::vector<std::pair<std::string, PoolStats>> Client::all_stats() const {
    std::vector<std::pair<std::string, PoolStats>> out;
    out.emplace_back(core_->primary->name, core_->primary->pool->stats());
    for (const auto& h : core_->replicas) out.emplace_back(h->name, h->pool->stats());
    return out;
}

std::string Client::metrics_text() const { return core_->metrics.render(all_stats()); }

void Client::evict_all() {
    core_->primary->pool->evict_all();
    for (const auto& h : core_->replicas) h->pool->evict_all();
}

}  // namespace pothos
