#!/usr/bin/env bash
# bench/advisor/shop.sh -- how close does the index advice get to a hand-tuned
# index set? An online shop (bench/advisor/shop/: 6 tables, 14 statement
# classes with literals in their SQL, a write-heavy click-stream table) in a
# database whose collation is not C (C.UTF-8).
#
# One throwaway cluster with pothos_perf and pg_qualstats preloaded. The data
# is loaded once into a template and copied into one database per
# configuration:
#   none       primary keys only
#   hand       bench/advisor/shop/hand-indexes.sql (chosen by hand)
#   pothos     pothos_perf at its default settings
#              (pothos_perf.advisor_sample_rate = 0.05)
#   pothos1    pothos_perf sampling every execution (advisor_sample_rate = 1)
#   qualstats  pg_qualstats (pg_qualstats.sample_rate = 1) and its
#              pg_qualstats_index_advisor()
# In each database: one pass of the mix (ADV_PASS transactions) -- what the
# advisors observe; the advisor's indexes are created
# (pothos_perf.recommend_indexes(10), every distinct DDL of
# pg_qualstats_index_advisor()); the sample rates set for the pass are
# reset; VACUUM ANALYZE; then the timed run of the
# mix (ADV_TXNS transactions: the same number in every configuration, so
# that each inserts as many events and its event reads scan as many rows)
# and WAL per inserted row (ADV_WAL_BATCHES batches of
# 100 events inserted by one client, pg_current_wal_lsn() before and after,
# after a CHECKPOINT). Every database runs the same pass, so the data is the
# same size in each.
#
# Usage: bench/advisor/shop.sh
# Environment (default):
#   ADV_SCALE        data scale (1 = 200 000 orders, 600 000 order items)    (1)
#   ADV_PASS         transactions of the observed pass (all clients)         (300)
#   ADV_TXNS         transactions of each timed run (all clients)           (4000)
#   ADV_CLIENTS      pgbench clients                                          (2)
#   ADV_WAL_BATCHES  event batches for the WAL figure                         (200)
#   ADV_CONFIGS      configurations to run     (none hand pothos pothos1 qualstats)
#   ADV_OUT          results directory                (/tmp/pothos-shop.<time>)
#   ADV_BUILD        0 = use the installed extension as it is                 (1)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/lib.sh
source "$HERE/../../scripts/lib.sh"
SHOP=$HERE/shop

SCALE=${ADV_SCALE:-1}
PASS=${ADV_PASS:-300}
TXNS=${ADV_TXNS:-4000}
CLIENTS=${ADV_CLIENTS:-2}
WAL_BATCHES=${ADV_WAL_BATCHES:-200}
CONFIGS=${ADV_CONFIGS:-none hand pothos pothos1 qualstats}
OUT=${ADV_OUT:-/tmp/pothos-shop.$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

WORK=$(make_pg_tmpdir)
trap stop_cluster_and_clean EXIT

[ "${ADV_BUILD:-1}" = 1 ] && build_extension
cluster_start "$WORK" "shared_preload_libraries = 'pothos_perf,pg_qualstats'" \
    "shared_buffers = 512MB" "pg_qualstats.sample_rate = 0" "pg_qualstats.max = 5000" \
    "pothos_perf.track_planning = off" "checkpoint_timeout = 30min" "max_wal_size = 8GB" \
    "autovacuum = off" "jit = off"

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

# The mix: pgbench -f arguments, names in script order.
mix_args=() names=()
while read -r name weight; do
    case $name in ''|\#*) continue ;; esac
    mix_args+=(-f "$SHOP/mix/$name.sql@$weight")
    names+=("$name")
done <"$SHOP/mix.conf"
printf '%s\n' "${names[@]}" >"$OUT/classes"

pgb() {  # db pgbench-args...
    local db=$1; shift
    as_pg "$PG_BINDIR/pgbench" -h "$PGHOST" -p "$PGPORT" -U postgres -n -M simple -D scale="$SCALE" \
        -c "$CLIENTS" -j "$CLIENTS" --random-seed 7 "$@" "$db"
}

log "loading the shop (scale $SCALE) into a database with collation C.UTF-8"
q -d postgres -c "CREATE DATABASE shop_base TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8'"
q -d shop_base -f "$SHOP/schema.sql"
q -d shop_base -v scale="$SCALE" -f "$SHOP/load.sql"
q -d shop_base -c "VACUUM ANALYZE"
q -d shop_base -At -c "SELECT pg_size_pretty(pg_database_size(current_database()))" >"$OUT/data_size"

for cfg in $CONFIGS; do
    db=shop_$cfg
    q -d postgres -c "CREATE DATABASE $db TEMPLATE shop_base"
    q -d "$db" -c "CREATE EXTENSION pothos_perf"
    case $cfg in
        pothos1) q -d postgres -c "ALTER DATABASE $db SET pothos_perf.advisor_sample_rate = 1" ;;
        qualstats) q -d "$db" -c "CREATE EXTENSION pg_qualstats"
                   q -d postgres -c "ALTER DATABASE $db SET pg_qualstats.sample_rate = 1" ;;
    esac
    q -d "$db" -c "SELECT pothos_perf.reset(), pothos_perf.advisor_reset()" >/dev/null
    [ "$cfg" = qualstats ] && q -d "$db" -c "SELECT pg_qualstats_reset()" >/dev/null

    log "$db: one pass of the mix ($PASS transactions)"
    pgb "$db" -t $((PASS / CLIENTS)) "${mix_args[@]}" >"$OUT/$db.pass.txt" 2>&1

    : >"$OUT/$db.ddl"
    start=$(date +%s.%N)
    case $cfg in
        hand) grep -v '^--' "$SHOP/hand-indexes.sql" | sed '/^$/d' >"$OUT/$db.ddl" ;;
        pothos|pothos1)
            q -d "$db" -F $'\t' -c "
                SELECT index_ddl, estimated_size_bytes, round(improvement_pct::numeric, 1), affected_queries,
                       round(write_cost::numeric, 1), reason
                  FROM pothos_perf.recommend_indexes(10)" >"$OUT/$db.advice.tsv"
            cut -f1 "$OUT/$db.advice.tsv" | sed 's/$/;/' >"$OUT/$db.ddl"
            q -d "$db" -F $'\t' -c "SELECT kind, count(*) FROM pothos_perf.advisor_predicates GROUP BY 1 ORDER BY 1" \
                >"$OUT/$db.collected.tsv" ;;
        qualstats)
            q -d "$db" -c "SELECT json_array_elements_text(pg_qualstats_index_advisor() -> 'indexes')" \
                >"$OUT/$db.advice.raw"
            awk '!seen[$0]++ { print $0 ";" }' "$OUT/$db.advice.raw" >"$OUT/$db.ddl" ;;
    esac
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }' >"$OUT/$db.advice_seconds"
    # The timed run measures the indexes, not the collection: every database
    # runs it at the cluster's settings (pothos_perf's defaults, pg_qualstats
    # not sampling).
    q -d postgres -c "ALTER DATABASE $db RESET ALL"
    while IFS= read -r stmt; do
        [ -n "$stmt" ] || continue
        log "$db: $stmt"
        q -d "$db" -c "$stmt"
    done <"$OUT/$db.ddl"
    q -d "$db" -c "VACUUM ANALYZE" -c "CHECKPOINT"
    q -d "$db" -At -c "SELECT count(*), coalesce(sum(pg_relation_size(indexrelid)), 0) FROM pg_stat_user_indexes
                        WHERE indexrelname NOT LIKE '%_pkey'" >"$OUT/$db.indexes"

    log "$db: timed run ($TXNS transactions, $CLIENTS clients)"
    pgb "$db" -t $((TXNS / CLIENTS)) "${mix_args[@]}" >"$OUT/$db.run.txt" 2>&1

    log "$db: WAL per inserted event row"
    q -d "$db" -c "CHECKPOINT"
    before=$(q -d "$db" -c "SELECT pg_current_wal_lsn()")
    as_pg "$PG_BINDIR/pgbench" -h "$PGHOST" -p "$PGPORT" -U postgres -n -M simple -D scale="$SCALE" \
        -c 1 -t "$WAL_BATCHES" --random-seed 7 -f "$SHOP/mix/events_insert.sql" "$db" >"$OUT/$db.wal.txt" 2>&1
    q -d "$db" -c "SELECT round(pg_wal_lsn_diff(pg_current_wal_lsn(), '$before') / ($WAL_BATCHES * 100.0), 1)" \
        >"$OUT/$db.wal_per_row"
done

"$HERE/shop-report.sh" "$OUT" | tee "$OUT/report.md"
log "results in $OUT"
