// nplus1_shmem.h -- the detector's shared memory: the window of recent
// statements (lock-free ring) and the findings table (one LWLock, taken
// exclusively only to publish findings at the end of a unit or to reset).
#pragma once

#include "extension/pg.h"

extern "C" {
#include "storage/lwlock.h"
}

#include "core/nplus1_findings.h"
#include "core/nplus1_ring.h"

namespace pothos::ext {

void nplus1_shmem_request();
void nplus1_shmem_startup();
bool np_ready();

core::NpRing& np_ring();
core::NpFindings& np_findings();
LWLock* np_lock();

}  // namespace pothos::ext
