"""Reviewed equivalent mutants (docs/mutation-equivalents.md): which are still the mutant reviewed.

Each line is ``- `name` [digest]: reason``. mutmut names a mutant by its function and its number
in that function, so once the function changes, a name can point to another mutant. The digest is
the first 12 hex digits of the SHA-256 of the mutant's diff as mutmut prints it, taken when the
mutant was reviewed (`scripts/mutation AREA --report-only --stamp`). Where today's diff has the same digest the
mutant is the one reviewed: it is left out of the run (it cannot be killed, and a survivor runs
every test that judges it, 5 to 7 s) and counted as equivalent. Where the digest differs, or there
is none, the mutant runs like any other and, if it survives, is listed for review again.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

LINE = re.compile(r"^- `([\w.]+)`(?: \[([0-9a-f]{12})\])?: (.+)$", flags=re.M)


@dataclass(frozen=True)
class Equivalent:
    reason: str
    digest: str | None


def digest(diff: str) -> str:
    return hashlib.sha256(diff.strip().encode()).hexdigest()[:12]


def read(path: Path) -> dict[str, Equivalent]:
    if not path.exists():
        return {}
    return {name: Equivalent(reason, stamp or None) for name, stamp, reason in LINE.findall(path.read_text())}


def confirmed(listed: dict[str, Equivalent], diffs: dict[str, str]) -> set[str]:
    """The listed mutants whose diff today is the one reviewed."""
    return {n for n, e in listed.items() if e.digest and n in diffs and digest(diffs[n]) == e.digest}


def stamp(path: Path, diffs: dict[str, str]) -> int:
    """Write today's digest on the lines of these mutants (reviewed now); returns how many changed."""
    changed = 0

    def line(match: re.Match) -> str:
        nonlocal changed
        name, old, reason = match.groups()
        if name not in diffs or old == digest(diffs[name]):
            return match.group(0)
        changed += 1
        return f"- `{name}` [{digest(diffs[name])}]: {reason}"

    path.write_text(LINE.sub(line, path.read_text()))
    return changed
