#!/usr/bin/env bash
# bench/extension/overhead.sh -- what does loading pothos_perf cost a server?
#
# One throwaway cluster, pgbench data loaded once. Then, round after round,
# the server is restarted under each configuration of configs.conf (none, an
# A/A copy of none, pg_stat_statements, pothos_perf, and the churn variants;
# not between configurations that differ only in %session settings) and runs
# these workloads:
#   select_simple     pgbench -S -M simple
#   select_prepared   pgbench -S -M prepared
#   tpcb              pgbench -b tpcb-like -M simple
#   select1           "SELECT 1" -M prepared (the bare per-statement cost)
#   churn             -M simple, SELECT c<a>, c<b> FROM churn_wide WHERE id = ...
#                     with a, b drawn from 1..OVH_CHURN_COLS: OVH_CHURN_COLS^2
#                     statements with distinct query ids (different target
#                     columns change the query tree, unlike constants, which
#                     normalise away): 10 000 by default, 10x max_statements
#                     of the pothos_perf_churn configuration.
# The configuration order rotates by one each round, so slow drift of the
# machine spreads over all configurations.
#
# The method (DESIGN.md section 7): one pgbench client; the server and pgbench
# pinned to the same CPU (OVH_CPU), so each transaction is a strict ping-pong
# on one core. Both run under SCHED_BATCH (OVH_SCHED), which has no wakeup
# preemption: each process runs until it waits for the other, two voluntary
# context switches per transaction. Under SCHED_OTHER the woken process may
# preempt the one that woke it in the middle of its send, how often depending
# on how the two processes' CPU shares compare, so the configuration itself
# moved CPU time between server and pgbench (with SELECT 1 loading
# pg_stat_statements lowered the server's CPU per transaction and raised
# pgbench's, k then calling it 2 % faster than no module). After every run
# the harness reads from /proc the CPU time of the server's processes and of
# pgbench. pgbench's work per transaction does
# not depend on the configuration, so its CPU time per transaction is a
# yardstick of the machine's speed during that run, and
#     k = (server CPU + pgbench CPU) / pgbench CPU
# is a transaction's cost in "pgbench units". norm ratio = median k(none) /
# median k(config) is the throughput ratio at equal machine speed; raw TPS
# ratios are reported too, with their spread, but on a shared machine they
# drift far more than the effect being measured.
#
# Usage:
#   bench/extension/overhead.sh               full run (~15 min on 2 cores)
#   OVH_QUICK=1 bench/extension/overhead.sh   smoke test (~1-2 min, figures meaningless)
#   bench/extension/overhead.sh summary DIR   re-print the summary of a results dir
# Run as root (the cluster runs as OS user postgres) or as an unprivileged user.
#
# Environment (default):
#   OVH_ROUNDS          rounds                                     (4)
#   OVH_DURATION        seconds per select_simple/prepared/tpcb run (8)
#   OVH_S1_DURATION     seconds per select1 run                    (6)
#   OVH_SESSIONS        a run is this many consecutive pgbench sessions, each
#                       a new connection (so a new backend and a new pgbench
#                       process) of duration/OVH_SESSIONS whole seconds, at least 2:
#                       how fast a session runs depends on where its processes'
#                       memory happens to lie, and more sessions average that
#                       out (4)
#   OVH_CHURN_DURATION  seconds per churn run                      (8)
#   OVH_CHURN_COLS      columns of churn_wide; shapes = COLS^2     (100)
#   OVH_SCALE           pgbench -i scale                           (10)
#   OVH_SHARED_BUFFERS  shared_buffers                             (256MB)
#   OVH_CPU             CPU the server and pgbench are pinned to; empty = no pinning (1)
#   OVH_SCHED           scheduling policy of the server and pgbench: batch
#                       (SCHED_BATCH, no wakeup preemption) or other (batch)
#   OVH_CONFIGS         configuration file                         (configs.conf here)
#   OVH_EXTRA_CONFIGS   more configuration files, space separated  ()
#   OVH_ONLY            run only these configurations (names, space separated; none is always kept)
#   OVH_WORKLOADS       run only these workloads                   (all)
#   OVH_GATE_BUSY       before each run wait while the pinned CPU is busier than
#                       this % (0 = never wait)                    (25)
#   OVH_GATE_WAIT       at most this many seconds per run          (10)
#   OVH_GATE_TOTAL      and at most this many seconds in all       (180)
#   OVH_MAX_OTHER       a run during which other work used more than this % of the
#                       pinned CPU is measured again and left out of the summary
#                       (10; quick mode 100)
#   OVH_RETRIES         at most this many extra attempts per run   (2; quick mode 0)
#   OVH_RETRY_TOTAL     and at most this many in all               (24)
#   OVH_MAX_MINUTES     no new round starts after this many minutes (40)
#   OVH_OUT             results directory                          (/tmp/pothos-overhead.<time>)
#   OVH_KEEP_CLUSTER    1 = keep the data directory (server still stopped) (0)
#   OVH_PAIRS           paired comparisons in the summary, "A:B ..."
#                       (pothos_perf:pgss pothos_perf:pothos_perf_nplus1_off
#                        pothos_perf:pothos_perf_nplus1_session_off)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/lib.sh
source "$HERE/../../scripts/lib.sh"    # log die as_pg free_port PG_BINDIR PG_OS_USER

STD_WORKLOADS="select_simple select_prepared tpcb select1"
ALL_WORKLOADS="$STD_WORKLOADS churn"
BASELINE=none

# ------------------------------------------------------------------ summary
# Everything below reads runs.csv only, so a results directory can be
# summarised again later:  overhead.sh summary DIR
#
# runs.csv columns:
#  1 round  2 seq  3 config  4 workload  5 xacts  6 tps  7 lat_ms
#  8 srv_us (server CPU per xact)  9 cli_us (pgbench CPU per xact)
#  10 k = (srv+cli)/cli  11 busy_pct (pinned CPU)  12 other_pct  13 gate_s
#  14 attempt
# Runs during which other work took more than OVH_MAX_OTHER % of the pinned
# CPU are left out of the summary (they are retried, see run_measured).
if [ -z "${OVH_MAX_OTHER:-}" ]; then
    # summary mode: the threshold the run used; quick mode: keep everything
    if [ "${1:-}" = summary ] && [ -r "${2:-}/max_other" ]; then OVH_MAX_OTHER=$(cat "$2/max_other")
    elif [ "${OVH_QUICK:-0}" = 1 ]; then OVH_MAX_OTHER=100
    else OVH_MAX_OTHER=10; fi
fi
[[ $OVH_MAX_OTHER =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "OVH_MAX_OTHER must be a number"

# stats CSV CONFIG WORKLOAD COLUMN -> "n median min max" (n = 0 if none)
stats() {
    awk -F, -v c="$2" -v w="$3" -v col="$4" -v mo="$OVH_MAX_OTHER" 'NR > 1 && $3 == c && $4 == w && $5 > 0 && $12 <= mo + 0 { print $col }' "$1" \
        | sort -g | awk '{ v[NR] = $1 }
            END { if (NR == 0) { print "0 0 0 0"; exit }
                  m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                  print NR, m, v[1], v[NR] }'
}

# median over every run of a workload (all configurations) of a column
workload_median() {
    awk -F, -v w="$2" -v col="$3" -v mo="$OVH_MAX_OTHER" 'NR > 1 && $4 == w && $5 > 0 && $12 <= mo + 0 { print $col }' "$1" \
        | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print 0 }'
}

# median over runs of a config/workload of srv/cli (for the added-CPU column)
ratio_median() {
    awk -F, -v c="$2" -v w="$3" -v mo="$OVH_MAX_OTHER" 'NR > 1 && $3 == c && $4 == w && $5 > 0 && $9 > 0 && $12 <= mo + 0 { print $8 / $9 }' "$1" \
        | sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print "" }'
}

summarize() {
    local dir=$1 csv=$1/runs.csv out=$1/summary.md cfg wl
    [ -s "$csv" ] || die "no runs in $csv"
    local -a cfgs wls
    mapfile -t cfgs < <(awk -F, 'NR > 1 && !seen[$3]++ { print $3 }' "$csv")
    wls=()
    for wl in $ALL_WORKLOADS; do
        grep -q ",$wl," "$csv" && wls+=("$wl")
    done
    {
        echo "### Results ($(cat "$dir/started" 2>/dev/null || echo '?'), $(awk -F, 'NR > 1 { r[$1] = 1 } END { print length(r) }' "$csv") rounds)"
        echo
        echo "| workload | config | n | dropped | median TPS | TPS ratio | min-max TPS | spread % | srv µs/xact | norm ratio | k spread % | Δsrv µs/xact | other CPU % |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        for wl in "${wls[@]}"; do
            local base_t base_k base_r cli_med
            read -r _ base_t _ _ < <(stats "$csv" "$BASELINE" "$wl" 6)
            read -r _ base_k _ _ < <(stats "$csv" "$BASELINE" "$wl" 10)
            base_r=$(ratio_median "$csv" "$BASELINE" "$wl")
            cli_med=$(workload_median "$csv" "$wl" 9)
            for cfg in "${cfgs[@]}"; do
                local n t tmin tmax s k kmin kmax o r
                read -r n t tmin tmax < <(stats "$csv" "$cfg" "$wl" 6)
                local dropped
                dropped=$(awk -F, -v c="$cfg" -v w="$wl" -v mo="$OVH_MAX_OTHER" 'NR > 1 && $3 == c && $4 == w && !($5 > 0 && $12 <= mo + 0) { d++ } END { print d + 0 }' "$csv")
                if [ "$n" -eq 0 ]; then
                    [ "$dropped" -gt 0 ] && echo "| $wl | $cfg | 0 | $dropped | no usable run | | | | | | | | |"
                    continue
                fi
                read -r _ s _ _ < <(stats "$csv" "$cfg" "$wl" 8)
                read -r _ k kmin kmax < <(stats "$csv" "$cfg" "$wl" 10)
                read -r _ o _ _ < <(stats "$csv" "$cfg" "$wl" 12)
                r=$(ratio_median "$csv" "$cfg" "$wl")
                awk -v wl="$wl" -v cfg="$cfg" -v n="$n" -v dr="$dropped" -v t="$t" -v tmin="$tmin" -v tmax="$tmax" \
                    -v s="$s" -v k="$k" -v kmin="$kmin" -v kmax="$kmax" -v o="$o" -v r="$r" \
                    -v bt="${base_t:-0}" -v bk="${base_k:-0}" -v br="$base_r" -v cm="$cli_med" 'BEGIN {
                        ratio = (bt > 0) ? sprintf("%.3f", t / bt) : "-"
                        norm = (bk > 0 && k > 0) ? sprintf("%.3f", bk / k) : "-"
                        dsrv = (br != "" && r != "") ? sprintf("%+.2f", (r - br) * cm) : "-"
                        printf "| %s | %s | %d | %d | %.0f | %s | %.0f-%.0f | %.1f | %.2f | %s | %.1f | %s | %.1f |\n",
                            wl, cfg, n, dr, t, ratio, tmin, tmax, 100 * (tmax - tmin) / t, s, norm,
                            (k > 0) ? 100 * (kmax - kmin) / k : 0, dsrv, o }'
            done
        done
        echo
        echo "- TPS ratio: median TPS / median TPS of \`$BASELINE\` (raw, machine drift included); spread = (max-min)/median TPS."
        echo "- srv µs/xact: CPU time of all server processes per transaction (median); k = (server + pgbench CPU) / pgbench CPU per run."
        echo "- norm ratio = median k(\`$BASELINE\`) / median k(config): throughput ratio at equal machine speed. k spread = (max-min)/median of k."
        echo "- Δsrv µs/xact = (median srv/cli of config - that of \`$BASELINE\`) x median pgbench CPU µs/xact of the workload: server CPU added per transaction."
        echo "- other CPU %: CPU time of the pinned CPU used by neither the server nor pgbench during the run (median)."
        echo "- dropped: runs left out because other work took more than $OVH_MAX_OTHER % of the pinned CPU (OVH_MAX_OTHER)."
        echo
        paired "$csv"
        goals "$csv"
    } | tee "$out"
}

# Paired comparisons (OVH_PAIRS, "A:B ..."; pairs whose configurations did not
# both run are skipped): for each round, r = k(B) / k(A), the throughput of A
# relative to B at the machine speed of that round. Runs of one round are
# close in time, so r cancels drift that the ratio of medians keeps. Mean and
# a 95 % confidence interval (Student's t) over the rounds.
paired() {
    local csv=$1 pair a b wl printed=0
    for pair in ${OVH_PAIRS:-pothos_perf:pgss pothos_perf:pothos_perf_nplus1_off pothos_perf:pothos_perf_nplus1_session_off}; do
        a=${pair%%:*} b=${pair#*:}
        for wl in $ALL_WORKLOADS; do
            awk -F, -v a="$a" -v b="$b" -v w="$wl" -v mo="$OVH_MAX_OTHER" -v hdr="$printed" '
                NR > 1 && $4 == w && $5 > 0 && $12 <= mo + 0 && ($3 == a || $3 == b) { k[$1, $3] = $10; r[$1] = 1 }
                END {
                    n = 0
                    for (x in r) if ((x, a) in k && (x, b) in k && k[x, a] > 0) v[++n] = k[x, b] / k[x, a]
                    if (n < 2) exit 1
                    for (i = 1; i <= n; i++) { s += v[i] }
                    m = s / n
                    for (i = 1; i <= n; i++) ss += (v[i] - m) ^ 2
                    se = sqrt(ss / (n - 1)) / sqrt(n)
                    split("12.71 4.30 3.18 2.78 2.57 2.45 2.36 2.31 2.26 2.23 2.20 2.18 2.16 2.14 2.13 2.12 2.11 2.10 2.09 2.09", t, " ")
                    tq = (n - 1 <= 20) ? t[n - 1] : 2.04
                    # median
                    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { y = v[i]; v[i] = v[j]; v[j] = y }
                    med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
                    if (hdr == 0) {
                        print "Paired per round (r = k(B) / k(A): throughput of A relative to B in the same round):"
                        print ""
                        print "| workload | A | B | rounds | median r | mean r | 95 % interval |"
                        print "|---|---|---|---:|---:|---:|---|"
                    }
                    printf "| %s | %s | %s | %d | %.4f | %.4f | %.4f-%.4f |\n", w, a, b, n, med, m, m - tq * se, m + tq * se
                }' "$csv" && printed=1
        done
    done
    [ $printed = 1 ] && echo
    return 0
}

# The issue's targets, from the norm ratios of this run.
goals() {
    local csv=$1 wl kb kp kq verdict
    echo "Targets (norm ratios of this run):"
    for wl in $STD_WORKLOADS; do
        read -r _ kb _ _ < <(stats "$csv" "$BASELINE" "$wl" 10)
        read -r _ kp _ _ < <(stats "$csv" pothos_perf "$wl" 10)
        read -r _ kq _ _ < <(stats "$csv" pgss "$wl" 10)
        verdict=$(awk -v b="$kb" -v p="$kp" -v q="$kq" 'BEGIN {
            if (b <= 0 || p <= 0 || q <= 0) { print "not measured"; exit }
            printf "pothos_perf %.3f vs pg_stat_statements %.3f: %s", b / p, b / q, (b / p >= b / q) ? "PASS" : "FAIL" }')
        echo "- $wl: pothos_perf >= pg_stat_statements: $verdict"
    done
    read -r _ kb _ _ < <(stats "$csv" "$BASELINE" select_prepared 10)
    read -r _ kp _ _ < <(stats "$csv" pothos_perf select_prepared 10)
    echo "- select_prepared: pothos_perf >= 0.98: $(awk -v b="$kb" -v p="$kp" 'BEGIN {
        if (b <= 0 || p <= 0) { print "not measured"; exit }
        printf "%.3f: %s", b / p, (b / p >= 0.98) ? "PASS" : "FAIL" }')"
    read -r _ kb _ _ < <(stats "$csv" "$BASELINE" churn 10)
    read -r _ kp _ _ < <(stats "$csv" pothos_perf_churn churn 10)
    echo "- churn: pothos_perf_churn >= 0.8 of none: $(awk -v b="$kb" -v p="$kp" 'BEGIN {
        if (b <= 0 || p <= 0) { print "not measured"; exit }
        printf "%.3f: %s", b / p, (b / p >= 0.8) ? "PASS" : "FAIL" }')"
}

if [ "${1:-}" = summary ]; then
    [ -n "${2:-}" ] || die "usage: overhead.sh summary RESULTS_DIR"
    summarize "$2"
    exit 0
fi
[ $# -eq 0 ] || die "unknown arguments: $* (usage: see the header of this script)"

# ------------------------------------------------------------------ settings
if [ "${OVH_QUICK:-0}" = 1 ]; then
    : "${OVH_ROUNDS:=1}" "${OVH_DURATION:=2}" "${OVH_S1_DURATION:=2}" "${OVH_CHURN_DURATION:=2}"
    : "${OVH_SCALE:=1}" "${OVH_GATE_BUSY:=0}" "${OVH_WARMUP:=0}" "${OVH_RETRIES:=0}"
fi
: "${OVH_SESSIONS:=4}"
: "${OVH_ROUNDS:=4}" "${OVH_DURATION:=8}" "${OVH_S1_DURATION:=6}" "${OVH_CHURN_DURATION:=8}"
: "${OVH_CHURN_COLS:=100}" "${OVH_SCALE:=10}" "${OVH_SHARED_BUFFERS:=256MB}"
: "${OVH_RETRIES:=2}" "${OVH_RETRY_TOTAL:=24}" "${OVH_MAX_MINUTES:=40}" "${OVH_CPU=1}" "${OVH_GATE_BUSY:=25}" "${OVH_GATE_WAIT:=10}" "${OVH_GATE_TOTAL:=180}" "${OVH_WARMUP:=1}" "${OVH_SCHED:=batch}"
: "${OVH_CONFIGS:=$HERE/configs.conf}" "${OVH_EXTRA_CONFIGS:=}" "${OVH_ONLY:=}"
: "${OVH_WORKLOADS:=$ALL_WORKLOADS}" "${OVH_KEEP_CLUSTER:=0}"
: "${OVH_OUT:=/tmp/pothos-overhead.$(date +%Y%m%d-%H%M%S)}"
OUT=$OVH_OUT

for v in OVH_SESSIONS OVH_RETRIES OVH_RETRY_TOTAL OVH_MAX_MINUTES OVH_ROUNDS OVH_DURATION OVH_S1_DURATION OVH_CHURN_DURATION OVH_CHURN_COLS OVH_SCALE OVH_GATE_BUSY OVH_GATE_WAIT OVH_GATE_TOTAL OVH_WARMUP; do
    [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 0 ] || die "$v must be a non-negative integer"
done
[ "$OVH_ROUNDS" -ge 1 ] && [ "$OVH_SESSIONS" -ge 1 ] && [ "$OVH_DURATION" -ge 1 ] && [ "$OVH_S1_DURATION" -ge 1 ] \
    && [ "$OVH_CHURN_DURATION" -ge 1 ] && [ "$OVH_SCALE" -ge 1 ] && [ "$OVH_CHURN_COLS" -ge 2 ] \
    || die "rounds, sessions, durations and scale must be >= 1, OVH_CHURN_COLS >= 2"
[ "$OVH_CHURN_COLS" -le 1500 ] || die "OVH_CHURN_COLS must be <= 1500"
if [ -n "$OVH_CPU" ]; then
    [[ $OVH_CPU =~ ^[0-9]+$ ]] || die "OVH_CPU must be one CPU number"
    [ "$OVH_CPU" -lt "$(nproc)" ] || die "OVH_CPU=$OVH_CPU but this machine has $(nproc) CPUs"
    command -v taskset >/dev/null || die "taskset (util-linux) is needed for pinning; or set OVH_CPU="
fi
# RUN_ON: the prefix that starts the server and pgbench under the policy, on the CPU.
case $OVH_SCHED in
    batch) command -v chrt >/dev/null || die "chrt (util-linux) is needed for OVH_SCHED=batch; or set OVH_SCHED=other"
           RUN_ON=(chrt -b 0) ;;
    other) RUN_ON=() ;;
    *) die "OVH_SCHED must be batch or other" ;;
esac
[ -n "$OVH_CPU" ] && RUN_ON+=(taskset -c "$OVH_CPU")
for b in initdb pg_ctl postgres psql pgbench; do
    [ -x "$PG_BINDIR/$b" ] || die "missing $PG_BINDIR/$b (install postgresql-$PG_MAJOR)"
done
PKGLIBDIR=$("$PG_BINDIR/pg_config" --pkglibdir 2>/dev/null || echo "/usr/lib/postgresql/$PG_MAJOR/lib")
HZ=$(getconf CLK_TCK)

# ------------------------------------------------------------------ configurations
# parse_configs FILE... -> $OUT/configs/<name>.conf, .workloads, .check; names on stdout
parse_configs() {
    local f
    for f in "$@"; do
        [ -r "$f" ] || die "cannot read configuration file $f"
        awk -v dir="$OUT/configs" -v file="$f" '
            function fail(msg) { printf "%s:%d: %s\n", file, FNR, msg > "/dev/stderr"; bad = 1; exit 1 }
            { sub(/\r$/, ""); line = $0; sub(/^[ \t]+/, "", line); sub(/[ \t]+$/, "", line) }
            line == "" || substr(line, 1, 1) == "#" { next }
            match(line, /^\[[A-Za-z0-9_]+\]$/) {
                name = substr(line, 2, length(line) - 2)
                if (system("test -e \"" dir "/" name ".conf\"") == 0) fail("configuration " name " defined twice")
                print name
                printf "" > (dir "/" name ".conf"); printf "std\n" > (dir "/" name ".workloads")
                close(dir "/" name ".workloads"); wset = 0
                next }
            name == "" { fail("setting outside a [section]") }
            line ~ /^%workloads[ \t]/ {
                sub(/^%workloads[ \t]+/, "", line)
                if (!wset) { printf "" > (dir "/" name ".workloads"); wset = 1 }
                print line >> (dir "/" name ".workloads"); close(dir "/" name ".workloads"); next }
            line ~ /^%session[ \t]/ {
                sub(/^%session[ \t]+/, "", line)
                if (line !~ /^[A-Za-z_][A-Za-z0-9_.]*[ \t]*=[ \t]*[^ \t]+$/) fail("not a \"%session name = value\" line: " line)
                gsub(/[ \t]/, "", line); print "-c " line >> (dir "/" name ".session"); close(dir "/" name ".session"); next }
            line ~ /^%check[ \t]/ {
                sub(/^%check[ \t]+/, "", line); print line ";" >> (dir "/" name ".check"); close(dir "/" name ".check"); next }
            substr(line, 1, 1) == "%" { fail("unknown directive: " line) }
            line !~ /^[A-Za-z_][A-Za-z0-9_.]*[ \t]*=/ { fail("not a \"name = value\" line: " line) }
            { print line >> (dir "/" name ".conf"); close(dir "/" name ".conf") }
        ' "$f" || die "bad configuration file $f"
    done
}

# workloads of a configuration, expanded ("std") and filtered by OVH_WORKLOADS
config_workloads() {
    local w out=()
    for w in $(tr '\n' ' ' <"$OUT/configs/$1.workloads"); do
        [ "$w" = std ] && w=$STD_WORKLOADS
        out+=($w)
    done
    for w in "${out[@]}"; do
        [[ " $ALL_WORKLOADS " == *" $w "* ]] || die "configuration $1: unknown workload $w"
        [[ " $OVH_WORKLOADS " == *" $w "* ]] && echo "$w"
    done
    return 0
}

# the libraries a configuration preloads, if all of them are installed
config_libs_ok() {
    local libs lib
    libs=$(sed -n "s/^shared_preload_libraries[ \t]*=[ \t]*//p" "$OUT/configs/$1.conf" | tail -1 | tr -d "'\" " | tr ',' ' ')
    for lib in $libs; do
        if [ ! -f "$PKGLIBDIR/$lib.so" ]; then
            echo "$lib.so is not installed in $PKGLIBDIR"
            return 1
        fi
    done
}

# ------------------------------------------------------------------ cluster
WORK="" DATA="" PORT="" SRVLOG=""
PSQL=() PGB=()

pg_ctl_() { as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" "$@"; }

server_up() { [ -n "$DATA" ] && [ -f "$DATA/postmaster.pid" ] && pg_ctl_ status >/dev/null 2>&1; }

server_start() {
    # the postmaster inherits pg_ctl's CPU affinity and policy, and every backend the postmaster's
    if ! as_pg "${RUN_ON[@]}" "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$SRVLOG" -w -t 60 start >/dev/null; then
        tail -5 "$SRVLOG" >&2 || true
        return 1
    fi
}

server_stop() {
    server_up || return 0
    pg_ctl_ -m fast -w -t 60 stop >/dev/null 2>&1 || pg_ctl_ -m immediate -w -t 30 stop >/dev/null 2>&1 || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$DATA" ]; then server_stop; fi
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        if [ "$OVH_KEEP_CLUSTER" = 1 ]; then log "cluster kept in $WORK"; else rm -rf "$WORK"; fi
    fi
    [ $rc -eq 0 ] || log "overhead.sh failed (exit $rc); results so far in $OUT"
    exit $rc
}

postmaster_pid() { head -1 "$DATA/postmaster.pid"; }

# pids of the postmaster's children
children_of() {
    local pm=$1 f rest
    for f in /proc/[0-9]*/stat; do
        { read -r rest <"$f"; } 2>/dev/null || continue
        rest=${rest##*) }                  # after "pid (comm) "
        set -- $rest
        [ "${2:-}" = "$pm" ] && { f=${f#/proc/}; echo "${f%/stat}"; }
    done
    return 0
}

# CPU clock ticks of the server: postmaster (own + reaped children) plus its
# live children (own + reaped children). A backend that exits between two
# readings moves from the second term into the postmaster's cutime/cstime.
server_ticks() {
    local pm=$1 pid rest total=0
    for pid in "$pm" $(children_of "$pm"); do
        { read -r rest <"/proc/$pid/stat"; } 2>/dev/null || continue
        rest=${rest##*) }
        set -- $rest                       # $12 utime $13 stime $14 cutime $15 cstime
        total=$(( total + ${12} + ${13} + ${14} + ${15} ))
    done
    echo "$total"
}

# wait (max 20 s) until no client backend of the postmaster is alive, so that
# every finished session's CPU time has been reaped into the postmaster
wait_sessions_gone() {
    local pm=$1 i pid busy
    for i in $(seq 200); do
        busy=0
        for pid in $(children_of "$pm"); do
            if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -Eq '^postgres: [^ ]+ [^ ]+ (127\.0\.0\.1\(|\[local\])'; then
                busy=1; break
            fi
        done
        [ $busy = 0 ] && return 0
        sleep 0.1
    done
    log "warning: client sessions still alive after 20 s"
}

# "busy total" jiffies of the pinned CPU (or of all CPUs when not pinned)
cpu_jiffies() {
    local key=cpu
    [ -n "$OVH_CPU" ] && key=cpu$OVH_CPU
    awk -v key="$key" '$1 == key { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t; exit }' /proc/stat
}

GATE_SPENT=0
# wait while the pinned CPU is busy with other work (our server is idle now)
quiet_gate() {
    local waited=0 b0 t0 b1 t1 busy
    GATE_WAITED=0
    [ "$OVH_GATE_BUSY" -gt 0 ] || return 0
    while :; do
        read -r b0 t0 < <(cpu_jiffies); sleep 0.5; read -r b1 t1 < <(cpu_jiffies)
        busy=$(( (b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
        [ "$busy" -le "$OVH_GATE_BUSY" ] && break
        waited=$((waited + 1))
        if [ $waited -ge $((OVH_GATE_WAIT * 2)) ] || [ "$GATE_SPENT" -ge "$OVH_GATE_TOTAL" ]; then
            log "    CPU ${OVH_CPU:-all} still ${busy}% busy with other work; running anyway"
            break
        fi
    done
    GATE_WAITED=$(( waited / 2 )); GATE_SPENT=$(( GATE_SPENT + GATE_WAITED ))
}

# ------------------------------------------------------------------ runs
# same starting state before every run. pgbench_accounts is vacuumed too:
# the first select-only seconds after a tpcb-like run otherwise clean up the
# rows it updated (pruning, hint bits, dead index entries), and a run that
# follows one on the same server measured 20 % slower in its first 2 s.
prepare_run() {
    "${PSQL[@]}" -d bench -c "TRUNCATE pgbench_history" -c "VACUUM pgbench_accounts, pgbench_branches, pgbench_tellers" \
        -c "CHECKPOINT" >/dev/null
}

after_restart() {
    "${PSQL[@]}" -d bench -At -c "SELECT sum(pg_prewarm(c)) FROM unnest(ARRAY['pgbench_accounts', 'pgbench_accounts_pkey',
        'pgbench_branches', 'pgbench_tellers', 'churn_wide', 'churn_wide_pkey']::regclass[]) AS c" >/dev/null
    if [ "$OVH_WARMUP" -gt 0 ]; then
        "${PGB[@]}" -n -S -M prepared -T "$OVH_WARMUP" bench >/dev/null 2>&1 || true
    fi
}

# run_one ROUND SEQ CONFIG WORKLOAD ATTEMPT: one measured pgbench run -> a
# runs.csv line; sets LAST_OTHER (% of the pinned CPU used by other work)
run_one() {
    local round=$1 seq=$2 cfg=$3 wl=$4 attempt=$5 dur=$OVH_DURATION args out pm
    case $wl in
        select_simple)   args=(-S -M simple) ;;
        select_prepared) args=(-S -M prepared) ;;
        tpcb)            args=(-b tpcb-like -M simple) ;;
        select1)         args=(-M prepared -f "$OUT/select1.sql"); dur=$OVH_S1_DURATION ;;
        churn)           args=(-M simple -f "$OUT/churn.sql"); dur=$OVH_CHURN_DURATION ;;
    esac
    out="$OUT/runs/r${round}-${cfg}-${wl}.$attempt.txt"
    LAST_OTHER=0
    prepare_run
    pm=$(postmaster_pid)
    wait_sessions_gone "$pm"
    quiet_gate

    local s0 s1 b0 t0 b1 t1 cli rc=0
    read -r b0 t0 < <(cpu_jiffies)
    s0=$(server_ticks "$pm")
    # a subshell whose only child is pgbench: once pgbench is reaped, the
    # subshell's cutime+cstime is exactly pgbench's CPU time
    local session=""
    [ -f "$OUT/configs/$cfg.session" ] && session=" $(tr '\n' ' ' <"$OUT/configs/$cfg.session")"
    # the run is split into consecutive sessions (see OVH_SESSIONS)
    local part=$(( dur / OVH_SESSIONS )) parts
    [ $part -ge 2 ] || part=$(( dur < 2 ? dur : 2 ))
    parts=$(( dur / part ))
    : >"$out"
    cli=$(
        for _ in $(seq "$parts"); do
            PGOPTIONS="$PGOPTIONS$session" "${PGB[@]}" -n -c 1 -j 1 -T "$part" "${args[@]}" bench >>"$out" 2>&1 || exit 1
        done
        read -r rest <"/proc/$BASHPID/stat"; rest=${rest##*) }; set -- $rest
        echo $(( ${14} + ${15} ))
    ) || rc=$?
    wait_sessions_gone "$pm"
    s1=$(server_ticks "$pm")
    read -r b1 t1 < <(cpu_jiffies)
    if [ $rc -ne 0 ] || [ "$(grep -c '^tps = ' "$out")" != "$parts" ]; then
        log "    $wl under $cfg FAILED, see $out"
        tail -3 "$out" >&2 || true
        return 1
    fi
    # the sessions' sums: transactions, seconds (transactions / tps), and
    # latency weighted by transactions
    local xacts tps lat
    read -r xacts tps lat < <(awk '
        /^number of transactions actually processed: / { x = $6 + 0 }
        /^latency average = / { l = $4 + 0 }
        /^tps = / { X += x; S += x / $3; L += l * x }
        END { if (S > 0 && X > 0) printf "%d %.2f %.4f\n", X, X / S, L / X; else print "0 0 0" }' "$out")
    awk -v r="$round" -v q="$seq" -v c="$cfg" -v w="$wl" -v x="$xacts" -v tps="$tps" -v lat="$lat" \
        -v srv=$((s1 - s0)) -v cli="$cli" -v hz="$HZ" -v busy=$((b1 - b0)) -v tot=$((t1 - t0)) \
        -v gate="$GATE_WAITED" -v cpu="$OVH_CPU" -v att="$attempt" 'BEGIN {
            su = srv / hz * 1e6 / x; cu = cli / hz * 1e6 / x
            k = (cu > 0) ? (su + cu) / cu : 0
            bp = (tot > 0) ? 100 * busy / tot : 0
            # other work on the pinned CPU: busy ticks not spent by our server or pgbench
            op = (tot > 0 && cpu != "") ? 100 * (busy - srv - cli) / tot : 0
            if (op < 0) op = 0
            printf "%s,%s,%s,%s,%d,%.2f,%.4f,%.3f,%.3f,%.5f,%.1f,%.1f,%d,%d\n", r, q, c, w, x, tps, lat, su, cu, k, bp, op, gate, att }' \
        >>"$OUT/runs.csv"
    LAST_OTHER=$(tail -1 "$OUT/runs.csv" | cut -d, -f12)
    tail -1 "$OUT/runs.csv" | awk -F, '{ printf "    %-16s tps %9.1f  srv %7.2f us/xact  pgbench %6.2f us/xact  k %.4f  other %.1f%%\n", $4, $6, $8, $9, $10, $12 }' >&2
}

# ------------------------------------------------------------------ main
mkdir -p "$OUT/runs" "$OUT/configs" "$OUT/checks"
[ -e "$OUT/runs.csv" ] && die "$OUT already holds results; choose another OVH_OUT"
date -u '+%Y-%m-%d %H:%M UTC' >"$OUT/started"
echo "$OVH_MAX_OTHER" >"$OUT/max_other"
echo "round,seq,config,workload,xacts,tps,lat_ms,srv_us,cli_us,k,busy_pct,other_pct,gate_s,attempt" >"$OUT/runs.csv"

parse_configs $OVH_CONFIGS $OVH_EXTRA_CONFIGS >"$OUT/configs/names.txt"
mapfile -t ALL_CONFIGS <"$OUT/configs/names.txt"
[[ " ${ALL_CONFIGS[*]} " == *" $BASELINE "* ]] || die "no [$BASELINE] configuration: it is the baseline of every ratio"
CONFIGS=()
for c in "${ALL_CONFIGS[@]}"; do
    if [ -z "$OVH_ONLY" ] || [ "$c" = "$BASELINE" ] || [[ " $OVH_ONLY " == *" $c "* ]]; then
        if ! why=$(config_libs_ok "$c"); then
            log "skipping configuration $c: $why"
            echo "$c: skipped, $why" >>"$OUT/skipped.txt"
            continue
        fi
        [ -n "$(config_workloads "$c")" ] || continue
        CONFIGS+=("$c")
    fi
done
[ ${#CONFIGS[@]} -ge 2 ] || die "need the baseline and at least one other configuration (have: ${CONFIGS[*]:-none})"

{
    echo "started:  $(cat "$OUT/started")"
    echo "host:     $(uname -srm)"
    echo "cpus:     $(nproc) ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | sort | uniq -c | sed 's/^ *//' | paste -sd';'))"
    echo "memory:   $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "server:   $("$PG_BINDIR/postgres" --version)"
    echo "configs:  ${CONFIGS[*]}"
    echo "settings: rounds=$OVH_ROUNDS duration=${OVH_DURATION}s sessions=$OVH_SESSIONS select1=${OVH_S1_DURATION}s churn=${OVH_CHURN_DURATION}s scale=$OVH_SCALE cpu=${OVH_CPU:-unpinned} sched=$OVH_SCHED shared_buffers=$OVH_SHARED_BUFFERS churn_shapes=$((OVH_CHURN_COLS * OVH_CHURN_COLS))"
    [ -n "$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null)" ] && echo "commit:   $(git -C "$HERE" rev-parse --short HEAD)"
} | tee "$OUT/env.txt" >&2

echo 'SELECT 1;' >"$OUT/select1.sql"
{
    echo "\\set a random(1, $OVH_CHURN_COLS)"
    echo "\\set b random(1, $OVH_CHURN_COLS)"
    echo "\\set id random(1, 1000)"
    echo "SELECT c:a, c:b FROM churn_wide WHERE id = :id;"
} >"$OUT/churn.sql"

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d /tmp/pothos-overhead-cluster.XXXXXX)
chmod 755 "$WORK"
if [ "$(id -u)" = 0 ]; then chown "$PG_OS_USER" "$WORK"; fi
DATA=$WORK/data
SRVLOG=$OUT/server.log
if [ "$(id -u)" = 0 ]; then chown "$PG_OS_USER" "$OUT"; touch "$SRVLOG"; chown "$PG_OS_USER" "$SRVLOG"; fi
PORT=$(free_port 55400)
as_pg "$PG_BINDIR/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C --no-instructions >"$OUT/initdb.log"
as_pg tee -a "$DATA/postgresql.conf" >/dev/null <<EOF

# ---- bench/extension/overhead.sh: identical for every configuration
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$WORK'
max_connections = 20
shared_buffers = $OVH_SHARED_BUFFERS
# throwaway cluster: no WAL flush per commit (it would dominate tpcb and hide
# CPU cost) and no fsync
synchronous_commit = off
fsync = off
# checkpoints and vacuum happen between runs, run by the harness
autovacuum = off
checkpoint_timeout = 1h
max_wal_size = 4GB
compute_query_id = auto
# ---- the configuration under test (rewritten before each restart)
include_if_exists = 'overhead_config.conf'
EOF
: | as_pg tee "$DATA/overhead_config.conf" >/dev/null

export PGOPTIONS="-c statement_timeout=300s"
PSQL=("$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
PGB=("${RUN_ON[@]}" "$PG_BINDIR/pgbench" -h 127.0.0.1 -p "$PORT" -U postgres)

server_start || die "the server does not start; see $SRVLOG"
log "cluster on 127.0.0.1:$PORT; loading pgbench data at scale $OVH_SCALE"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE bench"
"$PG_BINDIR/pgbench" -h 127.0.0.1 -p "$PORT" -U postgres -i -q -s "$OVH_SCALE" bench >"$OUT/pgbench-init.log" 2>&1 \
    || { cat "$OUT/pgbench-init.log" >&2; die "pgbench -i failed"; }
cols=$(seq -f 'c%g int NOT NULL' 1 "$OVH_CHURN_COLS" | paste -sd, -)
vals=$(seq -f 'i + %g' 1 "$OVH_CHURN_COLS" | paste -sd, -)
"${PSQL[@]}" -d bench \
    -c "CREATE TABLE churn_wide (id int PRIMARY KEY, $cols)" \
    -c "INSERT INTO churn_wide SELECT i, $vals FROM generate_series(1, 1000) AS i" \
    -c "CREATE EXTENSION pg_prewarm" -c "VACUUM ANALYZE" >/dev/null
server_stop

# Two configurations share a server start when their server settings are the
# same and one has %session settings (identical ones without, like none and
# its A/A copy, are restarted: the restart is part of what the control shows).
shares_server() {
    { [ -f "$OUT/configs/$1.session" ] || [ -f "$OUT/configs/$2.session" ]; } &&
        cmp -s "$OUT/configs/$1.conf" "$OUT/configs/$2.conf"
}
# Configurations that share a server start form a group.
GROUPS_=()
declare -A GROUPED=()
for c in "${CONFIGS[@]}"; do
    [ -n "${GROUPED[$c]:-}" ] && continue
    g=$c; GROUPED[$c]=1
    for d in "${CONFIGS[@]}"; do
        if [ -z "${GROUPED[$d]:-}" ] && shares_server "$c" "$d"; then
            g="$g $d"; GROUPED[$d]=1
        fi
    done
    GROUPS_+=("$g")
done
NGROUPS=${#GROUPS_[@]}
PREV=""
seq_no=0
declare -A CHECKED=()
RETRIES_USED=0
for round in $(seq "$OVH_ROUNDS"); do
    if [ "$round" -gt 1 ] && [ $SECONDS -gt $((OVH_MAX_MINUTES * 60)) ]; then
        log "more than $OVH_MAX_MINUTES minutes spent: no round $round (OVH_MAX_MINUTES)"
        break
    fi
    # The groups rotate by one each round; inside a group the order is
    # reversed every other round, so that each of its configurations runs
    # first (just after the restart) as often as the others.
    ORDER=()
    for gi in $(seq 0 $((NGROUPS - 1))); do
        read -r -a members <<<"${GROUPS_[$(( (gi + round - 1) % NGROUPS ))]}"
        if [ $((round % 2)) = 0 ]; then
            for ((m = ${#members[@]} - 1; m >= 0; m--)); do ORDER+=("${members[$m]}"); done
        else
            ORDER+=("${members[@]}")
        fi
    done
    for cfg in "${ORDER[@]}"; do
        log "round $round/$OVH_ROUNDS: $cfg"
        # Configurations that differ only in %session settings share one
        # server start: their runs follow each other on the same server.
        if server_up && [ -n "$PREV" ] && shares_server "$PREV" "$cfg"; then
            restarted=0
        else
            server_stop
            as_pg tee "$DATA/overhead_config.conf" <"$OUT/configs/$cfg.conf" >/dev/null
            if ! server_start; then
                log "    $cfg: the server does not start (see $SRVLOG); skipped this round"
                continue
            fi
            restarted=1
        fi
        if [ -z "${CHECKED[$cfg]:-}" ]; then
            "${PSQL[@]}" -d postgres -At -c "SELECT name || ' = ' || setting FROM pg_settings
                WHERE name = 'shared_preload_libraries' OR sourcefile LIKE '%overhead_config.conf' ORDER BY name" \
                >"$OUT/checks/$cfg.txt" 2>&1 || true
            [ -z "$OVH_CPU" ] || taskset -p "$(postmaster_pid)" >>"$OUT/checks/$cfg.txt" 2>&1 || true
        fi
        [ $restarted = 1 ] && after_restart
        for wl in $(config_workloads "$cfg"); do
            # a run disturbed by other work on the pinned CPU is measured again
            for attempt in $(seq 0 "$OVH_RETRIES"); do
                seq_no=$((seq_no + 1))
                run_one "$round" "$seq_no" "$cfg" "$wl" "$attempt" || break
                awk -v o="$LAST_OTHER" -v m="$OVH_MAX_OTHER" 'BEGIN { exit !(o > m) }' || break
                [ "$attempt" -lt "$OVH_RETRIES" ] || break
                [ "$RETRIES_USED" -lt "$OVH_RETRY_TOTAL" ] || { log "    other work took ${LAST_OTHER}% of the CPU; retry budget used up"; break; }
                RETRIES_USED=$((RETRIES_USED + 1))
                log "    other work took ${LAST_OTHER}% of the CPU: measuring again"
            done
            server_up || { log "    the server died under $cfg"; break; }
        done
        if [ -z "${CHECKED[$cfg]:-}" ] && server_up; then
            CHECKED[$cfg]=1
            if [ -f "$OUT/configs/$cfg.check" ]; then
                PGOPTIONS="$PGOPTIONS $(cat "$OUT/configs/$cfg.session" 2>/dev/null | tr '\n' ' ')" \
                    "${PSQL[@]}" -d postgres -e -v ON_ERROR_STOP=0 -f "$OUT/configs/$cfg.check" >>"$OUT/checks/$cfg.txt" 2>&1 || true
            fi
        fi
        PREV=$cfg
    done
done
server_stop

grep -E 'PANIC|FATAL|server process .* was terminated' "$SRVLOG" | sort | uniq -c | head -20 >"$OUT/server-problems.txt" || true
[ -s "$OUT/server-problems.txt" ] && { log "server log problems:"; cat "$OUT/server-problems.txt" >&2; }
echo >&2
summarize "$OUT"
log "results: $OUT (runs.csv, summary.md, checks/, runs/)"
