"""plan.json: what the engine would be asked to create, and the diff between two plans."""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

from harness import meaning
from harness.runtime import Run


def plan(run: Run) -> dict[str, Any]:
    route = run.artifacts.get("alertmanager/alertmanager.yml")
    return {
        "stack": run.stack,
        "resources": [
            {"type": r.type, "name": r.name, "parent": r.parent, "inputs": r.inputs,
             "protect": r.protect, "retain_on_delete": r.retain_on_delete, "depends_on": r.dependencies,
             "aliases": r.aliases, "provider": r.provider}
            for r in run.resources
        ],
        "outputs": run.outputs,
        "settings": run.settings,  # non-secret settings only, as the program read them
        # Alertmanager's routing tree (plain data: receivers read their credentials from files).
        "alertmanager_route": route.get("route") if isinstance(route, dict) else None,
    }


def _key(resource: dict) -> str:
    return f"{resource['type']}::{resource['name']}"


def _changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        paths = []
        for k in sorted(set(old) | set(new), key=str):
            paths += _changed_paths(old.get(k), new.get(k), f"{path}.{k}" if path else str(k))
        return paths
    if isinstance(old, list) and isinstance(new, list):
        paths = []
        for i, (a, b) in enumerate(zip(old, new)):
            paths += _changed_paths(a, b, f"{path}[{i}]")
        paths += [f"{path}[{i}]" for i in range(min(len(old), len(new)), max(len(old), len(new)))]
        return paths
    return [] if old == new else [path or "(root)"]


def diff(old: dict, new: dict) -> dict[str, Any]:
    """Added, removed, updated and replaced resources (with the input paths and options that differ),
    renames without an alias, and the stack outputs that changed."""
    before = {_key(r): r for r in old["resources"]}
    after = {_key(r): r for r in new["resources"]}
    # A resource renamed with an alias is the same resource to the engine: compare it, don't add/remove.
    for key, r in list(after.items()):
        for alias in r.get("aliases") or []:
            old_key = f"{r['type']}::{alias}"
            if old_key in before and key not in before:
                before[key] = before.pop(old_key)
    changed, replaced = {}, {}
    for key in sorted(set(before) & set(after)):
        a, b = before[key], after[key]
        paths = _changed_paths(a["inputs"], b["inputs"])
        paths += [opt for opt in ("protect", "retain_on_delete", "parent", "provider") if a.get(opt) != b.get(opt)]
        if not paths:
            continue
        forced = meaning.replaced_by(b["type"], a["inputs"], b["inputs"])
        (replaced if forced else changed)[key] = forced if forced else paths
    added, removed = sorted(set(after) - set(before)), sorted(set(before) - set(after))
    # Without an alias, a new name is a new resource: the engine deletes the old one.
    renamed = {o: n for o in removed for n in added
               if before[o]["type"] == after[n]["type"] and before[o]["inputs"] == after[n]["inputs"]}
    out_a, out_b = old.get("outputs") or {}, new.get("outputs") or {}
    outputs = {k: (out_a.get(k), out_b.get(k)) for k in sorted(set(out_a) | set(out_b)) if out_a.get(k) != out_b.get(k)}
    return {"added": added, "removed": removed, "changed": changed, "replaced": replaced, "renamed": renamed,
            "outputs": outputs, "meaning": meaning.fact_diff(old, new)}


def _output(value: Any) -> str:
    return "(absent)" if value is None else json.dumps(value, sort_keys=True)


def format_diff(d: dict[str, Any]) -> str:
    lines = []
    if d.get("meaning"):
        lines += ["what changes:"] + [f"  {line}" for line in d["meaning"]] + [""]
    lines += [f"+ create  {k}" for k in d["added"]]
    lines += [f"- delete  {k}" + (f"  (renamed to {d['renamed'][k].split('::')[1]} without an alias)"
                                  if k in d.get("renamed", {}) else "") for k in d["removed"]]
    for key, paths in d.get("replaced", {}).items():
        lines.append(f"+- replace {key}  (because {', '.join(paths)} changed)")
    for key, paths in d["changed"].items():
        lines.append(f"~ update  {key}")
        lines += [f"    {p}" for p in paths]
    if d.get("outputs"):
        lines += ["", "outputs (the contract other stacks read):"]
        lines += [f"  {k}: {_output(a)} → {_output(b)}" for k, (a, b) in d["outputs"].items()]
    total = (f"{len(d['added'])} to create, {len(d['changed'])} to update, {len(d.get('replaced', {}))} to replace, "
             f"{len(d['removed'])} to delete")
    return "\n".join(lines + [total])


def summary(run: Run) -> str:
    """Resources by component (children of the top-level component) and by type, with the total."""
    by_urn = {r.urn: r for r in run.resources}
    roots = [r for r in run.resources if r.parent not in by_urn]

    def component_of(r) -> str:
        while r.parent in by_urn and by_urn[r.parent] not in roots:
            r = by_urn[r.parent]
        return r.name

    by_component = Counter(component_of(r) for r in run.resources)
    by_type = Counter(r.type for r in run.resources)
    width = max(map(len, list(by_component) + list(by_type)), default=10)
    lines = [f"stack {run.stack}: {len(run.resources)} resources", "", "by component:"]
    lines += [f"  {k:<{width}}  {n:>4}" for k, n in sorted(by_component.items())]
    lines += ["", "by type:"] + [f"  {k:<{width}}  {n:>4}" for k, n in sorted(by_type.items())]
    return "\n".join(lines)
