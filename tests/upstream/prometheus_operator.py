"""How prometheus-operator v0.77.1 turns a Prometheus resource's `remoteWrite[]` into prometheus.yml.

Read from the vendored sources (see README.md): the JSON names of RemoteWriteSpec, QueueConfig,
RelabelConfig and Sigv4 (pkg/apis/monitoring/v1/prometheus_types.go), and which native key each
field becomes (pkg/prometheus/promcfg.go generateRemoteWriteConfig and addSigv4ToYaml: each
`spec.<Field>` / `c.<Field>` / `sigv4.<Field>` written under a quoted key on the same line). The
operator also writes `remote_timeout` ("30s" unless set) and lower-cases the relabel action.
"""
from __future__ import annotations

import re

from tests.upstream import HERE, go_structs

FOLDER = "prometheus-operator-v0.77.1/"
TYPES = FOLDER + "pkg_apis_monitoring_v1_prometheus_types.go"
PROMCFG = HERE / FOLDER / "pkg_prometheus_promcfg.go"
DEFAULT_REMOTE_TIMEOUT = "30s"
# Written by the function itself under a key that names no field on its line.
CONTAINERS = {"WriteRelabelConfigs": "write_relabel_configs", "QueueConfig": "queue_config", "Sigv4": "sigv4"}


def _function(name: str) -> str:
    source = PROMCFG.read_text()
    start = source.index(f"func (cg *ConfigGenerator) {name}(")
    return source[start:source.index("\n}\n", start)]


def _fields(struct: str) -> dict[str, str]:
    """JSON name -> Go field name of one of the operator's structs."""
    text = (HERE / TYPES).read_text()
    body = text[text.index(f"type {struct} struct {{"):]
    body = body[:body.index("\n}\n")]
    return {json: field for field, json in re.findall(r'^\s*(\w+)\s+[^\s`]+\s+`json:"(\w+)', body, re.M)}


def _native(body: str, var: str) -> dict[str, str]:
    """Go field -> native key, for the lines that read `<var>.<Field>` and write a quoted key."""
    pairs = {}
    for line in body.splitlines():
        field = re.search(rf"\b{re.escape(var)}\.(\w+)(?![.\w])", line)  # not a field of a field
        key = re.search(r'"([a-z0-9_]+)"', line)
        if field and key and "Key:" in line or field and key and "AppendMapItem" in line:
            pairs[field.group(1)] = key.group(1)
    return pairs


def translation() -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Per struct: (JSON name -> Go field, Go field -> native key)."""
    rw = _function("generateRemoteWriteConfig")
    top = _native(rw, "spec")
    for field, key in CONTAINERS.items():
        assert f"spec.{field}" in rw and f'"{key}"' in PROMCFG.read_text(), field
        top[field] = key
    queue = {f.removeprefix("QueueConfig."): k for f, k in _native(rw, "spec.QueueConfig").items()}
    return {"RemoteWriteSpec": (_fields("RemoteWriteSpec"), top),
            "QueueConfig": (_fields("QueueConfig"), queue),
            "RelabelConfig": (_fields("RelabelConfig"), _native(rw, "c")),
            "Sigv4": (_fields("Sigv4"), _native(_function("addSigv4ToYaml"), "sigv4"))}


def generate(spec: dict) -> dict:
    """One `remoteWrite[]` item as the operator writes it into prometheus.yml. A JSON name the
    operator's struct does not have raises KeyError (the API server would prune it)."""
    t = translation()

    def convert(value: dict, struct: str) -> dict:
        names, native = t[struct]
        return {native[names[k]]: v for k, v in value.items()}

    out = {"remote_timeout": DEFAULT_REMOTE_TIMEOUT}
    for key, value in convert(spec, "RemoteWriteSpec").items():
        if key == "write_relabel_configs":
            value = [{**convert(r, "RelabelConfig"), **({"action": r["action"].lower()} if "action" in r else {})}
                     for r in value]
        elif key == "queue_config":
            value = convert(value, "QueueConfig")
        elif key == "sigv4":
            value = convert(value, "Sigv4")
        out[key] = value
    return out


def json_structs() -> dict:
    return go_structs(TYPES, tag="json")
