#!/usr/bin/env bash
# scripts/demo.sh -- the main job: what pothos_perf finds in a GraphQL-style
# todo API, and what fixing it is worth, measured on this machine.
#
#  1. builds and installs the extension (PGXS) and the CMake tree: the client
#     library, the pothos-perf command when present, the todo-demo app;
#  2. starts a throwaway cluster with the extension preloaded, migrates and
#     seeds the todo schema (examples/todo);
#  3. phase 1: the app's naive resolvers (one query per parent row, siblings
#     concurrently over a connection pool, every request tagged);
#  4. the report: top statements, slow queries, N+1 findings with their
#     batched rewrite, index recommendations;
#  5. applies the recommended indexes and runs phase 1 again (before/after);
#  6. phase 2: the same requests with DataLoaders; shows that it has no N+1
#     finding and how many round trips it saved.
#
# Environment: POTHOS_DEMO_QUICK=1 (small and short, for CI),
# POTHOS_DEMO_SCALE (data size; 1 = 40k users, 100k lists, 400k todos),
# POTHOS_DEMO_REQUESTS (requests per phase), POTHOS_DEMO_CONCURRENCY
# (requests at a time), POTHOS_DEMO_POOL (connections), POTHOS_DEMO_BUILD
# (CMake build directory, default build-demo), POTHOS_DEMO_CLI=0 (report,
# migrate and apply with psql even when pothos-perf is built).
source "$(dirname "$0")/lib.sh"

DEMO_START=$(date +%s.%N)
if [ "${POTHOS_DEMO_QUICK:-0}" = 1 ]; then
    def_scale=0.1 def_requests=40 def_slow_ms=2
else
    def_scale=1 def_requests=150 def_slow_ms=20
fi
SCALE=${POTHOS_DEMO_SCALE:-$def_scale}
REQUESTS=${POTHOS_DEMO_REQUESTS:-$def_requests}
CONCURRENCY=${POTHOS_DEMO_CONCURRENCY:-4}
POOL=${POTHOS_DEMO_POOL:-8}
SLOW_MS=${POTHOS_DEMO_SLOW_MS:-$def_slow_ms}
BUILD=${POTHOS_DEMO_BUILD:-$POTHOS_ROOT/build-demo}

WORK=""
cleanup() {
    local rc=$?
    cluster_stop || true
    [ -n "$WORK" ] && rm -rf "$WORK"
    [ $rc -ne 0 ] && log "demo failed (exit $rc)"
    exit $rc
}
trap cleanup EXIT

section() { printf '\n== %s\n' "$*"; }
q() { psql -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"; }   # on the todo database
qv() { psql -X -q -v ON_ERROR_STOP=1 -At "$@"; }            # one value

# ---- 1. build and install ---------------------------------------------------
install_packages
build_extension
log "building the client library, the command line and the demo app in $BUILD"
cmake -S "$POTHOS_ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPOTHOS_BUILD_TESTS=OFF -DPOTHOS_BUILD_BENCHMARKS=OFF >/dev/null
# Only what the demo runs (and installs): the app with the client library, and
# the pothos-perf command when the tree has it. Without a working pothos-perf
# the demo reports, migrates and applies with psql.
cmake --build "$BUILD" -j2 --target todo-demo >/dev/null
APP=$BUILD/examples/todo/app/todo-demo
[ -x "$APP" ] || die "the demo app was not built ($APP)"
CLI="" cli_built=1
if [ -f "$POTHOS_ROOT/src/cli/CMakeLists.txt" ]; then
    if cmake --build "$BUILD" -j2 --target pothos-perf >"$BUILD/pothos-perf-build.log" 2>&1; then
        [ "${POTHOS_DEMO_CLI:-1}" = 1 ] && CLI=$BUILD/src/cli/pothos-perf
    else
        cli_built=0
        log "pothos-perf did not build (see $BUILD/pothos-perf-build.log); using psql instead"
    fi
fi
if [ "$(id -u)" = 0 ] && [ $cli_built = 1 ]; then cmake --install "$BUILD" >/dev/null; fi

# ---- 2. cluster, schema, data -------------------------------------------------
WORK=$(make_pg_tmpdir)
cluster_start "$WORK" "shared_buffers = '256MB'" "max_connections = 60" \
    "pothos_perf.slow_query_threshold = '${SLOW_MS}ms'" "pothos_perf.track_planning = on"
psql -X -q -d postgres -c "CREATE DATABASE todo" >/dev/null
# Two-dot parameters cannot go into postgresql.conf: set them on the database.
# The advisor inspects every 4th execution (default 1 in 20) so that a short
# run gives it evidence; the N+1 thresholds stay at their defaults.
psql -X -q -d postgres -c "ALTER DATABASE todo SET pothos_perf.advisor_sample_rate = 0.25" >/dev/null
export PGDATABASE=todo
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/todo"

migrated=0
if [ -n "$CLI" ] && compgen -G "$POTHOS_ROOT/examples/todo/migrations/*.sql" >/dev/null; then
    log "migrating with pothos-perf db migrate"
    if "$CLI" db migrate --dir "$POTHOS_ROOT/examples/todo/migrations"; then
        migrated=1
    else
        log "pothos-perf db migrate failed; creating the schema with examples/todo/schema.sql"
    fi
fi
[ $migrated = 1 ] || qv -f "$POTHOS_ROOT/examples/todo/schema.sql"
log "seeding the todo data (scale $SCALE)"
qv -v scale="$SCALE" -f "$POTHOS_ROOT/examples/todo/seed.sql" >/dev/null
qv -c "SELECT format('data: %s users, %s lists, %s todos', (SELECT count(*) FROM users),
               (SELECT count(*) FROM todo_lists), (SELECT count(*) FROM todos))"
qv -c "CREATE EXTENSION pothos_perf" \
   -c "SELECT pothos_perf.reset(), pothos_perf.n_plus_one_reset(), pothos_perf.slow_queries_reset(),
              pothos_perf.advisor_reset()" >/dev/null

# ---- the app ------------------------------------------------------------------
# run_phase LABEL PHASE: runs the app, prints its summary, keeps its RESULT line.
declare -A WALL STMTS P50 P95 DIGEST
run_phase() {
    local label=$1 phase=$2 out
    out=$("$APP" --phase "$phase" --label "$label" --requests "$REQUESTS" \
        --concurrency "$CONCURRENCY" --pool "$POOL") || die "todo-demo failed in phase $label"
    grep -v '^RESULT ' <<<"$out"
    local line k v
    line=$(grep '^RESULT ' <<<"$out")
    for kv in $line; do
        k=${kv%%=*} v=${kv#*=}
        case $k in
            wall_s) WALL[$label]=$v ;; statements) STMTS[$label]=$v ;;
            p50_ms) P50[$label]=$v ;; p95_ms) P95[$label]=$v ;; digest) DIGEST[$label]=$v ;;
        esac
    done
}

# Query texts without the request tags, on one line.
clean() { echo "regexp_replace(regexp_replace($1, '\s*/\*.*?\*/\s*', ' ', 'g'), '\s+', ' ', 'g')"; }

n_plus_one_findings() {  # the N+1 findings of this database, one block each
    qv -c "
    SELECT format(E'N+1 FINDING %s: %s\n    repeated:  %s\n    parent:    %s\n    seen in %s units of work, up to %s times in one, %s times per parent row\n    batched:   %s\n    advice:    %s',
                  row_number() OVER (ORDER BY wasted_time_ms DESC), kind,
                  trim($(clean query)), coalesce(trim($(clean parent_query)), '-'),
                  occurrences, max_repeats, round(repeats_per_parent_row::numeric, 1),
                  coalesce(suggested_query, '-'), coalesce(suggestion, '-'))
      FROM pothos_perf.n_plus_one
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     ORDER BY wasted_time_ms DESC"
}

report_psql() {
    section "Top statements by total time (pothos_perf.statements; ms)"
    q -c "
    SELECT left(trim($(clean query)), 72) AS query, calls,
           round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
           round(p50_exec_time::numeric, 3) AS p50_ms, round(p95_exec_time::numeric, 3) AS p95_ms,
           round(p99_exec_time::numeric, 3) AS p99_ms, rows
      FROM pothos_perf.statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'todo') AND calls > 0
       AND query !~* 'pothos_perf|^\s*(CREATE|ALTER|VACUUM|SET|ANALYZE|SELECT setval)'
     ORDER BY total_exec_time DESC LIMIT 8"
    section "Slow queries (at or above ${SLOW_MS} ms; pothos_perf.slow_queries)"
    q -c "
    SELECT left(trim($(clean query)), 60) AS query, execution_count AS slow_runs,
           round(duration_ms::numeric, 1) AS slowest_ms, round(average_duration_ms::numeric, 1) AS avg_ms,
           left(recommendations[1], 70) AS first_recommendation
      FROM pothos_perf.get_slow_queries(max_rows => 10)
     WHERE query !~ 'pothos_perf' LIMIT 5"
    section "N+1 findings (pothos_perf.n_plus_one)"
    n_plus_one_findings
    section "Index recommendations (pothos_perf.index_recommendations)"
    q -c "
    SELECT table_name, array_to_string(columns, ', ') AS columns,
           round(improvement_pct::numeric) AS cost_cut_pct, affected_queries AS statements,
           pg_size_pretty(estimated_size_bytes) AS est_size, left(reason, 60) AS reason
      FROM pothos_perf.index_recommendations ORDER BY improvement_pct DESC"
}

# ---- 3. phase 1: naive resolvers ------------------------------------------------
section "Phase 1: naive resolvers (one query per parent row)"
run_phase naive naive

# ---- 4. the report ----------------------------------------------------------------
if [ -n "$CLI" ] && "$CLI" report >"$WORK/report.txt" 2>"$WORK/report.err"; then
    section "pothos-perf report"
    cat "$WORK/report.txt"
    section "N+1 findings with their batched query (pothos_perf.n_plus_one)"
    n_plus_one_findings
else
    [ -n "$CLI" ] && log "pothos-perf report failed ($(head -c 300 "$WORK/report.err")); reporting with psql"
    report_psql
fi
nfind=$(qv -c "SELECT count(*) FROM pothos_perf.n_plus_one WHERE kind = 'n_plus_one'")
# A repeat is an execution of the child: no finding may count more repeats
# than its statement's calls, nor more time than its total execution time.
overcounted=$(qv -c "
    SELECT count(*) FROM pothos_perf.n_plus_one n
      JOIN (SELECT userid, dbid, queryid, sum(calls) AS calls, sum(total_exec_time) AS total_exec_time
              FROM pothos_perf.statements GROUP BY 1, 2, 3) s USING (userid, dbid, queryid)
     WHERE n.total_repeats > s.calls OR n.wasted_time_ms > s.total_exec_time * 1.001 + 0.01")
echo "N+1 counts: $overcounted findings over-counted (repeats above the child's calls or time)"

# ---- 5. apply the recommended indexes ---------------------------------------------
section "Applying the recommended indexes"
mapfile -t DDL < <(qv -c "SELECT index_ddl FROM pothos_perf.index_recommendations ORDER BY improvement_pct DESC")
[ ${#DDL[@]} -gt 0 ] || log "the advisor recommended no index"
applied=0
if [ ${#DDL[@]} -gt 0 ] && [ -n "$CLI" ] && "$CLI" advise --apply --yes >"$WORK/advise.txt" 2>&1; then
    cat "$WORK/advise.txt"
    applied=1
    for d in "${DDL[@]}"; do echo "INDEX RECOMMENDATION applied: $d"; done
fi
if [ $applied = 0 ]; then
    for d in "${DDL[@]}"; do
        t0=$(date +%s.%N)
        qv -c "$d"
        echo "INDEX RECOMMENDATION applied: $d ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f s", b-a}'))"
    done
fi
qv -c "ANALYZE todos, todo_lists, users"

section "Phase 1 again, with the indexes"
qv -c "SELECT pothos_perf.n_plus_one_reset()" >/dev/null
run_phase naive-indexed naive

# ---- 6. phase 2: DataLoader resolvers ------------------------------------------------
qv -c "SELECT pothos_perf.n_plus_one_reset()" >/dev/null
section "Phase 2: DataLoader resolvers (one batched query per level)"
run_phase dataloader dataloader
after=$(qv -c "SELECT count(*) FROM pothos_perf.n_plus_one
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")
section "N+1 findings after the DataLoader phase: $after"
[ "$after" = 0 ] || n_plus_one_findings

# ---- summary -------------------------------------------------------------------------
section "Summary ($REQUESTS requests per run, $CONCURRENCY at a time, scale $SCALE)"
printf '%-34s %12s %10s %10s %10s\n' "run" "round trips" "wall s" "p50 ms" "p95 ms"
for l in naive naive-indexed dataloader; do
    case $l in
        naive) name="naive, no indexes" ;; naive-indexed) name="naive, recommended indexes" ;;
        dataloader) name="DataLoader, recommended indexes" ;;
    esac
    printf '%-34s %12s %10s %10s %10s\n' "$name" "${STMTS[$l]}" "${WALL[$l]}" "${P50[$l]}" "${P95[$l]}"
done
awk -v a="${WALL[naive]}" -v b="${WALL[naive-indexed]}" \
    'BEGIN { printf "indexes: workload time %.3f s -> %.3f s (%.1fx faster)\n", a, b, (b > 0 ? a / b : 0) }'
saved=$(( STMTS[naive-indexed] - STMTS[dataloader] ))
awk -v a="${STMTS[naive-indexed]}" -v b="${STMTS[dataloader]}" -v wa="${WALL[naive-indexed]}" -v wb="${WALL[dataloader]}" \
    'BEGIN { printf "DataLoader: %d round trips instead of %d (%d saved, %.0f%%); wall time %.3f s -> %.3f s\n",
             b, a, a - b, 100 * (a - b) / a, wa, wb }'
if [ "${DIGEST[naive]}" = "${DIGEST[dataloader]}" ] && [ "${DIGEST[naive]}" = "${DIGEST[naive-indexed]}" ]; then
    echo "responses: identical in all three runs (digest ${DIGEST[naive]})"
else
    echo "responses: DIFFER between runs (${DIGEST[naive]} ${DIGEST[naive-indexed]} ${DIGEST[dataloader]})"
fi
echo "N+1 findings: $nfind in phase 1 (naive), $after in phase 2 (DataLoader); round trips saved: $saved"
awk -v s="$DEMO_START" -v e="$(date +%s.%N)" 'BEGIN { printf "demo finished in %.0f s\n", e - s }'
