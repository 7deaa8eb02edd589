// sqlcommenter traceparent tagging and the thread's current request id.
#include <pothos/tagging.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <random>

namespace pothos {
namespace {

thread_local std::string tl_request_id;

std::uint64_t fnv1a(std::string_view s, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

bool is_trace_id(std::string_view s) {
    if (s.size() != 32) return false;
    bool nonzero = false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
        nonzero |= c != '0';
    }
    return nonzero;
}

std::string hex64(std::uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::uint64_t span_id() {
    thread_local std::mt19937_64 rng(std::random_device{}());
    std::uint64_t v;
    do v = rng(); while (v == 0);
    return v;
}

}  // namespace

std::string trace_id_for(std::string_view request_id) {
    if (is_trace_id(request_id)) return std::string(request_id);
    std::uint64_t hi = fnv1a(request_id, 14695981039346656037ull);
    std::uint64_t lo = fnv1a(request_id, 0x9e3779b97f4a7c15ull) | 1;  // never all zero
    return hex64(hi) + hex64(lo);
}

std::string traceparent_for(std::string_view request_id) {
    return "00-" + trace_id_for(request_id) + "-" + hex64(span_id()) + "-01";
}

std::string tag_sql(const std::string& sql, std::string_view request_id) {
    std::size_t end = sql.size();
    while (end > 0 && (sql[end - 1] == ' ' || sql[end - 1] == '\n' || sql[end - 1] == '\t')) --end;
    const bool semicolon = end > 0 && sql[end - 1] == ';';
    if (semicolon) --end;
    std::string out = sql.substr(0, end);
    out += " /*traceparent='" + traceparent_for(request_id) + "'*/";
    if (semicolon) out += ';';
    return out;
}

RequestScope::RequestScope(std::string request_id) : previous_(std::move(tl_request_id)) {
    tl_request_id = std::move(request_id);
}

RequestScope::~RequestScope() { tl_request_id = std::move(previous_); }

const std::string& RequestScope::current() noexcept { return tl_request_id; }

}  // namespace pothos
