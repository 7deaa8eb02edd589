// nplus1/shmem.cpp -- see nplus1/shmem.h.
#include "extension/common/pg.h"
#include "core/common/hot.h"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"
}

#include <algorithm>
#include <cstdint>

#include "extension/nplus1/guc.h"
#include "extension/nplus1/shmem.h"

namespace pothos::ext {

namespace {

struct Nplus1Shared {
    LWLock* lock;
};

Nplus1Shared* g_np = nullptr;
core::Nplus1Findings g_findings;
POTHOS_PLAIN(core::Nplus1Findings);
POTHOS_PLAIN(core::Nplus1Window);
POTHOS_PLAIN(core::Nplus1ProvArea);

const char kShmemName[] = "pothos_perf n_plus_one";
const char kTrancheName[] = "pothos_perf_n_plus_one";

// One ring per PGPROC that runs statements: backends, autovacuum and
// background workers, WAL senders (MaxBackends, known by shmem_request_hook).
uint32_t window_rings() { return uint32_t(std::min<int>(MaxBackends, int(core::Nplus1Window::kMaxRings))); }
Size ring_bytes() {
    return MAXALIGN(core::Nplus1Window::required_bytes(window_rings(), uint32_t(nplus1_guc_window_size)));
}
// Provenance: per ring, a record per hashed parent execution (an eighth of
// the ring's statements) and eight value hashes per statement.
uint32_t prov_records() { return std::max<uint32_t>(16, core::Nplus1Window::slots_for(uint32_t(nplus1_guc_window_size)) / 8); }
uint32_t prov_values() { return std::max<uint32_t>(1024, core::Nplus1Window::slots_for(uint32_t(nplus1_guc_window_size)) * 8); }
Size prov_bytes() { return MAXALIGN(core::Nplus1ProvArea::required_bytes(window_rings(), prov_records(), prov_values())); }
uint32_t ledger_slots() {
    uint64_t events = uint64_t(window_rings()) * core::Nplus1Window::slots_for(uint32_t(nplus1_guc_window_size));
    return core::Nplus1Findings::ledger_slots_for(uint32_t(std::min<uint64_t>(events, UINT32_MAX)));
}
Size findings_bytes() {
    return MAXALIGN(core::Nplus1Findings::required_bytes(uint32_t(nplus1_guc_max_findings), ledger_slots()));
}
Size shmem_size() { return MAXALIGN(sizeof(Nplus1Shared)) + ring_bytes() + prov_bytes() + findings_bytes(); }

}  // namespace

void nplus1_shmem_request() {
    RequestAddinShmemSpace(shmem_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

void nplus1_shmem_startup() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    char* base = static_cast<char*>(ShmemInitStruct(kShmemName, shmem_size(), &found));
    g_np = reinterpret_cast<Nplus1Shared*>(base);
    void* ring_mem = base + MAXALIGN(sizeof(Nplus1Shared));
    void* prov_mem = static_cast<char*>(ring_mem) + ring_bytes();
    void* findings_mem = static_cast<char*>(prov_mem) + prov_bytes();
    if (!found) {
        g_np->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        g_nplus1_hot.window = core::Nplus1Window::create(ring_mem, window_rings(), uint32_t(nplus1_guc_window_size));
        g_nplus1_hot.prov = core::Nplus1ProvArea::create(prov_mem, window_rings(), prov_records(), prov_values());
        g_findings = core::Nplus1Findings::create(findings_mem, uint32_t(nplus1_guc_max_findings), GetCurrentTimestamp(),
                                              ledger_slots());
    } else {
        g_nplus1_hot.window = core::Nplus1Window::attach(ring_mem);
        g_nplus1_hot.prov = core::Nplus1ProvArea::attach(prov_mem);
        g_findings = core::Nplus1Findings::attach(findings_mem);
    }
    LWLockRelease(AddinShmemInitLock);
    g_nplus1_hot.ready = true;
}

void nplus1_publish(const core::Nplus1Finding* f, size_t n) {
    if (n == 0) return;
    TimestampTz now = GetCurrentTimestamp();
    LWLockAcquire(g_np->lock, LW_EXCLUSIVE);
    for (size_t i = 0; i < n; i++) g_findings.record(f[i], now);
    LWLockRelease(g_np->lock);
}

core::Nplus1FindingEntry* nplus1_snapshot(int min_occurrences, uint32* n) {
    LWLockAcquire(g_np->lock, LW_SHARED);
    uint32 room = g_findings.header().count;
    core::Nplus1FindingEntry* rows =
        (core::Nplus1FindingEntry*) palloc(sizeof(core::Nplus1FindingEntry) * (room + 1));
    uint32 k = 0;
    for (uint32 i = 0; i < g_findings.capacity() && k < room; i++)
        if (g_findings.entry(i).in_use && g_findings.entry(i).occurrences >= min_occurrences)
            rows[k++] = g_findings.entry(i);
    LWLockRelease(g_np->lock);
    *n = k;
    return rows;
}

Nplus1Info nplus1_info(int min_occurrences) {
    LWLockAcquire(g_np->lock, LW_SHARED);
    const core::Nplus1FindingsHeader& h = g_findings.header();
    Nplus1Info info = {h.capacity, h.count, (int64) h.evictions, h.stats_reset, 0, 0};
    for (uint32 i = 0, seen = 0; i < h.capacity && seen < h.count; i++) {
        const core::Nplus1FindingEntry& e = g_findings.entry(i);
        if (!e.in_use) continue;
        seen++;
        if (e.occurrences < min_occurrences) continue;
        info.listed++;
        info.round_trips_saved += core::nplus1_round_trips_saved(e);
    }
    LWLockRelease(g_np->lock);
    return info;
}

int64 nplus1_reset() {
    TimestampTz now = GetCurrentTimestamp();
    LWLockAcquire(g_np->lock, LW_EXCLUSIVE);
    int64 removed = g_findings.header().count;
    g_findings.reset(now, now);
    LWLockRelease(g_np->lock);
    return removed;
}

}  // namespace pothos::ext
