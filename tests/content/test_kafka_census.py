"""The census of Kafka 3.9's MBeans (content/kafka_census.py) against Kafka's own sources, vendored in
tests/upstream/kafka-3.9 (apache/kafka branch 3.9, commit c821449fb7c1e2c0f398eeb5cfc4a8abc210c0a4):
the request JSON files' `listeners`, RequestChannel.scala's RequestMetrics and Partition.scala's gauges."""
from __future__ import annotations

import json
import re
from pathlib import Path

from content import kafka_census as census

KAFKA = Path(__file__).resolve().parents[1] / "upstream" / "kafka-3.9"


def _listeners() -> dict[str, list[str]]:
    out = {}
    for line in (KAFKA / "request-listeners.txt").read_text().splitlines():
        if line.startswith("#"):
            continue
        name, _, listeners = line.partition(" ")
        out[name.removesuffix("Request.json")] = json.loads(listeners.split(":", 1)[1])
    return out


def test_the_api_counts_are_the_request_files_listeners():
    """ApiKeys.apisForListener(BROKER / CONTROLLER): the APIs whose request file lists the listener."""
    apis = _listeners()
    assert len(apis) > 80
    broker = [a for a, ls in apis.items() if "broker" in ls]
    controller = [a for a, ls in apis.items() if "controller" in ls]
    assert (len(broker), len(controller)) == (census.BROKER_APIS, census.CONTROLLER_APIS)
    assert {"Produce", "Fetch"} <= set(broker) and "Fetch" in controller and "Produce" not in controller
    assert census.request_names(census.BROKER_APIS)[:2] == ["Produce", "Fetch"]
    assert census.request_names(census.CONTROLLER_APIS, first=("Fetch",))[0] == "Fetch"


def test_every_request_name_registers_the_histograms_request_metrics_creates():
    source = (KAFKA / "RequestChannel.scala.txt").read_text()
    constants = dict(re.findall(r'val (\w+)(?:: String)? = "(\w+)"', source))
    always = re.findall(r"val \w+Hist: Histogram = metricsGroup.newHistogram\((\w+), true, tags\)", source)
    some = re.findall(r"Some\(metricsGroup.newHistogram\((\w+), true, tags\)\)", source)
    assert tuple(constants[c] for c in always) == census.HISTOGRAMS
    assert tuple(constants[c] for c in some) == census.PRODUCE_FETCH_HISTOGRAMS
    assert 'name == ApiKeys.FETCH.name || name == ApiKeys.PRODUCE.name' in source
    pseudo = re.findall(r'val \w+MetricName: String = ApiKeys\.(\w+)\.name \+ "(\w+)"', source)
    camel = {"FETCH": "Fetch", "ADD_PARTITIONS_TO_TXN": "AddPartitionsToTxn"}
    assert tuple(camel[k] + suffix for k, suffix in pseudo) == census.PSEUDO_APIS
    assert "consumerFetchMetricName, RequestMetrics.followFetchMetricName" in source


def test_a_hosted_replica_registers_partitions_gauges():
    source = (KAFKA / "Partition.scala.txt").read_text()
    assert tuple(re.findall(r'metricsGroup.newGauge\("(\w+)"', source)) == census.PARTITION_GAUGES


def test_the_census_units_are_what_kafka_names_them():
    """The ObjectNames the units use, as Kafka registers them (KafkaMetricsGroup: kafka.<package>:type=<class>,
    name=<metric>, then the tags in order)."""
    hist = census.request_name("Produce")
    assert len(hist) == 10 * len(census.HISTOGRAM)
    assert hist[0].match_name().startswith("kafka.network<type=RequestMetrics, name=RequestQueueTimeMs, request=Produce>")
    assert len(census.request_name("Metadata")) == 8 * len(census.HISTOGRAM)
    assert {a.match_name().split("><>")[0] for a in census.replica()} == {
        *(f"kafka.cluster<type=Partition, name={g}, topic=combat-events, partition=0" for g in census.PARTITION_GAUGES),
        *(f"kafka.log<type=Log, name={g}, topic=combat-events, partition=0" for g in census.LOG_GAUGES)}
    assert len(census.SELECTOR_ATTRIBUTES) == len(set(census.SELECTOR_ATTRIBUTES)) == 38
