// metrics/worker.h -- the optional background worker serving
// pothos_perf.metrics() over HTTP on pothos_perf.metrics_listen (off by
// default; a bare port listens on 127.0.0.1 only). A tiny single-threaded
// HTTP/1.0 responder: one request per connection, poll() with a deadline,
// requests larger than a few kilobytes refused. GET /metrics runs
// SELECT pothos_perf.metrics() in pothos_perf.metrics_database.
//
// Written by hand on purpose, not with an HTTP library: the worker is a
// backend process, and a backend must not run threads of its own (memory
// contexts, error handling by longjmp, signal handling and the shared-memory
// locks all assume one thread), which the usual server libraries start for
// their listeners or pools. It must also wait on its latch
// (WaitLatchOrSocket) so that a shutdown, a configuration reload or the
// postmaster's death is noticed at once, which a library's own event loop
// would not do. What it serves is one fixed page, so the loop stays small.
#pragma once

namespace pothos::ext {

// From _PG_init (after the GUCs): registers the worker when
// pothos_perf.metrics_listen is set.
void metrics_worker_register();

}  // namespace pothos::ext
