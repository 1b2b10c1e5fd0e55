"""content/promql.py: what an expression reads, as PromQL defines it (prometheus/promql/parser):
`by (...)` keeps the listed labels, `without (...)` drops them (so keeps no named label here); the
metric name is the `__name__` matcher, not a label matcher; an aggregation's parameter (topk's k,
quantile's φ) is evaluated outside the aggregation's grouping."""
from __future__ import annotations

import pytest

from content.promql import Selector, metric_names, selectors


@pytest.mark.parametrize("expr,expected", [
    ('sum by (topic) (rate(x{a="b"}[5m]))', [Selector("x", (("a", "=", "b"),), ("topic",))]),
    ("sum without (topic) (x)", [Selector("x", (), ())]),
    ("max by (cluster) (sum by (topic, cluster) (x))", [Selector("x", (), ("cluster", "topic", "cluster"))]),
    ('{__name__="x", a!="b", c=~"d.*", e!~"f"}',
     [Selector("x", (("a", "!=", "b"), ("c", "=~", "d.*"), ("e", "!~", "f")), ())]),
    ("sum by (c) (topk by (a) (scalar(min(y)), x))",
     [Selector("x", (), ("c", "a")), Selector("y", (), ("c",))]),
    ('{__name__=~"x.*"}', [Selector(None, (), ())]),
    ("x / on (a) group_left y offset 5m", [Selector("x", (), ()), Selector("y", (), ())]),
    ("-(x)", [Selector("x", (), ())]),
    ("max_over_time(sum by (a) (x)[10m:1m])", [Selector("x", (), ("a",))]),
])
def test_each_selector_with_its_matchers_and_the_labels_its_aggregations_keep(expr, expected):
    assert selectors(expr) == expected


def test_metric_names_are_the_selected_metrics():
    assert metric_names('rate(a[5m]) / ignoring (x) sum(b{c="d"}) > bool 0') == {"a", "b"}
