"""The retention objects' REST paths and their canonical form: what the provider compares.

A search cluster does not return the body it was given. GET answers in a normalised form, and a
diff is only honest between two bodies in the same form (sources, per object kind):
- ILM policy, Elasticsearch 8.19 `GET _ilm/policy/<id>` -> `{<id>: {version, modified_date, policy,
  in_use_by}}`; every phase gets `min_age` ("0ms" when absent) and `delete` becomes
  `{"delete_searchable_snapshot": true}` (LifecyclePolicy / DeleteAction toXContent).
- Index template, `GET _index_template/<id>` -> `{"index_templates": [{name, index_template}]}`; the
  template's settings come back nested under `index` with every value a string, and
  `composed_of: []` is added (ComposableIndexTemplate toXContent, Settings are strings).
- Snapshot repository, `GET _snapshot/<id>` -> `{<id>: {type, settings}}`, settings as strings.
- SLM policy, `GET _slm/policy/<id>` -> `{<id>: {version, modified_date_millis, policy, ...}}`.
- ISM policy, OpenSearch 2 `GET _plugins/_ism/policies/<id>` -> `{_id, _version, _seq_no, _primary_term,
  policy}` where the policy gains `policy_id`, `last_updated_time`, `schema_version`,
  `error_notification`, a `retry` block on every action (`{"count": 3, "backoff": "exponential",
  "delay": "1m"}` by default) and `last_updated_time` on each `ism_template` (index-management
  Policy.kt, ActionRetry.kt).
And under the engine every number reaches a dynamic provider as a float (pulumi
runtime/rpc.py serialises int as `number_value=float(value)`), while the servers refuse `3.0`
where an integer setting is expected: `normalise` turns integral floats back into integers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

ISM_RETRY_DEFAULT = {"count": 3, "backoff": "exponential", "delay": "1m"}


def normalise(value: Any) -> Any:
    """Integral floats become integers, recursively (what the program meant before the engine)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def _string(value: Any) -> Any:
    """Settings as the servers echo them: strings, booleans lower-case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(normalise(value))
    if isinstance(value, dict):
        return {k: _string(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_string(v) for v in value]
    return value


def _flat_settings(settings: dict, prefix: str = "") -> dict[str, Any]:
    """`{"index": {"a": {"b": 1}}}` and `{"index.a.b": 1}` both become `{"index.a.b": "1"}`."""
    out: dict[str, Any] = {}
    for key, value in (settings or {}).items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out.update(_flat_settings(value, path))
        else:
            out[path if path.startswith("index.") else f"index.{path}"] = _string(value)
    return out


def _ilm(body: dict) -> dict:
    policy = dict(body.get("policy") or {})
    phases = {}
    for name, phase in (policy.get("phases") or {}).items():
        actions = dict(phase.get("actions") or {})
        if "delete" in actions:
            actions["delete"] = {"delete_searchable_snapshot": True, **(actions["delete"] or {})}
        phases[name] = {"min_age": phase.get("min_age", "0ms"), "actions": actions}
    policy["phases"] = phases
    return {"policy": policy}


def _template(body: dict) -> dict:
    out = {k: v for k, v in body.items() if k != "template"}
    out.setdefault("composed_of", [])
    template = dict(body.get("template") or {})
    if "settings" in template:
        template["settings"] = _flat_settings(template["settings"])
    out["template"] = template
    return out


def _repository(body: dict) -> dict:
    return {"type": body.get("type"), "settings": _string(body.get("settings") or {})}


def _ism(body: dict) -> dict:
    policy = {k: v for k, v in (body.get("policy") or {}).items()
              if k not in ("policy_id", "last_updated_time", "schema_version", "user")}
    if policy.get("error_notification") is None:
        policy.pop("error_notification", None)
    states = []
    for state in policy.get("states") or []:
        actions = [{**a, "retry": a.get("retry", ISM_RETRY_DEFAULT)} for a in state.get("actions") or []]
        states.append({**state, "actions": actions, "transitions": state.get("transitions") or []})
    policy["states"] = states
    policy["ism_template"] = [{k: v for k, v in t.items() if k != "last_updated_time"}
                              for t in policy.get("ism_template") or []]
    return {"policy": policy}


def _sm(body: dict) -> dict:
    """OpenSearch 2 `GET _plugins/_sm/policies/<name>` -> `{_id: "<name>-sm-policy", _version, _seq_no,
    _primary_term, sm_policy}`; the policy gains `name`, `schema_version`, `schedule`, `enabled`,
    `last_updated_time` and `enabled_time` (index-management SMPolicy.kt). `enabled` is compared:
    SMPolicy.parse makes it true when a body leaves it out, and `POST .../<name>/_stop` stores false
    (TransportStopSMAction), after which no snapshot is taken or deleted: a stopped policy is drift,
    and the update's PUT of our body, which has no `enabled`, starts it again (index-management
    2.17.1.0)."""
    out = {k: v for k, v in body.items()
           if k not in ("name", "schema_version", "schedule", "enabled", "last_updated_time", "enabled_time")}
    out["enabled"] = body.get("enabled", True)
    return out


@dataclass(frozen=True)
class Kind:
    path: str                                   # with {id}
    stored: Callable[[Any, str], Any]           # GET response -> the body as the server holds it
    canonical: Callable[[dict], dict]           # either body -> the form both are compared in
    versioned: bool = False                     # ISM, SM: updates carry if_seq_no and if_primary_term
    create_method: str = "PUT"                  # SM creates with POST, updates with PUT
    write_path: str = ""                        # where a PUT goes when not `path` (a write alias: its first index)
    delete_path: str = ""                       # where a delete goes when not `path`
    privilege: str = ""                         # what the provider's user needs on the cluster
    # Detections (Alerting monitors, Notifications channels): created by POST on a collection path.
    create_path: str = ""                       # POST here to create (empty: create_method on path)
    create_body: Callable[[str, dict], dict] | None = None  # the create request's body from (id, body)
    generated_id: bool = False                  # the server names the object: state keeps its id
    search: tuple[str, str] = ("", "")          # (path, keyword field): adopt by name, refusing duplicates
    execute: str = ""                           # dry run after every write, with {id}


def _write_alias(response: Any, alias: str) -> dict:
    """`GET _alias/<alias>` -> `{<index>: {"aliases": {<alias>: {"is_write_index": ...}}}}` per index
    holding it; after each rollover a newer index holds the write flag. The object is the alias with a
    write index, whichever index that is."""
    flags = [(body.get("aliases") or {}).get(alias, {}).get("is_write_index") for body in response.values()]
    return {"aliases": {alias: {"is_write_index": any(flag is True for flag in flags)}}}


KINDS: dict[tuple[str, str], Kind] = {
    ("elasticsearch", "ilm_policy"): Kind("/_ilm/policy/{id}", lambda r, i: {"policy": r[i]["policy"]}, _ilm,
                                          privilege="cluster privilege manage_ilm"),
    ("elasticsearch", "index_template"): Kind("/_index_template/{id}",
                                              lambda r, i: r["index_templates"][0]["index_template"], _template,
                                              privilege="cluster privilege manage_index_templates"),
    ("elasticsearch", "snapshot_repository"): Kind("/_snapshot/{id}", lambda r, i: r[i], _repository,
                                                   privilege="cluster privilege manage (snapshot repositories)"),
    ("elasticsearch", "slm_policy"): Kind("/_slm/policy/{id}", lambda r, i: r[i]["policy"], normalise,
                                          privilege="cluster privilege manage_slm"),
    ("opensearch", "ism_policy"): Kind("/_plugins/_ism/policies/{id}", lambda r, i: {"policy": r["policy"]}, _ism,
                                       versioned=True, privilege="cluster permission cluster:admin/opendistro/ism/*"),
    ("opensearch", "sm_policy"): Kind("/_plugins/_sm/policies/{id}", lambda r, i: r["sm_policy"], _sm,
                                      versioned=True, create_method="POST",
                                      privilege="cluster permission cluster:admin/opensearch/snapshot_management/*"),
    ("opensearch", "index_template"): Kind("/_index_template/{id}",
                                           lambda r, i: r["index_templates"][0]["index_template"], _template,
                                           privilege="cluster permission indices:admin/index_template/*"),
    ("opensearch", "snapshot_repository"): Kind("/_snapshot/{id}", lambda r, i: r[i], _repository,
                                                privilege="cluster permission cluster:admin/repository/*"),
    # Created once as its bootstrap index (`PUT <alias>-000001` with the alias as write index); rollover
    # moves it on. OpenSearch refuses a second create of that index (resource_already_exists_exception).
    # Deleting it removes the alias from every index (`DELETE /<index>/_alias/<name>`), never an index.
    ("opensearch", "write_alias"): Kind("/_alias/{id}", _write_alias, normalise, write_path="/{id}-000001",
                                        delete_path="/*/_alias/{id}",
                                        privilege="index permissions indices:admin/create and "
                                                  "indices:admin/aliases on the class's indices"),
}


# OpenSearch Alerting and Notifications (2.17.0.0): what GET adds to a monitor or a channel.
#
# - Monitor, `GET _plugins/_alerting/monitors/<id>` -> `{_id, _version, _seq_no, _primary_term, monitor}`;
#   the monitor gains `schema_version`, `last_update_time`, `enabled_time`, `data_sources` and `owner`
#   (common-utils Monitor.toXContent), `user` where security is on, and generated trigger and action
#   ids when none were given (ours are fixed). The query comes back re-serialised with its defaults
#   written out (OpenSearch query builders' doXContent: `boost` 1.0, bool `adjust_pure_negative` true;
#   composite sources' `missing_bucket` false and `order` asc, CompositeValuesSourceBuilder.toXContent),
#   the condition with `gap_policy` skip (BucketSelectorExtAggregationBuilder) and scripts with their
#   default `lang`. `actionable_alerts` is a set. Both bodies are compared without all of that.
# - Channel, `GET _plugins/_notifications/configs/<id>` -> `{..., config_list: [{config_id,
#   last_updated_time_ms, created_time_ms, config}]}`; the config gains `description` ""
#   (common-utils NotificationConfig.toXContent).
MONITOR_VOLATILE = ("schema_version", "last_update_time", "enabled_time", "data_sources", "owner", "user",
                    "ui_metadata")
_QUERY_DEFAULTS = {"boost": 1, "adjust_pure_negative": True, "missing_bucket": False, "order": "asc",
                   "gap_policy": "skip"}
_SCRIPT_LANG = {"script": "painless", "message_template": "mustache", "subject_template": "mustache"}


def _defaults_dropped(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if _QUERY_DEFAULTS.get(k, _MISSING) == v:
                continue
            if k == "lang" and _SCRIPT_LANG.get(key) == v:
                continue
            if k == "actionable_alerts" and isinstance(v, list):
                v = sorted(v)
            out[k] = _defaults_dropped(v, k)
        return out
    if isinstance(value, list):
        return [_defaults_dropped(v, key) for v in value]
    return value


def _monitor(body: dict) -> dict:
    return _defaults_dropped({k: v for k, v in body.items() if k not in MONITOR_VOLATILE})


def _channel(body: dict) -> dict:
    config = dict(body.get("config") or {})
    config.setdefault("description", "")
    return {"config": config}


KINDS.update({
    ("opensearch", "notification_channel"): Kind(
        "/_plugins/_notifications/configs/{id}", lambda r, i: {"config": r["config_list"][0]["config"]}, _channel,
        create_path="/_plugins/_notifications/configs", create_body=lambda i, body: {"config_id": i, **body},
        privilege="cluster permission cluster:admin/opensearch/notifications/configs/*"),
    ("opensearch", "monitor"): Kind(
        "/_plugins/_alerting/monitors/{id}", lambda r, i: r["monitor"], _monitor, versioned=True,
        create_path="/_plugins/_alerting/monitors", generated_id=True,
        search=("/_plugins/_alerting/monitors/_search", "monitor.name.keyword"),
        execute="/_plugins/_alerting/monitors/{id}/_execute",
        privilege="cluster permission cluster:admin/opendistro/alerting/monitor/*"),
})


def execution_errors(result: dict) -> list[str]:
    """The errors of a monitor run (`_execute` -> MonitorRunResult.toXContent: `error`, `input_results.error`,
    and `trigger_results.<id>.error`; common-utils 2.17.0.0 MonitorRunResult.kt)."""
    errors = [result.get("error"), (result.get("input_results") or {}).get("error")]
    errors += [f"trigger {tid}: {t.get('error')}" if t.get("error") else None
               for tid, t in sorted((result.get("trigger_results") or {}).items())]
    return [e for e in errors if e]


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaves (lists by index)."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{i}"))
        return out
    return {prefix: value}


def changed_paths(kind: Kind, desired: Any, stored: Any) -> list[str]:
    """Every path whose value differs between the two bodies in canonical form (added, removed or changed)."""
    return differing_paths(kind.canonical(normalise(desired)), kind.canonical(normalise(stored)))


def differing_paths(desired: Any, stored: Any) -> list[str]:
    """Every path whose value differs between two bodies as given (added, removed or changed)."""
    want, have = flatten(desired), flatten(stored)
    return sorted(p for p in set(want) | set(have) if want.get(p, _MISSING) != have.get(p, _MISSING))


_MISSING = object()
