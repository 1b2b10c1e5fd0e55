"""Each component's own section of the settings (its props): only the keys it reads.

A component, and the content functions it calls, get their section, never the whole `Settings`,
so that what a component depends on is written down here and a stray read fails at once. The
field types are the Settings fields' own (one source of truth).
"""
from __future__ import annotations

from dataclasses import fields, make_dataclass, replace
from typing import Any

from config.settings import Settings


class Section:
    """What every section offers: built from Settings, prod-ness, and the search clusters' endpoints."""
    environment: str

    @classmethod
    def of(cls, s: Settings) -> Any:
        return cls(**{f.name: getattr(s, f.name) for f in fields(cls)})

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    def search_cluster(self, engine: str) -> tuple[str, str]:
        return Settings.search_cluster(self, engine)  # type: ignore[arg-type]  (same four fields)


_TYPES = {f.name: f.type for f in fields(Settings)}
_SEARCH = ("elasticsearch_url", "elasticsearch_username", "opensearch_url", "opensearch_username")


def _section(name: str, keys: str, *groups: tuple[str, ...]) -> type:
    names = sorted({"environment", *keys.split(), *(k for g in groups for k in g)})
    return make_dataclass(name, [(n, _TYPES[n]) for n in names], bases=(Section,), frozen=True)


AlertingArgs = _section("AlertingArgs", """
    clusters kubernetes_cluster monitoring_namespace platform_namespace secrets
    scrape_interval evaluation_interval prometheus_retention_days prometheus_storage_size prometheus_replicas
    alertmanager_replicas kube_prometheus_stack_version blackbox_exporter_address blackbox_exporter_chart_version
    kafka_exporter_image managed_control_plane heartbeat_interval plaintext_listener_pattern pagerduty_events_url prometheus_url
    alertmanager_url grafana_url jaeger_query_url runbook_base_url dashboard_top_n
    alert_group_wait alert_group_interval alert_repeat_interval slack_channel security_slack_channel
    enable_pagerduty_critical enable_pagerduty_high enable_slack enable_heartbeat
    disk_usage_critical_percent disk_free_warning_percent broker_request_p99_latency_ms consumer_lag_critical
    failed_requests_percent failed_requests_min_per_minute
    event_failures_per_second sasl_auth_failures_per_minute authorization_failures_per_second cert_expiry_days
    low_throughput_events_per_second combat_p99_latency_ms combat_p99_critical_latency_ms memory_usage_percent
    cpu_usage_percent availability_slo_percent error_rate_slo_percent enable_auth_proxy auth_proxy_image
    kubernetes_clusters
""", ("global_metrics", "global_metrics_url", "global_metrics_tenant", "global_metrics_samples_per_second",
      "aws_region"))
ArchiveArgs = _section("ArchiveArgs", """
    bucket_prefix object_lock_mode object_lock_days archive_transition_days snapshot_noncurrent_days
    access_log_retention_days archive_replication archive_replica_region archive_reader_role_arns break_glass_role_arn
    eks_oidc_provider_arn monitoring_namespace opensearch_deployment search_service_accounts stack
    kubernetes_cluster kubernetes_clusters enable_collection
""")
RetentionArgs = _section("RetentionArgs", """
    application_log_retention_days security_retention_days application_archive_retention_days snapshot_schedule
    security_snapshot_schedule
    read_only_after_days application_log_shards security_log_shards search_replicas opensearch_append_only
    security_rollover_primary_shard_gb security_rollover_max_days
    allow_retention_delete adopt_existing_retention search_ca_bundle trace_storage trace_index_prefix
    trace_retention_days opensearch_deployment
    alertmanager_url grafana_url runbook_base_url
    sasl_brute_force_failures failures_before_success protocol_failures sensitive_topics
    kibana_url opensearch_dashboards_url application_log_levels
""", _SEARCH)
CollectionArgs = _section("CollectionArgs", """
    clusters monitoring_namespace platform_namespace secrets bucket_prefix stack fluent_bit_chart_version
    application_log_levels log_output_retry_limit security_retention_days jaeger_image jaeger_replicas
    jaeger_query_url trace_storage trace_index_prefix trace_retention_days trace_sampling_rate
    trace_sampling_overrides trace_health_operations kubernetes_cluster
""", _SEARCH)
GrafanaArgs = _section("GrafanaArgs", """
    grafana_url prometheus_url alertmanager_url jaeger_query_url opensearch_version scrape_interval runbook_base_url
    clusters
    dashboard_top_n security_team secrets enable_auth_proxy
""", _SEARCH, ("global_metrics", "global_metrics_url", "global_metrics_tenant", "aws_region"))
NetworkArgs = _section("NetworkArgs", """
    clusters kubernetes_cluster monitoring_namespace platform_namespace trace_sender_namespaces grafana_sources alertmanager_sources
    blackbox_exporter_address pagerduty_events_url trace_storage managed_control_plane enable_auth_proxy
""", _SEARCH)
_CAPACITY = tuple(f.name for f in fields(Settings) if f.name.startswith("capacity_"))
CapacityArgs = _section("CapacityArgs", """
    clusters scrape_interval prometheus_retention_days prometheus_storage_size prometheus_replicas
    enable_alerting enable_archive enable_search_retention enable_collection
    application_log_retention_days application_log_shards security_retention_days security_log_shards
    search_replicas security_rollover_primary_shard_gb security_rollover_max_days trace_storage trace_index_prefix
    trace_retention_days trace_sampling_rate archive_transition_days archive_replication object_lock_days
    kubernetes_cluster kubernetes_clusters global_metrics global_metrics_retention_days
    global_metrics_samples_per_second
""", _CAPACITY)
GlobalMetricsArgs = _section("GlobalMetricsArgs", """
    global_metrics global_metrics_retention_days global_metrics_url global_metrics_tenant
    global_metrics_grafana_role_arn eks_oidc_provider_arn monitoring_namespace kubernetes_cluster stack aws_region
    kubernetes_clusters
""")


def scoped(args: Any, kubernetes_cluster: str) -> Any:
    """A section for one Kubernetes cluster of the stack: its name as the `cluster` label, and only the
    Kafka clusters it scrapes (`k8s=`, the stack's own cluster by default)."""
    home = args.kubernetes_cluster
    return replace(args, kubernetes_cluster=kubernetes_cluster,
                   clusters=tuple(c for c in args.clusters if (c.k8s or home) == kubernetes_cluster))
