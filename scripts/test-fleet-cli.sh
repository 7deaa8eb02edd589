#!/usr/bin/env bash
# scripts/test-fleet-cli.sh -- pothos-perf over several servers (-d repeated).
#
# Starts a primary and a streaming standby (pg_basebackup -R) as the
# unprivileged postgres OS user on free loopback ports, runs a known workload
# on each (the same lookup on both, an N+1 loop on the standby), then checks
# report, top, n-plus-one and advise given both servers: statements merged
# by query id with each server's own calls, findings per server,
# recommendations once and addressed to the primary, advise --apply creating
# the index on the primary only (the standby replays it), the HTML report
# valid XML with a column per server, and a usage error for commands that
# take one server. Both servers are stopped by their own pg_ctl on exit.
source "$(dirname "$0")/lib.sh"

BUILD=${POTHOS_BUILD_DIR:-$POTHOS_ROOT/build}
PERF=$BUILD/src/cli/pothos-perf
WORK=""; STANDBY_PGDATA=""
trap stop_cluster_and_clean EXIT

command -v jq >/dev/null || die "jq missing (Debian package jq)"
command -v xmllint >/dev/null || die "xmllint missing (Debian package libxml2-utils)"
cmake --build "$BUILD" -j2 --target pothos-perf >/dev/null
[ -x "$PERF" ] || die "no $PERF (scripts/test.sh builds it)"

WORK=$(make_pg_tmpdir)
cluster_start "$WORK" "compute_query_id = auto" "wal_level = replica" "max_wal_senders = 4" \
    "hot_standby = on" "pothos_perf.n_plus_one_min_occurrences = 1"
PRIMARY_PORT=$PGPORT
psql() { as_pg "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres "$@"; }
psql -p "$PRIMARY_PORT" -c "CREATE EXTENSION pothos_perf" \
    -c "CREATE TABLE fleet_parent (id int PRIMARY KEY, name text NOT NULL)" \
    -c "CREATE TABLE fleet_items (id int PRIMARY KEY, parent_id int NOT NULL, code text NOT NULL, v text)" \
    -c "INSERT INTO fleet_parent SELECT g, 'p' || g FROM generate_series(1, 20) g" \
    -c "INSERT INTO fleet_items SELECT g, 1 + g % 20, 'c' || g, md5(g::text) FROM generate_series(1, 50000) g" \
    -c "ANALYZE fleet_parent, fleet_items"
standby_start "$WORK/standby"
wait_replayed

PRIMARY="postgresql://postgres@127.0.0.1:$PRIMARY_PORT/postgres"
STANDBY="postgresql://postgres@127.0.0.1:$STANDBY_PORT/postgres"
P_NAME="127.0.0.1:$PRIMARY_PORT/postgres"
S_NAME="127.0.0.1:$STANDBY_PORT/postgres"
for url in "$PRIMARY" "$STANDBY"; do
    psql -d "$url" -c "SELECT pothos_perf.reset(), pothos_perf.slow_queries_reset(), pothos_perf.n_plus_one_reset()" \
        >/dev/null
done

# The same sequential-scan lookup on both: 4 calls on the primary, 6 on the standby.
lookups() {  # url count
    local i
    for i in $(seq "$2"); do echo "SELECT v FROM fleet_items WHERE code = 'c$i';"; done | psql -d "$1" >/dev/null
}
lookups "$PRIMARY" 4
lookups "$STANDBY" 6
# an N+1 loop on the standby only: a parent query, then one lookup per parent row
n_plus_one_sql fleet_parent fleet_items | psql -d "$STANDBY" >/dev/null

failed=0
fail() { log "FAIL $*"; failed=$((failed + 1)); }
ok() { log "ok   $*"; }
check() {  # description jq-filter json: the filter must print true
    if [ "$(jq -r "$2" <<<"$3")" = true ]; then ok "$1"; else fail "$1"; echo "$3" | head -c 3000 >&2; fi
}
perf() { "$PERF" --no-color "$@"; }

# top: merged by query id, each server's calls
top=$(perf -d "$PRIMARY" -d "$STANDBY" top --json)
check "top: both servers, with their roles" \
    "[.servers[] | [.name, .role]] == [[\"$P_NAME\", \"primary\"], [\"$S_NAME\", \"standby\"]]" "$top"
lookup='.statements[] | select(.query | test("FROM fleet_items WHERE code ="))'
check "top: the lookup once, 4 + 6 calls" "[$lookup] | length == 1 and .[0].calls == 10" "$top"
check "top: the lookup's calls per server" \
    "[$lookup | .servers[] | [.server, .calls]] == [[\"$P_NAME\", 4], [\"$S_NAME\", 6]]" "$top"
check "top: the N+1 lookup on the standby only" \
    "[.statements[] | select(.query | test(\"FROM fleet_items WHERE id =\")) | .servers[].server] == [\"$S_NAME\"]" "$top"
text=$(perf -d "$PRIMARY $STANDBY" top)
if grep -qF "$P_NAME" <<<"$text" && grep -qF "$S_NAME" <<<"$text"; then ok "top (a -d list): a column per server"
else fail "top text has no column per server"; echo "$text" >&2; fi

# n-plus-one: findings per server
np=$(perf -d "$PRIMARY" -d "$STANDBY" n-plus-one --json)
check "n-plus-one: findings per server, the loop on the standby" \
    "[.findings[] | [.server, (.findings | map(select(.query | test(\"fleet_items WHERE id\"))) | length)]] == [[\"$P_NAME\", 0], [\"$S_NAME\", 1]]" \
    "$np"

# advise: one recommendation, addressed to the primary
adv=$(perf -d "$PRIMARY" -d "$STANDBY" advise --json)
check "advise: addressed to the primary" ".apply_on == \"$P_NAME\"" "$adv"
check "advise: the index on fleet_items (code) once" \
    '[.recommendations[] | select(.table_name | test("fleet_items")) | select(.columns == ["code"])] | length == 1' "$adv"
check "advise: recommended from the workload of both servers" \
    "[.recommendations[] | select(.columns == [\"code\"]) | .recommended_on] == [[\"$P_NAME\", \"$S_NAME\"]]" "$adv"

# report: text, JSON, HTML
rep=$(perf -d "$PRIMARY" -d "$STANDBY" report --json --html "$WORK/fleet.html")
check "report: servers, merged statements, findings and health per server" \
    "(.servers | length) == 2 and ([.per_server[].server] == [\"$P_NAME\", \"$S_NAME\"]) and ([.per_server[].health | type] == [\"object\", \"object\"]) and ([$lookup | .calls] == [10])" \
    "$rep"
if xmllint --noout "$WORK/fleet.html" 2>"$WORK/xmllint.log" \
   && grep -qF "<th>$S_NAME: total / calls</th>" "$WORK/fleet.html" \
   && grep -qF "To run on the primary <b>$P_NAME</b>" "$WORK/fleet.html"; then
    ok "report --html: valid XML, a column per server, recommendations for the primary"
else fail "report --html"; cat "$WORK/xmllint.log" >&2; fi
txt=$(perf -d "$PRIMARY" -d "$STANDBY" report)
grep -qF "$S_NAME (standby)" <<<"$txt" && grep -qF "to run on the primary $P_NAME" <<<"$txt" \
    && ok "report text: per-server sections, recommendations for the primary" || { fail "report text"; echo "$txt" >&2; }

# advise --apply: the index is created on the primary, and replayed on the standby
perf -d "$PRIMARY" -d "$STANDBY" advise --apply --yes --json >"$WORK/applied.json"
check "advise --apply: ran on the primary" '(.applied | length) >= 1' "$(cat "$WORK/applied.json")"
wait_replayed
n_idx() { psql -d "$1" -At -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'fleet_items' AND indexdef LIKE '%(code)%'"; }
[ "$(n_idx "$PRIMARY")" = 1 ] && [ "$(n_idx "$STANDBY")" = 1 ] \
    && ok "the index exists on the primary and, replayed, on the standby" \
    || fail "index on fleet_items (code): primary $(n_idx "$PRIMARY"), standby $(n_idx "$STANDBY")"

# one server only for the other commands
rc=0; perf -d "$PRIMARY" -d "$STANDBY" health >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] && ok "health with two servers: usage error" || fail "health with two servers: exit $rc, want 2"

[ "$failed" = 0 ] || die "$failed check(s) failed"
log "fleet checks passed"
