"""Stack outputs: the contract other teams read with `pulumi stack output` or a StackReference.

Renaming or retyping an output breaks consumers: bump CONTRACT_VERSION and say so in the README.
"""
from __future__ import annotations

from typing import Any


from content.data_classes import APPLICATION, SECURITY
from config.settings import Settings

CONTRACT_VERSION = "1"

# name -> (type, meaning). A None value is dropped by the SDK's serialisation (pulumi/runtime/rpc.py
# serialize_properties: "properties that serialize to None" do not exist), so an output whose
# resource the stack does not have is absent, not null: ABSENT_WHEN says when.
OUTPUTS: dict[str, tuple[str, str]] = {
    "contract_version": ("string", "Version of this output contract."),
    "environment": ("string", "dev, staging or prod."),
    "kafka_clusters": ("list[string]", "Names of the monitored Kafka clusters."),
    "prometheus_url": ("string", "Prometheus URL."),
    "alertmanager_url": ("string", "Alertmanager URL."),
    "monitoring_namespace": ("string", "Kubernetes namespace of Prometheus and Alertmanager."),
    "archive_bucket": ("string", "Compliance archive bucket (security events, audit logs; Object Lock)."),
    "archive_bucket_arn": ("string", "ARN of the compliance archive bucket."),
    "archive_replica_bucket": ("string", "Offsite replica of the compliance archive."),
    "archive_replica_bucket_arn": ("string", "ARN of the offsite replica."),
    "snapshot_bucket": ("string", "Elasticsearch/OpenSearch snapshot repository bucket."),
    "snapshot_bucket_arn": ("string", "ARN of the snapshot repository bucket."),
    "snapshot_role_arn": ("string", "IAM role the search clusters assume to write snapshots."),
    "access_log_bucket": ("string", "Bucket receiving S3 server access logs."),
    "archive_kms_key_arn": ("string", "KMS key encrypting the compliance archive."),
    "snapshot_kms_key_arn": ("string", "KMS key encrypting the snapshot repository bucket."),
    "archive_writer_role_arn": ("string", "IAM role Fluent Bit assumes to write security events into the archive."),
    "replica_kms_key_arn": ("string", "KMS key of the offsite replica."),
    "jaeger_otlp_grpc_endpoint": ("string", "OTLP/gRPC trace endpoint (host:port) for the platform's services."),
    "jaeger_otlp_http_endpoint": ("string", "OTLP/HTTP trace endpoint URL."),
    "jaeger_query_url": ("string", "Jaeger query UI URL."),
    "log_index_patterns": ("map[string,string]", "Index patterns: application logs and security events."),
    "grafana_folder_uids": ("map[string,string]", "Grafana folder UIDs by title (Kafka, Security, Incident Response)."),
    "grafana_dashboard_urls": ("map[string,string]", "Dashboard URLs by dashboard UID."),
    "grafana_datasource_uids": ("map[string,string]", "Datasource UIDs: prometheus, alertmanager, elasticsearch, opensearch, jaeger; global with globalMetrics."),
    "global_metrics_remote_write_url": ("string", "Remote-write URL of the global metrics store (AMP workspace or Mimir push endpoint)."),
    "global_metrics_query_url": ("string", "Prometheus-compatible query URL of the global metrics store."),
    "global_metrics_writer_role_arn": ("string", "IAM role Prometheus assumes (IRSA) to write into the AMP workspace."),
}
_NO_ARCHIVE = "enableArchive is false"
_NO_REPLICA = "enableArchive or archiveReplication is false"
ABSENT_WHEN: dict[str, str] = {
    "prometheus_url": "enableAlerting is false",
    "alertmanager_url": "enableAlerting is false",
    **{name: _NO_ARCHIVE for name in ("archive_bucket", "archive_bucket_arn", "snapshot_bucket", "snapshot_bucket_arn",
                                      "snapshot_role_arn", "access_log_bucket", "archive_kms_key_arn",
                                      "snapshot_kms_key_arn")},
    **{name: _NO_REPLICA for name in ("archive_replica_bucket", "archive_replica_bucket_arn", "replica_kms_key_arn")},
    "archive_writer_role_arn": ("enableArchive is false or no Fluent Bit writes through an OIDC provider "
                                "(eksOidcProviderArn, or with enableCollection a kubernetesClusters oidc=)"),
    **{name: "enableCollection is false" for name in ("jaeger_otlp_grpc_endpoint", "jaeger_otlp_http_endpoint",
                                                       "jaeger_query_url")},
    **{name: "enableGrafana is false" for name in ("grafana_folder_uids", "grafana_dashboard_urls",
                                                    "grafana_datasource_uids")},
    "global_metrics_remote_write_url": "globalMetrics is none",
    "global_metrics_query_url": "globalMetrics is none",
    "global_metrics_writer_role_arn": "globalMetrics is not amp",
}


def of(platform: Any, s: Settings) -> dict[str, Any]:
    alerting, archive, collection = platform.alerting, platform.archive, platform.collection

    def arch(attr: str):
        return getattr(archive, attr) if archive else None

    def coll(attr: str):
        return getattr(collection, attr) if collection else None

    def graf(attr: str):
        return getattr(platform.grafana, attr) if platform.grafana else None

    def glob(attr: str):
        return getattr(platform.global_metrics, attr) if platform.global_metrics else None

    return {
        "contract_version": CONTRACT_VERSION,
        "environment": s.environment,
        "kafka_clusters": [c.name for c in s.clusters],
        "prometheus_url": alerting.prometheus_url if alerting else None,
        "alertmanager_url": alerting.alertmanager_url if alerting else None,
        "monitoring_namespace": alerting.namespace if alerting else s.monitoring_namespace,
        "archive_bucket": arch("archive_bucket"),
        "archive_bucket_arn": arch("archive_bucket_arn"),
        "archive_replica_bucket": arch("replica_bucket"),
        "archive_replica_bucket_arn": arch("replica_bucket_arn"),
        "snapshot_bucket": arch("snapshot_bucket"),
        "snapshot_bucket_arn": arch("snapshot_bucket_arn"),
        "snapshot_role_arn": arch("snapshot_role_arn"),
        "access_log_bucket": arch("access_log_bucket"),
        "archive_kms_key_arn": arch("archive_key_arn"),
        "snapshot_kms_key_arn": arch("snapshot_key_arn"),
        "archive_writer_role_arn": arch("writer_role_arn"),
        "replica_kms_key_arn": arch("replica_key_arn"),
        "jaeger_otlp_grpc_endpoint": coll("jaeger_otlp_grpc_endpoint"),
        "jaeger_otlp_http_endpoint": coll("jaeger_otlp_http_endpoint"),
        "jaeger_query_url": coll("jaeger_query_url"),
        "log_index_patterns": {c.key: c.index_patterns(s)[0] for c in (APPLICATION, SECURITY)},
        "grafana_folder_uids": graf("folder_uids"),
        "grafana_dashboard_urls": graf("dashboard_urls"),
        "grafana_datasource_uids": graf("datasource_uids"),
        "global_metrics_remote_write_url": glob("remote_write_url"),
        "global_metrics_query_url": glob("query_url"),
        "global_metrics_writer_role_arn": glob("writer_role_arn"),
    }
