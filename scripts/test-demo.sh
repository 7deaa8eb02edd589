#!/usr/bin/env bash
# scripts/test-demo.sh -- the demo as a test: runs `POTHOS_DEMO_QUICK=1
# scripts/demo.sh` (small data, short phases) and fails unless it succeeds and
# its output names at least one N+1 finding and one index recommendation, no
# finding counts more repeats than its child's calls, the
# DataLoader phase has no N+1 finding, all phases returned the same data, and
# each of the five loaders of create_data_loaders ran batched (fewer batches
# than distinct keys).
# When the pothos-perf command is built, the demo runs twice: with it, and
# with psql alone (POTHOS_DEMO_CLI=0), the path taken where it is missing.
source "$(dirname "$0")/lib.sh"

out=$(mktemp /tmp/pothos-demo-test.XXXXXX)
trap 'rm -f "$out"' EXIT

fail=0
check() {  # description pattern
    if grep -Eq "$2" "$out"; then log "ok: $1"; else log "FAILED: $1 (no line matching '$2')"; fail=1; fi
}

run_demo() {  # label, then environment assignments
    local label=$1 rc=0; shift
    log "demo ($label)"
    env "$@" POTHOS_DEMO_QUICK=1 bash "$POTHOS_ROOT/scripts/demo.sh" >"$out" || rc=$?
    cat "$out"
    if [ $rc != 0 ]; then log "FAILED: demo.sh ($label) exited with $rc"; fail=1; return; fi
    check "$label: an N+1 finding is named" '^N\+1 FINDING [0-9]+: n_plus_one$'
    check "$label: its batched rewrite is shown" '^    batched: +SELECT .*= ANY\('
    check "$label: no finding counts more repeats than its child ran" '^N\+1 counts: 0 findings over-counted'
    check "$label: an index recommendation is named" '^INDEX RECOMMENDATION applied: CREATE INDEX'
    check "$label: the DataLoader phase has no N+1 finding" '^== N\+1 findings after the DataLoader phase: 0$'
    check "$label: every phase returned the same data" '^responses: identical in all three runs'
    local loader
    for loader in user todo todo_list todos_by_user users_by_todo_list; do
        if awk -v n="$loader" '$1 == "LOADER" && $2 == n ":" && $6 >= 1 && $6 < $3 { ok = 1 } END { exit !ok }' "$out"
        then log "ok: $label: loader $loader ran batched"
        else log "FAILED: $label: loader $loader did not run batched (no 'LOADER $loader: K keys in B batches' with 1 <= B < K)"; fail=1
        fi
    done
    check "$label: round trips were saved" '^DataLoader: [0-9]+ round trips instead of [0-9]+ \([1-9][0-9]* saved'
}

run_demo "as shipped" POTHOS_DEMO_CLI=1
if grep -q '^== pothos-perf report' "$out"; then
    run_demo "psql only" POTHOS_DEMO_CLI=0
fi
[ $fail = 0 ]
