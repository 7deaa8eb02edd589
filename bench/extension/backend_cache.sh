#!/usr/bin/env bash
# bench/extension/backend_cache.sh -- what one pgbench transaction costs a real
# backend, in instructions and in simulated cache misses, per configuration.
#
# instructions.sh counts instructions in a single-user backend; this runs the
# whole server under valgrind's callgrind with its cache simulation
# (--cache-sim=yes, the host's cache sizes) and drives it with pgbench over
# loopback, so the backend takes the path a client's statements take
# (protocol, portals, plan cache, transaction callbacks). pgbench runs N and
# 2N transactions on two fresh connections; the difference of the two
# backends' totals divided by N is one transaction's cost, start-up cancelled.
# Columns: Ir instructions, Dr/Dw data reads/writes, I1mr/D1mr/D1mw L1
# misses (instruction, data read, data write), ILmr/DLmr/DLmw last-level.
# On this project's machine the per-statement path of the backend is larger
# than the L1 instruction cache, so I1mr is the column that tracks time best.
#
# Usage: bench/extension/backend_cache.sh   (root or the postgres OS user; ~1 min per row)
# Env:
#   BC_CONFIGS   "name:libraries[:extra setting]|..." (default: none, pg_stat_statements, pothos_perf)
#   BC_WORKLOADS "protocol:pgbench-options|..."        (default: select-only prepared and simple, tpcb-like)
#   BC_N         transactions (1000)
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"

N=${BC_N:-1000}
CONFIGS=${BC_CONFIGS:-"none:|pg_stat_statements:pg_stat_statements|pothos_perf:pothos_perf"}
WORKLOADS=${BC_WORKLOADS:-"prepared:-S|simple:-S|simple:-b tpcb-like"}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 500 ] || die "BC_N must be an integer >= 500 (the clients must outweigh the other connections)"
command -v valgrind >/dev/null || die "valgrind is needed (apt-get install valgrind)"
command -v callgrind_annotate >/dev/null || die "callgrind_annotate is needed (valgrind)"

DIR="" DATA=""
cleanup() {
    if [ -n "$DATA" ] && [ -f "$DATA/postmaster.pid" ]; then
        as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 120 stop >/dev/null 2>&1 || true
    fi
    [ -n "$DIR" ] && rm -rf "$DIR"
}
trap cleanup EXIT

# totals LINE -> the numbers of a callgrind "summary:" or "totals:" line
totals() { grep -m1 -E '^(summary|totals):' "$1" | cut -d' ' -f2-; }

measure() {  # name libs extra protocol options
    local name=$1 libs=$2 extra=$3 proto=$4 opts=$5 port vp f1 f2
    DIR=$(make_pg_tmpdir)
    DATA=$DIR/data
    port=$(free_port 56100)
    as_pg "$PG_BINDIR/initdb" -D "$DATA" -U postgres --auth=trust --no-instructions >/dev/null
    {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$DIR'"
        echo "shared_preload_libraries = '$libs'"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "autovacuum = off"
        if [ -n "$extra" ]; then echo "$extra"; fi
    } | as_pg tee -a "$DATA/postgresql.conf" >/dev/null
    as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$DIR/server.log" -w start >/dev/null
    as_pg "$PG_BINDIR/pgbench" -h 127.0.0.1 -p "$port" -i -s 1 -q postgres >/dev/null 2>&1
    as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    as_pg mkdir "$DIR/cg"
    as_pg valgrind --tool=callgrind --cache-sim=yes --trace-children=yes \
        --callgrind-out-file="$DIR/cg/cg.%p" "$PG_BINDIR/postgres" -D "$DATA" >"$DIR/valgrind.log" 2>&1 &
    vp=$!
    for _ in $(seq 180); do
        as_pg "$PG_BINDIR/psql" -h 127.0.0.1 -p "$port" -Atc "SELECT 1" postgres >/dev/null 2>&1 && break
        sleep 1
    done
    run() { as_pg "$PG_BINDIR/pgbench" -h 127.0.0.1 -p "$port" -n -M "$proto" $opts -t "$1" postgres >/dev/null 2>&1; }
    run 50            # warms the shared caches
    run "$N"
    run $((2 * N))
    as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -m fast -w -t 300 stop >/dev/null
    wait "$vp" || true
    # The backends of the N and 2N clients are the two largest profiles (each
    # pgbench run also opens a short connection to check the tables).
    local -a top
    mapfile -t top < <(for f in "$DIR"/cg/cg.*; do echo "$(totals "$f" | cut -d' ' -f1) $f"; done \
        | sort -n | tail -2 | cut -d' ' -f2)
    [ "${#top[@]}" -eq 2 ] || die "no two pgbench backends among the profiles in $DIR/cg"
    f1=${top[0]}
    f2=${top[1]}
    python3 - "$name" "$proto $opts" "$N" "$(grep -m1 '^events:' "$f1" | cut -d' ' -f2-)" \
        "$(totals "$f1")" "$(totals "$f2")" <<'PY'
import sys
name, wl, n, ev, a, b = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(), sys.argv[5].split(), sys.argv[6].split()
per = {e: (int(y) - int(x)) / n for e, x, y in zip(ev, a, b)}
print(f"| {wl} | {name} | " + " | ".join(f"{per.get(e, 0):.0f}" for e in ("Ir", "I1mr", "D1mr", "D1mw", "DLmr")) + " |")
PY
    rm -rf "$DIR"
    DIR="" DATA=""
}

echo "| workload | configuration | Ir | I1mr | D1mr | D1mw | DLmr |"
echo "|---|---|---:|---:|---:|---:|---:|"
IFS='|' read -r -a wls <<<"$WORKLOADS"
IFS='|' read -r -a cfgs <<<"$CONFIGS"
for wl in "${wls[@]}"; do
    for cfg in "${cfgs[@]}"; do
        IFS=':' read -r name libs extra <<<"$cfg"
        measure "$name" "$libs" "${extra:-}" "${wl%%:*}" "${wl#*:}"
    done
done
