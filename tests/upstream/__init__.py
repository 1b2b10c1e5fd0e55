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


def go_structs(*files: str, tag: str = "mapstructure") -> dict[str, list[tuple[str, str]]]:
    """Struct name -> [(key, field type)] from Go sources, by the struct tag a decoder reads:
    `mapstructure` (the collector's confmap, with ErrorUnused) or `yaml` (UnmarshalStrict). An
    inlined (`,squash`, `,inline`) field's own keys count as the struct's: its key is ""; a `-`
    key is not settable."""
    field = re.compile(rf"^\s*(?:(\w+)\s+)?([\w.*\[\]]+)\s+`[^`]*{tag}:\"([^\"]*)\"", re.M)
    structs: dict[str, list[tuple[str, str]]] = {}
    for name in files:
        for struct, body in _STRUCT.findall((HERE / name).read_text()):
            structs[struct] = [("" if re.search(r",(squash|inline)", t) else t.split(",")[0], kind)
                               for _, kind, t in field.findall(body) if t.split(",")[0] != "-"]
    return structs


def _struct(kind: str, structs: dict) -> str:
    """The struct a field type names: `pkg.Type` where given so, else `Type`."""
    name = kind.lstrip("*[]")
    return name if name in structs else name.split(".")[-1]


def go_config_problems(value: object, struct: str, structs: dict, path: str = "") -> list[str]:
    """Keys of `value` that decoding into `struct` refuses ("has invalid keys", "field x not
    found"). A struct from a file not given is opaque: its keys are not checked here."""
    if struct not in structs or not isinstance(value, dict):
        return []
    fields = {key: kind for key, kind in structs[struct] if key}
    inlined = [_struct(kind, structs) for key, kind in structs[struct] if not key]
    found = []
    for key, item in value.items():
        where = f"{path}.{key}" if path else key
        inner = [i for i in inlined if key in dict(structs.get(i, []))]
        if key not in fields and not inner:
            if any(i not in structs for i in inlined):
                continue  # may belong to an opaque inlined struct
            found.append(f"{where}: invalid key")
            continue
        kind = fields.get(key) or dict(structs[inner[0]])[key]
        if kind.startswith("map[string]"):
            element = _struct(kind.removeprefix("map[string]"), structs)
            for k, v in (item or {}).items():
                found += go_config_problems(v, element, structs, f"{where}.{k}")
        elif kind.startswith("[]") and isinstance(item, list):
            for i, element in enumerate(item):
                found += go_config_problems(element, _struct(kind, structs), structs, f"{where}[{i}]")
        else:
            found += go_config_problems(item, _struct(kind, structs), structs, where)
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
