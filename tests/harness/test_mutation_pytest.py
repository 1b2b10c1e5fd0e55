"""The mutation benchmark's pytest plugin credits shared work to every test that uses it.

A real pytest session runs a small suite with the plugin, and a recorder that files the record set
at each test's teardown and then empties it, as mutmut's stats collector does
(mutmut/runners/harness.py, StatsCollector.pytest_runtest_teardown). The suite's code adds names
to the record set, as mutmut's trampolines do (mutmut/stats.py, record_trampoline_hit).
"""
from __future__ import annotations

import textwrap

import pytest

from harness import mutation_pytest

HITS: set[str] = set()
ARGS = ["-q", "-p", "no:cacheprovider", "-p", "harness.mutation_pytest",
        "-W", "ignore::pytest.PytestAssertRewriteWarning"]


class Recorder:
    def __init__(self) -> None:
        self.credited: dict[str, set[str]] = {}

    def pytest_runtest_teardown(self, item, nextitem):
        self.credited[item.name] = set(HITS)
        HITS.clear()


SUITE = """
    import pytest
    from tests.harness.test_mutation_pytest import HITS

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
