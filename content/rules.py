"""The Prometheus rule files: recording rules, alerts and SLO rules, keyed by file name.

The same groups become PrometheusRule objects (components.alerting), the preview's rule files
and the promtool unit tests.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from content import alerts, recording, slo

if TYPE_CHECKING:
    from config.sections import AlertingArgs


def rule_files(s: "AlertingArgs") -> dict[str, dict]:
    """Native rule files, keyed by file name."""
    return {
        "kafka-recording.rules.yml": {"groups": recording.recording_groups()},
        "kafka-alerts.rules.yml": {"groups": alerts.alert_groups(s)},
        "kafka-slo.rules.yml": {"groups": slo.slo_groups(s)},
    }
