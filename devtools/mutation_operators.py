"""The domain mutation operators (devtools/mutation_domain.py runs them): mistakes of meaning, each a
one-line or one-element change of the source text at `ast` positions.

- drop_element: a rule, policy statement, route, table row or IAM action left out of a literal list;
- widen_arn: an ARN matched as a prefix or its last part widened to `*`, a principal or resource `*`;
- shift_threshold: a bound, a PromQL comparison's number or a whole duration string moved by one unit
  of its last written digit;
- swap_severity: critical <-> high <-> warning, as a literal or in a severity matcher;
- drop_matcher, drop_condition_key, drop_alternative: a PromQL label matcher, a policy Condition key or
  operator, a regex alternative left out;
- flip_default: a boolean default flipped (a parameter's, `default=`, `.get(key, True)`, Pulumi.yaml's).

Every mutant is parsed again; one that is not Python, or repeats another's text, is not made.
"""
from __future__ import annotations

import ast
import difflib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterator


@dataclass(frozen=True)
class Edit:
    start: int  # byte offsets in the file
    end: int
    new: bytes
    what: str  # what the mutant changes, for the report


@dataclass(frozen=True)
class Mutant:
    name: str  # <module>.<operator>__domain_<n>: the equivalents file's name syntax
    operator: str
    path: str  # repository-relative
    line: int
    what: str
    diff: str


# ---------------------------------------------------------------- positions


class _Source:
    """A file's text with ast positions as byte offsets (ast counts columns in UTF-8 bytes)."""

    def __init__(self, text: bytes):
        self.text = text
        self.tree = ast.parse(text)
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def start(self, node: ast.AST) -> int:
        return self.starts[node.lineno - 1] + node.col_offset

    def end(self, node: ast.AST) -> int:
        return self.starts[node.end_lineno - 1] + node.end_col_offset

    def segment(self, node: ast.AST) -> bytes:
        return self.text[self.start(node):self.end(node)]

    def line_of(self, offset: int) -> int:
        return next(i for i, s in enumerate(self.starts) if s > offset)


def _remove(src: _Source, items: list[tuple[int, int]], i: int) -> tuple[int, int]:
    """The span that leaves item i out of a comma-separated sequence of (start, end) spans: up to the
    next item's start, or for the last, from the previous item's end."""
    if i + 1 < len(items):
        return items[i][0], items[i + 1][0]
    return items[i - 1][1], items[i][1]


def _key(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _dict_key_of(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str | None:
    """The string key under which a dict literal holds this node, if it does."""
    parent = parents.get(node)
    if isinstance(parent, ast.Dict):
        for k, v in zip(parent.keys, parent.values):
            if v is node:
                return _key(k)
    return None


def _strings(src: _Source) -> Iterator[ast.AST]:
    """String literals (plain and f-strings) other than docstrings, outermost only."""
    docstrings = set()
    for node in ast.walk(src.tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(first.value)
    inner = {id(v) for node in ast.walk(src.tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in ast.walk(src.tree):
        if node in docstrings or id(node) in inner:
            continue
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            yield node


def _in_strings(src: _Source, pattern: re.Pattern, make: Callable[[re.Match, bytes], Iterator[tuple[bytes, str]]]
                ) -> Iterator[Edit]:
    """Edits of the regex's matches inside string literals: make(match, segment) yields each match's
    (replacement of the match, what)."""
    for node in _strings(src):
        base, segment = src.start(node), src.segment(node)
        for match in pattern.finditer(segment):
            for new, what in make(match, segment):
                yield Edit(base + match.start(), base + match.end(), new, what)


# ---------------------------------------------------------------- operators

# A dict literal with one of these keys is a rule, a statement or a route: dropping it is a domain mistake.
RULE_KEYS = {"Effect", "Sid", "alert", "record", "receiver", "matchers", "source_matchers", "target_matchers",
             "Rule", "podSelector", "ports", "to", "from", "policy_id", "states", "transitions"}
IAM_ACTION = re.compile(rb"""^f?["'][a-z0-9-]+:[A-Za-z*]+["']$""")


def drop_element(src: _Source) -> Iterator[Edit]:
    """Leave one rule, statement, route, table row or IAM action out of a literal list or tuple."""
    for node in ast.walk(src.tree):
        if not isinstance(node, (ast.List, ast.Tuple, ast.Set)) or len(node.elts) < 2:
            continue
        items = [(src.start(e), src.end(e)) for e in node.elts]
        for i, element in enumerate(node.elts):
            if isinstance(element, ast.Starred):
                continue
            rule = (isinstance(element, ast.Dict) and {_key(k) for k in element.keys} & RULE_KEYS
                    or isinstance(element, ast.Call) and _callee(element)[:1].isupper()
                    or isinstance(element, ast.Tuple) and len(element.elts) >= 2
                    and all(isinstance(e, ast.Tuple) for e in node.elts)
                    or IAM_ACTION.match(src.segment(element)))
            if rule:
                start, end = _remove(src, items, i)
                first = src.segment(element).split(b"\n")[0].decode()[:70]
                yield Edit(start, end, b"", f"element left out: {first}")


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


ARN = re.compile(rb"""^(f?)(["'])(arn:[^"']*?)(["'])$""")
WIDE_KEYS = {"AWS", "Resource", "Principal"}


def widen_arn(src: _Source) -> Iterator[Edit]:
    """Widen a principal or a resource: an ARN matched as a prefix (`…/role/x` -> `…/role/x*`), its last
    part as `*`, or a non-literal principal or resource replaced by `*`."""
    parents = _parents(src.tree)
    for node in _strings(src):
        segment = src.segment(node)
        m = ARN.match(segment)
        if not m or m.group(3).endswith(b"*"):
            continue
        prefix, quote, body = m.group(1), m.group(2), m.group(3)
        yield Edit(src.start(node), src.end(node), prefix + quote + body + b"*" + quote, "ARN matched as a prefix")
        cut = max(body.rfind(b"/"), body.rfind(b":"))
        if cut > 0 and b"{" not in body[cut:] and cut + 1 < len(body):
            yield Edit(src.start(node), src.end(node), prefix + quote + body[:cut + 1] + b"*" + quote,
                       "ARN's last part widened to *")
    for node in ast.walk(src.tree):
        if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript, ast.Call)) and \
                _dict_key_of(node, parents) in WIDE_KEYS:
            yield Edit(src.start(node), src.end(node), b'"*"', f"{_dict_key_of(node, parents)} widened to *")


THRESHOLD_NAME = re.compile(r"(?i)(min|max|limit|threshold|floor|ceil|days|years|bound|percent|ratio|seconds|"
                            r"minutes|hours|window|retries|size|count|budget|burn|factor|target|objective|quota)")
PROMQL_COMPARISON = re.compile(rb"(?<![=!<>])(>=|<=|>|<|==|!=)(\s*)(\d+(?:\.\d+)?)(?![\w.])")
DURATION = re.compile(rb"""^(["'])(\d+)([smhdwy])(["'])$""")


def _shifted(literal: bytes) -> list[bytes]:
    """A number as written, one unit down and up (the unit of its last written digit)."""
    text = literal.decode()
    if "." in text:
        decimals = len(text.split(".")[1])
        step, value = 10 ** -decimals, float(text)
        out = [f"{value - step:.{decimals}f}", f"{value + step:.{decimals}f}"]
    elif text.isdigit():
        out = [str(int(text) - 1), str(int(text) + 1)]
    else:
        return []
    return [o.encode() for o in out if not o.startswith("-")]


def shift_threshold(src: _Source) -> Iterator[Edit]:
    """Move a threshold by one unit: a number compared with, named as a bound (keyword, dict key,
    UPPER_CASE constant, a bound's positional argument), a number a PromQL comparison holds, or a whole
    duration string ("5m")."""
    parents = _parents(src.tree)
    seen: set[int] = set()

    def bound(node: ast.AST) -> bool:
        parent = parents.get(node)
        if isinstance(parent, ast.UnaryOp):
            node, parent = parent, parents.get(parent)
        if isinstance(parent, ast.Compare):
            return True
        if isinstance(parent, ast.keyword):
            return bool(parent.arg and THRESHOLD_NAME.search(parent.arg))
        if isinstance(parent, ast.Dict):
            return bool(THRESHOLD_NAME.search(_dict_key_of(node, parents) or ""))
        if isinstance(parent, (ast.Assign, ast.AnnAssign)):
            targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            return any(n.isupper() or THRESHOLD_NAME.search(n) for n in names)
        if isinstance(parent, ast.Call):
            return bool(THRESHOLD_NAME.search(_callee(parent)) or _callee(parent) in {"between", "duration", "_list"})
        return False

    for node in ast.walk(src.tree):
        if isinstance(node, ast.Constant) and type(node.value) in (int, float) and bound(node):
            start = src.start(node)
            if start in seen:
                continue
            seen.add(start)
            for new in _shifted(src.segment(node)):
                yield Edit(start, src.end(node), new, f"bound {src.segment(node).decode()} -> {new.decode()}")

    def promql(match: re.Match, segment: bytes) -> Iterator[tuple[bytes, str]]:
        for new in _shifted(match.group(3)):
            yield (match.group(1) + match.group(2) + new,
                   f"comparison {match.group(0).decode()} -> {(match.group(1) + match.group(2) + new).decode()}")

    yield from _in_strings(src, PROMQL_COMPARISON, promql)
    for node in _strings(src):
        m = DURATION.match(src.segment(node))
        if m:
            for new in _shifted(m.group(2)):
                if new != b"0":
                    yield Edit(src.start(node), src.end(node), m.group(1) + new + m.group(3) + m.group(4),
                               f"duration {m.group(2).decode()}{m.group(3).decode()} -> {new.decode()}"
                               f"{m.group(3).decode()}")


SWAPS = {b"critical": (b"high",), b"high": (b"critical", b"warning"), b"warning": (b"high",)}
SEVERITY_LITERAL = re.compile(rb"""^(f?["'])(critical|high|warning)(["'])$""")
SEVERITY_MATCHER = re.compile(rb'severity\s*(?:=~|!~|!=|=)\s*\\?"([^"\\]*)')


def swap_severity(src: _Source) -> Iterator[Edit]:
    """critical <-> high <-> warning: a severity literal, or a severity named in a matcher."""
    for node in _strings(src):
        segment = src.segment(node)
        m = SEVERITY_LITERAL.match(segment)
        if m:
            for new in SWAPS[m.group(2)]:
                yield Edit(src.start(node) + m.start(2), src.start(node) + m.end(2), new,
                           f"severity {m.group(2).decode()} -> {new.decode()}")
            continue
        for matcher in SEVERITY_MATCHER.finditer(segment):
            for word in re.finditer(rb"critical|high|warning", matcher.group(1)):
                at = src.start(node) + matcher.start(1) + word.start()
                for new in SWAPS[word.group(0)]:
                    yield Edit(at, at + len(word.group(0)), new,
                               f"matcher severity {word.group(0).decode()} -> {new.decode()}")


MATCHER = re.compile(rb'[A-Za-z_]\w*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\{]|\\.|\{[^}"]*\})*"')


def drop_matcher(src: _Source) -> Iterator[Edit]:
    """Leave one label matcher out of a PromQL selector `{a="x", b=~"y"}` (not an Alertmanager matcher
    string, which is one matcher alone: drop_element leaves those out)."""
    for node in _strings(src):
        base, segment = src.start(node), src.segment(node)
        for m in MATCHER.finditer(segment):
            before = segment[:m.start()].rstrip()
            after = segment[m.end():].lstrip()
            if not before.endswith((b"{", b",")) or not after.startswith((b",", b"}")):
                continue
            if after.startswith(b","):
                start, end = m.start(), m.end() + (len(segment[m.end():]) - len(after)) + 1
                end += len(segment[end:]) - len(segment[end:].lstrip(b" "))
            elif before.endswith(b","):
                start, end = len(before) - 1, m.end()
            else:
                start, end = m.start(), m.end()
            yield Edit(base + start, base + end, b"", f"matcher left out: {m.group(0).decode()}")


def drop_condition_key(src: _Source) -> Iterator[Edit]:
    """Leave one operator out of a policy statement's Condition, or one key out of an operator's block."""
    parents = _parents(src.tree)
    for node in ast.walk(src.tree):
        condition = isinstance(node, ast.Dict) and (
            _dict_key_of(node, parents) == "Condition"
            or isinstance(parents.get(node), ast.Assign)
            and any(isinstance(t, ast.Subscript) and _key(t.slice) == "Condition" for t in parents[node].targets))
        if not condition:
            continue
        blocks = [node] + [v for v in node.values if isinstance(v, ast.Dict) and len(v.keys) >= 2]
        for block in blocks:
            if any(k is None for k in block.keys):
                continue
            items = [(src.start(k), src.end(v)) for k, v in zip(block.keys, block.values)]
            for i, k in enumerate(block.keys):
                if len(items) == 1:
                    yield Edit(items[0][0], items[0][1], b"", f"condition left out: {_key(k)}")
                else:
                    start, end = _remove(src, items, i)
                    yield Edit(start, end, b"", f"condition left out: {_key(k)}")


ALTERNATION = re.compile(rb"\(([^()\"'{}]*\|[^()\"'{}]*)\)|=~\s*\\?\"([^\"\\()]*\|[^\"\\()]*)\\?\"")


def drop_alternative(src: _Source) -> Iterator[Edit]:
    """Leave one alternative out of a regex alternation: `(security|audit)`, `=~"high|warning"`."""
    def make(match: re.Match, segment: bytes) -> Iterator[tuple[bytes, str]]:
        group = 1 if match.group(1) is not None else 2
        body = match.group(group)
        parts = body.split(b"|")
        whole = match.group(0)
        inner = match.start(group) - match.start()
        for i, part in enumerate(parts):
            kept = b"|".join(parts[:i] + parts[i + 1:])
            yield whole[:inner] + kept + whole[inner + len(body):], f"alternative left out: {part.decode()!r}"

    yield from _in_strings(src, ALTERNATION, make)


def flip_default(src: _Source) -> Iterator[Edit]:
    """Flip a boolean default: a parameter's default, a `default=` keyword, `.get(key, True)`."""
    parents = _parents(src.tree)
    for node in ast.walk(src.tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, bool)):
            continue
        parent = parents.get(node)
        default = (isinstance(parent, ast.arguments)
                   or isinstance(parent, ast.keyword) and parent.arg == "default"
                   or isinstance(parent, ast.Call) and _callee(parent) == "get" and parent.args[-1:] == [node])
        if default:
            yield Edit(src.start(node), src.end(node), str(not node.value).encode(),
                       f"default {node.value} -> {not node.value}")


OPERATORS: dict[str, Callable[[_Source], Iterator[Edit]]] = {
    "drop_element": drop_element, "widen_arn": widen_arn, "shift_threshold": shift_threshold,
    "swap_severity": swap_severity, "drop_matcher": drop_matcher, "drop_condition_key": drop_condition_key,
    "drop_alternative": drop_alternative, "flip_default": flip_default,
}

YAML_DEFAULT = re.compile(rb"^(\s+default: )(true|false)\s*$", flags=re.M)


def _yaml_defaults(text: bytes) -> Iterator[Edit]:
    """Pulumi.yaml: each boolean setting's default flipped."""
    for m in YAML_DEFAULT.finditer(text):
        new = b"false" if m.group(2) == b"true" else b"true"
        yield Edit(m.start(2), m.end(2), new, f"setting default {m.group(2).decode()} -> {new.decode()}")


# ---------------------------------------------------------------- mutants


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".") if path.endswith(".py") else re.sub(r"\W", "_", path)


def _diff(path: str, before: bytes, after: bytes) -> str:
    return "".join(difflib.unified_diff(before.decode().splitlines(keepends=True),
                                        after.decode().splitlines(keepends=True), f"a/{path}", f"b/{path}", n=0))


def mutants_of(path: str, text: bytes, operators: tuple[str, ...] = tuple(OPERATORS)
               ) -> list[tuple[Mutant, bytes]]:
    """Every domain mutant of one file: (the mutant, the mutated file). A mutant that is not valid
    Python, or that repeats another one's text, is not made."""
    if path.endswith(".py"):
        src = _Source(text)
        edits = [(op, e) for op in operators for e in OPERATORS[op](src)]
        line_of = src.line_of
    elif "flip_default" in operators:
        edits = [("flip_default", e) for e in _yaml_defaults(text)]
        line_of = lambda offset: text[:offset].count(b"\n") + 1  # noqa: E731
    else:
        edits = []
    out, seen, number = [], set(), Counter()
    for op, edit in edits:
        mutated = text[:edit.start] + edit.new + text[edit.end:]
        if mutated == text or mutated in seen:
            continue
        if path.endswith(".py"):
            try:
                ast.parse(mutated)
            except SyntaxError:
                continue
        seen.add(mutated)
        number[op] += 1
        name = f"{module_name(path)}.{op}__domain_{number[op]}"
        out.append((Mutant(name, op, path, line_of(edit.start), edit.what, _diff(path, text, mutated)), mutated))
    return out
