"""The MBeans a Kafka 3.x broker and a KRaft controller register, with realistic values.

Source: Apache Kafka documentation, docs/ops.html (3.7-3.9), "Monitoring": the "Common
monitoring metrics for producer/consumer/connect/streams" and "broker" tables, "KRaft Monitoring
Metrics" (raft-metrics, QuorumController metrics), the per-partition log gauges
(`kafka.log:type=Log,name=Size|LogStartOffset|LogEndOffset|NumLogSegments,topic=..,partition=..`,
registered by UnifiedLog), and the socket-server-metrics rows
(`kafka.server:type=socket-server-metrics,listener=[SecurityProtocol],networkProcessor=[#]`,
attributes `connection-count`, `failed-authentication-total`, `successful-authentication-total`,
and the per-cipher `connections` gauge, registered with the keys cipher, protocol, listener,
networkProcessor in that order, as Strimzi's kafka-metrics.yaml (0.45.0) matches it). Yammer metric types give
the attributes: a Gauge has `Value`; a Meter `Count`, `MeanRate`, `OneMinuteRate`,
`FiveMinuteRate`, `FifteenMinuteRate`, `RateUnit`, `EventType`; a Histogram/Timer `Count`, `Min`,
`Max`, `Mean`, `StdDev` and `50th`..`999thPercentile`. Listener names follow Strimzi
(`<NAME>-<PORT>`, e.g. PLAIN-9092 plaintext, TLS-9093 TLS).
"""
from __future__ import annotations

from content.jmx_exporter import Attribute

METER = {"Count": 1234, "MeanRate": 2.5, "OneMinuteRate": 2.0, "FiveMinuteRate": 2.1, "FifteenMinuteRate": 2.2,
         "RateUnit": "SECONDS", "EventType": "requests"}
HISTOGRAM = {"Count": 500, "Min": 0.0, "Max": 40.0, "Mean": 3.5, "StdDev": 1.2, "50thPercentile": 2.0,
             "75thPercentile": 3.0, "95thPercentile": 7.0, "98thPercentile": 9.0, "99thPercentile": 12.0,
             "999thPercentile": 30.0}
REQUESTS = ("Produce", "FetchConsumer", "FetchFollower", "Metadata", "OffsetCommit")
TOPICS = ("combat-events", "economy-events")
LISTENERS = ("PLAIN-9092", "TLS-9093", "REPLICATION-9091")


def _gauge(name: str, value) -> list[Attribute]:
    return [Attribute.parse(name, "Value", value)]


def _attrs(name: str, attrs: dict) -> list[Attribute]:
    return [Attribute.parse(name, a, v) for a, v in attrs.items()]


def broker() -> list[Attribute]:
    beans: list[Attribute] = []
    for gauge, value in (("ReplicaManager,name=UnderReplicatedPartitions", 0),
                         ("ReplicaManager,name=UnderMinIsrPartitionCount", 0),
                         ("ReplicaManager,name=AtMinIsrPartitionCount", 0),
                         ("ReplicaManager,name=PartitionCount", 120), ("ReplicaManager,name=LeaderCount", 40),
                         ("ReplicaManager,name=OfflineReplicaCount", 0),
                         ("KafkaServer,name=BrokerState", 3)):
        beans += _gauge(f"kafka.server:type={gauge}", value)
    beans += _gauge("kafka.log:type=LogManager,name=OfflineLogDirectoryCount", 0)
    # "Max lag in messages btw follower and leader replicas": a gauge with one key property.
    beans += _gauge("kafka.server:type=ReplicaFetcherManager,name=MaxLag,clientId=Replica", 0)
    for topic in TOPICS:  # per partition (UnifiedLog's metrics: kafka.log:type=Log,name=...,topic=...,partition=...)
        for gauge, value in (("Size", 1048576), ("LogStartOffset", 0), ("LogEndOffset", 5000), ("NumLogSegments", 3)):
            beans += _gauge(f"kafka.log:type=Log,name={gauge},topic={topic},partition=0", value)
    beans += _gauge("kafka.network:type=SocketServer,name=NetworkProcessorAvgIdlePercent", 0.8)
    beans += _attrs("kafka.server:type=KafkaRequestHandlerPool,name=RequestHandlerAvgIdlePercent", METER)
    for meter in ("IsrShrinksPerSec", "IsrExpandsPerSec"):
        beans += _attrs(f"kafka.server:type=ReplicaManager,name={meter}", METER)
    for meter in ("MessagesInPerSec", "BytesInPerSec", "BytesOutPerSec", "TotalProduceRequestsPerSec",
                  "TotalFetchRequestsPerSec", "FailedProduceRequestsPerSec", "FailedFetchRequestsPerSec"):
        beans += _attrs(f"kafka.server:type=BrokerTopicMetrics,name={meter}", METER)  # all topics
        for topic in TOPICS:
            beans += _attrs(f"kafka.server:type=BrokerTopicMetrics,name={meter},topic={topic}", METER)
    for request in REQUESTS:
        beans += _attrs(f"kafka.network:type=RequestMetrics,name=RequestsPerSec,request={request},version=9", METER)
        for timer in ("TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "RemoteTimeMs", "ResponseQueueTimeMs",
                      "ResponseSendTimeMs", "ThrottleTimeMs"):
            beans += _attrs(f"kafka.network:type=RequestMetrics,name={timer},request={request}", HISTOGRAM)
        for error in ("NONE", "TOPIC_AUTHORIZATION_FAILED", "GROUP_AUTHORIZATION_FAILED", "NOT_LEADER_OR_FOLLOWER"):
            beans += _attrs(f"kafka.network:type=RequestMetrics,name=ErrorsPerSec,request={request},error={error}",
                            METER)
    for listener in LISTENERS:
        for processor in ("0", "1"):
            name = f"kafka.server:type=socket-server-metrics,listener={listener},networkProcessor={processor}"
            beans += [Attribute.parse(name, a, v) for a, v in (
                ("connection-count", 12.0), ("connection-creation-rate", 0.5), ("connection-creation-total", 77.0),
                ("failed-authentication-total", 3.0), ("failed-authentication-rate", 0.1),
                ("successful-authentication-total", 90.0), ("successful-authentication-rate", 1.0))]
            if listener != "PLAIN-9092":
                tls = (f"kafka.server:type=socket-server-metrics,cipher=TLS_AES_256_GCM_SHA384,protocol=TLSv1.3,"
                       f"listener={listener},networkProcessor={processor}")
                beans.append(Attribute.parse(tls, "connections", 10.0))
    beans += raft("follower")
    return beans


def raft(state: str) -> list[Attribute]:
    name = "kafka.server:type=raft-metrics"
    return [Attribute.parse(name, a, v) for a, v in (
        ("current-state", state), ("current-leader", 1.0), ("current-epoch", 7.0), ("high-watermark", 4242.0),
        ("commit-latency-avg", 3.2), ("commit-latency-max", 9.0), ("election-latency-avg", 0.0),
        ("fetch-records-rate", 2.0), ("fetch-records-total", 420.0), ("poll-idle-ratio-avg", 0.9),
        ("current-vote", -1.0))]


def controller(active: bool) -> list[Attribute]:
    beans: list[Attribute] = []
    for gauge, value in (("ActiveControllerCount", 1 if active else 0), ("OfflinePartitionsCount", 0),
                         ("FencedBrokerCount", 0), ("ActiveBrokerCount", 3), ("GlobalTopicCount", 20),
                         ("GlobalPartitionCount", 120), ("PreferredReplicaImbalanceCount", 0),
                         ("MetadataErrorCount", 0)):
        beans += _gauge(f"kafka.controller:type=KafkaController,name={gauge}", value)
    beans += _attrs("kafka.controller:type=ControllerStats,name=UncleanLeaderElectionsPerSec", METER)
    beans += _attrs("kafka.controller:type=ControllerEventManager,name=EventQueueTimeMs", HISTOGRAM)
    beans += raft("leader" if active else "follower")
    return beans

