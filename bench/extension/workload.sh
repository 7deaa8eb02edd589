#!/usr/bin/env bash
# bench/extension/workload.sh -- run the todo query mix (examples/todo/mix)
# with pgbench against an existing database and print per-script throughput
# and latency percentiles.
#
# Usage: bench/extension/workload.sh [options]
#   -T, --duration SEC     seconds to run                      [WL_DURATION, 30]
#   -c, --clients N        pgbench clients                     [WL_CLIENTS, 2]
#   -M, --protocol P       simple | extended | prepared        [WL_PROTOCOL, prepared]
#   -m, --mix LIST         "script@weight ..." (names of examples/todo/mix/*.sql
#                          without .sql; a bare name means weight 1)
#                                                              [WL_MIX, see DEFAULT_MIX]
#   -o, --csv FILE         also write the per-script table as CSV  [WL_CSV]
#   -r, --per-command      also print pgbench's per-statement latencies
#       --seed N           pgbench --random-seed (same N, same parameter
#                          sequence per client)                [WL_SEED, 1]
#   -h, --help
# The database is taken from the libpq environment (PGHOST, PGPORT, PGUSER,
# PGDATABASE, ...) or DATABASE_URL; it must hold the todo schema
# (examples/todo/load.sh). The id ranges the scripts draw from (-D nusers,
# nlists, ntodos) are read from the database.
#
# Output: one row per script -- weight, transactions, TPS, mean / p50 / p95 /
# p99 latency (ms) and the total time spent in it -- then the overall
# figures. Every number comes from this run's pgbench transaction log.
# Note: the write scripts (todo_insert, todo_update, login) change the data.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MIXDIR=${WL_MIXDIR:-$HERE/../../examples/todo/mix}
DEFAULT_MIX="user_by_id@20 user_by_email@10 lists_of_user@10 todos_of_lists_nplus1@5
todos_by_status@5 counts_per_list@5 todo_insert@5 todo_update@10 login@5
search_like@2 shared_lists@5"

duration=${WL_DURATION:-30}
clients=${WL_CLIENTS:-2}
protocol=${WL_PROTOCOL:-prepared}
mix=${WL_MIX:-$DEFAULT_MIX}
csv=${WL_CSV:-}
seed=${WL_SEED:-1}
per_command=0

die() { echo "workload.sh: $*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
    case $1 in
        -T|--duration) duration=${2:?}; shift 2 ;;
        -c|--clients)  clients=${2:?}; shift 2 ;;
        -M|--protocol) protocol=${2:?}; shift 2 ;;
        -m|--mix)      mix=${2:?}; shift 2 ;;
        -o|--csv)      csv=${2:?}; shift 2 ;;
        -r|--per-command) per_command=1; shift ;;
        --seed)        seed=${2:?}; shift 2 ;;
        -h|--help)     usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ $duration =~ ^[1-9][0-9]*$ ]] || die "duration must be a positive integer"
[[ $clients =~ ^[1-9][0-9]*$ ]] || die "clients must be a positive integer"
[[ $seed =~ ^[0-9]+$ ]] || die "seed must be a non-negative integer"
case $protocol in simple|extended|prepared) ;; *) die "bad protocol '$protocol'" ;; esac
command -v pgbench >/dev/null || die "pgbench not found"

conn=()
if [ -z "${PGDATABASE:-}" ] && [ -n "${DATABASE_URL:-}" ]; then conn=("$DATABASE_URL"); fi

# ---- the mix: script files and weights, in pgbench's script order
names=() weights=() fargs=()
for item in $mix; do
    name=${item%@*}; w=1
    [ "$name" != "$item" ] && w=${item##*@}
    [[ $w =~ ^[0-9]+$ ]] || die "bad weight in '$item'"
    f=$MIXDIR/$name.sql
    [ -r "$f" ] || die "no such script: $f"
    [ "$w" -gt 0 ] || continue
    names+=("$name"); weights+=("$w"); fargs+=(-f "$f@$w")
done
[ ${#names[@]} -gt 0 ] || die "empty mix"
[ ${#names[@]} -le 128 ] || die "pgbench accepts at most 128 scripts"

# ---- id ranges from the data
ranges=$(psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 "${conn[@]}" -c "
    SELECT coalesce(max(id), 0) FROM users
    UNION ALL SELECT coalesce(max(id), 0) FROM todo_lists
    UNION ALL SELECT coalesce(max(id), 0) FROM todos" 2>&1) \
    || die "cannot read the todo tables (load them with examples/todo/load.sh): $ranges"
read -r nusers nlists ntodos <<<"$(echo $ranges)"
[ "$nusers" -ge 1 ] && [ "$nlists" -ge 5 ] && [ "$ntodos" -ge 2 ] \
    || die "the todo tables are empty or too small; load them with examples/todo/load.sh"

tmp=$(mktemp -d /tmp/pothos-workload.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

jobs=$(( clients < 2 ? clients : 2 ))
extra=()
[ "$per_command" = 1 ] && extra+=(-r)
echo "workload: ${#names[@]} scripts, ${duration}s, $clients clients, -M $protocol, users=$nusers lists=$nlists todos=$ntodos" >&2

rc=0
( cd "$tmp" && exec pgbench -n -M "$protocol" -c "$clients" -j "$jobs" -T "$duration" \
    --random-seed="$seed" -l --log-prefix=tx \
    -D nusers="$nusers" -D nlists="$nlists" -D ntodos="$ntodos" \
    "${extra[@]}" "${fargs[@]}" "${conn[@]}" ) >"$tmp/out.txt" 2>"$tmp/err.txt" || rc=$?
if [ $rc -ne 0 ]; then
    cat "$tmp/err.txt" "$tmp/out.txt" >&2
    die "pgbench failed (exit $rc)"
fi
grep -iE 'error|abort' "$tmp/err.txt" >&2 || true

# measured run time as pgbench reports it (falls back to the requested time)
elapsed=$(awk -F' = ' '/^tps = /{tps=$2+0} /number of transactions actually processed:/{split($0,a,": "); n=a[2]+0}
                      END { if (tps > 0) printf "%.3f", n / tps }' "$tmp/out.txt")
[ -n "$elapsed" ] || elapsed=$duration

# transaction log lines: client xact_no time_us script_no epoch epoch_us
# (time is "failed" / "skipped" for transactions that did not complete)
cat "$tmp"/tx.* 2>/dev/null | awk '$3 ~ /^[0-9]+$/ { print $4, $3; next } { print $4, "F" }' \
    | sort -k1,1n -k2,2n >"$tmp/lat.txt"

awk -v names="${names[*]}" -v weights="${weights[*]}" -v el="$elapsed" -v csv="$csv" '
    function pct(p,   i) { i = int(p * n + 0.999999); if (i < 1) i = 1; if (i > n) i = n; return v[i] / 1000 }
    function flush(   k) {
        if (cur == "") return
        k = cur + 1
        xa[k] = n; fa[k] = nf
        if (n > 0) { me[k] = sum / n / 1000; p50[k] = pct(0.50); p95[k] = pct(0.95); p99[k] = pct(0.99); tot[k] = sum / 1e6 }
        n = 0; nf = 0; sum = 0; split("", v) }
    BEGIN { ns = split(names, nm, " "); split(weights, wt, " "); cur = "" }
    {
        if ($1 != cur) { flush(); cur = $1 }
        if ($2 == "F") { nf++; next }
        n++; v[n] = $2 + 0; sum += $2
    }
    END {
        flush()
        printf "%-24s %6s %8s %9s %9s %9s %9s %9s %9s %6s\n", "script", "weight", "xacts", "tps", "mean_ms", "p50_ms", "p95_ms", "p99_ms", "total_s", "failed"
        if (csv != "") print "script,weight,xacts,tps,mean_ms,p50_ms,p95_ms,p99_ms,total_s,failed" > csv
        for (k = 1; k <= ns; k++) {
            x = xa[k] + 0
            if (x > 0) line = sprintf("%d,%.2f,%.3f,%.3f,%.3f,%.3f,%.3f,%d", x, x / el, me[k], p50[k], p95[k], p99[k], tot[k], fa[k])
            else line = sprintf("0,0,,,,,0,%d", fa[k])
            split(line, f, ",")
            printf "%-24s %6s %8s %9s %9s %9s %9s %9s %9s %6s\n", nm[k], wt[k], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]
            if (csv != "") print nm[k] "," wt[k] "," line > csv
            allx += x; allt += tot[k]; allf += fa[k]
        }
        printf "%-24s %6s %8d %9.2f %9s %9s %9s %9s %9.3f %6d\n", "TOTAL", "", allx, allx / el, allx ? sprintf("%.3f", allt * 1000 / allx) : "", "", "", "", allt, allf
        if (csv != "") printf "TOTAL,,%d,%.2f,%s,,,,%.3f,%d\n", allx, allx / el, allx ? sprintf("%.3f", allt * 1000 / allx) : "", allt, allf > csv
    }' "$tmp/lat.txt"

echo "(measured over ${elapsed}s; total_s = time spent in the script's transactions, summed over clients)"
if [ "$per_command" = 1 ]; then
    echo; echo "pgbench per-statement latencies:"
    sed -n '/^SQL script/,$p' "$tmp/out.txt"
fi
