"""Kafka cluster specs: one string per monitored cluster (Pulumi's config schema has no objects).

    <name> ns=<namespace> [preset=strimzi] [brokerPods=<k=v;...>] [controllerPods=<k=v;...>]
           [jmxPort=<port or port name>] [brokers=<host:port>,...] [controllers=<host:port>,...]
           [exporterPods=<k=v;...>] [exporterPort=<port or name>] [bootstrap=<host:port>]
           [sasl=<plain|scram-sha256|scram-sha512>:<secret>] [kafkaTls=true] [kafkaCa=<secret>/<key>]
           [zookeeper=<host:port>,...] [tls=<host:port>,...] [k8s=<kubernetes cluster>]

Prometheus runs in the monitoring namespace, the brokers in theirs, so targets are discovered in
the cluster's own namespace by pod labels (Kubernetes pod discovery), or given as names that
resolve from any namespace: an IP address, `<service>.<namespace>.svc[...]`,
`<pod>.<service>.<namespace>.svc[...]`, or an outside DNS name of three labels or more. A bare
`kafka-broker-0` resolves only inside its own namespace and is refused.

`preset=strimzi` fills in Strimzi's labels (0.45: `strimzi.io/cluster`, `strimzi.io/kind=Kafka`,
`strimzi.io/broker-role`/`controller-role=true`, metrics port `tcp-prometheus`; the Kafka Exporter
pods `strimzi.io/name=<name>-kafka-exporter`, for which Strimzi creates no Service since 0.20) and
the TLS bootstrap service `<name>-kafka-bootstrap.<ns>.svc:9093`.

Consumer lag comes from kafka_exporter: found by `exporterPods`, or deployed by this program
against `bootstrap` (with `sasl` credentials from the named Secret in the monitoring namespace,
keys `username` and `password`, and `kafkaTls`). With `kafkaTls=true` it trusts the image's system
roots, unless `kafkaCa` names a Secret in the monitoring namespace and the key holding the CA
certificates (PEM) that signed the brokers' certificates: a pod mounts only Secrets of its own
namespace, so Strimzi's `<name>-cluster-ca-cert` (key `ca.crt`) is copied there from the Kafka
namespace.

`k8s` names the Kubernetes cluster whose Prometheus scrapes this Kafka cluster: `kubernetesCluster`
(the default) or one of `kubernetesClusters`. Each Kafka cluster is scraped by exactly one: no store
deduplicates two Prometheus pairs scraping the same brokers.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_LABEL_KEY = re.compile(r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$")
SASL_MECHANISMS = ("plain", "scram-sha256", "scram-sha512")
PRESETS = ("strimzi",)
STRIMZI_METRICS_PORT = "tcp-prometheus"
FIELDS = ("ns", "preset", "brokerPods", "controllerPods", "jmxPort", "brokers", "controllers", "exporterPods",
          "exporterPort", "bootstrap", "sasl", "kafkaTls", "kafkaCa", "zookeeper", "tls", "k8s")
# A Kubernetes cluster's name, as `kubernetesCluster` allows it (config.fields).
K8S_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$")
# A Secret's data key (apimachinery validation IsConfigMapKey): these characters, at most 253, and
# neither "." nor starting with "..".
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]{1,253}$")
GRAMMAR = ("'<name> ns=<namespace> [preset=strimzi] [brokerPods=<k=v;...>] [controllerPods=<k=v;...>] "
           "[jmxPort=<port>] [brokers=<host:port>,...] [controllers=<host:port>,...] [exporterPods=<k=v;...>] "
           "[exporterPort=<port>] [bootstrap=<host:port>] [sasl=<mechanism>:<secret>] [kafkaTls=true] "
           "[kafkaCa=<secret>/<key>] [zookeeper=<host:port>,...] [tls=<host:port>,...] [k8s=<kubernetes cluster>]'")

Selector = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Discovery:
    """Pods of one role, found by Kubernetes pod discovery in the cluster's namespace."""
    labels: Selector
    port: str            # a container port number, or its name


@dataclass(frozen=True)
class Sasl:
    mechanism: str
    secret: str          # Secret in the monitoring namespace with keys `username` and `password`


@dataclass(frozen=True)
class SecretKey:
    secret: str          # Secret in the monitoring namespace
    key: str


@dataclass(frozen=True)
class KafkaCluster:
    name: str
    namespace: str
    broker_pods: Discovery | None = None
    controller_pods: Discovery | None = None
    brokers: tuple[str, ...] = ()
    controllers: tuple[str, ...] = ()
    exporter_pods: Discovery | None = None
    bootstrap: str = ""                # kafka_exporter is deployed against it
    sasl: Sasl | None = None
    kafka_tls: bool = False
    kafka_ca: SecretKey | None = None  # the CA kafka_exporter trusts (None: the image's system roots)
    zookeeper: tuple[str, ...] = ()
    tls: tuple[str, ...] = ()          # TLS listeners probed for certificate expiry
    k8s: str = ""                      # the Kubernetes cluster that scrapes it ("": the stack's own)

    @property
    def kraft(self) -> bool:
        return not self.zookeeper

    @property
    def deploys_exporter(self) -> bool:
        return bool(self.bootstrap)


def resolvable_target(target: str) -> str | None:
    """Why a host:port cannot be scraped from another namespace, or None when it can."""
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        return "is not allowed; allowed: host:port with a port from 1 to 65535"
    try:
        ipaddress.ip_address(host.strip("[]"))
        return None
    except ValueError:
        pass
    labels = host.lower().split(".")
    if not all(_DNS_LABEL.match(label) for label in labels):
        return "is not allowed; allowed: a DNS name or an IP address, with its port"
    if "svc" in labels:
        i = labels.index("svc")
        return None if i >= 2 else "names no namespace before .svc; allowed: <service>.<namespace>.svc"
    if len(labels) >= 3:
        return None
    return ("resolves only inside its own namespace; allowed: <service>.<namespace>.svc, an IP address, "
            "or pods discovered by label")


def _selector(text: str, key: str) -> tuple[Selector, list[str]]:
    pairs, errors = [], []
    for n, item in enumerate(text.split(";"), 1):
        k, sep, v = item.partition("=")
        # fullmatch: Python's `$` also matches before a final newline, Go's (the API server's) does not.
        if not sep or not _LABEL_KEY.fullmatch(k) or not _LABEL_VALUE.fullmatch(v):
            errors.append(f"{key}: term {n} is not a label selector term; expected <label>=<value>, joined by ';'")
        else:
            pairs.append((k, v))
    return tuple(pairs), errors


def _port(text: str, key: str) -> list[str]:
    if text.isdigit() and 0 < int(text) < 65536:
        return []
    if _PORT_NAME.match(text) and not text.isdigit():
        return []
    return [f"{key}: not allowed; allowed: a port number (1-65535) or a container port name"]


def _strimzi(name: str, ns: str) -> dict:
    base = (("strimzi.io/cluster", name), ("strimzi.io/kind", "Kafka"))
    return {
        "broker_pods": Discovery(base + (("strimzi.io/broker-role", "true"),), STRIMZI_METRICS_PORT),
        "controller_pods": Discovery(base + (("strimzi.io/controller-role", "true"),), STRIMZI_METRICS_PORT),
        "exporter_pods": Discovery((("strimzi.io/kind", "Kafka"), ("strimzi.io/name", f"{name}-kafka-exporter")),
                                   STRIMZI_METRICS_PORT),
        "tls": (f"{name}-kafka-bootstrap.{ns}.svc:9093",),
    }


def parse_cluster(spec: object, key: str) -> tuple[KafkaCluster | None, list[str]]:
    """Parse one spec; return the cluster or the problems, each naming `key`."""
    if not isinstance(spec, str) or not spec.split():
        return None, [f"{key}: not a cluster spec; expected {GRAMMAR}"]
    name, *pairs = spec.split()
    errors: list[str] = []
    if not _NAME.match(name):
        errors.append(f"{key}: the cluster name is not allowed; allowed: a DNS label (lowercase letters, digits, '-', "
                      "at most 40)")
    fields: dict[str, str] = {}
    for n, pair in enumerate(pairs, 2):
        field, sep, value = pair.partition("=")
        if not sep or field not in FIELDS or field in fields:
            errors.append(f"{key}: word {n} is not allowed; expected {GRAMMAR} with each field once")
            continue
        fields[field] = value
    ns = fields.get("ns", "")
    if not _NAME.match(ns):
        errors.append(f"{key}.ns: required; allowed: a Kubernetes namespace name")
    values: dict = {}
    if "preset" in fields:
        if fields["preset"] not in PRESETS:
            errors.append(f"{key}.preset: not allowed; allowed: {', '.join(PRESETS)}")
        else:
            values.update(_strimzi(name, ns))
    jmx_port = fields.get("jmxPort", "9404")
    errors += _port(jmx_port, f"{key}.jmxPort")
    for field, attr in (("brokerPods", "broker_pods"), ("controllerPods", "controller_pods")):
        if field in fields:
            labels, errs = _selector(fields[field], f"{key}.{field}")
            errors += errs
            values[attr] = Discovery(labels, jmx_port)
    exporter_port = fields.get("exporterPort", "9308")
    errors += _port(exporter_port, f"{key}.exporterPort")
    if "exporterPods" in fields:
        labels, errs = _selector(fields["exporterPods"], f"{key}.exporterPods")
        errors += errs
        values["exporter_pods"] = Discovery(labels, exporter_port)
    for field in ("brokers", "controllers", "zookeeper", "tls"):
        if field in fields:
            targets = tuple(t for t in fields[field].split(",") if t)
            for n, target in enumerate(targets, 1):
                why = resolvable_target(target)
                if why:
                    errors.append(f"{key}.{field}: target {n} {why}")
            values[field] = targets
    for role, field, pods in (("brokers", "brokerPods", "broker_pods"),
                              ("controllers", "controllerPods", "controller_pods")):
        if not values.get(role) and not values.get(pods) and (role == "brokers" or "zookeeper" not in fields):
            errors.append(f"{key}.{role}: required; give preset=strimzi, {field}=<labels> or {role}=<host:port>,...")
        if role in fields and field in fields:
            errors.append(f"{key}.{role}: give either {role} or {field}, not both")
        if role in fields:
            values.pop(pods, None)  # explicit targets override the preset's discovery
    if "bootstrap" in fields:
        why = resolvable_target(fields["bootstrap"])
        if why:
            errors.append(f"{key}.bootstrap: the address {why}")
        if "exporterPods" in fields:
            errors.append(f"{key}: give either exporterPods (an existing kafka_exporter) or bootstrap (deploy one)")
        values["bootstrap"] = fields["bootstrap"]
        values.pop("exporter_pods", None)  # the deployed exporter replaces the preset's
    elif not values.get("exporter_pods"):
        errors.append(f"{key}.exporterPods: consumer lag needs kafka_exporter; give preset=strimzi, "
                      "exporterPods=<labels> or bootstrap=<host:port>")
    if "sasl" in fields:
        mechanism, sep, secret = fields["sasl"].partition(":")
        if not sep or mechanism not in SASL_MECHANISMS or not _DNS_LABEL.match(secret):
            errors.append(f"{key}.sasl: expected <mechanism>:<secret name>, mechanism one of "
                          f"{', '.join(SASL_MECHANISMS)}")
        else:
            values["sasl"] = Sasl(mechanism, secret)
        if "bootstrap" not in fields:
            errors.append(f"{key}.sasl: only used with bootstrap (the kafka_exporter this program deploys)")
    if "kafkaTls" in fields:
        if fields["kafkaTls"] not in ("true", "false"):
            errors.append(f"{key}.kafkaTls: allowed: true or false")
        values["kafka_tls"] = fields["kafkaTls"] == "true"
    if "kafkaCa" in fields:
        secret, sep, ca_key = fields["kafkaCa"].partition("/")
        if not sep or not _DNS_LABEL.match(secret) or not _SECRET_KEY.match(ca_key) \
                or ca_key == "." or ca_key.startswith(".."):
            errors.append(f"{key}.kafkaCa: expected <secret name>/<key>, a Secret in the monitoring namespace and "
                          "the key of its CA certificate, such as <cluster>-cluster-ca-cert/ca.crt")
        else:
            values["kafka_ca"] = SecretKey(secret, ca_key)
        if fields.get("kafkaTls") != "true":
            errors.append(f"{key}.kafkaCa: only used with kafkaTls=true")
        if "bootstrap" not in fields:
            errors.append(f"{key}.kafkaCa: only used with bootstrap (the kafka_exporter this program deploys)")
    if "k8s" in fields:
        if not K8S_NAME.match(fields["k8s"]):
            errors.append(f"{key}.k8s: not allowed; allowed: a Kubernetes cluster name (letters, digits, . _ -)")
        values["k8s"] = fields["k8s"]
    if errors:
        return None, errors
    return KafkaCluster(name, ns, **values), []


def cluster_list_problems(specs: list[Any]) -> list[str]:
    if not specs:
        return ["clusters: the list is empty; allowed: at least one cluster spec"]
    problems: list[str] = []
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        cluster, errors = parse_cluster(spec, f"clusters[{i}]")
        problems += errors
        if cluster and cluster.name in seen:
            problems.append(f"clusters[{i}]: cluster name {cluster.name!r} is duplicated; allowed: unique names")
        if cluster:
            seen.add(cluster.name)
    return problems
