"""Upstream source files at the pinned versions (see README.md), and how the upstream reads them."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

HERE = Path(__file__).parent


def chart(name: str, version: str) -> tuple[dict, set[str]]:
    """A vendored chart's values.yaml and the `.Values` paths its templates name."""
    folder = HERE / f"{name}-{version}"
    return (yaml.safe_load((folder / "values.yaml").read_text()),
            set((folder / "template-values.txt").read_text().split()))


def chart_problems(ours: dict, defaults: dict, read: set[str], path: str = "") -> list[str]:
    """Keys of ours the chart would ignore: Helm passes any key, and a chart reads only what its
    templates name. A key is read where values.yaml declares it or a template reads it (or reads
    below it); under a key that values.yaml declares as a non-empty map, each child is checked,
    unless a template takes that map whole and nothing below it (`toYaml .Values.config`)."""
    found = []
    for key, value in ours.items():
        p = f"{path}.{key}" if path else key
        default = defaults.get(key) if isinstance(defaults, dict) else None
        whole = p in read and not any(r.startswith(p + ".") for r in read)
        if isinstance(value, dict) and isinstance(default, dict) and default and not whole:
            found += chart_problems(value, default, read, p)
        elif not (isinstance(defaults, dict) and key in defaults) and p not in read and not any(
                r.startswith(p + ".") for r in read):
            found.append(p)
    return found


def kafka_exporter() -> tuple[dict[str, str], set[str]]:
    """kafka_exporter v1.9.0's flags (name -> String, Strings, Bool or Int, from its toFlag*
    helpers) and the SASL mechanisms NewExporter accepts (the cases of its mechanism switch)."""
    source = (HERE / "kafka_exporter-v1.9.0" / "kafka_exporter.go").read_text()
    flags = {name: kind for kind, name in re.findall(r'^\s*(?:\w+\s*=\s*)?toFlag(\w+?)(?:Var)?\("([^"]+)"', source,
                                                     flags=re.M)}
    switch = source[source.index("switch opts.saslMechanism {"):]
    switch = switch[:switch.index("default:")]
    return flags, set(re.findall(r'case "([^"]+)":', switch))
