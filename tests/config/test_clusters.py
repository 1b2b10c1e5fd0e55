"""Cluster specs: targets that resolve from the Prometheus pods, discovery by the labels the
operators really set, and an exporter for consumer lag that exists.

Facts: a Service or pod resolves from another namespace only as `<name>.<namespace>.svc`
(Kubernetes DNS for Services and Pods: the search path of a pod holds only its own namespace).
Strimzi 0.45.0 labels (api/.../ResourceLabels.java, operator-common/.../Labels.java):
`strimzi.io/cluster`, `strimzi.io/kind`, `strimzi.io/name`, `strimzi.io/broker-role`,
`strimzi.io/controller-role`; metrics port `tcp-prometheus` 9404 (MetricsModel.java), used by the
Kafka Exporter too (KafkaExporter.java), for which Strimzi creates no Service.
"""
from __future__ import annotations

import pytest

from config.clusters import parse_cluster, resolvable_target


@pytest.mark.parametrize("target", ["10.0.3.7:7071", "[fd00::7]:7071", "kafka-brokers.kafka.svc:7071",
                                    "kafka-0.kafka-brokers.kafka.svc.cluster.local:7071", "kafka-0.prod.example.com:9093"])
def test_names_that_resolve_from_any_namespace_are_accepted(target):
    assert resolvable_target(target) is None


@pytest.mark.parametrize("target,why", [
    ("kafka-broker-0:7071", "only inside its own namespace"),
    ("kafka-0.kafka-brokers:7071", "only inside its own namespace"),
    ("kafka.svc:7071", "no namespace before .svc"),
    ("kafka.kafka.svc:0", "port from 1 to 65535"),
    ("kafka.kafka.svc:65536", "port from 1 to 65535"),
    ("Kafka_Broker.x.svc:1", "a DNS name or an IP address"),
])
def test_names_that_resolve_only_inside_their_namespace_are_refused(target, why):
    assert why in resolvable_target(target)


def test_strimzi_preset_discovers_brokers_controllers_and_the_exporter_by_strimzis_labels():
    c, errors = parse_cluster("kafka ns=events preset=strimzi", "clusters[0]")
    assert errors == []
    assert dict(c.broker_pods.labels) == {"strimzi.io/cluster": "kafka", "strimzi.io/kind": "Kafka",
                                          "strimzi.io/broker-role": "true"}
    assert dict(c.controller_pods.labels)["strimzi.io/controller-role"] == "true"
    assert dict(c.exporter_pods.labels) == {"strimzi.io/kind": "Kafka", "strimzi.io/name": "kafka-kafka-exporter"}
    assert {c.broker_pods.port, c.exporter_pods.port} == {"tcp-prometheus"}
    assert c.tls == ("kafka-kafka-bootstrap.events.svc:9093",) and not c.deploys_exporter


def test_plain_statefulset_by_selector_with_a_deployed_exporter():
    c, errors = parse_cluster("orders ns=kafka brokerPods=app=kafka;role=broker controllerPods=app=kafka;role=ctl "
                              "jmxPort=7071 bootstrap=kafka.kafka.svc:9092 sasl=scram-sha512:orders-exporter "
                              "kafkaTls=true", "clusters[1]")
    assert errors == []
    assert c.broker_pods.labels == (("app", "kafka"), ("role", "broker")) and c.broker_pods.port == "7071"
    assert c.deploys_exporter and c.exporter_pods is None
    assert (c.sasl.mechanism, c.sasl.secret, c.kafka_tls) == ("scram-sha512", "orders-exporter", True)


def test_zookeeper_clusters_need_no_controllers():
    c, errors = parse_cluster("old ns=k brokers=b.k.svc:7071 zookeeper=z.k.svc:7071 exporterPods=app=x", "c")
    assert errors == [] and not c.kraft


@pytest.mark.parametrize("spec,needle", [
    ("kafka ns=k brokers=b.k.svc:1 controllers=c.k.svc:1", "consumer lag needs kafka_exporter"),
    ("kafka ns=k preset=confluent", "preset: not allowed; allowed: strimzi"),
    ("kafka ns=k brokerPods=app controllers=c.k.svc:1 exporterPods=a=b", "not a label selector term"),
    ("kafka ns=k preset=strimzi jmxPort=99999", "jmxPort"),
    ("kafka ns=k preset=strimzi exporterPods=a=b bootstrap=k.k.svc:9092", "either exporterPods"),
    ("kafka ns=k preset=strimzi bootstrap=kafka:9092", "bootstrap"),
    ("kafka ns=k preset=strimzi sasl=gssapi:s", "sasl"),
    ("kafka ns=k preset=strimzi bootstrap=k.k.svc:9092 sasl=plain:s kafkaTls=yes", "kafkaTls"),
    ("kafka ns=k brokers=b.k.svc:1 brokerPods=a=b controllers=c.k.svc:1 exporterPods=a=b", "either brokers"),
    ("Events ns=k preset=strimzi ns=again", "DNS label"),
])
def test_bad_specs_are_refused_naming_the_field(spec, needle):
    cluster, errors = parse_cluster(spec, "clusters[3]")
    assert cluster is None
    assert any(needle in e for e in errors), errors
    assert all(e.startswith("clusters[3]") for e in errors)
