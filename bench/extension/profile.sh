#!/usr/bin/env bash
# bench/extension/profile.sh -- where a statement's time goes in the
# extension's own code, sampled in real time.
#
# backend_cache.sh simulates the caches of a backend that has its CPU to
# itself; between two statements, though, a backend waits for its client and
# the kernel's network path runs on the same CPU, so lines the simulation
# counts as hits are often misses. This samples the real thing instead:
# perf record -e cpu-clock at PROF_FREQ Hz on all CPUs while one pgbench
# client runs, per configuration, then reports the share of the server
# processes' samples that fall in each preloaded module's code, and that
# module's hottest functions (perf annotate on the results file shows the
# instructions).
# The share moves by about ±0.3 points between two runs of one build: use it
# to find what to change, and overhead.sh to measure the result.
#
# Usage: bench/extension/profile.sh   (root: perf needs it; apt-get install linux-perf)
# Env:
#   PROF_CONFIGS  "name:libraries[:extra setting]|..." (default: pg_stat_statements, pothos_perf)
#   PROF_MODE     pgbench protocol (prepared)
#   PROF_ARGS     pgbench workload options (-S)
#   PROF_SECONDS  sampled seconds per configuration (40)
#   PROF_FREQ     samples per second and CPU (20000)
#   PROF_OUT      results directory (/tmp/pothos-profile.<time>): per configuration
#                 NAME.perf.data and NAME.report.txt
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

CONFIGS=${PROF_CONFIGS:-"pg_stat_statements:pg_stat_statements|pothos_perf:pothos_perf"}
MODE=${PROF_MODE:-prepared}
ARGS=${PROF_ARGS:--S}
SECS=${PROF_SECONDS:-40}
FREQ=${PROF_FREQ:-20000}
OUT=${PROF_OUT:-/tmp/pothos-profile.$(date +%Y%m%d-%H%M%S)}
[[ $SECS =~ ^[0-9]+$ ]] && [ "$SECS" -ge 5 ] || die "PROF_SECONDS must be an integer >= 5"
[[ $FREQ =~ ^[0-9]+$ ]] && [ "$FREQ" -ge 100 ] || die "PROF_FREQ must be an integer >= 100"
command -v perf >/dev/null || die "perf is needed (apt-get install linux-perf)"
[ "$(id -u)" = 0 ] || die "run as root (perf samples every CPU; the cluster runs as $PG_OS_USER)"
mkdir -p "$OUT"

DIR="" DATA="" BGPID=""
cleanup() {
    [ -n "$BGPID" ] && kill "$BGPID" 2>/dev/null || true
    if [ -n "$DATA" ] && [ -f "$DATA/postmaster.pid" ]; then
        as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
    fi
    [ -n "$DIR" ] && rm -rf "$DIR"
}
trap cleanup EXIT

# profile NAME LIBS [EXTRA]: one configuration on a fresh cluster
profile() {
    local name=$1 libs=$2 extra=${3:-} port
    DIR=$(make_pg_tmpdir)
    DATA=$DIR/data
    port=$(free_port 56400)
    as_pg "$PG_BINDIR/initdb" -D "$DATA" -U postgres --auth=trust >/dev/null
    as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
shared_preload_libraries = '$libs'
shared_buffers = 256MB
fsync = off
synchronous_commit = off
autovacuum = off
$extra
EOF
    as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w start >/dev/null
    local pgb=("$PG_BINDIR/pgbench" -h 127.0.0.1 -p "$port" -U postgres)
    as_pg "${pgb[@]}" -i -q -s 10 postgres >/dev/null 2>&1
    as_pg "${pgb[@]}" -n -M "$MODE" $ARGS -T 3 postgres >/dev/null 2>&1
    as_pg "${pgb[@]}" -n -M "$MODE" $ARGS -T $((SECS + 4)) postgres >"$OUT/$name.pgbench.txt" 2>&1 &
    BGPID=$!
    sleep 2
    perf record -q -e cpu-clock -F "$FREQ" -a -o "$OUT/$name.perf.data" -- sleep "$SECS" >/dev/null 2>&1
    wait "$BGPID" || true
    BGPID=""
    as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    rm -rf "$DIR"
    DIR="" DATA=""
    perf report -i "$OUT/$name.perf.data" --comm postgres --sort dso,sym --stdio 2>/dev/null \
        | grep -v '^#' | grep -v '^$' >"$OUT/$name.report.txt"
    # share of the server's samples per module (the dso of each preloaded library)
    local lib tps
    tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$OUT/$name.pgbench.txt")
    echo "## $name ($libs; pgbench -M $MODE $ARGS: $tps TPS)"
    echo
    for lib in $(echo "$libs" | tr ',' ' '); do
        awk -v dso="$lib.so" '{ p = $1; sub(/%/, "", p); t += p; if ($2 == dso) { s += p; n++; if (n <= 10) top[n] = sprintf("%.3f %% %s", p, $0) } }
            END {
                printf "- %s: %.2f %% of the server processes'"'"' samples\n", dso, (t > 0) ? 100 * s / t : 0
                for (i = 1; i <= n && i <= 10; i++) { split(top[i], f, " "); printf "  - %.3f %%  %s\n", (t > 0) ? 100 * f[1] / t : 0, substr(top[i], index(top[i], "[.]") + 4) }
            }' "$OUT/$name.report.txt"
    done
    echo
}

{
    echo "# profile.sh $(date -u "+%Y-%m-%d %H:%M UTC"), $SECS s per configuration"
    echo
    IFS='|' read -r -a cfgs <<<"$CONFIGS"
    for c in "${cfgs[@]}"; do
        IFS=':' read -r name libs extra <<<"$c"
        profile "$name" "$libs" "$extra"
    done
} | tee "$OUT/summary.md"
log "results: $OUT"
