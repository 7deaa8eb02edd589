// slow/ring.cpp -- see slow/ring.h.
#include "core/slow/ring.h"

#include <cstring>

#include "core/common/align.h"

namespace pothos::core {

namespace {

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

}  // namespace pothos::core
