"""Typed, validated stack settings.

`parse` turns raw config values (keys and defaults from Pulumi.yaml) into `Settings`, or raises
`SettingsError` listing every problem at once. `load` reads them from `pulumi.Config`.
Nothing here registers a resource, so a refused config registers nothing.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

import pulumi
from pulumi.errors import RunError

from config import schema
from config.clusters import KafkaCluster, parse_cluster, resolvable_target

ENVIRONMENTS = ("dev", "staging", "prod")
LOCK_MODES = ("COMPLIANCE", "GOVERNANCE")
TRACE_STORAGES = ("elasticsearch", "opensearch")
SEVEN_YEARS_DAYS = 2557  # 7 x 365 + 2 leap days
_DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
_SIZE = re.compile(r"^[0-9]+(Mi|Gi|Ti)$")
# Secrets and the component that cannot run without them.
REQUIRED_SECRETS = {
    "enableAlerting": ("pagerdutyCriticalKey", "pagerdutyHighKey", "slackWebhookUrl", "deadMansSwitchUrl"),
    "enableGrafana": ("grafanaToken", "elasticsearchPassword", "opensearchPassword"),
    "enableSearchRetention": ("elasticsearchPassword", "opensearchPassword"),
    "enableCollection": ("elasticsearchPassword", "opensearchPassword"),
}


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

    def search_password(self, engine: str) -> Any:
        """Password of the elasticsearch or opensearch cluster."""
        return self.elasticsearch_password if engine == "elasticsearch" else self.opensearch_password


@dataclass(frozen=True)
class Settings:
    environment: str
    clusters: tuple[KafkaCluster, ...]
    kubernetes_cluster: str
    monitoring_namespace: str
    platform_namespace: str
    enable_alerting: bool
    enable_archive: bool
    enable_grafana: bool
    enable_search_retention: bool
    enable_collection: bool
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
    dashboard_top_n: int
    application_log_retention_days: int
    security_retention_days: int
    application_archive_retention_days: int
    snapshot_schedule: str
    read_only_after_days: int
    application_log_shards: int
    security_log_shards: int
    search_replicas: int
    opensearch_append_only: bool
    allow_retention_delete: bool
    adopt_existing_retention: bool
    search_ca_bundle: str
    bucket_prefix: str
    object_lock_mode: str
    object_lock_days: int
    archive_transition_days: int
    snapshot_noncurrent_days: int
    access_log_retention_days: int
    archive_replication: bool
    archive_replica_region: str
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
    secrets: Secrets

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    def search_cluster(self, engine: str) -> tuple[str, str]:
        """(url, username) of the elasticsearch or opensearch cluster."""
        if engine == "elasticsearch":
            return self.elasticsearch_url, self.elasticsearch_username
        return self.opensearch_url, self.opensearch_username


def snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _coerce(key: schema.Key, raw: Any) -> Any:
    """Convert a config value (the CLI passes strings; tests may pass Python values) to its type."""
    if key.type == "integer":
        if isinstance(raw, bool) or not re.fullmatch(r"-?[0-9]+", str(raw).strip()):
            raise ValueError(f"{key.name}: {raw!r} is not an integer")
        return int(str(raw))
    if key.type == "boolean":
        if str(raw).lower() not in ("true", "false"):
            raise ValueError(f"{key.name}: {raw!r} is not a boolean (true or false)")
        return str(raw).lower() == "true"
    if key.type == "array":
        try:
            value = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            value = None
        if not isinstance(value, list):
            raise ValueError(f"{key.name}: {raw!r} is not a list")
        return value
    if not isinstance(raw, str):
        raise ValueError(f"{key.name}: {raw!r} is not a string")
    return raw


def parse(raw: Mapping[str, Any], secrets: Mapping[str, Any] | None = None) -> Settings:
    """Build Settings from raw values keyed as in Pulumi.yaml; missing keys take their defaults."""
    secrets = secrets or {}
    problems: list[str] = []
    unknown = sorted(set(raw) - set(schema.keys()))
    problems += [f"{k}: unknown setting; allowed: see Pulumi.yaml config" for k in unknown]
    values: dict[str, Any] = {}
    for key in schema.keys().values():
        if key.secret:
            continue
        value = raw.get(key.name, key.default)
        if value is None:
            problems.append(f"{key.name}: required setting is missing ({key.description})")
            continue
        try:
            values[key.name] = _coerce(key, value)
        except ValueError as err:
            problems.append(str(err))
    if not problems:
        problems += _validate(values, secrets)
    if problems:
        raise SettingsError(problems)
    clusters = tuple(parse_cluster(spec, f"clusters[{i}]")[0] for i, spec in enumerate(values["clusters"]))
    kwargs = {snake(k): v for k, v in values.items()}
    kwargs["clusters"] = clusters
    kwargs["availability_slo_percent"] = float(values["availabilitySloPercent"])
    kwargs["application_log_levels"] = tuple(values["applicationLogLevels"])
    kwargs["trace_health_operations"] = tuple(values["traceHealthOperations"])
    kwargs["trace_sampling_rate"] = float(values["traceSamplingRate"])
    kwargs["trace_sampling_overrides"] = tuple(parse_sampling_override(o)[0] for o in values["traceSamplingOverrides"])
    kwargs["error_rate_slo_percent"] = float(values["errorRateSloPercent"])
    kwargs["secrets"] = Secrets(**{snake(k): v for k, v in secrets.items() if v is not None})
    return Settings(**kwargs)


def _validate(v: dict[str, Any], secrets: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    env = v["environment"]
    prod = env == "prod"

    def check(ok: bool, key: str, allowed: str) -> None:
        if not ok:
            problems.append(f"{key}: {v[key]!r} is not allowed; {allowed}")

    check(env in ENVIRONMENTS, "environment", f"allowed: {', '.join(ENVIRONMENTS)}")
    for key in v:
        if key.endswith("Days") or key.endswith("Replicas"):
            check(v[key] > 0, key, "allowed: a positive whole number")
        if key.endswith("Percent") and isinstance(v[key], int):
            check(0 < v[key] <= 100, key, "allowed: 1 to 100")
        if key.endswith("Url"):
            check(re.match(r"^https?://[^\s/]+", v[key]) is not None, key, "allowed: an http(s) URL")
            if prod:
                check(v[key].startswith("https://"), key, "prod endpoints must be https:// URLs")
        if key.endswith("Interval") or key in ("alertGroupWait",):
            check(_DURATION.match(v[key]) is not None, key, "allowed: a Prometheus duration such as 15s, 5m or 1h")
    for key in ("consumerLagCritical", "eventFailuresPerSecond", "saslAuthFailuresPerMinute",
                "authorizationFailuresPerSecond", "certExpiryDays", "lowThroughputEventsPerSecond",
                "combatP99LatencyMs", "brokerRequestP99LatencyMs", "combatP99CriticalLatencyMs"):
        check(v[key] > 0, key, "allowed: a positive whole number")
    for key in ("availabilitySloPercent", "errorRateSloPercent"):
        try:
            ok = 0 < float(v[key]) < 100
        except ValueError:
            ok = False
        check(ok, key, "allowed: a number of percent strictly between 0 and 100, such as \"99.9\"")
    try:
        re.compile(v["plaintextListenerPattern"])
    except re.error as err:
        problems.append(f"plaintextListenerPattern: {v['plaintextListenerPattern']!r} is not a valid regex ({err})")
    if v["blackboxExporterAddress"]:
        why = resolvable_target(v["blackboxExporterAddress"])
        if why:
            problems.append(f"blackboxExporterAddress: {why}")
    if v["eksOidcProviderArn"]:
        check(re.fullmatch(r"arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/[^\s]+", v["eksOidcProviderArn"]) is not None,
              "eksOidcProviderArn", "allowed: arn:aws:iam::<12-digit account>:oidc-provider/<issuer>")
    if v["breakGlassRoleArn"]:
        check(re.fullmatch(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+", v["breakGlassRoleArn"]) is not None,
              "breakGlassRoleArn", "allowed: arn:aws:iam::<12-digit account>:role/<name>")
    if prod:
        check(v["archiveReplication"], "archiveReplication", "prod requires the offsite replica (true)")
        check(bool(v["eksOidcProviderArn"]) or not (v["enableArchive"] and v["enableCollection"]),
              "eksOidcProviderArn", "prod requires it: security events must reach the locked archive")
    check(_SIZE.match(v["prometheusStorageSize"]) is not None, "prometheusStorageSize", "allowed: a size such as 200Gi")
    check(v["objectLockMode"] in LOCK_MODES, "objectLockMode", f"allowed: {', '.join(LOCK_MODES)}")
    if prod:
        check(v["objectLockMode"] == "COMPLIANCE", "objectLockMode",
              "prod requires COMPLIANCE (GOVERNANCE locks can be bypassed)")
        for key in ("securityRetentionDays", "objectLockDays"):
            check(v[key] >= SEVEN_YEARS_DAYS, key, f"prod requires at least {SEVEN_YEARS_DAYS} days (7 years)")
    problems += _validate_clusters(v["clusters"])
    check(v["traceStorage"] in TRACE_STORAGES, "traceStorage", f"allowed: {', '.join(TRACE_STORAGES)}")
    check(_rate(v["traceSamplingRate"]) is not None, "traceSamplingRate", "allowed: a number from 0 to 1")
    for i, override in enumerate(v["traceSamplingOverrides"]):
        problems += [f"traceSamplingOverrides[{i}]: {e}" for e in parse_sampling_override(override)[1]]
    check(bool(v["applicationLogLevels"]) and all(re.fullmatch(r"[A-Z]+", str(x)) for x in v["applicationLogLevels"]),
          "applicationLogLevels", "allowed: a non-empty list of upper-case level names such as WARN")
    for key in ("applicationLogShards", "securityLogShards"):
        check(1 <= v[key] <= 64, key, "allowed: 1 to 64")
    check(v["searchReplicas"] >= 0, "searchReplicas", "allowed: 0 or more")
    check(len(v["snapshotSchedule"].split()) in (6, 7), "snapshotSchedule",
          "allowed: an Elasticsearch cron expression such as '0 30 1 * * ?'")
    check(1 <= v["readOnlyAfterDays"] < min(v["applicationLogRetentionDays"], v["securityRetentionDays"]),
          "readOnlyAfterDays", "allowed: 1 day or more, and less than every retention")
    check(v["applicationArchiveRetentionDays"] >= v["applicationLogRetentionDays"], "applicationArchiveRetentionDays",
          "allowed: at least applicationLogRetentionDays (snapshots outlive the indices they archive)")
    check(re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", v["opensearchVersion"]) is not None, "opensearchVersion",
          "allowed: a version such as 2.17.0")
    check(1 <= v["dashboardTopN"] <= 20, "dashboardTopN", "allowed: 1 to 20 series")
    check(0 <= v["logOutputRetryLimit"] <= 100, "logOutputRetryLimit", "allowed: 0 to 100 (bounded retries)")
    for flag, needed in REQUIRED_SECRETS.items():
        if v[flag]:
            problems += [f"{name}: required secret is missing while {flag} is true; set it with "
                         f"`pulumi config set --secret {name} ...`" for name in needed if secrets.get(name) is None]
    return sorted(set(problems), key=problems.index)


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


def _validate_clusters(specs: list[Any]) -> list[str]:
    if not specs:
        return ["clusters: the list is empty; allowed: at least one cluster spec"]
    problems: list[str] = []
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        cluster, errors = parse_cluster(spec, f"clusters[{i}]")
        problems += errors
        if cluster and cluster.name in seen:
            problems.append(f"clusters[{i}]: cluster name {cluster.name!r} is duplicated; allowed: unique names")
        if cluster:
            seen.add(cluster.name)
    return problems


def load() -> Settings:
    """Read every declared key from this stack's config; secrets stay secret Outputs."""
    config = pulumi.Config()
    raw = {k.name: config.get(k.name) for k in schema.keys().values() if not k.secret}
    raw = {k: v for k, v in raw.items() if v is not None}
    secrets = {k.name: config.get_secret(k.name) for k in schema.keys().values() if k.secret}
    return parse(raw, secrets)

