"""Every Helm release the program installs gets only values its pinned chart reads.

Helm hands a chart any values, and the chart's templates read what they name: a misspelt or
misplaced key is dropped without a word. The charts at the pinned versions are in tests/upstream
(values.yaml and every `.Values.<path>` their templates name, from each chart's tag)."""
from __future__ import annotations

import pytest

from tests.conftest import STACKS
from tests.upstream import chart, chart_problems

RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.mark.parametrize("stack", STACKS)
def test_each_release_sets_only_values_its_pinned_chart_reads(stack_runs, stack):
    releases = stack_runs[stack].of_type(RELEASE)
    assert {r.inputs["chart"] for r in releases} == {"kube-prometheus-stack", "prometheus-blackbox-exporter",
                                                     "fluent-bit"}
    for r in releases:
        defaults, read = chart(r.inputs["chart"], r.inputs["version"])
        assert chart_problems(r.inputs["values"], defaults, read) == [], r.name
