"""What the on-call person receives: every templated field of our receivers, rendered by
Alertmanager's own template engine (`amtool template render`, Alertmanager 0.25, with its default
templates) for a firing alert group, as template.Data (prometheus/alertmanager template/template.go).

PagerDuty's Events API v2 takes a severity of critical, error, warning or info and refuses any
other (PagerDuty developer docs, "Send an Alert Event": payload.severity).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from content import alertmanager
from tests.conftest import make_settings

# Alertmanager's default templates (pagerduty.default.description, ...), as Debian's package ships them.
DEFAULT_TEMPLATES = Path("/usr/share/prometheus/alertmanager/default.tmpl")
pytestmark = pytest.mark.skipif(not shutil.which("amtool") or not DEFAULT_TEMPLATES.exists(),
                                reason="amtool and Alertmanager's default templates are not installed")

SEP = "\x1e"
LABELS = {"alertname": "KafkaClusterDown", "severity": "critical", "category": "infrastructure",
          "kafka_cluster": "events"}
ANNOTATIONS = {"summary": "Kafka cluster events is completely down",
               "runbook_url": "https://runbooks.example/KafkaClusterDown.md",
               "dashboard_url": "https://grafana.example/d/kafka-overview?viewPanel=42"}
PAGERDUTY_SEVERITIES = {"critical", "error", "warning", "info"}


def render(tmp_path, texts: list[str]) -> list[str]:
    """Each text rendered for one firing alert with LABELS and ANNOTATIONS."""
    data = {"receiver": "r", "status": "firing", "externalURL": "https://alertmanager.example",
            "alerts": [{"status": "firing", "labels": LABELS, "annotations": ANNOTATIONS,
                        "startsAt": "2026-11-30T12:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                        "generatorURL": "https://prometheus.example/graph", "fingerprint": "1"}],
            "groupLabels": {"alertname": LABELS["alertname"], "severity": LABELS["severity"]},
            "commonLabels": LABELS, "commonAnnotations": ANNOTATIONS}
    (tmp_path / "data.json").write_text(json.dumps(data))
    out = subprocess.run(["amtool", "template", "render", f"--template.glob={DEFAULT_TEMPLATES}",
                          f"--template.data={tmp_path / 'data.json'}", f"--template.text={SEP.join(texts)}"],
                         capture_output=True, text=True, timeout=30, check=True).stdout
    return out.rstrip("\n").split(SEP)


def receivers() -> dict[str, dict]:
    config = alertmanager.config(make_settings("prod"), "/etc/alertmanager/secrets/receivers")
    return {r["name"]: r for r in config["receivers"]}


@pytest.mark.parametrize("name,severity", [("pagerduty-critical", "critical"), ("pagerduty-high", "error")])
def test_a_page_carries_the_alerts_summary_labels_runbook_and_panel(tmp_path, name, severity):
    (pd,) = receivers()[name]["pagerduty_configs"]
    assert pd["severity"] in PAGERDUTY_SEVERITIES and pd["severity"] == severity
    details = dict(pd["details"])
    keys = sorted(k for k in details if k != "environment")
    rendered = render(tmp_path, [pd["description"], *(details[k] for k in keys),
                                 *(link["href"] for link in pd["links"])])
    description, values, hrefs = rendered[0], dict(zip(keys, rendered[1:1 + len(keys)])), rendered[1 + len(keys):]
    assert description.startswith("[FIRING:1] KafkaClusterDown")
    assert values["summary"] == ANNOTATIONS["summary"]
    assert (values["runbook_url"], values["dashboard_url"]) == (ANNOTATIONS["runbook_url"], ANNOTATIONS["dashboard_url"])
    assert set(values["labels"].split()) == {f"{k}={v}" for k, v in LABELS.items()}
    assert hrefs == [ANNOTATIONS["runbook_url"], ANNOTATIONS["dashboard_url"]]
    assert details["environment"] == "prod" and pd["send_resolved"] is True


@pytest.mark.parametrize("name", ["slack-warning", "security-team"])
def test_a_slack_message_names_the_alert_and_carries_summary_runbook_and_panel(tmp_path, name):
    (slack,) = receivers()[name]["slack_configs"]
    title, text = render(tmp_path, [slack["title"], slack["text"]])
    assert title == "[FIRING] KafkaClusterDown (critical)"
    assert text.splitlines() == [ANNOTATIONS["summary"], f"Runbook: {ANNOTATIONS['runbook_url']}",
                                 f"Dashboard: {ANNOTATIONS['dashboard_url']}"]
    assert slack["send_resolved"] is True
