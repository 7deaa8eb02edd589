#!/usr/bin/env bash
# bench/client/run.sh [BUILD_DIR] [extra Google Benchmark flags...]
# Runs the client benchmarks against a throwaway cluster (loopback, free port,
# stopped by its own pg_ctl on exit): 5 repetitions, medians reported, with
# the "cores" counter (thread CPU time / wall time, summed over threads).
source "$(dirname "$0")/../../scripts/lib.sh"
BUILD=${1:-$POTHOS_ROOT/build}; shift || true
# A random port base: fewer collisions with clusters other scripts start meanwhile.
export POTHOS_PORT_BASE=${POTHOS_PORT_BASE:-$((56000 + RANDOM % 6000))}
BIN=$BUILD/src/client/bench/pothos_client_bench
[ -x "$BIN" ] || die "no $BIN (build with -DPOTHOS_BUILD_BENCHMARKS=ON)"
WORK=$(make_pg_tmpdir)
cleanup() { local rc=$?; cluster_stop "${POTHOS_PGDATA:-}"; rm -rf "$WORK"; exit $rc; }
trap cleanup EXIT
cluster_start "$WORK" "shared_preload_libraries = ''" "max_connections = 100"
log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
OUT=${POTHOS_BENCH_OUT:-$BUILD/client-bench.json}
"$BIN" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.5 --benchmark_enable_random_interleaving=true \
    --benchmark_out="$OUT" --benchmark_out_format=json "$@"
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$(dirname "$0")/summarize.py" "$OUT"
