"""Recording rules: everything dashboards and SLO alerts aggregate, so nothing scans raw partition series."""
from __future__ import annotations

from content import signals as sig
from content.catalogue import CLUSTER_LABEL as C, JOB_BROKER, JOB_CONTROLLER, slo_bucket

# Windows read from the raw counters; the page windows (1h, 6h and their short partners) stay exact.
SLO_WINDOWS = ("5m", "30m", "1h", "2h", "6h")
# Ticket-only windows, averaged from the recorded 5-minute rates in a group of their own that runs
# less often: read raw, these two re-read every counter series over 1 and 3 days at every evaluation.
SLO_LONG_WINDOWS = ("1d", "3d")
SLO_LONG_INTERVAL = "1m"  # well within Prometheus's 5-minute lookback, so the alerts always see a sample
# The request types the broker alerts (content.alerts) and the Latency Percentiles panel read.
REQUEST_TYPES = ("Produce", "FetchConsumer", "FetchFollower")
READ_REQUESTS = f'request=~"{"|".join(REQUEST_TYPES)}"'
# Keeps a controller gauge of the active controller only (its ActiveControllerCount is 1).
ACTIVE_CONTROLLER = (f'and on ({C}, instance) (kafka_controller_kafkacontroller_activecontrollercount'
                     f'{{job="{JOB_CONTROLLER}"}} == 1)')


def requests(kind: str, w: str) -> str:
    """Produce plus fetch requests of one kind (total or failed) per cluster, all-topics series only."""
    return " + ".join(f'sum by ({C}) (rate(kafka_server_brokertopicmetrics_{kind}{op}requests_total{{topic=""}}[{w}]))'
                      for op in ("produce", "fetch"))


def _r(record: str, expr: str) -> dict:
    return {"record": record, "expr": expr}


def throughput_rules() -> list[dict]:
    rules = []
    for metric, total, per_topic in (("messagesin", sig.MESSAGES_IN, sig.TOPIC_MESSAGES_IN),
                                     ("bytesin", sig.BYTES_IN, sig.TOPIC_BYTES_IN),
                                     ("bytesout", sig.BYTES_OUT, sig.TOPIC_BYTES_OUT)):
        raw = f"kafka_server_brokertopicmetrics_{metric}_total"
        # The all-topics series has no topic label: use it alone for totals, never with per-topic ones.
        rules.append(_r(total, f'sum by ({C}) (rate({raw}{{topic=""}}[5m]))'))
        rules.append(_r(per_topic, f'sum by ({C}, topic) (rate({raw}{{topic!=""}}[5m]))'))
    rules += [
        # JMX quantiles are summaries without _sum: take the worst broker, never an average. Only the
        # request types an alert or panel reads: Kafka registers the metrics of every API, so the max
        # over all of them would read some seventy request types per broker at every evaluation.
        _r(sig.REQUEST_TOTAL_TIME_P99,
           f'max by ({C}, request) (kafka_network_requestmetrics_totaltimems{{quantile="0.99",{READ_REQUESTS}}})'),
        _r(sig.REQUEST_QUEUE_TIME_P99,
           f'max by ({C}, request) (kafka_network_requestmetrics_requestqueuetimems{{quantile="0.99",{READ_REQUESTS}}})'),
        # Time a request handler spends on the request; with the queue time it is the broker's own share
        # of a fetch (the rest, remote time, is the wait for data in purgatory).
        _r(sig.REQUEST_LOCAL_TIME_P99,
           f'max by ({C}, request) (kafka_network_requestmetrics_localtimems{{quantile="0.99",{READ_REQUESTS}}})'),
        _r(sig.GROUP_TOPIC_LAG,
           f"sum by ({C}, consumergroup, topic) (kafka_consumergroup_lag_sum)"),
        _r(sig.GROUP_LAG,
           f"sum by ({C}, consumergroup) (kafka_consumergroup_lag_sum)"),
        _r(sig.UNDER_REPLICATED,
           f"sum by ({C}) (kafka_server_replicamanager_underreplicatedpartitions)"),
        # Every KRaft controller reports the gauge; only the active one's value is authoritative.
        _r(sig.OFFLINE_PARTITIONS,
           f"sum by ({C}) (kafka_controller_kafkacontroller_offlinepartitionscount {ACTIVE_CONTROLLER})"),
        _r(sig.FENCED_BROKERS,
           f"max by ({C}) (kafka_controller_kafkacontroller_fencedbrokercount {ACTIVE_CONTROLLER})"),
        _r(sig.ACTIVE_CONTROLLERS,
           f"sum by ({C}) (kafka_controller_kafkacontroller_activecontrollercount)"),
        _r(sig.BROKER_UP, f'avg by ({C}) (up{{job="{JOB_BROKER}"}})'),
    ]
    return rules


def event_rules() -> list[dict]:
    return [
        _r(sig.EVENTS_BY_TYPE,
           "sum by (domain, event_type, status) (rate(kafka_events_processed_total[5m]))"),
        _r(sig.EVENTS, "sum(rate(kafka_events_processed_total[5m]))"),
        _r(sig.EVENT_FAILURES, "sum(rate(kafka_event_processing_failures_total[5m]))"),
        # The bucket sum both 5-minute quantiles share, once (it reads every event series).
        _r(sig.EVENT_BUCKETS, "sum by (domain, le) (rate(kafka_event_processing_duration_seconds_bucket[5m]))"),
        _r(sig.EVENT_P99, f"histogram_quantile(0.99, {sig.EVENT_BUCKETS})"),
        _r(sig.EVENT_P99_FAST,
           "histogram_quantile(0.99, sum by (domain, le) (rate(kafka_event_processing_duration_seconds_bucket[2m])))"),
        _r(sig.EVENT_P50, f"histogram_quantile(0.50, {sig.EVENT_BUCKETS})"),
    ]


def _slo_events(combat_target_seconds: float, w: str) -> dict[str, tuple[str, str]]:
    """Per objective, its bad events and all its events per second over `w`."""
    good_le = slo_bucket(combat_target_seconds)
    combat = "kafka_event_processing_duration_seconds"
    return {
        # What clients see: failed over all produce and fetch requests (a restarting broker is not an outage).
        sig.SLI_AVAILABILITY: (requests("failed", w), requests("total", w)),
        sig.SLI_EVENT_ERRORS: (f"sum(rate(kafka_event_processing_failures_total[{w}]))",
                               f"sum(rate(kafka_events_processed_total[{w}]))"),
        # Good combat events finish within the largest bucket at or below the target ({good_le}s).
        sig.SLI_COMBAT_LATENCY: (f'sum(rate({combat}_count{{domain="combat"}}[{w}]))'
                                 f' - sum(rate({combat}_bucket{{domain="combat",le="{good_le:g}"}}[{w}]))',
                                 f'sum(rate({combat}_count{{domain="combat"}}[{w}]))'),
    }


def slo_rules(combat_target_seconds: float) -> list[dict]:
    """Error ratios of the three objectives over the windows read raw."""
    good_le = slo_bucket(combat_target_seconds)
    rules = [rule for w in SLO_WINDOWS for rule in (
        _r(sig.error_ratio(sig.SLI_AVAILABILITY, w),
           f"({requests('failed', w)}) / ({requests('total', w)})"),
        _r(sig.error_ratio(sig.SLI_EVENT_ERRORS, w),
           f"sum(rate(kafka_event_processing_failures_total[{w}])) / sum(rate(kafka_events_processed_total[{w}]))"),
        _r(sig.error_ratio(sig.SLI_COMBAT_LATENCY, w),
           f'1 - sum(rate(kafka_event_processing_duration_seconds_bucket{{domain="combat",le="{good_le:g}"}}[{w}]))'
           f' / sum(rate(kafka_event_processing_duration_seconds_count{{domain="combat"}}[{w}]))'),
    )]
    return rules


def slo_long_rules(combat_target_seconds: float) -> list[dict]:
    """Each objective's 5-minute bad and all rates, recorded once a minute (SLO_LONG_INTERVAL: a
    quarter of the samples a 15 s group would leave for the windows to read), then the day-long error
    ratios: bad over all events, each the mean of its recorded rate over the window (sum_over_time of
    both; the sample counts cancel). A rate over 5 minutes is centred 2.5 minutes back, so a change
    shows here about that much later than in the raw ratio: these windows only ticket (content.slo
    TICKET, `for: 15m`)."""
    events = _slo_events(combat_target_seconds, "5m")
    rates = [rule for sli, (bad, every) in events.items()
             for rule in (_r(sig.bad_rate(sli), bad), _r(sig.all_rate(sli), every))]
    return rates + [_r(sig.error_ratio(sli, w),
                       f"sum_over_time({sig.bad_rate(sli)}[{w}]) / sum_over_time({sig.all_rate(sli)}[{w}])")
                    for w in SLO_LONG_WINDOWS for sli in events]


def recording_groups() -> list[dict]:
    return [
        {"name": "kafka.recording.broker", "rules": throughput_rules()},
        {"name": "kafka.recording.events", "rules": event_rules()},
    ]
