#!/usr/bin/env python3
"""Prints bench.sh's results as Markdown: median req/s and CPU per request, each with the median
of per-round ratios to redis-server (measured in the same round), p50/p99 latency, and the idle
probe with the larger of its two memory figures."""
import csv
import statistics
import sys
from collections import defaultdict


def main(results, idle):
    rows = list(csv.DictReader(open(results)))
    targets = sorted({r["target"] for r in rows}, key=lambda t: (t != "redis", t))
    tests = sorted({(r["workload"], r["test"]) for r in rows})
    if rows:
        rps = Measure(rows, "rps")
        print("### Requests per second (median) and ratio to redis-server (median of per-round ratios)\n")
        print_measure(targets, tests, rps, lambda v: f"{v / 1000:.0f}k")
        print("\n### CPU per request, µs (median) and ratio to redis-server (median of per-round ratios)\n")
        print("The server process's user + system CPU (/proc) over the requests a test served; "
              "on W3, one connection per request, it is CPU per connection. Below 1.00x uses less than redis.\n")
        print_measure(targets, tests, Measure(rows, "cpu_us_per_request"), lambda v: f"{v:.3g}")
        print_latency(targets, tests, rows)
    print_idle(idle)


class Measure:
    """One column of results.csv by (round, target, test), with the per-round ratio to redis."""

    def __init__(self, rows, column):
        self.by_round = {(r["round"], r["target"], (r["workload"], r["test"])): float(r[column]) for r in rows}

    def median(self, target, key):
        values = [v for (_, t, k), v in self.by_round.items() if t == target and k == key]
        return statistics.median(values) if values else None

    def ratio(self, target, key):
        ratios = [v / self.by_round[(rnd, "redis", k)] for (rnd, t, k), v in self.by_round.items()
                  if t == target and k == key and self.by_round.get((rnd, "redis", k))]
        return statistics.median(ratios) if ratios else None


def print_measure(targets, tests, measure, fmt):
    print("| target | " + " | ".join(f"{w} {t}" for w, t in tests) + " |")
    print("|---" * (len(tests) + 1) + "|")
    for target in targets:
        cells = []
        for key in tests:
            value = measure.median(target, key)
            ratio = measure.ratio(target, key)
            cells.append("-" if value is None else fmt(value) + (f" ({ratio:.2f}x)" if ratio is not None else ""))
        print(f"| {target} | " + " | ".join(cells) + " |")


def print_latency(targets, tests, rows):
    latency = defaultdict(list)
    for r in rows:
        latency[(r["target"], (r["workload"], r["test"]))].append((float(r["p50_ms"]), float(r["p99_ms"])))
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


def idle_kib(row):
    """The larger of RSS growth and live heap growth per connection, and which one it was: a JVM
    whose heap is already expanded takes new connections without growing its RSS."""
    figures = {"RSS": float(row["rss_kib_per_connection"])}
    if row["heap_kib_per_connection"] not in ("", "None"):
        figures["live heap"] = float(row["heap_kib_per_connection"])
    which = max(figures, key=figures.get)
    return figures[which], which


def print_idle(idle):
    print("\n### Idle connections\n")
    print("Idle KiB per connection is the larger of RSS growth and live heap growth (after a full GC) per held connection.\n")
    print("| target | connections | idle KiB/conn | RSS KiB/conn | live heap KiB/conn | threads before / after | answered |")
    print("|---|---|---|---|---|---|---|")
    for r in csv.DictReader(open(idle)):
        kib, which = idle_kib(r)
        heap = r["heap_kib_per_connection"] if r["heap_kib_per_connection"] not in ("", "None") else "-"
        print(f"| {r['target']} | {r['connections']} | {kib:.2f} ({which}) | {r['rss_kib_per_connection']} | {heap} "
              f"| {r['threads_before']} / {r['threads_after']} | {r['answered']} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
