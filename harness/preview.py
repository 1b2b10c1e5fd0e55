"""scripts/preview STACK [--against OLD_PLAN] [--out DIR]: the program under mocks, rendered for review.

Exit 0: rendered and valid. 1: an artifact failed its check. 2: the settings were refused.
3: a usage or I/O error (an --out directory this tool did not create, an unwritable target,
a missing or unreadable --against file).

--against is read before anything is written, so `--against build/prod/plan.json` (the previous
run's plan, inside --out) diffs the new plan against that previous one, not against itself.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from harness import capacity_report
from harness import plan as plans
from harness import plan_diff
from harness import tools
from harness.runtime import ROOT, Run, list_stacks, run_stack
from config.settings import SettingsError
from policy import invariants, network_checks


def dump(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(value, str):
        text = value
    elif path.suffix == ".json":
        text = json.dumps(value, indent=2, sort_keys=True) + "\n"
    else:
        text = yaml.safe_dump(value, sort_keys=False, width=120)
    path.write_text(text)


MARKER = ".kafka-monitoring-preview"  # in every directory this tool writes, and only there
RENAME_ATTEMPTS = 3


class OutputError(Exception):
    """The output directory cannot be written safely (exit 3)."""


def _ours(path: Path) -> bool:
    return (path / MARKER).is_file() or (path.is_dir() and not any(path.iterdir()))


def write(run: Run, out: Path) -> Path:
    """Write plan.json and every artifact into a fresh directory beside `out`, then swap it in.
    `out` is replaced only if this tool created it (its marker) or it is empty; nothing outside it
    is touched, and a failure leaves the previous output as it was. Returns plan.json's path."""
    out = out.resolve()
    if out.exists() and not (out.is_dir() and _ours(out)):
        raise OutputError(f"refusing to replace {out}: it was not created by scripts/preview (no {MARKER})")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as err:
        raise OutputError(f"cannot write beside {out}: {err.strerror}") from None
    try:
        (staging / MARKER).write_text("written by scripts/preview; replaced by the next preview\n")
        for rel, value in run.artifacts.items():
            dump(staging / rel, value)
        dump(staging / "plan.json", plans.plan(run))
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out / "plan.json"


def _swap(staging: Path, out: Path) -> None:
    """Rename the staged output into place; a concurrent preview may win the race, then we retry."""
    for _ in range(RENAME_ATTEMPTS):
        old = None
        if out.exists():
            if not _ours(out):
                raise OutputError(f"refusing to replace {out}: it was not created by scripts/preview")
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            try:
                os.rename(out, old / "previous")
            except FileNotFoundError:
                pass  # another preview moved it first
        try:
            os.rename(staging, out)
            return
        except OSError:
            continue  # another preview put its output in place between our two renames
        finally:
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    raise OutputError(f"could not put the output in place at {out} (other previews kept replacing it)")


def check(out: Path) -> list[tuple[str, bool, str]]:
    """(artifact, ok, tool output) for every artifact a real tool can check here: the stack's own
    cluster's and each further cluster's (clusters/<name>/, rendered for its own Kafka clusters)."""
    results = []
    for root in [out, *sorted(p for p in (out / "clusters").glob("*") if p.is_dir())]:
        if tools.have("promtool"):
            for rules in sorted(root.glob("prometheus/rules/*.yml")):
                results.append((str(rules.relative_to(out)), *tools.check_rules(rules)))
            config = root / "prometheus/prometheus.yml"
            if config.exists():
                results.append((str(config.relative_to(out)), *tools.check_prometheus_config(config)))
        if tools.have("amtool"):
            config = root / "alertmanager/alertmanager.yml"
            if config.exists():
                results.append((str(config.relative_to(out)), *tools.check_alertmanager_config(config)))
    return results


def policy_problems(run: Run) -> list[str]:
    """The policy pack's checks (policy/pack.py CHECKS: the archive and network invariants), judged as on
    an update (every value is known here)."""
    res = [invariants.Resource(r.type, r.name, r.urn, r.inputs, r.protect, provider=r.provider) for r in run.resources]
    found = {**invariants.check_all(res), **{name: check(res) for name, check in network_checks.NETWORK_CHECKS.items()}}
    return [f"{name}: {problem}" for name, problems in found.items() for problem in invariants.violations(problems)]


def read_plan(path: Path) -> dict:
    """An older plan.json, read whole (exit 3 if it is missing, unreadable or not a plan)."""
    if not path.is_file():
        raise OutputError(f"--against {path}: no such file")
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise OutputError(f"--against {path}: not a readable plan.json ({type(err).__name__})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("resources"), list):
        raise OutputError(f"--against {path}: not a plan.json (no resources list)")
    return doc


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors are exit 3; 2 means refused settings
        self.print_usage(sys.stderr)
        self.exit(3, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="scripts/preview", description=__doc__.splitlines()[0])
    parser.add_argument("stack", choices=list_stacks())
    parser.add_argument("--against", type=Path, help="an older plan.json to diff against")
    parser.add_argument("--out", type=Path, help="output folder (default build/STACK)")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "build" / args.stack
    try:
        # Read now: the write below may replace this very file (the previous run's plan.json).
        old_plan = read_plan(args.against) if args.against else None
    except OutputError as err:
        print(f"scripts/preview: {err}", file=sys.stderr)
        return 3
    try:
        run = run_stack(args.stack)
        capacity = capacity_report.attach(run)  # capacity.json and capacity.md, written with the artifacts
    except SettingsError as err:
        print(f"stack {args.stack}: settings refused, nothing registered", file=sys.stderr)
        print("\n".join(f"  - {p}" for p in err.problems), file=sys.stderr)
        return 2
    try:
        plan_path = write(run, out)
    except OutputError as err:
        print(f"scripts/preview: {err}", file=sys.stderr)
        return 3
    print(plans.summary(run))
    print("\n" + capacity_report.table(capacity))
    print(f"\nwrote {len(run.artifacts)} artifacts and {plan_path}")
    failed = False
    for name, ok, output in check(out):
        print(f"check {name}: {'ok' if ok else 'FAILED'}")
        if not ok:
            print("  " + output.replace("\n", "\n  "))
        elif "not checked" in output:
            print("  " + output.splitlines()[-1])
        failed |= not ok
    problems = policy_problems(run)
    print(f"check policy invariants: {'FAILED' if problems else 'ok'}")
    print("".join(f"  {p}\n" for p in problems), end="")
    failed |= bool(problems)
    if not (tools.have("promtool") and tools.have("amtool")):
        print("note: promtool/amtool not installed; rendered artifacts were not checked")
    if args.against:
        print(f"\nplan diff against {args.against} (as it was before this run):")
        new_plan = plans.plan(run)
        diff = plans.diff(old_plan, new_plan)
        print("\n".join(plan_diff.format_dangers(plan_diff.danger_groups(old_plan, new_plan, diff))
                        + [plans.format_diff(diff)]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
