"""Every data class holds together on the servers, read from what the program renders.

For each index a writer creates (Fluent Bit's rendered `es`/`opensearch` outputs: `Logstash_Prefix`
+ `Logstash_DateFormat`, Fluent Bit manual "Elasticsearch"/"OpenSearch" output; Jaeger's rendered
config: `IndexPrefix.Apply` + `jaeger-<kind>-` + `date_layout`, jaeger v2.5.0
internal/storage/elasticsearch/config/config.go), with the servers' rules:
- Elasticsearch applies the one matching composable template of highest priority (Elasticsearch
  reference, "Index templates"); its built-ins cover logs-*-*, metrics-*-*, synthetics-*-*.
- ILM attaches through the template's `index.lifecycle.name`; OpenSearch ISM through a policy's
  `ism_template` (highest priority wins, "Index State Management: ISM templates").
- OpenSearch keeps Jaeger's own templates when Jaeger creates them (`create_mappings`).
"""
from __future__ import annotations

import fnmatch
import re
from datetime import date

import pytest

from components.search_api import KINDS
from content import data_classes, retention
from harness.runtime import Run
from tests.conftest import make_settings

DAY = date(2026, 11, 30)
BUILT_IN = ["logs-*-*", "metrics-*-*", "synthetics-*-*"]
JAEGER_KINDS = ("span", "service", "dependencies", "sampling")


def _go_layout(layout: str) -> str:
    return DAY.strftime(layout.replace("2006", "%Y").replace("01", "%m").replace("02", "%d"))


def written_indices(run: Run) -> list[tuple[str, str, str]]:
    """(engine, index name, writer) for one day, from the rendered writer configurations."""
    indices = []
    for block in run.artifacts["fluent-bit/fluent-bit.conf"].split("[OUTPUT]")[1:]:
        keys = dict(re.findall(r"^\s+(\S+)\s+(.+?)\s*$", block, re.M))
        if keys["Name"] in ("es", "opensearch"):
            engine = {"es": "elasticsearch", "opensearch": "opensearch"}[keys["Name"]]
            if keys["Logstash_Format"] == "Off":  # an alias: the index it resolves to is its bootstrap index
                indices.append((engine, _alias_index(run, engine, keys["Index"]), "fluent-bit"))
                continue
            indices.append((engine, f"{keys['Logstash_Prefix']}-{DAY.strftime(keys['Logstash_DateFormat'])}",
                            "fluent-bit"))
    jaeger = run.artifacts["jaeger/config.yaml"]["extensions"]["jaeger_storage"]["backends"]["primary_store"]
    (engine, backend), = jaeger.items()
    for kind in JAEGER_KINDS:
        layout = backend["indices"][{"span": "spans", "service": "services"}.get(kind, kind)]["date_layout"]
        indices.append((engine, f"{backend['indices']['index_prefix']}-jaeger-{kind}-{_go_layout(layout)}", "jaeger"))
    return indices


def _alias_index(run: Run, engine: str, alias: str) -> str:
    """The write index behind a write alias the program creates: the index its create request names
    (components/search_api.py), which a server makes with the alias as its write index."""
    assert alias in _objects(run, engine, "write_alias"), f"no write alias {alias} is created"
    return KINDS[(engine, "write_alias")].write_path.format(id=alias).lstrip("/")


def _objects(run: Run, engine: str, kind: str) -> dict[str, dict]:
    return {r.inputs["object_id"]: r.inputs["body"] for r in run.of_type("pulumi-python:dynamic/search:RetentionObject")
            if r.inputs["engine"] == engine and r.inputs["kind"] == kind}


def _matching(patterns_by_id: dict[str, list[str]], index: str) -> list[str]:
    return [i for i, patterns in patterns_by_id.items() if any(fnmatch.fnmatch(index, p) for p in patterns)]


def _templates(run: Run, engine: str) -> dict[str, dict]:
    templates = dict(_objects(run, engine, "index_template"))
    jaeger = run.artifacts["jaeger/config.yaml"]["extensions"]["jaeger_storage"]["backends"]["primary_store"]
    (storage, backend), = jaeger.items()
    if storage == engine and backend.get("create_mappings"):  # Jaeger creates its own at startup
        prefix = backend["indices"]["index_prefix"]
        for kind in JAEGER_KINDS:
            templates[f"jaeger:{kind}"] = {"index_patterns": [f"{prefix}-jaeger-{kind}-*"], "priority": 0,
                                           "template": {"mappings": retention.JAEGER_MAPPINGS[kind]}}
    return templates


def _ends_in_deletion_ilm(policy: dict) -> bool:
    return "delete" in policy["policy"]["phases"]["delete"]["actions"]


def _ends_in_deletion_ism(policy: dict) -> bool:
    states = {st["name"]: st for st in policy["policy"]["states"]}
    seen, todo = set(), [policy["policy"]["default_state"]]
    while todo:  # bounded by the number of states
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if any("delete" in a for a in states[name]["actions"]):
            return True
        todo += [t["state_name"] for t in states[name]["transitions"]]
    return False


VARIANTS = {"es-traces": {}, "os-traces": {"traceStorage": "opensearch", "traceIndexPrefix": "traces"}}


@pytest.fixture(params=sorted(VARIANTS))
def variant(request) -> dict:
    return VARIANTS[request.param]


@pytest.fixture
def run(program, variant):
    return program("prod", **variant)


def test_every_written_index_matches_exactly_one_template_that_carries_its_writers_mappings(run):
    indices = written_indices(run)
    assert {w for _, _, w in indices} == {"fluent-bit", "jaeger"} and len(indices) == 6
    for engine, index, writer in indices:
        templates = _templates(run, engine)
        matching = _matching({i: t["index_patterns"] for i, t in templates.items()}, index)
        assert len(matching) == 1, (index, matching)
        assert not any(fnmatch.fnmatch(index, p) for p in BUILT_IN), index
        template = templates[matching[0]]
        if writer == "jaeger" and "-jaeger-span-" in index:
            assert template["template"]["mappings"]["properties"]["traceID"]["type"] == "keyword", index


def test_every_written_index_has_a_policy_that_ends_in_deletion_at_its_class_retention(run, variant):
    s = make_settings("prod", **variant)
    for engine, index, _ in written_indices(run):
        (c,) = [c for c in data_classes.CLASSES if any(fnmatch.fnmatch(index, p) for p in c.index_patterns(s))]
        if engine == "elasticsearch":
            templates = _templates(run, engine)
            (template_id,) = _matching({i: t["index_patterns"] for i, t in templates.items()}, index)
            name = templates[template_id]["template"]["settings"]["index.lifecycle.name"]
            policy = _objects(run, engine, "ilm_policy")[name]
            assert _ends_in_deletion_ilm(policy), index
            assert policy["policy"]["phases"]["delete"]["min_age"] == f"{c.retention_days(s)}d"
        else:
            policies = _objects(run, engine, "ism_policy")
            ism = {i: [p for t in b["policy"]["ism_template"] for p in t["index_patterns"]] for i, b in policies.items()}
            (name,) = _matching(ism, index)
            assert _ends_in_deletion_ism(policies[name]), index
            assert f"deleted after {c.retention_days(s)} days" in policies[name]["policy"]["description"]


def test_every_snapshot_is_deleted_by_a_policy_no_later_than_its_class_snapshot_retention(run, variant):
    s = make_settings("prod", **variant)
    slm = _objects(run, "elasticsearch", "slm_policy")
    sm = _objects(run, "opensearch", "sm_policy")
    assert set(slm) | set(sm) == {c.snapshot_policy for c in data_classes.CLASSES if c.snapshot_policy}
    for c in data_classes.CLASSES:
        if c.snapshot_policy in slm:
            days = slm[c.snapshot_policy]["retention"]["expire_after"]
        elif c.snapshot_policy in sm:
            days = sm[c.snapshot_policy]["deletion"]["condition"]["max_age"]
        else:
            continue
        assert int(days.rstrip("d")) <= c.snapshot_days(s), (c.key, days)
    # and no ISM policy snapshots anything itself (such snapshots are never deleted)
    for body in _objects(run, "opensearch", "ism_policy").values():
        assert not any("snapshot" in a for st in body["policy"]["states"] for a in st["actions"])
