// Prometheus text rendering of the client's histograms, counters and gauges,
// and the per-pool observer that records them.
#include <pothos/metrics.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>

namespace pothos {
namespace {
std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}
const std::vector<double> kBounds{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05,
                                  0.1,    0.25,   0.5,   1,     2.5,  5,     10};
double seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }
std::string pool_label(const std::string& name) { return "pool=\"" + name + "\""; }

constexpr std::string_view kOpNames[] = {"select", "insert", "update", "delete", "other"};
constexpr std::size_t kMaxTokens = 256;  // classification looks no further

// Tokens of a statement: identifiers and keywords (quoted identifiers
// unquoted), string literals skipped whole, single punctuation characters;
// comments and white space skipped.
class Tokens {
public:
    explicit Tokens(std::string_view s) : s_(s) {}
    // The next token, empty at the end.
    std::string_view next() {
        skip();
        if (i_ >= s_.size()) return {};
        const std::size_t b = i_;
        const char c = s_[i_];
        if (c == '"') {
            const std::size_t e = s_.find('"', i_ + 1);
            i_ = e == std::string_view::npos ? s_.size() : e + 1;
            return s_.substr(b + 1, (e == std::string_view::npos ? s_.size() : e) - b - 1);
        }
        if (c == '\'') {
            const std::size_t e = s_.find('\'', i_ + 1);
            i_ = e == std::string_view::npos ? s_.size() : e + 1;
            return s_.substr(b, i_ - b);
        }
        if (word(c)) {
            while (i_ < s_.size() && word(s_[i_])) ++i_;
            return s_.substr(b, i_ - b);
        }
        ++i_;
        return s_.substr(b, 1);
    }

private:
    static bool word(char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
               static_cast<unsigned char>(c) >= 0x80;
    }
    void skip() {
        for (;;) {
            while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
            if (s_.substr(i_, 2) == "--") {
                const std::size_t e = s_.find('\n', i_);
                i_ = e == std::string_view::npos ? s_.size() : e + 1;
            } else if (s_.substr(i_, 2) == "/*") {
                const std::size_t e = s_.find("*/", i_ + 2);
                i_ = e == std::string_view::npos ? s_.size() : e + 2;
            } else {
                return;
            }
        }
    }
    std::string_view s_;
    std::size_t i_ = 0;
};

bool is(std::string_view tok, std::string_view kw) {
    return tok.size() == kw.size() &&
           std::equal(tok.begin(), tok.end(), kw.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           });
}

std::size_t op_index(std::string_view tok) {
    for (std::size_t i = 0; i < 4; ++i)
        if (is(tok, kOpNames[i])) return i;
    return 4;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
}  // namespace

QueryLabels classify_query(std::string_view sql) {
    Tokens t(sql);
    std::string_view tok = t.next();
    std::size_t op = op_index(tok);
    bool with = is(tok, "with");
    int depth = 0;
    // The table follows FROM (select, delete, other), INTO (insert) or the
    // verb itself (update).
    bool want_table = op == 2;
    for (std::size_t n = 0; n < kMaxTokens && !(tok = t.next()).empty(); ++n) {
        if (tok == "(") {
            ++depth;
            want_table = false;  // FROM (subquery): the table is further on
            continue;
        }
        if (tok == ")") { --depth; continue; }
        if (with && depth == 0 && op_index(tok) < 4) {
            op = op_index(tok);
            with = false;
            if (op == 2) want_table = true;
            continue;
        }
        if (!want_table) {
            if (is(tok, "from") || is(tok, "into")) want_table = true;
            continue;
        }
        if (is(tok, "only") || is(tok, "lateral")) continue;
        if (tok.empty() || tok[0] == '\'' ||
            !(std::isalpha(static_cast<unsigned char>(tok[0])) || tok[0] == '_' ||
              static_cast<unsigned char>(tok[0]) >= 0x80)) {
            want_table = false;  // not a name: look further
            continue;
        }
        // schema.table: keep the last part.
        std::string_view name = tok;
        Tokens ahead = t;
        while (ahead.next() == ".") {
            const std::string_view part = ahead.next();
            if (part.empty()) break;
            name = part;
            t = ahead;
        }
        if (name.size() > 63) return {kOpNames[op], "other"};
        return {kOpNames[op], lower(name)};
    }
    return {kOpNames[op], "unknown"};
}

struct Metrics::Series {
    Series() : duration(kBounds) {}
    Histogram duration;
    std::atomic<std::uint64_t> ok{0};
    std::atomic<std::uint64_t> failed{0};
};

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size()]) {
    for (std::size_t i = 0; i < bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double seconds) noexcept {
    std::size_t i = 0;
    while (i < bounds_.size() && seconds > bounds_[i]) ++i;
    if (i < bounds_.size()) buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

double Histogram::sum() const noexcept { return sum_ns_.load(std::memory_order_relaxed) / 1e9; }

void Histogram::render_header(std::string& out, const std::string& name, const std::string& help) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " histogram\n";
}

void Histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
    const std::string sep = labels.empty() ? "" : labels + ",";
    const std::string own = labels.empty() ? "" : "{" + labels + "}";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        out += name + "_bucket{" + sep + "le=\"" + num(bounds_[i]) + "\"} " +
               std::to_string(cumulative) + "\n";
    }
    out += name + "_bucket{" + sep + "le=\"+Inf\"} " + std::to_string(count()) + "\n";
    out += name + "_sum" + own + " " + num(sum()) + "\n";
    out += name + "_count" + own + " " + std::to_string(count()) + "\n";
}

PoolMetrics::PoolMetrics(std::string pool, std::shared_ptr<PoolObserver> next)
    : pool_(std::move(pool)), next_(std::move(next)), acquire_(kBounds), lease_(kBounds) {}

void PoolMetrics::on_acquire(const std::string& pool, std::chrono::nanoseconds waited) noexcept {
    acquire_.observe(seconds(waited));
    if (next_) next_->on_acquire(pool, waited);
}

void PoolMetrics::on_release(const std::string& pool, std::chrono::nanoseconds held) noexcept {
    lease_.observe(seconds(held));
    if (next_) next_->on_release(pool, held);
}

void PoolMetrics::on_timeout(const std::string& pool, std::string_view limit) noexcept {
    timeouts_.fetch_add(1, std::memory_order_relaxed);
    if (next_) next_->on_timeout(pool, limit);
}

void PoolMetrics::on_create(const std::string& pool, std::chrono::nanoseconds took, bool ok) noexcept {
    if (next_) next_->on_create(pool, took, ok);
}

void PoolMetrics::on_destroy(const std::string& pool, std::string_view reason) noexcept {
    if (next_) next_->on_destroy(pool, reason);
}

Metrics::Metrics()
    : series_(new std::atomic<Series*>[kOps * kModelSlots]),
      cache_(new std::atomic<std::uint64_t>[kCacheSize]),
      models_{"unknown", "other"} {
    for (std::size_t i = 0; i < kOps * kModelSlots; ++i) series_[i].store(nullptr);
    for (std::size_t i = 0; i < kCacheSize; ++i) cache_[i].store(0);
}

Metrics::~Metrics() = default;

Metrics::Series* Metrics::series_for(std::string_view sql) noexcept {
    const std::uint64_t h = std::hash<std::string_view>{}(sql);
    constexpr std::uint64_t kIndexMask = 0xFFFF;
    const std::uint64_t entry = cache_[h % kCacheSize].load(std::memory_order_acquire);
    if (entry != 0 && (entry & ~kIndexMask) == (h & ~kIndexMask))
        return series_[(entry & kIndexMask) - 1].load(std::memory_order_acquire);
    return classify_slow_path(sql, h);
}

// First sighting of a statement text (or a cache slot taken by another):
// classify, find or create the series, remember it in the cache.
Metrics::Series* Metrics::classify_slow_path(std::string_view sql, std::uint64_t h) noexcept {
    try {
        const QueryLabels labels = classify_query(sql);
        std::size_t op = 0;
        while (kOpNames[op] != labels.operation) ++op;
        std::lock_guard<std::mutex> lk(series_mu_);
        auto it = std::find(models_.begin(), models_.end(), labels.model);
        std::size_t model = static_cast<std::size_t>(it - models_.begin());
        if (it == models_.end()) {
            if (models_.size() < kModelSlots) {
                models_.push_back(labels.model);
            } else {
                model = 1;  // over the cap: "other"
            }
        }
        const std::size_t idx = op * kModelSlots + model;
        Series* s = series_[idx].load(std::memory_order_acquire);
        if (!s) {
            owned_.push_back(std::make_unique<Series>());
            s = owned_.back().get();
            series_[idx].store(s, std::memory_order_release);
        }
        cache_[h % kCacheSize].store((h & ~std::uint64_t{0xFFFF}) | (idx + 1), std::memory_order_release);
        return s;
    } catch (...) {
        return nullptr;  // out of memory: the statement goes uncounted by label
    }
}

void Metrics::observe_query(std::string_view sql, double seconds, bool ok, bool slow) noexcept {
    if (Series* s = series_for(sql)) {
        s->duration.observe(seconds);
        (ok ? s->ok : s->failed).fetch_add(1, std::memory_order_relaxed);
    }
    (ok ? ok_ : failed_).fetch_add(1, std::memory_order_relaxed);
    if (slow) slow_.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<PoolMetrics> Metrics::pool(const std::string& name, std::shared_ptr<PoolObserver> next) {
    auto m = std::make_shared<PoolMetrics>(name, std::move(next));
    std::lock_guard<std::mutex> lk(pools_mu_);
    pools_.push_back(m);
    return m;
}

std::string Metrics::render(const std::vector<std::pair<std::string, PoolStats>>& pools) const {
    std::string out;
    auto gauge = [&](const char* name, const char* help, std::size_t PoolStats::*field) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
        for (const auto& [pool, st] : pools)
            out += std::string(name) + "{" + pool_label(pool) + "} " + std::to_string(st.*field) + "\n";
    };
    gauge("pothos_database_connections_active", "Connections leased to callers.", &PoolStats::borrowed);
    gauge("pothos_database_connections_idle", "Idle pooled connections.", &PoolStats::available);
    gauge("pothos_database_connections_waiting", "Callers waiting for a connection.", &PoolStats::pending);
    std::vector<std::shared_ptr<PoolMetrics>> observed;
    {
        std::lock_guard<std::mutex> lk(pools_mu_);
        observed = pools_;
    }
    Histogram::render_header(out, "pothos_database_pool_acquisition_duration_seconds",
                             "Time to acquire a pooled connection.");
    for (const auto& m : observed)
        m->acquisitions().render(out, "pothos_database_pool_acquisition_duration_seconds",
                                 pool_label(m->pool()));
    Histogram::render_header(out, "pothos_database_pool_lease_duration_seconds",
                             "Time a lease held its connection.");
    for (const auto& m : observed)
        m->leases().render(out, "pothos_database_pool_lease_duration_seconds", pool_label(m->pool()));
    out += "# HELP pothos_database_pool_timeouts_total Acquisitions that gave up.\n"
           "# TYPE pothos_database_pool_timeouts_total counter\n";
    for (const auto& m : observed)
        out += "pothos_database_pool_timeouts_total{" + pool_label(m->pool()) + "} " +
               std::to_string(m->timeouts()) + "\n";
    // (labels, series) in a stable order: by operation, then model.
    std::vector<std::pair<std::string, const Series*>> series;
    {
        std::lock_guard<std::mutex> lk(series_mu_);
        for (std::size_t op = 0; op < kOps; ++op)
            for (std::size_t m = 0; m < models_.size(); ++m)
                if (const Series* s = series_[op * kModelSlots + m].load(std::memory_order_acquire))
                    series.emplace_back("operation=\"" + std::string(kOpNames[op]) + "\",model=\"" +
                                            models_[m] + "\"",
                                        s);
    }
    Histogram::render_header(out, "pothos_database_query_duration_seconds", "Statement duration.");
    for (const auto& [labels, s] : series)
        s->duration.render(out, "pothos_database_query_duration_seconds", labels);
    out += "# HELP pothos_database_queries_total Statements run, by operation, model and outcome.\n"
           "# TYPE pothos_database_queries_total counter\n";
    for (const auto& [labels, s] : series) {
        out += "pothos_database_queries_total{" + labels + ",status=\"success\"} " +
               std::to_string(s->ok.load(std::memory_order_relaxed)) + "\n";
        out += "pothos_database_queries_total{" + labels + ",status=\"error\"} " +
               std::to_string(s->failed.load(std::memory_order_relaxed)) + "\n";
    }
    out += "# HELP pothos_database_slow_queries_total Statements at or over the slow-query threshold "
           "(milliseconds).\n# TYPE pothos_database_slow_queries_total counter\n";
    out += "pothos_database_slow_queries_total{threshold=\"" + std::to_string(slow_threshold_ms_) +
           "\"} " + std::to_string(slow_queries()) + "\n";
    return out;
}

}  // namespace pothos
