"""The remote-write alerts the chart does not ship, run by promtool on the series Prometheus exports.

Series names: Prometheus v2.54.1 storage/remote/queue_manager.go (namespace "prometheus", subsystem
"remote_storage" from storage.go; reasons too_old, dropped_series, unintentionally_dropped_series)
and tsdb/wlog/watcher.go (prometheus_wal_watcher_record_decode_failures_total by consumer), vendored.
The gap: kube-prometheus-stack 65.1.1 templates/prometheus/rules-1.14/prometheus.yaml alerts on
samples_failed_total, highest-timestamp lag and desired shards only.
"""
from __future__ import annotations

import re

import pytest

from config.sections import AlertingArgs
from content import remote_write_alerts as rwa
from content.promql import metric_names
from harness import tools
from tests.conftest import make_settings
from tests.content.promtool_tests import run_alert_tests
from tests.upstream import HERE

P = HERE / "prometheus-v2.54.1"
KPS_RULES = HERE / "kube-prometheus-stack-65.1.1" / "templates_prometheus_rules-1.14_prometheus.yaml"
SETTINGS = AlertingArgs.of(make_settings("prod", globalMetrics="amp",
                                         globalMetricsGrafanaRoleArn="arn:aws:iam::123456789012:role/grafana"))
LABELS = 'instance="10.0.0.1:9090",job="prometheus",remote_name="global",url="https://aps.example/w"'
pytestmark = pytest.mark.skipif(not tools.have("promtool"), reason="promtool is not installed")


def exported() -> set[str]:
    """Every counter and gauge name the two files register."""
    queue = (P / "storage_remote_queue_manager.go").read_text()
    assert 'subsystem  = "remote_storage"' in (P / "storage_remote_storage.go").read_text()
    names = {f"prometheus_remote_storage_{n}" for n in re.findall(r'Name:\s+"(\w+)"', queue)}
    watcher = (P / "tsdb_wlog_watcher.go").read_text()
    return names | {f"prometheus_wal_watcher_{n}" for n in re.findall(r'Name:\s+"(\w+)"', watcher)}


def test_every_alert_reads_series_prometheus_exports_and_the_chart_does_not_alert_on():
    chart_rules = KPS_RULES.read_text()
    assert "prometheus_remote_storage_samples_failed_total" in chart_rules  # covered by the chart
    for alert in rwa.alerts(SETTINGS):
        for name in metric_names(alert.expr):
            assert name in exported(), (alert.name, name)
            assert name not in chart_rules, (alert.name, name)
    reasons = set(re.findall(r'reason\w+\s+= "(\w+)"', (P / "storage_remote_queue_manager.go").read_text()))
    assert reasons == {"too_old", "dropped_series", "unintentionally_dropped_series"}
    assert rwa.INTENDED_DROP in reasons


def test_no_remote_write_alert_pages_as_critical():
    """The store being down leaves local alerting working: high at most."""
    assert {a.severity for a in rwa.alerts(SETTINGS)} <= {"high", "warning"}


def _firing(alert: str, at: str, firing: bool) -> dict:
    return {"expr": f'count(ALERTS{{alertname="{alert}",alertstate="firing"}})', "eval_time": at,
            "exp_samples": [{"labels": "{}", "value": 1}] if firing else []}


def _run(tmp_path, alert: str, series: list[tuple[str, str]], checks: list[dict]) -> None:
    test = {"interval": "30s", "input_series": [{"series": s, "values": v} for s, v in series],
            "promql_expr_test": checks}
    proc = run_alert_tests(SETTINGS, tmp_path, alert, [test])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_samples_dropped_too_old_fires_after_ten_minutes_and_intended_drops_never(tmp_path):
    # 2 samples/s dropped as too_old from t=0 (a long outage); the keep-list drops 500/s throughout.
    _run(tmp_path, "PrometheusRemoteWriteSamplesDropped",
         [(f'prometheus_remote_storage_samples_dropped_total{{{LABELS},reason="too_old"}}', "0+60x80"),
          (f'prometheus_remote_storage_samples_dropped_total{{{LABELS},reason="dropped_series"}}', "0+15000x80")],
         [_firing("PrometheusRemoteWriteSamplesDropped", "8m", False),
          _firing("PrometheusRemoteWriteSamplesDropped", "16m", True)])


def test_only_intended_drops_never_fire(tmp_path):
    _run(tmp_path, "PrometheusRemoteWriteSamplesDropped",
         [(f'prometheus_remote_storage_samples_dropped_total{{{LABELS},reason="dropped_series"}}', "0+15000x80"),
          (f'prometheus_remote_storage_samples_dropped_total{{{LABELS},reason="too_old"}}', "7x80")],
         [_firing("PrometheusRemoteWriteSamplesDropped", t, False) for t in ("10m", "20m", "39m")])


def test_retries_that_last_fire_and_a_short_burst_does_not(tmp_path):
    # A 429 burst of 5 minutes (retried, then sent), later retries that last 30 minutes.
    values = "0+100x10 1000x40 1000+100x60"
    _run(tmp_path, "PrometheusRemoteWriteRetrying",
         [(f"prometheus_remote_storage_samples_retried_total{{{LABELS}}}", values)],
         [_firing("PrometheusRemoteWriteRetrying", "15m", False),
          _firing("PrometheusRemoteWriteRetrying", "25m", False),
          _firing("PrometheusRemoteWriteRetrying", "44m", True)])


def test_a_trickle_of_retries_from_a_small_prometheus_fires_too(tmp_path):
    """A partial fault: a Prometheus writing 50 samples/s sends a batch of about 250 samples every 5 s
    (v2.54.1 config.go DefaultQueueConfig: BatchSendDeadline 5s), and the store refuses one batch in 48
    with a 429: 250 samples retried every 4 minutes, under 1 sample/s in any 5-minute window that holds
    one refusal. The store is still refusing writes after 15 minutes; it warns as a flood would."""
    values = " ".join(str(250 * (i // 8)) for i in range(100))  # +250 every 8 scrapes of 30 s
    _run(tmp_path, "PrometheusRemoteWriteRetrying",
         [(f"prometheus_remote_storage_samples_retried_total{{{LABELS}}}", values)],
         [_firing("PrometheusRemoteWriteRetrying", "12m", False),
          _firing("PrometheusRemoteWriteRetrying", "25m", True),
          _firing("PrometheusRemoteWriteRetrying", "45m", True)])


def test_failed_histograms_fire(tmp_path):
    # The first failure is in the scrape at 3m, which the evaluation at 3m sees (promtool's default
    # evaluation_interval, 1m): pending from 3m, firing from 3m + 15m = 18m, not a minute before.
    _run(tmp_path, "PrometheusRemoteWriteHistogramsFailed",
         [(f"prometheus_remote_storage_histograms_failed_total{{{LABELS}}}", "0 0 0 0 0 0+10x60")],
         [_firing("PrometheusRemoteWriteHistogramsFailed", "10m", False),
          _firing("PrometheusRemoteWriteHistogramsFailed", "17m", False),
          _firing("PrometheusRemoteWriteHistogramsFailed", "18m", True),
          _firing("PrometheusRemoteWriteHistogramsFailed", "22m", True)])


def test_one_undecodable_wal_record_fires_and_then_resolves(tmp_path):
    series = 'prometheus_wal_watcher_record_decode_failures_total{consumer="global",instance="10.0.0.1:9090"}'
    _run(tmp_path, "PrometheusWALWatcherDecodeFailures",
         [(series, "0x10 1x60")],  # one failure at 5m30s: it must fire although it never repeats
         [_firing("PrometheusWALWatcherDecodeFailures", "5m", False),
          _firing("PrometheusWALWatcherDecodeFailures", "6m", True),
          _firing("PrometheusWALWatcherDecodeFailures", "19m", True),
          _firing("PrometheusWALWatcherDecodeFailures", "25m", False)])
