"""scripts/preview STACK [--against OLD_PLAN]: the program under mocks, rendered for review.

Exit 0: rendered and valid. 1: an artifact failed its check. 2: the settings were refused.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from harness import plan as plans
from harness import tools
from harness.runtime import ROOT, Run, list_stacks, run_stack
from config.settings import SettingsError


def dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(value, str):
        text = value
    elif path.suffix == ".json":
        text = json.dumps(value, indent=2, sort_keys=True) + "\n"
    else:
        text = yaml.safe_dump(value, sort_keys=False, width=120)
    path.write_text(text)


def write(run: Run, out: Path) -> Path:
    """Write plan.json and every artifact under out/; returns plan.json's path."""
    if out.exists():
        shutil.rmtree(out)
    for rel, value in run.artifacts.items():
        dump(out / rel, value)
    plan_path = out / "plan.json"
    dump(plan_path, plans.plan(run))
    return plan_path


def check(out: Path) -> list[tuple[str, bool, str]]:
    """(artifact, ok, tool output) for every artifact a real tool can check here."""
    results = []
    if tools.have("promtool"):
        for rules in sorted(out.glob("prometheus/rules/*.yml")):
            results.append((str(rules.relative_to(out)), *tools.check_rules(rules)))
        config = out / "prometheus/prometheus.yml"
        if config.exists():
            results.append((str(config.relative_to(out)), *tools.check_prometheus_config(config)))
    if tools.have("amtool"):
        config = out / "alertmanager/alertmanager.yml"
        if config.exists():
            results.append((str(config.relative_to(out)), *tools.check_alertmanager_config(config)))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/preview", description=__doc__.splitlines()[0])
    parser.add_argument("stack", choices=list_stacks())
    parser.add_argument("--against", type=Path, help="an older plan.json to diff against")
    parser.add_argument("--out", type=Path, help="output folder (default build/STACK)")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "build" / args.stack
    try:
        run = run_stack(args.stack)
    except SettingsError as err:
        print(f"stack {args.stack}: settings refused, nothing registered", file=sys.stderr)
        print("\n".join(f"  - {p}" for p in err.problems), file=sys.stderr)
        return 2
    plan_path = write(run, out)
    print(plans.summary(run))
    print(f"\nwrote {len(run.artifacts)} artifacts and {plan_path}")
    failed = False
    for name, ok, output in check(out):
        print(f"check {name}: {'ok' if ok else 'FAILED'}")
        if not ok:
            print("  " + output.replace("\n", "\n  "))
        elif "not checked" in output:
            print("  " + output.splitlines()[-1])
        failed |= not ok
    if not (tools.have("promtool") and tools.have("amtool")):
        print("note: promtool/amtool not installed; rendered artifacts were not checked")
    if args.against:
        print(f"\nplan diff against {args.against}:")
        print(plans.format_diff(plans.diff(json.loads(args.against.read_text()), plans.plan(run))))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
