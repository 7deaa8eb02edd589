// metrics/worker.h -- the optional background worker serving
// pothos_perf.metrics() over HTTP on pothos_perf.metrics_listen (off by
// default; a bare port listens on 127.0.0.1 only). A tiny single-threaded
// HTTP/1.0 responder: one request per connection, poll() with a deadline,
// requests larger than a few kilobytes refused. GET /metrics runs
// SELECT pothos_perf.metrics() in pothos_perf.metrics_database.
#pragma once

namespace pothos::ext {

// From _PG_init (after the GUCs): registers the worker when
// pothos_perf.metrics_listen is set.
void metrics_worker_register();

}  // namespace pothos::ext
