"""Retention objects of the search clusters, as the bodies their APIs take.

Application logs (Elasticsearch): daily indices -> template -> ILM (warm and read-only at
readOnlyAfterDays, delete at
applicationLogRetentionDays after the nightly snapshot) -> SLM snapshots to S3.
Security events (OpenSearch): daily indices -> ISM (read-only after readOnlyAfterDays, snapshot to S3, delete
only after securityRetentionDays) attached by its ism_template; append-only index template.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from content import jaeger
from content.fluent_bit import APP_PREFIX, SECURITY_PREFIX

if TYPE_CHECKING:
    from config.sections import RetentionArgs

APP_POLICY = APP_PREFIX                  # ILM policy and template id
SECURITY_POLICY = SECURITY_PREFIX        # ISM policy and template id
TRACE_POLICY = "kafka-traces"
SLM_POLICY = "nightly-kafka-application"
SM_POLICY = "nightly-kafka-security"       # OpenSearch names its snapshots <policy>-<date>-<random>
ES_REPOSITORY = "kafka-application-archive"
OS_REPOSITORY = "kafka-security-archive"
TEMPLATE_PRIORITY = 200  # above the built-in logs-*-* (500 applies only to those patterns)
META = {"managed_by": "kafka-monitoring"}


def ilm_policy(s: "RetentionArgs", snapshots: bool = True, retention_days: int | None = None) -> dict:
    """`snapshots`: wait for the nightly snapshot before deleting (only where the archive exists and
    the snapshot covers the indices; a wait for a snapshot that never includes them never ends).
    `retention_days`: application logs' by default."""
    delete = {"wait_for_snapshot": {"policy": SLM_POLICY}, "delete": {}} if snapshots else {"delete": {}}
    retention_days = s.application_log_retention_days if retention_days is None else retention_days
    return {"policy": {"_meta": META, "phases": {
        "hot": {"min_age": "0ms", "actions": {}},
        # Elasticsearch cannot gzip indices; force-merging with best_compression is the closest.
        # Read-only only once late events for the day can no longer arrive (a day's index is written
        # until Fluent Bit has flushed its retries after midnight): readOnlyAfterDays, default 2.
        "warm": {"min_age": f"{s.read_only_after_days}d", "actions": {"forcemerge": {"max_num_segments": 1, "index_codec": "best_compression"},
                                              "readonly": {}}},
        "delete": {"min_age": f"{retention_days}d", "actions": delete},
    }}}


def es_index_template(s: "RetentionArgs", patterns: list[str], shards: int, policy: str = APP_POLICY) -> dict:
    return {"index_patterns": patterns, "priority": TEMPLATE_PRIORITY, "_meta": META, "template": {"settings": {
        "index.lifecycle.name": policy,
        # Daily indices, no rollover: ages count from the date in the index name.
        "index.lifecycle.parse_origination_date": True,
        "index.number_of_shards": shards,
        "index.number_of_replicas": s.search_replicas,
    }}}


def es_repository(bucket: str) -> dict:
    return {"type": "s3", "settings": {"bucket": bucket, "base_path": "elasticsearch"}}


def slm_policy(s: "RetentionArgs") -> dict:
    return {
        "schedule": s.snapshot_schedule,
        "name": f"<{APP_PREFIX}-{{now/d}}>",
        "repository": ES_REPOSITORY,
        "config": {"indices": [f"{APP_PREFIX}-*"], "include_global_state": False},
        "retention": {"expire_after": f"{s.application_archive_retention_days}d", "min_count": 7},
    }


def ism_policy(s: "RetentionArgs", policy_id: str, patterns: list[str], retention_days: int,
               snapshot: bool) -> dict:
    cold_actions = [{"read_only": {}}, {"force_merge": {"max_num_segments": 1}}]
    if snapshot:
        cold_actions.append({"snapshot": {"repository": OS_REPOSITORY, "snapshot": policy_id}})
    return {"policy": {
        "description": f"{policy_id}: read-only after {s.read_only_after_days} days, deleted after {retention_days} "
                       "days (kafka-monitoring)",
        "default_state": "hot",
        "states": [
            {"name": "hot", "actions": [], "transitions": [
                {"state_name": "cold", "conditions": {"min_index_age": f"{s.read_only_after_days}d"}}]},
            {"name": "cold", "actions": cold_actions,
             "transitions": [{"state_name": "delete", "conditions": {"min_index_age": f"{retention_days}d"}}]},
            {"name": "delete", "actions": [{"delete": {}}], "transitions": []},
        ],
        "ism_template": [{"index_patterns": patterns, "priority": 100}],
    }}


def security_ism_policy(s: "RetentionArgs") -> dict:
    """Indices only: the nightly snapshots are the SM policy's, which also deletes them."""
    return ism_policy(s, SECURITY_POLICY, [f"{SECURITY_PREFIX}-*"], s.security_retention_days, snapshot=False)


def sm_policy(s: "RetentionArgs") -> dict:
    """OpenSearch snapshot management (`POST _plugins/_sm/policies/<name>`, OpenSearch 2 docs, "Snapshot
    management API"): a nightly snapshot of the security indices, each deleted after the security
    retention (an ISM `snapshot` action takes one per index, under a fixed name, and never deletes it)."""
    schedule = {"cron": {"expression": s.security_snapshot_schedule, "timezone": "UTC"}}
    return {
        "description": f"{SM_POLICY}: nightly {SECURITY_PREFIX}-* snapshots, deleted after "
                       f"{s.security_retention_days} days (kafka-monitoring)",
        "creation": {"schedule": schedule, "time_limit": "1h"},
        "deletion": {"schedule": schedule, "time_limit": "1h",
                     "condition": {"max_age": f"{s.security_retention_days}d", "min_count": 7}},
        "snapshot_config": {"indices": f"{SECURITY_PREFIX}-*", "repository": OS_REPOSITORY, "timezone": "UTC",
                            "date_format": "yyyy-MM-dd", "include_global_state": "false",
                            "ignore_unavailable": "true", "partial": "false"},
    }


def os_index_template(s: "RetentionArgs") -> dict:
    settings = {"index.number_of_shards": s.security_log_shards, "index.number_of_replicas": s.search_replicas}
    if s.opensearch_append_only:
        settings["index.append_only.enabled"] = True  # no updates or deletes of security events
    return {"index_patterns": [f"{SECURITY_PREFIX}-*"], "priority": TEMPLATE_PRIORITY, "_meta": META,
            "template": {"settings": settings}}


def os_repository(bucket: str, role_arn: str, service_region: str | None) -> dict:
    """Amazon OpenSearch Service takes the role to assume and the bucket's region in the repository
    ("Registering a manual snapshot repository"). The open-source repository-s3 plugin has no
    `role_arn` setting: self-managed nodes get the role from their pods' IRSA credentials."""
    settings = {"bucket": bucket, "base_path": "opensearch"}
    if service_region:
        settings.update(region=service_region, role_arn=role_arn)
    return {"type": "s3", "settings": settings}


def trace_patterns(s: "RetentionArgs") -> list[str]:
    return sorted(jaeger.index_names(s).values())


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
