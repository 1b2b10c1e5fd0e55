"""Domain mutation benchmark: mistakes of meaning, beside mutmut's syntactic ones (scripts/mutation --domain).

mutmut flips an operator or a constant; a reviewer catches most of those. The mistakes that pass
review keep the code plausible: a rule or a policy statement left out, a principal widened to a
prefix, a threshold moved by one, a severity swapped, a label matcher or a condition key dropped, a
regex alternative lost, a boolean default flipped (the operators: devtools/mutation_operators.py).

A mutant runs in a working copy of the repository (build/mutation-domain/<area>/w<N>/, one per
worker) with the area's own tests, exactly those scripts/mutation gives it (devtools/mutation.py's
AREAS; in `content`, each module's judges from devtools/mutation_graph.py), under `pytest -x`. Exit 0:
survived; 5: no tests; any other exit or a timeout: killed (as scripts/mutation counts a hung
worker). Reviewed equivalents are read from docs/mutation-equivalents.md like mutmut's (a name with
the digest of its diff, devtools/mutation_equivalents.py). Report: build/mutation-domain/report.md,
with the area's syntactic score from build/mutation/report.md when a mutmut run left one.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from devtools import mutation_equivalents
from devtools.mutation import AREAS, EQUIVALENTS, WORK as SYNTACTIC
from devtools.mutation_graph import Area, judges, link_untracked, repo_files
from devtools.mutation_operators import OPERATORS, Mutant, module_name, mutants_of
from harness.runtime import ROOT

WORK = ROOT / "build" / "mutation-domain"
REPORT = WORK / "report.md"
# Not Python, but where the settings' defaults live (config/schema.py reads it): the settings area's.
EXTRA_SOURCES = {"settings": ("Pulumi.yaml",)}


def area_sources(name: str) -> list[str]:
    area = AREAS[name]
    files = [f for f in repo_files() if f.endswith(".py") and f.startswith(area.sources)
             and not f.endswith("__init__.py")]
    return sorted(files) + list(EXTRA_SOURCES.get(name, ()))


def tests_for(name: str, path: str) -> tuple[list[str], list[str]]:
    """(test paths, pytest options) that judge a file of the area: as scripts/mutation gives them."""
    area: Area = AREAS[name]
    options = [t for i, t in enumerate(area.tests) if not t.startswith("tests/") or area.tests[i - 1] == "-k"]
    paths = [t for t in area.tests if t not in options]
    if area.by_module and path.endswith(".py"):
        # The content tests before the component tests, which run the whole program: a killed mutant
        # mostly dies in the first.
        paths = sorted(judges(area).get(module_name(path), []), key=lambda p: (p.startswith("tests/components"), p))
    return paths, options


# ---------------------------------------------------------------- running


@dataclass
class Result:
    name: str
    status: str  # killed, survived, no tests, timeout, broken (the killing test fails without the mutant)
    seconds: float
    failed: str | None = None


def status_of(returncode: int | None) -> str:
    """pytest's exit -> verdict: 0 survived, 5 no tests collected, None a timeout, else killed (1 a
    failing test, 2 a collection error, 3 and 4 an error of pytest itself that only the mutant made)."""
    return {0: "survived", 5: "no tests", None: "timeout"}.get(returncode, "killed")


def run_one(copy: Path, mutant: Mutant, mutated: bytes, paths: list[str], options: list[str],
            timeout: float) -> Result:
    """Run the tests with the mutant in place in this working copy; the file is put back after."""
    target = copy / mutant.path
    original = target.read_bytes()
    started = time.monotonic()
    try:
        target.write_bytes(mutated)
        for cached in (target.parent / "__pycache__").glob(f"{target.stem}.*.pyc"):
            cached.unlink()  # a same-size mutant written in the same second would pass the pyc's check
        if not paths:
            return Result(mutant.name, "no tests", 0.0)
        code, out = _pytest(copy, [*options, *paths], timeout)
        failed = re.search(r"^(?:FAILED|ERROR) (\S+)", out, flags=re.M)
        return Result(mutant.name, status_of(code), round(time.monotonic() - started, 2),
                      failed.group(1) if failed else None)
    finally:
        target.write_bytes(original)


def _pytest(copy: Path, args: list[str], timeout: float) -> tuple[int | None, str]:
    """pytest in a working copy, stopping at the first failure: (its exit code, None on a timeout; its
    output)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(copy)}
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                               "-m", "not live", *args], cwd=copy, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, ""
    return proc.returncode, proc.stdout


def passes_unmutated(copy: Path, failed: str, options: list[str], timeout: float) -> bool:
    """Whether the test that killed a mutant passes in the working copy without it (every case of its
    function: a case id may hold spaces, which pytest's summary line cuts). A test that fails on its own
    (an untracked file missing from the copy, a test broken at HEAD) kills nothing."""
    return _pytest(copy, [*options, failed.split("[", 1)[0]], timeout)[0] == 0


def sync(copy: Path) -> None:
    """Make a working copy hold the repository's files as they are now (tests included)."""
    for f in repo_files():
        src, dst = ROOT / f, copy / f
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    link_untracked(copy)


def sample(mutants: list[Mutant], n: int) -> list[Mutant]:
    """Up to n mutants per module and operator, drawn with a fixed seed (a rerun draws the same)."""
    pool: dict[tuple[str, str], list[Mutant]] = {}
    for m in mutants:
        pool.setdefault((m.path, m.operator), []).append(m)
    rng = random.Random(29)
    return [m for key in sorted(pool) for m in rng.sample(pool[key], min(n, len(pool[key])))]


def run(name: str, chosen: list[tuple[Mutant, bytes]], children: int, timeout: float,
        progress: Callable[[Result], None] = lambda r: None) -> list[Result]:
    work = WORK / name
    copies = [work / f"w{i}" for i in range(children)]
    for copy in copies:
        sync(copy)
    todo = list(chosen)
    lock = threading.Lock()
    done: list[Result] = []

    def worker(copy: Path) -> None:
        passing: set[str] = set()  # killing tests seen to pass in this copy without a mutant
        while True:
            with lock:
                if not todo:
                    return
                mutant, mutated = todo.pop(0)
            paths, options = tests_for(name, mutant.path)
            result = run_one(copy, mutant, mutated, paths, options, timeout)
            if result.status == "killed" and result.failed and result.failed not in passing:
                if passes_unmutated(copy, result.failed, options, timeout):
                    passing.add(result.failed)
                else:
                    result.status = "broken"
            with lock:
                done.append(result)
                progress(result)

    threads = [threading.Thread(target=worker, args=(c,)) for c in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done


# ---------------------------------------------------------------- report


def tally(statuses: list[str]) -> dict[str, int]:
    counts = Counter(statuses)
    return {"killed": counts["killed"] + counts["timeout"], "survived": counts["survived"],
            "equivalent": counts["equivalent"], "no tests": counts["no tests"], "broken": counts["broken"]}


def score_text(counts: dict[str, int]) -> str:
    """killed / (killed + survived): equivalents and mutants without tests are left out, as in
    scripts/mutation."""
    judged = counts["killed"] + counts["survived"]
    return f"{counts['killed'] / judged:.0%}" if judged else "-"


def syntactic_score(name: str, report: Path | None = None) -> str:
    """The area's score in the last mutmut run's report (SYNTACTIC/report.md, looked up at the call), if
    one is there."""
    report = report or SYNTACTIC / "report.md"
    if not report.exists():
        return "-"
    m = re.search(rf"^\| \*\*{re.escape(name)}\*\* \|(?:[^|]*\|){{6}} ([^|]+) \|", report.read_text(), flags=re.M)
    return m.group(1).strip() if m else "-"


def _load(name: str) -> dict:
    path = WORK / name / "results.json"
    return json.loads(path.read_text()) if path.exists() else {"mutants": {}, "results": {}}


def report(names: list[str]) -> list[str]:
    listed = mutation_equivalents.read(EQUIVALENTS)
    summary = ["# Domain mutation benchmark", "",
               "| area | mutants made | run | killed | survived | equivalent | no tests | broken | domain score | "
               "syntactic score (last mutmut run) | seconds |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    by_operator = ["", "## Per area and operator", "", "| area | operator | killed | survived | equivalent | "
                   "no tests | broken | score |", "|---|---|---|---|---|---|---|---|"]
    survivors = ["", "## Survivors", ""]
    for name in names:
        data = _load(name)
        statuses = {}
        for mutant_name, result in data["results"].items():
            if mutant_name not in data["mutants"]:  # left by a run on older code: no diff to judge it by
                continue
            diff = data["mutants"][mutant_name]["diff"]
            reviewed = listed.get(mutant_name)
            equivalent = reviewed is not None and reviewed.digest in (None, mutation_equivalents.digest(diff))
            statuses[mutant_name] = "equivalent" if equivalent and result["status"] == "survived" else result["status"]
        counts = tally(list(statuses.values()))
        summary.append(f"| **{name}** | {len(data['mutants'])} | {len(statuses)} | {counts['killed']} | "
                       f"{counts['survived']} | {counts['equivalent']} | {counts['no tests']} | {counts['broken']} | "
                       f"{score_text(counts)} | {syntactic_score(name)} | {data.get('seconds', '-')} |")
        for op in OPERATORS:
            mine = [s for n, s in statuses.items() if data["mutants"][n]["operator"] == op]
            if mine:
                c = tally(mine)
                by_operator.append(f"| {name} | {op} | {c['killed']} | {c['survived']} | {c['equivalent']} | "
                                   f"{c['no tests']} | {c['broken']} | {score_text(c)} |")
        for mutant_name in sorted(n for n, s in statuses.items() if s in ("survived", "broken")):
            m, broken = data["mutants"][mutant_name], statuses[mutant_name] == "broken"
            note = f"; broken: {data['results'][mutant_name].get('failed')} fails without it" if broken else ""
            survivors += [f"### {mutant_name} ({m['what']}{note})", "```diff", m["diff"].strip(), "```", ""]
    return summary + by_operator + survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation --domain", description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", default=list(AREAS), help=f"some of: {', '.join(AREAS)}")
    parser.add_argument("--operator", action="append", choices=list(OPERATORS), help="only these operators")
    parser.add_argument("--sample", type=int, metavar="N", help="run N mutants per module and operator (fixed seed)")
    parser.add_argument("--survived", action="store_true", help="run again only what the last run left alive")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--report-only", action="store_true", help="write the report of the last runs")
    parser.add_argument("--children", type=int, default=2, metavar="N", help="mutants run at once (default 2)")
    parser.add_argument("--timeout", type=float, default=600, metavar="S", help="seconds before a run counts "
                        "as hung (a timeout counts as killed, as in scripts/mutation)")
    args = parser.parse_args(argv)
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown areas {unknown}; allowed: {', '.join(AREAS)}")
    if args.children < 1:
        parser.error(f"--children must be 1 or more, not {args.children}")
    operators = tuple(args.operator or OPERATORS)
    listed = mutation_equivalents.read(EQUIVALENTS)
    for name in args.areas if not args.report_only else ():
        made = [pair for path in area_sources(name) for pair in mutants_of(path, (ROOT / path).read_bytes(), operators)]
        if args.list:
            for m, _ in made:
                print(f"{m.name}\t{m.path}:{m.line}\t{m.what}")
            continue
        data = _load(name)
        data["mutants"] = {m.name: asdict(m) for m, _ in made}
        confirmed = {m.name for m, _ in made
                     if m.name in listed and listed[m.name].digest == mutation_equivalents.digest(m.diff)}
        chosen = [(m, t) for m, t in made if m.name not in confirmed]
        if args.survived:
            chosen = [(m, t) for m, t in chosen if data["results"].get(m.name, {}).get("status") == "survived"]
        if args.sample:
            keep = {m.name for m in sample([m for m, _ in chosen], args.sample)}
            chosen = [(m, t) for m, t in chosen if m.name in keep]
        if not args.survived:
            data["results"] = {}
        # Results of mutants the current code no longer makes (lines moved, names renumbered) are dropped.
        data["results"] = {k: v for k, v in data["results"].items() if k in data["mutants"]}
        for mutant in confirmed:  # a reviewed equivalent is not run: its review stands for the verdict
            data["results"][mutant] = asdict(Result(mutant, "survived", 0.0))
        started = time.monotonic()
        print(f"{name}: {len(made)} mutants, running {len(chosen)}", file=sys.stderr, flush=True)
        for result in run(name, chosen, args.children, args.timeout,
                          lambda r: print(f"  {r.status:9} {r.seconds:7.1f}s {r.name}", file=sys.stderr, flush=True)):
            data["results"][result.name] = asdict(result)
        data["seconds"] = round(time.monotonic() - started) + (data.get("seconds", 0) if args.survived else 0)
        (WORK / name).mkdir(parents=True, exist_ok=True)
        (WORK / name / "results.json").write_text(json.dumps(data, indent=1, sort_keys=True))
    if args.list:
        return 0
    lines = report([a for a in args.areas if (WORK / a / "results.json").exists()])
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:lines.index("## Survivors") - 1]))
    print(f"\nsurvivors: {os.path.relpath(REPORT, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
