"""plan.json: what the engine would be asked to create, and the diff between two plans."""
from __future__ import annotations

from collections import Counter
from typing import Any

from harness.runtime import Run


def plan(run: Run) -> dict[str, Any]:
    return {
        "stack": run.stack,
        "resources": [
            {"type": r.type, "name": r.name, "parent": r.parent, "inputs": r.inputs,
             "protect": r.protect, "retain_on_delete": r.retain_on_delete, "depends_on": r.dependencies,
             "aliases": r.aliases}
            for r in run.resources
        ],
        "outputs": run.outputs,
    }


def _key(resource: dict) -> str:
    return f"{resource['type']}::{resource['name']}"


def _changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        paths = []
        for k in sorted(set(old) | set(new), key=str):
            paths += _changed_paths(old.get(k), new.get(k), f"{path}.{k}" if path else str(k))
        return paths
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        paths = []
        for i, (a, b) in enumerate(zip(old, new)):
            paths += _changed_paths(a, b, f"{path}[{i}]")
        return paths
    return [] if old == new else [path or "(root)"]


def diff(old: dict, new: dict) -> dict[str, Any]:
    """Added, removed and changed resources; changes list the input paths and options that differ."""
    before = {_key(r): r for r in old["resources"]}
    after = {_key(r): r for r in new["resources"]}
    # A resource renamed with an alias is the same resource to the engine: compare it, don't add/remove.
    for key, r in list(after.items()):
        for alias in r.get("aliases") or []:
            old_key = f"{r['type']}::{alias}"
            if old_key in before and key not in before:
                before[key] = before.pop(old_key)
    changed = {}
    for key in sorted(set(before) & set(after)):
        a, b = before[key], after[key]
        paths = _changed_paths(a["inputs"], b["inputs"])
        paths += [opt for opt in ("protect", "retain_on_delete", "parent") if a[opt] != b[opt]]
        if paths:
            changed[key] = paths
    return {"added": sorted(set(after) - set(before)), "removed": sorted(set(before) - set(after)),
            "changed": changed}


def format_diff(d: dict[str, Any]) -> str:
    lines = [f"+ {k}" for k in d["added"]] + [f"- {k}" for k in d["removed"]]
    for key, paths in d["changed"].items():
        lines.append(f"~ {key}")
        lines += [f"    {p}" for p in paths]
    total = f"{len(d['added'])} to add, {len(d['changed'])} to change, {len(d['removed'])} to delete"
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
