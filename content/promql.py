"""What a PromQL expression reads, taken from a real PromQL parser: metric names, and per
selector its label matchers and the labels the enclosing aggregations keep."""
from __future__ import annotations

from dataclasses import dataclass

import promql_parser as pp

_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


@dataclass(frozen=True)
class Selector:
    metric: str | None                           # None: a selector by a __name__ regex
    matchers: tuple[tuple[str, str, str], ...]   # (label, op, value), op one of = != =~ !~
    grouped_by: tuple[str, ...]                  # `by (...)` labels of every enclosing aggregation


def selectors(expr: str) -> list[Selector]:
    found: list[Selector] = []

    def walk(node, by: tuple[str, ...]) -> None:
        if isinstance(node, pp.VectorSelector):
            matchers = tuple((m.name, _OPS[str(m.op)], m.value) for m in node.matchers.matchers
                             if m.name != "__name__")
            # `{__name__="x"}` is the metric x; the parser leaves its name empty.
            name = node.name or next((m.value for m in node.matchers.matchers
                                      if m.name == "__name__" and _OPS[str(m.op)] == "="), None)
            found.append(Selector(name, matchers, by))
        elif isinstance(node, pp.MatrixSelector):
            walk(node.vector_selector, by)
        elif isinstance(node, pp.BinaryExpr):
            walk(node.lhs, by)
            walk(node.rhs, by)
        elif isinstance(node, pp.Call):
            for arg in node.args:
                walk(arg, by)
        elif isinstance(node, pp.AggregateExpr):
            modifier = node.modifier
            kept = tuple(modifier.labels) if modifier is not None and str(modifier.type).endswith("By") else ()
            walk(node.expr, by + kept)
            if node.param is not None:
                walk(node.param, by)
        elif isinstance(node, (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr)):
            walk(node.expr, by)

    walk(pp.parse(expr), ())
    return found


def metric_names(expr: str) -> set[str]:
    return {s.metric for s in selectors(expr)}
