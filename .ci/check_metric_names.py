#!/usr/bin/env python3
"""Checks that every metric name the docs mention is in a live Prometheus scrape.

  check_metric_names.py SCRAPE_FILE

SCRAPE_FILE is what /actuator/prometheus answered. The names come from the README, docs/*.md,
the sample's README, its alert rules (and their tests) and its Grafana dashboard:
  - every Prometheus name (gserver_...) must be the name of a sample or of a family in the scrape;
  - every meter of docs/observability.md's meter table (gserver.x.y) must have a series whose name
    starts with its Prometheus form (gserver_x_y).
Exits 1, listing each missing name with where it is written, when one is missing.
"""
import glob
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SOURCES = ["README.md", "docs/*.md", "sample-app/README.md", "sample-app/monitoring/*.yml",
           "sample-app/monitoring/*.json"]
METER_TABLE = "docs/observability.md"
PROMETHEUS_NAME = re.compile(r"\bgserver_[a-z0-9_]*[a-z0-9]\b")
# a row of the meter table: its name, then its type (other tables hold MDC keys, series counts)
METER_ROW = re.compile(r"^\| `(gserver(?:\.[a-z]+)+)` \| (?:counter|gauge|timer)\b")


def scraped_names(path):
    samples, families = set(), set()
    with open(path) as scrape:
        for line in scrape:
            if line.startswith("# TYPE ") or line.startswith("# HELP "):
                families.add(line.split()[2])
            elif line.strip() and not line.startswith("#"):
                samples.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return samples, families


def documented_names():
    """Yields (name, is_meter, where) for each mention."""
    for pattern in SOURCES:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
            relative = os.path.relpath(path, ROOT)
            with open(path) as source:
                for number, line in enumerate(source, 1):
                    where = "%s:%d" % (relative, number)
                    for name in PROMETHEUS_NAME.findall(line):
                        yield name, False, where
                    row = METER_ROW.match(line) if relative == METER_TABLE else None
                    if row:
                        yield row.group(1), True, where


def main(args):
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    samples, families = scraped_names(args[0])
    if not samples:
        print("check_metric_names: the scrape %s has no samples" % args[0], file=sys.stderr)
        return 1
    checked, missing = set(), []
    for name, is_meter, where in documented_names():
        if is_meter:
            prefix = name.replace(".", "_")
            found = any(sample == prefix or sample.startswith(prefix + "_") for sample in samples)
        else:
            found = name in samples or name in families
        checked.add(name)
        if not found:
            missing.append("%s (%s)" % (name, where))
    for entry in missing:
        print("check_metric_names: not in the scrape: " + entry, file=sys.stderr)
    if missing:
        return 1
    print("check_metric_names: all %d metric names the docs mention are in the scrape" % len(checked))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
