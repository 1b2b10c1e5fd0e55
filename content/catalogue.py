"""Every metric the rules and dashboards may read, with the exporter that emits it.

Source: ../shared/reference/metric-catalogue.md (Strimzi JMX rule naming, kafka_exporter,
kubelet, blackbox_exporter, and the platform's own metrics). Nothing else names a raw metric.
"""
from __future__ import annotations

# Scrape job names, shared by scrape configs, rules and dashboards.
JOB_BROKER = "kafka-broker"
JOB_CONTROLLER = "kafka-controller"
JOB_ZOOKEEPER = "kafka-zookeeper"
JOB_LAG = "kafka-exporter"
JOB_TLS_PROBE = "kafka-tls-probe"
JOB_EVENTS = "kafka-event-core"
JOB_GATEWAY = "realtime-gateway"
JOB_BLACKBOX = "blackbox-exporter"
JOB_KUBELET = "kubelet"                    # kube-prometheus-stack's kubelet ServiceMonitor
JOB_KUBE_STATE_METRICS = "kube-state-metrics"  # kube-prometheus-stack's kube-state-metrics
JOB_FLUENT_BIT = "fluent-bit"
JOB_JAEGER = "jaeger"
KAFKA_JVM_JOBS = f"{JOB_BROKER}|{JOB_CONTROLLER}"
CLUSTER_LABEL = "kafka_cluster"

METRICS: dict[str, str] = {
    "up": "Prometheus",
    # kafka_exporter
    "kafka_consumergroup_lag": "kafka_exporter",
    "kafka_consumergroup_lag_sum": "kafka_exporter",
    "kafka_consumergroup_members": "kafka_exporter",
    "kafka_consumergroup_current_offset_sum": "kafka_exporter",
    # kubelet / node_exporter
    "kubelet_volume_stats_used_bytes": "kubelet",
    "kubelet_volume_stats_capacity_bytes": "kubelet",
    "kubelet_volume_stats_available_bytes": "kubelet",
    "node_filesystem_avail_bytes": "node_exporter",
    "node_filesystem_size_bytes": "node_exporter",
    "node_network_receive_bytes_total": "node_exporter",
    "node_network_transmit_bytes_total": "node_exporter",
    "container_cpu_usage_seconds_total": "cAdvisor",
    # kube-state-metrics (kubernetes/kube-state-metrics docs/metrics/workload/pod-metrics.md)
    "kube_pod_container_status_restarts_total": "kube-state-metrics",
    "kube_pod_container_status_waiting_reason": "kube-state-metrics",
    # JMX exporter, Strimzi rules
    "kafka_server_socket_server_metrics_failed_authentication_total": "JMX exporter",
    "kafka_server_socket_server_metrics_successful_authentication_total": "JMX exporter",
    "kafka_server_socket_server_metrics_connection_count": "JMX exporter",
    # Strimzi names it ..._connections_tls_info; client_java strips the reserved `_info` from a gauge.
    "kafka_server_socket_server_metrics_connections_tls": "JMX exporter",
    "kafka_network_requestmetrics_errors_total": "JMX exporter",
    "kafka_network_requestmetrics_totaltimems": "JMX exporter",
    "kafka_network_requestmetrics_requestqueuetimems": "JMX exporter",
    "kafka_network_requestmetrics_localtimems": "JMX exporter",
    "kafka_network_requestmetrics_throttletimems": "JMX exporter",
    "jvm_memory_used_bytes": "JMX exporter",
    "jvm_memory_max_bytes": "JMX exporter",
    "process_cpu_seconds_total": "JMX exporter",
    "jvm_gc_collection_seconds_sum": "JMX exporter",
    "jvm_gc_collection_seconds_count": "JMX exporter",
    "kafka_controller_kafkacontroller_activecontrollercount": "JMX exporter",
    "kafka_controller_kafkacontroller_offlinepartitionscount": "JMX exporter",
    "kafka_controller_kafkacontroller_fencedbrokercount": "JMX exporter",
    "kafka_server_replicamanager_underreplicatedpartitions": "JMX exporter",
    "kafka_server_replicamanager_underminisrpartitioncount": "JMX exporter",
    "kafka_server_replicamanager_isrshrinks_total": "JMX exporter",
    "kafka_server_replicamanager_isrexpands_total": "JMX exporter",
    "kafka_controller_controllerstats_uncleanleaderelections_total": "JMX exporter",
    "kafka_log_logmanager_offlinelogdirectorycount": "JMX exporter",
    "kafka_server_brokertopicmetrics_messagesin_total": "JMX exporter",
    "kafka_server_brokertopicmetrics_bytesin_total": "JMX exporter",
    "kafka_server_brokertopicmetrics_bytesout_total": "JMX exporter",
    "kafka_server_brokertopicmetrics_totalproducerequests_total": "JMX exporter",
    "kafka_server_brokertopicmetrics_totalfetchrequests_total": "JMX exporter",
    "kafka_server_brokertopicmetrics_failedproducerequests_total": "JMX exporter",
    "kafka_server_brokertopicmetrics_failedfetchrequests_total": "JMX exporter",
    "kafka_server_raftmetrics_current_state": "JMX exporter",
    "kafka_server_raftmetrics_commit_latency_avg": "JMX exporter",
    # blackbox_exporter
    "probe_ssl_earliest_cert_expiry": "blackbox_exporter",
    "probe_success": "blackbox_exporter",
    # the platform's own metrics
    "kafka_events_processed_total": "application",
    "kafka_event_processing_duration_seconds_bucket": "application",
    "kafka_event_processing_duration_seconds_count": "application",
    "kafka_event_processing_failures_total": "application",
    "rate_limit_hits_total": "application",
    "realtime_gateway_udp_packets_received_total": "application",
    "realtime_gateway_spatial_grid_size": "application",
    # log and trace pipeline
    "fluentbit_output_retries_failed_total": "Fluent Bit",
    "fluentbit_output_dropped_records_total": "Fluent Bit",
    "ALERTS": "Prometheus",
}

# Bucket boundaries of kafka_event_processing_duration_seconds, from the design document.
EVENT_DURATION_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0)


def kafka_namespaces(clusters) -> str:
    """A regex of the namespaces the Kafka pods and volumes live in: the clusters' own."""
    return "|".join(sorted({c.namespace for c in clusters}))


def kafka_pods(clusters) -> str:
    """The selector of the Kafka containers in kube-state-metrics' series."""
    return f'container="kafka",namespace=~"{kafka_namespaces(clusters)}"'


def slo_bucket(target_seconds: float) -> float:
    """The largest histogram boundary at or below a latency target: counts good events conservatively."""
    below = [b for b in EVENT_DURATION_BUCKETS if b <= target_seconds]
    if not below:
        raise ValueError(f"no histogram bucket at or below {target_seconds}s")
    return below[-1]
