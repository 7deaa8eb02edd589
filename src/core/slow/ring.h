// slow/ring.h -- the slow-query ring: a fixed-capacity ring of the most
// recent slow executions, laid out in one memory block (PostgreSQL shared
// memory in the extension, a plain buffer in tests), plus per-minute counters
// of slow executions for "how many in the last hour". The aggregation per
// fingerprint behind pothos_perf.get_slow_queries() is slow/aggregate.h.
//
// Layout: header | records (fixed stride; each record's query text, plan,
// parameters and first recommendations inline, each cut to its capacity).
// Locking is the caller's: push under an exclusive lock, reads under a
// shared one. Plain data: nothing here allocates or throws.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pothos::core {

struct SlowRecordHead {
    int64_t occurred_at;  // PostgreSQL TimestampTz (microseconds since 2000)
    double duration_ms;
    uint64_t queryid;
    uint32_t userid;
    uint32_t dbid;
    int64_t rows;
    uint32_t text_len, plan_len, params_len, recs_len;
    int32_t encoding;           // the extension's: of the texts (of the statement's database)
    uint32_t pad;
    char application_name[64];  // NUL-terminated, cut
};

// What a caller hands to push(): strings need not be NUL-terminated.
struct SlowInput {
    SlowRecordHead head;
    const char* text = nullptr;
    std::size_t text_len = 0;
    const char* plan = nullptr;  // may be null
    std::size_t plan_len = 0;
    const char* params = nullptr;  // may be null
    std::size_t params_len = 0;
    const char* recommendations = nullptr;  // '\n'-separated, may be null
    std::size_t recommendations_len = 0;
};

struct SlowRingHeader {
    uint32_t magic;
    uint32_t capacity;
    uint32_t text_cap, plan_cap, params_cap, recs_cap;
    uint32_t stride;
    uint32_t pad;
    uint64_t pushed;  // records ever pushed (the next goes to pushed % capacity)
    // Slow executions per minute over the last hour: minute_count[m % 60]
    // counts minute m (minutes since 2000) when minute_stamp[m % 60] == m.
    int64_t minute_stamp[60];
    uint64_t minute_count[60];
};

class SlowRing {
public:
    static constexpr uint32_t kRecsCap = 512;

    static std::size_t required_bytes(uint32_t capacity, uint32_t text_cap, uint32_t plan_cap,
                                      uint32_t params_cap) noexcept;
    static SlowRing create(void* mem, uint32_t capacity, uint32_t text_cap, uint32_t plan_cap,
                           uint32_t params_cap) noexcept;
    static SlowRing attach(void* mem) noexcept;

    SlowRing() = default;
    bool valid() const noexcept { return h_ != nullptr; }
    const SlowRingHeader& header() const noexcept { return *h_; }

    // Stores one execution, overwriting the oldest when full, and counts it
    // in its minute. Strings are cut to their capacities (the caller cuts at
    // a character boundary first if it cares).
    void push(const SlowInput& in) noexcept;
    // Number of records held (<= capacity).
    uint32_t size() const noexcept;
    // The i-th held record, 0 = oldest.
    const SlowRecordHead& record(uint32_t i) const noexcept;
    const char* text(uint32_t i) const noexcept;
    const char* plan(uint32_t i) const noexcept;
    const char* params(uint32_t i) const noexcept;
    const char* recommendations(uint32_t i) const noexcept;
    // Slow executions counted in the minutes (now - window, now], window in
    // seconds (at most one hour is kept).
    uint64_t count_since(int64_t now, int64_t window_seconds) const noexcept;
    // Forgets all records and counts.
    void clear() noexcept;

private:
    static constexpr uint32_t kMagic = 0x536c4f77;  // "SlOw"
    char* slot(uint32_t physical) const noexcept;
    uint32_t physical(uint32_t i) const noexcept;

    SlowRingHeader* h_ = nullptr;
    char* records_ = nullptr;
};

}  // namespace pothos::core
