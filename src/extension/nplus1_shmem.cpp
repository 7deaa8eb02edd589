// nplus1_shmem.cpp -- see nplus1_shmem.h.
#include "extension/pg.h"
#include "core/hot.h"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"
}

#include <algorithm>
#include <cstdint>

#include "extension/nplus1_guc.h"
#include "extension/nplus1_shmem.h"

namespace pothos::ext {

namespace {

struct NpShared {
    LWLock* lock;
};

NpShared* g_np = nullptr;
core::NpFindings g_findings;

const char kShmemName[] = "pothos_perf n_plus_one";
const char kTrancheName[] = "pothos_perf_n_plus_one";

// One ring per PGPROC that runs statements: backends, autovacuum and
// background workers, WAL senders (MaxBackends, known by shmem_request_hook).
uint32_t window_rings() { return uint32_t(std::min<int>(MaxBackends, int(core::NpWindow::kMaxRings))); }
Size ring_bytes() {
    return MAXALIGN(core::NpWindow::required_bytes(window_rings(), uint32_t(np_guc_window_size)));
}
uint32_t ledger_slots() {
    uint64_t events = uint64_t(window_rings()) * core::NpWindow::slots_for(uint32_t(np_guc_window_size));
    return core::NpFindings::ledger_slots_for(uint32_t(std::min<uint64_t>(events, UINT32_MAX)));
}
Size findings_bytes() {
    return MAXALIGN(core::NpFindings::required_bytes(uint32_t(np_guc_max_findings), ledger_slots()));
}
Size shmem_size() { return MAXALIGN(sizeof(NpShared)) + ring_bytes() + findings_bytes(); }

}  // namespace

void nplus1_shmem_request() {
    RequestAddinShmemSpace(shmem_size());
    RequestNamedLWLockTranche(kTrancheName, 1);
}

void nplus1_shmem_startup() {
    bool found = false;
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    char* base = static_cast<char*>(ShmemInitStruct(kShmemName, shmem_size(), &found));
    g_np = reinterpret_cast<NpShared*>(base);
    void* ring_mem = base + MAXALIGN(sizeof(NpShared));
    void* findings_mem = static_cast<char*>(ring_mem) + ring_bytes();
    if (!found) {
        g_np->lock = &(GetNamedLWLockTranche(kTrancheName))->lock;
        g_np_hot.window = core::NpWindow::create(ring_mem, window_rings(), uint32_t(np_guc_window_size));
        g_findings = core::NpFindings::create(findings_mem, uint32_t(np_guc_max_findings), GetCurrentTimestamp(),
                                              ledger_slots());
    } else {
        g_np_hot.window = core::NpWindow::attach(ring_mem);
        g_findings = core::NpFindings::attach(findings_mem);
    }
    LWLockRelease(AddinShmemInitLock);
    g_np_hot.ready = true;
}

core::NpFindings& np_findings() { return g_findings; }
LWLock* np_lock() { return g_np->lock; }

}  // namespace pothos::ext
