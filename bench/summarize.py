#!/usr/bin/env python3
"""Prints bench.sh's results as Markdown: median req/s, the median of per-round ratios to
redis-server (measured in the same round), p50/p99 latency, and the idle probe."""
import csv
import statistics
import sys
from collections import defaultdict


def main(results, idle):
    rows = list(csv.DictReader(open(results)))
    rps = defaultdict(list)
    by_round = {}
    latency = defaultdict(list)
    for r in rows:
        key = (r["workload"], r["test"])
        rps[(r["target"], key)].append(float(r["rps"]))
        by_round[(r["round"], r["target"], key)] = float(r["rps"])
        latency[(r["target"], key)].append((float(r["p50_ms"]), float(r["p99_ms"])))
    targets = sorted({r["target"] for r in rows}, key=lambda t: (t != "redis", t))
    tests = sorted({(r["workload"], r["test"]) for r in rows})
    if rows:
        print_throughput_and_latency(targets, tests, rps, by_round, latency)
    print_idle(idle)


def print_throughput_and_latency(targets, tests, rps, by_round, latency):
    print("### Requests per second (median) and ratio to redis-server (median of per-round ratios)\n")
    print("| target | " + " | ".join(f"{w} {t}" for w, t in tests) + " |")
    print("|---" * (len(tests) + 1) + "|")
    for target in targets:
        cells = []
        for key in tests:
            values = rps.get((target, key))
            if not values:
                cells.append("-")
                continue
            ratios = [by_round[(rnd, target, key)] / by_round[(rnd, "redis", key)]
                      for (rnd, t, k) in by_round if t == target and k == key and (rnd, "redis", key) in by_round]
            ratio = f" ({statistics.median(ratios):.2f}x)" if ratios else ""
            cells.append(f"{statistics.median(values) / 1000:.0f}k{ratio}")
        print(f"| {target} | " + " | ".join(cells) + " |")
    print("\n### Latency p50 / p99, ms (median over rounds)\n")
    lat_tests = [k for k in tests if k[0].startswith("W4") or k[0] == "W3"]
    print("| target | " + " | ".join(f"{w} {t}" for w, t in lat_tests) + " |")
    print("|---" * (len(lat_tests) + 1) + "|")
    for target in targets:
        cells = []
        for key in lat_tests:
            values = latency.get((target, key))
            cells.append(f"{statistics.median(v[0] for v in values):.3f} / {statistics.median(v[1] for v in values):.3f}"
                         if values else "-")
        print(f"| {target} | " + " | ".join(cells) + " |")


def print_idle(idle):
    print("\n### Idle connections\n")
    print("| target | connections | RSS KiB/conn | live heap KiB/conn | threads before / after | answered |")
    print("|---|---|---|---|---|---|")
    for r in csv.DictReader(open(idle)):
        print(f"| {r['target']} | {r['connections']} | {r['rss_kib_per_connection']} | {r['heap_kib_per_connection']} "
              f"| {r['threads_before']} / {r['threads_after']} | {r['answered']} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
