"""The pods of a cluster running a recorded program, labelled as the real charts and operators label
them, and the NetworkPolicies the run registers, for the NetworkPolicy model (netpol_model).

Labels and ports, each from its source at the pinned version (not from content.network):
- kube-prometheus-stack 65.1.1 (prometheus-community/helm-charts, tag kube-prometheus-stack-65.1.1,
  commit aa3d8bc8b114a1200558ed61ea294276d360ce39): templates/_helpers.tpl `fullname`
  (`fullnameOverride | trunc 26 | trimSuffix "-"`), `prometheus.crname` and `alertmanager.crname`
  (`<fullname>-prometheus|-alertmanager`), `labels`; templates/prometheus-operator/
  _prometheus-operator.tpl (`app: <chart name>-operator`, ...) and deployment.yaml; values.yaml
  `prometheusOperator.tls.internalPort: 10250`, `coreDns.service.port: 9153`; Chart.yaml appVersion
  v0.77.1 and the subcharts kube-state-metrics 5.25.* and prometheus-node-exporter 4.39.*.
- prometheus-operator v0.77.1 (commit 9ea2e29c0c125544e6b2cbff1fa5a4346f328b06): pkg/prometheus/
  server/operator.go and pkg/alertmanager/operator.go `makeSelectorLabels`, pkg/prometheus/common.go
  `operator.prometheus.io/shard`, pkg/alertmanager/statefulset.go (ports web 9093, mesh-tcp and
  mesh-udp 9094), pkg/operator/config_reloader.go (reloader-web 8080), Prometheus web 9090; which of
  these a pod declares follows the rendered values (listenLocal, added containers: operator_model).
- kube-state-metrics-5.25.1: templates/_helpers.tpl `selectorLabels`, values `service.port: 8080`;
  kube-prometheus-stack's values set `releaseLabel: true` for it.
- prometheus-node-exporter-4.39.0: values `hostNetwork: true`, `service.port: 9100`.
- fluent-bit-0.47.10 (fluent/helm-charts, commit 5b3161a9f610bdcd80c9a429be1edc7dcb7ede61) and
  prometheus-blackbox-exporter-9.0.3: templates/_helpers.tpl `selectorLabels`
  (`app.kubernetes.io/name: <chart>`, `app.kubernetes.io/instance: <release>`), plus `podLabels` /
  `pod.labels` from the rendered values; ports 2020 (`metricsPort`) and 9115.
- Strimzi 0.45.0 (strimzi/strimzi-kafka-operator): KafkaPool.java (`strimzi.io/name: <cluster>-kafka`,
  `strimzi.io/pool-name`, broker-role/controller-role "true"/"false"), KafkaExporter.java
  (component `<cluster>-kafka-exporter`), MetricsModel.java (`tcp-prometheus`, 9404).
- Jaeger and kafka_exporter: the Deployments the run registers, labels and ports as rendered.
"""
from __future__ import annotations

import itertools
from typing import Iterator

from harness.runtime import Run
from tests.content.netpol_model import Cluster, Host, Pod
from tests.content.operator_model import container_ports

NODE = Host("node", "10.0.3.10")
API_SERVER = Host("kubernetes-api", "10.0.0.1")
INTERNET = Host("internet", "203.0.113.50")
PAGERDUTY = Host("pagerduty", "203.0.113.60")
SEARCH = Host("search-cluster", "198.51.100.20")  # the search clusters' hostnames are outside the cluster


def kps_fullname(release: str) -> str:
    """`{{ .Values.fullnameOverride | trunc 26 | trimSuffix "-" }}`: Go's TrimSuffix removes one '-'."""
    cut = release[:26]
    return cut[:-1] if cut.endswith("-") else cut


def _ips() -> Iterator[str]:
    return (f"10.1.{n // 250}.{n % 250 + 2}" for n in itertools.count())


def releases(run: Run) -> dict[str, str]:
    """Helm release name by chart, as registered."""
    return {r.inputs["chart"]: r.inputs["name"] for r in run.of_type("kubernetes:helm.sh/v3:Release")}


def policies(run: Run) -> list[dict]:
    return [{"metadata": r.inputs["metadata"], "spec": r.inputs["spec"]}
            for r in run.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")]


def _deployed(run: Run, ips: Iterator[str]) -> list[Pod]:
    """A pod per replica of every Deployment the run registers, as Kubernetes would label it."""
    pods = []
    for d in run.of_type("kubernetes:apps/v1:Deployment"):
        template = d.inputs["spec"]["template"]
        ports = {p["name"]: (p.get("protocol", "TCP"), p["containerPort"])
                 for c in template["spec"]["containers"] for p in c.get("ports", [])}
        for i in range(int(d.inputs["spec"].get("replicas", 1))):
            pods.append(Pod(f"{d.inputs['metadata']['name']}-{i}", d.inputs["metadata"]["namespace"],
                            dict(template["metadata"]["labels"]), next(ips), ports, node_ip=NODE.ip))
    return pods


def cluster_of(run: Run, monitoring: str = "monitoring", platform: str = "necpgame-infrastructure",
               strimzi: tuple[tuple[str, str], ...] = (("kafka", "necpgame-infrastructure"),),
               extra: tuple[Pod, ...] = ()) -> tuple[Cluster, dict[str, list[Pod]]]:
    """(the cluster with the run's policies, pods by role). Roles: prometheus, alertmanager, operator,
    kube-state-metrics, node-exporter, fluent-bit, blackbox, jaeger, kafka-exporter (ours), coredns,
    grafana, game, platform-app, strimzi-broker, strimzi-controller, strimzi-exporter."""
    ips = _ips()
    rel = releases(run)
    pods: dict[str, list[Pod]] = {}

    def add(role: str, name: str, namespace: str, labels: dict, ports: dict, **kw) -> None:
        pods.setdefault(role, []).append(Pod(name, namespace, labels, kw.pop("ip", None) or next(ips), ports,
                                             node_ip=NODE.ip, **kw))

    kps = rel.get("kube-prometheus-stack")
    if kps:
        full = kps_fullname(kps)
        common = {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/instance": kps,
                  "app.kubernetes.io/part-of": "kube-prometheus-stack", "release": kps, "heritage": "Helm"}
        prom, am = f"{full}-prometheus", f"{full}-alertmanager"
        # Their ports as the operator declares them from the rendered values (operator_model).
        kps_values = next(r.inputs["values"] for r in run.of_type("kubernetes:helm.sh/v3:Release")
                          if r.inputs["chart"] == "kube-prometheus-stack")
        prom_ports = container_ports("prometheus", kps_values["prometheus"]["prometheusSpec"])
        am_ports = container_ports("alertmanager", kps_values["alertmanager"]["alertmanagerSpec"])
        for i in range(2):
            add("prometheus", f"prometheus-{prom}-{i}", monitoring, {
                "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/managed-by": "prometheus-operator",
                "app.kubernetes.io/instance": prom, "operator.prometheus.io/name": prom, "prometheus": prom,
                "operator.prometheus.io/shard": "0", "app.kubernetes.io/version": "2.54.1"},
                prom_ports)
        for i in range(3):
            add("alertmanager", f"alertmanager-{am}-{i}", monitoring, {
                "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/managed-by": "prometheus-operator",
                "app.kubernetes.io/instance": am, "alertmanager": am, "app.kubernetes.io/version": "0.27.0"},
                am_ports)
        add("operator", f"{full}-operator", monitoring, {
            **common, "app": "kube-prometheus-stack-operator",
            "app.kubernetes.io/name": "kube-prometheus-stack-prometheus-operator",
            "app.kubernetes.io/component": "prometheus-operator"}, {"https": ("TCP", 10250)})
        add("kube-state-metrics", f"{kps}-kube-state-metrics", monitoring, {
            "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": kps, "release": kps,
            "app.kubernetes.io/component": "metrics", "app.kubernetes.io/part-of": "kube-state-metrics"},
            {"http": ("TCP", 8080)})
        add("node-exporter", f"{kps}-prometheus-node-exporter", monitoring, {
            "app.kubernetes.io/name": "prometheus-node-exporter", "app.kubernetes.io/instance": kps},
            {"http-metrics": ("TCP", 9100)}, ip=NODE.ip, host_network=True)
    blackbox = rel.get("prometheus-blackbox-exporter")
    if blackbox:
        values = next(r.inputs["values"] for r in run.of_type("kubernetes:helm.sh/v3:Release")
                      if r.inputs["chart"] == "prometheus-blackbox-exporter")
        add("blackbox", f"{blackbox}-0", monitoring, {
            "app.kubernetes.io/name": "prometheus-blackbox-exporter", "app.kubernetes.io/instance": blackbox,
            **values.get("pod", {}).get("labels", {})}, {"http": ("TCP", 9115)})
    fluent_bit = rel.get("fluent-bit")
    if fluent_bit:
        values = next(r.inputs["values"] for r in run.of_type("kubernetes:helm.sh/v3:Release")
                      if r.inputs["chart"] == "fluent-bit")
        add("fluent-bit", f"{fluent_bit}-x7k2p", monitoring, {
            "app.kubernetes.io/name": "fluent-bit", "app.kubernetes.io/instance": fluent_bit,
            **values.get("podLabels", {})}, {"http": ("TCP", 2020)})
    for pod in _deployed(run, ips):
        role = "jaeger" if pod.labels.get("app.kubernetes.io/name") == "jaeger" else "kafka-exporter"
        pods.setdefault(role, []).append(pod)
    add("coredns", "coredns-0", "kube-system", {"k8s-app": "kube-dns"},
        {"dns": ("UDP", 53), "dns-tcp": ("TCP", 53), "metrics": ("TCP", 9153)})
    add("grafana", "grafana-0", "grafana", {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "grafana"},
        {"grafana": ("TCP", 3000)})
    add("game", "game-server-0", "game-servers", {"app": "game-server"}, {"game": ("UDP", 7777), "http": ("TCP", 8080)})
    for app in ("kafka-event-driven-core", "realtime-gateway"):
        add("platform-app", f"{app}-0", platform, {"app": app}, {"http": ("TCP", 8080), "metrics": ("TCP", 9090)})
    for cluster, namespace in strimzi:
        base = {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka"}
        kafka_ports = {"tcp-prometheus": ("TCP", 9404), "tcp-replication": ("TCP", 9091),
                       "tcp-clients": ("TCP", 9092), "tcp-clientstls": ("TCP", 9093)}
        for role, broker, controller in (("strimzi-broker", "true", "false"), ("strimzi-controller", "false", "true")):
            pool = "brokers" if broker == "true" else "controllers"
            add(role, f"{cluster}-{pool}-0", namespace, {**base, "strimzi.io/name": f"{cluster}-kafka",
                                                          "strimzi.io/pool-name": pool,
                                                          "strimzi.io/broker-role": broker,
                                                          "strimzi.io/controller-role": controller}, kafka_ports)
        add("strimzi-exporter", f"{cluster}-kafka-exporter-0", namespace,
            {**base, "strimzi.io/name": f"{cluster}-kafka-exporter"}, {"tcp-prometheus": ("TCP", 9404)})
    for pod in extra:
        pods.setdefault(pod.name, []).append(pod)
    return Cluster({}, policies(run)), pods


def every_pod(pods: dict[str, list[Pod]]) -> list[Pod]:
    return [p for group in pods.values() for p in group]
