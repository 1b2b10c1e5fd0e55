"""Metric names used by a PromQL expression, read with a real PromQL parser."""
from __future__ import annotations

import promql_parser as pp


def metric_names(expr: str) -> set[str]:
    names: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, pp.VectorSelector):
            names.add(node.name)
        elif isinstance(node, pp.MatrixSelector):
            walk(node.vector_selector)
        elif isinstance(node, pp.BinaryExpr):
            walk(node.lhs)
            walk(node.rhs)
        elif isinstance(node, pp.Call):
            for arg in node.args:
                walk(arg)
        elif isinstance(node, pp.AggregateExpr):
            walk(node.expr)
            if node.param is not None:
                walk(node.param)
        elif isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
            walk(node.expr)

    walk(pp.parse(expr))
    return names
