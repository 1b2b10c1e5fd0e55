"""pytest plugin of the mutation benchmark (scripts/mutation loads it with `-p`).

Order: mutmut hands each mutant its tests as a set and stops at the first failure (`-x`), so a
mutant that a 10 ms test kills may first wait for seconds of whole-program runs. Tests run fastest
first, by the durations of mutmut's own stats run (mutmut-stats.json; the working directory is
mutants/). Order changes no verdict: the selected tests still run until one fails.

Attribution: mutmut credits a function to the tests during which it ran. A session or module
fixture runs once, inside the first test that asks for it, and a test module's import runs inside
the first test collected; every other test that uses the fixture or lives in the module would not
be credited, and would never judge those functions. Here, during the stats run, each fixture's and
each module's calls are recorded apart and credited to every test that uses them.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

STATS = Path("mutmut-stats.json")
_by_fixture: dict[str, set[str]] = {}
_by_module: dict[str, set[str]] = {}


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
    yield from _recorded(_by_fixture, fixturedef.argname)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    if not isinstance(collector, pytest.Module):
        yield
        return
    yield from _recorded(_by_module, str(collector.path))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    hits = _hits()
    if hits is None:
        return
    hits |= _by_module.get(str(item.path), set())
    for name in getattr(item, "fixturenames", ()):
        hits |= _by_fixture.get(name, set())


def pytest_collection_modifyitems(session, config, items) -> None:
    if not STATS.exists():  # mutmut's own stats run measures the durations
        return
    durations = json.loads(STATS.read_text()).get("duration_by_test", {})
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
