#!/usr/bin/env bash
# scripts/test-prometheus.sh -- a real Prometheus scraping a fleet.
#
# Starts, in a temporary directory, as the unprivileged postgres OS user: a
# primary and a streaming standby (pg_basebackup -R), both with pothos_perf
# preloaded and their own pothos_perf.metrics_listen port; a client-library
# process (tools/client-exporter, reads on the standby, writes on the primary)
# serving client.metrics_text(); and Debian's prometheus with the fleet scrape
# configuration and the rules of docs/metrics.md. Then asserts through
# Prometheus's HTTP query API:
#   - every target is up;
#   - every series of the EXPECTED table below is present on every instance
#     of its job, with each listed label non-empty on every series;
#   - every recording and alerting rule of docs/metrics.md loaded and
#     evaluated without error, and each recording rule produced a series;
#   - every panel query of the Grafana dashboard (docs/grafana/) returns data.
# promtool checks the generated configuration and rules first.
#
# Everything is stopped by its own pid / pg_ctl on exit, also on failure.
# Needs: prometheus, promtool, curl, jq; the extension installed; the CMake
# tree built in build/ (POTHOS_BUILD_DIR to use another).
source "$(dirname "$0")/lib.sh"

BUILD=${POTHOS_BUILD_DIR:-$POTHOS_ROOT/build}
METRICS_DOC=$POTHOS_ROOT/docs/metrics.md
DASHBOARD=$POTHOS_ROOT/docs/grafana/pothos_perf.json

# The series each job must export, per instance. Names are those of the
# specification's metrics section (plus the extension's own gauges); a
# histogram is checked through its _bucket series (labels besides "le").
# labels: comma separated, each must be non-empty on every series; "-" none.
EXPECTED=$(cat <<'TABLE'
# job           series                                                     labels
pothos_perf     pothos_database_connections_active                         -
pothos_perf     pothos_database_connections_idle                           -
pothos_perf     pothos_database_query_duration_seconds_bucket              operation,model,le
pothos_perf     pothos_database_queries_total                              operation,model,status
pothos_perf     pothos_database_slow_queries_total                         threshold
pothos_perf     pothos_database_n_plus_one_findings                        -
pothos_perf     pothos_database_n_plus_one_round_trips_saved               -
pothos_client   pothos_database_connections_active                         pool
pothos_client   pothos_database_connections_idle                           pool
pothos_client   pothos_database_query_duration_seconds_bucket              operation,model,le
pothos_client   pothos_database_queries_total                              operation,model,status
pothos_client   pothos_database_slow_queries_total                         threshold
pothos_client   pothos_database_pool_acquisition_duration_seconds_bucket   le
TABLE
)

WORK=""; PROM_PID=""; EXPORTER_PID=""; PRIMARY_DATA=""; STANDBY_DATA=""
cleanup() {
    local rc=$?
    local pid
    for pid in "$EXPORTER_PID" "$PROM_PID"; do
        if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    done
    cluster_stop "$STANDBY_DATA"
    cluster_stop "$PRIMARY_DATA"
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        if [ $rc != 0 ]; then
            for f in "$WORK"/*.log "$WORK"/standby/*.log; do
                [ -f "$f" ] && { echo "--- $f (last lines)" >&2; tail -n 20 "$f" >&2; }
            done
        fi
        rm -rf "$WORK"
    fi
    exit $rc
}
trap cleanup EXIT

for tool in prometheus promtool curl jq; do
    command -v $tool >/dev/null || die "$tool missing (Debian packages prometheus, curl, jq)"
done
EXPORTER=$BUILD/tools/client-exporter/pothos-client-exporter
cmake --build "$BUILD" -j2 --target pothos-client-exporter >/dev/null
[ -x "$EXPORTER" ] || die "no $EXPORTER (scripts/test.sh builds it)"

WORK=$(make_pg_tmpdir)
PRIMARY_METRICS=$(free_port 19187)
cluster_start "$WORK" "compute_query_id = auto" "wal_level = replica" "max_wal_senders = 4" \
    "hot_standby = on" "pothos_perf.metrics_listen = '$PRIMARY_METRICS'" \
    "pothos_perf.metrics_database = 'postgres'"
PRIMARY_DATA=$POTHOS_PGDATA
PRIMARY_PORT=$PGPORT
psql() { as_pg "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d postgres "$@"; }
psql -p "$PRIMARY_PORT" -c "CREATE EXTENSION pothos_perf" \
    -c "CREATE TABLE fleet_items (id int PRIMARY KEY, name text)" \
    -c "INSERT INTO fleet_items SELECT g, 'item ' || g FROM generate_series(1, 100) g"

# The standby: a base backup of the primary with its own ports.
STANDBY_METRICS=$(free_port $((PRIMARY_METRICS + 1)))
standby_start "$WORK/standby" "pothos_perf.metrics_listen = '$STANDBY_METRICS'"
STANDBY_DATA=$STANDBY_PGDATA
log "primary 127.0.0.1:$PRIMARY_PORT (metrics $PRIMARY_METRICS), standby 127.0.0.1:$STANDBY_PORT (metrics $STANDBY_METRICS)"

# A workload on each server, run by psql (the servers' own series).
for i in 1 2 3; do
    psql -p "$PRIMARY_PORT" -c "UPDATE fleet_items SET name = name WHERE id = $i" \
        -c "SELECT name FROM fleet_items WHERE id = $i" >/dev/null
done
psql -p "$PRIMARY_PORT" -c "SELECT * FROM fleet_no_such_table" >/dev/null 2>&1 || true
wait_replayed
for i in 1 2 3; do psql -p "$STANDBY_PORT" -c "SELECT name FROM fleet_items WHERE id = $i" >/dev/null; done

# The application: the client library, reads on the standby.
EXPORTER_PORT=$(free_port $((STANDBY_METRICS + 1)))
DATABASE_URL="postgresql://postgres@127.0.0.1:$PRIMARY_PORT/postgres" \
DATABASE_REPLICA_URLS="postgresql://postgres@127.0.0.1:$STANDBY_PORT/postgres" \
DB_LOG_SLOW_QUERIES=off \
    "$EXPORTER" --port "$EXPORTER_PORT" --interval-ms 200 >"$WORK/exporter.log" 2>&1 &
EXPORTER_PID=$!

# Prometheus: the fleet configuration of docs/metrics.md with this run's
# addresses, a 1 s interval, and the rules of docs/metrics.md.
yaml_block() {  # the first ```yaml block of docs/metrics.md containing a line matching $1
    awk -v want="$1" '/^```yaml[[:space:]]*$/ { y = 1; keep = 0; buf = ""; next }
                      y && /^```/ { y = 0; if (keep) { printf "%s", buf; exit } next }
                      y { if ($0 ~ want) keep = 1; buf = buf $0 "\n" }' "$METRICS_DOC"
}
yaml_block '^groups:' >"$WORK/pothos_perf.rules.yml"
[ -s "$WORK/pothos_perf.rules.yml" ] || die "docs/metrics.md has no rules block"
yaml_block 'job_name: pothos_client' \
    | sed -e "s/pg-primary:9187/127.0.0.1:$PRIMARY_METRICS/" -e "s/pg-standby:9187/127.0.0.1:$STANDBY_METRICS/" \
          -e "s/todo-api:9400/127.0.0.1:$EXPORTER_PORT/" -e 's/_interval: 15s/_interval: 1s/' \
          -e 's/scrape_timeout: 5s/scrape_timeout: 1s/' >"$WORK/prometheus.yml"
echo "rule_files: ['$WORK/pothos_perf.rules.yml']" >>"$WORK/prometheus.yml"
grep -q "127.0.0.1:$EXPORTER_PORT" "$WORK/prometheus.yml" || die "the fleet configuration's targets changed"
promtool check config "$WORK/prometheus.yml" >"$WORK/promtool.log" 2>&1 \
    || { cat "$WORK/promtool.log" >&2; die "promtool check config failed"; }
promtool check rules "$WORK/pothos_perf.rules.yml" >>"$WORK/promtool.log" 2>&1 \
    || { cat "$WORK/promtool.log" >&2; die "promtool check rules failed"; }

PROM_PORT=$(free_port $((EXPORTER_PORT + 1)))
PROM=http://127.0.0.1:$PROM_PORT
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!
for _ in $(seq 100); do curl -fs "$PROM/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$PROM/-/ready" >/dev/null || die "prometheus did not become ready"

query() {  # PromQL -> the JSON result array
    local body
    body=$(curl -fsS --get --data-urlencode "query=$1" "$PROM/api/v1/query") || return 1
    jq -e -c 'select(.status == "success") | .data.result' <<<"$body"
}

# All targets up, then enough scrapes for rate() (two samples a window).
n_targets=$(grep -c "targets:" "$WORK/prometheus.yml")
for _ in $(seq 30); do
    up=$(query 'sum(up)' | jq -r '.[0].value[1] // 0') || up=0
    [ "$up" = "$n_targets" ] && break
    sleep 1
done
failed=0
fail() { log "FAIL $*"; failed=$((failed + 1)); }
ok() { log "ok   $*"; }

# A target down is a failure; the checks below still run, to say what is missing.
while read -r url health err; do
    [ "$health" = up ] && ok "target $url up" || fail "target $url $health: $err"
done < <(curl -fsS "$PROM/api/v1/targets" | jq -r '.data.activeTargets[] | "\(.scrapeUrl) \(.health) \(.lastError)"')
log "waiting for scrapes and rule evaluations"
sleep 6

# The instances of each job: every target configured for it, up or not.
instances() { query "up{job=\"$1\"}" | jq -r '[.[].metric.instance] | sort | join(" ")'; }

while read -r job series labels; do
    case $job in ''|'#'*) continue ;; esac
    want=$(instances "$job")
    [ -n "$want" ] || { fail "$job: no instances"; continue; }
    selector="job=\"$job\""
    if [ "$labels" != - ]; then
        IFS=, read -ra ls <<<"$labels"
        for l in "${ls[@]}"; do selector+=",$l!=\"\""; done
    fi
    all=$(query "count by (instance) ($series{job=\"$job\"})") || { fail "$job $series: query failed"; continue; }
    labelled=$(query "count by (instance) ($series{$selector})") || { fail "$job $series: query failed"; continue; }
    got=$(jq -r '[.[].metric.instance] | sort | join(" ")' <<<"$labelled")
    if [ "$got" != "$want" ]; then
        fail "$job $series{$labels}: on instances [$got], want [$want]"
    elif [ "$(jq -c 'sort_by(.metric.instance) | map(.value[1])' <<<"$all")" != \
           "$(jq -c 'sort_by(.metric.instance) | map(.value[1])' <<<"$labelled")" ]; then
        fail "$job $series: some series lack a label of ($labels)"
    else
        ok "$job $series{$labels} on [$got]"
    fi
done <<<"$EXPECTED"

# Rules: loaded, evaluated, healthy; recording rules produce series.
rules=$(curl -fsS "$PROM/api/v1/rules" | jq -c '[.data.groups[].rules[]]')
n_doc=$(grep -cE '^[[:space:]]*- (record|alert):' "$WORK/pothos_perf.rules.yml")
n_loaded=$(jq 'length' <<<"$rules")
[ "$n_loaded" = "$n_doc" ] && [ "$n_doc" -gt 0 ] && ok "$n_loaded rules of docs/metrics.md loaded" \
    || fail "rules loaded: $n_loaded, in docs/metrics.md: $n_doc"
while IFS=$'\t' read -r name health last err; do
    if [ "$health" = ok ] && [ "${last#0001-}" = "$last" ]; then ok "rule $name evaluated ($health)"
    else fail "rule $name: health $health, last evaluation $last, error: $err"; fi
done < <(jq -r '.[] | [.name, .health, .lastEvaluation, (.lastError // "")] | @tsv' <<<"$rules")
for r in $(jq -r '.[] | select(.type == "recording") | .name' <<<"$rules"); do
    n=$(query "$r" | jq 'length')
    [ "$n" -gt 0 ] && ok "recording rule $r: $n series" || fail "recording rule $r: no series"
done

# The Grafana dashboard: every panel's queries return data.
if [ ! -f "$DASHBOARD" ]; then
    fail "no dashboard $DASHBOARD"
else
    n_panels=0
    while IFS=$'\t' read -r title expr; do
        n_panels=$((n_panels + 1))
        expr=${expr//\$__rate_interval/1m}
        result=$(query "$expr") || result=error
        # a query of one job must have data for each of its instances
        job=$(grep -oE 'job="[a-z_]+"' <<<"$expr" | head -1 | cut -d'"' -f2 || true)
        want=${job:+$(instances "$job")}
        if [ "$result" = error ] || [ "$(jq 'length' <<<"$result")" = 0 ]; then
            fail "panel \"$title\": no data for $expr"
        elif [ -n "$want" ] && [ "$(jq -r '[.[].metric.instance] | unique | join(" ")' <<<"$result")" != "$want" ]; then
            fail "panel \"$title\": data for [$(jq -r '[.[].metric.instance] | unique | join(" ")' <<<"$result")], want [$want]"
        else
            ok "panel \"$title\": $(jq 'length' <<<"$result") series${want:+ on [$want]}"
        fi
    done < <(jq -r '.panels[] | select(.targets) | .title as $t | .targets[] | [$t, .expr] | @tsv' "$DASHBOARD")
    [ "$n_panels" -ge 6 ] || fail "dashboard: $n_panels panel queries, want at least 6"
fi

[ "$failed" = 0 ] || die "$failed check(s) failed"
log "prometheus fleet checks passed"
