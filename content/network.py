"""Who talks to whom: the flow table of the monitoring plane, and the NetworkPolicies built from it.

Every connection the platform needs is one `Flow` (source, destination, ports, why). The policies
are generated from the table and from nothing else: each workload we protect gets one policy
whose ingress rules are the flows that end at it and, where its destinations are known, whose
egress rules are the flows it starts (plus DNS); the monitoring namespace denies every other
ingress. Traffic between a pod and its own node (kubelet probes) is always allowed by Kubernetes,
so probes need no flow (kubernetes.io/docs/concepts/services-networking/network-policies/).

Pod labels, from the sources at the pinned versions:
- Prometheus and Alertmanager pods: prometheus-operator v0.77.1 (kube-prometheus-stack 65.1.1's
  appVersion) `makeSelectorLabels` in pkg/prometheus/server/operator.go and pkg/alertmanager/
  operator.go: `app.kubernetes.io/name` prometheus|alertmanager, `app.kubernetes.io/instance`,
  `operator.prometheus.io/name` (Prometheus) and `alertmanager` (Alertmanager) = the custom
  resource's name, which the chart names `<fullname>-prometheus|-alertmanager`
  (templates/_helpers.tpl `prometheus.crname`, `alertmanager.crname`), fullname being
  `fullnameOverride` cut to 26 characters, trailing '-' trimmed (`kube-prometheus-stack.fullname`).
- The operator: `app: kube-prometheus-stack-operator`, `release: <release>`
  (templates/prometheus-operator/_prometheus-operator.tpl, deployment.yaml's selector); it serves
  its admission webhook and metrics on 10250 (values.yaml `prometheusOperator.tls.internalPort`,
  tls enabled by default).
- kube-state-metrics 5.25.1 (the subchart): `app.kubernetes.io/name: kube-state-metrics`,
  `app.kubernetes.io/instance: <release>` (templates/_helpers.tpl selectorLabels), port 8080.
- prometheus-node-exporter 4.39.0 runs with `hostNetwork: true` (values.yaml) on 9100: it has the
  node's address, and a NetworkPolicy never selects a host-network pod; reached as a host.
- fluent-bit 0.47.10 and prometheus-blackbox-exporter 9.0.3: `app.kubernetes.io/name: <chart>`,
  `app.kubernetes.io/instance: <release>` (templates/_helpers.tpl selectorLabels); 2020 and 9115.
- Jaeger and kafka_exporter: the labels this program gives them (components/collection.py,
  content/exporters.py); Strimzi's, from the cluster specs (config/clusters.py).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from config.clusters import Selector
from config.peers import parse_peer
from content import auth_proxy, exporters, jaeger
from content.fluent_bit import HTTP_PORT as FLUENT_BIT_PORT
from content.scrape import EVENT_CORE_APP, GATEWAY_APP

if TYPE_CHECKING:
    from config.clusters import Discovery
    from config.sections import NetworkArgs

TCP, UDP = "TCP", "UDP"
ANYWHERE = ("0.0.0.0/0", "::/0")
NAMESPACE_LABEL = "kubernetes.io/metadata.name"  # set on every namespace by the API server (1.22+)
KUBE_DNS = ("kube-system", (("k8s-app", "kube-dns"),))  # CoreDNS keeps kube-dns's label (and EKS's)
API_SERVER_PORTS = (443, 6443)  # the kubernetes Service's endpoints: 443 on EKS, 6443 with kubeadm
CHART = "kube-prometheus-stack"
MESH_PORT = 9094  # Alertmanager's cluster gossip; the web and reloader ports: web_port(), _reloader()
OPERATOR_PORT, KUBE_STATE_METRICS_PORT, NODE_EXPORTER_PORT, KUBELET_PORT, COREDNS_METRICS_PORT = (
    10250, 8080, 9100, 10250, 9153)
# The chart's control-plane Services (Kubernetes 1.22+: the secure ports), scraped where not managed.
CONTROL_PLANE_PORTS = {"kube-controller-manager": 10257, "kube-scheduler": 10259, "kube-proxy": 10249,
                       "etcd": 2381}

Port = tuple[str, "int | str"]  # (protocol, a number or a container port's name)


@dataclass(frozen=True)
class Pods:
    """Pods of one namespace that carry all of `labels` (every pod of it when empty)."""
    name: str
    namespace: str
    labels: Selector = ()


@dataclass(frozen=True)
class Hosts:
    """Addresses outside the pod network (nodes, the API server, services on the internet)."""
    name: str
    cidrs: tuple[str, ...] = ANYWHERE


Endpoint = Pods | Hosts


@dataclass(frozen=True)
class Flow:
    source: Endpoint
    destination: Endpoint
    ports: tuple[Port, ...]  # empty: every port
    why: str


@dataclass(frozen=True)
class Workload:
    """Pods that get a policy; `egress`: their egress is limited to the flows they start."""
    pods: Pods
    egress: bool


@dataclass(frozen=True)
class Releases:
    """Names the platform gives what it deploys; None where the component is off."""
    prometheus: str | None = None   # the kube-prometheus-stack Helm release
    collection: str | None = None   # the Collection component (Jaeger's instance label)
    fluent_bit: str | None = None   # the Fluent Bit Helm release


def tcp(*ports: int | str) -> tuple[Port, ...]:
    return tuple((TCP, p) for p in ports)


def chart_fullname(release: str) -> str:
    """kube-prometheus-stack.fullname with fullnameOverride = release: 26 characters, no trailing '-'."""
    return release[:26].removesuffix("-")


def _discovered_port(port: str) -> int | str:
    return int(port) if port.isdigit() else port


def _host_endpoint(name: str, host: str) -> Endpoint:
    """A name that resolves in the cluster (`<service>.<namespace>.svc`, `<pod>.<service>.<namespace>.svc`)
    is some pod of that namespace; an address is itself; any other name is somewhere outside."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
        return Hosts(name, (f"{address}/{address.max_prefixlen}",))
    except ValueError:
        pass
    labels = host.lower().split(".")
    if "svc" in labels and labels.index("svc") >= 2:
        return Pods(name, labels[labels.index("svc") - 1])
    return Hosts(name)


def _target(name: str, target: str) -> tuple[Endpoint, tuple[Port, ...]]:
    host, _, port = target.rpartition(":")
    return _host_endpoint(name, host), tcp(int(port))


def _url(name: str, url: str) -> tuple[Endpoint, tuple[Port, ...]]:
    parts = urlsplit(url)
    return _host_endpoint(name, parts.hostname or ""), tcp(parts.port or (443 if parts.scheme == "https" else 80))


def _peer(name: str, text: str) -> Endpoint:
    peer = parse_peer(text)
    assert peer is not None  # config.fields refuses anything else
    return Hosts(name, (peer.cidr,)) if peer.cidr else Pods(name, peer.namespace, peer.labels)


def web_port(s: "NetworkArgs", kind: str) -> int:
    """Where `prometheus` or `alertmanager` is reached from another pod: its proxy's port when the
    server listens on loopback behind it (content.auth_proxy), else the server's own."""
    return auth_proxy.PROXY_PORTS[kind] if s.enable_auth_proxy else auth_proxy.LOCAL_PORTS[kind]


def _reloader(s: "NetworkArgs") -> int:
    """The config-reloaders' metrics: listenLocal puts the reloader on loopback too (operator v0.77.1
    pkg/operator/config_reloader.go: `--listen-address=<localhost>:8080`), and the proxy serves its
    /metrics on its own port (content.auth_proxy)."""
    return auth_proxy.RELOADER_PROXY_PORT if s.enable_auth_proxy else auth_proxy.RELOADER_PORT


def _pods(name: str, namespace: str, pods: "Discovery") -> Pods:
    return Pods(name, namespace, pods.labels)


# ---------------------------------------------------------------------------------------------- workloads

def prometheus(s: "NetworkArgs", release: str) -> Pods:
    name = f"{chart_fullname(release)}-prometheus"
    return Pods("prometheus", s.monitoring_namespace,
                (("app.kubernetes.io/name", "prometheus"), ("operator.prometheus.io/name", name)))


def alertmanager(s: "NetworkArgs", release: str) -> Pods:
    name = f"{chart_fullname(release)}-alertmanager"
    return Pods("alertmanager", s.monitoring_namespace, (("app.kubernetes.io/name", "alertmanager"), ("alertmanager", name)))


def operator(s: "NetworkArgs", release: str) -> Pods:
    return Pods("prometheus-operator", s.monitoring_namespace, (("app", f"{CHART}-operator"), ("release", release)))


def kube_state_metrics(s: "NetworkArgs", release: str) -> Pods:
    return Pods("kube-state-metrics", s.monitoring_namespace,
                (("app.kubernetes.io/name", "kube-state-metrics"), ("app.kubernetes.io/instance", release)))


def fluent_bit(s: "NetworkArgs", release: str) -> Pods:
    return Pods("fluent-bit", s.monitoring_namespace,
                (("app.kubernetes.io/name", "fluent-bit"), ("app.kubernetes.io/instance", release)))


def jaeger_pods(s: "NetworkArgs", collection: str) -> Pods:
    return Pods("jaeger", s.monitoring_namespace,
                (("app.kubernetes.io/name", "jaeger"), ("app.kubernetes.io/instance", collection)))


def blackbox(s: "NetworkArgs") -> Pods:
    return Pods("blackbox-exporter", s.monitoring_namespace,
                (("app.kubernetes.io/name", exporters.BLACKBOX_CHART),
                 ("app.kubernetes.io/instance", exporters.BLACKBOX_NAME)))


def deploys_blackbox(s: "NetworkArgs") -> bool:
    """The same condition as components.alerting: a TLS probe and no exporter given."""
    return any(c.tls for c in s.clusters) and not s.blackbox_exporter_address


def workloads(s: "NetworkArgs", r: Releases) -> list[Workload]:
    """Every pod set that gets a policy: the monitoring plane, and every kafka_exporter (which holds
    credentials to its Kafka cluster), ours or the cluster's own."""
    found: list[Workload] = []
    if r.prometheus:
        found += [Workload(prometheus(s, r.prometheus), True), Workload(alertmanager(s, r.prometheus), True),
                  Workload(operator(s, r.prometheus), True), Workload(kube_state_metrics(s, r.prometheus), True)]
        for c in s.clusters:
            namespace, pods = exporters.lag_exporter(c, s)
            # Ours is limited both ways; a cluster's own exporter gets its ingress limited only.
            found.append(Workload(_pods(f"kafka-exporter-{c.name}", namespace, pods), c.deploys_exporter))
        if deploys_blackbox(s):
            found.append(Workload(blackbox(s), True))
    if r.fluent_bit:
        found.append(Workload(fluent_bit(s, r.fluent_bit), True))
    if r.collection:
        found.append(Workload(jaeger_pods(s, r.collection), True))
    return found


# ---------------------------------------------------------------------------------------------- flows

def _scrapes(s: "NetworkArgs", r: Releases, prom: Pods) -> list[Flow]:
    """Prometheus to every target: the Kafka jobs, the chart's own ServiceMonitors, the platform's pods."""
    flows = []

    def scrape(destination: Endpoint, ports: tuple[Port, ...], why: str) -> None:
        flows.append(Flow(prom, destination, ports, why))

    for c in s.clusters:
        for role, pods in (("brokers", c.broker_pods), ("controllers", c.controller_pods)):
            if pods is not None:
                scrape(_pods(f"kafka-{c.name}-{role}", c.namespace, pods), tcp(_discovered_port(pods.port)),
                       f"scrape the JMX exporter of {c.name}'s {role}")
        for role, targets in (("brokers", c.brokers), ("controllers", c.controllers), ("zookeeper", c.zookeeper)):
            for target in targets:
                scrape(*_target(f"kafka-{c.name}-{role}", target), f"scrape {c.name}'s {role} at {target}")
        namespace, pods = exporters.lag_exporter(c, s)
        scrape(_pods(f"kafka-exporter-{c.name}", namespace, pods), tcp(_discovered_port(pods.port)),
               f"scrape {c.name}'s consumer lag (kafka_exporter)")
    if any(c.tls for c in s.clusters):
        if deploys_blackbox(s):
            scrape(blackbox(s), tcp(exporters.BLACKBOX_PORT), "TLS probes and the prober's own metrics")
        else:
            scrape(*_target("blackbox-exporter", s.blackbox_exporter_address), "TLS probes (the given exporter)")
    for app in (EVENT_CORE_APP, GATEWAY_APP):  # scraped on the ports their pods declare
        scrape(Pods(app, s.platform_namespace, (("app", app),)), (), f"scrape {app}")
    if r.fluent_bit:
        scrape(fluent_bit(s, r.fluent_bit), tcp(FLUENT_BIT_PORT), "scrape Fluent Bit")
    if r.collection:
        scrape(jaeger_pods(s, r.collection), tcp(jaeger.METRICS_PORT), "scrape Jaeger")
    release = r.prometheus or ""
    scrape(prom, tcp(web_port(s, "prometheus"), _reloader(s)),
           "the chart's self-monitoring (every replica, and its reloader)")
    scrape(alertmanager(s, release), tcp(web_port(s, "alertmanager"), _reloader(s)),
           "the chart's Alertmanager ServiceMonitor")
    scrape(operator(s, release), tcp(OPERATOR_PORT), "the chart's operator ServiceMonitor (https)")
    scrape(kube_state_metrics(s, release), tcp(KUBE_STATE_METRICS_PORT), "kube-state-metrics")
    scrape(Pods("coredns", *KUBE_DNS), tcp(COREDNS_METRICS_PORT), "the chart's coreDns ServiceMonitor")
    scrape(Hosts("nodes"), tcp(KUBELET_PORT, NODE_EXPORTER_PORT), "the kubelet, cAdvisor and node-exporter "
           "(host network)")
    scrape(Hosts("kubernetes-api"), tcp(*API_SERVER_PORTS), "service discovery and the kube-apiserver ServiceMonitor")
    if not s.managed_control_plane:
        scrape(Hosts("control-plane"), tcp(*CONTROL_PLANE_PORTS.values()), "the control plane's components")
    return flows


def flows(s: "NetworkArgs", r: Releases) -> list[Flow]:
    """Every connection the platform needs, in the monitoring plane and at its edges."""
    table: list[Flow] = []
    grafana = [_peer(f"grafana-{i}", text) for i, text in enumerate(s.grafana_sources)]
    api, outside = Hosts("kubernetes-api"), Hosts("internet")
    if r.prometheus:
        prom, am = prometheus(s, r.prometheus), alertmanager(s, r.prometheus)
        op, ksm = operator(s, r.prometheus), kube_state_metrics(s, r.prometheus)
        table += _scrapes(s, r, prom)
        table.append(Flow(prom, am, tcp(web_port(s, "alertmanager")), "Prometheus sends alerts"))
        table.append(Flow(am, am, ((TCP, MESH_PORT), (UDP, MESH_PORT)), "Alertmanager's cluster gossip "
                          "(replicas dedupe notifications)"))
        pagerduty, pagerduty_ports = _url("pagerduty", s.pagerduty_events_url)
        table.append(Flow(am, pagerduty, pagerduty_ports, "pages (PagerDuty Events API)"))
        table.append(Flow(am, outside, tcp(443), "Slack webhook and the dead man's switch heartbeat (https)"))
        for peer in grafana:
            table += [Flow(peer, prom, tcp(web_port(s, "prometheus")), "Grafana queries Prometheus"),
                      Flow(peer, am, tcp(web_port(s, "alertmanager")), "Grafana reads alerts and silences")]
        for i, text in enumerate(s.alertmanager_sources):
            table.append(Flow(_peer(f"alertmanager-source-{i}", text), am, tcp(web_port(s, "alertmanager")),
                              "a sender outside the namespace (alertmanagerSources)"))
        table.append(Flow(api, op, tcp(OPERATOR_PORT), "the API server calls the operator's admission webhook"))
        table += [Flow(op, api, tcp(*API_SERVER_PORTS), "the operator watches and writes its resources"),
                  Flow(ksm, api, tcp(*API_SERVER_PORTS), "kube-state-metrics lists and watches objects")]
        for c in s.clusters:
            if c.deploys_exporter:
                namespace, pods = exporters.lag_exporter(c, s)
                destination, ports = _target(f"kafka-{c.name}", c.bootstrap)
                table.append(Flow(_pods(f"kafka-exporter-{c.name}", namespace, pods), destination, ports,
                                  f"kafka_exporter reads {c.name}'s offsets (bootstrap and advertised brokers)"))
        if deploys_blackbox(s):
            for c in s.clusters:
                for target in c.tls:
                    table.append(Flow(blackbox(s), *_target(f"tls-{c.name}", target), f"probe {c.name}'s TLS listener"))
    if r.fluent_bit:
        fb = fluent_bit(s, r.fluent_bit)
        for engine in ("elasticsearch", "opensearch"):
            url, _ = s.search_cluster(engine)
            table.append(Flow(fb, *_url(engine, url), f"Fluent Bit ships logs to {engine}"))
        table += [Flow(fb, outside, tcp(443), "the S3 archive and STS (IRSA web identity)"),
                  Flow(fb, api, tcp(*API_SERVER_PORTS), "the kubernetes filter reads pod metadata")]
    if r.collection:
        jg = jaeger_pods(s, r.collection)
        for namespace in dict.fromkeys((s.platform_namespace, *s.trace_sender_namespaces)):
            table.append(Flow(Pods(f"traces-{namespace}", namespace), jg,
                              tcp(jaeger.OTLP_GRPC_PORT, jaeger.OTLP_HTTP_PORT, jaeger.SAMPLING_PORT),
                              "applications send spans (OTLP) and read sampling strategies"))
        # The query API answers every trace and cannot ask for credentials (Jaeger v2.5.0 bundles no
        # authenticator extension for its confighttp server): only Grafana's peers reach it, never the
        # namespaces that send spans (policy/network_checks.py jaeger_query_limited_to_named_peers).
        for peer in grafana:
            table.append(Flow(peer, jg, tcp(jaeger.QUERY_PORT), "Grafana's Jaeger datasource"))
        url, _ = s.search_cluster(s.trace_storage)
        table.append(Flow(jg, *_url(s.trace_storage, url), "Jaeger stores and reads spans"))
    return table


# ---------------------------------------------------------------------------------------------- policies

def _selector(labels: Selector) -> dict:
    return {"matchLabels": dict(labels)} if labels else {}


def peer(endpoint: Endpoint, namespace: str) -> list[dict]:
    """The NetworkPolicyPeers of an endpoint, seen from a policy in `namespace`."""
    if isinstance(endpoint, Hosts):
        return [{"ipBlock": {"cidr": cidr}} for cidr in endpoint.cidrs]
    if endpoint.namespace == namespace:
        return [{"podSelector": _selector(endpoint.labels)}]
    return [{"namespaceSelector": {"matchLabels": {NAMESPACE_LABEL: endpoint.namespace}},
             "podSelector": _selector(endpoint.labels)}]


def _ports(ports: tuple[Port, ...]) -> dict:
    return {"ports": [{"protocol": proto, "port": port} for proto, port in ports]} if ports else {}


def _dns(namespace: str) -> dict:
    return {"to": peer(Pods("kube-dns", *KUBE_DNS), namespace), **_ports(((UDP, 53), (TCP, 53)))}


def policy_name(w: Workload) -> str:
    return f"allow-{w.pods.name}"


def policies(s: "NetworkArgs", r: Releases) -> list[dict]:
    """NetworkPolicy objects (networking.k8s.io/v1, without apiVersion and kind): the namespace's
    default deny for ingress, then one policy per workload built from the flow table."""
    table = flows(s, r)
    docs = [{"metadata": {"name": "default-deny-ingress", "namespace": s.monitoring_namespace},
             "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}]
    for w in workloads(s, r):
        ns = w.pods.namespace
        ingress = [{"from": peer(f.source, ns), **_ports(f.ports)} for f in table if f.destination == w.pods]
        spec: dict = {"podSelector": _selector(w.pods.labels), "policyTypes": ["Ingress"], "ingress": ingress}
        if w.egress:
            spec["policyTypes"].append("Egress")
            spec["egress"] = [_dns(ns)] + [{"to": peer(f.destination, ns), **_ports(f.ports)}
                                           for f in table if f.source == w.pods]
        docs.append({"metadata": {"name": policy_name(w), "namespace": ns}, "spec": spec})
    return docs


def table_rows(s: "NetworkArgs", r: Releases) -> list[dict]:
    """The flow table as plain rows, for the preview and for review."""
    def where(e: Endpoint) -> str:
        if isinstance(e, Hosts):
            return f"{e.name} ({', '.join(e.cidrs)})"
        labels = ",".join(f"{k}={v}" for k, v in e.labels) or "every pod"
        return f"{e.name} ({e.namespace}: {labels})"
    return [{"from": where(f.source), "to": where(f.destination),
             "ports": [f"{p}/{proto}" for proto, p in f.ports] or ["every port"], "why": f.why}
            for f in flows(s, r)]
