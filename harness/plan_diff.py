"""scripts/plan-diff BASE_REF: every stack's plan diff between a git ref and the working tree, as Markdown.

Survives added, deleted and failing stacks and always closes its Markdown. DANGER lines come first:
a protected or data-holding resource deleted or replaced (a rename without an alias is a delete), a
retention cut, a lock weakened or removed, replication switched off; grouped by cause (the setting
that changed, or what forced the change), each cause's resources under it. A `## DANGER` section
with one line per cause closes stdout, so a CI job summary carries it.
Exit 0: done. 1: a stack of the working tree failed to preview. 4: DANGER found (unless
--accept-danger). 3: a usage or git error.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
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
    replication switched off: one line per resource or fact."""
    return [item.line for item in _danger_items(old, new, diff)]


@dataclass(frozen=True)
class _Item:
    line: str        # "DANGER: protected resource <key> would be replaced (bucket changed)"
    noun: str        # what it is, for the group's count: "bucket", "bucket setting", "lock"
    verb: str        # what happens to it: "replaces", "deletes", "cuts", "weakens", "removes"
    reason: str      # without a setting to name: "`bucket` changed", "deleted"
    before: str      # the text that changed, before and after (what a setting's value is looked for in)
    after: str


def _noun(type_: str) -> str:
    if type_ == "aws:s3/bucket:Bucket":
        return "bucket"
    if type_ == "aws:kms/key:Key":
        return "KMS key"
    if type_.startswith("aws:s3/bucket"):
        return "bucket setting"  # lock, policy, versioning...: bound to their bucket
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type_.rpartition(":")[2]).lower()
    return words or type_


def _danger_items(old: dict, new: dict, diff: dict) -> list[_Item]:
    before = {plans._key(r): r for r in old["resources"]}
    after = {plans._key(r): r for r in new["resources"]}
    renamed = diff.get("renamed") or {}
    found = []
    for key in diff["removed"]:
        r = before[key]
        if r["protect"] or r["type"] in DATA_TYPES:
            what = "protected resource" if r["protect"] else "data resource"
            gone_to = after.get(renamed.get(key, ""), {"name": ""})
            found.append(_Item(f"DANGER: {what} {key} would be deleted", _noun(r["type"]), "deletes",
                               "renamed without an alias" if key in renamed else "deleted",
                               r["name"] + " " + json.dumps(r["inputs"], sort_keys=True), gone_to["name"]))
    for key, paths in diff.get("replaced", {}).items():
        r = before[key]
        if r["protect"] or r["type"] in DATA_TYPES:
            what = "protected resource" if r["protect"] else "data resource"
            values = [(meaning._get(r["inputs"], p), meaning._get(after[key]["inputs"], p)) for p in paths]
            found.append(_Item(f"DANGER: {what} {key} would be replaced ({', '.join(paths)} changed)",
                               _noun(r["type"]), "replaces", " and ".join(f"`{p}`" for p in paths) + " changed",
                               json.dumps([v[0] for v in values]), json.dumps([v[1] for v in values])))
    for line in meaning.weakened(old, new):
        kind, _, rest = line.partition(": ")
        fact, _, change = rest.partition(": ")
        was, _, now = change.partition(" → ")
        noun, verb = {"retention cut": ("retention", "cuts"), "lock weakened": ("lock", "weakens")}.get(
            kind, (kind.split()[0], "removes"))
        found.append(_Item(f"DANGER: {line}", noun, verb, kind, f"{fact} {was}", f"{fact} {now}" if now else ""))
    return found


def _mentions(text: str, value: str) -> bool:
    """`value` appears in `text` as a whole word or number (a digit inside a longer number does not count)."""
    if (len(value) < 3 and not value.isdigit()) or value in ("true", "false"):
        return False  # a switch's value is in every other input: it names nothing
    return re.search(rf"(?<![\w.]){re.escape(value)}(?![0-9])", text) is not None if value[:1].isdigit() \
        else value in text


def _causes(item: _Item, changed: dict[str, tuple[str, str]]) -> tuple[str, ...]:
    """The changed settings whose old value the item's old text holds, and whose new value its new
    text holds (or that has nothing new: it went)."""
    return tuple(name for name, (was, now) in changed.items()
                 if was and _mentions(item.before, was) and (not item.after or (now and _mentions(item.after, now))))


def _plural(n: int, noun: str) -> str:
    """"2 buckets", "2 aliases", "3 role policies" (a reviewer reads the count of each kind)."""
    if n == 1:
        return f"{n} {noun}"
    if noun.endswith("s"):
        return f"{n} {noun}es"
    if re.search(r"[^aeiou]y$", noun):  # "policy", not "key"
        return f"{n} {noun[:-1]}ies"
    return f"{n} {noun}s"


def danger_groups(old: dict, new: dict, diff: dict) -> list[tuple[str, list[str]]]:
    """DANGER by cause: (summary, the per-resource lines under it). A cause is the settings that
    changed and whose values the dangerous changes carry (plan.json's `settings`), or else what
    forced them ("`bucket` changed"). A cause with one item is that item's line alone."""
    a, b = old.get("settings") or {}, new.get("settings") or {}
    changed = {k: (str(a.get(k, "")), str(b.get(k, ""))) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
    items = _danger_items(old, new, diff)
    causes = {id(item): _causes(item, changed) for item in items}
    # What no value explains (a switch turned off) is the doing of the one setting that explains
    # nothing else, if there is exactly one; with several, nothing is guessed.
    idle = [name for name in changed if not any(name in c for c in causes.values())]
    groups: dict[tuple, list[_Item]] = {}
    for item in items:
        cause = causes[id(item)] or (tuple(idle) if len(idle) == 1 else ())
        groups.setdefault(("settings", cause) if cause else ("reason", item.reason, item.verb), []).append(item)
    result = []
    for cause, items in groups.items():
        if len(items) == 1:
            result.append((items[0].line, []))
            continue
        by_effect: dict[str, Counter] = {}
        for item in items:
            by_effect.setdefault(item.verb, Counter())[item.noun] += 1
        effects = "; ".join(f"{verb} " + ", ".join(_plural(n, noun) for noun, n in sorted(
            nouns.items(), key=lambda kv: (kv[0] not in ("bucket", "KMS key"), -kv[1], kv[0])))
            for verb, nouns in by_effect.items())
        if cause[0] == "settings":
            who = " and ".join(f"`{name}`" for name in cause[1])
            summary = f"DANGER: {who} change {effects}"
        else:
            summary = f"DANGER: {cause[1]}: {effects}"
        result.append((summary, [item.line.removeprefix("DANGER: ") for item in items]))
    return result


def format_dangers(groups: list[tuple[str, list[str]]]) -> list[str]:
    """Each cause's summary, with its resources under it."""
    return [line for summary, details in groups for line in [summary, *(f"    {d}" for d in details)]]


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
        groups = danger_groups(base[0], head[0], diff) + [(line, []) for line in capacity_danger]
        danger = [summary for summary, _ in groups]
        lines += format_dangers(groups) + capacity + plans.format_diff(diff).splitlines()
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
        # On stdout, which CI appends to the job summary; stderr says only that there is DANGER.
        try:
            print("\n".join(["", "## DANGER", *(f"- {d}" for d in all_danger)]), flush=True)  # a Markdown list
        except BrokenPipeError:
            pass
        print(f"scripts/plan-diff: DANGER in {len(all_danger)} place(s); see ## DANGER", file=sys.stderr)
    if any_failed:
        return 1
    return 4 if all_danger and not args.accept_danger else 0


if __name__ == "__main__":
    sys.exit(main())
