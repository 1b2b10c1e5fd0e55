"""Which alerts the inhibit rules silence, as Alertmanager evaluates them (prometheus/alertmanager
inhibit/inhibit.go, InhibitRule.hasEqual and Inhibitor.Mutes, v0.25): a target alert is muted
while a firing source alert exists that matches the source matchers, the target matches the target
matchers, and every `equal` label has the same value on both, a label missing on both counting as
the same empty value; an alert never inhibits itself. Matchers are Alertmanager's
(pkg/labels/parse.go): `name="value"`, `name=~"regex"` (anchored), label names case-sensitive."""
from __future__ import annotations

import re

import pytest

from content import alertmanager
from tests.conftest import make_settings

RULES = alertmanager.config(make_settings("prod"), "/etc/secrets")["inhibit_rules"]


def matches(matcher: str, labels: dict[str, str]) -> bool:
    name, op, value = re.fullmatch(r'(\w+)(=~|!~|!=|=)"(.*)"', matcher).groups()
    have = labels.get(name, "")
    hit = re.fullmatch(value, have) is not None if "~" in op else have == value
    return hit if op in ("=", "=~") else not hit


def muted(target: dict[str, str], firing: list[dict[str, str]]) -> bool:
    for rule in RULES:
        if not all(matches(m, target) for m in rule.get("target_matchers", [])):
            continue
        for source in firing:
            if source is target or not all(matches(m, source) for m in rule.get("source_matchers", [])):
                continue
            if all(source.get(label, "") == target.get(label, "") for label in rule.get("equal", [])):
                return True
    return False


def alert(name: str, severity: str, cluster: str = "events", **labels: str) -> dict[str, str]:
    return {"alertname": name, "severity": severity, "kafka_cluster": cluster, **labels}


@pytest.mark.parametrize("target,muted_", [
    (alert("KafkaBrokerDown", "critical"), True),
    (alert("KafkaBrokerDown", "critical", cluster="orders"), False),
    (alert("KafkaUnderReplicatedPartitions", "high"), True),
    (alert("KafkaHighConsumerLag", "warning"), False),
])
def test_a_cluster_outage_silences_its_own_symptoms_only(target, muted_):
    down = alert("KafkaClusterDown", "critical")
    assert muted(target, [down, target]) is muted_


@pytest.mark.parametrize("target,muted_", [
    (alert("KafkaHighLatency", "warning"), True),
    (alert("KafkaHighLatency", "high"), True),
    (alert("KafkaHighLatency", "warning", cluster="orders"), False),
    (alert("KafkaHighConsumerLag", "warning"), False),
])
def test_a_critical_alert_silences_its_lower_severities_on_the_same_cluster(target, muted_):
    critical = alert("KafkaHighLatency", "critical")
    assert muted(target, [critical, target]) is muted_


def test_info_alerts_are_silenced_by_the_info_inhibitor_of_their_namespace_which_any_alert_silences():
    inhibitor = {"alertname": "InfoInhibitor", "severity": "none", "namespace": "kube-system"}
    info = {"alertname": "CPUThrottlingHigh", "severity": "info", "namespace": "kube-system"}
    other = {"alertname": "CPUThrottlingHigh", "severity": "info", "namespace": "monitoring"}
    assert muted(info, [inhibitor, info]) and not muted(other, [inhibitor, other])
    assert muted(inhibitor, [inhibitor, alert("KafkaHighLatency", "warning")])
    assert not muted(alert("KafkaHighLatency", "warning"), [inhibitor])
