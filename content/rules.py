"""The Prometheus rule files: recording rules, alerts and SLO rules, keyed by file name.

The same groups become PrometheusRule objects (components.alerting), the preview's rule files
and the promtool unit tests.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from content import alerts, recording, remote_write_alerts, slo

if TYPE_CHECKING:
    from config.sections import AlertingArgs

# The warning that pod discovery finds no event-processing pod (content.alerts): left out of a cluster
# whose spec says it runs none (`events=no`, config.kubernetes), where it could only ever fire.
EVENT_CORE_MISSING = "KafkaEventCoreTargetsMissing"


def runs_event_core(s: "AlertingArgs") -> bool:
    """Whether the section's Kubernetes cluster runs event-processing pods (the stack's own: yes)."""
    return all(k.event_core for k in s.kubernetes_clusters if k.name == s.kubernetes_cluster)


def _alert_groups(s: "AlertingArgs") -> list[dict]:
    groups = alerts.alert_groups(s)
    if runs_event_core(s):
        return groups
    return [{**g, "rules": [r for r in g["rules"] if r.get("alert") != EVENT_CORE_MISSING]} for g in groups]


def rule_files(s: "AlertingArgs") -> dict[str, dict]:
    """Native rule files, keyed by file name."""
    files = {
        "kafka-recording.rules.yml": {"groups": recording.recording_groups()},
        "kafka-alerts.rules.yml": {"groups": _alert_groups(s)},
        "kafka-slo.rules.yml": {"groups": slo.slo_groups(s)},
    }
    if s.global_metrics != "none":  # the remote-write gaps the chart's rules leave (remote_write_alerts)
        files["kafka-remote-write.rules.yml"] = {"groups": remote_write_alerts.alert_groups(s)}
    return files
