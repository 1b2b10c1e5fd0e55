"""Prometheus's remote write to the global metrics store: one section, rendered once and shaped twice.

`native` is a `remote_write` entry of prometheus.yml as Prometheus v2.54.1 reads it (config/config.go
RemoteWriteConfig, QueueConfig; model/relabel Config; prometheus/common sigv4 SigV4Config). `chart`
is the same entry as kube-prometheus-stack's `prometheus.prometheusSpec.remoteWrite[]` takes it: the
RemoteWriteSpec of prometheus-operator v0.77.1 (pkg/apis/monitoring/v1/prometheus_types.go), which
the operator turns back into the native names (pkg/prometheus/promcfg.go generateRemoteWriteConfig).

Deduplication: both stores (AMP's and Mimir's HA tracker) accept one replica per `cluster` value and
strip `__replica__` from what they store (AWS AMP User Guide, "Deduplicating high availability
metrics"; Mimir docs, "Configure high-availability deduplication"). `cluster` is already our external
label; the operator sets the replica label to the pod's name under `replicaExternalLabelName`
(promcfg.go: `m[replicaExternalLabelName] = "$(POD_NAME)"`) and drops it from alerts.

Alerts stay local: every rule runs in each cluster's Prometheus; the store gets what dashboards read.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from content.catalogue import METRICS
from content.rules import rule_files

if TYPE_CHECKING:
    from config.sections import AlertingArgs

REPLICA_LABEL = "__replica__"
NAME = "global"
# Prometheus v2.54.1 DefaultQueueConfig: 2000 samples per request.
MAX_SAMPLES_PER_SEND = 2000
# What one shard moves: one full request per second (a round trip of up to 1 s to a regional store;
# config.go's own sizing assumes 100 ms), so a shard carries at least MAX_SAMPLES_PER_SEND per second.
SHARD_SAMPLES_PER_SECOND = MAX_SAMPLES_PER_SEND
# After an outage the WAL backlog drains at (CATCH_UP - 1) times the live rate, and a rate this much
# above the plan trips the chart's PrometheusRemoteWriteDesiredShards (desired > max).
CATCH_UP = 3
MIN_MAX_SHARDS = 5
# Prometheus remote-write tuning docs: capacity 3 to 10 times max_samples_per_send.
CAPACITY = 5 * MAX_SAMPLES_PER_SEND
TENANT_HEADER = "X-Scope-OrgID"  # Mimir's tenant header
# What the operator translates into what (v0.77.1 promcfg.go generateRemoteWriteConfig, addSigv4ToYaml).
CHART_NAMES = {"url": "url", "name": "name", "remote_timeout": "remoteTimeout", "headers": "headers",
               "write_relabel_configs": "writeRelabelConfigs", "queue_config": "queueConfig", "sigv4": "sigv4"}
CHART_QUEUE = {"capacity": "capacity", "min_shards": "minShards", "max_shards": "maxShards",
               "max_samples_per_send": "maxSamplesPerSend", "retry_on_http_429": "retryOnRateLimit"}
CHART_RELABEL = {"source_labels": "sourceLabels", "regex": "regex", "action": "action"}
CHART_SIGV4 = {"region": "region"}


@dataclass(frozen=True)
class Store:
    """Where Prometheus writes: the push URL (a string or a Pulumi Output), and how it authenticates."""
    url: Any
    region: str = ""   # AMP: SigV4 for this region, with the pod's IRSA credentials
    tenant: str = ""   # Mimir: the X-Scope-OrgID header


def kept_metrics(s: "AlertingArgs") -> list[str]:
    """What the store keeps: every catalogued metric (what rules and dashboards read, `up` and `ALERTS`
    among them) and every recorded series. Not every kubelet and cAdvisor series."""
    recorded = {r["record"] for doc in rule_files(s).values() for g in doc["groups"] for r in g["rules"]
                if "record" in r}
    return sorted({*METRICS, *recorded, "up", "ALERTS"})


def keep_relabeling(s: "AlertingArgs") -> dict:
    """One keep rule on the metric name (relabel regexes are anchored: model/relabel NewRegexp)."""
    return {"source_labels": ["__name__"], "regex": "|".join(kept_metrics(s)), "action": "keep"}


def queue(samples_per_second: int) -> dict:
    """The queue, sized from the samples per second one Prometheus writes (after the keep-list):
    enough shards for the live rate from the start, CATCH_UP times that at most."""
    steady = max(1, math.ceil(samples_per_second / SHARD_SAMPLES_PER_SECOND))
    return {"capacity": CAPACITY, "min_shards": steady, "max_shards": max(CATCH_UP * steady, MIN_MAX_SHARDS),
            "max_samples_per_send": MAX_SAMPLES_PER_SEND,
            # v2.54.1 drops a batch answered 429 unless this is set (config.go: false by default);
            # AMP answers 429 on its ingestion rate and active-series quotas.
            "retry_on_http_429": True}


def native(s: "AlertingArgs", store: Store, samples_per_second: int | None = None) -> dict:
    """One `remote_write` entry of prometheus.yml. `samples_per_second`: what this Prometheus writes,
    from the capacity plan (content.capacity.queue_rates: globalMetricsSamplesPerSecond overrides it)."""
    entry: dict = {"url": store.url, "name": NAME}
    if store.tenant:
        entry["headers"] = {TENANT_HEADER: store.tenant}
    entry["write_relabel_configs"] = [keep_relabeling(s)]
    entry["queue_config"] = queue(samples_per_second or s.global_metrics_samples_per_second)
    if store.region:
        entry["sigv4"] = {"region": store.region}
    return entry


def chart(entry: dict) -> dict:
    """The same entry as the operator's RemoteWriteSpec (camelCase)."""
    nested = {"queue_config": CHART_QUEUE, "sigv4": CHART_SIGV4}
    out: dict = {}
    for key, value in entry.items():
        if key == "write_relabel_configs":
            value = [{CHART_RELABEL[k]: v for k, v in rule.items()} for rule in value]
        elif key in nested:
            value = {nested[key][k]: v for k, v in value.items()}
        out[CHART_NAMES[key]] = value
    return out


def store_of(s: "AlertingArgs", amp_url: Any = None) -> Store | None:
    """The store the settings name; `amp_url` is the workspace's remote-write URL (known at deploy)."""
    if s.global_metrics == "amp":
        return Store(amp_url, region=s.aws_region)
    if s.global_metrics == "mimir":
        return Store(f"{s.global_metrics_url.rstrip('/')}/api/v1/push", tenant=s.global_metrics_tenant)
    return None


# The chart's own remote-write alerts (65.1.1 templates/prometheus/rules-1.14/prometheus.yaml) page as
# critical; the store being down leaves every local alert working, so they page as high instead.
CHART_ALERTS_HIGH = ("PrometheusRemoteStorageFailures", "PrometheusRemoteWriteBehind")


def values(s: "AlertingArgs", store: Store, writer_role_arn: Any = None, samples_per_second: int | None = None) -> dict:
    """What the global store adds to kube-prometheus-stack's values (merged by prometheus_stack)."""
    prometheus: dict = {"prometheusSpec": {"remoteWrite": [chart(native(s, store, samples_per_second))],
                                           "replicaExternalLabelName": REPLICA_LABEL}}
    if writer_role_arn is not None:  # IRSA: the EKS pod identity webhook reads this annotation
        prometheus["serviceAccount"] = {"annotations": {"eks.amazonaws.com/role-arn": writer_role_arn}}
    return {"prometheus": prometheus, "customRules": {name: {"severity": "high"} for name in CHART_ALERTS_HIGH}}


def amp_remote_write_url(region: str, workspace_id: str) -> str:
    """AMP User Guide, "Ingest Prometheus metrics to the workspace": the workspace's endpoint
    `https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/` plus `api/v1/remote_write`."""
    return f"https://aps-workspaces.{region}.amazonaws.com/workspaces/{workspace_id}/api/v1/remote_write"


def amp_query_url(region: str, workspace_id: str) -> str:
    return f"https://aps-workspaces.{region}.amazonaws.com/workspaces/{workspace_id}"
