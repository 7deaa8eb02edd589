#!/usr/bin/env bash
# scripts/test-demo.sh -- the demo as a test: runs `POTHOS_DEMO_QUICK=1
# scripts/demo.sh` (small data, short phases) and fails unless it succeeds and
# its output names at least one N+1 finding and one index recommendation, the
# DataLoader phase has no N+1 finding, and all phases returned the same data.
source "$(dirname "$0")/lib.sh"

out=$(mktemp /tmp/pothos-demo-test.XXXXXX)
trap 'rm -f "$out"' EXIT

rc=0
POTHOS_DEMO_QUICK=1 bash "$POTHOS_ROOT/scripts/demo.sh" >"$out" || rc=$?
cat "$out"
[ $rc = 0 ] || die "demo.sh exited with $rc"

fail=0
check() {  # description pattern
    if grep -Eq "$2" "$out"; then log "ok: $1"; else log "FAILED: $1 (no line matching '$2')"; fail=1; fi
}
check "an N+1 finding is named" '^N\+1 FINDING [0-9]+: n_plus_one$'
check "its batched rewrite is shown" '^    batched: +SELECT .*= ANY\('
check "an index recommendation is named" '^INDEX RECOMMENDATION applied: CREATE INDEX'
check "the DataLoader phase has no N+1 finding" '^== N\+1 findings after the DataLoader phase: 0$'
check "every phase returned the same data" '^responses: identical in all three runs'
check "round trips were saved" '^DataLoader: [0-9]+ round trips instead of [0-9]+ \([1-9][0-9]* saved'
[ $fail = 0 ]
