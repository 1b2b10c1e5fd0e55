"""An alert's threshold as the reviewer reads it, for every comparison PromQL has (harness/meaning.py).

PromQL's comparison binary operators are ==, !=, >, <, >= and <= (prometheus/prometheus v2.54.1,
promql/parser/lex.go: EQLC, NEQ, GTR, LSS, GTE, LTE). An alert whose threshold the facts could not read
would show "no threshold" and a moved threshold would not reach the plan diff.
"""
from __future__ import annotations

import pytest

from harness import meaning


def _plan(expr: str) -> dict:
    rule = {"alert": "KafkaX", "expr": expr, "for": "5m", "labels": {"severity": "high"}}
    return {"resources": [{"type": "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "name": "rules",
                           "inputs": {"spec": {"groups": [{"name": "g", "rules": [rule]}]}}}]}


@pytest.mark.parametrize(("expr", "threshold"), [
    ("sum(x) >= 5", "`>= 5`"),
    ("sum(x) <= 5", "`<= 5`"),
    ("sum(x) == 0", "`== 0`"),
    ("sum(x) != 1", "`!= 1`"),
    ("sum(x) > 0.05", "`> 0.05`"),
    ("sum(x) < 2", "`< 2`"),
    ("(sum(x) / sum(y) < 0.25)", "`< 0.25`"),
    ("sum(x)\n  >=\n  90", "`>= 90`"),  # a rule written over lines
    ("absent(up{job=\"kafka\"})", "no threshold"),
    ("sum(x) > 5 and on() y", "no threshold"),  # the comparison is not the last word
])
def test_each_comparison_reads_as_its_threshold(expr, threshold):
    assert meaning.facts(_plan(expr))["alert KafkaX"] == f"{threshold} for 5m, high"


@pytest.mark.parametrize(("before", "after"), [
    ("sum(x) >= 5", "sum(x) >= 4"), ("sum(x) <= 5", "sum(x) <= 6"), ("sum(x) != 1", "sum(x) != 2"),
    ("sum(x) < 2", "sum(x) < 3"), ("sum(x) >= 5", "sum(x) > 5"),
])
def test_a_threshold_moved_by_one_or_an_operator_swapped_shows_in_the_fact_diff_not_as_a_query_change(before,
                                                                                                   after):
    lines = meaning.fact_diff(_plan(before), _plan(after))
    assert lines == [f"alert KafkaX: `{before.split(' ', 1)[1]}` for 5m, high → `{after.split(' ', 1)[1]}` for 5m, high"]
