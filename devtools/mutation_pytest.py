"""pytest plugin of the mutation benchmark (scripts/mutation loads it with `-p`).

Order: mutmut hands each mutant its tests as a set and stops at the first failure (`-x`), so a
mutant that a 10 ms test kills may first wait for seconds of whole-program runs. Tests run cheapest
first. A test's cost is what it would cost the worker at that point: its own setup, call and teardown,
plus every session, package, module or class fixture it asks for that no earlier test has paid for
(mutmut's own durations count the call only, so a test that merely reads the session's program runs
looked free and ran first). Costs are measured in mutmut's stats run and kept in
mutation-costs.json beside mutmut-stats.json (the working directory is mutants/). Order changes no
verdict: the selected tests still run until one fails.

Selection: with KM_MUTATION_SELECTION naming a JSON file of {module: [test path, ...]}, a mutant
of one of those modules is judged only by the tests under its paths (devtools/mutation.py says why);
if none of them reaches it, pytest finds no test and mutmut reports "no tests".

Attribution: mutmut credits a function to the tests during which it ran. A session or module
fixture runs once, inside the first test that asks for it, and a test module's import runs inside
the first test collected; every other test that uses the fixture or lives in the module would not
be credited, and would never judge those functions. Here, during the stats run, each fixture's and
each module's calls are recorded apart and credited to every test that uses them.

Timing: with KM_MUTATION_TIMES set, each worker appends one JSON line (mutant, seconds from session
start to finish, tests run, exit status, the test that failed, its slowest tests), so that the
report shows where a run's time goes (mutmut's own per-mutant durations are not recorded under its
fork server).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

STATS = Path("mutmut-stats.json")
COSTS = Path("mutation-costs.json")
_by_fixture: dict[str, set[str]] = {}
_by_module: dict[str, set[str]] = {}
_fixture_cost: dict[str, float] = {}
_shared_in: dict[str, float] = {}  # test -> seconds of shared fixtures created during its setup
_current: list[str] = []
_started: list[float] = []
_took: dict[str, float] = {}
_failed: list[str] = []


def _mutant() -> str:
    return os.environ.get("MUTANT_UNDER_TEST", "")


def module_of(mutant: str) -> str:
    """The module of a mutant, from mutmut's names: module.x_function__mutmut_N or
    module.xǁClassǁmethod__mutmut_N."""
    return mutant.split(".x_")[0].split(".xǁ")[0]


def _hits() -> set[str] | None:
    """The set mutmut's trampolines add to during its stats run (None outside mutmut)."""
    try:
        from mutmut.state import state
    except ImportError:
        return None
    return state()._stats


def _recorded(into: dict[str, set[str]], key: str):
    """Run the wrapped hook with mutmut's record set emptied, file its calls under `key`, then put
    back what was there."""
    hits = _hits()
    saved = set(hits) if hits is not None else set()
    if hits is not None:
        hits.clear()
    yield
    if hits is not None:
        into[key] = into.get(key, set()) | hits
        hits |= saved


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.scope == "function":
        yield
        return
    started = time.monotonic()
    yield from _recorded(_by_fixture, fixturedef.argname)
    took = time.monotonic() - started
    _fixture_cost[fixturedef.argname] = max(_fixture_cost.get(fixturedef.argname, 0.0), took)
    if _current:
        _shared_in[_current[0]] = _shared_in.get(_current[0], 0.0) + took


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    if not isinstance(collector, pytest.Module):
        yield
        return
    yield from _recorded(_by_module, str(collector.path))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    _current[:] = [item.nodeid]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    hits = _hits()
    if hits is None:
        return
    hits |= _by_module.get(str(item.path), set())
    for name in getattr(item, "fixturenames", ()):
        hits |= _by_fixture.get(name, set())


def _selection() -> list[str] | None:
    """The test paths that judge the mutant's module, or None where every selected test judges it."""
    path = os.environ.get("KM_MUTATION_SELECTION")
    mutant = _mutant()
    if not path or not mutant or "__mutmut_" not in mutant:
        return None
    return json.loads(Path(path).read_text()).get(module_of(mutant))


def _judges(nodeid: str, paths: list[str]) -> bool:
    return any(nodeid == p or nodeid.startswith(p.rstrip("/") + ("/" if not p.endswith(".py") else "::"))
               for p in paths)


def pytest_load_initial_conftests(early_config, parser, args) -> None:
    """A test's parameters can come from the code under test (one case per alert, per dashboard): a
    mutant that renames one changes the test's ids, and the id mutmut recorded no longer exists
    (pytest stops with a usage error, which mutmut reports as a dead worker). So each recorded test
    is run by its function, all of its cases as the mutant makes them.

    Then leave out, before collection, the test files that do not judge the mutant's module
    (importing a test module costs a worker about 0.2 s). With none left, keep them: collection then
    deselects all."""
    if "__mutmut_" in _mutant():
        seen: set[str] = set()
        kept = []
        for arg in args:  # options keep their places; a test id becomes its function's, once
            if "::" in arg and not arg.startswith("-"):
                arg = arg.split("[", 1)[0]
                if arg in seen:
                    continue
                seen.add(arg)
            kept.append(arg)
        args[:] = kept
    paths = _selection()
    if paths is None:
        return
    kept = [a for a in args if a.startswith("-") or not a.startswith("tests/") or _judges(a, paths)]
    if any(a.startswith("tests/") for a in kept):
        args[:] = kept


def pytest_collection_modifyitems(session, config, items) -> None:
    paths = _selection()
    if paths is not None:
        dropped = [item for item in items if not _judges(item.nodeid, paths)]
        if dropped:
            items[:] = [item for item in items if _judges(item.nodeid, paths)]
            config.hook.pytest_deselected(items=dropped)
    if not STATS.exists():  # mutmut's own stats run measures the durations
        return
    durations = json.loads(STATS.read_text()).get("duration_by_test", {})
    costs = json.loads(COSTS.read_text()) if COSTS.exists() else {"tests": {}, "fixtures": {}}

    items[:] = ordered(items, lambda item: costs["tests"].get(item.nodeid, durations.get(item.nodeid, 0.0)),
                       costs["fixtures"])


def ordered(items: list, own, fixtures: dict[str, float]) -> list:
    """Cheapest next, where a shared fixture not yet paid costs its price shared among the tests still
    to run that read it, and nothing once paid. Once one test has paid for the session's program runs,
    every other test that reads them costs its own time only: an archive mutant had waited for three
    tests with program runs of their own (2.8 s) before the IAM check that reads the session's (1.8 s
    for all its readers). Tests with the same costly fixtures form a group, cheapest first, so a step
    compares one test per group."""
    groups: dict[frozenset[str], list] = {}
    for item in items:
        needs = frozenset(n for n in getattr(item, "fixturenames", ()) if fixtures.get(n, 0.0) > 0)
        groups.setdefault(needs, []).append(item)
    for group in groups.values():
        group.sort(key=own)
    readers = {n: sum(len(g) for needs, g in groups.items() if n in needs) for n in fixtures}
    paid: set[str] = set()
    out = []
    while groups:
        needs = min(groups, key=lambda g: own(groups[g][0]) + sum(fixtures[n] / readers[n] for n in g - paid))
        out.append(groups[needs].pop(0))
        paid |= needs
        for n in needs:
            readers[n] -= 1
        if not groups[needs]:
            del groups[needs]
    return out


def pytest_sessionstart(session) -> None:
    _started[:] = [time.monotonic()]
    for record in (_took, _shared_in, _failed, _current):  # one session's own (the stats run and tests share a process)
        record.clear()


def pytest_runtest_logreport(report) -> None:
    _took[report.nodeid] = _took.get(report.nodeid, 0.0) + report.duration
    if report.failed and not _failed:
        _failed.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus) -> None:
    mutant = _mutant()
    if mutant == "stats":
        _save_costs()
        return
    target = os.environ.get("KM_MUTATION_TIMES")
    if not target or not _started or "__mutmut_" not in mutant:
        return
    slowest = sorted(_took.items(), key=lambda item: -item[1])[:3]
    line = json.dumps({"mutant": mutant, "seconds": round(time.monotonic() - _started[0], 3),
                       "tests": len(_took), "exit": int(exitstatus), "failed": _failed[0] if _failed else None,
                       "slowest": [[nodeid, round(seconds, 3)] for nodeid, seconds in slowest]})
    with open(target, "a") as out:  # one short line per write: appends from two workers do not interleave
        out.write(line + "\n")


def _save_costs() -> None:
    """Merge this stats run's costs into the file: mutmut reruns stats for changed functions' tests only."""
    costs = json.loads(COSTS.read_text()) if COSTS.exists() else {"tests": {}, "fixtures": {}}
    costs["tests"].update({nodeid: max(0.0, took - _shared_in.get(nodeid, 0.0)) for nodeid, took in _took.items()})
    costs["fixtures"].update(_fixture_cost)
    COSTS.write_text(json.dumps(costs, indent=0, sort_keys=True))
