#!/usr/bin/env bash
# scripts/demo.sh -- the main job: build and install pothos_perf, start a
# throwaway cluster with it preloaded, load the todo reference workload, run
# its query mix and print the top statements with their latency percentiles.
#
# Environment: POTHOS_DEMO_SCALE (data size, default 1 = 40k users, 400k todos),
# POTHOS_DEMO_SECONDS (workload duration, default 30), POTHOS_DEMO_CLIENTS (2).
source "$(dirname "$0")/lib.sh"

SCALE=${POTHOS_DEMO_SCALE:-1}
SECONDS_RUN=${POTHOS_DEMO_SECONDS:-30}
CLIENTS=${POTHOS_DEMO_CLIENTS:-2}
WORK=""
cleanup() {
    local rc=$?
    cluster_stop || true
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT

install_packages
build_extension
WORK=$(make_pg_tmpdir)
cluster_start "$WORK" "shared_buffers = '256MB'" "pothos_perf.track_planning = on"

export PGDATABASE=todo
psql -X -q -d postgres -c "CREATE DATABASE todo"
log "loading the todo workload (scale $SCALE)"
"$POTHOS_ROOT/examples/todo/load.sh" "$SCALE" >/dev/null
psql -X -q -c "CREATE EXTENSION pothos_perf" -c "SELECT pothos_perf.reset()" >/dev/null

log "running the query mix for ${SECONDS_RUN}s with $CLIENTS clients"
WL_DURATION=$SECONDS_RUN WL_CLIENTS=$CLIENTS "$POTHOS_ROOT/bench/extension/workload.sh"

echo
echo "== Top statements by total execution time (pothos_perf.statements; times in ms)"
psql -X -P pager=off -c "
SELECT left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS query,
       calls, errors, rows,
       round(total_exec_time::numeric, 1) AS total_ms,
       round(mean_exec_time::numeric, 3) AS mean_ms,
       round(p50_exec_time::numeric, 3) AS p50_ms,
       round(p95_exec_time::numeric, 3) AS p95_ms,
       round(p99_exec_time::numeric, 3) AS p99_ms,
       round(100.0 * shared_blks_hit / nullif(shared_blks_hit + shared_blks_read, 0), 1) AS hit_pct
  FROM pothos_perf.statements
 WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'todo') AND calls > 0
 ORDER BY total_exec_time DESC
 LIMIT 15"
psql -X -P pager=off -c "SELECT * FROM pothos_perf.statements_info"
