"""The mutation benchmark's view of the import graph: which test files judge a module, and which
modules the fork server may import before a mutant is in place (devtools/mutation.py runs both).

Every module of ours calls into content, so the program's run reaches every content function, and
mutmut's coverage would hand each content mutant every test that runs the program. judges() reads
the imports instead. The fork server preloads every module whose import calls no function of the
area under test: an import probe in a clean interpreter decides.
"""
from __future__ import annotations

import ast
import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from harness.runtime import ROOT


@dataclass(frozen=True)
class Area:
    sources: tuple[str, ...]  # files or folders (trailing /) that mutmut mutates
    tests: tuple[str, ...]  # the tests that judge them
    by_module: bool = False  # each module judged only by the tests that reach it (see judges())

    def modules(self) -> tuple[str, ...]:
        """Mutant-name prefixes of this area, e.g. `content.` or `policy.invariants.`."""
        return tuple(s.rstrip("/").removesuffix(".py").replace("/", ".") + "." for s in self.sources)


# Imported once in the fork server: packages only, never code of the area under test.
THIRD_PARTY = ("pytest", "yaml", "pulumi", "pulumi.runtime", "pulumi_aws", "pulumi_kubernetes",
               "pulumiverse_grafana", "boto3", "botocore", "moto", "elasticsearch", "opensearchpy", "hypothesis")
PACKAGES = ("content", "config", "policy", "components", "harness", "devtools", "stacks")
# Imported by the fork server only, and only at the end of its preload: the program's memo
# (devtools/mutation_memo.py, where the program cannot reach the area) and the heap freeze
# (devtools/mutation_fork.py, last of all).
LAST = ("devtools.mutation_memo", "devtools.mutation_fork")


@functools.cache
def repo_files() -> list[str]:
    """Tracked and new files, as git sees the working tree when the run starts (so an uncommitted test
    counts); read once per run."""
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                         capture_output=True).stdout.decode()
    return [f for f in out.split("\0") if f and (ROOT / f).is_file() and f != "setup.cfg"]


# Untracked trees the tests read at the repository's root: tests/content/test_dashboard_schema.py runs tsc
# and @grafana/schema from node_modules, which `npm ci` fills and git does not track. A working copy
# without them fails that test whatever the mutant, which a runner would count as a kill.
UNTRACKED = ("node_modules",)


def link_untracked(copy: Path) -> None:
    """Link the untracked trees the tests read into a working copy (where the repository has them)."""
    for name in UNTRACKED:
        source, target = ROOT / name, copy / name
        if source.is_dir() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source, target_is_directory=True)


def _imports(path: Path) -> set[str]:
    """The modules a file imports, at any depth of its body (absolute imports: this repo uses no others)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


@functools.cache
def _ours() -> dict[str, Path]:
    return {f.removesuffix(".py").removesuffix("/__init__").replace("/", "."): ROOT / f for f in repo_files()
            if f.endswith(".py") and f.split("/")[0] in PACKAGES and not f.endswith("__main__.py")}


@functools.cache
def _graph() -> dict[str, set[str]]:
    """Each module of ours -> the modules of ours it imports (every file parsed once per run)."""
    ours = _ours()
    return {m: deps & set(ours) for m, deps in _module_graph().items() if m in ours}


def _closure(seeds: set[str]) -> set[str]:
    """The seeds and every module of ours that imports one of them, at any depth."""
    graph = _graph()
    found = set(seeds)
    while grown := {m for m, deps in graph.items() if m not in found and deps & found}:
        found |= grown
    return found


def _reaches(module: str, graph: dict[str, set[str]]) -> set[str]:
    """The module and every module it imports, at any depth."""
    found, todo = {module}, [module]
    while todo:
        for dep in graph.get(todo.pop(), set()) - found:
            found.add(dep)
            todo.append(dep)
    return found


def _runs_program(path: Path) -> bool:
    """Whether a test module has a test or fixture that asks for a run of the program (tests/conftest.py)."""
    return any(isinstance(node, ast.FunctionDef) and {a.arg for a in node.args.args} & {"program", "stack_runs"}
               for node in ast.walk(ast.parse(path.read_text())))


@functools.cache
def _module_graph() -> dict[str, set[str]]:
    """Each module of ours or of tests/ -> the modules of ours and of tests/ it imports."""
    files = [f for f in repo_files() if f.endswith(".py") and not f.endswith("__main__.py")]
    modules = {f.removesuffix(".py").removesuffix("/__init__").replace("/", "."): ROOT / f for f in files
               if f.split("/")[0] in PACKAGES + ("tests",)}
    return {m: {i for i in _imports(path) if i in modules} for m, path in modules.items()}


def judges(area: Area) -> dict[str, list[str]]:
    """Each module of the area -> the test files that judge it (tests mirror the source).

    Every module of ours calls into content, so the program's run reaches every content function,
    and mutmut's coverage hands each content mutant every test that runs the program: a mutant in a
    dashboard legend waited for the snapshot-retention and provider tests. Here a test file judges:
    - what it imports, at any depth (a test of the alert rules imports content.rules, which imports
      the alerts, recording rules and SLOs);
    - tests/components/test_X*.py: also the content that the component components/X.py it mirrors
      imports, at any depth (test_grafana: the dashboards, whose panels the component deploys); not
      through another component, which has its own mirror tests;
    - a component test that mirrors no component but runs the program (asks for the `program` or
      `stack_runs` fixture) reads every object the program registers (the Kubernetes and AWS schema
      checks, the chart values): it judges everything the program imports."""
    files = [f for f in repo_files() if f.endswith(".py")]
    graph = _module_graph()
    components = sorted(m for m in graph if m.startswith("components."))
    program = set().union(*(_reaches(m, graph) for m in _imports(ROOT / "__main__.py") if m in graph))
    dirs = tuple(t.rstrip("/") + "/" for t in area.tests if t.startswith("tests/"))
    found: dict[str, list[str]] = {}
    for test in sorted(f for f in files if f.startswith(dirs) and Path(f).name.startswith("test_")):
        name = test.removesuffix(".py").replace("/", ".")
        reached = _reaches(name, graph)
        if test.startswith("tests/components/"):
            stem = Path(test).stem.removeprefix("test_")
            mirrored = [c for c in components if stem.startswith(c.split(".")[1])]
            for component in mirrored:
                reached |= set().union(*(_reaches(m, graph) for m in graph[component] if m.startswith("content")))
            if not mirrored and _runs_program(ROOT / test):
                reached |= program
        for module in reached:
            if (module + ".").startswith(area.modules()):
                found.setdefault(module, []).append(test)
    return found


def program_reaches(area: Area) -> bool:
    """Whether the Pulumi program (__main__.py) imports a module of the area."""
    ours = _ours()
    inside = {m for m in ours if (m + ".").startswith(area.modules())}
    return bool(_imports(ROOT / "__main__.py") & _closure(inside))


# Run in a clean interpreter: import every module of ours, and name the modules whose import calls
# a function of the area (a class body is not a function: mutmut mutates only functions).
_PROBE = """
import importlib, inspect, json, sys
prefixes, modules = tuple(sys.argv[1].split(",")), sys.argv[2].split(",")
calls, functions = set(), set()
def profile(frame, event, arg):
    if event != "call" or not frame.f_code.co_flags & inspect.CO_NEWLOCALS:
        return
    if frame.f_code.co_name.startswith("<") or not frame.f_code.co_filename.startswith(sys.argv[3]):
        return  # comprehensions, and functions a decorator generates (dataclass __init__): not mutated
    if not (frame.f_globals.get("__name__", "") + ".").startswith(prefixes):
        return
    qualname = frame.f_code.co_qualname.split(".<locals>")[0]
    functions.add(frame.f_globals["__name__"] + "." + "x" + ("ǁ" + qualname.replace(".", "ǁ") if "." in qualname
                                                             else "_" + qualname))
    f = frame.f_back
    while f is not None:
        if f.f_code.co_name == "<module>":
            calls.add(f.f_globals.get("__name__"))
        f = f.f_back
sys.setprofile(profile)
for m in modules:
    try:
        importlib.import_module(m)
    except Exception:
        calls.add(m)  # not importable alone: keep it out of the server
sys.setprofile(None)
print(json.dumps([sorted(c for c in calls if c), sorted(functions)]))
"""


def probe(area: Area, modules: set[str] | None = None) -> tuple[set[str], set[str]]:
    """(modules whose import calls a function of the area, those functions as mutmut names them);
    by default over our modules."""
    ours = _ours() if modules is None else modules
    probe = subprocess.run([sys.executable, "-c", _PROBE, ",".join(area.modules()),
                            ",".join(sorted(set(ours) - set(LAST))), str(ROOT)],
                           cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if probe.returncode != 0:
        raise SystemExit(f"import probe failed:\n{probe.stderr}")
    modules, functions = json.loads(probe.stdout.splitlines()[-1])
    return set(modules) & set(ours), set(functions)


def area_test_modules(area: Area) -> set[str]:
    """The area's test modules and the test helpers they import, at any depth."""
    graph = _module_graph()
    dirs = tuple(t.rstrip("/").removesuffix(".py").replace("/", ".") for t in area.tests if t.startswith("tests/"))
    found: set[str] = set()
    for module in graph:
        if module.startswith("tests.") and (module + ".").startswith(tuple(d + "." for d in dirs)):
            found |= {m for m in _reaches(module, graph) if m.startswith("tests.")}
    return found


def preload(area: Area, importing: set[str], tests_importing: set[str]) -> str:
    """Modules the fork server imports: third-party packages, and our modules and test modules whose
    import calls no function of the area (importing a test module cost each worker about 0.2 s). A
    module that does (config/sections.py builds its classes at import; a test that parametrizes over
    the alert rules) is imported by each worker after the fork, with the mutant in place. pytest then
    finds a preloaded test module in sys.modules and collects it as it is: its asserts are not
    rewritten, which changes a failure's message but not whether it fails."""
    ours = _ours()
    unsafe = _closure(importing) | set(LAST)
    memo = ("devtools.mutation_memo",) if not program_reaches(area) else ()
    graph = _module_graph()
    tests = sorted(m for m in area_test_modules(area) - tests_importing
                   if not {d for d in _reaches(m, graph) if d in ours} & unsafe
                   and not {d for d in _reaches(m, graph) if d.startswith("tests.")} & tests_importing)
    last = memo + ("devtools.mutation_fork",)
    return "\n".join(THIRD_PARTY + tuple(sorted(set(ours) - unsafe)) + tuple(tests) + last) + "\n"
