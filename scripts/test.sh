#!/usr/bin/env bash
# scripts/test.sh -- run every test of pothos_perf on this machine.
#
# Installs what it needs (Debian 12, as root), builds the extension and the
# CMake tree, then runs: unit tests of src/core (no server); the check of the
# extension's C++/PostgreSQL boundary; the server-side suites (pg_regress,
# peer check against pg_stat_statements, isolation, TAP, fuzz),
# each on its own temporary instance run by the unprivileged postgres user;
# the client-library tests against a throwaway cluster (also under ASan and
# TSan); and the fleet stages: pothos-perf over a primary and a standby, a
# real Prometheus scraping them and a client-library process, the HTML report
# in headless Chromium (its screenshot in build/artifacts/). Exits non-zero
# if anything failed.
source "$(dirname "$0")/lib.sh"

ONLY=${POTHOS_TEST_ONLY:-unit extension client}
PASSED=0; FAILED=0; FAILED_NAMES=()
WORK=""
cleanup() {
    local rc=$?
    [ -n "$WORK" ] && [ -d "$WORK" ] && { [ "${POTHOS_KEEP_TMP:-0}" = 1 ] || rm -rf "$WORK"; }
    exit $rc
}
trap cleanup EXIT

stage() {  # name command...
    local name=$1; shift
    log "=== $name"
    if "$@"; then PASSED=$((PASSED + 1)); log "=== $name: ok"
    else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); log "=== $name: FAILED"; fi
}

install_packages
build_extension
build_cmake "$POTHOS_ROOT/build"
WORK=$(make_pg_tmpdir)

unit_tests() { ctest --test-dir "$POTHOS_ROOT/build" -L unit --output-on-failure -j2; }

# The suites start servers, which refuse to run as root: copy what they read
# into a directory the postgres user owns and run them as that user.
extension_suite() {  # make-target
    local src=$WORK/src
    if [ ! -d "$src" ]; then
        mkdir -p "$src"
        cp -r "$POTHOS_ROOT"/{Makefile,pothos_perf.control,sql,expected,test} "$src"/
        mkdir -p "$src/src/extension" && cp -r "$POTHOS_ROOT/src/extension/sql" "$src/src/extension/"
        [ -d "$POTHOS_ROOT/examples" ] && cp -r "$POTHOS_ROOT/examples" "$src"/
        [ "$(id -u)" = 0 ] && chown -R "$PG_OS_USER" "$WORK"
    fi
    as_pg make -s -C "$src" "$1" TEST_OUT="$WORK/out" \
        || { find "$WORK/out" -name regression.diffs -exec cat {} + 2>/dev/null | head -200; return 1; }
}

for part in $ONLY; do
    case $part in
        unit) stage "unit tests (src/core)" unit_tests ;;
        extension)
            stage "C++/PostgreSQL boundary (scripts/check-boundary.sh)" bash "$POTHOS_ROOT/scripts/check-boundary.sh"
            stage "pg_regress" extension_suite check-regress
            stage "peer check with pg_stat_statements" extension_suite check-peer
            stage "isolation" extension_suite check-isolation
            stage "TAP" extension_suite check-tap
            stage "fuzz (every SQL function and view)" extension_suite check-fuzz ;;
        client)
            if [ -x "$POTHOS_ROOT/scripts/test-client.sh" ]; then
                stage "client library" "$POTHOS_ROOT/scripts/test-client.sh"
            fi
            stage "pothos-perf command (cli)" "$POTHOS_ROOT/scripts/test-cli.sh"
            stage "demo (POTHOS_DEMO_QUICK=1)" "$POTHOS_ROOT/scripts/test-demo.sh"
            stage "user guide examples (docs/*.md)" "$POTHOS_ROOT/scripts/test-docs.sh"
            stage "N+1 corpus (libpq replay)" "$POTHOS_ROOT/scripts/test-nplus1.sh"
            stage "fleet: pothos-perf over a primary and a standby" "$POTHOS_ROOT/scripts/test-fleet-cli.sh"
            stage "prometheus: fleet scrape, rules, dashboard" "$POTHOS_ROOT/scripts/test-prometheus.sh"
            stage "HTML report in headless Chromium" "$POTHOS_ROOT/scripts/test-browser.sh" ;;
        *) die "unknown part $part" ;;
    esac
done

log "stages failed: ${FAILED_NAMES[*]:-none}"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
