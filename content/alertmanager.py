"""Alertmanager routing: severity picks the pager, security alerts also reach the security team,
and the always-firing Watchdog feeds a dead man's switch.

Credentials are never in this config: receivers read them from files (`*_file`), which the
component mounts from a Kubernetes Secret. The one exception is the heartbeat URL: Alertmanager
0.25 (Debian's, which the tests run) has no webhook `url_file`, so the URL is a parameter that the
component fills with a Pulumi secret and the preview with HEARTBEAT_PLACEHOLDER. kube-prometheus-stack
stores the whole config in a Kubernetes Secret, never a ConfigMap.

Each receiver is optional (enablePagerdutyCritical, enablePagerdutyHigh, enableSlack,
enableHeartbeat; prod requires the paging ones and the heartbeat). A disabled receiver is left
out of the config, and its alerts take the next one that reaches a person, never a louder one:
critical -> pagerduty-critical, else pagerduty-high, else slack-warning, else null; high ->
pagerduty-high, else slack-warning, else null; warning and the default route -> slack-warning, else
null. Security alerts copy to the security team only with Slack. Watchdog always has its own first
route (to null without the heartbeat), so the always-firing alert never falls through to a pager.

What the chart's default config does and replacing `route`/`inhibit_rules` would lose
(kube-prometheus-stack 65.1.1 values.yaml, `alertmanager.config`): a route sending `Watchdog`
to a `null` receiver, and the InfoInhibitor inhibit rules. Both are kept here; Watchdog goes to
the heartbeat instead of nowhere, and `info` alerts (chart default rules) reach no pager.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.sections import AlertingArgs

# File names inside the mounted receivers Secret.
SECRET_FILES = {
    "pagerduty_critical_key": "pagerduty-critical-key",
    "pagerduty_high_key": "pagerduty-high-key",
    "slack_webhook_url": "slack-webhook-url",
}
RECEIVERS = ("pagerduty-critical", "pagerduty-high", "slack-warning", "security-team", "heartbeat", "null")
# Which receivers each setting enables, and which secret file each of them reads.
ENABLED_BY = {"pagerduty-critical": "enable_pagerduty_critical", "pagerduty-high": "enable_pagerduty_high",
              "slack-warning": "enable_slack", "security-team": "enable_slack", "heartbeat": "enable_heartbeat"}
FILE_OF = {"pagerduty-critical": "pagerduty_critical_key", "pagerduty-high": "pagerduty_high_key",
           "slack-warning": "slack_webhook_url", "security-team": "slack_webhook_url"}
# Where each severity goes, first enabled receiver first: never up to a louder pager.
FALLBACK = {"critical": ("pagerduty-critical", "pagerduty-high", "slack-warning"),
            "high": ("pagerduty-high", "slack-warning"),
            "warning": ("slack-warning",)}
HEARTBEAT_PLACEHOLDER = "https://heartbeat.invalid/masked"  # the preview's stand-in for the secret URL
# Alerts a whole-cluster outage makes redundant: one page for the outage, not one per symptom.
CLUSTER_DOWN_SILENCES = ("KafkaBrokerDown", "KafkaUnderReplicatedPartitions", "KafkaScrapeTargetDown",
                         "KafkaAvailabilitySLOFastBurn", "KafkaAvailabilitySLOSlowBurn")


def _pagerduty(s: "AlertingArgs", secrets_dir: str, key: str, severity: str) -> dict:
    return {
        "routing_key_file": f"{secrets_dir}/{SECRET_FILES[key]}",
        "url": s.pagerduty_events_url,
        "severity": severity,
        "send_resolved": True,
        "description": '{{ template "pagerduty.default.description" . }}',
        "details": {
            "environment": s.environment,
            "summary": "{{ .CommonAnnotations.summary }}",
            "labels": "{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}",
            "runbook_url": "{{ .CommonAnnotations.runbook_url }}",
            "dashboard_url": "{{ .CommonAnnotations.dashboard_url }}",
        },
        "links": [{"href": "{{ .CommonAnnotations.runbook_url }}", "text": "Runbook"},
                  {"href": "{{ .CommonAnnotations.dashboard_url }}", "text": "Dashboard panel"}],
    }


def _slack(secrets_dir: str, channel: str) -> dict:
    return {
        "api_url_file": f"{secrets_dir}/{SECRET_FILES['slack_webhook_url']}",
        "channel": channel,
        "send_resolved": True,
        "title": "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})",
        "text": "{{ range .Alerts }}{{ .Annotations.summary }}\nRunbook: {{ .Annotations.runbook_url }}\n"
                "Dashboard: {{ .Annotations.dashboard_url }}\n{{ end }}",
    }


def enabled(s: "AlertingArgs") -> list[str]:
    """The receivers this stack's settings enable, in RECEIVERS order, `null` always last."""
    return [r for r in RECEIVERS if r == "null" or getattr(s, ENABLED_BY[r])]


def secret_files(s: "AlertingArgs") -> dict[str, str]:
    """Secrets attribute -> file name, for the enabled receivers only (a disabled one needs no secret)."""
    return {FILE_OF[r]: SECRET_FILES[FILE_OF[r]] for r in enabled(s) if r in FILE_OF}


def _to(severity: str, on: list[str]) -> str:
    return next((r for r in FALLBACK[severity] if r in on), "null")


def config(s: "AlertingArgs", secrets_dir: str, heartbeat_url: object = HEARTBEAT_PLACEHOLDER) -> dict:
    on = enabled(s)
    security = [{"matchers": ['category="security"'], "receiver": "security-team", "continue": True}] \
        if "security-team" in on else []
    receivers = {
        "pagerduty-critical": {"pagerduty_configs": [_pagerduty(s, secrets_dir, "pagerduty_critical_key", "critical")]},
        "pagerduty-high": {"pagerduty_configs": [_pagerduty(s, secrets_dir, "pagerduty_high_key", "error")]},
        "slack-warning": {"slack_configs": [_slack(secrets_dir, s.slack_channel)]},
        "security-team": {"slack_configs": [_slack(secrets_dir, s.security_slack_channel)]},
        "heartbeat": {"webhook_configs": [{"url": heartbeat_url, "send_resolved": False}]},
        "null": {},
    }
    return {
        "route": {
            "receiver": _to("warning", on),
            "group_by": ["alertname", "severity"],
            "group_wait": s.alert_group_wait,
            "group_interval": s.alert_group_interval,
            "repeat_interval": s.alert_repeat_interval,
            "routes": [
                # First and final: the heartbeat hears Watchdog, nobody else does.
                {"matchers": ['alertname="Watchdog"'], "receiver": "heartbeat" if "heartbeat" in on else "null",
                 "group_by": ["alertname"],
                 "group_wait": "0s", "group_interval": s.heartbeat_interval,
                 "repeat_interval": s.heartbeat_interval},
                {"matchers": ['alertname="InfoInhibitor"'], "receiver": "null"},
                {"matchers": ['severity="info"'], "receiver": "null"},
                *security,
                {"matchers": ['severity="critical"'], "receiver": _to("critical", on)},
                {"matchers": ['severity="high"'], "receiver": _to("high", on)},
                {"matchers": ['severity="warning"'], "receiver": _to("warning", on)},
            ],
        },
        "inhibit_rules": [
            {"source_matchers": ['alertname="KafkaClusterDown"'],
             "target_matchers": [f'alertname=~"{"|".join(CLUSTER_DOWN_SILENCES)}"'],
             "equal": ["kafka_cluster"]},
            {"source_matchers": ['severity="critical"'], "target_matchers": ['severity=~"high|warning"'],
             "equal": ["alertname", "kafka_cluster"]},
            # The chart's own: InfoInhibitor silences info alerts of its namespace, and is itself
            # silenced by any other alert.
            {"source_matchers": ['alertname="InfoInhibitor"'], "target_matchers": ['severity="info"'],
             "equal": ["namespace"]},
            {"target_matchers": ['alertname="InfoInhibitor"']},
        ],
        "receivers": [{"name": name, **receivers[name]} for name in on],
    }
