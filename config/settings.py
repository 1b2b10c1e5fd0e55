"""Typed, validated stack settings.

`parse` turns raw config values (keys and defaults from Pulumi.yaml) into `Settings`, or raises
`SettingsError` listing every problem at once. `load` reads them from `pulumi.Config`.
Nothing here registers a resource, so a refused config registers nothing.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import pulumi
import yaml
from pulumi.errors import RunError

from config import cron, fields, schema, stack_context, visible
from config.clusters import KafkaCluster, cluster_list_problems, parse_cluster
from config.kubernetes import KubernetesCluster, parse_kubernetes_cluster, placement_problems
from config.stack_context import Context

CAPACITY = "capacity"  # the prefix of the capacity plan's inputs
# Secrets and the component that cannot run without them.
REQUIRED_SECRETS = {
    "enableAlerting": ("pagerdutyCriticalKey", "pagerdutyHighKey", "slackWebhookUrl", "deadMansSwitchUrl"),
    "enableGrafana": ("grafanaToken", "elasticsearchPassword", "opensearchPassword"),
    "enableSearchRetention": ("elasticsearchPassword", "opensearchPassword"),
    "enableCollection": ("elasticsearchPassword", "opensearchPassword"),
    "enableAuthProxy": ("authProxyPassword",),
}

# A receiver's secret is needed only while its receiver is enabled too.
RECEIVER_FLAG = {"pagerdutyCriticalKey": "enablePagerdutyCritical", "pagerdutyHighKey": "enablePagerdutyHigh",
                 "slackWebhookUrl": "enableSlack", "deadMansSwitchUrl": "enableHeartbeat"}


class SettingsError(RunError, ValueError):
    """A refused config. RunError makes `pulumi up` print the problems without a traceback."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid stack settings:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Secrets:
    """Secret config values, kept as whatever the config gave (pulumi Outputs in a real run)."""

    pagerduty_critical_key: Any = None
    pagerduty_high_key: Any = None
    slack_webhook_url: Any = None
    dead_mans_switch_url: Any = None
    grafana_token: Any = None
    elasticsearch_password: Any = None
    opensearch_password: Any = None
    auth_proxy_password: Any = None

    def search_password(self, engine: str) -> Any:
        """Password of the elasticsearch or opensearch cluster."""
        return self.elasticsearch_password if engine == "elasticsearch" else self.opensearch_password


@dataclass(frozen=True)
class Settings:
    environment: str
    clusters: tuple[KafkaCluster, ...]
    kubernetes_cluster: str
    monitoring_namespace: str
    create_monitoring_namespace: bool
    platform_namespace: str
    enable_alerting: bool
    enable_archive: bool
    enable_grafana: bool
    enable_search_retention: bool
    enable_collection: bool
    enable_pagerduty_critical: bool
    enable_pagerduty_high: bool
    enable_slack: bool
    enable_heartbeat: bool
    scrape_interval: str
    evaluation_interval: str
    prometheus_retention_days: int
    prometheus_storage_size: str
    prometheus_replicas: int
    alertmanager_replicas: int
    kube_prometheus_stack_version: str
    blackbox_exporter_address: str
    blackbox_exporter_chart_version: str
    kafka_exporter_image: str
    managed_control_plane: bool
    heartbeat_interval: str
    plaintext_listener_pattern: str
    pagerduty_events_url: str
    prometheus_url: str
    alertmanager_url: str
    runbook_base_url: str
    alert_group_wait: str
    alert_group_interval: str
    alert_repeat_interval: str
    slack_channel: str
    security_slack_channel: str
    disk_usage_critical_percent: int
    disk_free_warning_percent: int
    broker_request_p99_latency_ms: int
    failed_requests_percent: int
    failed_requests_min_per_minute: int
    consumer_lag_critical: int
    event_failures_per_second: int
    sasl_auth_failures_per_minute: int
    authorization_failures_per_second: int
    cert_expiry_days: int
    low_throughput_events_per_second: int
    combat_p99_latency_ms: int
    combat_p99_critical_latency_ms: int
    memory_usage_percent: int
    cpu_usage_percent: int
    availability_slo_percent: float
    error_rate_slo_percent: float
    grafana_url: str
    security_team: str
    elasticsearch_url: str
    elasticsearch_username: str
    opensearch_url: str
    opensearch_username: str
    opensearch_version: str
    opensearch_deployment: str
    search_service_accounts: tuple[str, ...]
    dashboard_top_n: int
    application_log_retention_days: int
    security_retention_days: int
    application_archive_retention_days: int
    snapshot_schedule: str
    security_snapshot_schedule: str
    read_only_after_days: int
    application_log_shards: int
    security_log_shards: int
    search_replicas: int
    opensearch_append_only: bool
    allow_retention_delete: bool
    adopt_existing_retention: bool
    sasl_brute_force_failures: int
    failures_before_success: int
    protocol_failures: int
    sensitive_topics: tuple[str, ...]
    kibana_url: str
    opensearch_dashboards_url: str
    search_ca_bundle: str
    bucket_prefix: str
    object_lock_mode: str
    object_lock_days: int
    archive_transition_days: int
    snapshot_noncurrent_days: int
    access_log_retention_days: int
    archive_replication: bool
    archive_replica_region: str
    archive_reader_role_arns: tuple[str, ...]
    break_glass_role_arn: str
    eks_oidc_provider_arn: str
    fluent_bit_chart_version: str
    application_log_levels: tuple[str, ...]
    log_output_retry_limit: int
    jaeger_image: str
    jaeger_replicas: int
    trace_storage: str
    trace_index_prefix: str
    trace_retention_days: int
    trace_sampling_rate: float
    trace_sampling_overrides: tuple[tuple[str, str | None, float], ...]
    trace_health_operations: tuple[str, ...]
    jaeger_query_url: str
    enable_network_policies: bool
    trace_sender_namespaces: tuple[str, ...]
    grafana_sources: tuple[str, ...]
    alertmanager_sources: tuple[str, ...]
    security_rollover_primary_shard_gb: int
    security_rollover_max_days: int
    capacity_brokers_per_cluster: int
    capacity_controllers_per_cluster: int
    capacity_topics_per_cluster: int
    capacity_partitions_per_cluster: int
    capacity_replication_factor: int
    capacity_consumer_groups_per_cluster: int
    capacity_topics_per_group: int
    capacity_listeners: int
    capacity_network_threads: int
    capacity_baseline_series: int
    capacity_bytes_per_sample: float
    capacity_application_log_gb_per_day: float
    capacity_security_event_gb_per_day: float
    capacity_trace_spans_per_second: int
    capacity_trace_span_bytes: int
    capacity_archive_gzip_ratio: float
    capacity_fluent_bit_nodes: int
    capacity_elasticsearch_data_nodes: int
    capacity_elasticsearch_disk_gb: int
    capacity_elasticsearch_heap_gb: int
    capacity_opensearch_data_nodes: int
    capacity_opensearch_disk_gb: int
    capacity_opensearch_heap_gb: int
    capacity_max_shards_per_node: int
    capacity_assumed: tuple[str, ...]    # capacity* keys the stack file does not declare: defaults, assumed
    kubernetes_clusters: tuple[KubernetesCluster, ...]
    global_metrics: str
    global_metrics_retention_days: int
    global_metrics_url: str
    global_metrics_tenant: str
    global_metrics_samples_per_second: int
    global_metrics_grafana_role_arn: str
    enable_auth_proxy: bool
    auth_proxy_image: str
    secrets: Secrets
    kubernetes_context: str = ""   # kubernetes:context, the explicit provider's (aws:allowedAccountIds
                                   # is only checked: the AWS provider reads it from the stack itself)
    stack: str = ""                # the stack's name ("" without a context): it qualifies global names
    aws_region: str = ""           # aws:region, where the AMP workspace lives and SigV4 signs for

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    def search_cluster(self, engine: str) -> tuple[str, str]:
        """(url, username) of the elasticsearch or opensearch cluster."""
        if engine == "elasticsearch":
            return self.elasticsearch_url, self.elasticsearch_username
        if engine == "opensearch":
            return self.opensearch_url, self.opensearch_username
        raise ValueError(f"unknown search engine {engine!r}: elasticsearch or opensearch")


def snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _coerce(key: schema.Key, raw: Any) -> Any:
    """Convert a config value (the CLI passes strings; tests may pass Python values) to its type.
    The message never repeats the value: it may be a secret pasted into the wrong key."""
    if key.type == "integer":
        if isinstance(raw, bool) or not re.fullmatch(r"-?[0-9]{1,18}", str(raw).strip()):
            raise ValueError(f"{key.name}: not allowed; allowed: a whole number")
        return int(str(raw))
    if key.type == "boolean":
        if str(raw).lower() not in ("true", "false"):
            raise ValueError(f"{key.name}: not allowed; allowed: true or false")
        return str(raw).lower() == "true"
    if key.type == "array":
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, list):
            raise ValueError(f"{key.name}: not allowed; allowed: a list")
        return value
    if not isinstance(raw, str):
        raise ValueError(f"{key.name}: not allowed; allowed: a string")
    return raw




# Namespaces of the providers this program uses; any other close to the project's name is a typo.
PROVIDER_NAMESPACES = ("aws", "kubernetes", "grafana", "pulumi")


def _unknown(raw: Mapping[str, Any], context: Context | None) -> list[str]:
    declared = list(schema.keys())
    problems = []
    for k in sorted(set(raw) - set(declared)):
        if visible.strip(k) != k:  # named, never echoed: an invisible character looks like nothing
            problems.append(_invisible(k, visible.strip(k), visible.strip(k) in declared))
            continue
        near = difflib.get_close_matches(k, declared, n=1, cutoff=0.6)
        problems.append(f"{k}: unknown setting" + (f"; did you mean {near[0]}?" if near else
                                                    "; see the config section of Pulumi.yaml"))
    project = schema.project_name()
    for full in sorted(context.others if context else ()):
        namespace = full.partition(":")[0]
        if visible.strip(namespace) == project:
            problems.append(_invisible(full, visible.strip(full), visible.strip(full)[len(project) + 1:] in declared))
        elif namespace not in PROVIDER_NAMESPACES and difflib.get_close_matches(namespace, [project], cutoff=0.7):
            problems.append(f"{full}: unknown namespace {namespace!r}; did you mean {project}:?")
    return problems


def _invisible(key: str, bare: str, known: bool) -> str:
    return (f"{visible.visible(key)}: unknown setting: the key contains an invisible character, "
            f"{visible.named(key)}; delete it" + (f" (without it the key is {bare})" if known else ""))


def _plaintext(key: str) -> str:
    return f"{key}: a secret must be set with `pulumi config set --secret {key}`, not as a plain value"


def parse(raw: Mapping[str, Any], secrets: Mapping[str, Any] | None = None,
          context: Context | None = None) -> Settings:
    """Build Settings from raw values keyed as in Pulumi.yaml; missing keys take their defaults.
    With a context (always, under `pulumi`), the stack name, provider pins and secrets are checked too."""
    secrets = secrets or {}
    problems = _unknown(raw, context)
    values: dict[str, Any] = {}
    for key in schema.keys().values():
        if key.secret:
            if key.name in raw:
                problems.append(_plaintext(key.name))
            continue
        value = raw.get(key.name, key.default)
        if value is None:
            problems.append(f"{key.name}: required setting is missing ({key.description})")
            continue
        try:
            values[key.name] = _coerce(key, value)
        except ValueError as err:
            problems.append(str(err))
    if context:
        problems += [_plaintext(k) for k in sorted(context.plaintext_secrets)]
    assumed = tuple(k for k in schema.keys() if k.startswith(CAPACITY) and k not in raw)
    if not problems:
        problems += _validate(values, secrets)
        if values["environment"] == "prod":  # beside the stack checks: a stack wrongly saying prod is named as such
            problems += [f"{k}: required in prod: declare the measured or planned value in the stack file (the "
                         "default is only an assumption)" for k in assumed]
        if context:
            problems += stack_context.context_problems(values, context)
    if problems:
        raise SettingsError(sorted(set(problems), key=problems.index))
    clusters = tuple(parse_cluster(spec, f"clusters[{i}]")[0] for i, spec in enumerate(values["clusters"]))
    kwargs = {snake(k): v for k, v in values.items()}
    kwargs["clusters"] = clusters
    kwargs["kubernetes_clusters"] = tuple(parse_kubernetes_cluster(spec, f"kubernetesClusters[{i}]")[0]
                                          for i, spec in enumerate(values["kubernetesClusters"]))
    kwargs["availability_slo_percent"] = float(values["availabilitySloPercent"])
    kwargs["application_log_levels"] = tuple(values["applicationLogLevels"])
    kwargs["trace_health_operations"] = tuple(values["traceHealthOperations"])
    kwargs["archive_reader_role_arns"] = tuple(values["archiveReaderRoleArns"])
    kwargs["search_service_accounts"] = tuple(values["searchServiceAccounts"])
    kwargs["sensitive_topics"] = tuple(values["sensitiveTopics"])
    kwargs["trace_sampling_rate"] = float(values["traceSamplingRate"])
    kwargs["trace_sampling_overrides"] = tuple(parse_sampling_override(o)[0] for o in values["traceSamplingOverrides"])
    kwargs["error_rate_slo_percent"] = float(values["errorRateSloPercent"])
    for key in ("traceSenderNamespaces", "grafanaSources", "alertmanagerSources"):
        kwargs[snake(key)] = tuple(values[key])
    for key in ("capacityBytesPerSample", "capacityApplicationLogGbPerDay", "capacitySecurityEventGbPerDay",
                "capacityArchiveGzipRatio"):
        kwargs[snake(key)] = float(values[key])
    kwargs["capacity_assumed"] = assumed
    kwargs["secrets"] = Secrets(**{snake(k): v for k, v in secrets.items() if v is not None})
    others = context.others if context else {}
    kwargs["kubernetes_context"] = str(others.get("kubernetes:context") or "")
    kwargs["stack"] = context.stack if context else ""
    kwargs["aws_region"] = str(others.get("aws:region") or "")
    return Settings(**kwargs)


def _validate(v: dict[str, Any], secrets: Mapping[str, Any]) -> list[str]:
    """Each key against its rule (config.fields), then what keys require of each other."""
    problems: list[str] = []
    prod = v["environment"] == "prod"
    table = fields.rules()
    for name, value in v.items():
        rule = table[name]
        if not rule.ok(value):
            problems.append(f"{name}: not allowed; allowed: {rule.allowed}")
        elif prod and rule.prod_ok and not rule.prod_ok(value):
            problems.append(f"{name}: {rule.prod_allowed}")

    def check(ok: bool, key: str, allowed: str) -> None:
        if not ok:
            problems.append(f"{key}: not allowed; {allowed}")

    if prod:
        check(bool(v["eksOidcProviderArn"]) or not (v["enableArchive"] and v["enableCollection"]),
              "eksOidcProviderArn", "prod requires it: security events must reach the locked archive")
        check(v["breakGlassRoleArn"] != "" or not v["enableArchive"], "breakGlassRoleArn",
              "prod requires it: the archive's guards can be changed by nobody else")
    problems += _global_metrics_problems(v)
    problems += placement_problems(v)
    problems += cluster_list_problems(v["clusters"])
    for i, override in enumerate(v["traceSamplingOverrides"]):
        problems += [f"traceSamplingOverrides[{i}]: {e}" for e in parse_sampling_override(override)[1]]
    if isinstance(v["snapshotSchedule"], str):
        problems += [f"snapshotSchedule: {p}" for p in cron.problems(v["snapshotSchedule"])]
    check(v["readOnlyAfterDays"] < min(v["applicationLogRetentionDays"], v["securityRetentionDays"],
                                       v["traceRetentionDays"]),
          "readOnlyAfterDays", "allowed: less than every retention (applicationLog, security, trace)")
    check(v["applicationArchiveRetentionDays"] >= v["applicationLogRetentionDays"], "applicationArchiveRetentionDays",
          "allowed: at least applicationLogRetentionDays (snapshots outlive the indices they archive)")
    if v["opensearchDeployment"] == "amazon-opensearch-service":
        check(fields.opensearch_service_region(v["opensearchUrl"]) is not None, "opensearchUrl",
              "allowed with amazon-opensearch-service: the domain endpoint, https://<domain>.<region>.es.amazonaws.com")
    if v["enableArchive"] and v["enableSearchRetention"]:  # Elasticsearch is always self-managed here
        check(bool(v["eksOidcProviderArn"]), "eksOidcProviderArn",
              "required for snapshots: the search pods assume the snapshot role through it (IRSA)")
    # Who assumes the snapshot role through IRSA (content.archive.snapshot_role_trust): the self-managed
    # search pods, Elasticsearch's always; Amazon OpenSearch Service assumes it as a service. With no
    # service account the role trusts no pod, and ILM's delete phase waits for a snapshot forever.
    if v["enableArchive"] and (v["enableSearchRetention"] or v["opensearchDeployment"] == "self-managed") \
            and not v["searchServiceAccounts"]:
        problems.append("searchServiceAccounts: required with the archive and self-managed search (Elasticsearch "
                        "always is): at least one <namespace>:<service account> of the pods that write snapshots")
    check(v["combatP99CriticalLatencyMs"] > v["combatP99LatencyMs"], "combatP99CriticalLatencyMs",
          "allowed: more than combatP99LatencyMs (critical is the worse of the two)")
    check(v["objectLockDays"] >= v["securityRetentionDays"] or not prod, "objectLockDays",
          "prod requires at least securityRetentionDays (the archive outlives the searchable copy)")
    for a, b in (("alertGroupWait", "alertGroupInterval"), ("alertGroupInterval", "alertRepeatInterval"),
                 ("scrapeInterval", "evaluationInterval")):
        da, db = fields.duration_seconds(v[a]), fields.duration_seconds(v[b])
        if da is not None and db is not None and da > db:
            problems.append(f"{a}: not allowed; allowed: at most {b}")
    for flag, needed in REQUIRED_SECRETS.items():
        if v[flag]:
            problems += [f"{name}: required secret is missing while {flag}"
                         + (f" and {RECEIVER_FLAG[name]} are" if name in RECEIVER_FLAG else " is")
                         + f" true; set it with `pulumi config set --secret {name} ...`"
                         for name in needed if secrets.get(name) is None and v.get(RECEIVER_FLAG.get(name), True)]
    return problems


def _global_metrics_problems(v: dict[str, Any]) -> list[str]:
    """What each global store needs: AMP the cluster's OIDC provider (Prometheus writes through IRSA)
    and, with Grafana, the role Grafana runs as; Mimir its gateway and tenant."""
    problems = []
    if v["globalMetrics"] == "amp":
        if not v["eksOidcProviderArn"]:
            problems.append("eksOidcProviderArn: required with globalMetrics amp: Prometheus assumes its writer role "
                            "through it (IRSA)")
        if v["enableGrafana"] and not v["globalMetricsGrafanaRoleArn"]:
            problems.append("globalMetricsGrafanaRoleArn: required with globalMetrics amp and enableGrafana: the role "
                            "Grafana's server runs as, which alone may query the workspace")
    if v["globalMetrics"] == "mimir":
        for key in ("globalMetricsUrl", "globalMetricsTenant"):
            if not v[key]:
                problems.append(f"{key}: required with globalMetrics mimir")
    return problems


def _rate(text: Any) -> float | None:
    try:
        rate = float(text)
    except (TypeError, ValueError):
        return None
    return rate if 0 <= rate <= 1 else None


def parse_sampling_override(text: Any) -> tuple[tuple[str, str | None, float] | None, list[str]]:
    """'<service>=<rate>' or '<service>:<operation>=<rate>' -> (service, operation or None, rate)."""
    target, sep, rate = str(text).rpartition("=")
    service, _, operation = target.partition(":")
    if not sep or not service or _rate(rate) is None:
        return None, [f"{text!r} is not allowed; expected '<service>=<rate>' or '<service>:<operation>=<rate>' "
                      "with a rate from 0 to 1"]
    return (service, operation or None, float(rate)), []


def stack_file_keys(stack: str) -> frozenset[str] | None:
    """The keys `Pulumi.<stack>.yaml` in the project's root (as the engine names it) sets, without the project's namespace; None
    where there is no such file (config kept elsewhere: then every value counts as declared)."""
    path = Path(pulumi.runtime.get_root_directory() or schema.PROJECT_FILE.parent) / f"Pulumi.{stack}.yaml"
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError):
        return None
    prefix = schema.project_name() + ":"
    return frozenset(str(k).removeprefix(prefix) for k in (doc.get("config") or {}))


def _declared_capacity_only(raw: dict[str, Any], stack_keys: frozenset[str] | None) -> dict[str, Any]:
    """The CLI hands the program Pulumi.yaml's defaults as if the stack set them (pulumi/pulumi
    pkg/workspace/config.go mergeConfig), so a capacity input the stack file leaves out would look
    declared, and prod's "declare your sizing" never fire under `pulumi up`, while the preview (which
    reads the stack file) refuses it. Left out of the stack file, it is left out here: parse() gives it
    its default and marks it assumed, exactly as the preview does."""
    if stack_keys is None:
        return raw
    return {k: v for k, v in raw.items() if not k.startswith(CAPACITY) or k in stack_keys}


def load() -> Settings:
    """Read this stack's config as the engine passed it; secrets stay secret Outputs."""
    from pulumi.runtime import config as runtime_config

    every = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = schema.project_name() + ":"
    raw = {k[len(prefix):]: v for k, v in every.items() if k.startswith(prefix)}
    raw = _declared_capacity_only(raw, stack_file_keys(pulumi.get_stack()))
    declared = schema.keys()
    # An optional secret left unset arrives as its empty default, in plain text: unset, not a leak.
    plaintext = frozenset(k for k in raw if k in declared and declared[k].secret and raw[k] != ""
                          and not runtime_config.is_config_secret(prefix + k))
    unset = {k for k, v in raw.items() if v == ""}
    raw = {k: v for k, v in raw.items() if not (k in declared and declared[k].secret)}
    config = pulumi.Config()
    secrets = {k.name: None if k.name in unset else config.get_secret(k.name) for k in declared.values() if k.secret}
    others = {k: v for k, v in every.items() if not k.startswith(prefix)}
    return parse(raw, secrets, Context(pulumi.get_stack(), others, plaintext))
