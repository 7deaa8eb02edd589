// nplus1/shmem.h -- the detector's shared memory: the window of recent
// statements (one ring per backend, no lock) and the findings table (one
// LWLock, taken exclusively only to publish findings at the end of a unit or
// to reset).
#pragma once

#include "extension/common/pg.h"

extern "C" {
#include "storage/lwlock.h"
}

#include "core/nplus1/findings.h"
#include "core/nplus1/window.h"
#include "extension/nplus1/hot.h"

namespace pothos::ext {

void nplus1_shmem_request();
void nplus1_shmem_startup();

// Set up by nplus1_shmem_startup (in g_nplus1_hot); inline because every
// statement asks.
inline bool nplus1_ready() { return g_nplus1_hot.ready; }
inline core::Nplus1Window& nplus1_window() { return g_nplus1_hot.window; }
core::Nplus1Findings& nplus1_findings();
LWLock* nplus1_lock();

}  // namespace pothos::ext
