// pothos_perf.cpp -- module entry point. _PG_init, in order: refuse unless
// preloaded, define the GUCs (sizes shared memory), ask core for query ids,
// request shared memory, install the hooks.
#include "extension/common/pg.h"

extern "C" {
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/queryjumble.h"

PG_MODULE_MAGIC;
void _PG_init(void);
}

#include "extension/advisor/guc.h"
#include "extension/advisor/shmem.h"
#include "extension/stats/guc.h"
#include "extension/hooks/hooks.h"
#include "extension/metrics/worker.h"
#include "extension/metrics/guc.h"
#include "extension/slow/guc.h"
#include "extension/nplus1/guc.h"
#include "extension/nplus1/shmem.h"
#include "extension/slow/shmem.h"
#include "extension/stats/store.h"

namespace {

shmem_request_hook_type prev_shmem_request_hook = nullptr;
shmem_startup_hook_type prev_shmem_startup_hook = nullptr;

void pp_shmem_request() {
    if (prev_shmem_request_hook) prev_shmem_request_hook();
    pothos::ext::store_shmem_request();
    pothos::ext::advisor_shmem_request();
    pothos::ext::nplus1_shmem_request();
    pothos::ext::slow_shmem_request();
}

void pp_shmem_startup() {
    if (prev_shmem_startup_hook) prev_shmem_startup_hook();
    pothos::ext::store_shmem_startup();
    pothos::ext::advisor_shmem_startup();
    pothos::ext::nplus1_shmem_startup();
    pothos::ext::slow_shmem_startup();
}

}  // namespace

void _PG_init(void) {
    if (!process_shared_preload_libraries_in_progress)
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("pothos_perf must be loaded via shared_preload_libraries"),
                 errhint("Add pothos_perf to shared_preload_libraries in postgresql.conf and restart the server.")));
    pothos::ext::stats_define_gucs();
    pothos::ext::advisor_define_gucs();
    pothos::ext::nplus1_define_gucs();
    pothos::ext::slow_define_gucs();
    pothos::ext::metrics_define_gucs();
    pothos::ext::reserve_guc_prefix();  // last: after every module's GUCs
    EnableQueryId();
    prev_shmem_request_hook = shmem_request_hook;
    shmem_request_hook = pp_shmem_request;
    prev_shmem_startup_hook = shmem_startup_hook;
    shmem_startup_hook = pp_shmem_startup;
    pothos::ext::install_hooks();
    pothos::ext::metrics_worker_register();
}
