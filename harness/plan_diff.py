"""scripts/plan-diff BASE_REF: every stack's plan diff between a git ref and the working tree, as Markdown.

Survives added, deleted and failing stacks and always closes its Markdown. DANGER lines come first:
a protected or data-holding resource deleted or replaced (a rename without an alias is a delete), a
retention cut, a lock weakened or removed, replication switched off.
Exit 0: done. 1: a stack of the working tree failed to preview. 4: DANGER found (unless
--accept-danger). 3: a usage or git error.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import capacity_report, meaning
from harness import plan as plans
from harness.runtime import ROOT


def _stacks(tree: Path) -> set[str]:
    return {p.name[len("Pulumi."):-len(".yaml")] for p in tree.glob("Pulumi.*.yaml")}


PREVIEW_TIMEOUT_S = 600  # one stack's preview; a hung one is reported as failed, not waited for


def _preview(tree: Path, stack: str, out: Path) -> tuple[dict | None, str]:
    """(plan or None, what went wrong): scripts/preview of `tree`, with this checkout's venv."""
    env = {**os.environ, "VENV": os.environ.get("VENV", str(ROOT / "venv"))}
    try:
        proc = subprocess.run([str(tree / "scripts" / "preview"), stack, "--out", str(out)], cwd=tree, env=env,
                              capture_output=True, text=True, timeout=PREVIEW_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, f"no answer within {PREVIEW_TIMEOUT_S} s"
    if proc.returncode not in (0, 1) or not (out / "plan.json").is_file():
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return None, f"exit {proc.returncode}: " + " / ".join(lines[-3:])
    plan = json.loads((out / "plan.json").read_text())
    plan["capacity"] = capacity_report.load(out)  # compared apart from the resources (report)
    return plan, ""


# Resources that hold data: replacing one empties it (a new bucket, a new key that cannot decrypt the old data).
DATA_TYPES = ("aws:s3/bucket:Bucket", "aws:kms/key:Key")


def dangers(old: dict, new: dict, diff: dict) -> list[str]:
    """A protected or data-holding resource deleted or replaced, a retention cut, a lock weakened or removed,
    replication switched off."""
    before = {plans._key(r): r for r in old["resources"]}
    found = []
    for key in diff["removed"]:
        if before[key]["protect"] or before[key]["type"] in DATA_TYPES:
            what = "protected resource" if before[key]["protect"] else "data resource"
            found.append(f"DANGER: {what} {key} would be deleted")
    for key, paths in diff.get("replaced", {}).items():
        if before[key]["protect"] or before[key]["type"] in DATA_TYPES:
            what = "protected resource" if before[key]["protect"] else "data resource"
            found.append(f"DANGER: {what} {key} would be replaced ({', '.join(paths)} changed)")
    found += [f"DANGER: {line}" for line in meaning.weakened(old, new)]
    return found


def report(stack: str, base: tuple[dict | None, str] | None, head: tuple[dict | None, str] | None
           ) -> tuple[list[str], bool, list[str]]:
    """(Markdown lines, head failed, DANGER lines) for one stack."""
    lines = [f"### {stack}", "```"]
    failed, danger = False, []
    if head is None:
        lines.append("stack deleted in this change: its resources are no longer previewed here")
    elif head[0] is None:
        failed = True
        lines.append(f"FAILED to preview: {head[1]}")
    elif base is None:
        lines.append(f"new stack: {len(head[0]['resources'])} resources")
    elif base[0] is None:
        lines.append(f"base failed to preview ({base[1]}): no diff; the change previews "
                     f"{len(head[0]['resources'])} resources")
    else:
        diff = plans.diff(base[0], head[0])
        capacity, capacity_danger = capacity_report.compare(base[0].get("capacity"), head[0].get("capacity"))
        danger = dangers(base[0], head[0], diff) + capacity_danger
        lines += danger + capacity + plans.format_diff(diff).splitlines()
    lines.append("```")
    if head is not None and head[0] is not None and head[0].get("capacity"):
        lines.append(capacity_report.markdown(head[0]["capacity"]))
    return lines, failed, danger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/plan-diff", description=__doc__.splitlines()[0])
    parser.add_argument("base_ref")
    parser.add_argument("--accept-danger", action="store_true", help="exit 0 even when DANGER is found")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base_tree = Path(tmp) / "base"
        proc = subprocess.run(["git", "worktree", "add", "--detach", str(base_tree), args.base_ref], cwd=ROOT,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"scripts/plan-diff: cannot check out {args.base_ref}: {proc.stderr.strip()}", file=sys.stderr)
            return 3
        try:
            any_failed, all_danger = False, []
            for stack in sorted(_stacks(ROOT) | _stacks(base_tree)):
                base = _preview(base_tree, stack, Path(tmp) / f"base-{stack}") if stack in _stacks(base_tree) else None
                head = _preview(ROOT, stack, Path(tmp) / f"head-{stack}") if stack in _stacks(ROOT) else None
                lines, failed, danger = report(stack, base, head)
                any_failed |= failed
                all_danger += [f"{stack}: {d}" for d in danger]
                try:
                    print("\n".join(lines), flush=True)
                except BrokenPipeError:  # a reader that stops early (head) is not our failure
                    sys.stdout = open(os.devnull, "w")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, capture_output=True)
    if all_danger:
        print("\n".join(["", "## DANGER", *all_danger]), file=sys.stderr)
    if any_failed:
        return 1
    return 4 if all_danger and not args.accept_danger else 0


if __name__ == "__main__":
    sys.exit(main())
