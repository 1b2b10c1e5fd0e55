"""Native Prometheus scrape_configs: Kafka per cluster, lag, TLS probes, and the platform's pods.

Every Kafka target either is discovered in its cluster's own namespace (Kubernetes pod discovery,
kept by pod labels and metrics port) or is a static name that resolves from any namespace
(config.clusters refuses bare names). The kubelet, cAdvisor and node-exporter are scraped by
kube-prometheus-stack's own ServiceMonitors (content.prometheus_stack), whose labels the chart's
default rules select.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from content.catalogue import (CLUSTER_LABEL, JOB_BLACKBOX, JOB_BROKER, JOB_CONTROLLER, JOB_EVENTS, JOB_FLUENT_BIT,
                               JOB_GATEWAY, JOB_JAEGER, JOB_LAG, JOB_TLS_PROBE, JOB_ZOOKEEPER)
from content.exporters import blackbox_address, lag_exporter
from content.fluent_bit import HTTP_PORT as FLUENT_BIT_PORT
from content.jaeger import METRICS_PORT as JAEGER_METRICS_PORT

if TYPE_CHECKING:
    from config.clusters import Discovery
    from config.sections import AlertingArgs

EVENT_CORE_APP = "kafka-event-driven-core"


def _running_pod() -> list[dict]:
    """Every discovered pod target: running pods only, labelled with their namespace and pod (fresh
    dicts each time, so that YAML dumps carry no anchors)."""
    return [{"source_labels": ["__meta_kubernetes_pod_phase"], "regex": "Running", "action": "keep"},
            {"source_labels": ["__meta_kubernetes_namespace"], "target_label": "namespace"},
            {"source_labels": ["__meta_kubernetes_pod_name"], "target_label": "pod"}]
GATEWAY_APP = "realtime-gateway"


def meta_label(label: str) -> str:
    """The discovery meta label of a pod label (Prometheus sanitises every character outside [a-zA-Z0-9_])."""
    return "__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", label)


def _timeout(s: "AlertingArgs") -> str:
    """The design document's 10 s, but never longer than the interval (Prometheus refuses that)."""
    seconds = sum(int(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}[u]
                  for n, u in re.findall(r"([0-9]+)(ms|s|m|h|d|w|y)", s.scrape_interval))
    return "10s" if seconds >= 10 else s.scrape_interval


def _static(job: str, groups: list[tuple[str, tuple[str, ...]]], s: "AlertingArgs", **extra) -> dict | None:
    static = [{"targets": list(targets), "labels": {CLUSTER_LABEL: name}} for name, targets in groups if targets]
    if not static:
        return None
    return {"job_name": job, "scrape_interval": s.scrape_interval, "scrape_timeout": _timeout(s),
            "metrics_path": "/metrics", "static_configs": static, **extra}


def _discovered(job: str, cluster: str, namespace: str, pods: "Discovery", s: "AlertingArgs") -> dict:
    """Pods of one role of one cluster; the job label is the role's, whatever the job_name."""
    port_meta = ("__meta_kubernetes_pod_container_port_number" if pods.port.isdigit()
                 else "__meta_kubernetes_pod_container_port_name")
    relabel = [{"source_labels": [meta_label(k)], "regex": re.escape(v), "action": "keep"} for k, v in pods.labels]
    relabel += [
        {"source_labels": [port_meta], "regex": re.escape(pods.port), "action": "keep"},
        *_running_pod(),
        {"target_label": CLUSTER_LABEL, "replacement": cluster},
        {"target_label": "job", "replacement": job},
    ]
    return {"job_name": f"{job}/{cluster}", "scrape_interval": s.scrape_interval, "scrape_timeout": _timeout(s),
            "metrics_path": "/metrics",
            "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": [namespace]}}],
            "relabel_configs": relabel}


def kafka_jobs(s: "AlertingArgs") -> list[dict]:
    """Brokers, controllers, ZooKeeper and kafka_exporter of every cluster."""
    jobs: list[dict | None] = [
        _static(JOB_BROKER, [(c.name, c.brokers) for c in s.clusters], s),
        _static(JOB_CONTROLLER, [(c.name, c.controllers) for c in s.clusters], s),
        _static(JOB_ZOOKEEPER, [(c.name, c.zookeeper) for c in s.clusters], s),
    ]
    for c in s.clusters:
        for job, pods in ((JOB_BROKER, c.broker_pods), (JOB_CONTROLLER, c.controller_pods)):
            if pods is not None:
                jobs.append(_discovered(job, c.name, c.namespace, pods, s))
        namespace, pods = lag_exporter(c, s)
        jobs.append(_discovered(JOB_LAG, c.name, namespace, pods, s))
    return [j for j in jobs if j]


def _pods(job: str, namespace: str, label: str, value: str, s: "AlertingArgs", path: str = "/metrics",
          port: int | None = None) -> dict:
    relabel = [
        {"source_labels": [meta_label(label)], "regex": value, "action": "keep"},
        *_running_pod(),
    ]
    if port is not None:
        relabel.append({"source_labels": ["__meta_kubernetes_pod_ip"], "regex": "(.+)",
                        "replacement": f"$1:{port}", "target_label": "__address__"})
    return {"job_name": job, "scrape_interval": s.scrape_interval, "metrics_path": path,
            "kubernetes_sd_configs": [{"role": "pod", "namespaces": {"names": [namespace]}}],
            "relabel_configs": relabel}


def _tls_probe(s: "AlertingArgs") -> dict | None:
    job = _static(JOB_TLS_PROBE, [(c.name, c.tls) for c in s.clusters], s, params={"module": ["tcp_tls"]})
    if job:
        job["metrics_path"] = "/probe"
        job["relabel_configs"] = [
            {"source_labels": ["__address__"], "target_label": "__param_target"},
            {"source_labels": ["__param_target"], "target_label": "instance"},
            {"target_label": "__address__", "replacement": blackbox_address(s)},
        ]
    return job


def _blackbox(s: "AlertingArgs") -> dict | None:
    """The blackbox exporter's own metrics, so that a missing prober is itself noticed."""
    if not any(c.tls for c in s.clusters):
        return None
    return {"job_name": JOB_BLACKBOX, "scrape_interval": s.scrape_interval, "scrape_timeout": _timeout(s),
            "metrics_path": "/metrics", "static_configs": [{"targets": [blackbox_address(s)]}]}


def scrape_configs(s: "AlertingArgs") -> list[dict]:
    jobs = [
        *kafka_jobs(s),
        _tls_probe(s),
        _blackbox(s),
        _pods(JOB_EVENTS, s.platform_namespace, "app", EVENT_CORE_APP, s),
        _pods(JOB_GATEWAY, s.platform_namespace, "app", GATEWAY_APP, s),
        _pods(JOB_FLUENT_BIT, s.monitoring_namespace, "app.kubernetes.io/name", "fluent-bit", s,
              path="/api/v2/metrics/prometheus", port=FLUENT_BIT_PORT),
        _pods(JOB_JAEGER, s.monitoring_namespace, "app.kubernetes.io/name", "jaeger", s, port=JAEGER_METRICS_PORT),
    ]
    return [j for j in jobs if j]


def prometheus_config(s: "AlertingArgs", rule_files: list[str], alertmanagers: list[str],
                      remote_write: list[dict] | None = None) -> dict:
    """A complete native prometheus.yml: what the preview checks with promtool and the live test runs;
    `remote_write` from content.remote_write.native."""
    config = {
        "global": {"scrape_interval": s.scrape_interval, "evaluation_interval": s.evaluation_interval,
                   "external_labels": external_labels(s)},
        "rule_files": rule_files,
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": alertmanagers}]}]},
        "scrape_configs": scrape_configs(s),
    }
    if remote_write:
        config["remote_write"] = remote_write
    return config


def external_labels(s: "AlertingArgs") -> dict:
    return {"environment": s.environment, "cluster": s.kubernetes_cluster}
