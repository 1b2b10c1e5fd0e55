"""Fault shapes for the alert tests: a healthy, noisy Kafka cluster over hours, and the faults real
clusters have (ramps, partial error ratios, flaps, restarts) or planned work, as promtool input series.

Time runs in scrapes of STEP seconds. Every shape starts with HISTORY of healthy data, noisy and not
constant (a seeded generator, so every run sees the same numbers). Where the fault begins is the
worst case: just after a scrape (`worst`), so the first sample that shows it is one scrape later,
and for a ramp just after the last scrape before the true value crosses the alert's threshold.

How the sources behave, as modelled here:
- Kafka's consumer lag as kafka_exporter reports it is what was produced since the group's last
  commit: a caught-up consumer commits every auto.commit.interval.ms (5000 ms by default; apache/kafka
  3.8.0 clients ConsumerConfig), so its lag is noisy between 0 and 5 s of production.
- The kubelet refreshes kubelet_volume_stats_* about once a minute (KUBELET_REFRESH); the worst case
  is a fault that starts just after a refresh and a scrape that comes just before the next one.
- A Kafka log grows with what is produced and shrinks when the log cleaner's retention check
  deletes old segments, every log.retention.check.interval.ms (300000 ms by default; apache/kafka
  3.8.0 server-common ServerLogConfigs): a disk that "sits still" is a saw-tooth around its level.
- A request counts as failed (FailedProduceRequestsPerSec, FailedFetchRequestsPerSec) only on an
  unexpected error; NOT_LEADER_OR_FOLLOWER and the other errors of a leader that moved do not count
  (apache/kafka 3.8.0 core ReplicaManager.appendToLocalLog and readFromLog).
- A consumer's fetch waits in the broker's purgatory for data up to fetch.max.wait.ms (500 ms by
  default; ConsumerConfig.DEFAULT_FETCH_MAX_WAIT_MS) and that wait is the request's remote time,
  part of its total time: TotalTimeMs = RequestQueue + Local + Remote + Throttle + ResponseQueue +
  ResponseSend (apache/kafka 3.8.0 core RequestChannel.Request.updateRequestMetrics, DelayedFetch,
  ReplicaManager.fetchMessages).
- Strimzi's rolling update (strimzi-kafka-operator 0.45.0 KafkaRoller) restarts one pod at a time,
  only when KafkaAvailability says no partition falls under min.insync.replicas, by deleting the pod
  and waiting for the new one to be ready: the new pod has a new IP (our `instance` label), its JMX
  counters start again from zero, and the controller fences the broker from its shutdown until it
  has caught up with the metadata log (about 105 s here).
- During a reassignment a partition counts as under-replicated against its original replicas only
  (apache/kafka 3.8.0 core Partition.isUnderReplicated, OngoingReassignmentState.replicationFactor).
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Callable

STEP = 15
HISTORY = 6 * 3600
KUBELET_REFRESH = 60
CLUSTER = "kafka"
NAMESPACE = "necpgame-infrastructure"
BROKERS = 3
# Produce and fetch requests per second per broker, healthy (consumers long-poll, so fetches dominate).
PRODUCE_PER_S, FETCH_PER_S = 300.0, 700.0

Value = float | None   # None: no sample at this scrape (target gone)


def sel(metric: str, **labels: str) -> str:
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


@dataclass
class Shape:
    """A whole cluster's series for `minutes` after HISTORY, built by the helpers below."""
    name: str
    minutes: int
    seed: int = 1
    series: dict[str, list[Value]] = field(default_factory=dict)
    worst: int = HISTORY - STEP      # the worst-case moment the fault begins (seconds)
    note: str = ""

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    @property
    def n(self) -> int:
        return (HISTORY + self.minutes * 60) // STEP + 1

    def times(self) -> range:
        return range(0, self.n * STEP, STEP)

    def gauge(self, series: str, f: Callable[[int], Value]) -> None:
        self.series[series] = [f(t) for t in self.times()]

    def counter(self, series: str, per_s: Callable[[int], Value], noise: float = 0.05) -> None:
        """A counter whose rate is per_s(t) (None: the target is gone), with multiplicative noise; a
        series that comes back after a gap starts again from 0 (a restarted process)."""
        total, values, gone = 0.0, [], True
        for t in self.times():
            rate = per_s(t)
            if rate is None:
                values.append(None)
                gone = True
                continue
            if gone:
                total, gone = 0.0, False
            else:
                total += max(0.0, rate * STEP * (1 + self.rng.uniform(-noise, noise)))
            values.append(total)
        self.series[series] = values

    def noisy(self, level: float, rel: float) -> float:
        return level * (1 + self.rng.uniform(-rel, rel))

    def input_series(self) -> list[dict]:
        return [{"series": s, "values": render(v)} for s, v in self.series.items()]


def render(values: list[Value]) -> str:
    """promtool's value syntax: a number per scrape, `stale` where a series ends, `_` while it is
    gone (promtool test rules: input_series values)."""
    out, prev = [], None
    for v in values:
        if v is None:
            out.append("stale" if prev is not None else "_")
        else:
            out.append(f"{v:.10g}")
        prev = v
    return " ".join(out)


# ---- the healthy cluster -------------------------------------------------------------------------

def broker(i: int, ip: str | None = None) -> dict[str, str]:
    return {"job": "kafka-broker", "instance": f"{ip or f'10.0.1.{10 + i}'}:9404",
            "kafka_cluster": CLUSTER, "pod": f"{CLUSTER}-brokers-{i}", "namespace": NAMESPACE}


def controller(i: int, ip: str | None = None) -> dict[str, str]:
    return {"job": "kafka-controller", "instance": f"{ip or f'10.0.2.{10 + i}'}:9404",
            "kafka_cluster": CLUSTER, "pod": f"{CLUSTER}-controllers-{i}", "namespace": NAMESPACE}


EXPORTER = {"job": "kafka-exporter", "instance": "10.0.3.1:9308", "kafka_cluster": CLUSTER}
GROUPS = (("combat-processor", "combat-events", 2000.0), ("economy-ledger", "economy-events", 400.0),
          ("social-feed", "social-events", 300.0), ("audit-archiver", "audit-events", 0.0))


def pvc(i: int) -> dict[str, str]:
    return {"job": "kubelet", "instance": f"node-{i}", "namespace": NAMESPACE,
            "persistentvolumeclaim": f"data-{CLUSTER}-brokers-{i}"}


def always(v: Value) -> Callable[[int], Value]:
    return lambda t: v


def healthy(shape: Shape, *, brokers_up: Callable[[int, int], bool] | None = None) -> Shape:
    """Every series the rules read, for a healthy prod cluster: 3 brokers, 3 KRaft controllers (0 is
    active), kafka_exporter with four consumer groups (one on an idle topic, long-polling), the
    kubelet's volume stats at 60 % with retention's saw-tooth, kube-state-metrics, the blackbox TLS
    probe, the event-processing core and Fluent Bit. Only scrape noise; nothing crosses a threshold."""
    s = shape
    for i in range(BROKERS):
        b = broker(i)
        s.gauge(sel("up", **b), always(1))
        for op, per_s in (("produce", PRODUCE_PER_S), ("fetch", FETCH_PER_S)):
            s.counter(sel(f"kafka_server_brokertopicmetrics_total{op}requests_total", **b, topic=""), always(per_s))
            s.counter(sel(f"kafka_server_brokertopicmetrics_failed{op}requests_total", **b, topic=""),
                      always(0.0003), noise=1.0)  # an unexpected error now and then
        s.counter(sel("kafka_server_brokertopicmetrics_messagesin_total", **b, topic=""), always(5000.0))
        request_times(s, b)
        for g in ("underreplicatedpartitions", "underminisrpartitioncount"):
            s.gauge(sel(f"kafka_server_replicamanager_{g}", **b), always(0))
        s.gauge(sel("kafka_log_logmanager_offlinelogdirectorycount", **b), always(0))
        s.counter(sel("kafka_server_replicamanager_isrshrinks_total", **b), always(0))
        s.gauge(sel("jvm_memory_used_bytes", **b, area="heap"), lambda t: s.noisy(3e9, 0.3))
        s.gauge(sel("jvm_memory_max_bytes", **b, area="heap"), always(8e9))
        s.counter(sel("process_cpu_seconds_total", **b), always(0.4), noise=0.3)
        for listener, count in (("TLS-9093", 40.0), ("REPLICATION-9091", 4.0)):
            s.gauge(sel("kafka_server_socket_server_metrics_connection_count", **b, listener=listener,
                        networkProcessor="0"), lambda t, c=count: round(s.noisy(c, 0.2)))
        s.gauge(sel("kafka_server_socket_server_metrics_connection_count", **b, listener="PLAIN-9092",
                    networkProcessor="0"), always(0))
        s.counter(sel("kafka_server_socket_server_metrics_failed_authentication_total", **b, listener="TLS-9093",
                      networkProcessor="0"), always(0.01), noise=1.0)
        disk(s, pvc(i), lambda t: 60.0)
        s.counter(sel("kube_pod_container_status_restarts_total", job="kube-state-metrics", namespace=NAMESPACE,
                      pod=b["pod"], container="kafka"), always(0))
    for i in range(3):
        c = controller(i)
        s.gauge(sel("up", **c), always(1))
        s.gauge(sel("kafka_controller_kafkacontroller_activecontrollercount", **c), always(1 if i == 0 else 0))
        for g in ("offlinepartitionscount", "fencedbrokercount"):
            s.gauge(sel(f"kafka_controller_kafkacontroller_{g}", **c), always(0))
        s.counter(sel("kafka_controller_controllerstats_uncleanleaderelections_total", **c), always(0))
        s.counter(sel("process_cpu_seconds_total", **c), always(0.1), noise=0.3)
        s.gauge(sel("jvm_memory_used_bytes", **c, area="heap"), lambda t: s.noisy(0.5e9, 0.3))
        s.gauge(sel("jvm_memory_max_bytes", **c, area="heap"), always(2e9))
    s.gauge(sel("up", **EXPORTER), always(1))
    for group, topic, per_s in GROUPS:
        consumer_lag(s, group, topic, lambda t, p=per_s: p)
    s.gauge(sel("up", job="kafka-tls-probe", instance=f"{CLUSTER}-kafka-bootstrap:9093", kafka_cluster=CLUSTER),
            always(1))
    s.gauge(sel("probe_ssl_earliest_cert_expiry", job="kafka-tls-probe", instance=f"{CLUSTER}-kafka-bootstrap:9093",
                kafka_cluster=CLUSTER), always(1.8e9 + 80 * 86400))
    s.gauge(sel("up", job="blackbox-exporter", instance="prometheus-blackbox-exporter:9115"), always(1))
    s.gauge(sel("up", job="kafka-event-core", pod="event-core-0"), always(1))
    events(s, lambda t: 95000.0)
    for name in ("dropped_records", "retries_failed"):
        s.counter(sel(f"fluentbit_output_{name}_total", job="fluent-bit", pod="fluent-bit-x7k2p", name="opensearch.1"),
                  always(0))
    return s


def request_times(s: Shape, b: dict[str, str], produce_ms: Callable[[int], float] = lambda t: 4.0,
                  fetch_wait_ms: float = 500.0) -> None:
    """The JMX 99th percentiles of one broker's request timers, ms: a produce is quick; a consumer
    fetch on a quiet topic waits in purgatory for up to fetch.max.wait.ms (its remote time), so its
    total time sits at the wait while its queue and local times stay small."""
    def q(name: str, request: str, f: Callable[[int], Value]) -> None:
        s.gauge(sel(f"kafka_network_requestmetrics_{name}", **b, request=request, quantile="0.99"), f)
    q("totaltimems", "Produce", lambda t: produce_ms(t) * s.noisy(1, 0.3))
    q("requestqueuetimems", "Produce", lambda t: s.noisy(0.5, 0.5))
    q("localtimems", "Produce", lambda t: s.noisy(1.0, 0.5))
    q("totaltimems", "FetchConsumer", lambda t: fetch_wait_ms + s.noisy(3, 0.6))
    q("requestqueuetimems", "FetchConsumer", lambda t: s.noisy(0.5, 0.5))
    q("localtimems", "FetchConsumer", lambda t: s.noisy(1.0, 0.5))
    q("totaltimems", "FetchFollower", lambda t: fetch_wait_ms + s.noisy(2, 0.6))


def consumer_lag(s: Shape, group: str, topic: str, produced_per_s: Callable[[int], float],
                 stuck_from: int | None = None, extra: Callable[[int], float] = lambda t: 0.0) -> None:
    """kafka_exporter's lag of a group that commits every 5 s: what was produced since its last commit
    (a random point in the commit interval at each scrape), plus `extra` (a backlog)."""
    labels = {**EXPORTER, "consumergroup": group, "topic": topic}
    offset = [0.0]

    def lag(t: int) -> float:
        return round(produced_per_s(t) * s.rng.uniform(0, 5) + extra(t))

    def committed(t: int) -> float:
        if stuck_from is None or t < stuck_from:
            offset[0] += produced_per_s(t) * STEP
        return offset[0]
    s.gauge(sel("kafka_consumergroup_lag_sum", **labels), lag)
    s.gauge(sel("kafka_consumergroup_current_offset_sum", **labels), committed)


def disk(s: Shape, labels: dict[str, str], used_percent: Callable[[int], float], capacity: float = 1e12,
         refresh_at: int | None = None) -> None:
    """The kubelet's view of a volume whose true use is used_percent(t) plus retention's saw-tooth
    (0.5 % grows over 5 minutes, then the retention check deletes it): refreshed every 60 s, at
    refresh_at and every minute from it, and read by the scrape that comes after a refresh (the
    worst case: 15 s later)."""
    anchor = HISTORY - STEP if refresh_at is None else refresh_at

    def true(t: int) -> float:
        return used_percent(t) + 0.5 * ((t % 300) / 300)

    def seen(t: int) -> float:
        last = anchor + math.floor((t - STEP - anchor) / KUBELET_REFRESH) * KUBELET_REFRESH
        return min(100.0, true(last))
    s.gauge(sel("kubelet_volume_stats_capacity_bytes", **labels), always(capacity))
    s.gauge(sel("kubelet_volume_stats_used_bytes", **labels), lambda t: round(capacity * seen(t) / 100))
    s.gauge(sel("kubelet_volume_stats_available_bytes", **labels), lambda t: round(capacity * (1 - seen(t) / 100)))


def events(s: Shape, per_s: Callable[[int], float], fail_ratio: Callable[[int], float] = lambda t: 0.0001,
           tail_ms: Callable[[int], float] = lambda t: 44.0, tail_share: float = 0.02) -> None:
    """The event-processing core's counters and its combat latency histogram: most events finish in
    5-50 ms; a tail of `tail_share` takes tail_ms(t), so the true P99 is the tail's latency."""
    s.counter(sel("kafka_events_processed_total", domain="combat", event_type="hit", status="success"), per_s)
    s.counter(sel("kafka_event_processing_failures_total", pod="event-core-0"), lambda t: per_s(t) * fail_ratio(t),
              noise=0.5)
    bounds = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, math.inf)
    combat = lambda t: per_s(t) * 0.4  # noqa: E731 - a share of all events are combat events
    body = {0.005: 0.5, 0.01: 0.3, 0.05: 1 - tail_share - 0.8}  # share of events ending in each bucket
    rng = s.rng
    counts = {b: 0.0 for b in bounds}
    histogram = {b: [] for b in bounds}
    total = []
    for t in s.times():
        n = combat(t) * STEP * (1 + rng.uniform(-0.05, 0.05))
        tail = tail_ms(t) / 1000
        for b in bounds:
            share = sum(v for k, v in body.items() if k <= b) + (tail_share if tail <= b else 0.0)
            counts[b] += n * share
            histogram[b].append(counts[b])
        total.append(counts[math.inf])
    for b in bounds:
        s.series[sel("kafka_event_processing_duration_seconds_bucket", domain="combat", event_type="hit",
                      le="+Inf" if b == math.inf else f"{b:g}")] = histogram[b]
    s.series[sel("kafka_event_processing_duration_seconds_count", domain="combat", event_type="hit")] = total


# ---- time helpers --------------------------------------------------------------------------------

def after(start: int, v_after: float, v_before: float) -> Callable[[int], float]:
    return lambda t: v_after if t >= start else v_before


def ramp(start: int, per_s: float, v0: float, cap: float = math.inf) -> Callable[[int], float]:
    """v0 until start, then rising by per_s every second (capped)."""
    return lambda t: v0 if t < start else min(cap, v0 + per_s * (t - start))


def crossing(start: int, per_s: float, v0: float, threshold: float) -> int:
    """The worst-case fault moment of a ramp: the last scrape before its true value passes the
    threshold (the fault, for the alert, begins just after it)."""
    t_cross = start + (threshold - v0) / per_s
    return int(math.ceil(t_cross / STEP) - 1) * STEP
