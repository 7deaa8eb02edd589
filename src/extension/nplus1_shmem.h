// nplus1_shmem.h -- the detector's shared memory: the window of recent
// statements (one ring per backend, no lock) and the findings table (one
// LWLock, taken exclusively only to publish findings at the end of a unit or
// to reset).
#pragma once

#include "extension/pg.h"

extern "C" {
#include "storage/lwlock.h"
}

#include "core/nplus1_findings.h"
#include "core/nplus1_window.h"
#include "extension/nplus1_hot.h"

namespace pothos::ext {

void nplus1_shmem_request();
void nplus1_shmem_startup();

// Set up by nplus1_shmem_startup (in g_np_hot); inline because every
// statement asks.
inline bool np_ready() { return g_np_hot.ready; }
inline core::NpWindow& np_window() { return g_np_hot.window; }
core::NpFindings& np_findings();
LWLock* np_lock();

}  // namespace pothos::ext
