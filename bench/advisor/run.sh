#!/usr/bin/env bash
# bench/advisor/run.sh -- does the index advisor's advice pay off? Compared
# with pg_qualstats' pg_qualstats_index_advisor() on the same data and mix.
#
# One throwaway cluster with pothos_perf and pg_qualstats preloaded. The todo
# data (examples/todo/load.sh) is loaded once into a template database and
# copied into one database per advisor, so both start from identical data.
# For each advisor, in its own database:
#   1. run the todo mix (bench/extension/workload.sh, same seed) -- "before";
#   2. ask the advisor: pothos_perf.recommend_indexes() or
#      pg_qualstats_index_advisor(); create every index it proposes, ANALYZE;
#   3. run the same mix again -- "after".
# The mix writes (inserts, updates), and both advisors go through the same
# sequence, so their "after" runs see the same amount of data.
# Per-statement mean times come from pothos_perf.statements (reset before each
# run); per-script figures from workload.sh.
#
# Usage: bench/advisor/run.sh          (as root or as an unprivileged user)
# Environment (default):
#   ADV_SCALE      todo data scale (1 = 40k users, 100k lists, 400k todos)   (1)
#   ADV_DURATION   seconds per workload run                                  (45)
#   ADV_CLIENTS    pgbench clients                                            (2)
#   ADV_SAMPLE     sample rate of both advisors' collection                   (0.1)
#   ADV_OUT        results directory              (/tmp/pothos-advisor.<time>)
#   ADV_BUILD      0 = use the installed extension as it is                    (1)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/lib.sh
source "$HERE/../../scripts/lib.sh"

SCALE=${ADV_SCALE:-1}
DURATION=${ADV_DURATION:-45}
CLIENTS=${ADV_CLIENTS:-2}
SAMPLE=${ADV_SAMPLE:-0.1}
OUT=${ADV_OUT:-/tmp/pothos-advisor.$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

WORK=$(make_pg_tmpdir)
cleanup() { cluster_stop || true; rm -rf "$WORK"; }
trap cleanup EXIT

[ "${ADV_BUILD:-1}" = 1 ] && build_extension
cluster_start "$WORK" "shared_preload_libraries = 'pothos_perf,pg_qualstats'" \
    "shared_buffers = 256MB" "pg_qualstats.sample_rate = $SAMPLE" "pg_qualstats.max = 5000" \
    "pothos_perf.track_planning = off"

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

log "loading the todo data (scale $SCALE)"
q -d postgres -c "CREATE DATABASE todo_base"
PGDATABASE=todo_base "$POTHOS_ROOT/examples/todo/load.sh" "$SCALE" | tee "$OUT/load.txt" >&2
q -d todo_base -c "VACUUM ANALYZE"
for db in todo_pothos todo_qualstats; do q -d postgres -c "CREATE DATABASE $db TEMPLATE todo_base"; done
q -d todo_pothos -c "CREATE EXTENSION pothos_perf" \
    -c "ALTER DATABASE todo_pothos SET pothos_perf.advisor_sample_rate = $SAMPLE"
q -d todo_qualstats -c "CREATE EXTENSION pothos_perf" -c "CREATE EXTENSION pg_qualstats" \
    -c "ALTER DATABASE todo_qualstats SET pothos_perf.advisor_sample_rate = 0"

# statement means of this database since the last reset
snapshot() {  # db file
    q -d "$1" -F $'\t' -c "
        SELECT queryid, calls, round(mean_exec_time::numeric, 4), left(regexp_replace(query, '\s+', ' ', 'g'), 90)
          FROM pothos_perf.statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND query !~* 'pothos_perf|pg_qualstats|pg_catalog|^(BEGIN|COMMIT|SET|ANALYZE)'
         ORDER BY queryid" >"$2"
}

run_mix() {  # db phase
    q -d "$1" -c "SELECT pothos_perf.reset()" >/dev/null
    log "$1: $2 run (${DURATION}s, $CLIENTS clients)"
    PGDATABASE=$1 "$POTHOS_ROOT/bench/extension/workload.sh" -T "$DURATION" -c "$CLIENTS" --seed 7 \
        -o "$OUT/$1.$2.csv" >"$OUT/$1.$2.txt"
    snapshot "$1" "$OUT/$1.$2.stmts"
}

advise_pothos() {
    q -d todo_pothos -F $'\t' -c "
        SELECT index_ddl, estimated_size_bytes, round(improvement_pct::numeric, 1), affected_queries, reason
          FROM pothos_perf.recommend_indexes()" >"$OUT/todo_pothos.advice.tsv"
    cut -f1 "$OUT/todo_pothos.advice.tsv"
}

advise_qualstats() {
    q -d todo_qualstats -c "SELECT pg_qualstats_index_advisor()::text" >"$OUT/todo_qualstats.advice.json"
    q -d todo_qualstats -c "
        SELECT json_array_elements_text(pg_qualstats_index_advisor() -> 'indexes')" >"$OUT/todo_qualstats.advice.raw"
    # It may list the same statement several times (once per qual set);
    # creating each only once is the fair reading of its advice.
    awk '!seen[$0]++' "$OUT/todo_qualstats.advice.raw" | tee "$OUT/todo_qualstats.advice.tsv"
}

for adv in pothos qualstats; do
    db=todo_$adv
    [ "$adv" = qualstats ] && q -d "$db" -c "SELECT pg_qualstats_reset()" >/dev/null
    run_mix "$db" before
    log "$db: asking the advisor"
    start=$(date +%s.%N)
    ddl=$(advise_$adv)
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }' >"$OUT/$db.advice_seconds"
    n=0
    while IFS= read -r stmt; do
        [ -n "$stmt" ] || continue
        log "$db: $stmt"
        q -d "$db" -c "$stmt"
        n=$((n + 1))
    done <<<"$ddl"
    echo "$n" >"$OUT/$db.created"
    q -d "$db" -c "ANALYZE" -c "CHECKPOINT"
    q -d "$db" -At -c "SELECT coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_stat_user_indexes
                        WHERE indexrelname NOT LIKE '%_pkey' AND indexrelname NOT LIKE '%_key'" >"$OUT/$db.index_bytes"
    run_mix "$db" after
done

"$HERE/report.sh" "$OUT" | tee "$OUT/report.md"
log "results in $OUT"
