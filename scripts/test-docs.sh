#!/usr/bin/env bash
# scripts/test-docs.sh -- every SQL example of the user guide runs.
#
# Extracts each ```sql block of docs/*.md (in file order, files sorted by
# name), and runs it with psql -v ON_ERROR_STOP=1, one session per block,
# against a throwaway cluster with pothos_perf preloaded and the todo schema
# loaded at a small scale (database "todo"). Also checks the Prometheus scrape
# configuration and rules of docs/metrics.md with promtool, that every metric
# name docs/metrics.md uses is one pothos_perf.metrics() produces, that every
# setting is in docs/install.md with its default, and that every view and
# function is in docs/sql-reference.md. Then test/docs/examples.sh runs the
# other examples (C++ of client.md, pothos-perf commands and JSON shapes of
# cli.md, ini and shell blocks of install.md, metrics.md, benchmarks.md).
# Prints each failing block with psql's error and fails if anything failed.
#
# Environment: POTHOS_DOCS_SCALE (todo data scale, default 0.02),
# POTHOS_DOCS_ONLY (a file name, e.g. sql-reference.md: only its blocks),
# POTHOS_DOCS_VERBOSE=1 (print each block with its output).
source "$(dirname "$0")/lib.sh"

SCALE=${POTHOS_DOCS_SCALE:-0.02}
WORK=""
cleanup() {
    local rc=$?
    cluster_stop || true
    [ -n "$WORK" ] && rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT

# extract FILE OUTDIR: writes OUTDIR/NNN.sql per ```sql block, and for each a
# line "NNN FILE:LINE" on stdout.
extract() {
    awk -v file="$1" -v out="$2" -v start="$3" '
        # fences may be indented (inside list items): strip that indentation
        !inblock && /^[[:space:]]*```sql[[:space:]]*$/ {
            inblock = 1; n++; name = sprintf("%s/%03d.sql", out, start + n)
            match($0, /^[[:space:]]*/); indent = RLENGTH
            printf "%03d %s:%d\n", start + n, file, NR; printf "" > name; next }
        inblock && /^[[:space:]]*```[[:space:]]*$/ { inblock = 0; close(name); next }
        inblock { line = $0; i = 0
                  while (i < indent && substr(line, 1, 1) == " ") { line = substr(line, 2); i++ }
                  print line > name }
        END { if (inblock) { print "unterminated sql block in " file > "/dev/stderr"; exit 1 } }' "$1"
}

install_packages
build_extension
WORK=$(make_pg_tmpdir)
mkdir -p "$WORK/blocks"

index=$WORK/blocks/index.txt
: >"$index"
count=0
for f in "$POTHOS_ROOT"/docs/*.md; do
    [ -n "${POTHOS_DOCS_ONLY:-}" ] && [ "$(basename "$f")" != "$POTHOS_DOCS_ONLY" ] && continue
    extract "$f" "$WORK/blocks" "$count" >>"$index"
    count=$(wc -l <"$index")
done
[ "$count" -gt 0 ] || die "no sql blocks found in docs/*.md"
[ "$(id -u)" = 0 ] && chown -R "$PG_OS_USER" "$WORK"

cluster_start "$WORK"   # defaults only: the settings check compares them
psql -X -q -d postgres -c "CREATE DATABASE todo" >/dev/null
export PGDATABASE=todo
log "loading the todo schema (scale $SCALE)"
"$POTHOS_ROOT/examples/todo/load.sh" "$SCALE" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE EXTENSION pothos_perf" >/dev/null

failed=0
export PGOPTIONS="-c client_min_messages=warning"
while read -r n where; do
    block=$WORK/blocks/$n.sql
    if out=$(psql -X -q -v ON_ERROR_STOP=1 -P pager=off -f "$block" 2>&1 >"$block.out"); then
        [ "${POTHOS_DOCS_VERBOSE:-0}" = 1 ] && { echo "---- $where"; cat "$block" "$block.out"; } >&2
        log "ok   $where${out:+ (messages: $(head -c 200 <<<"$out" | tr '\n' ' '))}"
    else
        log "FAIL $where"
        sed 's/^/    | /' "$block" >&2
        sed 's/^/    ! /' <<<"$out" >&2
        failed=$((failed + 1))
    fi
done <"$index"

# The scrape configuration and the metric names of docs/metrics.md.
metrics_doc=$POTHOS_ROOT/docs/metrics.md
if [ -f "$metrics_doc" ] && [ -z "${POTHOS_DOCS_ONLY:-}" ]; then
    # each ```yaml block: a scrape configuration or a rules file, checked by promtool
    rm -f "$WORK"/yaml-*.yml
    awk -v dir="$WORK" '/^```yaml[[:space:]]*$/ { y = 1; n++; f = sprintf("%s/yaml-%d.yml", dir, n); next }
                        y && /^```/ { y = 0; close(f); next }
                        y { print > f }' "$metrics_doc"
    for y in "$WORK"/yaml-*.yml; do
        [ -e "$y" ] || break
        if grep -q '^scrape_configs:' "$y"; then what=config
        elif grep -q '^groups:' "$y"; then what=rules
        else log "FAIL docs/metrics.md: a yaml block that is neither a scrape configuration nor rules"
             failed=$((failed + 1)); continue
        fi
        if ! command -v promtool >/dev/null; then
            log "promtool not installed: $what block not checked"
        elif promtool check "$what" "$y" >"$WORK/promtool.out" 2>&1; then
            log "ok   docs/metrics.md: $what block (promtool check $what)"
        else
            log "FAIL docs/metrics.md: $what block"; cat "$WORK/promtool.out" >&2
            failed=$((failed + 1))
        fi
    done
    psql -X -q -At -c "SELECT pothos_perf.metrics()" >"$WORK/metrics.txt"
    for name in $(grep -oE 'pothos_database_[a-z_]+' "$metrics_doc" | sort -u); do
        base=${name%_bucket}; base=${base%_sum}; base=${base%_count}
        if grep -qE "^# TYPE $base " "$WORK/metrics.txt"; then
            log "ok   docs/metrics.md: $name is exported"
        else
            log "FAIL docs/metrics.md documents $name, which metrics() does not export"
            failed=$((failed + 1))
        fi
    done
fi

# Completeness: every setting is in docs/install.md with its default (what a
# fresh session shows), and every view and function of schema pothos_perf
# (but the internal _ ones) is in docs/sql-reference.md.
if [ -z "${POTHOS_DOCS_ONLY:-}" ]; then
    install_doc=$POTHOS_ROOT/docs/install.md
    while IFS='|' read -r name shown; do
        documented=$(grep -oE "^\| \`$name\` \| \`[^\`]*\`" "$install_doc" | head -1 | sed -E 's/.*\| `([^`]*)`$/\1/' || true)
        [ "$documented" = "''" ] && documented=""
        if ! grep -qE "^\| \`$name\` \|" "$install_doc"; then
            log "FAIL docs/install.md does not document $name"; failed=$((failed + 1))
        elif [ "$documented" != "$shown" ]; then
            log "FAIL docs/install.md gives $name the default '$documented'; the server says '$shown'"
            failed=$((failed + 1))
        fi
    done < <(psql -X -q -At -F "|" -d postgres -c "SELECT name, current_setting(name) FROM pg_settings
                                          WHERE name LIKE 'pothos\_perf.%' ORDER BY name")
    log "checked the settings of docs/install.md"
    while read -r obj; do
        grep -q "\`$obj" "$POTHOS_ROOT/docs/sql-reference.md" \
            || { log "FAIL docs/sql-reference.md does not document pothos_perf.$obj"; failed=$((failed + 1)); }
    done < <(psql -X -q -At -c "
        SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'pothos_perf'::regnamespace
        UNION SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'pothos_perf'::regnamespace AND c.relkind = 'v'
        ORDER BY 1" | grep -v '^_')
    log "checked the objects of docs/sql-reference.md"
fi

# The other examples of the guide (C++, CLI, JSON, ini, shell): test/docs/examples.sh
# says how each kind is checked.
if [ -z "${POTHOS_DOCS_ONLY:-}" ]; then
    bdir=${POTHOS_BUILD_DIR:-$POTHOS_ROOT/build}
    [ -f "$bdir/CMakeCache.txt" ] || cmake -S "$POTHOS_ROOT" -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    log "building the client library, pothos-perf and todo-demo in $bdir"
    cmake --build "$bdir" -j2 --target pothos_client pothos-perf todo-demo >/dev/null
    POTHOS_BUILD_DIR=$bdir bash "$POTHOS_ROOT/test/docs/examples.sh" "$WORK/examples" || failed=$((failed + 1))
fi

log "$count sql blocks from docs/*.md; $failed failures"
[ "$failed" = 0 ]
