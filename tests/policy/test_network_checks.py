"""Network invariants (policy/network_checks.py): every stack satisfies them, each catches its
counter-example, and the policy pack reports them."""
from __future__ import annotations

import copy

import pytest

from policy import network_checks
from policy.invariants import Resource
from tests.conftest import STACKS
from tests.policy.test_invariants import resources
from tests.policy.test_pack import MANDATORY, analyze

KPS_RELEASE = "kafka-monitoring-alerting-prometheus"


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_satisfies_the_network_checks(stack_runs, stack):
    res = resources(stack_runs[stack])
    assert any(r.type == network_checks.NETWORK_POLICY for r in res)
    assert {name: check(res) for name, check in network_checks.NETWORK_CHECKS.items()} == {
        name: [] for name in network_checks.NETWORK_CHECKS}


def _without(res, name):
    return [r for r in res if not (r.type == network_checks.NETWORK_POLICY and r.props["metadata"]["name"] == name)]


@pytest.mark.parametrize("dropped,named", [
    ("allow-blackbox-exporter", "Helm release prometheus-blackbox-exporter (prometheus-blackbox-exporter) in monitoring"),
    ("allow-kube-state-metrics", f"Helm release {KPS_RELEASE} (kube-prometheus-stack) in monitoring"),
    ("allow-jaeger", "Deployment kafka-monitoring-collection-jaeger in monitoring"),
])
def test_an_exporter_without_its_policy_is_named(stack_runs, dropped, named):
    """With the namespace's default deny gone too: that one alone isolates every pod of the namespace."""
    res = _without(_without(resources(stack_runs["prod"]), "default-deny-ingress"), dropped)
    assert network_checks.exporters_isolated_by_network_policies(res) == [f"{named}: no NetworkPolicy selects its pods"]


def test_a_policy_in_another_namespace_or_for_egress_only_does_not_count(stack_runs):
    res = resources(stack_runs["prod"])
    (jaeger,) = [r for r in res if r.type == network_checks.NETWORK_POLICY and r.props["metadata"]["name"] == "allow-jaeger"]
    (deny,) = [r for r in res if r.type == network_checks.NETWORK_POLICY
               and r.props["metadata"]["name"] == "default-deny-ingress"]
    rest = [r for r in res if r not in (jaeger, deny)]
    assert network_checks.exporters_isolated_by_network_policies(rest)
    moved = copy.deepcopy(jaeger.props)
    moved["metadata"]["namespace"] = "elsewhere"
    assert network_checks.exporters_isolated_by_network_policies([*rest, Resource(jaeger.type, "x", "u", moved)])
    egress_only = copy.deepcopy(jaeger.props)
    egress_only["spec"]["policyTypes"] = ["Egress"]
    assert network_checks.exporters_isolated_by_network_policies([*rest, Resource(jaeger.type, "x", "u", egress_only)])
    assert network_checks.exporters_isolated_by_network_policies([*rest, jaeger]) == []
    # the namespace's default deny (empty podSelector) isolates every pod of it on its own
    assert network_checks.exporters_isolated_by_network_policies([*rest, deny]) == []


def test_a_stack_without_network_policies_is_not_judged_by_them(program):
    res = resources(program("dev", enableNetworkPolicies=False))
    assert network_checks.exporters_isolated_by_network_policies(res) == []


@pytest.mark.parametrize("when", ["first preview", "update"])
def test_the_pack_reports_them_through_the_analyzer(plans, when):
    """Through pulumi_policy's AnalyzeStack, as the engine calls it (tests/policy/test_pack.py): on a first
    preview too, the check is MANDATORY, since it reads names, labels and namespaces the program knows."""
    dropped = ("default-deny-ingress", "allow-jaeger")
    res = [r for r in plans[when] if not (r.type == network_checks.NETWORK_POLICY
                                          and r.inputs["metadata"]["name"] in dropped)]
    # pulumi_policy 1.21.0 puts the policy's description before the message (policy.py, report_violation)
    assert [(policy, message.splitlines()) for policy, level, message in analyze(res) if level == MANDATORY] == [
        ("exporters-isolated-by-network-policies",
         ["Every exporter and workload the program deploys is isolated by a NetworkPolicy.",
          "Deployment kafka-monitoring-collection-jaeger in monitoring: no NetworkPolicy selects its pods"])]


# ---- entry points: Prometheus and Alertmanager behind the proxy, Jaeger's query API --------------

def _release(res) -> Resource:
    (release,) = [r for r in res if r.type == network_checks.RELEASE and r.props.get("chart") == "kube-prometheus-stack"]
    return release


def _edited(res, target, edit) -> list:
    """`res` with `target`'s props deep-copied and changed by `edit(props)` (in the same cluster: its provider kept)."""
    props = copy.deepcopy(target.props)
    edit(props)
    return [Resource(r.type, r.name, r.urn, props, provider=r.provider) if r is target else r for r in res]


PROXY = network_checks.prometheus_and_alertmanager_behind_the_proxy
AM, PROM = f"Helm release {KPS_RELEASE} (kube-prometheus-stack): alertmanager", \
    f"Helm release {KPS_RELEASE} (kube-prometheus-stack): prometheus"


def test_the_deployed_proxies_satisfy_the_check_and_each_missing_part_is_named(stack_runs):
    """The values the program passes (content/auth_proxy.py values) against prometheus-operator v0.77.1's
    meaning of them: listenLocal, the added container's port named portName, the chart's Service targetPort."""
    res = resources(stack_runs["prod"])
    release = _release(res)
    assert PROXY(res) == []

    def off(kind, spec):
        return lambda p: p["values"][kind][spec].update(listenLocal=False)
    assert PROXY(_edited(res, release, off("alertmanager", "alertmanagerSpec"))) == [
        f"{AM} listens on the pod's address (alertmanagerSpec.listenLocal is not true)"]
    assert PROXY(_edited(res, release, lambda p: p["values"]["prometheus"]["prometheusSpec"].pop("containers"))) == [
        f"{PROM} has no proxy: no added container declares the port 'http-web'"]
    # the chart's default targetPort (values.yaml: 9090) would send the Service to the loopback server's port
    assert PROXY(_edited(res, release, lambda p: p["values"]["prometheus"]["service"].pop("targetPort"))) == [
        f"{PROM}'s Service targets 9090, not the proxy's port 'http-web'"]
    # a portName of its own: the proxy's port must carry that name (the governing Service targets it)
    assert PROXY(_edited(res, release, lambda p: p["values"]["alertmanager"]["alertmanagerSpec"].update(
        portName="web"))) == [f"{AM} has no proxy: no added container declares the port 'web'"]
    # an Alertmanager the chart does not deploy needs no proxy
    def without_alertmanager(p):
        p["values"]["alertmanager"] = {"enabled": False}
    assert PROXY(_edited(res, release, without_alertmanager)) == []


def test_network_policies_without_the_proxy_are_refused_and_without_policies_not_judged(program):
    res = resources(program("dev", enableAuthProxy=False))
    assert sorted(PROXY(res)) == sorted([
        f"{AM} listens on the pod's address (alertmanagerSpec.listenLocal is not true)",
        f"{AM} has no proxy: no added container declares the port 'http-web'",
        f"{PROM} listens on the pod's address (prometheusSpec.listenLocal is not true)",
        f"{PROM} has no proxy: no added container declares the port 'http-web'"])
    assert PROXY(resources(program("dev", enableAuthProxy=False, enableNetworkPolicies=False))) == []


def test_a_value_known_only_at_up_waits_for_it(stack_runs):
    from policy.invariants import PENDING, Pending
    res = resources(stack_runs["prod"])
    (problem,) = PROXY(_edited(res, _release(res), lambda p: p["values"]["prometheus"]["prometheusSpec"].update(
        listenLocal=PENDING)))
    assert isinstance(problem, Pending)


JAEGER = network_checks.jaeger_query_limited_to_named_peers
JAEGER_DEPLOYMENT = "Deployment kafka-monitoring-collection-jaeger in monitoring"


def _jaeger_policy(res):
    (policy,) = [r for r in res if r.type == network_checks.NETWORK_POLICY
                 and r.props["metadata"]["name"] == "allow-jaeger"]
    return policy


def _query_rules(spec) -> list[dict]:
    return [rule for rule in spec["ingress"] if {"protocol": "TCP", "port": 16686} in rule.get("ports", [])]


def test_jaegers_query_api_is_open_only_to_grafanas_peers(stack_runs):
    """The rendered allow-jaeger policy: 16686 in rules of its own, from the grafanaSources peers."""
    res = resources(stack_runs["prod"])
    spec = _jaeger_policy(res).props["spec"]
    (rule,) = _query_rules(spec)
    assert rule["from"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "grafana"}},
                             "podSelector": {"matchLabels": {"app.kubernetes.io/name": "grafana"}}}]
    assert JAEGER(res) == []


@pytest.mark.parametrize("edit,problem", [
    (lambda rule: rule.pop("from"), "to every source"),
    (lambda rule: rule.update({"from": [{"namespaceSelector": {}}]}), "to every source"),
    (lambda rule: rule.update({"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}), "to every source"),
    (lambda rule: rule.update({"ports": [{"port": 16686}, {"protocol": "TCP", "port": 4317}]}),
     "in the same rule as the span ports (4317, 4318)"),
    (lambda rule: rule.update({"ports": [{"port": "query"}], "from": []}), "to every source"),  # by its name
    (lambda rule: rule.update({"ports": [{"port": 4000, "endPort": 17000}], "from": []}), "to every source"),
])
def test_a_query_rule_open_to_everyone_or_shared_with_the_span_ports_is_named(stack_runs, edit, problem):
    res = resources(stack_runs["prod"])

    def change(props):
        (rule,) = _query_rules(props["spec"])
        edit(rule)
    assert JAEGER(_edited(res, _jaeger_policy(res), change)) == [
        f"{JAEGER_DEPLOYMENT}: policy allow-jaeger opens the query API (16686) {problem}"]


@pytest.mark.parametrize("rule", [
    {"ports": [{"protocol": "UDP", "port": 16686}]},                      # another protocol
    {"ports": [{"protocol": "TCP", "port": 4317}]},                       # only the span port, from anyone
    {"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app.kubernetes.io/name": "grafana"}}}],
     "ports": [{"protocol": "TCP", "port": 16686}]},                      # Grafana's pods in any namespace: named
    {"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}],
     "ports": [{"protocol": "TCP", "port": 16687}]},                      # another port
])
def test_near_misses_of_the_query_rule_are_not_named(stack_runs, rule):
    res = resources(stack_runs["prod"])
    assert JAEGER(_edited(res, _jaeger_policy(res), lambda p: p["spec"]["ingress"].append(rule))) == []


def test_a_query_rule_in_another_policy_selecting_jaeger_counts_too(stack_runs):
    """Policies are additive: an open rule of any policy that selects the pods opens the port."""
    res = resources(stack_runs["prod"])
    (deny,) = [r for r in res if r.type == network_checks.NETWORK_POLICY
               and r.props["metadata"]["name"] == "default-deny-ingress"]
    assert JAEGER(_edited(res, deny, lambda p: p["spec"].update(ingress=[{}]))) == [
        f"{JAEGER_DEPLOYMENT}: policy default-deny-ingress opens the query API (16686) to every source"]
    elsewhere = _edited(res, deny, lambda p: p.update(metadata={**p["metadata"], "namespace": "game"}) or
                        p["spec"].update(ingress=[{}]))
    assert JAEGER(elsewhere) == []


def test_the_pack_reports_the_entry_points_through_the_analyzer(plans):
    """MANDATORY on a first preview too: the values and policies it reads are known then."""
    from dataclasses import replace
    res = list(plans["first preview"])
    (release,) = [r for r in res if r.type == network_checks.RELEASE and r.inputs.get("chart") == "kube-prometheus-stack"]
    inputs = copy.deepcopy(release.inputs)
    inputs["values"]["prometheus"]["prometheusSpec"]["listenLocal"] = False
    res[res.index(release)] = replace(release, inputs=inputs)
    assert [(policy, message.splitlines()[-1]) for policy, level, message in analyze(res) if level == MANDATORY] == [
        ("prometheus-and-alertmanager-behind-the-proxy",
         f"{PROM} listens on the pod's address (prometheusSpec.listenLocal is not true)")]


OIDC_B = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"
TWO_K8S = {"clusters": ["a ns=a preset=strimzi", "b ns=b preset=strimzi k8s=eks-b"],
           "kubernetesClusters": [f"eks-b context=eks-b oidc={OIDC_B}"]}


def test_every_kubernetes_cluster_isolates_its_own_exporters_and_a_policy_counts_only_in_its_cluster(program):
    """Two Kubernetes clusters, one monitoring namespace name: eks-b's chart and blackbox exporter are
    isolated by eks-b's own policies (its provider). The near miss: without them, the home cluster's
    policies of the same namespace and labels do not count, and eks-b's exporters are named."""
    res = resources(program("prod", **TWO_K8S))
    providers = {r.provider for r in res if r.type == network_checks.NETWORK_POLICY}
    assert len(providers) == 2 and "" not in providers
    assert network_checks.exporters_isolated_by_network_policies(res) == []
    eks_b = next(r.provider for r in res if r.type == network_checks.RELEASE and "eks-b" in r.name)
    assert eks_b.endswith("::kafka-monitoring-kubernetes-eks-b")
    home_only = [r for r in res if not (r.type == network_checks.NETWORK_POLICY and r.provider == eks_b)]
    assert sorted(network_checks.exporters_isolated_by_network_policies(home_only)) == sorted([
        f"{what} in monitoring: no NetworkPolicy selects its pods" for what in (
            "Helm release prometheus-blackbox-exporter (prometheus-blackbox-exporter)",  # the same name in each cluster
            "Helm release kafka-monitoring-alerting-eks-b-prometheus (kube-prometheus-stack)",
            "Deployment kafka-monitoring-collection-eks-b-jaeger")])  # its Jaeger, whose policy is eks-b's too


def test_a_further_clusters_prometheus_and_alertmanager_accept_only_their_authenticating_proxies(program):
    """eks-b runs the same auth proxies (components.alerting deploys them with each pair): its policies
    open the proxies' ports (9091, 9095, the reloaders' 8081) and never the servers' own 9090 and 9093."""
    run = program("prod", **TWO_K8S)
    for path in ("network/policies.yaml", "clusters/eks-b/network/policies.yaml"):
        ports = {d["metadata"]["name"]: {p.get("port") for i in d["spec"].get("ingress", []) for p in i.get("ports", [])}
                 for d in run.artifacts[path]}
        assert ports["allow-prometheus"] == {9091, 8081}, path
        assert {9095, 8081} <= ports["allow-alertmanager"] and not {9090, 9093} & ports["allow-alertmanager"], path
    assert "clusters/eks-b/auth-proxy/prometheus.nginx.conf" in run.artifacts


def test_each_clusters_jaeger_query_is_judged_by_the_policies_of_its_own_cluster(program):
    """eks-b runs a Jaeger of its own (stacks/platform.py): a query rule opened to everyone in eks-b's allow-jaeger
    names eks-b's Deployment only, the same in the home cluster's names the home one only; and eks-b's Jaeger
    is isolated by eks-b's policies, not by the home cluster's of the same namespace and labels."""
    res = resources(program("prod", **TWO_K8S))
    assert JAEGER(res) == [] and network_checks.exporters_isolated_by_network_policies(res) == []
    policies = {r.provider.rsplit("::", 1)[-1]: r for r in res if r.type == network_checks.NETWORK_POLICY
                and r.props["metadata"]["name"] == "allow-jaeger"}
    assert set(policies) == {"kafka-monitoring-kubernetes", "kafka-monitoring-kubernetes-eks-b"}

    def open_query(props):
        (rule,) = _query_rules(props["spec"])
        rule.pop("from")
    for provider, deployment in (("kafka-monitoring-kubernetes-eks-b", "kafka-monitoring-collection-eks-b-jaeger"),
                                 ("kafka-monitoring-kubernetes", "kafka-monitoring-collection-jaeger")):
        assert JAEGER(_edited(res, policies[provider], open_query)) == [
            f"Deployment {deployment} in monitoring: policy allow-jaeger opens the query API (16686) to every source"]
    # A policy of eks-b selecting every Jaeger by the chart's name alone still opens eks-b's only: a policy
    # counts in its own cluster (its provider), whatever the labels of another cluster's pods.
    def open_every_jaeger(props):
        props["spec"]["podSelector"] = {"matchLabels": {"app.kubernetes.io/name": "jaeger"}}
        open_query(props)
    assert JAEGER(_edited(res, policies["kafka-monitoring-kubernetes-eks-b"], open_every_jaeger)) == [
        "Deployment kafka-monitoring-collection-eks-b-jaeger in monitoring: policy allow-jaeger opens the query API "
        "(16686) to every source"]
