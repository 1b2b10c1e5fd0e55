"""scripts/bench-rules: what one evaluation cycle of our recording and alert rules costs on a real
Prometheus, over the synthetic history of scripts/bench-dashboards (devtools/query_bench.py: N clusters,
an hour and a warm-up at 15 s, our recording rules backfilled with promtool).

A rule group's evaluation runs each rule's expression as an instant query at the evaluation time
(prometheus v2.54.1 rules/group.go Group.Eval; rules/manager.go EngineQueryFunc -> NewInstantQuery), one
rule after another unless concurrent evaluation is switched on (sequentialRuleEvalController); so each rule is timed here as `/api/v1/query?time=<end>` (median of three), and a group's
cycle is the sum of its rules. The history is an hour long: a rule with a [1d] or [3d] range reads only
that hour here, so its real cost is higher by up to the ratio of the windows. Nothing here asserts.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from content.rules import rule_files
from devtools.query_bench import RUNS, STEP, Prometheus, prepare


def instant(prom: Prometheus, expr: str, at: int) -> tuple[float, int]:
    params = urllib.parse.urlencode({"query": expr, "time": at})
    begin = time.perf_counter()
    with urllib.request.urlopen(f"{prom.url}/api/v1/query?{params}", timeout=120) as r:
        body = json.loads(r.read())
    return time.perf_counter() - begin, len(body["data"]["result"])


def measure(prom: Prometheus, settings, end: int) -> list[tuple[str, str, str, float, int]]:
    """(file, group, rule, seconds, series) for every rule."""
    rows = []
    for name, doc in rule_files(settings).items():
        for group in doc["groups"]:
            for rule in group["rules"]:
                times, series = [], 0
                for _ in range(RUNS):
                    seconds, series = instant(prom, rule["expr"], end)
                    times.append(seconds)
                rows.append((name, group["name"], rule.get("record") or rule.get("alert"), statistics.median(times),
                             series))
    return rows


def _report(clusters: int, raw: int, rows: list, interval_s: float) -> float:
    groups: dict[tuple[str, str], float] = {}
    for name, group, _, seconds, _ in rows:
        groups[(name, group)] = groups.get((name, group), 0.0) + seconds
    total = sum(groups.values())
    print(f"\n## {clusters} cluster(s): {raw} raw series, 1 h at {STEP} s\n")
    print("| rule file | group | s per cycle |")
    print("|---|---|---:|")
    for (name, group), seconds in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {group} | {seconds:.3f} |")
    print(f"\nall groups: {total:.3f} s per cycle, {100 * total / interval_s:.1f} % of the {interval_s:g} s "
          "evaluation interval (target: under 10 %)")
    print("slowest rules: " + ", ".join(f"{r[2]} {r[3]:.3f} s" for r in sorted(rows, key=lambda r: -r[3])[:5]))
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench-rules", description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args(argv)
    for tool in ("prometheus", "promtool"):
        if not shutil.which(tool):
            print(f"scripts/bench-rules: {tool} is not installed", file=sys.stderr)
            return 3
    from config.fields import duration_seconds
    from tests.conftest import make_settings
    for n in args.clusters:
        settings = make_settings("prod", clusters=[f"kafka-{i} ns=kafka-{i} preset=strimzi" for i in range(n)])
        with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp:
            tsdb, end, raw = prepare(n, settings, Path(tmp))
            with Prometheus(tsdb, Path(tmp)) as prom:
                rows = measure(prom, settings, end)
            _report(n, raw, rows, duration_seconds(settings.evaluation_interval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
