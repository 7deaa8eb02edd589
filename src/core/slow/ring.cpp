// slow/ring.cpp -- see slow/ring.h.
#include "core/slow/ring.h"

#include <algorithm>
#include <cstring>

namespace pothos::core {

namespace {

constexpr std::size_t align8(std::size_t n) { return (n + 7) & ~static_cast<std::size_t>(7); }

constexpr int64_t kUsecPerMinute = 60LL * 1000000LL;

int64_t minute_of(int64_t ts) {
    return ts >= 0 ? ts / kUsecPerMinute : -((-ts + kUsecPerMinute - 1) / kUsecPerMinute);
}

uint32_t stride_for(uint32_t text_cap, uint32_t plan_cap, uint32_t params_cap) {
    // Each string keeps one byte for its terminating NUL.
    std::size_t n = sizeof(SlowRecordHead) + std::size_t(text_cap) + plan_cap + params_cap +
                    SlowRing::kRecsCap + 4;
    return static_cast<uint32_t>(align8(n));
}

void put(char* dst, uint32_t cap, const char* src, std::size_t len, uint32_t* out_len) {
    if (src == nullptr) len = 0;
    if (len > cap) len = cap;
    if (len) std::memcpy(dst, src, len);
    dst[len] = '\0';
    *out_len = static_cast<uint32_t>(len);
}

}  // namespace

std::size_t SlowRing::required_bytes(uint32_t capacity, uint32_t text_cap, uint32_t plan_cap,
                                     uint32_t params_cap) noexcept {
    return align8(sizeof(SlowRingHeader)) +
           std::size_t(capacity) * stride_for(text_cap, plan_cap, params_cap);
}

SlowRing SlowRing::create(void* mem, uint32_t capacity, uint32_t text_cap, uint32_t plan_cap,
                          uint32_t params_cap) noexcept {
    SlowRing r;
    r.h_ = static_cast<SlowRingHeader*>(mem);
    std::memset(r.h_, 0, sizeof(SlowRingHeader));
    r.h_->magic = kMagic;
    r.h_->capacity = capacity;
    r.h_->text_cap = text_cap;
    r.h_->plan_cap = plan_cap;
    r.h_->params_cap = params_cap;
    r.h_->recs_cap = kRecsCap;
    r.h_->stride = stride_for(text_cap, plan_cap, params_cap);
    for (int64_t& s : r.h_->minute_stamp) s = INT64_MIN;
    r.records_ = static_cast<char*>(mem) + align8(sizeof(SlowRingHeader));
    return r;
}

SlowRing SlowRing::attach(void* mem) noexcept {
    SlowRing r;
    r.h_ = static_cast<SlowRingHeader*>(mem);
    if (r.h_->magic != kMagic) {
        r.h_ = nullptr;
        return r;
    }
    r.records_ = static_cast<char*>(mem) + align8(sizeof(SlowRingHeader));
    return r;
}

char* SlowRing::slot(uint32_t physical) const noexcept {
    return records_ + std::size_t(physical) * h_->stride;
}

uint32_t SlowRing::size() const noexcept {
    return h_->pushed < h_->capacity ? static_cast<uint32_t>(h_->pushed) : h_->capacity;
}

uint32_t SlowRing::physical(uint32_t i) const noexcept {
    uint64_t first = h_->pushed - size();
    return static_cast<uint32_t>((first + i) % h_->capacity);
}

void SlowRing::push(const SlowInput& in) noexcept {
    int64_t minute = minute_of(in.head.occurred_at);
    std::size_t m = static_cast<std::size_t>(((minute % 60) + 60) % 60);
    if (h_->minute_stamp[m] != minute) {
        h_->minute_stamp[m] = minute;
        h_->minute_count[m] = 0;
    }
    h_->minute_count[m]++;
    if (h_->capacity == 0) return;

    char* s = slot(static_cast<uint32_t>(h_->pushed % h_->capacity));
    SlowRecordHead head = in.head;
    head.application_name[sizeof head.application_name - 1] = '\0';
    char* p = s + sizeof(SlowRecordHead);
    put(p, h_->text_cap, in.text, in.text_len, &head.text_len);
    p += h_->text_cap + 1;
    put(p, h_->plan_cap, in.plan, in.plan_len, &head.plan_len);
    p += h_->plan_cap + 1;
    put(p, h_->params_cap, in.params, in.params_len, &head.params_len);
    p += h_->params_cap + 1;
    put(p, h_->recs_cap, in.recommendations, in.recommendations_len, &head.recs_len);
    std::memcpy(s, &head, sizeof head);
    h_->pushed++;
}

const SlowRecordHead& SlowRing::record(uint32_t i) const noexcept {
    return *reinterpret_cast<const SlowRecordHead*>(slot(physical(i)));
}

const char* SlowRing::text(uint32_t i) const noexcept { return slot(physical(i)) + sizeof(SlowRecordHead); }

const char* SlowRing::plan(uint32_t i) const noexcept { return text(i) + h_->text_cap + 1; }

const char* SlowRing::params(uint32_t i) const noexcept { return plan(i) + h_->plan_cap + 1; }

const char* SlowRing::recommendations(uint32_t i) const noexcept { return params(i) + h_->params_cap + 1; }

uint64_t SlowRing::count_since(int64_t now, int64_t window_seconds) const noexcept {
    int64_t now_minute = minute_of(now);
    int64_t minutes = (window_seconds + 59) / 60;
    if (minutes > 60) minutes = 60;
    if (minutes < 1) minutes = 1;
    uint64_t total = 0;
    for (int k = 0; k < 60; k++) {
        int64_t stamp = h_->minute_stamp[k];
        if (stamp != INT64_MIN && stamp <= now_minute && stamp > now_minute - minutes)
            total += h_->minute_count[k];
    }
    return total;
}

void SlowRing::clear() noexcept {
    h_->pushed = 0;
    for (int k = 0; k < 60; k++) {
        h_->minute_stamp[k] = INT64_MIN;
        h_->minute_count[k] = 0;
    }
}

std::vector<SlowGroup> aggregate_slow(const SlowRing& ring, double min_duration_ms,
                                      std::size_t max_rows) {
    std::vector<SlowGroup> groups;
    uint32_t n = ring.size();
    for (uint32_t i = 0; i < n; i++) {
        const SlowRecordHead& r = ring.record(i);
        if (r.duration_ms < min_duration_ms) continue;
        SlowGroup* g = nullptr;
        for (SlowGroup& x : groups) {
            if (x.userid == r.userid && x.dbid == r.dbid && x.queryid == r.queryid) {
                g = &x;
                break;
            }
        }
        if (g == nullptr) {
            groups.emplace_back();
            g = &groups.back();
            g->userid = r.userid;
            g->dbid = r.dbid;
            g->queryid = r.queryid;
            g->encoding = r.encoding;
        }
        bool slowest = g->execution_count == 0 || r.duration_ms > g->max_duration_ms;
        g->execution_count++;
        g->total_duration_ms += r.duration_ms;
        if (r.occurred_at >= g->last_occurred_at || g->execution_count == 1) {
            g->last_occurred_at = r.occurred_at;
            g->query.assign(ring.text(i), r.text_len);
            g->application_name = r.application_name;
        }
        if (slowest) {
            g->max_duration_ms = r.duration_ms;
            g->rows_of_slowest = r.rows;
        }
        if (r.plan_len && (slowest || g->plan.empty())) g->plan.assign(ring.plan(i), r.plan_len);
        if (r.params_len && (slowest || g->params.empty()))
            g->params.assign(ring.params(i), r.params_len);
        if (r.recs_len && (slowest || g->recommendations.empty())) {
            g->recommendations.clear();
            const char* p = ring.recommendations(i);
            const char* end = p + r.recs_len;
            while (p < end) {
                const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
                const char* stop = nl ? nl : end;
                if (stop > p) g->recommendations.emplace_back(p, stop);
                p = nl ? nl + 1 : end;
            }
        }
    }
    std::sort(groups.begin(), groups.end(), [](const SlowGroup& a, const SlowGroup& b) {
        if (a.max_duration_ms != b.max_duration_ms) return a.max_duration_ms > b.max_duration_ms;
        if (a.last_occurred_at != b.last_occurred_at) return a.last_occurred_at > b.last_occurred_at;
        return a.queryid < b.queryid;
    });
    if (groups.size() > max_rows) groups.resize(max_rows);
    return groups;
}

}  // namespace pothos::core
