"""The JMX exporter rules turn Kafka's MBeans into exactly the catalogue's names.

`export` applies the rules the way the JMX exporter does: the first rule whose pattern matches
`domain<key=value, ...><>attribute` wins, `$n` is substituted, names are lower-cased and
characters outside [a-zA-Z0-9_:] become `_`.
"""
from __future__ import annotations

import re

import pytest

from content import catalogue, jmx


def export(bean: str) -> tuple[str, dict[str, str]] | None:
    for rule in jmx.rules():
        m = re.fullmatch(rule["pattern"], bean)
        if not m:
            continue

        def sub(text: str) -> str:
            return re.sub(r"\$(\d+)", lambda g: m.group(int(g.group(1))), text)

        name = re.sub(r"[^a-zA-Z0-9_:]", "_", sub(rule["name"])).lower()
        labels = {re.sub(r"[^a-zA-Z0-9_]", "_", sub(k)).lower(): sub(v) for k, v in rule.get("labels", {}).items()}
        return name, labels
    return None


# MBeans as Kafka 3.x/4.x registers them, in the JMX exporter's matching format.
BEANS = {
    "kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value":
        ("kafka_server_replicamanager_underreplicatedpartitions", {}),
    "kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value":
        ("kafka_server_replicamanager_underminisrpartitioncount", {}),
    "kafka.server<type=ReplicaManager, name=IsrShrinksPerSec><>Count":
        ("kafka_server_replicamanager_isrshrinks_total", {}),
    "kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value":
        ("kafka_controller_kafkacontroller_activecontrollercount", {}),
    "kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value":
        ("kafka_controller_kafkacontroller_offlinepartitionscount", {}),
    "kafka.controller<type=ControllerStats, name=UncleanLeaderElectionsPerSec><>Count":
        ("kafka_controller_controllerstats_uncleanleaderelections_total", {}),
    "kafka.log<type=LogManager, name=OfflineLogDirectoryCount><>Value":
        ("kafka_log_logmanager_offlinelogdirectorycount", {}),
    "kafka.server<type=BrokerTopicMetrics, name=MessagesInPerSec><>Count":
        ("kafka_server_brokertopicmetrics_messagesin_total", {}),
    "kafka.server<type=BrokerTopicMetrics, name=BytesOutPerSec, topic=combat-events><>Count":
        ("kafka_server_brokertopicmetrics_bytesout_total", {"topic": "combat-events"}),
    "kafka.network<type=RequestMetrics, name=ErrorsPerSec, request=Produce, error=TOPIC_AUTHORIZATION_FAILED><>Count":
        ("kafka_network_requestmetrics_errors_total", {"request": "Produce", "error": "TOPIC_AUTHORIZATION_FAILED"}),
    "kafka.network<type=RequestMetrics, name=TotalTimeMs, request=Produce><>99thPercentile":
        ("kafka_network_requestmetrics_totaltimems", {"request": "Produce", "quantile": "0.99"}),
    "kafka.network<type=RequestMetrics, name=ThrottleTimeMs, request=Fetch><>99thPercentile":
        ("kafka_network_requestmetrics_throttletimems", {"request": "Fetch", "quantile": "0.99"}),
    "kafka.server<type=socket-server-metrics, listener=TLS-9093, networkProcessor=0><>failed-authentication-total":
        ("kafka_server_socket_server_metrics_failed_authentication_total",
         {"listener": "TLS-9093", "networkprocessor": "0"}),
    "kafka.server<type=socket-server-metrics, listener=PLAIN-9092, networkProcessor=1><>connection-count":
        ("kafka_server_socket_server_metrics_connection_count", {"listener": "PLAIN-9092", "networkprocessor": "1"}),
    "kafka.server<type=raft-metrics><>commit-latency-avg": ("kafka_server_raftmetrics_commit_latency_avg", {}),
    "kafka.server<type=raft-metrics><>current-state: leader":
        ("kafka_server_raftmetrics_current_state", {"current_state": "leader"}),
    "kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec><>Count": ("kafka_server_brokertopicmetrics_bytesin_total", {}),
    "kafka.server<type=BrokerTopicMetrics, name=FailedProduceRequestsPerSec><>Count":
        ("kafka_server_brokertopicmetrics_failedproducerequests_total", {}),
    "kafka.server<type=BrokerTopicMetrics, name=FailedFetchRequestsPerSec><>Count":
        ("kafka_server_brokertopicmetrics_failedfetchrequests_total", {}),
    "kafka.server<type=ReplicaManager, name=IsrExpandsPerSec><>Count": ("kafka_server_replicamanager_isrexpands_total", {}),
    "kafka.network<type=RequestMetrics, name=RequestQueueTimeMs, request=FetchConsumer><>99thPercentile":
        ("kafka_network_requestmetrics_requestqueuetimems", {"request": "FetchConsumer", "quantile": "0.99"}),
    "kafka.server<type=socket-server-metrics, listener=TLS-9093, networkProcessor=0><>successful-authentication-total":
        ("kafka_server_socket_server_metrics_successful_authentication_total",
         {"listener": "TLS-9093", "networkprocessor": "0"}),
    "kafka.server<type=socket-server-metrics, cipher=TLS_AES_256_GCM_SHA384, protocol=TLSv1.3, listener=TLS-9093, "
    "networkProcessor=0><>connections":
        ("kafka_server_socket_server_metrics_connections_tls_info",
         {"cipher": "TLS_AES_256_GCM_SHA384", "protocol": "TLSv1.3", "listener": "TLS-9093", "networkprocessor": "0"}),
}


@pytest.mark.parametrize("bean", sorted(BEANS))
def test_mbean_becomes_its_catalogue_series(bean):
    name, labels = BEANS[bean]
    assert export(bean) == (name, labels)
    assert name in catalogue.METRICS


def test_every_kafka_jmx_metric_of_the_catalogue_has_its_bean_here():
    jmx_metrics = {m for m, source in catalogue.METRICS.items() if source == "JMX exporter" and m.startswith("kafka_")}
    assert jmx_metrics == {name for name, _ in BEANS.values()}


def test_unrelated_beans_are_not_exported_as_kafka_series():
    assert export("java.lang<type=Memory><>HeapMemoryUsage") is None
