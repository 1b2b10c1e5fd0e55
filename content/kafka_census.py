"""A census of the MBeans a Kafka 3.9 broker and KRaft controller register, one unit at a time.

The capacity plan counts series as (series one unit makes) x (how many units there are), where a
unit's series are what the rendered JMX rules make of its MBeans (content/jmx_exporter.py): so an
edit of the rules changes the plan, and nothing here is a count typed by hand. Sources: apache/kafka
branch 3.9 (commit c821449fb7c1e2c0f398eeb5cfc4a8abc210c0a4):
- core/.../network/RequestChannel.scala: `Metrics` creates a RequestMetrics for every API of the
  listener type (`ApiKeys.apisForListener`) plus FetchConsumer, FetchFollower and
  AddPartitionsToTxnVerification, eagerly; each has 8 histograms (RequestQueueTimeMs, LocalTimeMs,
  RemoteTimeMs, ThrottleTimeMs, ResponseQueueTimeMs, ResponseSendTimeMs, TotalTimeMs, RequestBytes),
  Produce and Fetch 2 more (MessageConversionsTimeMs, TemporaryMemoryBytes). RequestsPerSec (per
  version) and ErrorsPerSec (per error) are created on first use.
- clients/src/main/resources/common/message/*Request.json `listeners`: 72 APIs on a broker, 42 on
  a controller.
- core/.../cluster/Partition.scala: 6 gauges per hosted replica (UnderReplicated, InSyncReplicasCount,
  UnderMinIsr, AtMinIsr, ReplicasCount, LastStableOffsetLag); storage UnifiedLog: 4 (Size,
  LogStartOffset, LogEndOffset, NumLogSegments); FetcherLagMetrics ConsumerLag per followed replica.
- clients/.../network/Selector.java SelectorMetrics: the 38 attributes of socket-server-metrics per
  listener and network thread (the `connections` per cipher and per client software come on top).
- BrokerTopicMetrics: the per-topic meters are created when the topic first has traffic.
JVM and exporter self-metrics are not MBeans of Kafka's: JVM_SERIES is an estimate.
"""
from __future__ import annotations

from content.jmx_exporter import Attribute

BROKER_APIS, CONTROLLER_APIS = 72, 42
PSEUDO_APIS = ("FetchConsumer", "FetchFollower", "AddPartitionsToTxnVerification")
HISTOGRAMS = ("RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ThrottleTimeMs", "ResponseQueueTimeMs",
              "ResponseSendTimeMs", "TotalTimeMs", "RequestBytes")
PRODUCE_FETCH_HISTOGRAMS = ("MessageConversionsTimeMs", "TemporaryMemoryBytes")
# The census counts series, and what a rule makes of an attribute (name and labels) comes from the
# attribute's name alone: content/jmx.py closes every pattern before `: VALUE`. So every numeric
# attribute reads the same number; only numeric against string (RateUnit, EventType) matters.
READING = 1.0
HISTOGRAM = dict.fromkeys(("Count", "Min", "Max", "Mean", "StdDev", "50thPercentile", "75thPercentile",
                           "95thPercentile", "98thPercentile", "99thPercentile", "999thPercentile"), READING)
METER = {**dict.fromkeys(("Count", "MeanRate", "OneMinuteRate", "FiveMinuteRate", "FifteenMinuteRate"), READING),
         "RateUnit": "SECONDS", "EventType": "requests"}
TOPIC_METERS = ("MessagesInPerSec", "BytesInPerSec", "BytesOutPerSec", "TotalProduceRequestsPerSec",
                "TotalFetchRequestsPerSec", "FailedProduceRequestsPerSec", "FailedFetchRequestsPerSec")
PARTITION_GAUGES = ("UnderReplicated", "InSyncReplicasCount", "UnderMinIsr", "AtMinIsr", "ReplicasCount",
                    "LastStableOffsetLag")
LOG_GAUGES = ("Size", "LogStartOffset", "LogEndOffset", "NumLogSegments")
_SELECTOR_METERS = ("connection-close", "connection-creation", "successful-authentication",
                    "successful-reauthentication", "failed-authentication", "failed-reauthentication", "network-io",
                    "outgoing-byte", "request", "incoming-byte", "response", "select")
SELECTOR_ATTRIBUTES = tuple(f"{m}-{k}" for m in _SELECTOR_METERS for k in ("rate", "total")) + (
    "successful-authentication-no-reauth-total", "reauthentication-latency-max", "reauthentication-latency-avg",
    "request-size-avg", "request-size-max", "io-wait-time-ns-avg", "io-wait-ratio", "io-waittime-total",
    "io-wait-time-ns-total", "io-time-ns-avg", "io-ratio", "iotime-total", "io-time-ns-total", "connection-count")
# APIs a platform of producers and consumer groups calls (Produce, Fetch, Metadata, ApiVersions,
# ListOffsets, FindCoordinator, Join/Sync/Leave/Heartbeat, OffsetCommit/Fetch, InitProducerId,
# SaslHandshake/Authenticate): their lazily created RequestsPerSec and ErrorsPerSec. An estimate.
USED_APIS = 15
JVM_SERIES = 150  # the exporter's JVM collectors (memory pools, GC, threads, buffer pools): an estimate


def _attrs(name: str, attrs: dict) -> list[Attribute]:
    return [Attribute.parse(name, a, v) for a, v in attrs.items()]


def request_name(name: str) -> list[Attribute]:
    """One RequestMetrics, eager: its histograms."""
    hists = HISTOGRAMS + (PRODUCE_FETCH_HISTOGRAMS if name in ("Produce", "Fetch") else ())
    return [a for h in hists for a in _attrs(f"kafka.network:type=RequestMetrics,name={h},request={name}", HISTOGRAM)]


def used_api(name: str = "Metadata") -> list[Attribute]:
    """What one API in use adds: RequestsPerSec of one version, ErrorsPerSec of NONE."""
    return (_attrs(f"kafka.network:type=RequestMetrics,name=RequestsPerSec,request={name},version=12", METER)
            + _attrs(f"kafka.network:type=RequestMetrics,name=ErrorsPerSec,request={name},error=NONE", METER))


def topic(name: str = "combat-events") -> list[Attribute]:
    return [a for m in TOPIC_METERS for a in _attrs(f"kafka.server:type=BrokerTopicMetrics,name={m},topic={name}", METER)]


def replica(name: str = "combat-events", partition: int = 0) -> list[Attribute]:
    """A partition replica hosted by the broker: Partition's and UnifiedLog's gauges."""
    return ([Attribute.parse(f"kafka.cluster:type=Partition,name={g},topic={name},partition={partition}", "Value", READING)
             for g in PARTITION_GAUGES]
            + [Attribute.parse(f"kafka.log:type=Log,name={g},topic={name},partition={partition}", "Value", READING)
               for g in LOG_GAUGES])


def follower(name: str = "combat-events", partition: int = 0, thread: str = "ReplicaFetcherThread-0-1") -> list[Attribute]:
    """A replica the broker follows: the fetcher's lag gauge (clientId, topic, partition)."""
    return [Attribute.parse(f"kafka.server:type=FetcherLagMetrics,name=ConsumerLag,clientId={thread},"
                            f"topic={name},partition={partition}", "Value", READING)]


def network_thread(listener: str = "PLAIN-9092", processor: int = 0) -> list[Attribute]:
    name = f"kafka.server:type=socket-server-metrics,listener={listener},networkProcessor={processor}"
    return [Attribute.parse(name, a, READING) for a in SELECTOR_ATTRIBUTES]


def request_names(apis: int, first: tuple[str, ...] = ("Produce", "Fetch")) -> list[str]:
    """`apis` API names (Produce and Fetch among them when the listener has them) plus the pseudo-APIs."""
    return [*first, *(f"Api{i}" for i in range(apis - len(first))), *PSEUDO_APIS]
