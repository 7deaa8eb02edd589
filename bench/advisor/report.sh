#!/usr/bin/env bash
# bench/advisor/report.sh DIR -- the Markdown summary of a bench/advisor/run.sh
# results directory: the indexes each advisor proposed, the mix's throughput
# and mean transaction time before/after, per-script and per-statement changes.
set -euo pipefail
export LC_ALL=C
DIR=${1:?usage: report.sh RESULTS_DIR}

total() {  # csv field(2=weight..) -> TOTAL row value
    awk -F, -v f="$2" '$1 == "TOTAL" { print $f }' "$1"
}

echo "### Indexes proposed"
for db in todo_pothos todo_qualstats; do
    echo
    echo "**${db#todo_}** ($(cat "$DIR/$db.created") indexes, $(awk '{ printf "%.1f MB", $1 / 1048576 }' "$DIR/$db.index_bytes"), advice took $(cat "$DIR/$db.advice_seconds") s):"
    echo
    if [ "$db" = todo_pothos ]; then
        awk -F'\t' '{ printf "- `%s` (est. %.1f MB, %s %% on %s statements; %s)\n", $1, $2 / 1048576, $3, $4, $5 }' "$DIR/$db.advice.tsv"
    else
        sed 's/.*/- `&`/' "$DIR/$db.advice.tsv"
        raw=$(wc -l <"$DIR/$db.advice.raw" 2>/dev/null || echo 0)
        echo
        echo "(pg_qualstats_index_advisor() returned $raw statements; duplicates were created once.)"
    fi
done

echo
echo "### Whole mix (TOTAL row of workload.sh)"
echo
echo "| advisor | TPS before | TPS after | speed-up | mean ms/xact before | after | time for 10 000 mix xacts before (s) | after (s) |"
echo "|---|---|---|---|---|---|---|---|"
for db in todo_pothos todo_qualstats; do
    b=$DIR/$db.before.csv a=$DIR/$db.after.csv
    tb=$(total "$b" 4) ta=$(total "$a" 4) mb=$(total "$b" 5) ma=$(total "$a" 5)
    echo "| ${db#todo_} | $tb | $ta | $(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.2fx", a / b }') | $mb | $ma | $(awk -v m="$mb" 'BEGIN { printf "%.1f", m * 10 }') | $(awk -v m="$ma" 'BEGIN { printf "%.1f", m * 10 }') |"
done
echo
echo "(time for 10 000 transactions = mean transaction time x 10 000, one client's view; the mix's share of each script is fixed by its weights)"

echo
echo "### Per script: mean latency (ms) before -> after"
echo
echo "| script | pothos before | pothos after | change | qualstats before | qualstats after | change |"
echo "|---|---|---|---|---|---|---|"
join -t, <(sort "$DIR/todo_pothos.before.csv") <(sort "$DIR/todo_pothos.after.csv") >"$DIR/p.join"
join -t, <(sort "$DIR/todo_qualstats.before.csv") <(sort "$DIR/todo_qualstats.after.csv") >"$DIR/q.join"
join -t, "$DIR/p.join" "$DIR/q.join" | awk -F, '$1 != "script" && $1 != "TOTAL" {
    # fields: script, then 9 before + 9 after (pothos), 9 + 9 (qualstats); mean_ms is the 4th of each 9
    pb = $5; pa = $14; qb = $23; qa = $32
    printf "| %s | %.3f | %.3f | %+.0f %% | %.3f | %.3f | %+.0f %% |\n", $1, pb, pa, 100 * (pa - pb) / pb, qb, qa, 100 * (qa - qb) / qb }'
rm -f "$DIR/p.join" "$DIR/q.join"

echo
echo "### Per statement (pothos_perf.statements mean_exec_time, ms): largest changes"
echo
echo "| statement | pothos before | after | change | qualstats before | after | change |"
echo "|---|---|---|---|---|---|---|"
join -t $'\t' <(sort "$DIR/todo_pothos.before.stmts") <(sort "$DIR/todo_pothos.after.stmts") >"$DIR/p.sj"
join -t $'\t' <(sort "$DIR/todo_qualstats.before.stmts") <(sort "$DIR/todo_qualstats.after.stmts") >"$DIR/q.sj"
join -t $'\t' "$DIR/p.sj" "$DIR/q.sj" | awk -F'\t' '$2 >= 20 {
    # queryid, calls, mean, text (before) calls, mean, text (after) | same for qualstats
    pb = $3; pa = $6; qb = $9; qa = $12
    printf "%s\t| `%s` | %.3f | %.3f | %+.0f %% | %.3f | %.3f | %+.0f %% |\n", (pb - pa), $4, pb, pa, (pb > 0 ? 100 * (pa - pb) / pb : 0), qb, qa, (qb > 0 ? 100 * (qa - qb) / qb : 0) }' \
    | sort -t $'\t' -k1,1gr | cut -f2-
rm -f "$DIR/p.sj" "$DIR/q.sj"
echo
echo "Statements slower by more than 10 % after pothos_perf's indexes (mean, >= 20 calls):"
join -t $'\t' <(sort "$DIR/todo_pothos.before.stmts") <(sort "$DIR/todo_pothos.after.stmts") \
    | awk -F'\t' '$2 >= 20 && $5 >= 20 && $6 > 1.10 * $3 { printf "- `%s`: %.3f -> %.3f ms\n", $4, $3, $6; n++ } END { if (!n) print "- none" }'
