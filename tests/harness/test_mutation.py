"""Which tests judge which content module (harness/mutation.judges), read from this repository's own
imports: the rule must keep each module's real judges and drop the tests its data never reaches."""
from __future__ import annotations

from harness import mutation


def test_each_content_module_keeps_its_mirror_its_components_tests_and_the_program_wide_checks():
    judges = mutation.judges(mutation.AREAS["content"])
    # Imports at any depth: the alert-rule tests import content.rules, which imports the alerts.
    assert "tests/content/test_alert_rules.py" in judges["content.alerts"]
    # A component test judges the content its component imports: components/grafana.py deploys the dashboards.
    assert "tests/components/test_grafana.py" in judges["content.dashboards"]
    assert "tests/components/test_search_retention.py" in judges["content.retention"]
    # Tests that check every object the program registers judge every module the program reaches.
    for module in ("content.dashboards", "content.retention", "content.jmx", "content.archive"):
        assert "tests/components/test_kubernetes_schema.py" in judges[module]
        assert "tests/components/test_aws_inputs.py" in judges[module]
    # What a module's data never reaches does not judge it.
    assert "tests/components/test_search_retention.py" not in judges["content.dashboards"]
    assert "tests/content/test_burn_rates.py" not in judges["content.retention"]
    # Nor does a component reached only through another component (collection imports alerting).
    assert "tests/components/test_collection.py" not in judges["content.alerts"]


def test_only_areas_that_ask_for_it_are_judged_module_by_module():
    assert [name for name, area in mutation.AREAS.items() if area.by_module] == ["content"]


def test_the_time_table_averages_killed_and_surviving_mutants_of_each_module_apart(tmp_path):
    lines = [{"mutant": "content.slo.x_burn__mutmut_1", "seconds": 0.5, "exit": 1},
             {"mutant": "content.slo.xǁObjectiveǁrule__mutmut_2", "seconds": 1.5, "exit": 1},
             {"mutant": "content.slo.x_burn__mutmut_3", "seconds": 9.0, "exit": 0},
             {"mutant": "content.jmx.x_rules__mutmut_1", "seconds": 0.25, "exit": 5}]
    (tmp_path / "times.jsonl").write_text("".join(__import__("json").dumps(line) + "\n" for line in lines))
    assert mutation.time_rows(tmp_path) == ["| content.jmx | 1 | - | - | 0 |",
                                            "| content.slo | 3 | 1.00 | 9.00 | 11 |"]
    assert mutation.time_rows(tmp_path / "never-run") == []


def test_the_fork_server_preloads_the_test_modules_whose_import_calls_no_content():
    """The probe imports each test module in a clean interpreter and watches for calls into content.
    A module that builds parameters from the rules at import (test_alert_rules parametrizes over every
    alert) must be imported after the fork, with the mutant in place; one that only defines tests and
    helpers is imported once, in the server."""
    area = mutation.AREAS["content"]
    tests_importing, _ = mutation._probe(area, mutation._test_modules(area))
    assert {"tests.content.test_alert_rules", "tests.content.test_dashboards"} <= tests_importing
    assert "tests.content.test_promql" not in tests_importing
    preload = mutation._preload(area, set(), tests_importing).split()
    assert "tests.content.test_promql" in preload and "tests.conftest" in preload
    assert not set(preload) & tests_importing
