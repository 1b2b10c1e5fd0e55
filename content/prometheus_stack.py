"""Helm values of kube-prometheus-stack, built from the settings."""
from __future__ import annotations

from typing import TYPE_CHECKING

from content.scrape import external_labels, scrape_configs

if TYPE_CHECKING:
    from config.settings import Settings

CHART = "kube-prometheus-stack"
REPO = "https://prometheus-community.github.io/helm-charts"
# Alertmanager mounts each listed Secret at /etc/alertmanager/secrets/<name>/.
ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets"


def values(s: "Settings", release: str, alertmanager_config: dict, receivers_secret: str) -> dict:
    selector = {"matchLabels": {"release": release}}
    return {
        "fullnameOverride": release,
        "defaultRules": {"create": True},
        # kubelet and node metrics are scraped by our own native jobs (content.scrape).
        "kubelet": {"enabled": False},
        "nodeExporter": {"enabled": True},
        "prometheus-node-exporter": {"prometheus": {"monitor": {"enabled": False}}},
        "grafana": {"enabled": False},  # Grafana exists; this program provisions into it
        "prometheus": {"prometheusSpec": {
            "replicas": s.prometheus_replicas,
            "retention": f"{s.prometheus_retention_days}d",
            "scrapeInterval": s.scrape_interval,
            "evaluationInterval": s.evaluation_interval,
            "externalLabels": external_labels(s),
            "externalUrl": s.prometheus_url,
            "ruleSelectorNilUsesHelmValues": False,
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
        # The config holds no credentials (receivers read them from the mounted Secret), so it
        # can travel in the values and show in preview diffs.
        "alertmanager": {
            "config": alertmanager_config,
            "alertmanagerSpec": {
                "replicas": s.alertmanager_replicas,
                "externalUrl": s.alertmanager_url,
                "secrets": [receivers_secret],
            },
        },
    }
