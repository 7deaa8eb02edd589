#!/usr/bin/env bash
# scripts/test-browser.sh -- the HTML report (`pothos-perf report --html`) in
# headless Chromium.
#
# Starts a throwaway cluster and a streaming standby of it (postgres OS user,
# free loopback ports), runs a workload with something for each chart
# (statements, an N+1 loop on each server), writes the report of the primary
# and the report of both servers (-d twice), and opens a copy of each with
# two scripts of test/browser/
# injected (capture.js first in <head>, probe.js last in <body>) in
# `chromium --headless --dump-dom`. Fails when the page logged a console
# message, a script error or a failed load; when a chart is missing (fewer
# rendered <svg> than the report has, none with bars, fewer than three) or
# has no visible title; when the Health section is not a table of measures
# (the text report's, for one server; one table per server for two).
# A negative control (the same copy with a console.error and a missing image)
# must be caught, so the checks can fail. Keeps a screenshot of the report
# of each report in $POTHOS_ARTIFACT_DIR (default build/artifacts/).
source "$(dirname "$0")/lib.sh"

BUILD=${POTHOS_BUILD_DIR:-$POTHOS_ROOT/build}
ARTIFACTS=${POTHOS_ARTIFACT_DIR:-$BUILD/artifacts}
PERF=$BUILD/src/cli/pothos-perf
WORK=""; STANDBY_PGDATA=""
trap stop_cluster_and_clean EXIT

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || die "chromium missing (Debian package chromium)"
command -v jq >/dev/null || die "jq missing (Debian package jq)"
cmake --build "$BUILD" -j2 --target pothos-perf >/dev/null
[ -x "$PERF" ] || die "no $PERF (scripts/test.sh builds it)"

WORK=$(make_pg_tmpdir)
cluster_start "$WORK" "compute_query_id = auto" "pothos_perf.n_plus_one_min_occurrences = 1" \
    "wal_level = replica" "max_wal_senders = 4" "hot_standby = on"
psql() { as_pg "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE EXTENSION pothos_perf" \
     -c "CREATE TABLE b_parent (id int PRIMARY KEY, name text)" \
     -c "CREATE TABLE b_child (id int PRIMARY KEY, parent_id int, v text)" \
     -c "INSERT INTO b_parent SELECT g, 'p' || g FROM generate_series(1, 20) g" \
     -c "INSERT INTO b_child SELECT g, 1 + g % 20, md5(g::text) FROM generate_series(1, 2000) g" \
     -c "ANALYZE b_parent, b_child"
# an N+1 loop: one parent query, then one lookup per parent row, in units of work
{
    n_plus_one_sql b_parent b_child
    echo "SELECT count(*) FROM b_child WHERE v LIKE 'a%';"
} >"$WORK/workload.sql"
psql -f "$WORK/workload.sql" >/dev/null
standby_start "$WORK/standby"
wait_replayed
STANDBY_URL="postgresql://postgres@127.0.0.1:$STANDBY_PORT/postgres"
n_plus_one_sql b_parent b_child | psql -d "$STANDBY_URL" >/dev/null

"$PERF" -d "$DATABASE_URL" report --html "$WORK/report.html" >/dev/null
"$PERF" -d "$DATABASE_URL" -d "$STANDBY_URL" report --html "$WORK/fleet.html" >/dev/null
n_svg=$(grep -o '<svg' "$WORK/report.html" | wc -l)
[ "$n_svg" -ge 3 ] || die "the report has $n_svg charts, want 3 (latency, time share, round trips saved)"
n_fleet_svg=$(grep -o '<svg' "$WORK/fleet.html" | wc -l)
[ "$n_fleet_svg" -ge 4 ] || die "the fleet report has $n_fleet_svg charts, want 4 (time, p95, round trips per server)"

# chromium_page FILE OUT.dom OUT.log: loads FILE headless, prints the DOM after load
chromium_page() {
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$WORK/chromium-profile" --enable-logging=stderr --v=0 \
        --window-size=1280,2000 --dump-dom "file://$1" >"$2" 2>"$3"
}
# instrument REPORT OUT [EXTRA-BODY-HTML]: the report with the two probes injected
instrument() {
    local capture probe
    capture=$(cat "$POTHOS_ROOT/test/browser/capture.js")
    probe=$(cat "$POTHOS_ROOT/test/browser/probe.js")
    CAPTURE=$capture PROBE=$probe EXTRA=${3:-} awk '
        !h && (i = index($0, "<head>")) {
            print substr($0, 1, i + 5) "\n<script>\n" ENVIRON["CAPTURE"] "\n</script>"
            $0 = substr($0, i + 6); h = 1
        }
        !b && (i = index($0, "</body>")) {
            print substr($0, 1, i - 1) ENVIRON["EXTRA"] "\n<script>\n" ENVIRON["PROBE"] "\n</script>"
            $0 = substr($0, i); b = 1
        }
        { print }' "$1" >"$2"
    grep -q '__probeErrors' "$2" && grep -q 'id = .probe.' "$2" || die "could not instrument $1"
}
# probe_json DOM: the JSON probe.js left in the page
probe_json() {
    sed -n 's:.*<pre id="probe">\(.*\)</pre>.*:\1:p' "$1" | sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
}
# page_problems DOM LOG: console lines and errors of the page, one per line
page_problems() {
    grep -F 'CONSOLE' "$2" | grep -F "file://$WORK/" || true
    probe_json "$1" | jq -r '.errors[]'
}

failed=0
fail() { log "FAIL $*"; failed=$((failed + 1)); }
ok() { log "ok   $*"; }

# The negative control: the same checks must see a console error and a failed load.
instrument "$WORK/report.html" "$WORK/control.html" \
    '<img src="no-such-image.png" alt=""/><script>console.error("negative control")</script>'
chromium_page "$WORK/control.html" "$WORK/control.dom" "$WORK/control.log" || die "chromium failed (control)"
problems=$(page_problems "$WORK/control.dom" "$WORK/control.log")
if grep -q 'negative control' <<<"$problems" && grep -q 'no-such-image' <<<"$problems"; then
    ok "negative control caught: $(wc -l <<<"$problems") problem line(s)"
else
    fail "negative control not caught: [$problems]"
fi

# check_page NAME: the checks on $WORK/NAME.html, its chart count in $2
check_page() {
    local name=$1 n_svg=$2 probe problems n_charts
    instrument "$WORK/$name.html" "$WORK/$name-probed.html"
    chromium_page "$WORK/$name-probed.html" "$WORK/$name.dom" "$WORK/$name.log" || die "chromium failed ($name)"
    probe=$(probe_json "$WORK/$name.dom")
    [ -n "$probe" ] || { tail -20 "$WORK/$name.log" >&2; die "probe.js left no result in $name (did the page load?)"; }
    problems=$(page_problems "$WORK/$name.dom" "$WORK/$name.log")
    [ -z "$problems" ] && ok "$name: no console message, script error or failed load" \
        || fail "$name: page problems: $problems"
    n_charts=$(jq '.charts | length' <<<"$probe")
    [ "$n_charts" = "$n_svg" ] && ok "$name: $n_charts charts rendered" \
        || fail "$name: $n_charts charts rendered, the report has $n_svg"
    while IFS=$'\t' read -r title visible w h bars; do
        if [ -z "$title" ] || [ "$visible" != true ]; then fail "$name: chart without a visible title: [$title]"
        elif ! awk -v w="$w" -v h="$h" 'BEGIN { exit !(w > 100 && h > 50) }'; then
            fail "$name: chart \"$title\" rendered ${w}x${h}"
        elif [ "$bars" -lt 1 ]; then fail "$name: chart \"$title\": no bar drawn"
        else ok "$name: chart \"$title\": ${w}x${h}, $bars bars, title visible"; fi
    done < <(jq -r '.charts[] | [.title, .title_visible, .box.w, .box.h, .bars] | @tsv' <<<"$probe")
    [ "$(jq '[.charts[].title] | unique | length' <<<"$probe")" = "$n_charts" ] \
        && ok "$name: chart titles distinct" || fail "$name: two charts share a title"
    [ "$(jq '.raw_blocks' <<<"$probe")" = 0 ] && ok "$name: no raw <pre> block" || fail "$name: a raw <pre> block"
    PROBE=$probe
}

# One server: Health is the text report's table (measure, value).
check_page report "$n_svg"
text_health=$("$PERF" -d "$DATABASE_URL" --no-color health | awk 'NR > 2 { print $1 }')
health_el=$(jq -r '.health.element // "missing"' <<<"$PROBE")
html_measures=$(jq -r '.health.rows[]?[0]' <<<"$PROBE")
if [ "$health_el" != table ]; then fail "Health section is a <$health_el>, want a table"
elif [ -z "$html_measures" ] || [ "$html_measures" != "$text_health" ]; then
    fail "Health table measures differ from the text report's"
    diff <(echo "$html_measures") <(echo "$text_health") | head -20 >&2 || true
else ok "Health: a table of $(wc -l <<<"$html_measures") measures, as in the text report"; fi

# Two servers: a health table each.
check_page fleet "$n_fleet_svg"
[ "$(jq '.health_tables' <<<"$PROBE")" = 2 ] && ok "fleet: a health table per server" \
    || fail "fleet: $(jq '.health_tables' <<<"$PROBE") health tables, want 2"

# The screenshots, kept as artifacts.
mkdir -p "$ARTIFACTS"
for name in report fleet; do
    timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$WORK/chromium-profile" --hide-scrollbars --window-size=1280,2400 \
        --screenshot="$ARTIFACTS/$name.png" "file://$WORK/$name.html" >/dev/null 2>"$WORK/shot.log" || true
    if [ -s "$ARTIFACTS/$name.png" ] \
       && [ "$(head -c 8 "$ARTIFACTS/$name.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
        cp "$WORK/$name.html" "$ARTIFACTS/$name.html"
        ok "screenshot $ARTIFACTS/$name.png"
    else
        fail "no screenshot of $name"; tail -5 "$WORK/shot.log" >&2
    fi
done

[ "$failed" = 0 ] || die "$failed check(s) failed"
log "HTML report checks in Chromium passed"
