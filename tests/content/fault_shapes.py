"""Fault shapes for the alert tests: a healthy, noisy Kafka cluster over hours, and the faults real
clusters have (ramps, partial error ratios, flaps, restarts) or planned work, as promtool input series.

Time runs in scrapes of STEP seconds. Every shape starts with HISTORY of healthy data, noisy and not
constant (a seeded generator, so every run sees the same numbers). Where the fault begins is the
worst case: just after a scrape (`worst`), so the first sample that shows it is one scrape later,
and for a ramp just after the last scrape before the true value crosses the alert's threshold.

How the sources behave, as modelled here (Kafka read at apache/kafka tag 3.8.0, a version Strimzi
0.45 runs; RequestChannel.scala and DelayedFetch.scala are the same at 3.9.0-rc3):
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

def broker(i: int) -> dict[str, str]:
    return {"job": "kafka-broker", "instance": f"10.0.1.{10 + i}:9404",
            "kafka_cluster": CLUSTER, "pod": f"{CLUSTER}-brokers-{i}", "namespace": NAMESPACE}


def controller(i: int) -> dict[str, str]:
    return {"job": "kafka-controller", "instance": f"10.0.2.{10 + i}:9404",
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
        broker_requests(s, b)
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


def broker_requests(s: Shape, b: dict[str, str], fail: Callable[[str, int], float] = lambda op, t: 0.0,
                    scale: Callable[[int], Value] = always(1.0)) -> None:
    """One broker's all-topics produce and fetch request counters: `fail(op, t)` of them fail, on top of
    an unexpected error now and then; `scale(t)` multiplies the traffic (None: the broker is gone)."""
    for op, per_s in (("produce", PRODUCE_PER_S), ("fetch", FETCH_PER_S)):
        def total(t: int, per_s=per_s) -> Value:
            k = scale(t)
            return None if k is None else per_s * k

        def failed(t: int, per_s=per_s, op=op) -> Value:
            k = scale(t)
            return None if k is None else per_s * k * fail(op, t) + 0.0003
        s.counter(sel(f"kafka_server_brokertopicmetrics_total{op}requests_total", **b, topic=""), total, noise=0.02)
        s.counter(sel(f"kafka_server_brokertopicmetrics_failed{op}requests_total", **b, topic=""), failed, noise=0.3)


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
                 extra: Callable[[int], float] = lambda t: 0.0) -> None:
    """kafka_exporter's lag of a group that commits every 5 s: what was produced since its last commit
    (a random point in the commit interval at each scrape), plus `extra` (a backlog)."""
    labels = {**EXPORTER, "consumergroup": group, "topic": topic}
    offset = [0.0]

    def lag(t: int) -> float:
        return round(produced_per_s(t) * s.rng.uniform(0, 5) + extra(t))

    def committed(t: int) -> float:
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


# ---- changing a built shape ----------------------------------------------------------------------

def patch(s: Shape, series: str, f: Callable[[int, Value], Value], start: int = 0, end: int | None = None) -> None:
    """Replace a series' values from start until end with f(t, old value)."""
    values = s.series[series]
    for k, t in enumerate(s.times()):
        if t >= start and (end is None or t < end):
            values[k] = f(t, values[k])


def restart(s: Shape, instance: str, new_instance: str, gone: int, back: int, first_up: int) -> None:
    """A pod replaced by a new one: every series of `instance` ends at `gone`; the same series with
    `new_instance` starts at `back` (counters again from zero, with the old pod's increments), and
    its `up` is 0 until `first_up` (the JVM's exporter not listening yet)."""
    for key in [k for k in s.series if f'instance="{instance}"' in k]:
        old = s.series[key]
        new: list[Value] = []
        total = 0.0
        for k, t in enumerate(s.times()):
            if t < back:
                new.append(None)
            elif key.startswith("up{"):
                new.append(0.0 if t < first_up else 1.0)
            elif key.split("{")[0].endswith("_total"):
                total += 0.0 if t == back or old[k] is None or old[k - 1] is None else old[k] - old[k - 1]
                new.append(total)
            else:
                new.append(old[k])
        s.series[key.replace(f'instance="{instance}"', f'instance="{new_instance}"')] = new
        s.series[key] = [v if t < gone else None for v, t in zip(old, s.times())]


def restart_in_place(s: Shape, instance: str, at: int, down_s: int) -> None:
    """A container restarted in its pod (same IP, same labels): its scrapes fail for down_s (`up` 0,
    every other series gone), then its counters start again from zero in the same series."""
    for key in [k for k in s.series if f'instance="{instance}"' in k]:
        old = s.series[key]
        new: list[Value] = []
        total = None
        for k, t in enumerate(s.times()):
            if t < at:
                new.append(old[k])
            elif key.startswith("up{"):
                new.append(0.0 if t < at + down_s else 1.0)
            elif t < at + down_s:
                new.append(None)
            elif key.split("{")[0].endswith("_total"):
                total = 0.0 if total is None else total + old[k] - old[k - 1]
                new.append(total)
            else:
                new.append(old[k])
        s.series[key] = new


# ---- the shapes ----------------------------------------------------------------------------------

FENCED_S = 105      # a restarted broker is fenced this long (stop, new pod, start, catch up metadata)
CATCH_UP_S = 45     # then its followers rejoin the ISRs
ACTIVE = sel("kafka_controller_kafkacontroller_fencedbrokercount", **controller(0))


def rolling_restart() -> Shape:
    """Strimzi rolls broker 1: it shuts down cleanly just after a scrape, its pod is deleted and a new
    one (new IP) is scraped 45 s later, its exporter answering from the next scrape; the active
    controller fences it for FENCED_S, and the other brokers count its 20 partitions each as
    under-replicated until it has caught up; their ISRs shrink once. Clients move to the other
    brokers; no request fails (a moved leader's NOT_LEADER_OR_FOLLOWER is not a failed request)."""
    s = healthy(Shape("rolling restart of one broker", 20, seed=2,
                      note="Strimzi rolls broker 1: fenced 105 s, new pod IP, counters from zero"))
    t0 = HISTORY
    restart(s, broker(1)["instance"], "10.0.1.27:9404", gone=t0, back=t0 + 45, first_up=t0 + 60)
    patch(s, ACTIVE, lambda t, v: 1, t0, t0 + FENCED_S)
    for i in (0, 2):
        patch(s, sel("kafka_server_replicamanager_underreplicatedpartitions", **broker(i)), lambda t, v: 20,
              t0, t0 + FENCED_S + CATCH_UP_S)
        patch(s, sel("kafka_server_replicamanager_isrshrinks_total", **broker(i)), lambda t, v: 20, t0)
    return s


def controller_failover() -> Shape:
    """The active KRaft controller (0) restarts: no controller reports itself active at the next
    scrape, controller 1 does from the one after; controller 0 comes back with a new IP as a standby."""
    s = healthy(Shape("controller failover", 20, seed=3, note="the active KRaft controller restarts; 1 takes over"))
    t0 = HISTORY
    patch(s, sel("kafka_controller_kafkacontroller_activecontrollercount", **controller(1)), lambda t, v: 1, t0 + STEP)
    patch(s, sel("kafka_controller_kafkacontroller_activecontrollercount", **controller(0)), lambda t, v: 0, t0)
    restart(s, controller(0)["instance"], "10.0.2.31:9404", gone=t0, back=t0 + 60, first_up=t0 + 75)
    return s


def reassignment() -> Shape:
    """A 30-minute throttled reassignment that moves partitions from broker 0 to broker 2 and keeps
    min ISR: the moving partitions are not under-replicated (their original replicas stay in sync),
    acks=all produce waits a little longer for followers (P99 4 -> 60 ms), the brokers use more
    CPU, and broker 2's volume takes 5 % more."""
    s = healthy(Shape("partition reassignment", 45, seed=4, note="30-minute reassignment from broker 0 to 2"))
    t0, t1 = HISTORY, HISTORY + 1800
    for i in range(BROKERS):
        patch(s, sel("kafka_network_requestmetrics_totaltimems", **broker(i), request="Produce", quantile="0.99"),
              lambda t, v: 60 * s.noisy(1, 0.3), t0, t1)
    for i in range(BROKERS):  # 0.4 -> 0.7 of a core while it lasts
        patch(s, sel("process_cpu_seconds_total", **broker(i)), lambda t, v: v + 0.3 * (min(t, t1) - t0), t0)
    disk(s, pvc(2), lambda t: 60.0 + 5.0 * min(max(t - t0, 0), t1 - t0) / (t1 - t0))
    return s


def quiet() -> Shape:
    """A healthy quiet cluster: 2 % of the usual requests, consumers long-polling idle topics (their
    fetch P99 total time at fetch.max.wait.ms), nothing wrong, for hours."""
    s = Shape("quiet traffic", 15, seed=5, note="2 % of the usual requests; consumers long-poll idle topics")
    healthy(s)
    for i in range(BROKERS):
        broker_requests(s, broker(i), scale=always(0.02))
    return s


def failing(produce: float, fetch: float, flap: bool = False, blip: bool = False, crash: bool = False,
            seed: int = 6) -> Shape:
    """From the fault on, `produce` and `fetch` of those requests fail on every broker; flapping: for
    30 s out of every 60 s; a blip: during one scrape interval only. With `crash`, broker 0's
    container restarts in place 30 s after the fault (its counters reset in the same series)."""
    def on(t: int) -> bool:
        if t < HISTORY:
            return False
        if blip:
            return t < HISTORY + STEP
        return not flap or (t - HISTORY) % 60 < 30
    share = (produce * PRODUCE_PER_S + fetch * FETCH_PER_S) / (PRODUCE_PER_S + FETCH_PER_S)
    what = (f"{produce * 100:g} % of produce and {fetch * 100:g} % of fetch requests fail" if fetch else
            f"{produce * 100:g} % of produce requests fail ({share * 100:g} % of all requests)" if produce else
            "no request fails")
    what += ", 30 s of every minute" if flap else ", for one scrape interval" if blip else ""
    what += "; a broker's container restarts 30 s in (its counters reset)" if crash else ""
    s = Shape(what, 20, seed=seed, note=what)
    for i in range(BROKERS):
        s.gauge(sel("up", **broker(i)), always(1))
        broker_requests(s, broker(i), fail=lambda op, t: (produce if op == "produce" else fetch) if on(t) else 0.0)
    if crash:
        restart_in_place(s, broker(0)["instance"], HISTORY + 30, 30)
    return s


COMBAT_RAMP_S = 300


def combat_latency(step: bool = False, blip: bool = False) -> Shape:
    """The slowest 2 % of combat events go from 44 ms to 370 ms: over 5 minutes (a ramp), at once (a
    step), or for one scrape interval (a stall that passes: no page). The ramp's fault moment is the
    last scrape before the true P99 passes the critical 120 ms."""
    if step or blip:
        tail = (lambda t: 370.0 if HISTORY <= t < HISTORY + STEP else 44.0) if blip else after(HISTORY, 370.0, 44.0)
        note = "combat P99 44 -> 370 ms " + ("for one scrape interval" if blip else "at once")
        s = Shape(note, 20, seed=7, note=note)
    else:
        per_s = (370 - 44) / COMBAT_RAMP_S
        start = HISTORY - 60
        tail = ramp(start, per_s, 44.0, cap=370.0)
        s = Shape("combat P99 44 -> 370 ms over 5 min", 20, seed=7, note="combat P99 rises 44 -> 370 ms over 5 min")
        s.worst = crossing(start, per_s, 44.0, 120.0)
    events(s, always(95000.0), tail_ms=tail)
    return s


def disk_fill(percent_per_min: float, start_percent: float = 60.0, threshold: float = 95.0) -> Shape:
    """A broker volume at start_percent fills at percent_per_min from the fault on; the fault moment is
    the last scrape before its true use passes `threshold` to stay above it for 2 minutes (retention's
    deletions may take a slow fill back under it for a while), with the kubelet refreshing just then,
    the worst case. The other volumes stay at 60 %."""
    per_s = percent_per_min / 60
    start = HISTORY
    saw = lambda t: 0.5 * ((t % 300) / 300)  # noqa: E731 - disk()'s retention saw-tooth
    above = [start_percent + per_s * (t - start) + saw(t) > threshold for t in range(start, start + 10**6)]
    t_cross = start + next(k for k in range(len(above)) if all(above[k:k + 120]))
    worst = (t_cross - 1) // STEP * STEP
    minutes = (t_cross - HISTORY) // 60 + 10
    s = Shape(f"disk fills {percent_per_min:g} %/min from {start_percent:g} %", minutes, seed=8,
              note=f"a broker volume fills {percent_per_min:g} %/min from {start_percent:g} %")
    s.worst = worst
    for i in range(BROKERS):
        used = ramp(start, per_s, start_percent, cap=100.0) if i == 0 else always(60.0)
        disk(s, pvc(i), used, refresh_at=worst if i == 0 else None)
    return s


def disk_still(level: float = 80.0) -> Shape:
    """Volumes that sit at `level` (retention's saw-tooth around it) for 12 hours."""
    s = Shape(f"disk sits at {level:g} %", 6 * 60, seed=9, note=f"every volume sits at {level:g} %")
    for i in range(BROKERS):
        disk(s, pvc(i), always(level))
    return s


EVENTS_PER_S = 95000.0


def event_failures_ramp(threshold: float) -> Shape:
    """Event-processing failures rise from 0.01 % to 1 % of 95k events/s over 10 minutes (a bad
    deploy rolling out pod by pod); the fault moment is the last scrape before they pass `threshold`
    a second."""
    start, per_s = HISTORY - 30, (0.01 - 0.0001) / 600
    s = Shape("event failures ramp", 20, seed=11, note="event failures rise 0.01 -> 1 % of 95k events/s over 10 min")
    events(s, always(EVENTS_PER_S), fail_ratio=ramp(start, per_s, 0.0001, cap=0.01))
    s.worst = crossing(start, per_s, 0.0001, threshold / EVENTS_PER_S)
    return s


def event_failures_blip() -> Shape:
    """10 % of events fail during one scrape interval (a dependency's brief hiccup), then none."""
    s = Shape("event failures blip", 20, seed=13, note="10 % of events fail for one scrape interval")
    events(s, always(EVENTS_PER_S), fail_ratio=lambda t: 0.1 if HISTORY <= t < HISTORY + STEP else 0.0001)
    return s


def auth_failures_ramp(per_minute: float) -> Shape:
    """Failed authentications on one broker's TLS listener rise from 0.6 to 300 a minute over 10
    minutes (clients with a revoked credential restarting one by one); the fault moment is the last
    scrape before they pass `per_minute`."""
    start, per_s = HISTORY - 30, (5.0 - 0.01) / 600
    s = Shape("auth failures ramp", 20, seed=12, note="failed authentications rise 0.6 -> 300 a minute over 10 min")
    s.counter(sel("kafka_server_socket_server_metrics_failed_authentication_total", **broker(0), listener="TLS-9093",
                  networkProcessor="0"), ramp(start, per_s, 0.01, cap=5.0), noise=0.2)
    s.worst = crossing(start, per_s, 0.01, per_minute / 60)
    return s


LAG_GROWTH = 1500.0   # messages/s the slowed consumer falls behind


def lag_ramp(threshold: float = 100000) -> Shape:
    """combat-processor falls behind by LAG_GROWTH messages a second from the fault on; the fault
    moment is the last scrape before the backlog plus the most commit noise (5 s of production)
    passes the threshold, the earliest the lag can cross it."""
    s = Shape("consumer lag rises 1500/s", 20, seed=10, note="a consumer group falls behind 1500 messages/s")
    group, topic, per_s = GROUPS[0]
    consumer_lag(s, group, topic, always(per_s), extra=ramp(HISTORY, LAG_GROWTH, 0.0))
    s.worst = crossing(HISTORY, LAG_GROWTH, 0.0, threshold - 5 * per_s)
    return s


# ---- what each shape must do to the alerts -------------------------------------------------------

@dataclass(frozen=True)
class Fault:
    id: str
    build: Callable[[], Shape]
    alerts: tuple[str, ...] | str | None  # the alert rules evaluated: these, "paging" (every critical and
    #                                       high one: what planned work must not raise), or None (all)
    pages: tuple[tuple[str, int], ...] = ()   # (alert, seconds from the worst-case moment to firing), measured
    silent: str = ""                    # ALERTS matchers that must match nothing at any evaluation
    first: tuple[str, str] | None = None  # (early, late): `late` fires only once `early` has

    def shape(self) -> Shape:
        """The shape, built once per process (a whole cluster's six hours take a second or two)."""
        if self.id not in _BUILT:
            _BUILT[self.id] = self.build()
        return _BUILT[self.id]


_BUILT: dict[str, Shape] = {}


PAGING = 'alertstate="firing",severity=~"critical|high"'
FAILING = ("KafkaBrokerRequestsFailing",)
DISK = ("KafkaDiskSpaceCritical", "KafkaDiskSpaceLow")
DISK_RATES = (0.1, 0.5, 1.0, 2.0, 5.0)

FAULTS: list[Fault] = [
    # Planned work and quiet traffic, with every rule.
    Fault("rolling-restart", rolling_restart, "paging", silent=PAGING),
    Fault("controller-failover", controller_failover, "paging", silent=PAGING),
    Fault("reassignment", reassignment, "paging", silent=PAGING),
    Fault("quiet", quiet, None, silent='alertname=~".+"'),
    # Partial failures, flapping or not; a blip and a ratio under the threshold page nobody.
    Fault("fail-5pct-produce", lambda: failing(0.05, 0.0), FAILING, (("KafkaBrokerRequestsFailing", 105),)),
    Fault("fail-5pct-all", lambda: failing(0.05, 0.05), FAILING, (("KafkaBrokerRequestsFailing", 75),)),
    Fault("fail-flapping", lambda: failing(0.05, 0.05, flap=True), FAILING, (("KafkaBrokerRequestsFailing", 75),)),
    Fault("fail-and-crash", lambda: failing(0.05, 0.05, crash=True), FAILING, (("KafkaBrokerRequestsFailing", 75),)),
    # A container restart alone: its counters' reset is no burst of failures.
    Fault("crash-alone", lambda: failing(0.0, 0.0, crash=True), FAILING, silent=PAGING),
    # 0.5 % of requests is 5x the availability budget: a ticket (slow burn), not a page.
    Fault("fail-half-pct", lambda: failing(0.005, 0.005), (*FAILING, "KafkaAvailabilitySLOFastBurn"), silent=PAGING),
    Fault("fail-blip", lambda: failing(0.2, 0.2, blip=True), FAILING, silent=PAGING),
    # Combat latency: a ramp and a step page; a one-scrape stall does not.
    Fault("combat-ramp", combat_latency, ("KafkaCombatLatencyCritical",), (("KafkaCombatLatencyCritical", 135),)),
    Fault("combat-step", lambda: combat_latency(step=True), ("KafkaCombatLatencyCritical",),
          (("KafkaCombatLatencyCritical", 150),)),
    Fault("combat-stall", lambda: combat_latency(blip=True), ("KafkaCombatLatencyCritical",), silent=PAGING),
    # Failures rising over minutes (prod's thresholds: 100 failures/s, 10 failed authentications/min).
    Fault("event-failures-ramp", lambda: event_failures_ramp(100), ("KafkaEventProcessingFailed",),
          (("KafkaEventProcessingFailed", 105),)),
    Fault("event-failures-blip", event_failures_blip, ("KafkaEventProcessingFailed",), silent=PAGING),
    Fault("auth-failures-ramp", lambda: auth_failures_ramp(10), ("KafkaSASLAuthFailuresSpike",),
          (("KafkaSASLAuthFailuresSpike", 90),)),
    # Consumer lag rising over minutes.
    Fault("lag-ramp", lag_ramp, ("KafkaHighConsumerLag",), (("KafkaHighConsumerLag", 165),)),
    # Disks: every fill rate pages, after the early warning; a disk that sits still warns nobody.
    # Measured 135 s at every rate: the kubelet's refresh (60 s), the next scrape (15 s), `for: 1m`.
    *[Fault(f"disk-{rate:g}", lambda rate=rate: disk_fill(rate), DISK, (("KafkaDiskSpaceCritical", 135),),
            first=("KafkaDiskSpaceLow", "KafkaDiskSpaceCritical")) for rate in DISK_RATES],
    Fault("disk-still-80", disk_still, DISK, silent='alertname=~".+"'),
]
