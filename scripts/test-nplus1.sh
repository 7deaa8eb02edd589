#!/usr/bin/env bash
# scripts/test-nplus1.sh -- the labelled N+1 corpus against a real server.
#
# Starts a throwaway cluster with the extension preloaded (as the postgres OS
# user, stopped by its own pg_ctl on exit, also on failure), with nested
# statements tracked (server_side_loop) and a 200 ms idle gap (the corpus
# pauses 250-300 ms between units of clients that send no tag), builds the
# driver (test/nplus1) and replays test/nplus1/corpus.txt through libpq with
# bound parameters. The driver prints precision and recall and fails below
# 0.95 for either.
# Expects the extension installed (scripts/test.sh builds and installs it;
# run `make install` first when calling this alone).
source "$(dirname "$0")/lib.sh"

BUILD=${POTHOS_BUILD_DIR:-$POTHOS_ROOT/build}
WORK=""
trap stop_cluster_and_clean EXIT

[ -f "$BUILD/CMakeCache.txt" ] || build_cmake "$BUILD"
cmake --build "$BUILD" -j2 --target nplus1_corpus >/dev/null
WORK=$(make_pg_tmpdir)
cluster_start "$WORK" "pothos_perf.track = all"
# Two-part names under the prefix cannot be written in postgresql.conf
# (its syntax allows one dot), so the detector's thresholds are set per database.
as_pg "$PG_BINDIR/psql" -X -q -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres \
    -c "ALTER DATABASE postgres SET pothos_perf.n_plus_one_idle_gap = 200"
log "replaying the N+1 corpus"
"$BUILD/test/nplus1/nplus1_corpus" "host=$PGHOST port=$PGPORT user=postgres dbname=postgres" \
    "$POTHOS_ROOT/test/nplus1/corpus.txt"
