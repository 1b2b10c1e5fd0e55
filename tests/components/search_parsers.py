"""How Elasticsearch 8.19 and OpenSearch 2.17 parse the retention bodies: what they refuse, and what
they keep. The model server (search_server.py) answers with these; every rule names its source.

A strict parser refuses a field it does not know; a lenient one drops it, and GET then returns the
body without it. Both kinds matter: a misspelt field is an error at PUT on one server, and a silent
loss (a perpetual diff, or a default in its place) on the other.

- Elasticsearch (elastic/elasticsearch, 8.19 branch):
  - ILM: LifecyclePolicy, Phase and each action's ObjectParser are strict; TimeseriesLifecycleType
    lists the actions each phase allows; ForceMergeAction takes only the best_compression codec.
  - Index templates: ComposableIndexTemplate.PARSER ("index_template") and Template.PARSER
    ("template") are strict (`ignoreUnknownFields` false). Settings are validated by
    AbstractScopedSettings.validate: "unknown setting [..] please check that any required plugins
    are installed, or check the breaking changes documentation for removed settings".
  - SLM: SnapshotLifecyclePolicy.PARSER ("snapshot_lifecycle") and SnapshotRetentionConfiguration
    are lenient; name, schedule and repository are required; SnapshotLifecycleService
    .validateRepositoryExists refuses "no such repository [..]".
  - A snapshot is taken by CreateSnapshotRequest.source(config): it reads indices, feature_states,
    partial, include_global_state, metadata and the indices options, and ignores any other key;
    without `indices` it snapshots every index, and include_global_state defaults to true.
  - Repositories: PutRepositoryRequest.source reads only `type` and `settings`; RepositoriesService
    refuses a type no plugin registers; S3Repository refuses "Invalid S3 bucket name, cannot be null
    or empty".
- OpenSearch index-management 2.17.0.0 (opensearch-project/index-management):
  - ISM: Policy, State, Transition, Conditions, ISMTemplate and ISMActionsParser are strict
    ("Invalid field: [..] found in Policy." and so on), with the checks of their `init` blocks.
  - Snapshot management: SMPolicy.parse, Creation, Deletion and DeleteCondition skip unknown
    fields; job-scheduler's ScheduleParser is strict ("Unknown cron field .."). The snapshot uses
    OpenSearch's CreateSnapshotRequest.source(snapshot_config), lenient like Elasticsearch's;
    SMUtils.generateSnapshotName reads `date_format` and `date_format_timezone`.
- The settings each model knows are a subset of what the servers register (IndexScopedSettings and
  the plugins' settings): those anyone would send here. An unlisted name is refused as unknown.
"""
from __future__ import annotations

import re
import zoneinfo
from typing import Any

# TimeseriesLifecycleType (Elasticsearch 8.19): the actions each phase allows.
ILM_PHASE_ACTIONS = {
    "hot": {"set_priority", "unfollow", "rollover", "readonly", "downsample", "shrink", "forcemerge",
            "searchable_snapshot"},
    "warm": {"set_priority", "unfollow", "readonly", "downsample", "allocate", "migrate", "shrink", "forcemerge"},
    "cold": {"set_priority", "unfollow", "readonly", "downsample", "searchable_snapshot", "allocate", "migrate"},
    "frozen": {"unfollow", "searchable_snapshot"},
    "delete": {"wait_for_snapshot", "delete"},
}
# The fields each action's parser knows (the ones this program may send, and their siblings).
ILM_ACTION_FIELDS = {
    "forcemerge": {"max_num_segments", "index_codec"}, "readonly": set(), "delete": {"delete_searchable_snapshot"},
    "wait_for_snapshot": {"policy"}, "set_priority": {"priority"}, "rollover": {
        "max_size", "max_primary_shard_size", "max_age", "max_docs", "max_primary_shard_docs", "min_size",
        "min_primary_shard_size", "min_age", "min_docs", "min_primary_shard_docs"},
}
TEMPLATE_FIELDS = {
    "elasticsearch": {"index_patterns", "template", "composed_of", "priority", "version", "_meta", "data_stream",
                      "allow_auto_create", "ignore_missing_component_templates", "deprecated"},
    "opensearch": {"index_patterns", "template", "composed_of", "priority", "version", "_meta", "data_stream",
                   "context"},
}
TEMPLATE_BODY_FIELDS = {"elasticsearch": {"settings", "mappings", "aliases", "lifecycle", "data_stream_options"},
                        "opensearch": {"settings", "mappings", "aliases"}}
_COMMON_SETTINGS = {"index.number_of_shards", "index.number_of_replicas", "index.refresh_interval", "index.codec",
                    "index.hidden", "index.mapping.total_fields.limit", "index.mapping.nested_fields.limit",
                    "index.requests.cache.enable", "index.blocks.write", "index.blocks.read_only"}
INDEX_SETTINGS = {
    # x-pack ILM's LifecycleSettings register index.lifecycle.*; OpenSearch has no ILM.
    "elasticsearch": _COMMON_SETTINGS | {"index.lifecycle.name", "index.lifecycle.parse_origination_date",
                                         "index.lifecycle.origination_date", "index.lifecycle.rollover_alias"},
    # IndexSettings.INDEX_APPEND_ONLY_ENABLED_SETTING (OpenSearch 3; the program sends it only when
    # opensearchAppendOnly says the cluster has it); ISM's rollover alias.
    "opensearch": _COMMON_SETTINGS | {"index.append_only.enabled",
                                      "index.plugins.index_state_management.rollover_alias"},
}
BOOLEAN_SETTINGS = {"index.hidden", "index.requests.cache.enable", "index.blocks.write", "index.blocks.read_only",
                    "index.lifecycle.parse_origination_date", "index.append_only.enabled"}
INTEGER_SETTINGS = ("number_of_shards", "number_of_replicas", "priority", "limit")
ISM_ACTION_TYPES = {"rollover", "force_merge", "read_only", "read_write", "replica_count", "close", "open", "delete",
                    "index_priority", "snapshot", "notification", "allocation", "rollup", "shrink", "transition",
                    "alias", "transform", "convert_index_to_remote"}
ROLLOVER_FIELDS = {"min_size", "min_doc_count", "min_index_age", "min_primary_shard_size", "copy_alias"}
ISM_CONDITIONS = {"min_index_age", "min_doc_count", "min_size", "cron", "min_rollover_age"}
_TIME = re.compile(r"-?\d+(\.\d+)?(nanos|micros|ms|s|m|h|d)")


class Refused(Exception):
    """What the server answers: the error type and reason of a 400 (`kind`, `str(self)`)."""

    def __init__(self, reason: str, kind: str = "illegal_argument_exception"):  # noqa: D107
        super().__init__(reason)
        self.kind = kind


def _unknown(obj: dict, known: set[str], name: str) -> None:
    """An ObjectParser with ignoreUnknownFields false (Elasticsearch's wording)."""
    for key in obj:
        if key not in known:
            raise Refused(f"[{name}] unknown field [{key}]", "x_content_parse_exception")


def _invalid(obj: dict, known: set[str], name: str) -> None:
    """An index-management parser's `else -> throw` on a field it does not know (OpenSearch's wording)."""
    for key in obj:
        if key not in known:
            raise Refused(f"Invalid field: [{key}] found in {name}.")


def _time(value: Any, field: str) -> None:
    """TimeValue.parseTimeValue."""
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise Refused(f"failed to parse setting [{field}] with value [{value}] as a time value: unit is missing or "
                      "unrecognized")


def flat(settings: dict, prefix: str = "") -> dict[str, Any]:
    """Nested or dotted settings as dotted keys, each under `index.` (Settings.normalizePrefix)."""
    out = {}
    for k, v in settings.items():
        path = f"{prefix}.{k}" if prefix else k
        out.update(flat(v, path) if isinstance(v, dict) else {path: v})
    return {k if k.startswith("index.") or prefix else f"index.{k}": v for k, v in out.items()}


def ilm_policy(policy: dict) -> None:
    """LifecyclePolicy.PARSER and TimeseriesLifecycleType.validate."""
    _unknown(policy, {"phases", "_meta", "deprecated"}, "policy")
    for phase, body in (policy.get("phases") or {}).items():
        if phase not in ILM_PHASE_ACTIONS:
            raise Refused(f"Timeseries lifecycle does not support phase [{phase}]")
        _unknown(body, {"min_age", "actions"}, "phase")
        if "min_age" in body:
            _time(body["min_age"], "min_age")
        for action, params in (body.get("actions") or {}).items():
            if action not in ILM_PHASE_ACTIONS[phase]:
                raise Refused(f"invalid action [{action}] defined in phase [{phase}]")
            _unknown(params or {}, ILM_ACTION_FIELDS.get(action, set(params or {})), action)
            if action == "forcemerge":  # ForceMergeAction's constructor
                if "max_num_segments" in params and params["max_num_segments"] <= 0:
                    raise Refused("[max_num_segments] must be a positive integer")
                if params.get("index_codec") not in (None, "best_compression"):
                    raise Refused(f"unknown index codec: [{params['index_codec']}]")


def index_template(engine: str, body: dict) -> dict:
    """ComposableIndexTemplate.PARSER, Template.PARSER and the settings validation. Returns the
    settings as dotted keys."""
    _unknown(body, TEMPLATE_FIELDS[engine], "index_template")
    if not body.get("index_patterns"):
        raise Refused("Required [index_patterns]")
    template = body.get("template") or {}
    _unknown(template, TEMPLATE_BODY_FIELDS[engine], "template")
    settings = flat(template.get("settings") or {})
    for key, value in settings.items():
        if key not in INDEX_SETTINGS[engine]:
            raise Refused(f"unknown setting [{key}] please check that any required plugins are installed, or check "
                          "the breaking changes documentation for removed settings")
        if key.rsplit(".", 1)[-1] in INTEGER_SETTINGS and not re.fullmatch(r"-?\d+", str(value)):
            raise Refused(f"Failed to parse value [{value}] for setting [{key}]")
        if key in BOOLEAN_SETTINGS and str(value).lower() not in ("true", "false"):
            raise Refused(f"Failed to parse value [{value}] as only [true] or [false] are allowed.")
    return settings


def slm_policy(body: dict, repositories: set[str]) -> dict:
    """SnapshotLifecyclePolicy.PARSER (lenient), its validation, and the stored form GET returns."""
    missing = [f for f in ("name", "schedule", "repository") if not isinstance(body.get(f), str)]
    if missing:
        raise Refused(f"Required [{', '.join(missing)}]", "x_content_parse_exception")
    if len(body["schedule"].split()) not in (6, 7) and not _TIME.fullmatch(body["schedule"]):
        raise Refused(f"invalid schedule [{body['schedule']}]: must be a valid cron expression or time unit")
    if body["repository"] not in repositories:
        raise Refused(f"no such repository [{body['repository']}]")
    stored = {k: body[k] for k in ("name", "schedule", "repository")}
    if body.get("config") is not None:
        stored["config"] = body["config"]
    retention = body.get("retention")
    if retention is not None:
        kept = {k: retention[k] for k in ("expire_after", "min_count", "max_count") if k in retention}
        if "expire_after" in kept:
            _time(kept["expire_after"], "expire_after")
        for count in ("min_count", "max_count"):
            if count in kept and kept[count] < 1:
                raise Refused(f"{count.replace('_count', 'imum')} snapshot count must be at least 1, but was: "
                              f"{kept[count]}")
        stored["retention"] = kept
    return stored


# The snapshot config keys anyone reads: CreateSnapshotRequest.source and IndicesOptions.fromMap, and
# for SM also SMPolicy (`repository`) and SMUtils.generateSnapshotName. A key outside is dead.
_SNAPSHOT_KEYS = {"indices", "feature_states", "partial", "include_global_state", "metadata", "ignore_unavailable",
                  "allow_no_indices", "expand_wildcards", "ignore_throttled"}
SNAPSHOT_CONFIG_READ = {"elasticsearch": _SNAPSHOT_KEYS,
                        "opensearch": _SNAPSHOT_KEYS - {"feature_states"} | {"settings", "repository", "date_format",
                                                                             "date_format_timezone"}}


def snapshot_request(config: dict | None) -> dict:
    """What a snapshot taken with this config covers (CreateSnapshotRequest.source, both engines):
    unknown keys ignored; booleans by XContentMapValues.nodeBooleanValue."""
    def boolean(key: str, default: bool) -> bool:
        value = (config or {}).get(key, default)
        if isinstance(value, bool):
            return value
        if value not in ("true", "false"):
            raise Refused(f"Failed to parse value [{value}] as only [true] or [false] are allowed.")
        return value == "true"

    indices = (config or {}).get("indices", [])
    indices = [i for i in indices.split(",") if i] if isinstance(indices, str) else list(indices)
    return {"indices": indices or ["*"], "include_global_state": boolean("include_global_state", True),
            "partial": boolean("partial", False), "ignore_unavailable": boolean("ignore_unavailable", False)}


def _schedule(schedule: Any) -> dict:
    """job-scheduler ScheduleParser: cron {expression, timezone, schedule_delay} or interval."""
    if not isinstance(schedule, dict) or not schedule:
        raise Refused("Invalid schedule document object.")
    kind, fields = next(iter(schedule.items()))
    known = {"cron": {"expression", "timezone", "schedule_delay"},
             "interval": {"start_time", "period", "unit", "schedule_delay"}}.get(kind)
    if known is None:
        raise Refused(f"Unknown schedule type {kind}")
    for key in fields:
        if key not in known:
            raise Refused(f"Unknown {kind} field {key}")
    if kind == "cron" and "timezone" in fields and fields["timezone"] not in zoneinfo.available_timezones():
        raise Refused(f"Unknown time-zone ID: {fields['timezone']}")  # ZoneId.of, case-sensitive
    return schedule


def sm_policy(name: str, body: dict) -> dict:
    """SMPolicy.parse (unknown fields skipped), its `init` checks, and toXContent's stored form."""
    creation = body.get("creation")
    if not isinstance(creation, dict):
        raise Refused("Must provide the creation configuration.")
    if "schedule" not in creation:
        raise Refused("schedule field must not be null")
    stored_creation = {"schedule": _schedule(creation["schedule"])}
    if "time_limit" in creation:
        _time(creation["time_limit"], "time_limit")
        stored_creation["time_limit"] = creation["time_limit"]
    config = body.get("snapshot_config")
    if not isinstance(config, dict):
        raise Refused("snapshot_config field must not be null")
    if not config.get("repository"):
        raise Refused("Must provide the repository in snapshot config.")
    stored = {"name": name, "description": body.get("description"), "schema_version": 21,
              "creation": stored_creation}
    deletion = body.get("deletion")
    if deletion is not None:
        condition = deletion.get("condition")
        if not isinstance(condition, dict):
            raise Refused("condition must not be null.")
        kept = {k: condition[k] for k in ("max_count", "max_age") if k in condition}
        kept["min_count"] = condition.get("min_count", 1)
        if "max_age" not in kept and "max_count" not in kept:
            raise Refused("Please provide max_age or max_count.")
        if "max_age" in kept:
            _time(kept["max_age"], "max_age")
        if kept["min_count"] <= 0:
            raise Refused("min_count should be bigger than 0.")
        stored_deletion = {"schedule": _schedule(deletion.get("schedule", creation["schedule"])), "condition": kept}
        if "time_limit" in deletion:
            _time(deletion["time_limit"], "time_limit")
            stored_deletion["time_limit"] = deletion["time_limit"]
        stored["deletion"] = stored_deletion
    stored["snapshot_config"] = config
    return stored


def ism_policy(policy: dict) -> None:
    """Policy.parse and the `init` checks of Policy, State, Transition/Conditions and ISMTemplate."""
    _invalid(policy, {"policy_id", "description", "last_updated_time", "schema_version", "error_notification",
                      "default_state", "states", "ism_template", "user"}, "Policy")
    for required in ("description", "default_state"):
        if policy.get(required) is None:
            raise Refused(f"{required} is null")
    states = policy.get("states") or []
    names = [s.get("name") for s in states]
    for state in states:
        _ism_state(state, names)
    if len(set(names)) != len(names):
        raise Refused("Policy cannot have duplicate state names")
    if not states:
        raise Refused("Policy must contain at least one State")
    if policy["default_state"] not in names:
        raise Refused("Policy must have a valid default state")
    templates = policy.get("ism_template") or []
    for template in [templates] if isinstance(templates, dict) else templates:
        _invalid(template, {"index_patterns", "priority", "last_updated_time"}, "ISMTemplate")
        if template.get("priority", 0) < 0:
            raise Refused("Requires priority to be >= 0")
        if not template.get("index_patterns"):
            raise Refused("Requires at least one index pattern")


def _ism_state(state: dict, names: list[str]) -> None:
    _invalid(state, {"name", "actions", "transitions"}, "State")
    name = state.get("name") or ""
    if not name.strip():
        raise Refused("State must contain a valid name")
    deleted = False
    for action in state.get("actions") or []:
        if deleted:
            raise Refused(f"State={name} must not contain an action after a delete action")
        types = [k for k in action if k not in ("timeout", "retry")]
        if len(types) != 1 or types[0] not in ISM_ACTION_TYPES:
            raise Refused(f"Invalid field: [{types[0] if types else None}] found in Actions.")
        params = action[types[0]] or {}
        if types[0] == "force_merge":
            _invalid(params, {"max_num_segments"}, "ForceMergeActionConfig")
            if "max_num_segments" not in params:
                raise Refused("ForceMergeActionConfig maxNumSegments is null")
            if params["max_num_segments"] <= 0:
                raise Refused("Force merge {max_num_segments} must be greater than 0")
        elif types[0] == "rollover":
            # RolloverActionParser (index-management 2.17.0.0): these fields only, sizes as ByteSizeValue,
            # ages as TimeValue; RolloverAction's init refuses sizes and counts that are not positive.
            for key in params:
                if key not in ROLLOVER_FIELDS:
                    raise Refused(f"Invalid field: [{key}] found in RolloverAction.")
            for key in ("min_size", "min_primary_shard_size"):
                if key in params and not re.fullmatch(r"[1-9]\d*(\.\d+)?(b|kb|mb|gb|tb|pb)", str(params[key]).lower()):
                    raise Refused(f"failed to parse setting [{key}] with value [{params[key]}] as a size in bytes")
            if "min_index_age" in params:
                _time(params["min_index_age"], "min_index_age")
        elif types[0] in ("read_only", "delete") and params:
            # The parsers expect END_OBJECT right after START_OBJECT.
            raise Refused("Failed to parse object: expecting token of type [END_OBJECT] but found [FIELD_NAME]",
                          "parsing_exception")
        deleted = types[0] == "delete"
    transitions = state.get("transitions") or []
    if deleted and transitions:
        raise Refused(f"State={name} cannot contain transitions if using delete action")
    for transition in transitions:
        _invalid(transition, {"state_name", "conditions"}, "Transition")
        conditions = transition.get("conditions")
        if conditions is not None:
            _invalid(conditions, ISM_CONDITIONS, "Conditions")
            if len(conditions) != 1:
                raise Refused("Cannot provide more than one Transition condition")
            for key in ("min_index_age", "min_rollover_age"):
                if key in conditions:
                    _time(conditions[key], key)
        if transition.get("state_name") not in names:
            raise Refused(f"Policy contains a transition in state={name} pointing to a nonexistent "
                          f"state={transition.get('state_name')}")


def repository(name: str, body: dict) -> dict:
    """PutRepositoryRequest.source (reads `type` and `settings`, skips any other key),
    RepositoriesService.createRepository (a type no plugin registers: RepositoryException, 500) and
    S3Repository (the bucket). Returns the stored form: settings echoed as strings."""
    if not body.get("type"):
        raise Refused("Validation Failed: 1: type is missing;", "action_request_validation_exception")
    if body["type"] not in ("s3", "fs", "url"):
        raise Refused(f"[{name}] repository type [{body['type']}] does not exist", "repository_exception")
    settings = body.get("settings") or {}
    if body["type"] == "s3" and not settings.get("bucket"):
        raise Refused("Invalid S3 bucket name, cannot be null or empty")
    return {"type": body["type"], "settings": {k: str(v) for k, v in settings.items()}}
