"""The NetworkPolicies the program registers, evaluated by the NetworkPolicy model (netpol_model,
semantics from kubernetes/api networking/v1/types.go) over pods labelled as the charts and
operators label them (platform_pods, each label cited there): every flow the platform needs is
allowed, and the forbidden ones are denied."""
from __future__ import annotations

import ipaddress

import pytest

from config.sections import NetworkArgs
from content import catalogue, network
from content.scrape import scrape_configs
from tests.content import relabel_model
from tests.conftest import make_settings
from tests.content.netpol_model import Cluster, Host, Pod
from tests.content.platform_pods import (API_SERVER, INTERNET, NODE, PAGERDUTY, SEARCH, cluster_of, every_pod,
                                         kps_fullname, policies)

# A cluster whose kafka_exporter this program deploys (SASL credentials to the cluster), with static
# broker targets, beside the prod Strimzi cluster; and senders from outside.
LEGACY = ("legacy ns=legacy brokers=b0.legacy.svc:7071 controllers=c0.legacy.svc:7072 "
          "bootstrap=kafka.legacy.svc:9092 sasl=scram-sha512:legacy-sasl")
VARIANT = {"clusters": ["kafka ns=necpgame-infrastructure preset=strimzi", LEGACY],
           "traceSenderNamespaces": ["game-backend"], "alertmanagerSources": ["10.20.0.0/16", "ingress-nginx"]}


@pytest.fixture(scope="module")
def prod(stack_runs):
    return cluster_of(stack_runs["prod"])


@pytest.fixture(scope="module")
def variant():
    from harness import runtime
    from tests.conftest import full_config
    config, secret_keys = full_config("prod", **VARIANT)
    run = runtime.run("prod", config, secret_keys)
    legacy = (Pod("legacy-broker-0", "legacy", {"app": "kafka"}, "10.9.0.2", {"clients": ("TCP", 9092),
                                                                               "jmx": ("TCP", 7071)}),
              Pod("legacy-controller-0", "legacy", {"app": "kafka-controller"}, "10.9.0.5",
                  {"jmx": ("TCP", 7072), "admin": ("TCP", 8080)}),
              Pod("backend-0", "game-backend", {"app": "matchmaker"}, "10.9.0.3"),
              Pod("ingress-nginx-0", "ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}, "10.9.0.4"))
    return cluster_of(run, extra=legacy)


def one(pods, role) -> Pod:
    return pods[role][0]


def test_the_chart_fullname_is_cut_to_26_characters_without_a_trailing_dash():
    """templates/_helpers.tpl: `fullnameOverride | trunc 26 | trimSuffix "-"` (Go's TrimSuffix: one '-')."""
    assert kps_fullname("kafka-monitoring-alerting-prometheus") == "kafka-monitoring-alerting"
    assert network.chart_fullname("kafka-monitoring-alerting-prometheus") == "kafka-monitoring-alerting"
    assert network.chart_fullname("a" * 24 + "--x") == "a" * 24 + "-"
    assert network.chart_fullname("short") == "short"


def test_each_policy_selects_the_pods_the_charts_label(prod):
    """Every policy but the namespace's default deny selects pods that exist, labelled as their
    chart or operator labels them, and no pod of another role."""
    c, pods = prod
    by_name = {p["metadata"]["name"]: p for p in c.policies}
    expected = {"allow-prometheus": "prometheus", "allow-alertmanager": "alertmanager",
                "allow-prometheus-operator": "operator", "allow-kube-state-metrics": "kube-state-metrics",
                "allow-fluent-bit": "fluent-bit", "allow-jaeger": "jaeger", "allow-blackbox-exporter": "blackbox",
                "allow-kafka-exporter-kafka": "strimzi-exporter"}
    assert set(by_name) == {*expected, "default-deny-ingress"}
    for name, role in expected.items():
        selected = [p for p in every_pod(pods) if by_name[name] in c.selecting(p, "Ingress")]
        assert selected and selected == pods[role], name
    # the default deny isolates every pod of the monitoring namespace except the host-network exporter
    isolated = {p.name for p in every_pod(pods) if c.selecting(p, "Ingress")}
    assert {p.name for p in every_pod(pods) if p.namespace == "monitoring" and not p.host_network} <= isolated
    assert one(pods, "node-exporter").name not in isolated


def _required(pods) -> list[tuple[object, object, int, str, str]]:
    """(source, destination, port, protocol, why): what the platform needs, written out."""
    prom, am = pods["prometheus"], pods["alertmanager"]
    grafana, fb, jaeger = one(pods, "grafana"), one(pods, "fluent-bit"), one(pods, "jaeger")
    flows = [
        (prom[0], one(pods, "strimzi-broker"), 9404, "TCP", "Strimzi broker JMX metrics"),
        (prom[0], one(pods, "strimzi-controller"), 9404, "TCP", "Strimzi controller JMX metrics"),
        (prom[0], one(pods, "strimzi-exporter"), 9404, "TCP", "Strimzi's kafka_exporter"),
        (prom[0], one(pods, "blackbox"), 9115, "TCP", "blackbox exporter"),
        (prom[0], one(pods, "fluent-bit"), 2020, "TCP", "Fluent Bit metrics"),
        (prom[0], jaeger, 8888, "TCP", "Jaeger metrics"),
        (prom[0], one(pods, "kube-state-metrics"), 8080, "TCP", "kube-state-metrics"),
        (prom[0], one(pods, "operator"), 10250, "TCP", "operator metrics"),
        (prom[0], prom[1], 9091, "TCP", "self-monitoring of the other replica (its proxy)"),
        (prom[1], am[2], 9095, "TCP", "Alertmanager's own metrics (its proxy)"),
        (prom[1], am[2], 8081, "TCP", "Alertmanager's config-reloader metrics (its proxy)"),
        (prom[0], prom[1], 8081, "TCP", "the other replica's config-reloader metrics (its proxy)"),
        (prom[0], one(pods, "coredns"), 9153, "TCP", "CoreDNS metrics"),
        (prom[0], NODE, 10250, "TCP", "kubelet and cAdvisor"),
        (prom[0], one(pods, "node-exporter"), 9100, "TCP", "node-exporter (host network)"),
        (prom[0], API_SERVER, 443, "TCP", "service discovery"),
        (prom[0], pods["platform-app"][0], 9090, "TCP", "event-processing metrics"),
        (prom[1], am[0], 9095, "TCP", "alerts (through Alertmanager's proxy)"),
        (am[0], am[1], 9094, "TCP", "gossip"), (am[2], am[0], 9094, "UDP", "gossip"),
        (am[0], PAGERDUTY, 443, "TCP", "PagerDuty"), (am[1], INTERNET, 443, "TCP", "Slack, heartbeat"),
        (grafana, prom[0], 9091, "TCP", "Grafana queries"), (grafana, am[0], 9095, "TCP", "Grafana alert view"),
        (grafana, jaeger, 16686, "TCP", "Grafana traces"),
        (fb, SEARCH, 9200, "TCP", "logs"), (fb, INTERNET, 443, "TCP", "S3 archive, STS"),
        (fb, API_SERVER, 443, "TCP", "kubernetes filter"),
        (jaeger, SEARCH, 9200, "TCP", "span storage"),
        (pods["platform-app"][0], jaeger, 4317, "TCP", "OTLP gRPC"),
        (pods["platform-app"][1], jaeger, 4318, "TCP", "OTLP HTTP"),
        (pods["platform-app"][0], jaeger, 5778, "TCP", "sampling strategies"),
        (API_SERVER, one(pods, "operator"), 10250, "TCP", "admission webhook"),
        (one(pods, "operator"), API_SERVER, 443, "TCP", "the operator's watches"),
        (one(pods, "kube-state-metrics"), API_SERVER, 443, "TCP", "kube-state-metrics' watches"),
        (one(pods, "blackbox"), one(pods, "strimzi-broker"), 9093, "TCP", "TLS probe of the bootstrap listener"),
        (NODE, jaeger, 13133, "TCP", "the kubelet's readiness probe"),
    ]
    for role in ("prometheus", "alertmanager", "operator", "kube-state-metrics", "fluent-bit", "jaeger", "blackbox"):
        flows += [(one(pods, role), one(pods, "coredns"), 53, proto, "DNS") for proto in ("UDP", "TCP")]
    return flows


def test_every_flow_the_platform_needs_is_allowed(prod):
    c, pods = prod
    denied = [(s.name, d.name, port, proto, why) for s, d, port, proto, why in _required(pods)
              if not c.allowed(s, d, port, proto)]
    assert denied == []


def _endpoint_for(e, pods) -> list:
    """The cluster's pods an endpoint of the flow table names, or an address inside its CIDRs."""
    if isinstance(e, network.Hosts):
        first = ipaddress.ip_network(e.cidrs[0])
        return [Host(e.name, str(first.network_address + (1 if first.num_addresses > 1 else 0)))]
    return [p for p in every_pod(pods) if p.namespace == e.namespace and all(p.labels.get(k) == v for k, v in e.labels)]


def _ports_for(ports, destination) -> list[tuple[int, str]]:
    """The (port, protocol) pairs of a row that the destination serves: a pod is tried on the ports
    it declares (a name in the bootstrap Service's namespace need not be served by every pod)."""
    if not ports:
        return [(n, p) for p, n in destination.ports.values()][:1] if isinstance(destination, Pod) else [(443, "TCP")]
    found = []
    for proto, port in ports:
        if isinstance(port, str):
            if isinstance(destination, Pod) and port in destination.ports:
                found.append((destination.ports[port][1], destination.ports[port][0]))
        elif not isinstance(destination, Pod) or not destination.ports or (proto, port) in destination.ports.values():
            found.append((port, proto))
    return found


@pytest.mark.parametrize("settings", ["prod", "variant"])
def test_every_row_of_the_flow_table_is_allowed_between_real_pods(settings, prod, variant):
    """Each row, between every pod its endpoints name (each names at least one) on each of its ports."""
    c, pods = prod if settings == "prod" else variant
    s = NetworkArgs.of(make_settings("prod", **({} if settings == "prod" else VARIANT)))
    releases = network.Releases("kafka-monitoring-alerting-prometheus", "kafka-monitoring-collection",
                                "kafka-monitoring-collection-fluent-bit")
    rows = network.flows(s, releases)
    assert len(rows) >= 30
    for f in rows:
        sources, destinations = _endpoint_for(f.source, pods), _endpoint_for(f.destination, pods)
        assert sources and destinations, f.why
        tried = 0
        for src in sources:
            for dst in destinations:
                for port, proto in _ports_for(f.ports, dst):
                    if src != dst or len(sources) == 1:
                        assert c.allowed(src, dst, port, proto), (f.why, src.name, dst.name, port, proto)
                        tried += 1
        assert tried, f.why


def _forbidden(pods) -> list[tuple[object, object, int, str, str]]:
    game, grafana = one(pods, "game"), one(pods, "grafana")
    prom, am, jaeger = pods["prometheus"][0], pods["alertmanager"][0], one(pods, "jaeger")
    fb, app = one(pods, "fluent-bit"), pods["platform-app"][0]
    return [
        (game, am, 9093, "TCP", "a game pod to Alertmanager's API (silences, fake resolutions)"),
        (app, am, 9093, "TCP", "a platform pod to Alertmanager's API"),
        (game, am, 9094, "TCP", "a game pod into Alertmanager's gossip"),
        (game, am, 9094, "UDP", "a game pod into Alertmanager's gossip (UDP)"),
        (game, prom, 9090, "TCP", "a game pod to Prometheus's API"),
        (game, prom, 8080, "TCP", "a game pod to Prometheus's config reloader"),
        (game, fb, 2020, "TCP", "a game pod to Fluent Bit"),
        (game, jaeger, 4317, "TCP", "a game pod writing spans (not a trace sender namespace)"),
        (game, jaeger, 16686, "TCP", "a game pod reading traces"),
        (game, one(pods, "kube-state-metrics"), 8080, "TCP", "a game pod to kube-state-metrics"),
        (game, one(pods, "blackbox"), 9115, "TCP", "a game pod using the prober"),
        (game, one(pods, "operator"), 8080, "TCP", "a game pod to the operator off its webhook port"),
        (grafana, jaeger, 4317, "TCP", "Grafana writing spans"),
        (grafana, prom, 8080, "TCP", "Grafana to the reloader"),
        (app, jaeger, 16686, "TCP", "a platform pod reading traces"),
        (am, game, 8080, "TCP", "Alertmanager to a game pod"),
        (am, INTERNET, 80, "TCP", "Alertmanager to the internet in plain HTTP"),
        (prom, game, 8080, "TCP", "Prometheus to a pod it does not scrape"),
        (fb, INTERNET, 80, "TCP", "Fluent Bit to the internet in plain HTTP"),
        (fb, prom, 9090, "TCP", "Fluent Bit to Prometheus"),
        (jaeger, am, 9093, "TCP", "Jaeger to Alertmanager"),
        (jaeger, INTERNET, 443, "TCP", "Jaeger to the internet"),
        (one(pods, "kube-state-metrics"), INTERNET, 80, "TCP", "kube-state-metrics off the API server"),
        # Behind the proxies (enableAuthProxy): the servers' own ports are loopback only, and no policy
        # opens them either, not even to the peers the proxies let in.
        (game, prom, 9091, "TCP", "a game pod to Prometheus's proxy"),
        (game, am, 9095, "TCP", "a game pod to Alertmanager's proxy"),
        (grafana, prom, 9090, "TCP", "Grafana around Prometheus's proxy"),
        (grafana, am, 9093, "TCP", "Grafana around Alertmanager's proxy"),
        (pods["prometheus"][1], am, 9093, "TCP", "Prometheus around Alertmanager's proxy"),
        (pods["prometheus"][1], prom, 9090, "TCP", "a replica around the other's proxy"),
        (pods["prometheus"][1], am, 8080, "TCP", "the reloader, local behind listenLocal"),
    ]


def test_forbidden_flows_are_denied(prod):
    c, pods = prod
    allowed = [why for s, d, port, proto, why in _forbidden(pods) if c.allowed(s, d, port, proto)]
    assert allowed == []


def test_only_grafana_and_prometheus_itself_reach_prometheuss_api(prod):
    """Every pod of the cluster tries Prometheus's API: Grafana and the other replica get through, on
    the proxy's port 9091 only; nobody gets to the server's own 9090."""
    c, pods = prod
    target = pods["prometheus"][0]
    through = {p.name for p in every_pod(pods) if p is not target and c.allowed(p, target, 9091)}
    assert through == {one(pods, "grafana").name, pods["prometheus"][1].name}
    assert [p.name for p in every_pod(pods) if p is not target and c.allowed(p, target, 9090)] == []


def test_only_prometheus_and_grafana_reach_alertmanagers_api(prod):
    c, pods = prod
    target = pods["alertmanager"][0]
    through = {p.name for p in every_pod(pods) if c.allowed(p, target, 9095)}
    assert through == {p.name for p in pods["prometheus"]} | {one(pods, "grafana").name}
    assert [p.name for p in every_pod(pods) if c.allowed(p, target, 9093)] == []


def test_the_deployed_kafka_exporter_is_reached_by_prometheus_only_and_reaches_its_cluster_only(variant):
    c, pods = variant
    (exporter,) = pods["kafka-exporter"]
    assert exporter.labels["app.kubernetes.io/instance"] == "legacy"
    through = {p.name for p in every_pod(pods) if c.allowed(p, exporter, 9308)}
    assert through == {p.name for p in pods["prometheus"]}
    assert not c.allowed(one(pods, "game"), exporter, 9308)
    broker = one(pods, "legacy-broker-0")
    assert c.allowed(exporter, broker, 9092)                   # bootstrap kafka.legacy.svc:9092
    assert not c.allowed(exporter, broker, 7071)               # near miss: another port of the same pod
    assert not c.allowed(exporter, one(pods, "strimzi-broker"), 9092)  # another namespace
    assert not c.allowed(exporter, INTERNET, 443)
    assert c.allowed(exporter, one(pods, "coredns"), 53, "UDP")
    assert c.allowed(pods["prometheus"][0], broker, 7071)     # static brokers= target b0.legacy.svc:7071
    # static controllers= target c0.legacy.svc:7072: a port of its own, so the brokers' flow does not open it
    controller = one(pods, "legacy-controller-0")
    assert c.allowed(pods["prometheus"][0], controller, 7072)
    assert not c.allowed(pods["prometheus"][0], controller, 8080)  # near miss: another port of it


def test_alertmanager_sources_and_trace_senders_from_the_settings(variant):
    c, pods = variant
    am, jaeger = pods["alertmanager"][0], one(pods, "jaeger")
    assert c.allowed(Host("webhook", "10.20.255.254"), am, 9095)     # Alertmanager's proxy
    assert not c.allowed(Host("webhook", "10.20.255.254"), am, 9093)  # not around it
    assert not c.allowed(Host("webhook-near-miss", "10.21.0.1"), am, 9095)
    assert not c.allowed(Host("webhook", "10.20.0.9"), am, 9094)       # the API only, not the gossip port
    assert c.allowed(one(pods, "ingress-nginx-0"), am, 9095)
    assert not c.allowed(one(pods, "ingress-nginx-0"), pods["prometheus"][0], 9091)
    assert c.allowed(one(pods, "backend-0"), jaeger, 4317)            # traceSenderNamespaces
    assert c.allowed(pods["platform-app"][0], jaeger, 4318)            # platformNamespace, always
    assert not c.allowed(one(pods, "game"), jaeger, 4317)


def strimzi_exporter_policy(cluster: str, namespace: str) -> dict:
    """What Strimzi 0.45.0 itself creates for its Kafka Exporter while STRIMZI_NETWORK_POLICY_GENERATION
    is true, its default (KafkaExporter.generateNetworkPolicy: "Everyone can access metrics", an
    ingress rule on 9404/TCP with no peers; NetworkPolicyUtils.createNetworkPolicy selects
    strimziSelectorLabels; ClusterOperatorConfig.NETWORK_POLICY_GENERATION)."""
    return {"metadata": {"name": f"{cluster}-kafka-exporter", "namespace": namespace},
            "spec": {"podSelector": {"matchLabels": {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka",
                                                     "strimzi.io/name": f"{cluster}-kafka-exporter"}},
                     "ingress": [{"ports": [{"port": 9404, "protocol": "TCP"}], "from": []}]}}


def test_strimzis_own_exporter_policy_opens_it_to_every_pod_and_ours_cannot_close_it(prod):
    """Policies are additive: ours limits Strimzi's kafka_exporter to Prometheus, but the policy
    Strimzi generates by default lets every pod in. Closing it needs STRIMZI_NETWORK_POLICY_GENERATION
    false on the cluster operator, or the exporter this program deploys (bootstrap=)."""
    c, pods = prod
    exporter, game = one(pods, "strimzi-exporter"), one(pods, "game")
    assert not c.allowed(game, exporter, 9404) and c.allowed(pods["prometheus"][0], exporter, 9404)
    with_strimzi = Cluster(c.namespaces, [*c.policies, strimzi_exporter_policy("kafka", "necpgame-infrastructure")])
    assert with_strimzi.allowed(game, exporter, 9404)


def _whole(value):
    """The engine hands numbers over as floats (protobuf Struct): 9090.0 is the port 9090."""
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return int(value) if isinstance(value, float) and value.is_integer() else value


def test_the_policies_in_the_artifact_are_the_registered_ones(stack_runs):
    run = stack_runs["prod"]
    def key(doc):  # registrations arrive in the order the engine completes them
        return doc["metadata"]["namespace"], doc["metadata"]["name"]
    rendered = [{"metadata": d["metadata"], "spec": d["spec"]} for d in run.artifacts["network/policies.yaml"]]
    assert sorted(_whole(policies(run)), key=key) == sorted(rendered, key=key)
    assert all(d["apiVersion"] == "networking.k8s.io/v1" and d["kind"] == "NetworkPolicy"
               for d in run.artifacts["network/policies.yaml"])


def _scrape_targets(job: dict, pods) -> list[tuple[Pod, int]]:
    """(pod, port) of every target the job finds among the cluster's pods: pod discovery and
    relabelling as Prometheus does them (relabel_model), static names resolved as the cluster's DNS
    does (`<service>.<namespace>.svc` is a pod of that namespace serving the port)."""
    by_ip = {p.ip: p for p in every_pod(pods)}
    if "kubernetes_sd_configs" in job:
        discovered = [relabel_model.Pod(p.name, p.namespace, p.ip, p.labels, {n: int(num) for n, (_, num) in p.ports.items()})
                      for p in every_pod(pods) if not p.host_network]
        found = []
        for labels in relabel_model.discover(job, discovered):
            ip, _, port = labels["instance"].rpartition(":")
            found.append((by_ip[ip], int(port)))
        return found
    found = []
    for group in job["static_configs"]:
        for target in group["targets"]:
            labels = relabel_model.relabel({"__address__": target}, job.get("relabel_configs", []))
            host, _, port = labels["__address__"].rpartition(":")
            namespace = host.split(".")[host.split(".").index("svc") - 1]
            found += [(p, int(port)) for p in every_pod(pods)
                      if p.namespace == namespace and ("TCP", int(port)) in p.ports.values()][:1]
    return found


@pytest.mark.parametrize("settings", ["prod", "variant"])
def test_prometheus_reaches_every_target_its_scrape_config_finds(settings, prod, variant):
    """From the rendered prometheus.yml, not from the flow table: each job finds at least one pod of
    the cluster, and each of its targets is allowed from every Prometheus replica."""
    c, pods = prod if settings == "prod" else variant
    jobs = scrape_configs(make_settings("prod", **({} if settings == "prod" else VARIANT)))
    for job in jobs:
        targets = _scrape_targets(job, pods)
        assert targets, job["job_name"]
        for prom in pods["prometheus"]:
            for pod, port in targets:
                assert c.allowed(prom, pod, port), (job["job_name"], pod.name, port)


@pytest.mark.parametrize("proxied,prometheus_ports,alertmanager_ports", [
    (True, {9091, 8081}, {9095, 9094, 8081}),
    # Without the proxies (allowed outside prod) the servers and their reloaders are on the pod's address.
    (False, {9090, 8080}, {9093, 8080, 9094}),
])
def test_the_web_ports_in_the_flow_table_follow_the_proxies(proxied, prometheus_ports, alertmanager_ports):
    """Only what listens on the pod's address is opened (tests/content/operator_model.py: listenLocal
    puts the servers and their config-reloaders on loopback)."""
    s = NetworkArgs.of(make_settings("dev", enableAuthProxy=proxied))
    releases = network.Releases("kafka-monitoring-alerting-prometheus")
    rows = network.flows(s, releases)
    prom, am = network.prometheus(s, releases.prometheus), network.alertmanager(s, releases.prometheus)
    into = {d: {p for f in rows if f.destination == d for _, p in f.ports} for d in (prom, am)}  # 9094: gossip
    assert into[prom] == prometheus_ports
    assert into[am] == alertmanager_ports


# --- A further Kubernetes cluster (kubernetesClusters): its own pods under its own policies ---------------------
OIDC_B = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"
FURTHER = {"clusters": ["kafka ns=necpgame-infrastructure preset=strimzi", "b ns=b preset=strimzi k8s=eks-b"],
           "kubernetesClusters": [f"eks-b context=eks-b oidc={OIDC_B}"], "traceSenderNamespaces": ["game-backend"]}
# cluster -> (its provider's name, its Strimzi cluster and namespace)
PLACES = {"necpgame-prod": ("kafka-monitoring-kubernetes", (("kafka", "necpgame-infrastructure"),)),
          "eks-b": ("kafka-monitoring-kubernetes-eks-b", (("b", "b"),))}


@pytest.fixture(scope="module")
def clusters():
    """cluster -> (the model of that cluster with the policies its provider deploys, its pods, its Prometheus's
    scrape jobs): each Kubernetes cluster of a two-cluster prod run seen alone, as its API server sees it."""
    from harness import runtime
    from tests.conftest import full_config
    config, secret_keys = full_config("prod", **FURTHER)
    run = runtime.run("prod", config, secret_keys)
    found = {}
    for cluster, (provider, strimzi) in PLACES.items():
        ours = runtime.Run(run.stack, [r for r in run.resources if r.provider.endswith(f"::{provider}")])
        backend = Pod("backend-0", "game-backend", {"app": "matchmaker"}, "10.9.0.3")
        c, pods = cluster_of(ours, strimzi=strimzi, extra=(backend,))
        jobs = ours.release("kube-prometheus-stack").inputs["values"]["prometheus"]["prometheusSpec"][
            "additionalScrapeConfigs"]
        found[cluster] = c, pods, jobs
    return found


@pytest.mark.parametrize("cluster", sorted(PLACES))
def test_each_clusters_fluent_bit_and_jaeger_are_reached_as_in_the_home_cluster(clusters, cluster):
    """Every flow the platform needs, and none of the forbidden ones, in each cluster on its own policies."""
    c, pods, _ = clusters[cluster]
    assert pods["fluent-bit"] and pods["jaeger"]
    assert [why for s, d, port, proto, why in _required(pods) if not c.allowed(s, d, port, proto)] == []
    assert [why for s, d, port, proto, why in _forbidden(pods) if c.allowed(s, d, port, proto)] == []


@pytest.mark.parametrize("cluster", sorted(PLACES))
def test_a_game_pod_reaches_no_admin_port_and_trace_senders_only_the_span_ports(clusters, cluster):
    """Jaeger's pods serve OTLP (4317, 4318) and sampling (5778) to the namespaces allowed to send spans (the
    platform's, and traceSenderNamespaces), its query API (16686) to Grafana's peers, its metrics (8888) to
    Prometheus, its health (13133) to the node; Fluent Bit's 2020 is Prometheus's."""
    c, pods, _ = clusters[cluster]
    game, app, backend = one(pods, "game"), pods["platform-app"][0], one(pods, "backend-0")
    fb, prom, grafana = one(pods, "fluent-bit"), pods["prometheus"][0], one(pods, "grafana")
    for jaeger in pods["jaeger"]:
        reach = {who.name: {port for port in (4317, 4318, 5778, 16686, 8888, 13133) if c.allowed(who, jaeger, port)}
                 for who in (game, app, backend, prom, grafana)}
        assert reach == {game.name: set(), app.name: {4317, 4318, 5778}, backend.name: {4317, 4318, 5778},
                         prom.name: {8888}, grafana.name: {16686}}, jaeger.name
    assert {who.name for who in (game, app, backend, grafana, prom) if c.allowed(who, fb, 2020)} == {prom.name}


@pytest.mark.parametrize("cluster", sorted(PLACES))
def test_each_clusters_prometheus_scrapes_its_own_fluent_bit_and_jaeger(clusters, cluster):
    """Its rendered scrape jobs (pod discovery and relabelling, relabel_model) find that cluster's Fluent Bit and
    every Jaeger replica, on their metrics ports, and its policies let every replica in: the jobs select by the
    chart's `app.kubernetes.io/name`, which holds in every cluster whatever the release is called."""
    c, pods, jobs = clusters[cluster]
    by_name = {j["job_name"]: j for j in jobs}
    found = {job: {(p.name, port) for p, port in _scrape_targets(by_name[job], pods)}
             for job in (catalogue.JOB_FLUENT_BIT, catalogue.JOB_JAEGER)}
    assert found == {catalogue.JOB_FLUENT_BIT: {(one(pods, "fluent-bit").name, 2020)},
                     catalogue.JOB_JAEGER: {(p.name, 8888) for p in pods["jaeger"]}}
    assert all(c.allowed(prom, next(p for p in every_pod(pods) if p.name == name), port)
               for prom in pods["prometheus"] for targets in found.values() for name, port in targets)


def test_the_home_clusters_policies_do_not_open_the_further_clusters_pods(clusters):
    """The near miss: eks-b's pods under the home cluster's policies alone (same namespace, other release
    names): Prometheus could not scrape its Fluent Bit, nor would the apps reach Jaeger's span ports."""
    home, _, _ = clusters["necpgame-prod"]
    _, pods, _ = clusters["eks-b"]
    assert not home.allowed(pods["prometheus"][0], one(pods, "fluent-bit"), 2020)
    assert not home.allowed(pods["platform-app"][0], one(pods, "jaeger"), 4317)
