"""Alerts whose label matchers keep the noise out, on noisy data, with promtool: quick cases beside the
end-to-end detection scenarios (which the mutation benchmark leaves out for their cost).

- KafkaACLDenialsSpike reads kafka.network RequestMetrics ErrorsPerSec, whose `error` tag is every
  Errors enum name a response carried, NONE included (kafka core RequestChannel.updateErrorMetrics,
  RequestMetrics.markErrorMeter): without its `error=~".*_AUTHORIZATION_FAILED"` matcher every
  successful request would count as a denial.
- KafkaScrapeTargetDown covers the scrape jobs that no other alert watches; a broker has its own
  KafkaBrokerDown, so a broker down must not page twice.
"""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import make_settings
from tests.content import promtool_tests
from tests.content.alert_scenarios import broker, sel

pytestmark = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")


def _firing(alert: str, by: str, at: str, expected: list[str]) -> dict:
    return {"expr": f'count by ({by}) (ALERTS{{alertname="{alert}",alertstate="firing"}})', "eval_time": at,
            "exp_samples": [{"labels": sel("", **{by: v}), "value": 1} for v in expected]}


def _errors(error: str, per_s: int) -> dict:
    return {"series": sel("kafka_network_requestmetrics_errors_total", request="Produce", error=error, **broker(0)),
            "values": f"0+{per_s * 15}x200"}


def test_acl_denials_count_authorization_errors_only(tmp_path):
    settings = make_settings("prod", authorizationFailuresPerSecond=5)
    noise = [_errors("NONE", 5000), _errors("NOT_LEADER_OR_FOLLOWER", 50), _errors("UNKNOWN_TOPIC_OR_PARTITION", 20)]
    quiet = {"name": "successes and other errors are no denials", "interval": "15s",
             "input_series": [*noise, _errors("TOPIC_AUTHORIZATION_FAILED", 4)],  # under 5/s
             "promql_expr_test": [_firing("KafkaACLDenialsSpike", "kafka_cluster", "40m", [])]}
    loud = {"name": "topic and group denials over 5/s fire", "interval": "15s",
            "input_series": [*noise, _errors("TOPIC_AUTHORIZATION_FAILED", 3), _errors("GROUP_AUTHORIZATION_FAILED", 3)],
            "promql_expr_test": [_firing("KafkaACLDenialsSpike", "kafka_cluster", "40m", ["kafka"])]}
    proc = promtool_tests.run_alert_tests(settings, tmp_path, "KafkaACLDenialsSpike", [quiet, loud])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_scrape_target_down_fires_per_watched_job_and_not_for_a_broker(tmp_path):
    watched = ["kafka-controller", "kafka-exporter", "kafka-tls-probe", "blackbox-exporter", "kafka-event-core"]
    series = [{"series": sel("up", job=job, instance=f"{job}-0:9100", kafka_cluster="kafka"), "values": "0x40"}
              for job in [*watched, "kafka-broker"]]
    test = {"name": "every watched job down, and a broker", "interval": "15s", "input_series": series,
            "promql_expr_test": [_firing("KafkaScrapeTargetDown", "job", "5m", sorted(watched))]}
    proc = promtool_tests.run_alert_tests(make_settings("prod"), tmp_path, "KafkaScrapeTargetDown", [test])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_high_latency_reads_the_combat_domain_only(tmp_path):
    """KafkaHighLatency is the combat objective's warning: a slow economy or social domain is not it."""
    settings = make_settings("prod", combatP99LatencyMs=60)

    def p99(domain: str, seconds: float) -> dict:
        return {"series": sel("domain:kafka_event_processing_duration_seconds:p99_5m", domain=domain),
                "values": f"{seconds}x200"}
    quiet = {"name": "other domains slow, combat fast", "interval": "15s",
             "input_series": [p99("economy", 0.5), p99("social", 2), p99("combat", 0.03)],
             "promql_expr_test": [_firing("KafkaHighLatency", "domain", "30m", [])]}
    loud = {"name": "combat over 60 ms", "interval": "15s",
            "input_series": [p99("economy", 0.5), p99("combat", 0.09)],
            "promql_expr_test": [_firing("KafkaHighLatency", "domain", "30m", ["combat"])]}
    proc = promtool_tests.run_alert_tests(settings, tmp_path, "KafkaHighLatency", [quiet, loud])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_broker_request_latency_fires_for_client_produce_and_fetch_not_for_replication(tmp_path):
    """Produce and FetchConsumer are what clients wait for; FetchFollower is replication, which a
    follower's long poll makes slow by design (Kafka's replica.fetch.wait.max.ms). A consumer fetch's
    total time holds its purgatory wait (Kafka 3.8.0 DelayedFetch, up to fetch.max.wait.ms), so for
    FetchConsumer only the broker's own share, request-queue and local time, counts
    (RequestChannel.scala: TotalTimeMs = queue + local + remote + throttle + response queue + send)."""
    settings = make_settings("prod", brokerRequestP99LatencyMs=500)

    def p99(metric: str, request: str, ms: int) -> dict:
        return {"series": sel(f"kafka_network_requestmetrics_{metric}", request=request, quantile="0.99",
                              **broker(1)), "values": f"{ms}x200"}
    slow = {"Produce": p99("totaltimems", "Produce", 800),
            "FetchConsumer queue": p99("requestqueuetimems", "FetchConsumer", 800),
            "FetchConsumer local": p99("localtimems", "FetchConsumer", 800)}
    replication = [p99("totaltimems", "FetchFollower", 900), p99("localtimems", "FetchFollower", 900),
                   p99("requestqueuetimems", "FetchFollower", 900)]
    tests = [{"name": f"{what} slow", "interval": "15s", "input_series": [series, *replication],
              "promql_expr_test": [_firing("KafkaBrokerRequestLatencyHigh", "request", "30m",
                                           [what.split()[0]])]}
             for what, series in slow.items()]
    tests.append({"name": "replication slow, consumers long-polling", "interval": "15s",
                  "input_series": [p99("totaltimems", "Produce", 450), p99("totaltimems", "FetchConsumer", 900),
                                   p99("localtimems", "FetchConsumer", 20), p99("requestqueuetimems", "FetchConsumer", 5),
                                   *replication],
                  "promql_expr_test": [_firing("KafkaBrokerRequestLatencyHigh", "request", "30m", [])]})
    proc = promtool_tests.run_alert_tests(settings, tmp_path, "KafkaBrokerRequestLatencyHigh", tests)
    assert proc.returncode == 0, proc.stdout + proc.stderr
