"""Our JMX exporter rules, applied the way the real exporter applies them, to the MBeans Kafka
really registers: every JMX series and label that a rule or dashboard reads must come out.

The matcher is content/jmx_exporter.py (prometheus/jmx_exporter 1.0.1,
JmxCollector.java: `attr: VALUE` suffix, `^.*(?:pattern).*$` wrapping, safeName, first match
wins). The MBeans are tests/content/kafka_mbeans.py (Apache Kafka docs/ops.html, Monitoring).
"""
from __future__ import annotations

import re

import pytest

from content import catalogue, jmx
from content.dashboards import dashboards
from content.promql import selectors
from content.rules import rule_files
from content.scrape import external_labels
from config.sections import AlertingArgs
from tests.conftest import make_settings
from tests.content import kafka_mbeans
from tests.content.grafana_model import concrete
from content.jmx_exporter import Attribute, export

BEANS = kafka_mbeans.broker() + kafka_mbeans.controller(active=True) + kafka_mbeans.controller(active=False)
# Labels Prometheus attaches from the target, not the exporter (content.scrape).
# The scrape's labels, and the external ones (the Kubernetes cluster's `cluster`), which series carry in
# the global store and the dashboards filter on: neither comes from the exporter.
TARGET_LABELS = {"job", "instance", "namespace", "pod", catalogue.CLUSTER_LABEL,
                 *external_labels(AlertingArgs.of(make_settings("prod")))}


def produced() -> dict[str, list[dict[str, str]]]:
    """Metric name -> label sets of every sample the exporter emits for the MBeans (computed in each
    test that needs it, so that a mutation benchmark sees which tests read the rules)."""
    out: dict[str, list[dict[str, str]]] = {}
    config = jmx.exporter_config()
    for bean in BEANS:
        sample = export(config, bean)
        if sample:
            out.setdefault(sample.name, []).append(dict(sample.labels))
    return out


def _jmx_metric(name: str) -> bool:
    return catalogue.METRICS.get(name) == "JMX exporter" and name.startswith("kafka_")


def reads() -> list[tuple[str, str]]:
    """(where, expr) of every PromQL query in the rules and the dashboards, variables included."""
    s = make_settings("prod")
    found = [(r.get("alert") or r["record"], r["expr"]) for doc in rule_files(s).values()
             for g in doc["groups"] for r in g["rules"]]
    for uid, (_, board) in dashboards(s).items():
        for panel in board["panels"]:
            found += [(f"{uid}/{panel.get('title')}", t["expr"]) for t in panel.get("targets", []) if t.get("expr")]
    return [(where, concrete(expr)) for where, expr in found]


def _satisfies(labels: dict[str, str], label: str, op: str, value: str) -> bool:
    have = labels.get(label, "")
    matched = re.fullmatch(value, have) is not None if op in ("=~", "!~") else have == value
    return matched if op in ("=", "=~") else not matched


def test_the_model_reproduces_the_upstream_defect_of_an_unterminated_pattern():
    """A greedy `><>(.+)` captures `attr: VALUE` into the name (the bug this file guards against)."""
    old = {"lowercaseOutputName": True, "rules": [{"pattern": r"kafka.server<type=(.+), listener=(.+), "
                                                   r"networkProcessor=(.+)><>(.+)", "name": "kafka_server_$1_$4"}]}
    bean = Attribute.parse("kafka.server:type=socket-server-metrics,listener=PLAIN-9092,networkProcessor=0",
                           "connection-count", 12.0)
    assert export(old, bean).name == "kafka_server_socket_server_metrics_connection_count:_12_0"


@pytest.mark.parametrize("bean, name, labels", [
    (("kafka.server:type=socket-server-metrics,listener=PLAIN-9092,networkProcessor=1", "connection-count", 3.0),
     "kafka_server_socket_server_metrics_connection_count", {"listener": "PLAIN-9092", "networkProcessor": "1"}),
    (("kafka.server:type=socket-server-metrics,listener=TLS-9093,networkProcessor=0", "failed-authentication-total",
      4.0), "kafka_server_socket_server_metrics_failed_authentication_total",
     {"listener": "TLS-9093", "networkProcessor": "0"}),
    (("kafka.server:type=raft-metrics", "current-state", "leader"), "kafka_server_raftmetrics_current_state",
     {"current_state": "leader"}),
    (("kafka.server:type=raft-metrics", "commit-latency-avg", 3.2), "kafka_server_raftmetrics_commit_latency_avg", {}),
    (("kafka.network:type=RequestMetrics,name=ErrorsPerSec,request=Produce,error=TOPIC_AUTHORIZATION_FAILED", "Count",
      9), "kafka_network_requestmetrics_errors_total", {"request": "Produce", "error": "TOPIC_AUTHORIZATION_FAILED"}),
    (("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=Produce", "99thPercentile", 12.0),
     "kafka_network_requestmetrics_totaltimems", {"request": "Produce", "quantile": "0.99"}),
    (("kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=combat-events", "Count", 1),
     "kafka_server_brokertopicmetrics_bytesin_total", {"topic": "combat-events"}),
    (("kafka.controller:type=KafkaController,name=FencedBrokerCount", "Value", 1),
     "kafka_controller_kafkacontroller_fencedbrokercount", {}),
    (("kafka.server:type=socket-server-metrics,cipher=TLS_AES_256_GCM_SHA384,protocol=TLSv1.3,listener=TLS-9093,"
      "networkProcessor=2", "connections", 5.0), "kafka_server_socket_server_metrics_connections_tls",
     {"cipher": "TLS_AES_256_GCM_SHA384", "protocol": "TLSv1.3", "listener": "TLS-9093", "networkProcessor": "2"}),
    (("kafka.network:type=RequestMetrics,name=RequestsPerSec,request=Produce,version=9", "Count", 7),
     "kafka_network_requestmetrics_requests_total", {"request": "Produce", "version": "9"}),
    (("kafka.server:type=ReplicaManager,name=IsrShrinksPerSec", "Count", 3),
     "kafka_server_replicamanager_isrshrinks_total", {}),
    (("kafka.network:type=RequestMetrics,name=TotalTimeMs,request=FetchConsumer", "999thPercentile", 30.0),
     "kafka_network_requestmetrics_totaltimems", {"request": "FetchConsumer", "quantile": "0.999"}),
    (("kafka.server:type=raft-metrics", "commit-latency-max", 9.0), "kafka_server_raftmetrics_commit_latency_max", {}),
    (("kafka.server:type=raft-metrics", "fetch-records-total", 9.0), "kafka_server_raftmetrics_fetch_records_total", {}),
    (("kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec,topic=economy-events", "Count", 1),
     "kafka_server_brokertopicmetrics_messagesin_total", {"topic": "economy-events"}),
])
def test_a_kafka_mbean_becomes_its_catalogue_series(bean, name, labels):
    sample = export(jmx.exporter_config(), Attribute.parse(*bean))
    assert (sample.name, dict(sample.labels)) == (name, labels)


def test_string_attributes_are_not_exported_and_the_raft_state_is_a_one():
    assert export(jmx.exporter_config(), Attribute.parse("kafka.server:type=ReplicaManager,name=IsrShrinksPerSec", "RateUnit",
                                          "SECONDS")) is None
    assert export(jmx.exporter_config(), Attribute.parse("kafka.server:type=raft-metrics", "current-state", "leader")).value == 1.0


def test_no_exported_name_carries_an_attribute_value():
    bad = [n for n in produced() if re.search(r":_|_\d+_\d+$", n)]
    assert not bad


def test_every_jmx_series_and_label_read_by_a_rule_or_panel_is_produced():
    """The closure: each selector of a JMX series names a produced metric, and some produced sample
    satisfies its exporter-label matchers; each `by` label is produced or a target label."""
    missing = []
    produced_now = produced()
    for where, expr in reads():
        for sel in selectors(expr):
            if not _jmx_metric(sel.metric):
                continue
            samples = produced_now.get(sel.metric)
            if not samples:
                missing.append(f"{where}: {sel.metric} is not produced")
                continue
            exporter = [m for m in sel.matchers if m[0] not in TARGET_LABELS]
            if not any(all(_satisfies(labels, *m) for m in exporter) for labels in samples):
                missing.append(f"{where}: no {sel.metric} sample matches {exporter}")
            produced_labels = set().union(*samples) | TARGET_LABELS
            missing += [f"{where}: {sel.metric} has no label {label!r}" for label in sel.grouped_by
                        if label not in produced_labels and label != "le"]
    assert missing == []


def test_every_catalogued_kafka_jmx_metric_is_produced():
    expected = {m for m in catalogue.METRICS if _jmx_metric(m)}
    assert expected - set(produced()) == set()


def test_first_match_wins_so_the_tls_detail_is_not_read_as_a_connection_count():
    tls = Attribute.parse("kafka.server:type=socket-server-metrics,cipher=TLS_AES_256_GCM_SHA384,protocol=TLSv1.3,"
                          "listener=TLS-9093,networkProcessor=0", "connections", 5.0)
    assert export(jmx.exporter_config(), tls).name == "kafka_server_socket_server_metrics_connections_tls"


def test_unrelated_beans_are_not_exported_as_kafka_series():
    assert export(jmx.exporter_config(), Attribute.parse("java.lang:type=Memory", "HeapMemoryUsage", 5)) is None


def test_counters_are_exposed_as_counters_and_gauges_as_gauges():
    """Prometheus reads `*_total` series with rate()/increase(): they must be counters; the rest are
    gauges, but the raft state, a 1 with the state as a label, which Strimzi marks UNTYPED."""
    config = jmx.exporter_config()
    wrong = []
    for bean in BEANS:
        sample = export(config, bean)
        if sample is None:
            continue
        expected = ("COUNTER" if sample.name.endswith("_total") else
                    "UNKNOWN" if sample.name == "kafka_server_raftmetrics_current_state" else "GAUGE")
        if sample.type != expected:
            wrong.append((sample.name, sample.type))
    assert wrong == []


def strimzi_series(bean: Attribute) -> tuple[str, dict[str, str]] | None:
    """Strimzi's naming convention (kafka-metrics.yaml, 0.45.0), derived independently of our rules:
    `kafka_<domain>_<type>_<name>` lower-cased; a *PerSec meter's Count becomes `..._total`; a
    histogram percentile `NNthPercentile` a gauge with quantile="0.NN"; extra keys become labels;
    socket-server and raft attributes become `kafka_server_<type>_<attribute>` with `-` -> `_`.
    None where the rule set exports nothing (meter rates, histogram min/max/mean/count, strings)."""
    props = dict(bean.properties)
    kind = props.pop("type")
    if bean.domain == "kafka.server" and kind in ("socket-server-metrics", "raft-metrics"):
        if isinstance(bean.value, str) and bean.attribute != "current-state":
            return None
        name = f"kafka_server_{kind.replace('-', '')}_{bean.attribute.replace('-', '_')}"
        name = name.replace("socketservermetrics", "socket_server_metrics")
        if bean.attribute == "current-state":
            return name, {"current_state": str(bean.value)}
        if bean.attribute == "connections":  # Strimzi's `_tls_info`, exposed without the reserved `_info`
            return name.replace("_connections", "_connections_tls"), props
        return name, props
    name = props.pop("name")
    base = f"{bean.domain.replace('.', '_')}_{kind}_{name}".lower()
    if bean.attribute == "Value":
        return base, props
    if bean.attribute == "Count" and "PerSec" in name:
        return base.split("persec")[0] + "_total", props
    percentile = re.fullmatch(r"(\d+)thPercentile", bean.attribute)
    if percentile:
        return base, {**props, "quantile": f"0.{percentile.group(1)}"}
    return None


# The request histograms we keep (Kafka registers 8-10 for every API, used or not: RequestChannel.Metrics,
# branch 3.9), at the quantiles we keep; every other request histogram value is not exported.
KEPT_REQUEST_HISTOGRAMS = {"TotalTimeMs", "RequestQueueTimeMs", "LocalTimeMs", "ThrottleTimeMs"}
KEPT_QUANTILES = {"50thPercentile", "99thPercentile", "999thPercentile"}


def _dropped_by_choice(bean: Attribute) -> bool:
    props = dict(bean.properties)
    return (props.get("type") == "RequestMetrics" and bean.attribute.endswith("thPercentile")
            and not (props["name"] in KEPT_REQUEST_HISTOGRAMS and bean.attribute in KEPT_QUANTILES))


def test_every_documented_bean_follows_strimzis_naming():
    config = jmx.exporter_config()
    wrong = []
    for bean in BEANS:
        sample = export(config, bean)
        got = (sample.name, dict(sample.labels)) if sample else None
        expected = None if _dropped_by_choice(bean) else strimzi_series(bean)
        if got != expected:
            wrong.append((bean.match_name(), got, expected))
    assert wrong == []


@pytest.mark.parametrize("histogram,percentile,kept", [
    ("TotalTimeMs", "99thPercentile", True), ("TotalTimeMs", "999thPercentile", True),
    ("RequestQueueTimeMs", "50thPercentile", True), ("ThrottleTimeMs", "99thPercentile", True),
    ("TotalTimeMs", "98thPercentile", False), ("TotalTimeMs", "75thPercentile", False),
    ("LocalTimeMs", "99thPercentile", True), ("RemoteTimeMs", "99thPercentile", False),
    ("ResponseSendTimeMs", "99thPercentile", False), ("RequestBytes", "50thPercentile", False),
    ("MessageConversionsTimeMs", "99thPercentile", False), ("TemporaryMemoryBytes", "99thPercentile", False),
])
def test_request_histograms_are_kept_only_where_read_and_never_under_a_mangled_name(histogram, percentile, kept):
    """A dropped request histogram matches no rule at all: without the RequestMetrics exclusion the
    generic one-property rule would have read `name=LocalTimeMs, request=Produce` into the name."""
    sample = export(jmx.exporter_config(), Attribute.parse(
        f"kafka.network:type=RequestMetrics,name={histogram},request=Metadata", percentile, 1.0))
    if kept:
        assert (sample.name, dict(sample.labels)) == (f"kafka_network_requestmetrics_{histogram.lower()}",
                                                      {"request": "Metadata", "quantile": f"0.{percentile[:-12]}"})
    else:
        assert sample is None
    other = export(jmx.exporter_config(), Attribute.parse("kafka.controller:type=ControllerEventManager,"
                                                          "name=EventQueueTimeMs", percentile, 1.0))
    assert other.name == "kafka_controller_controllereventmanager_eventqueuetimems"  # other histograms unchanged


def test_client_ids_and_client_software_are_labels_not_parts_of_the_name():
    """Strimzi 0.45.0 kafka-metrics.yaml's first rules: FetcherLagMetrics ConsumerLag{clientId, topic,
    partition}, FetcherStats{clientId, broker}, socket-server connections per client software. One
    name for every fetcher thread, not `..._clientid_replicafetcherthread_0_1`."""
    config = jmx.exporter_config()
    names = set()
    for thread in ("ReplicaFetcherThread-0-1", "ReplicaFetcherThread-1-2"):
        lag = export(config, Attribute.parse(f"kafka.server:type=FetcherLagMetrics,name=ConsumerLag,clientId={thread},"
                                             "topic=combat-events,partition=3", "Value", 7))
        assert dict(lag.labels) == {"clientId": thread, "topic": "combat-events", "partition": "3"}
        names.add(lag.name)
    assert names == {"kafka_server_fetcherlagmetrics_consumerlag"}
    stats = export(config, Attribute.parse("kafka.server:type=FetcherStats,name=BytesPerSec,clientId=ReplicaFetcherThread-0-1,"
                                           "brokerHost=kafka-1.kafka,brokerPort=9091", "Count", 5))
    assert stats.name == "kafka_server_fetcherstats_bytes_total"
    software = export(config, Attribute.parse("kafka.server:type=socket-server-metrics,clientSoftwareName=apache-kafka-java,"
                                              "clientSoftwareVersion=3.9.0,listener=PLAIN-9092,networkProcessor=1",
                                              "connections", 4.0))
    assert software.name == "kafka_server_socket_server_metrics_connections_software"
    assert dict(software.labels) == {"clientSoftwareName": "apache-kafka-java", "clientSoftwareVersion": "3.9.0",
                                     "listener": "PLAIN-9092", "networkProcessor": "1"}


def test_reserved_suffixes_are_client_javas():
    """client_java v1.3.1, PrometheusNaming.java: RESERVED_METRIC_NAME_SUFFIXES (vendored), in order."""
    import re

    from content.jmx_exporter import RESERVED_SUFFIXES
    from tests.upstream import HERE
    source = (HERE / "client_java-v1.3.1" / "PrometheusNaming.java").read_text()
    (body,) = re.findall(r"RESERVED_METRIC_NAME_SUFFIXES = \{(.*?)\};", source, re.S)
    assert RESERVED_SUFFIXES == tuple(re.findall(r'"([^"]+)"', body))


@pytest.mark.parametrize("rule_name, type_, exposed", [
    # A gauge or unknown-typed metric loses a reserved suffix and gets nothing back.
    ("kafka_server_x_connections_tls_info", "GAUGE", "kafka_server_x_connections_tls"),
    ("kafka_x_started_created", None, "kafka_x_started"),
    ("kafka_x_le_bucket", "UNTYPED", "kafka_x_le"),
    ("kafka_x_count_total", "GAUGE", "kafka_x_count"),
    # Stripped again while one is left (sanitizeMetricName's loop).
    ("kafka_x_info_total", "GAUGE", "kafka_x"),
    # A counter is written with `_total` (PrometheusTextFormatWriter.writeCounter), once.
    ("kafka_x_requests_total", "COUNTER", "kafka_x_requests_total"),
    ("kafka_x_requests", "COUNTER", "kafka_x_requests_total"),
    ("kafka_x_state_info", "COUNTER", "kafka_x_state_total"),
    # Near misses: a reserved word inside the name, or without its underscore, stays.
    ("kafka_x_info_count", "GAUGE", "kafka_x_info_count"),
    ("kafka_x_subtotal", "GAUGE", "kafka_x_subtotal"),
    ("kafka_x_bucketsize", "GAUGE", "kafka_x_bucketsize"),
])
def test_exposed_names_go_through_client_javas_sanitize_metric_name(rule_name, type_, exposed):
    """jmx_exporter 1.0.1 MatchedRule.withValue calls PrometheusNaming.sanitizeMetricName (client_java
    v1.3.1) on every matched rule's name; the text format writer appends `_total` to counters only."""
    rule = {"pattern": r"kafka.server<type=(.+)><>Value", "name": rule_name}
    if type_:
        rule["type"] = type_
    sample = export({"rules": [rule]}, Attribute.parse("kafka.server:type=x", "Value", 2.0))
    assert sample.name == exposed


def test_no_catalogued_jmx_metric_ends_in_a_suffix_the_exporter_strips_from_it():
    """A catalogued gauge ending in `_info` (or `_created`, `_bucket`, `_total` on a gauge) would name a
    series no scrape returns: the exporter strips the suffix (client_java v1.3.1 sanitizeMetricName)."""
    types = {}
    for bean in BEANS:
        sample = export(jmx.exporter_config(), bean)
        if sample:
            types[sample.name] = sample.type
    wrong = [m for m in catalogue.METRICS if _jmx_metric(m) and m in types and types[m] != "COUNTER"
             and m.endswith(("_total", "_created", "_bucket", "_info"))]
    assert wrong == []
    assert "kafka_server_socket_server_metrics_connections_tls_info" not in types
