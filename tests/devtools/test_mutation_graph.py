"""Which tests judge which content module (devtools/mutation_graph.judges), read from this repository's own
imports: the rule must keep each module's real judges and drop the tests its data never reaches; and
which modules the fork server may import before a mutant is in place."""
from __future__ import annotations

import subprocess
import sys

from devtools import mutation, mutation_graph
from harness.runtime import ROOT


def test_each_content_module_keeps_its_mirror_its_components_tests_and_the_program_wide_checks():
    judges = mutation_graph.judges(mutation.AREAS["content"])
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


def test_the_fork_server_preloads_the_test_modules_whose_import_calls_no_content():
    """The probe imports each test module in a clean interpreter and watches for calls into content.
    A module that builds parameters from the rules at import (test_alert_rules parametrizes over every
    alert) must be imported after the fork, with the mutant in place; one that only defines tests and
    helpers is imported once, in the server."""
    area = mutation.AREAS["content"]
    tests_importing, _ = mutation_graph.probe(area, mutation_graph.area_test_modules(area))
    assert {"tests.content.test_alert_rules", "tests.content.test_dashboards"} <= tests_importing
    assert "tests.content.test_promql" not in tests_importing
    preload = mutation_graph.preload(area, set(), tests_importing).split()
    assert "tests.content.test_promql" in preload and "tests.conftest" in preload
    assert not set(preload) & tests_importing


def test_the_fork_server_freezes_its_heap_after_everything_else_it_preloads():
    """mutmut's warm-up imports preload.txt's modules in order (runners/harness.py, ForkServerWarmup.IMPORT).
    gc.freeze() moves only objects that exist when it runs into the permanent generation, so the freeze
    must come last; a module imported after it would be walked again by every worker's collections."""
    for name, importing in (("settings", {"config.sections"}), ("plan", set())):
        preload = mutation_graph.preload(mutation.AREAS[name], importing, set()).split()
        assert preload[-1] == "devtools.mutation_fork" and preload.count("devtools.mutation_fork") == 1
    # The program cannot reach the plan diff, so its runs are memoised: the memo too is frozen.
    assert preload[-2:] == ["devtools.mutation_memo", "devtools.mutation_fork"]
    frozen = subprocess.run([sys.executable, "-c", "import gc; before = gc.get_freeze_count(); "
                             "import devtools.mutation_fork; print(before, gc.get_freeze_count())"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert int(frozen[0]) == 0 and int(frozen[1]) > 1000
