"""The mutation benchmark's pytest plugin credits shared work to every test that uses it.

A real pytest session runs a small suite with the plugin, and a recorder that files the record set
at each test's teardown and then empties it, as mutmut's stats collector does
(mutmut/runners/harness.py, StatsCollector.pytest_runtest_teardown). The suite's code adds names
to the record set, as mutmut's trampolines do (mutmut/stats.py, record_trampoline_hit).
"""
from __future__ import annotations

import textwrap

import pytest

from devtools import mutation_pytest

HITS: set[str] = set()
ARGS = ["-q", "-p", "no:cacheprovider", "-p", "devtools.mutation_pytest",
        "-W", "ignore::pytest.PytestAssertRewriteWarning"]


class Recorder:
    def __init__(self) -> None:
        self.credited: dict[str, set[str]] = {}

    def pytest_runtest_teardown(self, item, nextitem):
        self.credited[item.name] = set(HITS)
        HITS.clear()


SUITE = """
    import pytest
    from tests.devtools.test_mutation_pytest import HITS

    HITS.add("at_import")

    @pytest.fixture(scope="session")
    def shared():
        HITS.add("in_session_fixture")

    @pytest.fixture
    def own():
        HITS.add("in_function_fixture")

    def test_first(shared):
        HITS.add("in_first")

    def test_second(shared, own):
        pass

    def test_third():
        pass
"""


def test_fixture_and_import_calls_are_credited_to_every_test_that_uses_them(tmp_path, monkeypatch):
    (tmp_path / "test_suite.py").write_text(textwrap.dedent(SUITE))
    monkeypatch.setattr(mutation_pytest, "_hits", lambda: HITS)
    monkeypatch.chdir(tmp_path)  # no mutmut-stats.json here: the order is pytest's own
    recorder = Recorder()
    code = pytest.main([*ARGS, "test_suite.py"], plugins=[recorder])
    assert code == 0
    assert recorder.credited == {
        "test_first": {"at_import", "in_session_fixture", "in_first"},
        "test_second": {"at_import", "in_session_fixture", "in_function_fixture"},
        "test_third": {"at_import"},
    }


def test_tests_run_fastest_first_by_mutmuts_measured_durations(tmp_path, monkeypatch):
    (tmp_path / "test_ordered.py").write_text(textwrap.dedent(SUITE))
    (tmp_path / "mutmut-stats.json").write_text(
        '{"duration_by_test": {"test_ordered.py::test_first": 2.0, "test_ordered.py::test_second": 0.5}}')
    monkeypatch.setattr(mutation_pytest, "_hits", lambda: None)
    monkeypatch.chdir(tmp_path)
    recorder = Recorder()
    assert pytest.main([*ARGS, "test_ordered.py"], plugins=[recorder]) == 0
    # Unmeasured (0 s) first, then by duration.
    assert list(recorder.credited) == ["test_third", "test_second", "test_first"]


COSTLY = """
    import time
    import pytest

    @pytest.fixture(scope="session")
    def program_runs():
        time.sleep(0.3)  # a session's program runs: paid by whichever test asks first

    def test_reads_the_runs(program_runs):
        pass

    def test_own_work():
        time.sleep(0.05)

    def test_also_reads_the_runs(program_runs):
        pass
"""


def test_a_test_costs_the_shared_fixtures_it_asks_for_so_cheap_killers_run_first(tmp_path, monkeypatch):
    """mutmut's durations count the call phase only (StatsCollector.pytest_runtest_makereport keeps
    `call.when == "call"`): a test that reads a session fixture looks free. Its stats run here records
    setup costs, and a worker then runs the test that needs no program run first."""
    (tmp_path / "test_costly.py").write_text(textwrap.dedent(COSTLY))
    monkeypatch.setattr(mutation_pytest, "_hits", lambda: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MUTANT_UNDER_TEST", "stats")
    assert pytest.main([*ARGS, "test_costly.py"]) == 0
    costs = __import__("json").loads((tmp_path / "mutation-costs.json").read_text())
    assert costs["fixtures"]["program_runs"] >= 0.3
    # The first reader paid the fixture in its setup; its own cost leaves that out.
    assert costs["tests"]["test_costly.py::test_reads_the_runs"] < 0.1
    (tmp_path / "mutmut-stats.json").write_text('{"duration_by_test": {"test_costly.py::test_own_work": 0.05}}')
    monkeypatch.setenv("MUTANT_UNDER_TEST", "mod.x_f__mutmut_1")
    recorder = Recorder()
    assert pytest.main([*ARGS, "test_costly.py"], plugins=[recorder]) == 0
    assert list(recorder.credited)[0] == "test_own_work"
    assert set(recorder.credited) == {"test_own_work", "test_reads_the_runs", "test_also_reads_the_runs"}


def test_a_mutant_is_judged_by_its_modules_tests_and_a_worker_reports_what_killed_it(tmp_path, monkeypatch):
    (tmp_path / "test_mine.py").write_text("def test_judges():\n    assert False\n")
    (tmp_path / "test_other.py").write_text("def test_unrelated():\n    pass\n")
    (tmp_path / "selection.json").write_text('{"content.mod": ["test_mine.py"], "content.none": ["tests/x.py"]}')
    monkeypatch.setattr(mutation_pytest, "_hits", lambda: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KM_MUTATION_SELECTION", str(tmp_path / "selection.json"))
    monkeypatch.setenv("KM_MUTATION_TIMES", str(tmp_path / "times.jsonl"))
    monkeypatch.setenv("MUTANT_UNDER_TEST", "content.mod.x_f__mutmut_1")
    recorder = Recorder()
    assert pytest.main([*ARGS, "test_other.py", "test_mine.py"], plugins=[recorder]) == 1
    assert list(recorder.credited) == ["test_judges"]
    line = __import__("json").loads((tmp_path / "times.jsonl").read_text())
    assert (line["mutant"], line["exit"], line["failed"], line["tests"]) == (
        "content.mod.x_f__mutmut_1", 1, "test_mine.py::test_judges", 1)
    # A module none of whose judges reach the mutant: no test runs, which mutmut reports as "no tests" (exit 5).
    monkeypatch.setenv("MUTANT_UNDER_TEST", "content.none.xǁKindǁmethod__mutmut_2")
    assert pytest.main([*ARGS, "test_other.py"]) == 5
    # A module outside the table keeps every test mutmut handed it.
    monkeypatch.setenv("MUTANT_UNDER_TEST", "content.elsewhere.x_g__mutmut_1")
    assert pytest.main([*ARGS, "test_other.py"]) == 0


def test_a_test_whose_cases_the_mutant_renamed_runs_as_the_mutant_makes_them(tmp_path, monkeypatch):
    """mutmut hands a worker the node ids its stats run recorded; a case id built from the code under
    test (here: `old`) no longer exists once a mutant renames it, and pytest stops with a usage error
    (exit 4) instead of judging the mutant."""
    (tmp_path / "test_cases.py").write_text(
        "import pytest\n\n@pytest.mark.parametrize('name', ['new'])\ndef test_x(name):\n    assert name == 'old'\n")
    monkeypatch.setattr(mutation_pytest, "_hits", lambda: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KM_MUTATION_SELECTION", raising=False)
    monkeypatch.setenv("MUTANT_UNDER_TEST", "content.mod.x_f__mutmut_1")
    recorder = Recorder()
    assert pytest.main([*ARGS, "test_cases.py::test_x[old]", "test_cases.py::test_x[other]"],
                       plugins=[recorder]) == 1  # killed: the renamed case ran, and failed
    assert list(recorder.credited) == ["test_x[new]"]
    monkeypatch.setenv("MUTANT_UNDER_TEST", "stats")  # outside a mutant's run the ids stay as given
    assert pytest.main([*ARGS, "test_cases.py::test_x[old]"]) == 4


class Item:
    def __init__(self, name: str, fixturenames: tuple[str, ...] = ()):
        self.nodeid, self.fixturenames = name, fixturenames


def test_a_shared_fixture_is_priced_per_reader_and_free_once_paid():
    """The session's runs (1.8 s) serve three checks of 0.05 s; three other tests each start a program
    run of their own (0.6, 0.8 and 1.4 s). Paying the shared runs once, for 0.6 s a reader, comes
    after the 0.6 s test and before the two slower ones; then its readers cost their own time."""
    own = {"p1": 0.6, "p2": 0.8, "p3": 1.4, "r1": 0.05, "r2": 0.05, "r3": 0.05}.get
    items = [Item("p3"), Item("p2"), Item("r1", ("stack_runs",)), Item("p1"), Item("r2", ("stack_runs",)),
             Item("r3", ("stack_runs",))]
    order = mutation_pytest.ordered(items, lambda i: own(i.nodeid), {"stack_runs": 1.8})
    assert [i.nodeid for i in order] == ["p1", "r1", "r2", "r3", "p2", "p3"]


def test_once_a_shared_fixture_is_paid_its_readers_cost_only_their_own_time():
    """The program runs cost 1 s once; after the first reader paid, another reader (0.2 s) comes
    before a 1.1 s test without fixtures, and a function fixture never counts as paid."""
    own = {"first": 0.01, "second": 0.2, "alone": 1.1, "tmp": 0.0}.get
    items = [Item("alone"), Item("second", ("program_runs", "tmp_path")), Item("first", ("program_runs",)),
             Item("tmp", ("tmp_path",))]
    order = mutation_pytest.ordered(items, lambda i: own(i.nodeid), {"program_runs": 1.0})
    assert [i.nodeid for i in order] == ["tmp", "first", "second", "alone"]
    # Sorted by each test's total alone, "alone" (1.1) would have come before "second" (1.2).
    assert sorted(items[:3], key=lambda i: own(i.nodeid) + ("program_runs" in i.fixturenames)) == [
        items[2], items[0], items[1]]
    # Without costly fixtures: own time only, ties in collection order.
    plain = mutation_pytest.ordered(items, lambda i: own(i.nodeid), {})
    assert [i.nodeid for i in plain] == ["tmp", "first", "second", "alone"]
    assert mutation_pytest.ordered([], own, {}) == []
