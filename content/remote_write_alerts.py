"""Alerts for what the chart's remote-write rules miss, in each cluster's own Prometheus.

kube-prometheus-stack 65.1.1 (templates/prometheus/rules-1.14/prometheus.yaml) already alerts on
failed samples (PrometheusRemoteStorageFailures), a queue behind (PrometheusRemoteWriteBehind) and
too few shards (PrometheusRemoteWriteDesiredShards). It does not look at samples Prometheus drops
before sending, failed histograms, retries, or WAL records the watcher cannot decode. Series names
from Prometheus v2.54.1 storage/remote/queue_manager.go (namespace `prometheus`, subsystem
`remote_storage`, storage.go) and tsdb/wlog/watcher.go.

Severity: the store being down or lossy leaves every local alert and page working, and the WAL keeps
about two hours to resend from, so these page as `high` (or warn), never `critical`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from content.alerts import Alert

if TYPE_CHECKING:
    from config.sections import AlertingArgs

GROUP = "kafka.remote-write"
# queue_manager.go: reasonDroppedSeries is the keep-list working as intended; too_old and
# unintentionally_dropped_series (and any reason added later) are data lost on the way.
INTENDED_DROP = "dropped_series"
BY = "instance, remote_name, url"


def alerts(s: "AlertingArgs") -> list[Alert]:
    return [
        Alert("PrometheusRemoteWriteSamplesDropped",
              f'sum by ({BY}, reason) (rate(prometheus_remote_storage_samples_dropped_total'
              f'{{reason!="{INTENDED_DROP}"}}[5m])) > 0', "10m", "high", "monitoring",
              "{{ $labels.instance }} drops samples for {{ $labels.remote_name }} ({{ $labels.reason }})",
              "Prometheus drops samples before sending them to the global store: too_old (older than the "
              "queue's sample age limit, after a long outage) or a series the queue never learnt. The global "
              "view has gaps; local alerting is unaffected."),
        Alert("PrometheusRemoteWriteHistogramsFailed",
              f"sum by ({BY}) (rate(prometheus_remote_storage_histograms_failed_total[5m])) > 0", "15m", "high",
              "monitoring", "{{ $labels.instance }} fails to send histograms to {{ $labels.remote_name }}",
              "The store refuses native histograms with a non-recoverable error; the chart's "
              "PrometheusRemoteStorageFailures counts samples only."),
        Alert("PrometheusRemoteWriteRetrying",
              f"sum by ({BY}) (rate(prometheus_remote_storage_samples_retried_total[5m])) > 0", "15m", "warning",
              "monitoring", "{{ $labels.instance }} keeps retrying writes to {{ $labels.remote_name }}",
              "The store answers 5xx or 429 (rate limit or active-series quota) for 15 minutes; the queue "
              "holds the samples and retries, and PrometheusRemoteWriteBehind follows if it cannot catch up."),
        Alert("PrometheusWALWatcherDecodeFailures",
              # One failure is already lost data, and a one-off increase lasts one window: no `for`.
              "sum by (instance, consumer) (increase(prometheus_wal_watcher_record_decode_failures_total[15m])) > 0",
              "0m", "high", "monitoring", "{{ $labels.instance }} cannot decode WAL records for {{ $labels.consumer }}",
              "The remote-write WAL watcher skips records it cannot decode: those samples never reach the "
              "global store."),
    ]


def alert_groups(s: "AlertingArgs") -> list[dict]:
    return [{"name": GROUP, "rules": [a.rule(s) for a in alerts(s)]}]
