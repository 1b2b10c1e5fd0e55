"""Every threshold alert at its boundary: just below, at, and just above, evaluated by the real promtool.

The intent comes from the design document and the health checks it implies (a Kafka cluster has
exactly one active controller, no offline partition is acceptable, ...), with the numbers from the
settings. Each alert's own comparison is cut from its expression and evaluated by Prometheus on a
probe series holding the three values; the firing pattern must be the intent's. This catches a
moved threshold (`> 0` -> `> 1`) and a changed comparison (`!= 1` -> `< 1`, `>` -> `>=`). Whether the
query itself measures the right thing is the alert scenarios' job (test_alert_rules).
"""
from __future__ import annotations

import operator
import shutil
import subprocess

import pytest
import yaml

from content.rules import rule_files
from harness.meaning import _COMPARISON
from tests.conftest import make_settings

S = make_settings("prod")
OPS = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne}
INTENT = {  # alert -> (comparison, threshold): what should page, from the design document and settings
    "KafkaBrokerDown": ("==", 0),
    "KafkaActiveControllerCountWrong": ("!=", 1),
    "KafkaOfflinePartitions": (">", 0),
    "KafkaUnderMinIsrPartitions": (">", 0),
    "KafkaUnderReplicatedPartitions": (">", 0),
    "KafkaOfflineLogDirectories": (">", 0),
    "KafkaUncleanLeaderElection": (">", 0),
    "KafkaDiskSpaceCritical": (">", S.disk_usage_critical_percent),
    "KafkaDiskSpaceLow": ("<", 0),            # free space predicted below zero within a day
    "KafkaConsumerGroupStuck": (">", 0),      # lag still growing
    "KafkaScrapeTargetDown": ("==", 0),
    "KafkaBrokerFenced": (">", 0),
    "KafkaIsrShrinking": (">", 0),
    "KafkaBrokerCrashLooping": (">", 0),
    "KafkaHighConsumerLag": (">", S.consumer_lag_critical),
    "KafkaEventProcessingFailed": (">", S.event_failures_per_second),
    "KafkaLowThroughput": ("<", S.low_throughput_events_per_second),
    "KafkaCombatLatencyCritical": (">", S.combat_p99_critical_latency_ms / 1000),
    "KafkaBrokerRequestLatencyHigh": (">", S.broker_request_p99_latency_ms),
    "KafkaHighLatency": (">", S.combat_p99_latency_ms / 1000),
    "KafkaBrokerRequestsFailing": (">", S.failed_requests_min_per_minute),  # failures a minute (the share: faults)
    "KafkaSASLAuthFailuresSpike": (">", S.sasl_auth_failures_per_minute),
    "KafkaACLDenialsSpike": (">", S.authorization_failures_per_second),
    "KafkaUnencryptedConnections": (">", 0),
    "KafkaCertificateExpiry": ("<", S.cert_expiry_days),
    "KafkaHighMemoryUsage": (">", S.memory_usage_percent),
    "KafkaHighCPUUsage": (">", S.cpu_usage_percent),
    "FluentBitRecordsDropped": (">", 0),
    "FluentBitRetriesFailed": (">", 0),
}
RULES = {r["alert"]: r for doc in rule_files(S).values() for g in doc["groups"] for r in g["rules"] if "alert" in r}


def own_comparison(name: str) -> tuple[str, float]:
    expr = " ".join(RULES[name]["expr"].split())
    match = _COMPARISON.search(expr)
    assert match, f"{name}: no trailing comparison in {expr}"
    return match.group(1), float(match.group(2))


def test_every_alert_with_a_trailing_threshold_has_an_intent():
    with_threshold = {n for n, r in RULES.items() if _COMPARISON.search(" ".join(r["expr"].split()))}
    slo = {n for n in with_threshold if "SLO" in n}  # burn rates: test_alert_rules' burn scenarios
    assert with_threshold - slo == set(INTENT)


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
def test_each_threshold_fires_exactly_where_the_intent_says(tmp_path):
    rules, tests = [], []
    for i, (name, (want_op, want)) in enumerate(sorted(INTENT.items())):
        op, threshold = own_comparison(name)
        delta = max(abs(want) * 0.01, 0.001)
        probe = f"probe_{i}"
        rules.append({"alert": name, "expr": f"{probe} {op} {threshold:g}"})
        for j, value in enumerate((want - delta, want, want + delta)):
            fires = OPS[want_op](value, want)
            tests.append({"interval": "1m", "input_series": [{"series": f"{probe}", "values": f"{value:.6g}x2"}],
                          "alert_rule_test": [{"eval_time": "1m", "alertname": name,
                                               "exp_alerts": [{"exp_labels": {}}] if fires else []}]})
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "boundaries", "rules": rules}]}))
    (tmp_path / "test.yml").write_text(yaml.safe_dump({"rule_files": ["rules.yml"], "evaluation_interval": "1m",
                                                        "tests": tests}))
    proc = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
