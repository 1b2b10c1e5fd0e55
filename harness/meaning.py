"""What a plan means to a reviewer: alerts, retention, locks, routes and dashboards as named facts,
and which resource changes the engine would carry out as a replacement.

`facts(plan)` maps a stable, readable key ("alert KafkaOfflinePartitions") to a short value
("`> 0` for 1m, critical"); diffing two plans' facts gives the lines a reviewer reads.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterator

from components.search_provider import REPLACE_ON as RETENTION_REPLACE_ON
from components.views_provider import REPLACE_ON as VIEWS_REPLACE_ON

# Inputs whose change makes the engine replace the resource (delete and create), per type, from each
# provider's schema: pulumi-aws 7 bridges terraform-provider-aws, whose `ForceNew` arguments are
# documented as "(Forces new resource)"; every S3 bucket sub-resource is bound to its `bucket`; the
# resource-level `region` of pulumi-aws 7 moves a resource to another region. pulumi-kubernetes
# replaces an object whose `metadata.name` or `metadata.namespace` changes, and a Helm release
# whose `name` or `namespace` changes. pulumiverse-grafana bridges terraform-provider-grafana, where
# `org_id` (and a folder's `uid`) force a new resource. Our dynamic provider declares its own.
_BUCKET_CHILD = ("bucket", "expectedBucketOwner", "region")
_K8S = ("metadata.name", "metadata.namespace")
REPLACE_ON: dict[str, tuple[str, ...]] = {
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "objectLockEnabled", "region"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keySpec", "keyUsage", "customKeyStoreId", "multiRegion",
                        "xksKeyId", "region"),
    "aws:kms/alias:Alias": ("name", "namePrefix", "region"),
    "aws:kms/keyPolicy:KeyPolicy": ("keyId", "region"),
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "namePrefix", "role"),
    "kubernetes:helm.sh/v3:Release": ("name", "namespace"),
    "grafana:oss/folder:Folder": ("orgId", "uid"),
    "grafana:oss/dashboard:Dashboard": ("orgId",),
    "grafana:oss/dataSource:DataSource": ("orgId",),
    "grafana:oss/folderPermission:FolderPermission": ("orgId", "folderUid"),
    "pulumi-python:dynamic/search:RetentionObject": tuple(RETENTION_REPLACE_ON),
    "pulumi-python:dynamic/search:SavedView": tuple(VIEWS_REPLACE_ON),
    "pulumi-python:dynamic/grafana:GrafanaPlugin": ("url", "plugin_id"),
    # A provider pointed at another cluster replaces every object it manages (pulumi-kubernetes
    # DiffConfig); the Grafana provider's settings change in place.
    "pulumi:providers:kubernetes": ("context", "cluster", "kubeconfig"),
    "pulumi:providers:grafana": (),
}


def known(type_: str) -> bool:
    """Whether this module knows what forces a replacement of the type."""
    return type_ in REPLACE_ON or bool(replace_paths(type_))


def replace_paths(type_: str) -> tuple[str, ...]:
    if type_ in REPLACE_ON:
        return REPLACE_ON[type_]
    if type_.startswith("aws:s3/bucket"):
        return _BUCKET_CHILD
    if type_.startswith("kubernetes:"):
        return _K8S
    return ()


def _get(inputs: dict, path: str) -> Any:
    for part in path.split("."):
        inputs = inputs.get(part) if isinstance(inputs, dict) else None
    return inputs


def replaced_by(type_: str, old: dict, new: dict) -> list[str]:
    """The inputs, of those that force replacement, that differ between two versions."""
    return [p for p in replace_paths(type_) if _get(old, p) != _get(new, p)]


# --- facts --------------------------------------------------------------------------------------

_COMPARISON = re.compile(r"\s*(>=|<=|==|!=|>|<)\s*(-?[0-9.e+]+)\s*\)*\s*$")


def _num(value: Any) -> str:
    """The engine hands numbers over as floats: 2557.0 reads as 2557."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _alert(rule: dict) -> tuple[str, str]:
    """(threshold, duration and severity; the query without its threshold, as a digest)."""
    expr = " ".join(str(rule.get("expr", "")).split())
    match = _COMPARISON.search(expr)
    query = expr[:match.start()] if match else expr
    condition = f"`{match.group(1)} {match.group(2)}`" if match else "no threshold"
    severity = (rule.get("labels") or {}).get("severity", "no severity")
    return f"{condition} for {rule.get('for', '0s')}, {severity}", _digest(query)


def _rules(plan: dict) -> Iterator[tuple[str, str]]:
    for r in plan["resources"]:
        if r["type"] != "kubernetes:monitoring.coreos.com/v1:PrometheusRule":
            continue
        for group in (r["inputs"].get("spec") or {}).get("groups", []):
            for rule in group.get("rules", []):
                if "alert" in rule:
                    condition, query = _alert(rule)
                    yield f"alert {rule['alert']}", condition
                    yield f"alert {rule['alert']} query", query
                else:
                    yield f"recording rule {rule['record']}", f"query {_digest(' '.join(rule['expr'].split()))}"


def _ism_delete_age(policy: dict) -> str | None:
    states = {s["name"]: s for s in policy.get("states", [])}
    for state in states.values():
        for t in state.get("transitions", []):
            target = states.get(t.get("state_name"), {})
            if any("delete" in a for a in target.get("actions", [])):
                conditions = t.get("conditions") or {}
                if "min_rollover_age" in conditions:  # a rolled-over index: counted from its rollover
                    return f"rollover + {conditions['min_rollover_age']}"
                return conditions.get("min_index_age")
    return None


def _retention(plan: dict) -> Iterator[tuple[str, str]]:
    for r in plan["resources"]:
        if r["type"] != "pulumi-python:dynamic/search:RetentionObject":
            continue
        i, body = r["inputs"], r["inputs"].get("body") or {}
        where = f"{i.get('engine')} {i.get('object_id')}"
        if i.get("kind") == "ilm_policy":
            delete = ((body.get("policy") or {}).get("phases") or {}).get("delete")
            yield f"retention {where} (ILM)", f"delete after {delete['min_age']}" if delete else "never deleted"
        elif i.get("kind") == "ism_policy":
            age = _ism_delete_age(body.get("policy") or {})
            yield f"retention {where} (ISM)", f"delete after {age}" if age else "never deleted"
        elif i.get("kind") == "monitor":  # a security detection (content/detections.py): when it fires
            for wrapper in body.get("triggers") or []:
                trigger = wrapper.get("bucket_level_trigger") or {}
                condition = ((trigger.get("condition") or {}).get("script") or {}).get("source")
                yield f"detection {i.get('object_id')}", f"{condition}, severity {trigger.get('severity')}"
        elif i.get("kind") == "slm_policy":
            retention = body.get("retention") or {}
            yield f"snapshots {where} (SLM)", f"kept {retention.get('expire_after', 'forever')}, " \
                                              f"at least {_num(retention.get('min_count', 0))}"


def _archive(plan: dict) -> Iterator[tuple[str, str]]:
    for r in plan["resources"]:
        i = r["inputs"]
        if r["type"] == "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration":
            rule = (i.get("rule") or {}).get("defaultRetention") or {}
            days = rule["days"] if "days" in rule else 365 * (rule.get("years") or 0)  # S3: Days or Years
            yield f"lock {i.get('bucket')}", f"{rule.get('mode')} {_num(float(days))} days"
        elif r["type"] == "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
            for rule in i.get("rules", []):
                if rule.get("expiration"):
                    yield f"expiry {i.get('bucket')} {rule.get('id')}", f"{_num(rule['expiration'].get('days'))} days"
        elif r["type"] == "aws:s3/bucketReplicationConfig:BucketReplicationConfig":
            targets = [(rule.get("destination") or {}).get("bucket") for rule in i.get("rules", [])]
            yield f"replication {i.get('bucket')}", "on, to " + ", ".join(str(t) for t in targets)


def _routes(plan: dict) -> Iterator[tuple[str, str]]:
    def walk(route: dict, path: str) -> Iterator[tuple[str, str]]:
        for n, child in enumerate(route.get("routes", []), 1):
            matchers = ", ".join(child.get("matchers", [])) or "everything"
            yield f"route {path}{n} ({matchers})", child.get("receiver", "(parent's)") + \
                (", continue" if child.get("continue") else "")
            yield from walk(child, f"{path}{n}.")
    route = plan.get("alertmanager_route")
    if route:
        yield "route (default)", route.get("receiver", "")
        yield from walk(route, "")


def _dashboards(plan: dict) -> Iterator[tuple[str, str]]:
    for r in plan["resources"]:
        if r["type"] != "grafana:oss/dashboard:Dashboard":
            continue
        try:
            doc = json.loads(r["inputs"].get("configJson") or "{}")
        except json.JSONDecodeError:
            continue
        stack = list(doc.get("panels", []))
        while stack:
            panel = stack.pop(0)
            stack += panel.get("panels", [])
            if panel.get("type") == "row":
                continue
            queries = json.dumps(panel.get("targets", []), sort_keys=True)
            yield f"dashboard {doc.get('title')} / panel {panel.get('title')}", f"queries {_digest(queries)}"


def facts(plan: dict) -> dict[str, str]:
    found: dict[str, str] = {}
    for source in (_rules, _retention, _archive, _routes, _dashboards):
        found.update(source(plan))
    return found


def fact_diff(old: dict, new: dict) -> list[str]:
    """'<key>: <before> → <after>' for every fact that changed, appeared or went."""
    a, b = facts(old), facts(new)
    lines = []
    for key in sorted(set(a) | set(b)):
        if a.get(key) != b.get(key):
            lines.append(f"{key}: {a.get(key, '(none)')} → {b.get(key, '(none)')}")
    return lines


def _days(text: str | None) -> float | None:
    match = re.fullmatch(r"([0-9]+)d", text or "")
    return float(match.group(1)) if match else None


def weakened(old: dict, new: dict) -> list[str]:
    """Retention cut or lock weakened: facts whose number of days went down, or a lock left COMPLIANCE."""
    a, b = facts(old), facts(new)
    found = []
    for key in sorted(set(a) & set(b)):
        if key.startswith("retention "):
            before, after = _days(a[key].rpartition(" ")[2]), _days(b[key].rpartition(" ")[2])
            if (before is None and after is not None) or (before and after and after < before):
                found.append(f"retention cut: {key}: {a[key]} → {b[key]}")
        elif key.startswith("lock "):
            (mode_a, days_a), (mode_b, days_b) = a[key].split()[:2], b[key].split()[:2]
            if (mode_a == "COMPLIANCE" and mode_b != "COMPLIANCE") or float(days_b) < float(days_a):
                found.append(f"lock weakened: {key}: {a[key]} → {b[key]}")
    for key in sorted(set(a) - set(b)):
        if key.startswith(("lock ", "replication ")):
            found.append(f"{key.split()[0]} removed: {key}: {a[key]}")
    return found
