"""Upstream source files at the pinned versions (see README.md), and how the upstream reads them."""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

HERE = Path(__file__).parent


@functools.cache
def chart(name: str, version: str) -> tuple[dict, set[str]]:
    """A vendored chart's values.yaml and the `.Values` paths its templates name, parsed once per
    session (the readers here never change them)."""
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


def kafka_exporter() -> tuple[dict[str, str], set[str], set[str]]:
    """kafka_exporter v1.9.0's flags (name -> String, Strings, Bool or Int, from its toFlag*
    helpers), the SASL mechanisms NewExporter accepts (the cases of its mechanism switch) and the
    HTTP paths it serves besides the metrics path (http.HandleFunc)."""
    source = (HERE / "kafka_exporter-v1.9.0" / "kafka_exporter.go").read_text()
    paths = set(re.findall(r'http\.HandleFunc\("([^"]+)"', source))
    flags = {name: kind for kind, name in re.findall(r'^\s*(?:\w+\s*=\s*)?toFlag(\w+?)(?:Var)?\("([^"]+)"', source,
                                                     flags=re.M)}
    switch = source[source.index("switch opts.saslMechanism {"):]
    switch = switch[:switch.index("default:")]
    return flags, set(re.findall(r'case "([^"]+)":', switch)), paths


def helm_merged(defaults: dict, ours: dict) -> dict:
    """Helm's coalescing of user values over a chart's values.yaml: maps merge key by key, anything
    else (scalars, lists) replaces the default (helm pkg/chartutil/coalesce.go)."""
    merged = dict(defaults)
    for key, value in ours.items():
        merged[key] = helm_merged(defaults[key], value) if isinstance(value, dict) and isinstance(
            defaults.get(key), dict) else value
    return merged


def _truthy(values: dict, path: str) -> bool:
    node: object = values
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return bool(node)


def kube_prometheus_stack_renders(version: str, ours: dict) -> tuple[set[str], set[str]]:
    """(subcharts installed, default rule files rendered) by kube-prometheus-stack for our values:
    Chart.yaml's dependency conditions, and the `if` gate of each templates/prometheus/rules-1.14
    file (rule-gates.txt: file, then the .Values paths its gate requires, all truthy)."""
    folder = HERE / f"kube-prometheus-stack-{version}"
    defaults, _ = chart("kube-prometheus-stack", version)
    merged = helm_merged(defaults, ours)
    deps = yaml.safe_load((folder / "Chart.yaml").read_text())["dependencies"]
    subcharts = {d["name"] for d in deps if _truthy(merged, d["condition"])}
    gates = [line.split() for line in (folder / "rule-gates.txt").read_text().splitlines() if line.strip()]
    return subcharts, {g[0] for g in gates if all(_truthy(merged, p) for p in g[1:])}


_STRUCT = re.compile(r"^type (\w+) struct \{\n(.*?)^\}", re.S | re.M)
_NAMED = re.compile(r"^type (\w+) (?:= )?((?:map\[[\w.]+\]|\[\])?[\w.*]+)$", re.M)  # alias, map or slice type
_IMPORT = re.compile(r'^\s*(\w+) "([^"]+)"$', re.M)  # an import given its own name


def _qualified(kind: str, package: str, aliases: dict[str, str], declared: set[str]) -> str:
    """`kind` with its type named `package.Type`: a local type gets this file's package, an
    aliased import the package the alias stands for."""
    if not (parts := re.fullmatch(r"((?:map\[[\w.]+\]|[*\[\]])*)([\w.]+)", kind)):
        return kind  # interface{}
    prefix, name = parts.groups()
    if "." in name:
        qualifier, _, bare = name.partition(".")
        name = f"{aliases.get(qualifier, qualifier)}.{bare}"
    elif f"{package}.{name}" in declared:
        name = f"{package}.{name}"
    return prefix + name


def _package_of(path: str, files: dict[str, str]) -> str | None:
    """The package of the given file whose directory an import path ends with. Files are named
    by their path with `/` as `_`, so each prefix of that name is a candidate directory."""
    for file, package in files.items():
        parts = Path(file).name.split("_")[:-1]
        if any(path.endswith("/" + "/".join(parts[:k])) for k in range(len(parts), 0, -1)):
            return package
    return None


def go_structs(*files: str, tag: str = "mapstructure") -> dict[str, list[tuple[str, str]] | str]:
    """Type name -> [(key, field type)] from Go sources, by the struct tag a decoder reads:
    `mapstructure` (the collector's confmap, with ErrorUnused) or `yaml` (UnmarshalStrict). Each
    struct is named `package.Type`, and also `Type` (the last file's, where names repeat). An
    inlined (`,squash`, `,inline`) field's own keys count as the struct's: its key is ""; a
    `,remain` field takes every other key: its key is "*"; a `-` key is not settable. A map,
    slice or alias type maps to the type it stands for."""
    field = re.compile(rf"^\s*(?:(\w+)\s+)?([\w.*\[\]{{}}]+)\s+`[^`]*{tag}:\"([^\"]*)\"", re.M)
    texts = {name: (HERE / name).read_text() for name in files}
    packages = {name: re.search(r"^package (\w+)", text, re.M).group(1) for name, text in texts.items()}
    declared = {f"{packages[n]}.{t}" for n, text in texts.items() for t in re.findall(r"^type (\w+) ", text, re.M)}
    structs: dict[str, list[tuple[str, str]] | str] = {}
    for name, text in texts.items():
        package = packages[name]
        aliases = {alias: _package_of(path, packages) or alias for alias, path in _IMPORT.findall(text)}
        for struct, body in _STRUCT.findall(text):
            fields = []
            for _, kind, t in field.findall(body):
                key, options = t.split(",")[0], t.split(",")[1:]
                if key != "-":
                    key = "*" if "remain" in options else "" if {"squash", "inline"} & set(options) else key
                    fields.append((key, _qualified(kind, package, aliases, declared)))
            structs[f"{package}.{struct}"] = structs[struct] = fields
        for named, kind in _NAMED.findall(text):
            structs[f"{package}.{named}"] = structs[named] = _qualified(kind, package, aliases, declared)
    return structs


def _struct(kind: str) -> str:
    """The type a field type names; one from a package not given stays unknown (opaque)."""
    return kind.lstrip("*[]")


def _value_problems(item: object, kind: str, structs: dict, where: str) -> list[str]:
    kind = kind.lstrip("*")
    if kind.startswith("map[") and isinstance(item, dict):
        element = kind[kind.index("]") + 1:]
        return [p for k, v in item.items() for p in _value_problems(v, element, structs, f"{where}.{k}")]
    if kind.startswith("[]") and isinstance(item, list):
        return [p for i, e in enumerate(item) for p in _value_problems(e, kind[2:], structs, f"{where}[{i}]")]
    return go_config_problems(item, _struct(kind), structs, where)


def _flat(struct: str, structs: dict) -> tuple[dict[str, str], bool]:
    """A struct's keys, its inlined structs' keys among them (at any depth), and whether it also
    takes other keys: through a `,remain` field, or maybe through an inlined type from a file
    not given."""
    fields: dict[str, str] = {}
    takes_others = False
    for key, kind in structs[struct]:
        if key == "*":
            takes_others = True
        elif key:
            fields[key] = kind
        elif isinstance(structs.get(inner := _struct(kind)), list):
            inlined, others = _flat(inner, structs)
            fields, takes_others = {**inlined, **fields}, takes_others or others
        else:
            takes_others = True
    return fields, takes_others


def go_config_problems(value: object, struct: str, structs: dict, path: str = "") -> list[str]:
    """Keys of `value` that decoding into `struct` refuses ("has invalid keys", "field x not
    found"). A type from a file not given is opaque: its keys are not checked here."""
    if isinstance(structs.get(struct), str):
        return _value_problems(value, structs[struct], structs, path)
    if struct not in structs or not isinstance(value, dict):
        return []
    fields, takes_others = _flat(struct, structs)
    found = []
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        if key in fields:
            found += _value_problems(item, fields[key], structs, where)
        elif not takes_others:
            found.append(f"{where}: invalid key")
    return found


def fluent_bit_properties() -> dict[str, set[str]]:
    """Section kind (INPUT, OUTPUT, FILTER, SERVICE) or plugin name -> the properties Fluent Bit
    v3.1.9 accepts there, lower-cased (it compares property names case-insensitively and refuses
    any other at start-up: "unknown configuration property")."""
    out = {}
    for line in (HERE / "fluent-bit-v3.1.9" / "properties.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, props = line.partition(":")
            out[name] = {p.lower() for p in props.split()}
    return out  # "<section> booleans": the properties whose values flb_utils_bool reads
