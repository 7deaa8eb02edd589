// slow/shmem.cpp -- see slow/shmem.h.
#include "extension/common/pg.h"

extern "C" {
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
}

#include "core/health/rate_window.h"
#include "extension/slow/guc.h"
#include "extension/slow/shmem.h"
#include "extension/stats/guc.h"

namespace pothos::ext {

namespace {

struct SlowShared {
    LWLock* lock;
    core::RateWindow rate;  // statements per second for health()
};

SlowShared* g_shared = nullptr;
core::SlowRing g_ring;
POTHOS_PLAIN(core::RateWindow);

const char kShmemName[] = "pothos_perf slow queries";
const char kTrancheName[] = "pothos_perf_slow";

Size shmem_size() {
    return MAXALIGN(sizeof(SlowShared)) +
           core::SlowRing::required_bytes((uint32) slow_guc_max_queries, slow_text_cap(), kSlowPlanCap,
                                          kSlowParamsCap);
}

}  // namespace

uint32 slow_text_cap() { return (uint32) Min(stats_guc_max_query_text, 4096); }

void slow_shmem_request() {
    RequestAddinShmemSpace(shmem_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

void slow_shmem_startup() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    char* base = (char*) ShmemInitStruct(kShmemName, shmem_size(), &found);
    g_shared = (SlowShared*) base;
    void* ring_mem = base + MAXALIGN(sizeof(SlowShared));
    if (!found) {
        g_shared->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        g_shared->rate.clear();
        g_ring = core::SlowRing::create(ring_mem, (uint32) slow_guc_max_queries, slow_text_cap(), kSlowPlanCap,
                                        kSlowParamsCap);
    } else {
        g_ring = core::SlowRing::attach(ring_mem);
    }
    LWLockRelease(AddinShmemInitLock);
}

bool slow_ready() { return g_shared != nullptr && g_ring.valid(); }

void slow_push(const core::SlowInput& in) {
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    g_ring.push(in);
    LWLockRelease(g_shared->lock);
}

core::SlowRing slow_snapshot() {
    const core::SlowRingHeader& h = g_ring.header();
    Size bytes = core::SlowRing::required_bytes(h.capacity, h.text_cap, h.plan_cap, h.params_cap);
    void* copy = palloc_extended(bytes, MCXT_ALLOC_HUGE);
    LWLockAcquire(g_shared->lock, LW_SHARED);
    memcpy(copy, &h, bytes);
    LWLockRelease(g_shared->lock);
    return core::SlowRing::attach(copy);
}

int64 slow_reset() {
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    int64 n = g_ring.size();
    g_ring.clear();
    LWLockRelease(g_shared->lock);
    return n;
}

SlowNumbers slow_numbers(TimestampTz now, int64 calls, int64 window_us, int64 min_gap_us) {
    SlowNumbers out = {0, false, 0};
    LWLockAcquire(g_shared->lock, LW_EXCLUSIVE);
    out.last_hour = (int64) g_ring.count_since(now, 3600);
    out.has_rate = g_shared->rate.observe(now, (double) calls, window_us, min_gap_us, &out.rate);
    LWLockRelease(g_shared->lock);
    return out;
}

}  // namespace pothos::ext
