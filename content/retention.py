"""Retention objects of the search clusters, as the bodies their APIs take, per data class
(content/data_classes.py).

Elasticsearch classes (application logs; traces stored there): daily indices -> template -> ILM
(warm and read-only at readOnlyAfterDays, deleted at the class retention, after the nightly SLM
snapshot where the class has one). OpenSearch classes (security events; traces stored there):
daily indices -> ISM (read-only at readOnlyAfterDays, deleted at the class retention) attached by
its ism_template; nightly snapshots by an SM policy that deletes them at the snapshot retention.

A rollover class (security events) is written through its alias: template (rollover alias,
best_compression) -> ISM policy (rollover by primary-shard size or age, read-only and deleted counted
from the rollover, when the index stopped taking writes) -> the bootstrap index holding the write
alias. The daily layout's policy and template stay, narrowed to the daily names: an index ISM already
manages runs the copy of the policy stored in its managed-index job (index-management 2.17.0.0
ManagedIndexRunner reads `managedIndexConfig.policy`; only the change_policy API replaces it), so the
daily indices written before the change are deleted by the daily rules when they age out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from content import jaeger, security_parsers
from content.data_classes import APPLICATION, SECURITY, TRACES, DataClass

if TYPE_CHECKING:
    from config.sections import RetentionArgs

APP_POLICY, SECURITY_POLICY, TRACE_POLICY = APPLICATION.policy, SECURITY.policy, TRACES.policy
SLM_POLICY, ES_REPOSITORY = APPLICATION.snapshot_policy, APPLICATION.snapshot_repository
SM_POLICY, OS_REPOSITORY = SECURITY.snapshot_policy, SECURITY.snapshot_repository  # SM names snapshots <policy>-<date>-<random>
TEMPLATE_PRIORITY = 200  # above the built-in logs-*-* (500 applies only to those patterns)
# The daily and rollover patterns are disjoint; distinct priorities too, so that neither server's
# overlap check (templates: same priority and intersecting patterns; ISM: ISMTemplateService
# findConflictingPolicyTemplates, same priority) can refuse one while the other is being narrowed.
ROLLOVER_TEMPLATE_PRIORITY = TEMPLATE_PRIORITY + 1
ISM_PRIORITY, ROLLOVER_ISM_PRIORITY = 100, 101
# index.codec (OpenSearch CodecService): best_compression (DEFLATE stored fields) is in every
# distribution; zstd comes from the custom-codecs plugin, which a minimal or managed cluster may lack.
LONG_LIVED_CODEC = "best_compression"
# Deletion by age never takes the newest week of nightly snapshots (SLM retention and SM deletion
# min_count): if snapshots stop for longer than their retention, the last ones taken are still there.
SNAPSHOT_MIN_COUNT = 7
META = {"managed_by": "kafka-monitoring"}


def ilm_policy(s: "RetentionArgs", c: DataClass = APPLICATION, snapshots: bool = True) -> dict:
    """`snapshots`: wait for the class's nightly snapshot before deleting (only where the archive
    exists and the class has one: a wait for a snapshot that never covers the indices never ends)."""
    wait = snapshots and c.snapshot_policy is not None
    delete = {"wait_for_snapshot": {"policy": c.snapshot_policy}, "delete": {}} if wait else {"delete": {}}
    return {"policy": {"_meta": META, "phases": {
        "hot": {"min_age": "0ms", "actions": {}},
        # Elasticsearch cannot gzip indices; force-merging with best_compression is the closest.
        # Read-only only once late events for the day can no longer arrive (a day's index is written
        # until Fluent Bit has flushed its retries after midnight): readOnlyAfterDays, default 2.
        "warm": {"min_age": f"{s.read_only_after_days}d", "actions": {"forcemerge": {"max_num_segments": 1, "index_codec": "best_compression"},
                                              "readonly": {}}},
        "delete": {"min_age": f"{c.retention_days(s)}d", "actions": delete},
    }}}


def es_index_templates(s: "RetentionArgs", c: DataClass) -> dict[str, dict]:
    """Template id -> body. Jaeger's indices get its mappings (see jaeger_templates)."""
    if c.prefix is None:
        return jaeger_templates(s)
    return {c.policy: {"index_patterns": c.index_patterns(s), "priority": TEMPLATE_PRIORITY, "_meta": META,
                       "template": {"settings": {
                           "index.lifecycle.name": c.policy,
                           # Daily indices, no rollover: ages count from the date in the index name.
                           "index.lifecycle.parse_origination_date": True,
                           "index.number_of_shards": getattr(s, c.shards),
                           "index.number_of_replicas": s.search_replicas,
                       }}}}


def es_repository(bucket: str) -> dict:
    return {"type": "s3", "settings": {"bucket": bucket, "base_path": "elasticsearch"}}


def slm_policy(s: "RetentionArgs", c: DataClass = APPLICATION) -> dict:
    return {
        "schedule": s.snapshot_schedule,
        "name": f"<{c.prefix}-{{now/d}}>",
        "repository": c.snapshot_repository,
        "config": {"indices": c.index_patterns(s), "include_global_state": False},
        "retention": {"expire_after": f"{c.snapshot_days(s)}d", "min_count": SNAPSHOT_MIN_COUNT},
    }


def ism_policy(s: "RetentionArgs", c: DataClass = SECURITY) -> dict:
    """Indices only: a class's snapshots are its SM policy's, which also deletes them (an ISM
    `snapshot` action takes one per index, under a fixed name, and nothing deletes it)."""
    return rollover_ism_policy(s, c) if c.rollover else daily_ism_policy(s, c)


def rollover_ism_policy(s: "RetentionArgs", c: DataClass = SECURITY) -> dict:
    """ISM `rollover` (index-management 2.17.0.0 RolloverActionParser: min_size, min_doc_count,
    min_index_age, min_primary_shard_size, copy_alias; AttemptRolloverStep rolls over when ANY condition
    holds, ManagedIndexUtils.evaluateConditions) on the alias named by the index setting
    `plugins.index_state_management.rollover_alias`. Ages after that count from the rollover
    (`min_rollover_age`, AttemptTransitionStep's oldest rollover time), so every event is kept at least
    the retention."""
    retention_days = c.retention_days(s)
    return {"policy": {
        "description": f"{c.policy}: rolled over at {s.security_rollover_primary_shard_gb}gb per primary shard or "
                       f"{s.security_rollover_max_days} days; read-only after {s.read_only_after_days} days and "
                       f"deleted after {retention_days} days, counted from the rollover (kafka-monitoring)",
        "default_state": "hot",
        "states": [
            {"name": "hot", "actions": [{"rollover": {
                "min_primary_shard_size": f"{s.security_rollover_primary_shard_gb}gb",
                "min_index_age": f"{s.security_rollover_max_days}d"}}],
             "transitions": [{"state_name": "cold", "conditions": {"min_rollover_age": f"{s.read_only_after_days}d"}}]},
            {"name": "cold", "actions": [{"read_only": {}}, {"force_merge": {"max_num_segments": 1}}],
             "transitions": [{"state_name": "delete", "conditions": {"min_rollover_age": f"{retention_days}d"}}]},
            {"name": "delete", "actions": [{"delete": {}}], "transitions": []},
        ],
        "ism_template": [{"index_patterns": c.rollover_patterns, "priority": ROLLOVER_ISM_PRIORITY}],
    }}


def daily_ism_policy(s: "RetentionArgs", c: DataClass = SECURITY) -> dict:
    """Daily indices: ages from creation. For a rollover class, the daily layout's own policy (its
    legacy id, the body it had before, but attached only to daily names)."""
    retention_days = c.retention_days(s)
    policy_id = c.legacy_policy if c.rollover else c.policy
    patterns = c.daily_patterns if c.rollover else c.index_patterns(s)
    return {"policy": {
        "description": f"{policy_id}: read-only after {s.read_only_after_days} days, deleted after {retention_days} "
                       "days (kafka-monitoring)",
        "default_state": "hot",
        "states": [
            {"name": "hot", "actions": [], "transitions": [
                {"state_name": "cold", "conditions": {"min_index_age": f"{s.read_only_after_days}d"}}]},
            {"name": "cold", "actions": [{"read_only": {}}, {"force_merge": {"max_num_segments": 1}}],
             "transitions": [{"state_name": "delete", "conditions": {"min_index_age": f"{retention_days}d"}}]},
            {"name": "delete", "actions": [{"delete": {}}], "transitions": []},
        ],
        "ism_template": [{"index_patterns": patterns, "priority": ISM_PRIORITY}],
    }}


def sm_policy(s: "RetentionArgs", c: DataClass = SECURITY) -> dict:
    """OpenSearch snapshot management (`POST _plugins/_sm/policies/<name>`, OpenSearch 2 docs, "Snapshot
    management API"): a nightly snapshot of the class's indices, each deleted after its snapshot retention."""
    schedule = {"cron": {"expression": s.security_snapshot_schedule, "timezone": "UTC"}}
    days = c.snapshot_days(s)
    return {
        "description": f"{c.snapshot_policy}: nightly {', '.join(c.index_patterns(s))} snapshots, deleted after "
                       f"{days} days (kafka-monitoring)",
        "creation": {"schedule": schedule, "time_limit": "1h"},
        "deletion": {"schedule": schedule, "time_limit": "1h", "condition": {"max_age": f"{days}d",
                                                                             "min_count": SNAPSHOT_MIN_COUNT}},
        # SM names snapshots from date_format and date_format_timezone (SMUtils.generateSnapshotName);
        # the rest goes to CreateSnapshotRequest.source, which skips keys it does not read.
        "snapshot_config": {"indices": ",".join(c.index_patterns(s)), "repository": c.snapshot_repository,
                            "date_format": "yyyy-MM-dd", "date_format_timezone": "UTC",
                            "include_global_state": "false", "ignore_unavailable": "true", "partial": "false"},
    }


def os_index_template(s: "RetentionArgs", c: DataClass = SECURITY, daily: bool = False) -> dict:
    """The class's template; `daily`: a rollover class's template for its daily names (kept for the
    indices a writer of the old layout may still create while it is replaced)."""
    settings = {"index.number_of_shards": getattr(s, c.shards), "index.number_of_replicas": s.search_replicas}
    if s.opensearch_append_only:
        settings["index.append_only.enabled"] = True  # no updates or deletes of security events
    template: dict = {"settings": settings}
    if c is SECURITY:  # the parsed security fields, typed before Fluent Bit writes the first (content/security_parsers.py)
        template["mappings"] = security_parsers.template_mappings()
    if not c.rollover or daily:
        patterns = c.daily_patterns if c.rollover else c.index_patterns(s)
        return {"index_patterns": patterns, "priority": TEMPLATE_PRIORITY, "_meta": META, "template": template}
    settings["index.codec"] = LONG_LIVED_CODEC  # kept for years: smaller stored fields beat faster reads
    settings["index.plugins.index_state_management.rollover_alias"] = c.write_alias  # ManagedIndexSettings.ROLLOVER_ALIAS
    return {"index_patterns": c.rollover_patterns, "priority": ROLLOVER_TEMPLATE_PRIORITY, "_meta": META,
            "template": template}


def write_alias(c: DataClass = SECURITY) -> dict:
    """The bootstrap index's body (`PUT <prefix>-000001`): the alias writers write to, as its write index."""
    return {"aliases": {c.write_alias: {"is_write_index": True}}}


def os_repository(bucket: str, role_arn: str, service_region: str | None) -> dict:
    """Amazon OpenSearch Service takes the role to assume and the bucket's region in the repository
    ("Registering a manual snapshot repository"). The open-source repository-s3 plugin has no
    `role_arn` setting: self-managed nodes get the role from their pods' IRSA credentials."""
    settings = {"bucket": bucket, "base_path": "opensearch"}
    if service_region:
        settings.update(region=service_region, role_arn=role_arn)
    return {"type": "s3", "settings": settings}


# Jaeger v2.5.0's Elasticsearch 8 mappings (internal/storage/v1/elasticsearch/mappings/jaeger-*-8.json),
# which our templates must carry: a keyword capped at 256, tags as nested key/value/type lists, and
# tag.* / process.tag.* maps as keywords.
_KEYWORD = {"type": "keyword", "ignore_above": 256}
_KV = {"type": "nested", "dynamic": False, "properties": {"key": _KEYWORD, "value": _KEYWORD, "type": _KEYWORD}}
_TAG_MAPS = [{"span_tags_map": {"mapping": _KEYWORD, "path_match": "tag.*"}},
             {"process_tags_map": {"mapping": _KEYWORD, "path_match": "process.tag.*"}}]
JAEGER_MAPPINGS = {
    "span": {"dynamic_templates": _TAG_MAPS, "properties": {
        "traceID": _KEYWORD, "parentSpanID": _KEYWORD, "spanID": _KEYWORD, "operationName": _KEYWORD,
        "startTime": {"type": "long"}, "startTimeMillis": {"type": "date", "format": "epoch_millis"},
        "duration": {"type": "long"}, "flags": {"type": "integer"},
        "logs": {"type": "nested", "dynamic": False, "properties": {"timestamp": {"type": "long"}, "fields": _KV}},
        "process": {"properties": {"serviceName": _KEYWORD, "tag": {"type": "object"}, "tags": _KV}},
        "references": {"type": "nested", "dynamic": False,
                       "properties": {"refType": _KEYWORD, "traceID": _KEYWORD, "spanID": _KEYWORD}},
        "tag": {"type": "object"}, "tags": _KV}},
    "service": {"dynamic_templates": _TAG_MAPS, "properties": {"serviceName": _KEYWORD, "operationName": _KEYWORD}},
    "dependencies": {},
    "sampling": {},
}


def jaeger_templates(s: "RetentionArgs") -> dict[str, dict]:
    """One composable template per Jaeger index kind: Jaeger's settings and mappings, plus the
    `kafka-traces` lifecycle. Template id -> body."""
    templates = {}
    for kind, pattern in jaeger.index_names(s).items():
        settings = {"index.lifecycle.name": TRACE_POLICY, "index.lifecycle.parse_origination_date": True,
                    "index.number_of_shards": jaeger.INDEX_SHARDS[kind], "index.number_of_replicas": s.search_replicas,
                    "index.mapping.nested_fields.limit": 50, "index.requests.cache.enable": kind != "sampling"}
        templates[f"{TRACE_POLICY}-{kind}"] = {
            "index_patterns": [pattern], "priority": TEMPLATE_PRIORITY, "_meta": META,
            "template": {"settings": settings, "mappings": JAEGER_MAPPINGS[kind]}}
    return templates
