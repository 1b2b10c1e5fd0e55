"""The mutation benchmark: mutmut (settings in setup.cfg) per area, scored against reviewed equivalents.

Each mutant runs, in a fresh pytest (setup.cfg: forkserver without warmup, because this suite
computes data at import), only the tests that reached the mutated function. The score of an area is
killed / (killed + survived - equivalent); docs/mutation-equivalents.md lists the reviewed equivalent
mutants, one per line as `name: reason`. The report goes to build/mutation/report.md.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from harness.runtime import ROOT

AREAS = {
    "jmx": ["content.jmx.*"],
    "rules": ["content.alerts.*", "content.recording.*", "content.slo.*", "content.alertmanager.*"],
    "content": ["content.*"],
    "settings": ["config.*"],
    "policy": ["policy.invariants.*"],
    "provider": ["components.search_api.*", "components.search_provider.*"],
    "plan": ["harness.plan.*", "harness.meaning.*", "harness.plan_diff.*"],
}
DEFAULT = ["jmx", "settings", "policy", "provider", "plan"]
EQUIVALENTS = ROOT / "docs" / "mutation-equivalents.md"
REPORT = ROOT / "build" / "mutation" / "report.md"


def _mutmut(*args: str) -> str:
    proc = subprocess.run([str(Path(sys.executable).parent / "mutmut"), *args], cwd=ROOT, capture_output=True,
                          text=True)
    return proc.stdout


def equivalents() -> dict[str, str]:
    if not EQUIVALENTS.exists():
        return {}
    return dict(re.findall(r"^- `([\w.]+)`: (.+)$", EQUIVALENTS.read_text(), flags=re.M))


def results() -> dict[str, str]:
    """mutant name -> status (killed, survived, no tests, timeout, ...)."""
    return dict(re.findall(r"^\s*([\w.]+__mutmut_\d+): (.+)$", _mutmut("results", "--all", "true"), flags=re.M))


def score(area: str, statuses: dict[str, str], equivalent: dict[str, str]) -> tuple[int, int, int, float | None]:
    prefixes = [g.rstrip("*") for g in AREAS[area]]
    mine = {n: s for n, s in statuses.items() if any(n.startswith(p) for p in prefixes) and s != "not checked"}
    counts = Counter(mine.values())
    survivors = [n for n, s in mine.items() if s == "survived" and n not in equivalent]
    killed = counts["killed"]
    denominator = killed + len(survivors)
    return killed, len(survivors), sum(1 for n in mine if n in equivalent), (killed / denominator if denominator else None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", default=DEFAULT, help=f"some of: {', '.join(AREAS)}")
    parser.add_argument("--report-only", action="store_true", help="score the last run without running again")
    args = parser.parse_args(argv)
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown areas {unknown}; allowed: {', '.join(AREAS)}")
    if not args.report_only:
        globs = [g for area in args.areas for g in AREAS[area]]
        subprocess.run([str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", "2", *globs], cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    statuses, equivalent = results(), equivalents()
    lines = ["# Mutation benchmark", "", "| area | killed | survived | equivalent | score |", "|---|---|---|---|---|"]
    survivors: list[str] = []
    for area in args.areas:
        killed, survived, eq, value = score(area, statuses, equivalent)
        lines.append(f"| {area} | {killed} | {survived} | {eq} | {'-' if value is None else f'{value:.0%}'} |")
        prefixes = [g.rstrip("*") for g in AREAS[area]]
        survivors += [n for n, s in statuses.items() if s == "survived" and n not in equivalent
                      and any(n.startswith(p) for p in prefixes)]
    lines += ["", "## Survivors", ""]
    for name in sorted(set(survivors)):
        lines += [f"### {name}", "```diff", _mutmut("show", name).strip(), "```", ""]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:len(args.areas) + 4]))
    print(f"\nsurvivors: {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
