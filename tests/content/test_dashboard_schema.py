"""Every rendered dashboard type-checks against Grafana's published schema, with TypeScript.

@grafana/schema 11.6.0 (the Grafana version grafana-foundation-sdk 11.6.0 in requirements.txt is
generated for) publishes the dashboard model as TypeScript types: `Dashboard` (dist/esm/index.d.mts,
with `VariableModel`, `Panel`, `RowPanel`, `GridPos`) and, per panel plugin, its options and custom
field config (dist/esm/raw/composable/<plugin>/panelcfg/x/*PanelCfg_types.gen.d.ts). Each dashboard
is written as a TypeScript literal of type `Dashboard`, and each panel of a plugin with published
types as a literal of its options and field config, then `tsc --noEmit` (typescript 5.9.3, both
pinned in package.json and package-lock.json) checks them: a field of the wrong type, or a field the
type does not have (TypeScript's excess-property check on object literals), is an error.

The `@grafana/schema` `Panel` type ignores its options parameter (it extends `Omit<Panel, 'fieldConfig'>`
with options `Record<string, unknown>`), so a panel's options are checked through `Typed`, and
enums as the JSON writes them (their string values, every field optional as Grafana fills defaults).
Grafana 11.6.0's schema publishes no alertlist types: that panel is checked as a `Panel` only.
"""
from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from content import dashboards
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "node_modules"
TSC = MODULES / "typescript" / "bin" / "tsc"
SCHEMA = MODULES / "@grafana" / "schema" / "dist"
# panel type -> (module under raw/composable, its types file, whether it publishes a custom FieldConfig)
PLUGINS = {"timeseries": ("timeseries", "TimeSeriesPanelCfg", True), "stat": ("stat", "StatPanelCfg", False),
           "gauge": ("gauge", "GaugePanelCfg", False), "table": ("table", "TablePanelCfg", True),
           "text": ("text", "TextPanelCfg", False)}
HEADER = """import type {{ Dashboard, Panel }} from "@grafana/schema";
{imports}
// JSON as Grafana reads it: an enum is its string value, and every field may be left to its default.
type J<T> = T extends string ? `${{T}}` : T extends (infer U)[] ? J<U>[] : T extends object ? {{ [K in keyof T]?: J<T[K]> }} : T;
type Defaults = NonNullable<Panel["fieldConfig"]>["defaults"];
type Typed<O, F> = Omit<Panel, "options" | "fieldConfig"> & {{
  options?: J<O>;
  fieldConfig?: {{ defaults?: Omit<Defaults, "custom"> & {{ custom?: J<F> }}; overrides?: NonNullable<Panel["fieldConfig"]>["overrides"] }};
}};
"""


def _imports() -> str:
    return "\n".join(f'import type * as {kind} from "@grafana/schema/dist/esm/raw/composable/{module}/panelcfg/x/'
                     f'{types}_types.gen";' for kind, (module, types, _) in PLUGINS.items())


def _panel_type(panel: dict) -> str:
    module, _, custom = PLUGINS[panel["type"]]
    return f"Typed<{panel['type']}.Options, {panel['type'] + '.FieldConfig' if custom else 'Record<string, unknown>'}>"


def typescript(boards: dict[str, dict]) -> list[str]:
    """One line per declaration: each dashboard, then each of its panels of a typed plugin."""
    lines = []
    for uid, board in boards.items():
        name = re.sub(r"\W", "_", uid)
        lines.append(f"export const {name}: Dashboard = {json.dumps(board)};")
        lines += [f"export const {name}_{p['id']}: {_panel_type(p)} = {json.dumps(p)};"
                  for p in board["panels"] if p["type"] in PLUGINS]
    return lines


def tsc(folder: Path, files: dict[str, list[str]]) -> dict[tuple[str, int], list[str]]:
    """Writes each file (the header, then its declarations one a line), runs tsc once over all of
    them, and returns its errors by (file, declaration index)."""
    if not (shutil.which("node") and TSC.exists() and SCHEMA.exists()):
        pytest.fail("node, typescript or @grafana/schema is missing: run `npm ci` at the repository root "
                    "(scripts/test does it on first use; .ci/run installs Debian's nodejs and npm)")
    header = HEADER.format(imports=_imports())
    offset = header.count("\n")
    for name, lines in files.items():
        (folder / name).write_text(header + "\n".join(lines) + "\n")
    (folder / "tsconfig.json").write_text(json.dumps({
        "compilerOptions": {"strict": True, "noEmit": True, "skipLibCheck": True, "module": "esnext",
                            "moduleResolution": "bundler", "target": "es2020", "types": [],
                            "paths": {"@grafana/schema": [str(SCHEMA / "esm" / "index.d.mts")],
                                      "@grafana/schema/dist/*": [str(SCHEMA) + "/*"]}},
        "files": sorted(files)}))
    proc = subprocess.run(["node", str(TSC), "-p", str(folder / "tsconfig.json")], capture_output=True, text=True,
                          timeout=120, cwd=folder)
    errors: dict[tuple[str, int], list[str]] = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"(\S+?)\((\d+),\d+\): error (TS\d+: .*)", line)
        if m:
            errors.setdefault((Path(m[1]).name, int(m[2]) - offset - 1), []).append(m[3][:200])
    unexplained = [line for line in proc.stdout.splitlines() if line.startswith(("error", "tsconfig"))]
    assert not unexplained, unexplained  # a broken setup is not a clean check
    assert (proc.returncode == 0) == (not errors), proc.stdout[-2000:]
    return errors


def _wrong_cases(board: dict) -> dict[str, dict]:
    """A real dashboard with one field wrong each: what tsc must refuse."""
    cases = {}

    def case(name: str, change) -> None:
        b = copy.deepcopy(board)
        change(b)
        cases[name] = b
    case("refresh as a number", lambda b: b.update(refresh=15))
    case("a query variable with an interval's auto_count",
         lambda b: next(v for v in b["templating"]["list"] if v["type"] == "query").update(auto_count=30))
    case("a panel height as a string", lambda b: b["panels"][1]["gridPos"].update(h="8"))
    case("a variable refresh outside VariableRefresh",
         lambda b: next(v for v in b["templating"]["list"] if v["type"] == "query").update(refresh=3))
    return cases


def test_every_dashboard_type_checks_against_grafana_schema_and_a_wrong_field_is_refused(tmp_path):
    boards = {uid: board for uid, (_, board) in dashboards.dashboards(make_settings("prod")).items()}
    overview = boards["kafka-overview"]
    wrong = _wrong_cases(overview)
    timeseries = next(p for p in overview["panels"] if p["type"] == "timeseries")
    text = next(p for b in boards.values() for p in b["panels"] if p["type"] == "text")
    bad_panels = [
        ("a time series legend flag as a string", {**timeseries, "options": {"legend": {"showLegend": "yes"}}}),
        ("a text panel mode Grafana does not have", {**text, "options": {**text["options"], "mode": "markdwn"}}),
        ("a time series custom option of the wrong type",
         {**timeseries, "fieldConfig": {"defaults": {"custom": {"lineWidth": "2"}}, "overrides": []}}),
    ]
    wrong_lines = [f"export const wrong_{i}: Dashboard = {json.dumps(b)};" for i, b in enumerate(wrong.values())]
    wrong_lines += [f"export const wrong_panel_{i}: {_panel_type(p)} = {json.dumps(p)};"
                    for i, (_, p) in enumerate(bad_panels)]
    good = typescript(boards)
    assert len(good) > 40  # four dashboards and their typed panels
    errors = tsc(tmp_path, {"dashboards.ts": good, "wrong.ts": wrong_lines})
    assert {k: v for k, v in errors.items() if k[0] == "dashboards.ts"} == {}
    refused = {i for (file, i) in errors if file == "wrong.ts"}
    names = [*wrong, *(name for name, _ in bad_panels)]
    assert [n for i, n in enumerate(names) if i not in refused] == []


def test_the_sdk_s_variables_as_rendered_before_were_refused(tmp_path):
    """The near miss that the fix removed: grafana-foundation-sdk 11.6 writes `auto`, `auto_count` and
    `auto_min` on every variable; @grafana/schema's VariableModel has none of them, and the rendered
    dashboards now carry them on no variable."""
    boards = {uid: board for uid, (_, board) in dashboards.dashboards(make_settings("prod")).items()}
    assert [v["name"] for b in boards.values() for v in b["templating"]["list"]
            if {"auto", "auto_count", "auto_min"} & set(v)] == []
    sdk_style = copy.deepcopy(boards["kafka-application"])
    for v in sdk_style["templating"]["list"]:
        v.update(auto=False, auto_count=30, auto_min="10s")
    errors = tsc(tmp_path, {"sdk.ts": [f"export const sdk: Dashboard = {json.dumps(sdk_style)};"]})
    assert [e for msgs in errors.values() for e in msgs if "auto" in e], errors
