"""Recording rules: everything dashboards and SLO alerts aggregate, so nothing scans raw partition series."""
from __future__ import annotations

from content.catalogue import CLUSTER_LABEL as C, JOB_BROKER, JOB_CONTROLLER, slo_bucket

SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
# Keeps a controller gauge of the active controller only (its ActiveControllerCount is 1).
ACTIVE_CONTROLLER = (f'and on ({C}, instance) (kafka_controller_kafkacontroller_activecontrollercount'
                     f'{{job="{JOB_CONTROLLER}"}} == 1)')


def _requests(kind: str, w: str) -> str:
    """Produce plus fetch requests of one kind (total or failed) per cluster, all-topics series only."""
    return " + ".join(f'sum by ({C}) (rate(kafka_server_brokertopicmetrics_{kind}{op}requests_total{{topic=""}}[{w}]))'
                      for op in ("produce", "fetch"))


def _r(record: str, expr: str) -> dict:
    return {"record": record, "expr": expr}


def throughput_rules() -> list[dict]:
    rules = []
    for metric, short in (("messagesin", "messages_in"), ("bytesin", "bytes_in"), ("bytesout", "bytes_out")):
        raw = f"kafka_server_brokertopicmetrics_{metric}_total"
        # The all-topics series has no topic label: use it alone for totals, never with per-topic ones.
        rules.append(_r(f"{C}:kafka_{short}:rate5m", f'sum by ({C}) (rate({raw}{{topic=""}}[5m]))'))
        rules.append(_r(f"{C}_topic:kafka_{short}:rate5m", f'sum by ({C}, topic) (rate({raw}{{topic!=""}}[5m]))'))
    rules += [
        # JMX quantiles are summaries without _sum: take the worst broker, never an average.
        _r(f"{C}_request:kafka_request_total_time_ms:p99_max",
           f'max by ({C}, request) (kafka_network_requestmetrics_totaltimems{{quantile="0.99"}})'),
        _r(f"{C}_request:kafka_request_queue_time_ms:p99_max",
           f'max by ({C}, request) (kafka_network_requestmetrics_requestqueuetimems{{quantile="0.99"}})'),
        _r(f"{C}_consumergroup_topic:kafka_consumergroup_lag:sum",
           f"sum by ({C}, consumergroup, topic) (kafka_consumergroup_lag_sum)"),
        _r(f"{C}_consumergroup:kafka_consumergroup_lag:sum",
           f"sum by ({C}, consumergroup) (kafka_consumergroup_lag_sum)"),
        _r(f"{C}:kafka_under_replicated_partitions:sum",
           f"sum by ({C}) (kafka_server_replicamanager_underreplicatedpartitions)"),
        # Every KRaft controller reports the gauge; only the active one's value is authoritative.
        _r(f"{C}:kafka_offline_partitions:sum",
           f"sum by ({C}) (kafka_controller_kafkacontroller_offlinepartitionscount {ACTIVE_CONTROLLER})"),
        _r(f"{C}:kafka_fenced_brokers:max",
           f"max by ({C}) (kafka_controller_kafkacontroller_fencedbrokercount {ACTIVE_CONTROLLER})"),
        _r(f"{C}:kafka_active_controllers:sum",
           f"sum by ({C}) (kafka_controller_kafkacontroller_activecontrollercount)"),
        _r(f"{C}:kafka_broker_up:avg", f'avg by ({C}) (up{{job="{JOB_BROKER}"}})'),
    ]
    return rules


def event_rules() -> list[dict]:
    return [
        _r("domain_event_type_status:kafka_events_processed:rate5m",
           "sum by (domain, event_type, status) (rate(kafka_events_processed_total[5m]))"),
        _r("kafka_events_processed:rate5m", "sum(rate(kafka_events_processed_total[5m]))"),
        _r("kafka_event_processing_failures:rate5m", "sum(rate(kafka_event_processing_failures_total[5m]))"),
        _r("domain:kafka_event_processing_duration_seconds:p99_5m",
           "histogram_quantile(0.99, sum by (domain, le) (rate(kafka_event_processing_duration_seconds_bucket[5m])))"),
        _r("domain:kafka_event_processing_duration_seconds:p50_5m",
           "histogram_quantile(0.50, sum by (domain, le) (rate(kafka_event_processing_duration_seconds_bucket[5m])))"),
    ]


def slo_rules(combat_target_seconds: float) -> list[dict]:
    """Error ratios of the three objectives over every window the burn-rate alerts use."""
    good_le = slo_bucket(combat_target_seconds)
    return [rule for w in SLO_WINDOWS for rule in (
        # What clients see: failed over all produce and fetch requests (a restarting broker is not an outage).
        _r(f"slo:kafka_request_availability:error_ratio_{w}",
           f"({_requests('failed', w)}) / ({_requests('total', w)})"),
        _r(f"slo:kafka_event_processing:error_ratio_{w}",
           f"sum(rate(kafka_event_processing_failures_total[{w}])) / sum(rate(kafka_events_processed_total[{w}]))"),
        # Good combat events finish within the largest bucket at or below the target ({good_le}s).
        _r(f"slo:kafka_combat_latency:error_ratio_{w}",
           f'1 - sum(rate(kafka_event_processing_duration_seconds_bucket{{domain="combat",le="{good_le:g}"}}[{w}]))'
           f' / sum(rate(kafka_event_processing_duration_seconds_count{{domain="combat"}}[{w}]))'),
    )]


def recording_groups() -> list[dict]:
    return [
        {"name": "kafka.recording.broker", "rules": throughput_rules()},
        {"name": "kafka.recording.events", "rules": event_rules()},
    ]
