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


TWO_K8S = {"clusters": ["a ns=a preset=strimzi", "b ns=b preset=strimzi k8s=eks-b"],
           "kubernetesClusters": ["eks-b context=eks-b"]}


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
    assert network_checks.exporters_isolated_by_network_policies(home_only) == [
        f"Helm release {name} in monitoring: no NetworkPolicy selects its pods" for name in (
            "prometheus-blackbox-exporter (prometheus-blackbox-exporter)",  # the same release name in each cluster
            "kafka-monitoring-alerting-eks-b-prometheus (kube-prometheus-stack)")]


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
