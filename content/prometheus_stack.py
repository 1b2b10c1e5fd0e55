"""Helm values of kube-prometheus-stack, built from the settings.

Facts from the chart at the pinned version (prometheus-community/helm-charts,
kube-prometheus-stack-65.1.1, charts/kube-prometheus-stack):
- `kubelet.enabled` creates the kubelet ServiceMonitor (job `kubelet`), whose default relabelings
  add `metrics_path` ("/metrics", "/metrics/cadvisor"); the default rules `KubeletDown`
  (`absent(up{job="kubelet", metrics_path="/metrics"} == 1)`), kubelet.rules, k8s.rules.container_*
  and kubernetes-storage select exactly those labels. So the chart scrapes the kubelet, not us.
- The node-exporter subchart's ServiceMonitor gives job `node-exporter`, which the node rules select.
- `kubeControllerManager`, `kubeScheduler`, `kubeProxy` and `kubeEtcd` `.enabled` gate both their
  ServiceMonitors and their rule groups, whose `absent()` alerts fire forever where the control
  plane cannot be scraped (a managed control plane).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from content import auth_proxy, capacity
from content.network import chart_fullname
from content.scrape import external_labels, scrape_configs

CONTROL_PLANE = ("kubeControllerManager", "kubeScheduler", "kubeProxy", "kubeEtcd")
# Rule groups (defaultRules.rules.<name>) that only read control-plane jobs.
CONTROL_PLANE_RULES = ("kubeControllerManager", "kubeSchedulerAlerting", "kubeSchedulerRecording", "kubeProxy",
                       "etcd")

if TYPE_CHECKING:
    from config.sections import AlertingArgs

CHART = "kube-prometheus-stack"
REPO = "https://prometheus-community.github.io/helm-charts"
# Alertmanager mounts each listed Secret at /etc/alertmanager/secrets/<name>/.
ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets"


def merged(base: dict, extra: dict) -> dict:
    """`extra`'s keys over `base`'s, maps merged key by key (as Helm merges values files)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


def values(s: "AlertingArgs", release: str, config_secret: str, receivers_secret: str,
           extra: dict | None = None) -> dict:
    """`config_secret` holds alertmanager.yaml (it carries the heartbeat URL, a secret), so the chart
    takes the config from it (`useExistingSecret`) and these values stay plain and diffable. `extra`
    adds a part's values (content.remote_write: the global store)."""
    return merged(_values(s, release, config_secret, receivers_secret), extra or {})


def service_account(release: str) -> str:
    """The Prometheus service account the chart creates (65.1.1 templates/_helpers.tpl:
    `kube-prometheus-stack.prometheus.serviceAccountName` is `<fullname>-prometheus`, and fullname is
    fullnameOverride truncated to 26 characters, then one trailing '-' trimmed)."""
    fullname = release[:26]
    return f"{fullname.removesuffix('-')}-prometheus"


def _values(s: "AlertingArgs", release: str, config_secret: str, receivers_secret: str) -> dict:
    selector = {"matchLabels": {"release": release}}
    managed = s.managed_control_plane
    base = {
        "fullnameOverride": release,
        "defaultRules": {"create": True, "rules": {g: False for g in CONTROL_PLANE_RULES} if managed else {}},
        # The chart's own kubelet and node-exporter ServiceMonitors: its default rules need their labels.
        "kubelet": {"enabled": True},
        "nodeExporter": {"enabled": True},
        **{part: {"enabled": not managed} for part in CONTROL_PLANE},
        "grafana": {"enabled": False},  # Grafana exists; this program provisions into it
        "prometheus": {"prometheusSpec": {
            "replicas": s.prometheus_replicas,
            "retention": f"{s.prometheus_retention_days}d",
            # Whichever comes first: an estimate that was wrong trims the oldest blocks, not the disk
            # (prometheus v2.54.1 docs/storage.md: retention.size at most 80-85 % of the disk).
            "retentionSize": capacity.retention_size(s),
            "scrapeInterval": s.scrape_interval,
            "evaluationInterval": s.evaluation_interval,
            "externalLabels": external_labels(s),
            "externalUrl": s.prometheus_url,
            "ruleSelector": selector,
            "serviceMonitorSelector": selector,
            "podMonitorSelector": selector,
            "probeSelector": selector,
            "additionalScrapeConfigs": scrape_configs(s),
            "storageSpec": {"volumeClaimTemplate": {"spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": s.prometheus_storage_size}},
            }}},
        }},
        "alertmanager": {
            "alertmanagerSpec": {
                "useExistingSecret": True,
                "configSecret": config_secret,
                "replicas": s.alertmanager_replicas,
                "externalUrl": s.alertmanager_url,
                "secrets": [receivers_secret],
            },
        },
    }
    if not s.enable_auth_proxy:
        return base
    return auth_proxy.merge(base, auth_proxy.values(release, s.monitoring_namespace, s.auth_proxy_image,
                                                    chart_fullname(release)))
