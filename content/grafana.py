"""Grafana folders and datasources: fixed UIDs that dashboards and other teams rely on."""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from content import auth_proxy
from content.data_classes import APPLICATION, SECURITY, DataClass

if TYPE_CHECKING:
    from config.sections import GrafanaArgs

FOLDER_KAFKA, FOLDER_SECURITY, FOLDER_INCIDENT = "kafka", "kafka-security", "kafka-incident-response"
FOLDERS = {FOLDER_KAFKA: "Kafka", FOLDER_SECURITY: "Security", FOLDER_INCIDENT: "Incident Response"}
DATASOURCES = {
    "prometheus": {"uid": "kafka-prometheus", "type": "prometheus", "name": "Kafka Prometheus"},
    "alertmanager": {"uid": "kafka-alertmanager", "type": "alertmanager", "name": "Kafka Alertmanager"},
    "elasticsearch": {"uid": "kafka-application-logs", "type": "elasticsearch", "name": "Kafka application logs"},
    "opensearch": {"uid": "kafka-security-events", "type": "grafana-opensearch-datasource",
                   "name": "Kafka security events"},
    "jaeger": {"uid": "kafka-traces", "type": "jaeger", "name": "Kafka traces"},
}

# The global metrics store's datasource (content.global_metrics), created only with `globalMetrics`.
GLOBAL_DATASOURCE = {"uid": "kafka-metrics-global", "name": "Kafka metrics (global)"}


# Datasource types that ship with Grafana (Grafana docs, "Data sources": built-in core plugins);
# any other type is an external plugin that must be installed first.
CORE_TYPES = frozenset({"prometheus", "alertmanager", "elasticsearch", "jaeger", "loki", "tempo"})


def required_plugins() -> dict[str, str]:
    """Datasource key -> the external plugin it needs."""
    return {key: ds["type"] for key, ds in DATASOURCES.items() if ds["type"] not in CORE_TYPES}


def stable_id(uid: str, title: str) -> int:
    """A panel's id from its dashboard and title, so that it survives moves (Grafana assigns ids to
    panels without one at load time, and `viewPanel` links then point at whatever moved there)."""
    return int(hashlib.sha256(f"{uid}/{title}".encode()).hexdigest()[:7], 16)


def daily_index(prefix: str) -> str:
    """Grafana's pattern for daily indices with `interval: Daily` (Grafana docs, Elasticsearch data
    source, "Index settings": the literal part in brackets, then a moment.js date). A bare wildcard
    with an interval yields no index name at all."""
    return f"[{prefix}-]YYYY.MM.DD"


def _index(c: DataClass) -> dict[str, str]:
    """The OpenSearch plugin's index settings for a class. A rollover class's indices carry no date
    (<prefix>-000001, and the daily ones its earlier layout wrote): one wildcard over both, without an
    interval (with `interval` the plugin builds dated names from the pattern)."""
    if c.rollover:
        return {"database": f"{c.prefix}-*"}
    return {"database": daily_index(c.prefix), "interval": "Daily"}


def _cluster(s: "GrafanaArgs", engine: str) -> dict[str, str]:
    url, user = s.search_cluster(engine)
    return {"url": url, "user": user}


def _proxied(s: "GrafanaArgs") -> dict[str, str]:
    """Behind the authenticating proxies (content.auth_proxy), Grafana sends basic auth."""
    return {"user": auth_proxy.USERNAME} if s.enable_auth_proxy else {}


def datasource_settings(s: "GrafanaArgs") -> dict[str, dict]:
    """Per datasource: url, jsonData and, where it authenticates, the basic-auth user."""
    return {
        "prometheus": {"url": s.prometheus_url, **_proxied(s),
                       "json_data": {"httpMethod": "POST", "timeInterval": s.scrape_interval}},
        "alertmanager": {"url": s.alertmanager_url, **_proxied(s), "json_data": {"implementation": "prometheus"}},
        "elasticsearch": {**_cluster(s, "elasticsearch"),
                          "json_data": {"index": daily_index(APPLICATION.prefix), "timeField": "@timestamp",
                                        "interval": "Daily"}},
        # The external plugin grafana-opensearch-datasource (docs: "Configure the OpenSearch data source",
        # provisioning): its backend refuses queries without `version` and `flavor`.
        "opensearch": {**_cluster(s, "opensearch"),
                       "json_data": {**_index(SECURITY), "timeField": "@timestamp",
                                     "flavor": "opensearch", "version": s.opensearch_version}},
        "jaeger": {"url": s.jaeger_query_url, "json_data": {}},
    }
