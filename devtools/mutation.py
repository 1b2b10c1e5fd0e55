"""The mutation benchmark: mutmut per area, each area with its own tests, scored against reviewed equivalents.

Each area runs in its own working copy (build/mutation/<area>/) with a generated mutmut config:
only the area's modules are mutated, and only the area's tests run (the tests mirror the source),
so that a mutant in the settings is not judged by every whole-program test in the suite.

Per mutant mutmut forks a fresh pytest from a server that has already imported the packages and
every module of ours whose import calls no function of the area (an import probe decides). A
module that does (config/sections.py builds its classes at import) is imported after the fork,
with the mutant in place; and as mutmut credits calls made at import to one test only, the
survivors in those functions are judged again by all of the area's tests. Where the program
cannot reach the area, its runs are memoised (devtools/mutation_memo.py).

Score of an area: killed / (killed + survived - equivalent). mutmut reports a worker that hung or
died as "timeout" (exit 255: here, mostly a mutant that breaks test collection, such as a rule table
that cannot be built); both mean the tests failed, so they count as killed. "no tests" is reported
apart. docs/mutation-equivalents.md lists
the reviewed equivalent mutants, one per line as `name [digest]: reason`; those whose diff still has
the reviewed digest are not run (devtools/mutation_equivalents.py). Mutants that change only the words
of an alert's or a legend's text are not run either (devtools/mutation_text.py) and are counted apart.
Report: build/mutation/report.md.
"""
from __future__ import annotations

import argparse
import filecmp
import fnmatch
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from devtools import mutation_equivalents
from devtools.mutation_graph import Area, area_test_modules, judges, link_untracked, preload, probe, repo_files
from devtools.mutation_pytest import module_of
from devtools.mutation_text import text_mutants
from harness.runtime import ROOT


AREAS = {
    # The 28 end-to-end detection scenarios (promtool over hours of data, 18 s a run) are left out: a
    # surviving rule mutant would run them all. The boundary, burn-rate and recording-rule tests judge
    # the rules; a mutant only the scenarios would kill counts as surviving (the score is a floor).
    # The component tests judge content too: they send its bodies to the model servers (tests mirror
    # the source, but a body's field names are proved only where an API parses them).
    "content": Area(("content/",), ("tests/content", "tests/components",
                                    "-k", "not test_alert_fires_on_time_and_stays_quiet_otherwise"), by_module=True),
    "settings": Area(("config/",), ("tests/config",)),
    # The pack-process test runs the pack in a child process, where mutmut's trampoline finds no
    # setup.cfg and raises; the in-process AnalyzeStack tests judge the same invariants.
    "policy": Area(("policy/invariants.py",), ("tests/policy", "-k", "not test_the_pack_process_answers_the_engine_over_grpc")),
    "provider": Area(("components/search_api.py", "components/search_provider.py", "components/views_provider.py"),
                     ("tests/components/test_search_api.py", "tests/components/test_search_provider.py",
                      "tests/components/test_search_convergence.py", "tests/components/test_search_retention.py",
                      "tests/components/test_search_detections.py", "tests/components/test_views_provider.py")),
    # tests/harness/test_preview.py and test_workflow.py judge the preview script and the CI workflow,
    # other code, with subprocesses (20 s a run): they are left out here.
    "plan": Area(("harness/plan.py", "harness/meaning.py", "harness/plan_diff.py"),
                 ("tests/harness/test_plan.py", "tests/harness/test_meaning.py", "tests/harness/test_facts.py",
                  "tests/harness/test_plan_properties.py", "tests/harness/test_plan_diff_orchestration.py",
                  "tests/harness/test_danger_edges.py", "tests/harness/test_fact_thresholds.py")),
}
WORK = ROOT / "build" / "mutation"
EQUIVALENTS = ROOT / "docs" / "mutation-equivalents.md"
REPORT = WORK / "report.md"
MUTMUT = Path(sys.executable).parent / "mutmut"


def _config(area: Area) -> str:
    """mutmut's settings for one area (setup.cfg syntax: one value per line)."""
    files = [f for f in repo_files() if not f.startswith("tests/")]
    # Whole folders where possible; file by file in a folder that holds a mutated file, so that the
    # copy never overwrites the mutant.
    split = {s.split("/")[0] for s in area.sources if not s.endswith("/")}
    copies = sorted({f if f.split("/")[0] in split or "/" not in f else f.split("/")[0] + "/" for f in files}
                    - set(area.sources))
    copies = [c for c in copies if not c.startswith(tuple(s for s in area.sources if s.endswith("/")))]

    def block(key: str, values: list[str] | tuple[str, ...]) -> str:
        return f"{key} =\n" + "".join(f"    {v}\n" for v in values)

    return ("# Generated by devtools/mutation.py for one area; edit AREAS there.\n[mutmut]\n"
            + block("source_paths", area.sources)
            + block("also_copy", copies)
            + block("pytest_add_cli_args_test_selection", area.tests)
            + block("pytest_add_cli_args", ["-m", "not live", "-p", "no:cacheprovider",
                                            "-p", "devtools.mutation_pytest"])
            + "process_isolation = forkserver\nforkserver_warmup = import\npreload_modules_file = preload.txt\n")


def recheck(workdir: Path, area: Area, survivors: list[str], at_import: set[str]) -> set[str]:
    """Survivors in functions that run at import, judged again by every test of the area.

    mutmut credits a call made while pytest collects to whichever test runs first, so such a mutant
    was judged by one test only. Returns the ones the area's tests kill."""
    killed = set()
    for mutant in survivors:
        if mutant.rsplit("__mutmut_", 1)[0] not in at_import:
            continue
        proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not live",
                               *area.tests], cwd=workdir / "mutants", capture_output=True,
                              env={**_environment(workdir), "MUTANT_UNDER_TEST": mutant})
        if proc.returncode == 1:
            killed.add(mutant)
    return killed


def prepare(name: str) -> Path:
    """Sync the working copy of one area with the repository; keep mutmut's cache (mutants/) in place."""
    area, workdir = AREAS[name], WORK / name
    workdir.mkdir(parents=True, exist_ok=True)
    files = repo_files()
    for f in files:
        src, dst = ROOT / f, workdir / f
        if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    keep = set(files) | {"setup.cfg", "preload.txt", "at-import.json", "rechecked.json", "seconds", "mutmut.log",
                         "times.jsonl", "selection.json"}
    for path in list(workdir.rglob("*")):
        rel = path.relative_to(workdir).as_posix()
        if path.is_file() and not rel.startswith("mutants/") and "__pycache__" not in rel and rel not in keep:
            path.unlink()
    link_untracked(workdir / "mutants")  # mutmut runs the tests there
    importing, at_import = probe(area)
    # Test modules: only whether their import calls the area (the plugin credits what a test module's
    # import calls to each of its tests, so they add nothing to at_import).
    tests_importing, _ = probe(area, area_test_modules(area))
    (workdir / "at-import.json").write_text(json.dumps(sorted(at_import)))
    selection = json.dumps(judges(area), indent=1, sort_keys=True) if area.by_module else "{}"
    for generated, text in (("setup.cfg", _config(area)), ("preload.txt", preload(area, importing, tests_importing)),
                            ("selection.json", selection)):
        target = workdir / generated
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
    return workdir


def _environment(workdir: Path) -> dict[str, str]:
    env = {**os.environ, "KM_MUTATION_MEMO": str(workdir / "memo"), "KM_MUTATION_TIMES": str(workdir / "times.jsonl"),
           "KM_MUTATION_SELECTION": str(workdir / "selection.json")}
    # Each worker imports the mutated modules afresh, and a mutated module holds every mutant of
    # each function (config/fields.py: 150,000 lines): compile it once, not once per mutant.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _mutmut(workdir: Path, *args: str) -> str:
    return subprocess.run([str(MUTMUT), *args], cwd=workdir, capture_output=True, text=True).stdout


_DIFFS = """
import json, sys
from mutmut.__main__ import find_mutant, get_diff_for_mutant
print(json.dumps({n: get_diff_for_mutant(n, path=find_mutant(n).path) for n in json.load(sys.stdin)}))
"""


def _diffs(workdir: Path, names: list[str]) -> dict[str, str]:
    """Each mutant's diff, from mutmut in one process (`mutmut show` costs a second per mutant)."""
    proc = subprocess.run([sys.executable, "-c", _DIFFS], cwd=workdir, input=json.dumps(names), capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout)


def not_run(workdir: Path, names: list[str], listed: dict[str, mutation_equivalents.Equivalent]
            ) -> tuple[set[str], set[str]]:
    """(text mutants, reviewed equivalents whose diff is still the one reviewed) among these names:
    neither is run (devtools/mutation_text.py, devtools/mutation_equivalents.py)."""
    stamped = sorted(n for n in names if n in listed and listed[n].digest)
    return text_mutants(workdir, names), mutation_equivalents.confirmed(listed, _diffs(workdir, stamped))


def _pick(current: dict[str, str], area: Area, only: list[str], statuses: tuple[str, ...] | None,
          skip: set[str]) -> list[str]:
    """The area's mutants to run: with one of these statuses (None: any), within the --only globs if
    any, and never one that is not run (skip: not_run)."""
    return sorted(n for n, st in current.items() if n.startswith(area.modules()) and n not in skip
                  and (statuses is None or st in statuses)
                  and (not only or any(fnmatch.fnmatchcase(n, g) for g in only)))


def _sample(current: dict[str, str], area: Area, only: list[str], n: int, skip: set[str]) -> list[str]:
    """Up to n unchecked mutants per module, drawn at random (a fixed seed, so a rerun draws the
    same): an unbiased estimate of a module's score where a whole run would take hours."""
    pool: dict[str, list[str]] = {}
    for mutant in _pick(current, area, only, ("not checked",), skip):
        pool.setdefault(module_of(mutant), []).append(mutant)
    rng = random.Random(15)
    return sorted(m for mutants in pool.values() for m in rng.sample(mutants, min(n, len(mutants))))


def results(workdir: Path) -> dict[str, str]:
    """mutant name -> status (killed, survived, no tests, timeout, ...)."""
    return dict(re.findall(r"^\s*([\w.]+__mutmut_\d+): (.+)$", _mutmut(workdir, "results", "--all", "true"),
                           flags=re.M))


@dataclass(frozen=True)
class Score:
    killed: int
    survived: int
    equivalent: int
    no_tests: int
    unchecked: int = 0
    text: int = 0

    @property
    def value(self) -> float | None:
        denominator = self.killed + self.survived
        return self.killed / denominator if denominator else None

    def row(self, label: str) -> str:
        value = "-" if self.value is None else f"{self.value:.0%}"
        return (f"| {label} | {self.killed} | {self.survived} | {self.equivalent} | {self.text} | {self.no_tests} | "
                f"{self.unchecked} | {value} |")


def score(statuses: dict[str, str], equivalent: set[str], prefixes: tuple[str, ...],
          text: set[str] = frozenset()) -> Score:
    """Counts of one area or module. Text mutants and confirmed equivalents are never run: counted as
    such whatever an older run said."""
    mine = {n: s for n, s in statuses.items() if n.startswith(prefixes)}
    counts = Counter("text" if n in text else "equivalent" if n in equivalent else s for n, s in mine.items())
    return Score(killed=counts["killed"] + counts["timeout"], survived=counts["survived"],
                 equivalent=counts["equivalent"], no_tests=counts["no tests"], unchecked=counts["not checked"],
                 text=counts["text"])


def time_rows(workdir: Path) -> list[str]:
    """Per module: how long a worker took on a killed and on a surviving mutant (times.jsonl, written by
    devtools/mutation_pytest.py), and in all; a surviving mutant runs every test that judges it."""
    path = workdir / "times.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    rows = []
    for module in sorted({module_of(line["mutant"]) for line in lines}):
        mine = [line for line in lines if module_of(line["mutant"]) == module]

        def mean(exit_code: int) -> str:
            took = [line["seconds"] for line in mine if line["exit"] == exit_code]
            return f"{sum(took) / len(took):.2f}" if took else "-"

        rows.append(f"| {module} | {len(mine)} | {mean(1)} | {mean(0)} | {sum(line['seconds'] for line in mine):.0f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation", description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", default=list(AREAS), help=f"some of: {', '.join(AREAS)}")
    parser.add_argument("--only", action="append", default=[], metavar="GLOB",
                        help="mutant names to run, e.g. 'content.alerts.*' (default: the whole area)")
    parser.add_argument("--report-only", action="store_true", help="score the last run without running again")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="run N unchecked mutants per module, drawn at random: an estimate (with --only, within "
                             "its globs)")
    parser.add_argument("--survived", action="store_true",
                        help="run only the last run's survivors (after adding tests; the unchecked stay unchecked)")
    parser.add_argument("--stamp", action="store_true",
                        help="after reviewing the report: write each listed equivalent's diff digest, so that later "
                             "runs leave it out while it stays the same mutant (devtools/mutation_equivalents.py)")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2, metavar="N",
                        help="mutants run at once (default: this machine's CPUs)")
    parser.add_argument("--again", action="store_true",
                        help="run only what the last run left alive or unchecked (after adding tests); with --only, "
                             "within its globs")
    args = parser.parse_args(argv)
    if args.children < 1:
        parser.error(f"--children must be 1 or more, not {args.children}")
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown areas {unknown}; allowed: {', '.join(AREAS)}")
    header = ["| area / module | killed | survived | equivalent | text (not run) | no tests | not checked | score |",
              "|---|---|---|---|---|---|---|---|"]
    summary = ["# Mutation benchmark", "", header[0] + " time |", header[1] + "---|"]
    detail, survivors = ["", "## Per module", ""] + header, []
    timing = ["", "## Worker time per mutant (the last run's mutants)", "",
              "| module | mutants | killed: mean s | survived: mean s | all: s |", "|---|---|---|---|---|"]
    listed = mutation_equivalents.read(EQUIVALENTS)
    for name in args.areas:
        started = time.monotonic()  # the import probe and the copy count too
        workdir = prepare(name) if not args.report_only else WORK / name
        if not args.report_only:
            shutil.rmtree(workdir / "memo", ignore_errors=True)  # runs of the code as it was last time
            (workdir / "times.jsonl").unlink(missing_ok=True)
            # mutmut first regenerates the mutants of changed sources (and resets their results); which
            # mutants are not run is read once, from the regenerated files.
            _mutmut(workdir, "run", "no-such-mutant")
            current = results(workdir)
            text, confirmed = not_run(workdir, list(current), listed)
            area, skip = AREAS[name], text | confirmed
            if args.sample:
                names = _sample(current, area, args.only, args.sample, skip)
            elif args.survived:
                names = _pick(current, area, args.only, ("survived",), skip)
            elif args.again:
                # What the new tests must judge: what survived, and what was never checked (mutmut has
                # reset the mutants of every function whose code changed).
                names = _pick(current, area, args.only, ("survived", "not checked", "no tests", "timeout"),
                              skip)
            else:
                # Named mutants are run again, as mutmut does; without --only, those not yet judged. The
                # names are always given: mutmut run without them would run the text mutants too.
                names = _pick(current, area, args.only, None if args.only else ("not checked",), skip)
            with open(workdir / "mutmut.log", "w") as log:
                if names:
                    subprocess.run([str(MUTMUT), "run", "--max-children", str(args.children), *names],
                                   cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                                   env=_environment(workdir))
            statuses = results(workdir)
            at_import = set(json.loads((workdir / "at-import.json").read_text()))
            survived = sorted(n for n, s in statuses.items() if s == "survived" and n not in skip)
            (workdir / "rechecked.json").write_text(json.dumps(sorted(recheck(workdir, area, survived, at_import))))
            seconds = time.monotonic() - started
            (workdir / "seconds").write_text(f"{seconds:.0f}")
            print(f"{name}: {seconds:.0f} s", file=sys.stderr)
        if args.report_only:
            statuses = results(workdir)
        if args.stamp:
            reviewed = [n for n, s in statuses.items() if n in listed and s == "survived"]
            print(f"{name}: {mutation_equivalents.stamp(EQUIVALENTS, _diffs(workdir, reviewed))} equivalents stamped",
                  file=sys.stderr)
            listed = mutation_equivalents.read(EQUIVALENTS)
        if args.report_only or args.stamp:  # a run has read them from the same mutants
            text, confirmed = not_run(workdir, list(statuses), listed)
        if (workdir / "rechecked.json").exists():
            statuses |= dict.fromkeys(json.loads((workdir / "rechecked.json").read_text()), "killed")
        took = (workdir / "seconds").read_text() + " s" if (workdir / "seconds").exists() else "-"
        # Equivalent: confirmed by its digest, or listed without one and surviving. Listed with a digest
        # that no longer matches: the mutant changed since review, so it is a survivor to review again.
        equivalent = confirmed | {n for n, s in statuses.items() if s == "survived" and n in listed
                                  and not listed[n].digest}
        summary.append(score(statuses, equivalent, AREAS[name].modules(), text).row(f"**{name}**") + f" {took} |")
        for module in sorted({module_of(n) for n in statuses}):
            detail.append(score(statuses, equivalent, (module + ".",), text).row(module))
        left = sorted(n for n, s in statuses.items() if s == "survived" and n not in equivalent | text)
        for mutant, diff in _diffs(workdir, left).items():
            again = " (listed as equivalent; its diff changed since the review)" if mutant in listed else ""
            survivors += [f"### {mutant}{again}", "```diff", diff.strip(), "```", ""]
        timing += time_rows(workdir)
    lines = summary + detail + timing + ["", "## Survivors", ""] + survivors
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(summary))
    print(f"\nsurvivors: {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
