"""Measure when each scenario's alert first fires, with promtool: `python -m tests.content.measure_detection [ALERT ...]`.

A measuring tool, not a test: it asks promtool for the alert's state at every evaluation from just
before the fault until `--horizon` seconds after it, and prints the first firing time. The
scenarios then assert that time (tests/content/test_alert_rules.py). `--faults [ID ...]` does the
same for the pages of the fault shapes (tests/content/fault_shapes.py), counted from each shape's
worst-case fault moment, which tests/content/test_alert_faults.py asserts.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import tempfile
from pathlib import Path

import yaml

from tests.conftest import make_settings
from tests.content.alert_scenarios import SCENARIOS, STEP
from tests.content.fault_shapes import FAULTS
from tests.content.promtool_tests import write_rules


def _seconds(text: str) -> int:
    return sum(int(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in re.findall(r"(\d+)([hms])", text))


def first_firing(scenario, horizon: int) -> int | None:
    settings = make_settings("prod")
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        rules = write_rules(settings, folder, scenario.alert)
        times = range(scenario.onset - 2 * STEP, scenario.onset + horizon + 1, STEP)
        checks = [{"expr": f'ALERTS{{alertname="{scenario.alert}",alertstate="firing"}}', "eval_time": f"{t}s",
                   "exp_samples": []} for t in times]
        test = {"rule_files": [rules], "evaluation_interval": f"{STEP}s",
                "tests": [{"interval": f"{scenario.interval}s",
                           "input_series": [{"series": s, "values": v} for s, v in scenario.fault],
                           "promql_expr_test": checks}]}
        (folder / "t.yml").write_text(yaml.safe_dump(test, sort_keys=False, width=1 << 20))
        out = subprocess.run(["promtool", "test", "rules", "t.yml"], cwd=folder, capture_output=True, text=True,
                             timeout=600)
        out = out.stdout + out.stderr  # promtool reports failures on stderr
    fired = [_seconds(m) for m in re.findall(r"time: ([0-9hms]+)", out)]
    return min(fired) - scenario.onset if fired else None


def fault_firing(fault, horizon: int) -> dict[str, int | None]:
    """Each paged alert of a fault shape: seconds from the worst-case moment to its first firing."""
    settings = make_settings("prod")
    shape = fault.shape()
    found = {}
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        rules = write_rules(settings, folder, list(fault.alerts), "rules.yml")  # a shape that pages names its alerts
        for alert, _ in fault.pages:
            times = range(shape.worst - 2 * STEP, min(shape.worst + horizon, (shape.n - 1) * STEP) + 1, STEP)
            checks = [{"expr": f'ALERTS{{alertname="{alert}",alertstate="firing"}}', "eval_time": f"{t}s",
                       "exp_samples": []} for t in times]
            test = {"rule_files": [rules], "evaluation_interval": f"{STEP}s",
                    "tests": [{"interval": f"{STEP}s", "input_series": shape.input_series(),
                               "promql_expr_test": checks}]}
            (folder / "t.yml").write_text(yaml.safe_dump(test, sort_keys=False, width=1 << 20))
            out = subprocess.run(["promtool", "test", "rules", "t.yml"], cwd=folder, capture_output=True, text=True,
                                 timeout=600)
            fired = [_seconds(m) for m in re.findall(r"time: ([0-9hms]+)", out.stdout + out.stderr)]
            found[alert] = min(fired) - shape.worst if fired else None
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("alerts", nargs="*")
    parser.add_argument("--horizon", type=int, default=1800)
    parser.add_argument("--faults", action="store_true", help="measure the fault shapes' pages (ids as arguments)")
    args = parser.parse_args()
    if args.faults:
        for fault in FAULTS:
            if fault.pages and (not args.alerts or fault.id in args.alerts):
                for alert, seconds in fault_firing(fault, args.horizon).items():
                    print(f"{fault.id} {alert}: first firing {seconds} s after the worst-case moment "
                          f"(shape says {dict(fault.pages)[alert]})")
        return
    for sc in SCENARIOS:
        if args.alerts and sc.alert not in args.alerts:
            continue
        print(f"{sc.alert}: first firing {first_firing(sc, args.horizon)} s after the fault (scenario says {sc.detect})")


if __name__ == "__main__":
    main()
