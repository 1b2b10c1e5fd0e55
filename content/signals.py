"""Every recorded series and the cluster label, named once: the recording rules define them and the
alerts and dashboards import them (kube-prometheus / kafka-observ-lib style: config, then signals,
then alerts and dashboards)."""
from __future__ import annotations

from content.catalogue import CLUSTER_LABEL as C

# Broker and cluster signals (content.recording.throughput_rules).
MESSAGES_IN, BYTES_IN, BYTES_OUT = (f"{C}:kafka_{s}:rate5m" for s in ("messages_in", "bytes_in", "bytes_out"))
TOPIC_MESSAGES_IN, TOPIC_BYTES_IN, TOPIC_BYTES_OUT = (f"{C}_topic:kafka_{s}:rate5m"
                                                      for s in ("messages_in", "bytes_in", "bytes_out"))
REQUEST_TOTAL_TIME_P99 = f"{C}_request:kafka_request_total_time_ms:p99_max"
REQUEST_QUEUE_TIME_P99 = f"{C}_request:kafka_request_queue_time_ms:p99_max"
REQUEST_LOCAL_TIME_P99 = f"{C}_request:kafka_request_local_time_ms:p99_max"
GROUP_TOPIC_LAG = f"{C}_consumergroup_topic:kafka_consumergroup_lag:sum"
GROUP_LAG = f"{C}_consumergroup:kafka_consumergroup_lag:sum"
UNDER_REPLICATED = f"{C}:kafka_under_replicated_partitions:sum"
OFFLINE_PARTITIONS = f"{C}:kafka_offline_partitions:sum"
FENCED_BROKERS = f"{C}:kafka_fenced_brokers:max"
ACTIVE_CONTROLLERS = f"{C}:kafka_active_controllers:sum"
BROKER_UP = f"{C}:kafka_broker_up:avg"

# Event-processing signals (content.recording.event_rules).
EVENTS_BY_TYPE = "domain_event_type_status:kafka_events_processed:rate5m"
EVENTS = "kafka_events_processed:rate5m"
EVENT_FAILURES = "kafka_event_processing_failures:rate5m"
EVENT_P99 = "domain:kafka_event_processing_duration_seconds:p99_5m"
# Over 2 minutes: the critical latency page, which a 5-minute window would hold back (content.alerts).
EVENT_P99_FAST = "domain:kafka_event_processing_duration_seconds:p99_2m"
EVENT_P50 = "domain:kafka_event_processing_duration_seconds:p50_5m"
# The per-domain bucket rates both 5-minute quantiles read, summed once instead of once per quantile.
EVENT_BUCKETS = "domain_le:kafka_event_processing_duration_seconds_bucket:rate5m"

# SLO error ratios, one per objective and window (content.recording.slo_rules).
SLI_AVAILABILITY, SLI_EVENT_ERRORS, SLI_COMBAT_LATENCY = (
    "kafka_request_availability", "kafka_event_processing", "kafka_combat_latency")


def error_ratio(sli: str, window: str) -> str:
    return f"slo:{sli}:error_ratio_{window}"


# The 5-minute rates of each objective's bad and of all its events: the day-long windows average
# these recorded series instead of re-reading every raw counter over days (content.recording.slo_rules).
def bad_rate(sli: str) -> str:
    return f"slo:{sli}_bad:rate5m"


def all_rate(sli: str) -> str:
    return f"slo:{sli}_all:rate5m"
