#!/usr/bin/env python3
"""Medians of a pothos_client_bench JSON run as Markdown tables, with the
ratios docs/benchmarks.md reports. Usage: summarize.py RESULT.json"""
import json
import re
import sys


def main(path):
    data = json.load(open(path))
    med = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        # Fixed-iteration runs carry "/iterations:N" in their name.
        name = re.sub(r"/iterations:\d+", "", b["run_name"].replace("/real_time", ""))
        med[name] = b
    ctx = data["context"]
    print(f"Run {ctx['date']}, {ctx['num_cpus']} CPUs, load average "
          f"{', '.join('%.2f' % x for x in ctx.get('load_avg', []))} at the start.\n")

    def ns(name):
        b = med[name]
        if "wall_ns_per_op" in b:  # whole concurrent run / all operations (bench_support.hpp)
            return b["wall_ns_per_op"]
        return b["real_time"] * {"ns": 1, "us": 1e3, "ms": 1e6}[b["time_unit"]]

    def row(name, label=None):
        b = med[name]
        per_op = ns(name)
        cores = b.get("cores", 0)
        return f"| {label or name} | {fmt(per_op)} | {cores:.2f} |"

    def fmt(v):
        if v >= 1e6:
            return f"{v / 1e6:.2f} ms"
        if v >= 1e3:
            return f"{v / 1e3:.1f} µs"
        return f"{v:.1f} ns"

    print("#### acquire + release (median wall time of the whole run per operation of all threads)\n")
    print("| threads | pool size | naive pool | pothos | pothos / naive | cores (naive / pothos) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for size, threads in [(16, 1), (16, 2), (16, 4), (16, 8), (16, 16), (2, 4), (2, 16)]:
        n = f"BM_AcquireRelease_Naive/{size}/threads:{threads}"
        p = f"BM_AcquireRelease_Pothos/{size}/threads:{threads}"
        if n in med and p in med:
            print(f"| {threads} | {size} | {fmt(ns(n))} | {fmt(ns(p))} | {ns(p) / ns(n):.2f} | "
                  f"{med[n].get('cores', 0):.2f} / {med[p].get('cores', 0):.2f} |")

    print("\n#### SELECT 1 (median per query)\n")
    print("| variant | time | cores |")
    print("| --- | --- | --- |")
    for n, label in [("BM_Select1_RawReused", "raw libpq, one reused connection"),
                     ("BM_Select1_Pothos", "pothos Client::query (pooled)"),
                     ("BM_Select1_NewConnectionEach", "raw libpq, new connection per query")]:
        if n in med:
            print(row(n, label))
    if "BM_Select1_RawReused" in med and "BM_Select1_Pothos" in med:
        print(f"\npothos throughput relative to the raw reused connection: "
              f"{ns('BM_Select1_RawReused') / ns('BM_Select1_Pothos'):.3f}")

    print("\n#### Batches (median per batch)\n")
    print("| statements | sync | raw pipeline | pothos batch | pothos vs raw (throughput) | raw sequential | raw pipeline vs sequential |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in (100, 1000):
        for sync, label in ((0, "one at the end (atomic)"), (1, "after each statement (default)")):
            r = f"BM_Batch_RawPipeline/{n}/{sync}"
            p = f"BM_Batch_Pothos/{n}/{sync}"
            s = f"BM_Batch_RawSequential/{n}"
            if r in med and p in med and s in med:
                print(f"| {n} | {label} | {fmt(ns(r))} | {fmt(ns(p))} | {ns(r) / ns(p):.2f} | "
                      f"{fmt(ns(s))} | {ns(s) / ns(r):.1f}× |")

    print("\n#### DataLoader (median per 100 lookups)\n")
    d, s = "BM_Lookup100_DataLoader", "BM_Lookup100_SingleQueries"
    if d in med and s in med:
        print("| variant | time | cores |")
        print("| --- | --- | --- |")
        print(row(d, "DataLoader, one ANY($1) batch"))
        print(row(s, "100 single lookups"))
        print(f"\nDataLoader speed-up: {ns(s) / ns(d):.1f}×")


if __name__ == "__main__":
    main(sys.argv[1])
