"""Native Prometheus scrape_configs: Kafka per cluster, lag, TLS probes, pods, nodes and kubelets."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from content.catalogue import (CLUSTER_LABEL, JOB_BROKER, JOB_CONTROLLER, JOB_EVENTS, JOB_FLUENT_BIT, JOB_GATEWAY,
                               JOB_JAEGER, JOB_KUBELET, JOB_LAG, JOB_NODE, JOB_TLS_PROBE, JOB_ZOOKEEPER)

if TYPE_CHECKING:
    from config.clusters import KafkaCluster
    from config.settings import Settings

EVENT_CORE_APP = "kafka-event-driven-core"
GATEWAY_APP = "realtime-gateway"
KAFKA_EXPORTER_PORT = 9308
SA_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
SA_CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"


def kafka_exporter_target(c: "KafkaCluster") -> str:
    return f"{c.name}-kafka-exporter.{c.namespace}.svc:{KAFKA_EXPORTER_PORT}"  # Strimzi's KafkaExporter service


def _timeout(s: "Settings") -> str:
    """The design document's 10 s, but never longer than the interval (Prometheus refuses that)."""
    seconds = sum(int(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}[u]
                  for n, u in re.findall(r"([0-9]+)(ms|s|m|h|d|w|y)", s.scrape_interval))
    return "10s" if seconds >= 10 else s.scrape_interval


def _static(job: str, groups: list[tuple[str, tuple[str, ...]]], s: "Settings", **extra) -> dict | None:
    static = [{"targets": list(targets), "labels": {CLUSTER_LABEL: name}} for name, targets in groups if targets]
    if not static:
        return None
    return {"job_name": job, "scrape_interval": s.scrape_interval, "scrape_timeout": _timeout(s),
            "metrics_path": "/metrics", "static_configs": static, **extra}


def _pods(job: str, namespace: str, label: str, value: str, s: "Settings", path: str = "/metrics",
          port: int | None = None) -> dict:
    relabel = [
        {"source_labels": [f"__meta_kubernetes_pod_label_{label}"], "regex": value, "action": "keep"},
        {"source_labels": ["__meta_kubernetes_pod_phase"], "regex": "Running", "action": "keep"},
        {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
        {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"},
    ]
    if port is not None:
        relabel.append({"source_labels": ["__meta_kubernetes_pod_ip"], "regex": "(.+)",
                        "replacement": f"$1:{port}", "target_label": "__address__"})
    return {"job_name": job, "scrape_interval": s.scrape_interval, "metrics_path": path,
            "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": [namespace]}}],
            "relabel_configs": relabel}


def _tls_probe(s: "Settings") -> dict | None:
    job = _static(JOB_TLS_PROBE, [(c.name, c.tls) for c in s.clusters], s, params={"module": ["tcp_tls"]})
    if job:
        job["metrics_path"] = "/probe"
        job["relabel_configs"] = [
            {"source_labels": ["__address__"], "target_label": "__param_target"},
            {"source_labels": ["__param_target"], "target_label": "instance"},
            {"target_label": "__address__", "replacement": s.blackbox_exporter_address},
        ]
    return job


def _kubelet(s: "Settings", path: str) -> dict:
    return {"job_name": JOB_KUBELET if path == "/metrics" else f"{JOB_KUBELET}-cadvisor",
            "scrape_interval": s.scrape_interval, "scheme": "https", "metrics_path": path,
            "authorization": {"credentials_file": SA_TOKEN}, "tls_config": {"ca_file": SA_CA},
            "kubernetes_sd_configs": [{"role": "node"}],
            "relabel_configs": [{"action": "labelmap", "regex": "__meta_kubernetes_node_label_(.+)"}]}


def scrape_configs(s: "Settings") -> list[dict]:
    clusters = s.clusters
    jobs = [
        _static(JOB_BROKER, [(c.name, c.brokers) for c in clusters], s),
        _static(JOB_CONTROLLER, [(c.name, c.controllers) for c in clusters], s),
        _static(JOB_ZOOKEEPER, [(c.name, c.zookeeper) for c in clusters], s),
        _static(JOB_LAG, [(c.name, (kafka_exporter_target(c),)) for c in clusters], s),
        _tls_probe(s),
        _pods(JOB_EVENTS, s.platform_namespace, "app", EVENT_CORE_APP, s),
        _pods(JOB_GATEWAY, s.platform_namespace, "app", GATEWAY_APP, s),
        _pods(JOB_NODE, s.monitoring_namespace, "app_kubernetes_io_name", "prometheus-node-exporter", s, port=9100),
        _kubelet(s, "/metrics"),
        _kubelet(s, "/metrics/cadvisor"),
        _pods(JOB_FLUENT_BIT, s.monitoring_namespace, "app_kubernetes_io_name", "fluent-bit", s,
              path="/api/v2/metrics/prometheus", port=2020),
        _pods(JOB_JAEGER, s.monitoring_namespace, "app_kubernetes_io_name", "jaeger", s, port=8888),
    ]
    return [j for j in jobs if j]


def prometheus_config(s: "Settings", rule_files: list[str], alertmanagers: list[str]) -> dict:
    """A complete native prometheus.yml: what the preview checks with promtool and the live test runs."""
    return {
        "global": {"scrape_interval": s.scrape_interval, "evaluation_interval": s.evaluation_interval,
                   "external_labels": external_labels(s)},
        "rule_files": rule_files,
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": alertmanagers}]}]},
        "scrape_configs": scrape_configs(s),
    }


def external_labels(s: "Settings") -> dict:
    return {"environment": s.environment, "cluster": s.kubernetes_cluster}
