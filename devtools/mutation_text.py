"""Mutants that change only words a person reads: named, reported apart, and not run.

mutmut wraps every string literal in XX..XX and changes its case. Where the literal is an alert's
summary or description, a legend's words or a link's label, no test can tell the mutant from the
original except by restating the sentence, which would test nothing. These mutants cost the most
(a survivor runs every test that judges its module: 7 s each against 0.5 s for a killed one) and
made up more than half of the content area's survivors.

A mutant is text when, compared with the original function, it changes one string literal and
nothing else, the change is mutmut's string operator (XX..XX, lower or upper case), every template
placeholder in it is kept ({{ $labels.x }}, {{label}}, ${var}, $var: those are what Prometheus,
Alertmanager and Grafana read, and tests check them), and the literal fills one of the slots below.
Anything else (None for the text, a dropped argument, a changed placeholder) is an ordinary mutant.
"""
from __future__ import annotations

import ast
import json
import re
import textwrap
from pathlib import Path

from devtools.mutation_pytest import module_of

# module -> {callee: argument positions and keywords} whose string only people read. A dict literal is
# named by its keys, {a, b}, and its slots are keys; a pair of literal and computed value, (title, url),
# by that shape, and its slot is the position of the literal.
# Alert(name, expr, for_, severity, category, summary, description): the annotations a person reads.
ALERT_TEXT = {"Alert": (5, 6, "summary", "description")}
CALLS: dict[str, dict[str, tuple[int | str, ...]]] = {
    "content.alerts": ALERT_TEXT,
    "content.slo": ALERT_TEXT,
    "content.remote_write_alerts": ALERT_TEXT,
    # _p(expr, legend): the words of a legend (its {{label}} placeholders are checked against the query);
    # a variable's label (the name shown beside its drop-down, not the variable's name).
    # A link's title: (title, url) pairs, the url computed (a row is (title, panels): not a slot).
    "content.dashboards": {"_p": (1, "legend"), "label": (0,), "query": (0, "label"), "(title, url)": (0,)},
    # A PagerDuty link's label: {"href": ..., "text": ...} (the href is a template the notification tests
    # read). Other "text" keys are not labels: a Slack message's text is the template of its body.
    "content.alertmanager": {"{href, text}": ("text",)},
}
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}|\$\w+")


def _words_only(old: str, new: str) -> bool:
    """mutmut's string operator, with every placeholder kept."""
    wrapped = new.count("XX") == old.count("XX") + 2 and new.replace("XX", "") == old.replace("XX", "")
    recased = new != old and new.lower() == old.lower()
    return (wrapped or recased) and PLACEHOLDER.findall(new) == PLACEHOLDER.findall(old)


def _fields(node: ast.AST) -> list:
    """A node's own values (not its children), so that two trees can be compared node by node."""
    return [(k, v) for k, v in ast.iter_fields(node) if not isinstance(v, (ast.AST, list))
            or isinstance(v, list) and not any(isinstance(x, ast.AST) for x in v)]


def _slot(module: str, node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether the literal (or the f-string it is part of) fills a text slot of the module."""
    child, parent = node, parents.get(node)
    # "literal " f"{x}" is one string for ast; "literal" + SUFFIX is a text built of parts
    while isinstance(parent, ast.JoinedStr) or isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add):
        child, parent = parent, parents.get(parent)
    if isinstance(parent, ast.keyword):
        parent = parents.get(parent)
    if isinstance(parent, ast.Tuple):
        pair = len(parent.elts) == 2 and isinstance(parent.elts[1], (ast.Call, ast.Attribute, ast.JoinedStr))
        return pair and parent.elts[0] is child and 0 in CALLS.get(module, {}).get("(title, url)", ())
    if isinstance(parent, ast.Dict):
        keys = {k.value: v for k, v in zip(parent.keys, parent.values) if isinstance(k, ast.Constant)}
        allowed = CALLS.get(module, {}).get("{" + ", ".join(sorted(keys)) + "}", ())
        return any(keys[k] is child for k in allowed)
    if not isinstance(parent, ast.Call):
        return False
    callee = parent.func.id if isinstance(parent.func, ast.Name) else getattr(parent.func, "attr", None)
    allowed = CALLS.get(module, {}).get(callee, ())
    return (any(a is child for i, a in enumerate(parent.args) if i in allowed)
            or any(k.value is child and k.arg in allowed for k in parent.keywords))


def is_text(module: str, original: str, mutant: str) -> bool:
    """Whether the mutant (a function's source) changes only words in a text slot of the module."""
    if module not in CALLS:
        return False
    a, b = ast.parse(textwrap.dedent(original)), ast.parse(textwrap.dedent(mutant))
    nodes_a, nodes_b = list(ast.walk(a)), list(ast.walk(b))
    if len(nodes_a) != len(nodes_b):
        return False
    changed = []
    for x, y in zip(nodes_a[2:], nodes_b[2:]):  # past the module and the function's name
        if type(x) is not type(y):
            return False
        if _fields(x) != _fields(y):
            if not (isinstance(x, ast.Constant) and isinstance(x.value, str) and isinstance(y.value, str)):
                return False
            changed.append((x, y))
    if len(changed) != 1 or not _words_only(changed[0][0].value, changed[0][1].value):
        return False
    parents = {child: node for node in nodes_a for child in ast.iter_child_nodes(node)}
    return _slot(module, changed[0][0], parents)


def text_mutants(workdir: Path, names: list[str]) -> set[str]:
    """The text mutants among these (mutmut names), read from mutmut's generated files in workdir."""
    found: set[str] = set()
    by_module: dict[str, list[str]] = {}
    for name in names:
        if (module := module_of(name)) in CALLS:
            by_module.setdefault(module, []).append(name)
    for module, mine in by_module.items():
        path = workdir / "mutants" / (module.replace(".", "/") + ".py")
        spans = json.loads(path.with_name(path.name + ".spans").read_text())["spans"]
        lines = path.read_text().splitlines(keepends=True)

        def source(function: str) -> str:
            start, end = spans[function]
            return "".join(lines[start - 1:end])

        for name in mine:
            function = name[len(module) + 1:]
            if is_text(module, source(function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"), source(function)):
                found.add(name)
    return found
