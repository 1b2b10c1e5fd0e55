"""JMX exporter rules for brokers and KRaft controllers, in Strimzi's naming (see catalogue).

How the exporter matches (prometheus/jmx_exporter 1.x, JmxCollector.java): each attribute is the
string `domain<k1=v1, k2=v2><>attribute: VALUE`, every pattern is wrapped as `^.*(?:PATTERN).*$`,
and the first matching rule wins. A pattern that ends in a greedy group such as `><>(.+)` would
capture `attribute: VALUE` into the metric name, so every pattern that ends in a capture is closed
with `:` exactly as Strimzi's kafka-metrics.yaml does. Label names keep Strimzi's spelling
(`networkProcessor`), so Strimzi's dashboards keep working: no `lowercaseOutputLabelNames`.
"""
from __future__ import annotations

# Request histograms: Kafka registers 8 (Produce and Fetch 10) for every API of the listener, used or
# not (3.9 RequestChannel.Metrics), 6 quantiles each: 3,624 series a broker, most of them idle. We keep
# the histograms the rules and dashboards read, at the quantiles worth reading; RequestsPerSec and
# ErrorsPerSec stay per API (created only when the API is used).
REQUEST_HISTOGRAMS = ("TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "ThrottleTimeMs")
REQUEST_QUANTILES = ("50", "99", "999")
_LABEL2 = {"$4": "$5", "$6": "$7"}
_LABEL1 = {"$4": "$5"}
_SOCKET = {"listener": "$2", "networkProcessor": "$3"}


def _rule(pattern: str, name: str, type_: str = "GAUGE", labels: dict | None = None, **extra) -> dict:
    rule = {"pattern": pattern, "name": name, "type": type_}
    if labels:
        rule["labels"] = labels
    rule.update(extra)
    return rule


def rules() -> list[dict]:
    return [
        # Client ids and client software as labels, as Strimzi's rules do, not folded into the name
        # (FetcherLagMetrics clientId=ReplicaFetcherThread-0-1, topic, partition; FetcherStats
        # clientId, brokerHost, brokerPort; socket-server connections per client software).
        _rule(r"kafka.server<type=(.+), name=(.+), clientId=(.+), topic=(.+), partition=(.*)><>Value",
              "kafka_server_$1_$2", labels={"clientId": "$3", "topic": "$4", "partition": "$5"}),
        _rule(r"kafka.server<type=(.+), name=(.+), clientId=(.+), brokerHost=(.+), brokerPort=(.+)><>Value",
              "kafka_server_$1_$2", labels={"clientId": "$3", "broker": "$4:$5"}),
        _rule(r"kafka.server<type=(.+), clientSoftwareName=(.+), clientSoftwareVersion=(.+), listener=(.+), "
              r"networkProcessor=(.+)><>connections", "kafka_server_$1_connections_software",
              labels={"clientSoftwareName": "$2", "clientSoftwareVersion": "$3", "listener": "$4",
                      "networkProcessor": "$5"}),
        # Socket server: TLS details, auth and connection counts per listener.
        _rule(r"kafka.server<type=(.+), cipher=(.+), protocol=(.+), listener=(.+), networkProcessor=(.+)><>connections",
              "kafka_server_$1_connections_tls_info",
              labels={"cipher": "$2", "protocol": "$3", "listener": "$4", "networkProcessor": "$5"}),
        _rule(r"kafka.server<type=(.+), listener=(.+), networkProcessor=(.+)><>(.+-total):", "kafka_server_$1_$4",
              "COUNTER", _SOCKET),
        _rule(r"kafka.server<type=(.+), listener=(.+), networkProcessor=(.+)><>(.+):", "kafka_server_$1_$4",
              labels=_SOCKET),
        # KRaft: the state is a String attribute, exported as a 1 with the state as a label.
        _rule(r"kafka.server<type=raft-metrics><>(current-state): (.+)", "kafka_server_raftmetrics_$1",
              "UNTYPED", {"$1": "$2"}, value=1),
        _rule(r"kafka.server<type=raft-metrics><>(.+-total):", "kafka_server_raftmetrics_$1", "COUNTER"),
        _rule(r"kafka.server<type=raft-metrics><>(.+):", "kafka_server_raftmetrics_$1"),
        # Meters: *PerSec counts become _total counters.
        _rule(r"kafka.(\w+)<type=(.+), name=(.+)PerSec\w*, (.+)=(.+), (.+)=(.+)><>Count", "kafka_$1_$2_$3_total",
              "COUNTER", _LABEL2),
        _rule(r"kafka.(\w+)<type=(.+), name=(.+)PerSec\w*, (.+)=(.+)><>Count", "kafka_$1_$2_$3_total",
              "COUNTER", _LABEL1),
        _rule(r"kafka.(\w+)<type=(.+), name=(.+)PerSec\w*><>Count", "kafka_$1_$2_$3_total", "COUNTER"),
        # Histograms: percentiles become quantile-labelled gauges (summaries without _sum). Request
        # histograms only as chosen above; the others of RequestMetrics match no rule and are not exported.
        _rule(rf"kafka.network<type=RequestMetrics, name=({'|'.join(REQUEST_HISTOGRAMS)}), request=(.+)>"
              rf"<>({'|'.join(REQUEST_QUANTILES)})thPercentile", "kafka_network_requestmetrics_$1",
              labels={"request": "$2", "quantile": "0.$3"}),
        _rule(r"kafka.(\w+)<type=(?!RequestMetrics,)(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>(\d+)thPercentile",
              "kafka_$1_$2_$3", labels={**_LABEL2, "quantile": "0.$8"}),
        _rule(r"kafka.(\w+)<type=(?!RequestMetrics,)(.+), name=(.+), (.+)=(.+)><>(\d+)thPercentile", "kafka_$1_$2_$3",
              labels={**_LABEL1, "quantile": "0.$6"}),
        _rule(r"kafka.(\w+)<type=(?!RequestMetrics,)(.+), name=(.+)><>(\d+)thPercentile", "kafka_$1_$2_$3",
              labels={"quantile": "0.$4"}),
        # Gauges.
        _rule(r"kafka.(\w+)<type=(.+), name=(.+), (.+)=(.+), (.+)=(.+)><>Value", "kafka_$1_$2_$3", labels=_LABEL2),
        _rule(r"kafka.(\w+)<type=(.+), name=(.+), (.+)=(.+)><>Value", "kafka_$1_$2_$3", labels=_LABEL1),
        _rule(r"kafka.(\w+)<type=(.+), name=(.+)><>Value", "kafka_$1_$2_$3"),
    ]


def exporter_config() -> dict:
    return {"lowercaseOutputName": True, "rules": rules()}
