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

from config.clusters import GRAMMAR, Discovery, KafkaCluster, Sasl, SecretKey, parse_cluster, resolvable_target


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


STRIMZI = {"strimzi.io/cluster": "kafka", "strimzi.io/kind": "Kafka"}


def _pods(port: str, **labels: str) -> Discovery:
    return Discovery(tuple(labels.items()), port)


@pytest.mark.parametrize("spec,expected", [
    ("kafka ns=events preset=strimzi", KafkaCluster(
        "kafka", "events",
        broker_pods=Discovery((*STRIMZI.items(), ("strimzi.io/broker-role", "true")), "tcp-prometheus"),
        controller_pods=Discovery((*STRIMZI.items(), ("strimzi.io/controller-role", "true")), "tcp-prometheus"),
        exporter_pods=Discovery((("strimzi.io/kind", "Kafka"), ("strimzi.io/name", "kafka-kafka-exporter")),
                                "tcp-prometheus"),
        tls=("kafka-kafka-bootstrap.events.svc:9093",))),
    # explicit targets replace the preset's discovery of that role only; a deployed exporter replaces its exporter
    ("kafka ns=events preset=strimzi brokers=b-0.b.events.svc:9404, bootstrap=kafka.events.svc:9092 "
     "sasl=plain:lag-reader kafkaTls=false", KafkaCluster(
        "kafka", "events", brokers=("b-0.b.events.svc:9404",),
        controller_pods=Discovery((*STRIMZI.items(), ("strimzi.io/controller-role", "true")), "tcp-prometheus"),
        bootstrap="kafka.events.svc:9092", sasl=Sasl("plain", "lag-reader"), kafka_tls=False,
        tls=("kafka-kafka-bootstrap.events.svc:9093",))),
    # Strimzi's cluster CA: KafkaResources.clusterCaCertificateSecretName(cluster) = "<cluster>-cluster-ca-cert",
    # key Ca.CA_CRT = "ca.crt" (strimzi-kafka-operator 0.47.0), copied into the monitoring namespace.
    ("kafka ns=events preset=strimzi bootstrap=kafka-kafka-bootstrap.events.svc:9093 kafkaTls=true "
     "kafkaCa=kafka-cluster-ca-cert/ca.crt", KafkaCluster(
        "kafka", "events",
        broker_pods=Discovery((*STRIMZI.items(), ("strimzi.io/broker-role", "true")), "tcp-prometheus"),
        controller_pods=Discovery((*STRIMZI.items(), ("strimzi.io/controller-role", "true")), "tcp-prometheus"),
        bootstrap="kafka-kafka-bootstrap.events.svc:9093", kafka_tls=True,
        kafka_ca=SecretKey("kafka-cluster-ca-cert", "ca.crt"), tls=("kafka-kafka-bootstrap.events.svc:9093",))),
    ("orders ns=kafka brokers=b-0.b.kafka.svc:7071,b-1.b.kafka.svc:7071 controllers=c-0.c.kafka.svc:7071 "
     "exporterPods=app=kafka-exporter exporterPort=metrics tls=b.kafka.svc:9093,10.0.0.1:9093", KafkaCluster(
        "orders", "kafka", brokers=("b-0.b.kafka.svc:7071", "b-1.b.kafka.svc:7071"),
        controllers=("c-0.c.kafka.svc:7071",), exporter_pods=_pods("metrics", app="kafka-exporter"),
        tls=("b.kafka.svc:9093", "10.0.0.1:9093"))),
    # default ports: the JMX exporter's 9404 for pods found by label, kafka_exporter's 9308
    ("orders ns=kafka brokerPods=app=kafka controllerPods=app=ctl exporterPods=app=x", KafkaCluster(
        "orders", "kafka", broker_pods=_pods("9404", app="kafka"), controller_pods=_pods("9404", app="ctl"),
        exporter_pods=_pods("9308", app="x"))),
    ("old ns=k brokers=b.k.svc:7071 zookeeper=z-0.z.k.svc:2181,z-1.z.k.svc:2181 exporterPods=app=x", KafkaCluster(
        "old", "k", brokers=("b.k.svc:7071",), zookeeper=("z-0.z.k.svc:2181", "z-1.z.k.svc:2181"),
        exporter_pods=_pods("9308", app="x"))),
])
def test_each_field_lands_where_the_scrape_config_reads_it(spec, expected):
    assert parse_cluster(spec, "c") == (expected, [])


OK = "brokers=b.k.svc:1 controllers=c.k.svc:1 exporterPods=app=x"
NEEDS_EXPORTER = ("c.exporterPods: consumer lag needs kafka_exporter; give preset=strimzi, exporterPods=<labels> "
                  "or bootstrap=<host:port>")
ONLY_INSIDE = ("resolves only inside its own namespace; allowed: <service>.<namespace>.svc, an IP address, "
               "or pods discovered by label")


@pytest.mark.parametrize("spec,errors", [
    (42, [f"c: not a cluster spec; expected {GRAMMAR}"]),
    ("   ", [f"c: not a cluster spec; expected {GRAMMAR}"]),
    (f"Kafka ns=k {OK}", ["c: the cluster name is not allowed; allowed: a DNS label (lowercase letters, digits, "
                          "'-', at most 40)"]),
    (f"kafka {OK}", ["c.ns: required; allowed: a Kubernetes namespace name"]),
    (f"kafka ns=k {OK} bogus=1 ns=again noequals", [
        f"c: word {n} is not allowed; expected {GRAMMAR} with each field once" for n in (6, 7, 8)]),
    (f"kafka ns=k preset=confluent {OK}", ["c.preset: not allowed; allowed: strimzi"]),
    (f"kafka ns=k {OK} jmxPort=0 exporterPort=Metrics_Port", [
        "c.jmxPort: not allowed; allowed: a port number (1-65535) or a container port name",
        "c.exporterPort: not allowed; allowed: a port number (1-65535) or a container port name"]),
    ("kafka ns=k brokerPods=app=kafka;role controllers=c.k.svc:1 exporterPods=a=b;=c", [
        "c.brokerPods: term 2 is not a label selector term; expected <label>=<value>, joined by ';'",
        "c.exporterPods: term 2 is not a label selector term; expected <label>=<value>, joined by ';'"]),
    ("kafka ns=k brokers=b.k.svc:1,kafka-1:9093 controllers=c.svc:1 zookeeper=z:1 tls=t.k.svc:0 exporterPods=a=b", [
        f"c.brokers: target 2 {ONLY_INSIDE}",
        "c.controllers: target 1 names no namespace before .svc; allowed: <service>.<namespace>.svc",
        f"c.zookeeper: target 1 {ONLY_INSIDE}",
        "c.tls: target 1 is not allowed; allowed: host:port with a port from 1 to 65535"]),
    ("kafka ns=k exporterPods=a=b", [
        "c.brokers: required; give preset=strimzi, brokerPods=<labels> or brokers=<host:port>,...",
        "c.controllers: required; give preset=strimzi, controllerPods=<labels> or controllers=<host:port>,..."]),
    ("old ns=k zookeeper=z.k.svc:2181 exporterPods=a=b", [  # ZooKeeper mode needs no controllers, still brokers
        "c.brokers: required; give preset=strimzi, brokerPods=<labels> or brokers=<host:port>,..."]),
    (f"kafka ns=k {OK} brokerPods=a=b controllerPods=a=c", [
        "c.brokers: give either brokers or brokerPods, not both",
        "c.controllers: give either controllers or controllerPods, not both"]),
    ("kafka ns=k brokers=b.k.svc:1 controllers=c.k.svc:1", [NEEDS_EXPORTER]),
    ("kafka ns=k brokers=b.k.svc:1 controllers=c.k.svc:1 bootstrap=kafka:9092", [
        f"c.bootstrap: the address {ONLY_INSIDE}"]),
    (f"kafka ns=k {OK} bootstrap=k.k.svc:9092", [
        "c: give either exporterPods (an existing kafka_exporter) or bootstrap (deploy one)"]),
    (f"kafka ns=k {OK} sasl=plain:s", ["c.sasl: only used with bootstrap (the kafka_exporter this program deploys)"]),
    *[(f"kafka ns=k brokers=b.k.svc:1 controllers=c.k.svc:1 bootstrap=k.k.svc:9092 sasl={sasl}", [
        "c.sasl: expected <mechanism>:<secret name>, mechanism one of plain, scram-sha256, scram-sha512"])
      for sasl in ("gssapi:s", "plain", "plain:Secret_Name", "scram-sha256:")],
    ("kafka ns=k brokers=b.k.svc:1 controllers=c.k.svc:1 bootstrap=k.k.svc:9092 kafkaTls=yes", [
        "c.kafkaTls: allowed: true or false"]),
    # A CA is only read with TLS on (kafka_exporter.go NewExporter reads tls.ca-file inside `if opts.useTLS`).
    *[(f"kafka ns=k brokers=b.k.svc:1 controllers=c.k.svc:1 bootstrap=k.k.svc:9092 {tls}kafkaCa=kafka-cluster-ca-cert/"
       "ca.crt", ["c.kafkaCa: only used with kafkaTls=true"]) for tls in ("", "kafkaTls=false ")],
    (f"kafka ns=k {OK} kafkaTls=true kafkaCa=kafka-cluster-ca-cert/ca.crt", [
        "c.kafkaCa: only used with bootstrap (the kafka_exporter this program deploys)"]),
    *[(f"kafka ns=k brokers=b.k.svc:1 controllers=c.k.svc:1 bootstrap=k.k.svc:9092 kafkaTls=true kafkaCa={ca}", [
        "c.kafkaCa: expected <secret name>/<key>, a Secret in the monitoring namespace and the key of its CA "
        "certificate, such as <cluster>-cluster-ca-cert/ca.crt"])
      for ca in ("kafka-cluster-ca-cert", "kafka-cluster-ca-cert/", "/ca.crt", "Kafka_CA/ca.crt",
                 "kafka-cluster-ca-cert/ca:crt", "kafka-cluster-ca-cert/ca/crt", "kafka-cluster-ca-cert/..",
                 "kafka-cluster-ca-cert/..ca.crt", "kafka-cluster-ca-cert/.")],
])
def test_each_refusal_names_its_field_and_what_is_allowed(spec, errors):
    assert parse_cluster(spec, "c") == (None, errors)


@pytest.mark.parametrize("target,why", [
    ("kafka.example.com:9093", None),               # three labels: an outside DNS name
    ("kafka.example:9093", ONLY_INSIDE),            # two labels: a pod.service inside a namespace
    ("kafka.k.svc:1", None), ("kafka.k.svc:65535", None),
    ("9092", "is not allowed; allowed: host:port with a port from 1 to 65535"),
    ("kafka.k.svc:x", "is not allowed; allowed: host:port with a port from 1 to 65535"),
    ("kafka_0.k.svc:1", "is not allowed; allowed: a DNS name or an IP address, with its port"),
])
def test_resolvable_targets_at_their_edges(target, why):
    assert resolvable_target(target) == why


@pytest.mark.parametrize("port,ok", [("1", True), ("65535", True), ("0", False), ("65536", False),
                                     ("tcp-prometheus", True), ("a-name-of-15-ch", True), ("name-of-16-chars", False)])
def test_port_numbers_and_names_at_their_edges(port, ok):
    """Container port names are IANA_SVC_NAME: at most 15 characters (k8s.io/apimachinery validation)."""
    cluster, errors = parse_cluster(f"kafka ns=k brokerPods=app=kafka jmxPort={port} controllers=c.k.svc:1 "
                                    "exporterPods=app=x", "c")
    assert (errors == []) is ok
    assert ok is False or cluster.broker_pods.port == port


@pytest.mark.parametrize("term", ["app=-kafka", "app=kafka/v", "-app=kafka", "app"])
def test_a_selector_term_needs_a_valid_key_and_value(term):
    _, errors = parse_cluster(f"kafka ns=k brokerPods={term} controllers=c.k.svc:1 exporterPods=app=x", "c")
    assert errors == ["c.brokerPods: term 1 is not a label selector term; expected <label>=<value>, joined by ';'"]
