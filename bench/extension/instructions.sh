#!/usr/bin/env bash
# bench/extension/instructions.sh -- the per-statement cost of the hooks in
# CPU instructions, counted by valgrind's callgrind: repeatable whatever else
# the machine is doing (unlike time on a shared 2-core VM).
#
# A single-user backend (postgres --single, shared_preload_libraries applied)
# runs N and N/2 point SELECTs with different constants (simple protocol, as
# pgbench -S -M simple), and the same through PREPARE/EXECUTE (no parsing,
# cached plan, as pgbench -M prepared), and a prepared SELECT 1 (no table:
# what every hook costs when there is nothing to scan); (instructions(N) - instructions(N/2))
# / (N/2) is the cost of one statement with start-up cancelled out.
# Both simple scripts start with the same warm-up statement: without it the
# first statement's catalog lookups happen in an order that depends on the
# hooks (the N+1 detector's parse hook looks up operators before the
# planner does), the backend's heap is laid out differently, and the
# allocator's work per statement differs by ~200 instructions that no hook
# executes.
# Configurations: none, pg_stat_statements, pothos_perf, both, and
# pothos_perf with N+1 detection off; a configuration is
# name:libraries[:setting;setting...].
#
# Usage: bench/extension/instructions.sh   (root or the postgres OS user; ~3 min)
# Env: INS_N statements (4000), INS_CONFIGS (see below).
source "$(dirname "$0")/../../scripts/lib.sh"

N=${INS_N:-4000}
CONFIGS=${INS_CONFIGS:-"none:|pg_stat_statements:pg_stat_statements|pothos_perf:pothos_perf|both:pg_stat_statements,pothos_perf|pothos_perf, detection off:pothos_perf:pothos_perf.n_plus_one = off"}
command -v valgrind >/dev/null || die "valgrind is needed (apt-get install valgrind)"
DIR=$(make_pg_tmpdir)
trap 'rm -rf "$DIR"' EXIT

as_pg "$PG_BINDIR/initdb" -D "$DIR/data" -U postgres --auth=trust --no-instructions >/dev/null
echo "shared_preload_libraries = ''" | as_pg tee -a "$DIR/data/postgresql.conf" >/dev/null
echo "include_if_exists = 'bench.conf'" | as_pg tee -a "$DIR/data/postgresql.conf" >/dev/null
{
    echo "CREATE TABLE acc (aid int PRIMARY KEY, abalance int NOT NULL, filler char(84));"
    echo "INSERT INTO acc SELECT g, 0, '' FROM generate_series(1, 100000) g;"
    echo "VACUUM ANALYZE acc;"
} | as_pg "$PG_BINDIR/postgres" --single -D "$DIR/data" postgres >/dev/null 2>&1
# pair NAME: the script on stdin as NAMEfull.sql, and its first line plus
# the first half of its statements as NAMEhalf.sql.
pair() {
    as_pg tee "$DIR/${1}full.sql" >/dev/null
    head -n $((N / 2 + 1)) "$DIR/${1}full.sql" | as_pg tee "$DIR/${1}half.sql" >/dev/null
}
# Deterministic constants (a multiplicative hash of the line number).
awk -v n="$N" 'BEGIN { print "EXPLAIN SELECT abalance FROM acc WHERE aid = 0;"
    for (i = 1; i <= n; i++) printf "SELECT abalance FROM acc WHERE aid = %d;\n", (i * 7919) % 100000 + 1 }' | pair ""
awk -v n="$N" 'BEGIN { print "PREPARE p(int) AS SELECT abalance FROM acc WHERE aid = $1;"
    for (i = 1; i <= n; i++) printf "EXECUTE p(%d);\n", (i * 7919) % 100000 + 1 }' | pair p
awk -v n="$N" 'BEGIN { print "PREPARE s AS SELECT 1;"; for (i = 1; i <= n; i++) print "EXECUTE s;" }' | pair s1

count() {  # script -> instructions
    as_pg valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$PG_BINDIR/postgres" --single -D "$DIR/data" postgres <"$1" 2>&1 >/dev/null \
        | awk '/Collected/ { print $4 }'
}

per_statement() {  # pair NAME -> instructions of one statement
    echo $(( ($(count "$DIR/${1}full.sql") - $(count "$DIR/${1}half.sql")) / (N / 2) ))
}

printf '| configuration | simple: instructions per statement | added vs none | prepared: instructions per statement | added vs none | SELECT 1 prepared | added vs none |\n|---|---:|---:|---:|---:|---:|---:|\n'
base=""; pbase=""; sbase=""
IFS='|' read -r -a items <<<"$CONFIGS"
for item in "${items[@]}"; do
    name=${item%%:*}; rest=${item#*:}; libs=${rest%%:*}; settings=""
    [ "$rest" != "$libs" ] && settings=${rest#*:}
    as_pg sed -i "s/^shared_preload_libraries.*/shared_preload_libraries = '$libs'/" "$DIR/data/postgresql.conf"
    tr ';' '\n' <<<"$settings" | as_pg tee "$DIR/data/bench.conf" >/dev/null
    per=$(per_statement ""); pper=$(per_statement p); sper=$(per_statement s1)
    [ -n "$base" ] || { base=$per; pbase=$pper; sbase=$sper; }
    printf '| %s | %d | %+d | %d | %+d | %d | %+d |\n' "$name" "$per" $((per - base)) "$pper" $((pper - pbase)) "$sper" $((sper - sbase))
done
