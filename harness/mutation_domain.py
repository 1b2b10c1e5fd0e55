"""Domain mutation operators: mistakes of meaning, beside mutmut's syntactic ones (scripts/mutation --domain).

mutmut flips an operator or a constant; a reviewer catches most of those. The mistakes that pass
review keep the code plausible: a rule or a policy statement left out, a principal widened to a
prefix, a threshold moved by one, a severity swapped, a label matcher or a condition key dropped, a
regex alternative lost, a boolean default flipped. Each operator here makes such one-line or
one-element changes, editing the source text at `ast` positions, and every mutant is parsed again
(a mutant that is not Python is not made).

A mutant runs in a working copy of the repository (build/mutation-domain/<area>/w<N>/, one per
worker) with the area's own tests, exactly those scripts/mutation gives it (harness/mutation.py's
AREAS; in `content`, each module's judges from harness/mutation_graph.py), under `pytest -x`. Exit 0:
survived; 5: no tests; any other exit or a timeout: killed (as scripts/mutation counts a hung
worker). Reviewed equivalents are read from docs/mutation-equivalents.md like mutmut's (a name with
the digest of its diff, harness/mutation_equivalents.py). Report: build/mutation-domain/report.md,
with the area's syntactic score from build/mutation/report.md when a mutmut run left one.
"""
from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator

from harness import mutation_equivalents
from harness.mutation import AREAS, EQUIVALENTS, WORK as SYNTACTIC
from harness.mutation_graph import Area, judges, repo_files
from harness.runtime import ROOT

WORK = ROOT / "build" / "mutation-domain"
REPORT = WORK / "report.md"
# Not Python, but where the settings' defaults live (config/schema.py reads it): the settings area's.
EXTRA_SOURCES = {"settings": ("Pulumi.yaml",)}


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


def area_sources(name: str) -> list[str]:
    area = AREAS[name]
    files = [f for f in repo_files() if f.endswith(".py") and f.startswith(area.sources)
             and not f.endswith("__init__.py")]
    return sorted(files) + list(EXTRA_SOURCES.get(name, ()))


def tests_for(name: str, path: str) -> tuple[list[str], list[str]]:
    """(test paths, pytest options) that judge a file of the area: as scripts/mutation gives them."""
    area: Area = AREAS[name]
    options = [t for i, t in enumerate(area.tests) if not t.startswith("tests/") or area.tests[i - 1] == "-k"]
    paths = [t for t in area.tests if t not in options]
    if area.by_module and path.endswith(".py"):
        # The content tests before the component tests, which run the whole program: a killed mutant
        # mostly dies in the first.
        paths = sorted(judges(area).get(module_name(path), []), key=lambda p: (p.startswith("tests/components"), p))
    return paths, options


# ---------------------------------------------------------------- running


@dataclass
class Result:
    name: str
    status: str  # killed, survived, no tests, timeout
    seconds: float
    failed: str | None = None


def status_of(returncode: int | None) -> str:
    """pytest's exit -> verdict: 0 survived, 5 no tests collected, None a timeout, else killed (1 a
    failing test, 2 a collection error, 3 and 4 an error of pytest itself that only the mutant made)."""
    return {0: "survived", 5: "no tests", None: "timeout"}.get(returncode, "killed")


def run_one(copy: Path, mutant: Mutant, mutated: bytes, paths: list[str], options: list[str],
            timeout: float) -> Result:
    """Run the tests with the mutant in place in this working copy; the file is put back after."""
    target = copy / mutant.path
    original = target.read_bytes()
    started = time.monotonic()
    try:
        target.write_bytes(mutated)
        for cached in (target.parent / "__pycache__").glob(f"{target.stem}.*.pyc"):
            cached.unlink()  # a same-size mutant written in the same second would pass the pyc's check
        if not paths:
            return Result(mutant.name, "no tests", 0.0)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(copy)}
        try:
            proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                   "-m", "not live", *options, *paths], cwd=copy, env=env, capture_output=True,
                                  text=True, timeout=timeout)
            code, out = proc.returncode, proc.stdout
        except subprocess.TimeoutExpired:
            code, out = None, ""
        failed = re.search(r"^(?:FAILED|ERROR) (\S+)", out, flags=re.M)
        return Result(mutant.name, status_of(code), round(time.monotonic() - started, 2),
                      failed.group(1) if failed else None)
    finally:
        target.write_bytes(original)


def sync(copy: Path) -> None:
    """Make a working copy hold the repository's files as they are now (tests included)."""
    for f in repo_files():
        src, dst = ROOT / f, copy / f
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def sample(mutants: list[Mutant], n: int) -> list[Mutant]:
    """Up to n mutants per module and operator, drawn with a fixed seed (a rerun draws the same)."""
    pool: dict[tuple[str, str], list[Mutant]] = {}
    for m in mutants:
        pool.setdefault((m.path, m.operator), []).append(m)
    rng = random.Random(29)
    return [m for key in sorted(pool) for m in rng.sample(pool[key], min(n, len(pool[key])))]


def run(name: str, chosen: list[tuple[Mutant, bytes]], children: int, timeout: float,
        progress: Callable[[Result], None] = lambda r: None) -> list[Result]:
    work = WORK / name
    copies = [work / f"w{i}" for i in range(children)]
    for copy in copies:
        sync(copy)
    todo = list(chosen)
    lock = threading.Lock()
    done: list[Result] = []

    def worker(copy: Path) -> None:
        while True:
            with lock:
                if not todo:
                    return
                mutant, mutated = todo.pop(0)
            paths, options = tests_for(name, mutant.path)
            result = run_one(copy, mutant, mutated, paths, options, timeout)
            with lock:
                done.append(result)
                progress(result)

    threads = [threading.Thread(target=worker, args=(c,)) for c in copies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done


# ---------------------------------------------------------------- report


def tally(statuses: list[str]) -> dict[str, int]:
    counts = Counter(statuses)
    return {"killed": counts["killed"] + counts["timeout"], "survived": counts["survived"],
            "equivalent": counts["equivalent"], "no tests": counts["no tests"]}


def score_text(counts: dict[str, int]) -> str:
    """killed / (killed + survived): equivalents and mutants without tests are left out, as in
    scripts/mutation."""
    judged = counts["killed"] + counts["survived"]
    return f"{counts['killed'] / judged:.0%}" if judged else "-"


def syntactic_score(name: str, report: Path = SYNTACTIC / "report.md") -> str:
    """The area's score in the last mutmut run's report, if one is there."""
    if not report.exists():
        return "-"
    m = re.search(rf"^\| \*\*{re.escape(name)}\*\* \|(?:[^|]*\|){{6}} ([^|]+) \|", report.read_text(), flags=re.M)
    return m.group(1).strip() if m else "-"


def _load(name: str) -> dict:
    path = WORK / name / "results.json"
    return json.loads(path.read_text()) if path.exists() else {"mutants": {}, "results": {}}


def report(names: list[str]) -> list[str]:
    listed = mutation_equivalents.read(EQUIVALENTS)
    summary = ["# Domain mutation benchmark", "",
               "| area | mutants made | run | killed | survived | equivalent | no tests | domain score | "
               "syntactic score (last mutmut run) | seconds |", "|---|---|---|---|---|---|---|---|---|---|"]
    by_operator = ["", "## Per area and operator", "", "| area | operator | killed | survived | equivalent | "
                   "no tests | score |", "|---|---|---|---|---|---|---|"]
    survivors = ["", "## Survivors", ""]
    for name in names:
        data = _load(name)
        statuses = {}
        for mutant_name, result in data["results"].items():
            diff = data["mutants"][mutant_name]["diff"]
            equivalent = mutant_name in listed and (listed[mutant_name].digest in (None, mutation_equivalents.digest(diff)))
            statuses[mutant_name] = "equivalent" if equivalent and result["status"] == "survived" else result["status"]
        counts = tally(list(statuses.values()))
        summary.append(f"| **{name}** | {len(data['mutants'])} | {len(statuses)} | {counts['killed']} | "
                       f"{counts['survived']} | {counts['equivalent']} | {counts['no tests']} | "
                       f"{score_text(counts)} | {syntactic_score(name)} | {data.get('seconds', '-')} |")
        for op in OPERATORS:
            mine = [s for n, s in statuses.items() if data["mutants"][n]["operator"] == op]
            if mine:
                c = tally(mine)
                by_operator.append(f"| {name} | {op} | {c['killed']} | {c['survived']} | {c['equivalent']} | "
                                   f"{c['no tests']} | {score_text(c)} |")
        for mutant_name in sorted(n for n, s in statuses.items() if s == "survived"):
            m = data["mutants"][mutant_name]
            survivors += [f"### {mutant_name} ({m['what']})", "```diff", m["diff"].strip(), "```", ""]
    return summary + by_operator + survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/mutation --domain", description=__doc__.splitlines()[0])
    parser.add_argument("areas", nargs="*", default=list(AREAS), help=f"some of: {', '.join(AREAS)}")
    parser.add_argument("--operator", action="append", choices=list(OPERATORS), help="only these operators")
    parser.add_argument("--sample", type=int, metavar="N", help="run N mutants per module and operator (fixed seed)")
    parser.add_argument("--survived", action="store_true", help="run again only what the last run left alive")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--report-only", action="store_true", help="write the report of the last runs")
    parser.add_argument("--children", type=int, default=2, metavar="N", help="mutants run at once (default 2)")
    parser.add_argument("--timeout", type=float, default=600, metavar="S", help="seconds before a run counts "
                        "as hung (a timeout counts as killed, as in scripts/mutation)")
    args = parser.parse_args(argv)
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown areas {unknown}; allowed: {', '.join(AREAS)}")
    if args.children < 1:
        parser.error(f"--children must be 1 or more, not {args.children}")
    operators = tuple(args.operator or OPERATORS)
    listed = mutation_equivalents.read(EQUIVALENTS)
    for name in args.areas if not args.report_only else ():
        made = [pair for path in area_sources(name) for pair in mutants_of(path, (ROOT / path).read_bytes(), operators)]
        if args.list:
            for m, _ in made:
                print(f"{m.name}\t{m.path}:{m.line}\t{m.what}")
            continue
        data = _load(name)
        data["mutants"] = {m.name: asdict(m) for m, _ in made}
        chosen = [(m, t) for m, t in made if not (m.name in listed and listed[m.name].digest == mutation_equivalents.digest(m.diff))]
        if args.survived:
            chosen = [(m, t) for m, t in chosen if data["results"].get(m.name, {}).get("status") == "survived"]
        if args.sample:
            keep = {m.name for m in sample([m for m, _ in chosen], args.sample)}
            chosen = [(m, t) for m, t in chosen if m.name in keep]
        if not args.survived:
            data["results"] = {}
        for m, _ in made:  # a reviewed equivalent is not run: recorded as such
            if m.name in listed and listed[m.name].digest == mutation_equivalents.digest(m.diff):
                data["results"][m.name] = asdict(Result(m.name, "survived", 0.0))
        started = time.monotonic()
        print(f"{name}: {len(made)} mutants, running {len(chosen)}", file=sys.stderr, flush=True)
        for result in run(name, chosen, args.children, args.timeout,
                          lambda r: print(f"  {r.status:9} {r.seconds:7.1f}s {r.name}", file=sys.stderr, flush=True)):
            data["results"][result.name] = asdict(result)
        data["seconds"] = round(time.monotonic() - started) + (data.get("seconds", 0) if args.survived else 0)
        (WORK / name).mkdir(parents=True, exist_ok=True)
        (WORK / name / "results.json").write_text(json.dumps(data, indent=1, sort_keys=True))
    if args.list:
        return 0
    lines = report([a for a in args.areas if (WORK / a / "results.json").exists()])
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:lines.index("## Survivors") - 1]))
    print(f"\nsurvivors: {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
