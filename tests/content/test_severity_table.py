"""Every alert's severity and category beside the design document's, and every alert's wait, written out.

Alertmanager routes on these two labels (content/alertmanager.py: critical and high page, warning goes
to Slack, category "security" also reaches the security team), so a swapped severity changes who is
woken. tests/content/test_alert_rules.py pins the design document's alerts; this table pins the
health, SLO and pipeline alerts added beside them. A new alert fails here until it is given a row.
"""
from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.content import promtool_tests

PINNED = {
    # broker and cluster health
    "KafkaBrokerDown": ("high", "infrastructure"),
    "KafkaKRaftQuorumDegraded": ("critical", "infrastructure"),
    "KafkaActiveControllerCountWrong": ("critical", "infrastructure"),
    "KafkaOfflinePartitions": ("critical", "availability"),
    "KafkaUnderMinIsrPartitions": ("critical", "availability"),
    "KafkaBrokerRequestsFailing": ("critical", "availability"),
    "KafkaUnderReplicatedPartitions": ("high", "availability"),
    "KafkaOfflineLogDirectories": ("critical", "storage"),
    "KafkaUncleanLeaderElection": ("critical", "durability"),
    "KafkaDiskSpaceLow": ("warning", "storage"),
    "KafkaBrokerFenced": ("high", "availability"),
    "KafkaIsrShrinking": ("warning", "availability"),
    "KafkaBrokerCrashLooping": ("high", "availability"),
    "KafkaCombatLatencyCritical": ("critical", "performance"),
    "KafkaBrokerRequestLatencyHigh": ("warning", "performance"),
    "KafkaConsumerGroupStuck": ("high", "performance"),
    # the monitoring itself
    "KafkaScrapeTargetDown": ("warning", "monitoring"),
    "KafkaScrapeTargetsMissing": ("warning", "monitoring"),
    "KafkaEventCoreTargetsMissing": ("warning", "monitoring"),
    "FluentBitRecordsDropped": ("high", "logging"),
    "FluentBitRetriesFailed": ("warning", "logging"),
    # error budgets (content/slo.py: a fast burn pages, a slow one opens a ticket)
    "KafkaAvailabilitySLOFastBurn": ("critical", "slo"),
    "KafkaAvailabilitySLOSlowBurn": ("warning", "slo"),
    "KafkaEventErrorRateSLOFastBurn": ("critical", "slo"),
    "KafkaEventErrorRateSLOSlowBurn": ("warning", "slo"),
    "KafkaCombatLatencySLOFastBurn": ("high", "slo"),
    "KafkaCombatLatencySLOSlowBurn": ("warning", "slo"),
}
DESIGN_DOCUMENT = {"KafkaClusterDown", "KafkaZookeeperDown", "KafkaDiskSpaceCritical", "KafkaHighConsumerLag",
                   "KafkaEventProcessingFailed", "KafkaSASLAuthFailuresSpike", "KafkaACLDenialsSpike",
                   "KafkaUnencryptedConnections", "KafkaCertificateExpiry", "KafkaLowThroughput", "KafkaHighLatency",
                   "KafkaHighMemoryUsage", "KafkaHighCPUUsage"}


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_alert_beside_the_design_documents_has_its_pinned_severity_and_category(stack):
    alerts = promtool_tests.alert_meta(make_settings(stack))
    found = {name: (rule["labels"]["severity"], rule["labels"]["category"]) for name, rule in alerts.items()
             if name not in DESIGN_DOCUMENT}
    assert found == PINNED



# How long each condition must hold before the alert fires (the rule's `for`; none: at once). The
# detection scenarios (test_alert_rules.py, promtool over hours of data) prove each one end to end;
# this table is the quick check a moved duration fails first.
WAITS = {
    "KafkaClusterDown": "1m", "KafkaBrokerDown": "1m", "KafkaZookeeperDown": "2m", "KafkaKRaftQuorumDegraded": "2m",
    "KafkaActiveControllerCountWrong": "1m", "KafkaOfflinePartitions": "1m", "KafkaUnderMinIsrPartitions": "1m",
    "KafkaBrokerRequestsFailing": "1m",
    "KafkaUnderReplicatedPartitions": "5m", "KafkaOfflineLogDirectories": "1m", "KafkaUncleanLeaderElection": None,
    "KafkaDiskSpaceCritical": "1m", "KafkaDiskSpaceLow": "2m", "KafkaScrapeTargetDown": "2m",
    "KafkaScrapeTargetsMissing": "10m", "KafkaBrokerFenced": "5m", "KafkaIsrShrinking": "10m",
    "KafkaBrokerCrashLooping": "2m", "KafkaEventCoreTargetsMissing": "10m", "KafkaHighConsumerLag": "2m",
    "KafkaEventProcessingFailed": "1m", "KafkaLowThroughput": "10m", "KafkaCombatLatencyCritical": "1m",
    "KafkaBrokerRequestLatencyHigh": "5m", "KafkaConsumerGroupStuck": "5m", "KafkaHighLatency": "5m",
    "KafkaSASLAuthFailuresSpike": "1m", "KafkaACLDenialsSpike": "2m", "KafkaUnencryptedConnections": "2m",
    "KafkaCertificateExpiry": "1h", "KafkaHighMemoryUsage": "5m", "KafkaHighCPUUsage": "5m",
    "FluentBitRecordsDropped": "1m", "FluentBitRetriesFailed": "5m",
    "KafkaAvailabilitySLOFastBurn": "1m", "KafkaAvailabilitySLOSlowBurn": "15m",
    "KafkaEventErrorRateSLOFastBurn": "1m", "KafkaEventErrorRateSLOSlowBurn": "15m",
    "KafkaCombatLatencySLOFastBurn": "1m", "KafkaCombatLatencySLOSlowBurn": "15m",
}


def test_every_alert_waits_as_long_as_its_row_says():
    alerts = promtool_tests.alert_meta(make_settings("prod"))
    assert {name: rule.get("for") for name, rule in alerts.items()} == WAITS


# With a global store (content/remote_write_alerts.py): the store down or lossy leaves local alerting and
# paging working, so these page as high at most.
REMOTE_WRITE = {
    "PrometheusRemoteWriteSamplesDropped": ("high", "monitoring", "10m"),
    "PrometheusRemoteWriteHistogramsFailed": ("high", "monitoring", "15m"),
    "PrometheusRemoteWriteRetrying": ("warning", "monitoring", "15m"),
    "PrometheusWALWatcherDecodeFailures": ("high", "monitoring", None),
}


@pytest.mark.parametrize("store", ["amp", "mimir"])
def test_the_remote_write_alerts_have_their_pinned_severity_category_and_wait(store):
    extra = ({"globalMetricsGrafanaRoleArn": "arn:aws:iam::123456789012:role/grafana"} if store == "amp" else
             {"globalMetricsUrl": "https://mimir.example/api/v1/push", "globalMetricsTenant": "kafka-prod"})
    alerts = promtool_tests.alert_meta(make_settings("prod", globalMetrics=store, **extra))
    found = {name: (rule["labels"]["severity"], rule["labels"]["category"], rule.get("for"))
             for name, rule in alerts.items() if name not in WAITS}
    assert found == REMOTE_WRITE
