#!/usr/bin/env bash
# bench/advisor/shop-report.sh DIR -- the Markdown summary of a
# bench/advisor/shop.sh results directory: the indexes of each configuration,
# the mix's speed-up over no indexes (mix time = weighted mean latency of the
# classes, weights of shop/mix.conf; and pgbench's TPS), per-class latency
# against no indexes, and WAL per inserted event row.
set -euo pipefail
export LC_ALL=C
DIR=${1:?usage: shop-report.sh RESULTS_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONFIGS=$(for c in none hand pothos pothos1 qualstats; do if [ -f "$DIR/shop_$c.run.txt" ]; then echo "$c"; fi; done)

label() {
    case $1 in
        none) echo "no secondary indexes" ;; hand) echo "hand-chosen set" ;;
        pothos) echo "pothos_perf, default settings (sample rate 0.05), one pass" ;;
        pothos1) echo "pothos_perf, sample rate 1, one pass" ;;
        qualstats) echo "pg_qualstats, sample rate 1, one pass" ;;
    esac
}

# Per-script mean latency (ms), one line per script in order: "name ms".
latencies() {
    awk '/^SQL script [0-9]+:/ { n = $NF; sub(/.*\//, "", n); sub(/\.sql$/, "", n) }
         /^ - latency average = / && n != "" { print n, $5; n = "" }' "$1"
}
weights() { awk '$1 !~ /^#/ && NF == 2 { print $1, $2 }' "$HERE/shop/mix.conf"; }
mix_ms() {  # weighted mean latency of the classes
    join <(weights | sort) <(latencies "$1" | sort) | awk '{ s += $2 * $3; w += $2 } END { printf "%.3f", s / w }'
}
tps() { awk '/^tps = / { print $3; exit }' "$1"; }

echo "Data: $(cat "$DIR/data_size" 2>/dev/null || echo ?) before the runs."
echo
echo "### Indexes"
for c in $CONFIGS; do
    db=shop_$c
    read -r n bytes <<<"$(tr '|' ' ' <"$DIR/$db.indexes")"
    echo
    echo "**$(label "$c")**: $n secondary indexes, $(awk -v b="$bytes" 'BEGIN { printf "%.1f MB", b / 1048576 }')$( [ -f "$DIR/$db.advice_seconds" ] && [ "$c" != none ] && [ "$c" != hand ] && echo ", advice took $(cat "$DIR/$db.advice_seconds") s")"
    echo
    if [ -s "$DIR/$db.ddl" ]; then sed 's/^/- `/; s/$/`/' "$DIR/$db.ddl"; else echo "- (none)"; fi
done

echo
echo "### Whole mix"
echo
none_ms=$(mix_ms "$DIR/shop_none.run.txt")
hand_ms=$(mix_ms "$DIR/shop_hand.run.txt" 2>/dev/null || echo "")
echo "| configuration | mix time (ms, weighted mean latency) | speed-up vs no indexes | share of the hand-chosen speed-up | TPS | WAL per inserted event row (bytes) |"
echo "|---|---|---|---|---|---|"
wal_none=$(cat "$DIR/shop_none.wal_per_row")
for c in $CONFIGS; do
    db=shop_$c
    ms=$(mix_ms "$DIR/$db.run.txt")
    wal=$(cat "$DIR/$db.wal_per_row")
    awk -v l="$(label "$c")" -v ms="$ms" -v none="$none_ms" -v hand="$hand_ms" -v tps="$(tps "$DIR/$db.run.txt")" \
        -v wal="$wal" -v wn="$wal_none" 'BEGIN {
        sp = none / ms; share = (hand != "") ? sprintf("%.2f", sp / (none / hand)) : "-"
        printf "| %s | %.3f | %.1fx | %s | %s | %.0f (%+.0f %%) |\n", l, ms, sp, share, tps, wal, 100 * (wal - wn) / wn }'
done

echo
echo "### Per class: mean latency (ms), and change against no indexes"
echo
hdr="| class | weight |"; sep="|---|---|"
for c in $CONFIGS; do hdr="$hdr $c |"; sep="$sep---|"; done
echo "$hdr"; echo "$sep"
weights | while read -r name w; do
    row="| $name | $w |"
    base=$(latencies "$DIR/shop_none.run.txt" | awk -v n="$name" '$1 == n { print $2 }')
    for c in $CONFIGS; do
        v=$(latencies "$DIR/shop_$c.run.txt" | awk -v n="$name" '$1 == n { print $2 }')
        if [ "$c" = none ]; then row="$row $v |"
        else row="$row $(awk -v v="$v" -v b="$base" 'BEGIN { printf "%s (%+.0f %%)", v, 100 * (v - b) / b }') |"; fi
    done
    echo "$row"
done
echo
echo "Classes slower by more than 10 % than with no indexes:"
for c in $CONFIGS; do
    [ "$c" = none ] && continue
    s=$(join <(latencies "$DIR/shop_none.run.txt" | sort) <(latencies "$DIR/shop_$c.run.txt" | sort) \
        | awk '$3 > 1.10 * $2 { printf "%s%s %+.0f %%", (n++ ? ", " : ""), $1, 100 * ($3 - $2) / $2 }')
    echo "- $c: ${s:-none}"
done
echo
echo "Classes slower by more than 10 % than with the hand-chosen set:"
for c in $CONFIGS; do
    case $c in none|hand) continue ;; esac
    s=$(join <(latencies "$DIR/shop_hand.run.txt" | sort) <(latencies "$DIR/shop_$c.run.txt" | sort) \
        | awk '$3 > 1.10 * $2 { printf "%s%s %.3f -> %.3f", (n++ ? ", " : ""), $1, $2, $3 }')
    echo "- $c: ${s:-none}"
done
