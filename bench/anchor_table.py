#!/usr/bin/env python3
"""One table from one run of the anchor harness (../shared/bench/run.sh): per target, throughput
and CPU per request as ratios to redis-server in the same round (median over rounds; the range
over a workload's tests), the W4 -c 50 p99, and idle KiB per held connection (the larger of RSS
growth and live heap growth). CPU per request is the server's CPU (srv_cpu_pct x wall_s) over
the requests a test served; on W3, per connection.

  bench/anchor_table.py /tmp/gserver-bench/bench-RUNID.csv /tmp/gserver-bench/idle-RUNID.csv
"""
import csv
import statistics
import sys
from collections import defaultdict

bench = list(csv.DictReader(open(sys.argv[1])))
idle = list(csv.DictReader(open(sys.argv[2]))) if len(sys.argv) > 2 else []

rows = defaultdict(dict)  # (round, workload, test) -> target -> row
targets = []
for r in bench:
    if r["rc"] != "0":
        continue
    rows[(r["round"], r["workload"], r["test"])][r["target"]] = r
    if r["target"] not in targets:
        targets.append(r["target"])


def cpu_per_request(r):
    return float(r["srv_cpu_pct"]) / 100 * float(r["wall_s"]) / int(r["requests"])


def ratios(target, workload, value):
    """Per test of the workload: the median over rounds of target / redis."""
    per_test = defaultdict(list)
    for (rnd, wl, test), by_target in rows.items():
        if wl == workload and target in by_target and "redis" in by_target:
            base = value(by_target["redis"])
            if base > 0:
                per_test[test].append(value(by_target[target]) / base)
    return {t: statistics.median(v) for t, v in per_test.items()}


def span(values):
    if not values:
        return "–"
    lo, hi = min(values), max(values)
    return "%.2f" % lo if abs(hi - lo) < 0.005 else "%.2f–%.2f" % (lo, hi)


def p99(target):
    v = [float(by[target]["p99_ms"]) for (rnd, wl, t), by in rows.items() if wl == "W4" and t.endswith("c50") and target in by]
    return "%.3f" % statistics.median(v) if v else "–"


def idle_kib(target):
    rss = [float(r["rss_per_conn_b"]) / 1024 for r in idle if r.get("target") == target and r.get("rss_per_conn_b")]
    heap = [float(r["heap_per_conn_b"]) / 1024 for r in idle if r.get("target") == target and r.get("heap_per_conn_b")]
    m_rss = statistics.median(rss) if rss else None
    m_heap = statistics.median(heap) if heap else None
    larger = max(x for x in (m_rss, m_heap) if x is not None) if (rss or heap) else None
    if larger is None:
        return "–"
    detail = "RSS %.1f" % m_rss if m_rss is not None else ""
    if m_heap is not None:
        detail += ", heap %.1f" % m_heap
    return "%.1f (%s)" % (larger, detail)


rps = lambda r: float(r["rps"])
print("| target | W1 throughput | W1 CPU per request | W2 throughput | W2 CPU per request "
      "| W3 throughput | W3 CPU per connection | W4 c50 p99, ms | idle KiB per connection |")
print("|---" * 9 + "|")
for t in targets:
    cells = [t]
    for wl in ("W1", "W2", "W3"):
        cells.append(span(list(ratios(t, wl, rps).values())))
        cpu = list(ratios(t, wl, cpu_per_request).values())
        cells.append(span(cpu) if wl == "W3" else ("%.2f" % statistics.median(cpu) if cpu else "–"))
    cells += [p99(t), idle_kib(t)]
    print("| " + " | ".join(cells) + " |")
