"""Where Fluent Bit sends a record, for the plugins our pipeline uses, modelled from its docs.

Fluent Bit manual (v3): "Routing" (a Match pattern matches the whole tag, `*` any characters),
"Record Accessor" (`$key`, `$key['sub']['subsub']`), filters "Rewrite Tag" (a rule is exactly four space-separated words;
rules in order, the
first match wins; the regex is searched in the value; `$TAG` expands to the record's tag; KEEP
false drops the original; the new record re-enters the pipeline through an emitter input, so it
meets every filter matching the new tag), "Grep" (Regex KEY REGEX keeps records whose key matches;
a missing key does not match), "Record Modifier" (adds fields), "Kubernetes" (enriches; modelled
as the identity: the sample records carry its fields already).
"""
from __future__ import annotations

import fnmatch
import re
from typing import Any

Section = tuple[str, list[tuple[str, str]]]


def _get(record: dict, accessor: str) -> Any:
    path = re.findall(r"\['([^']+)'\]", accessor)
    head = accessor.lstrip("$").split("[", 1)[0]
    value: Any = record.get(head)
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _matches(pattern: str, tag: str) -> bool:
    return fnmatch.fnmatchcase(tag, pattern)


def route(sections: list[Section], tag: str, record: dict, depth: int = 0) -> list[tuple[str, str, dict]]:
    """(output name, final tag, record) for every output the record reaches."""
    assert depth < 5, "rewrite_tag loop"
    record = dict(record)
    for name, entries in sections:
        if name != "FILTER":
            continue
        opts = dict(entries)
        if not _matches(opts["Match"], tag):
            continue
        if opts["Name"] == "rewrite_tag":
            for key, value in entries:
                if key != "Rule":
                    continue
                accessor, regex, new_tag, keep = value.split(" ")  # more or fewer words: a broken rule
                field = _get(record, accessor)
                if field is not None and re.search(regex, str(field)):
                    emitted = route(sections, new_tag.replace("$TAG", tag), record, depth + 1)
                    if keep == "false":
                        return emitted
                    break
        elif opts["Name"] == "grep":
            key, regex = opts["Regex"].split(" ", 1)
            value = _get(record, f"${key}")
            if value is None or not re.search(regex, str(value)):
                return []
        elif opts["Name"] == "record_modifier":
            for key, value in entries:
                if key == "Record":
                    field, field_value = value.split(" ", 1)
                    record[field] = field_value
    return [(dict(e)["Name"], tag, record) for n, e in sections if n == "OUTPUT" and _matches(dict(e)["Match"], tag)]
