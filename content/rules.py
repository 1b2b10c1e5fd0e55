"""The Prometheus rule files: recording rules, alerts and SLO rules, keyed by file name.

The same groups become PrometheusRule objects (components.alerting), the preview's rule files
and the promtool unit tests.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from content import alerts, recording, remote_write_alerts, slo

if TYPE_CHECKING:
    from config.sections import AlertingArgs


def rule_files(s: "AlertingArgs") -> dict[str, dict]:
    """Native rule files, keyed by file name."""
    files = {
        "kafka-recording.rules.yml": {"groups": recording.recording_groups()},
        "kafka-alerts.rules.yml": {"groups": alerts.alert_groups(s)},
        "kafka-slo.rules.yml": {"groups": slo.slo_groups(s)},
    }
    if s.global_metrics != "none":  # the remote-write gaps the chart's rules leave (remote_write_alerts)
        files["kafka-remote-write.rules.yml"] = {"groups": remote_write_alerts.alert_groups(s)}
    return files
