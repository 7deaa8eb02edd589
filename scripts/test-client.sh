#!/usr/bin/env bash
# scripts/test-client.sh -- the client library's tests (label "client").
#
# Called by scripts/test.sh after the extension is installed and the CMake
# tree is built in build/. Starts a throwaway cluster (DATABASE_URL), runs the
# client tests of build/, then builds build-asan and build-tsan with
# POTHOS_SANITIZER=address/thread and runs the client tests there too. Tests
# that need a restart, a bad password or a replica start their own clusters
# through test/client/support/cluster.sh. The cluster is stopped by its own
# pg_ctl on exit, also on failure.
source "$(dirname "$0")/lib.sh"

BUILD=${POTHOS_BUILD_DIR:-$POTHOS_ROOT/build}
# A random port base: fewer collisions with clusters other scripts start meanwhile.
export POTHOS_PORT_BASE=${POTHOS_PORT_BASE:-$((56000 + RANDOM % 6000))}
SANITIZERS=${POTHOS_CLIENT_SANITIZERS:-address thread}
WORK=""
trap stop_cluster_and_clean EXIT

[ -d "$BUILD" ] || die "no CMake build in $BUILD (scripts/test.sh builds it)"
WORK=$(make_pg_tmpdir)
conf=()
if [ ! -f "$("$PG_BINDIR/pg_config" --pkglibdir 2>/dev/null || echo /nonexistent)/pothos_perf.so" ] \
   && [ ! -f "/usr/lib/postgresql/$PG_MAJOR/lib/pothos_perf.so" ]; then
    log "extension not installed: client tests run on a cluster without it"
    conf+=("shared_preload_libraries = ''")
fi
cluster_start "$WORK" "${conf[@]}"

rc=0
t0=$(date +%s)
# Every public header says whether what it declares is thread-safe.
for h in "$POTHOS_ROOT"/src/client/include/pothos/*.hpp; do
    [ "$(basename "$h")" = pothos.hpp ] && continue  # the umbrella header
    grep -q 'Thread safety' "$h" || { log "no 'Thread safety' note in $h"; rc=1; }
done
log "client tests ($BUILD)"
cmake --build "$BUILD" -j2 --target pothos_client_tests >/dev/null || rc=1
ctest --test-dir "$BUILD" -L client --output-on-failure -j2 || rc=1

for san in $SANITIZERS; do
    case $san in
        address) dir=$POTHOS_ROOT/build-asan ;;
        thread) dir=$POTHOS_ROOT/build-tsan ;;
        *) die "unknown sanitizer $san" ;;
    esac
    log "client tests under ${san} sanitizer ($dir)"
    if ! cmake -S "$POTHOS_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DPOTHOS_SANITIZER="$san" -DPOTHOS_BUILD_BENCHMARKS=OFF >/dev/null \
        || ! cmake --build "$dir" -j2 --target pothos_client_tests; then
        log "build with $san sanitizer failed"
        rc=1
        continue
    fi
    # Fewer streamed rows: the sanitizers make each row several times slower.
    POTHOS_STREAM_ROWS=200000 \
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
        ctest --test-dir "$dir" -L client --output-on-failure -j2 || rc=1
done
log "client tests finished in $(( $(date +%s) - t0 )) s (rc=$rc)"
exit $rc
