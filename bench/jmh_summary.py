#!/usr/bin/env python3
"""Prints jmh.sh's results as Markdown: for each variant, its score, and its ratio to and difference
from the baseline, the variant of the same benchmark with the feature off.

Each argument is one round's JMH JSON. Ratios and differences are taken within a round (the
baseline ran minutes apart at most), then the median over the rounds is shown, with the lowest and
highest ratio. The baseline is fixed per parameter by BASELINES below, as the benchmarks' Javadoc
says; a benchmark without one of these parameters gets no ratio."""
import json
import statistics
import sys

# parameter -> its value with the feature off
BASELINES = {
    "server": "serversocket",  # AcceptBenchmark: a blocking ServerSocket loop, gserver off
    "metrics": "off",          # MetricsBenchmark: no registry, no listener
    "spawn": "default",        # SpawnBenchmark: a new thread per task, no pool
    "resp": "sample",          # RespBenchmark: the sample's RESP reader before issue 13
    "lineReader": "bufferedreader",  # LineBenchmark: BufferedReader.readLine, unbounded
    "requests": "direct",      # ObservationBenchmark: the request called as is, not observed
}


def short_name(benchmark):
    """dev.gserver.benchmarks.AcceptBenchmark.connectAndReadEof -> AcceptBenchmark.connectAndReadEof"""
    return ".".join(benchmark.split(".")[-2:])


def key(benchmark, params):
    return benchmark, tuple(sorted(params.items()))


def baseline_key(benchmark, params):
    """The key of the variant to compare with, or None; the same key for the baseline itself."""
    varied = next((name for name in params if name in BASELINES), None)
    if varied is None:
        return None
    return key(benchmark, dict(params, **{varied: BASELINES[varied]}))


def main(paths):
    rounds = []  # per round: key -> score
    rows = {}  # key -> (benchmark, params, unit), in the order of the first round that has it
    settings = None  # one result, for the settings they all share
    for path in paths:
        round_scores = {}
        for result in json.load(open(path)):
            params = result.get("params") or {}
            k = key(result["benchmark"], params)
            round_scores[k] = result["primaryMetric"]["score"]
            rows.setdefault(k, (result["benchmark"], params, result["primaryMetric"]["scoreUnit"]))
            settings = result
        rounds.append(round_scores)
    if not rows:
        sys.exit("jmh_summary: no results in " + " ".join(paths))
    print(f"JMH {settings['jmhVersion']} on {settings['vmName']} {settings['jdkVersion']}; {len(rounds)} round(s) of "
          f"{settings['forks']} fork(s) x {settings['threads']} thread(s): warm-up {settings['warmupIterations']} x "
          f"{settings['warmupTime']}, measurement {settings['measurementIterations']} x {settings['measurementTime']}\n")
    print("| benchmark | variant | score (median) | ratio to baseline (median) | lowest - highest | difference (median) |")
    print("|---|---|---:|---:|---:|---:|")
    for k, (benchmark, params, unit) in rows.items():
        scores = [round_scores[k] for round_scores in rounds if k in round_scores]
        variant = ", ".join(f"{name}={value}" for name, value in params.items()) or "-"
        base = baseline_key(benchmark, params)
        ratio = spread = difference = "-"
        if base == k:
            variant += " (baseline)"
        elif base is not None:
            pairs = [(round_scores[k], round_scores[base]) for round_scores in rounds
                     if k in round_scores and base in round_scores]
            if pairs:
                ratios = [score / baseline for score, baseline in pairs]
                ratio = f"{statistics.median(ratios):.2f}"
                spread = f"{min(ratios):.2f} - {max(ratios):.2f}"
                difference = f"{statistics.median(score - baseline for score, baseline in pairs):+,.1f} {unit}"
        print(f"| {short_name(benchmark)} | {variant} | {statistics.median(scores):,.1f} {unit} | {ratio} "
              f"| {spread} | {difference} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: jmh_summary.py <round-1.json> [<round-2.json> ...]")
    main(sys.argv[1:])
