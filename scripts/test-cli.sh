#!/usr/bin/env bash
# scripts/test-cli.sh -- the pothos-perf command's tests against a real server
# (ctest label "cli", db diff's round-trip corpus among them; its formatting
# unit tests carry label "unit").
#
# Called by scripts/test.sh after the extension is installed and the CMake
# tree is built in build/ (POTHOS_BUILD_DIR to use another). Starts a
# throwaway cluster with pothos_perf preloaded, run by the postgres OS user,
# sets DATABASE_URL to it, builds and runs the tests (they create their own
# databases: cli_test, cli_noext, cli_mig*_test, cli_mig4_dev, cli_mig_prod,
# cli_diff*_test, cli_diff_want (and db diff's pothos_shadow_* ones),
# cli_todo_dev). The cluster is stopped by its own pg_ctl on exit, also on
# failure. Needs xmllint (libxml2-utils) for the HTML report check.
source "$(dirname "$0")/lib.sh"

BUILD=${POTHOS_BUILD_DIR:-$POTHOS_ROOT/build}
WORK=""
trap stop_cluster_and_clean EXIT

[ -d "$BUILD" ] || die "no CMake build in $BUILD (scripts/test.sh builds it)"
command -v xmllint >/dev/null || die "xmllint missing (Debian package libxml2-utils)"
[ -f "$("$PG_BINDIR/pg_config" --pkglibdir 2>/dev/null || echo /nonexistent)/pothos_perf.so" ] \
    || [ -f "/usr/lib/postgresql/$PG_MAJOR/lib/pothos_perf.so" ] \
    || die "the pothos_perf extension is not installed (make && make install)"

WORK=$(make_pg_tmpdir)
cluster_start "$WORK" "compute_query_id = auto"

t0=$(date +%s)
rc=0
log "pothos-perf tests ($BUILD)"
cmake --build "$BUILD" -j2 --target pothos-perf pothos_cli_tests pothos_cli_unit_tests >/dev/null || rc=1
if [ $rc = 0 ]; then
    # The label is a regular expression: anchored so "client" does not match.
    ctest --test-dir "$BUILD" -L '^cli$' --output-on-failure || rc=1
fi
log "pothos-perf tests finished in $(( $(date +%s) - t0 )) s (rc=$rc)"
exit $rc
