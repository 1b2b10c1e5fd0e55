"""The NetworkPolicies component under mocks: what it registers, where, and when."""
from __future__ import annotations

from tests.content.platform_pods import cluster_of

POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
COMPONENT = "kafka-monitoring:network:NetworkPolicies"


def test_the_component_owns_one_policy_per_workload_in_its_namespace(stack_runs):
    run = stack_runs["prod"]
    (component,) = run.of_type(COMPONENT)
    policies = run.of_type(POLICY)
    assert len(policies) == 9 and all(p.parent == component.urn for p in policies)
    assert component.parent == run.of_type("kafka-monitoring:stack:MonitoringPlatform")[0].urn
    where = {(p.inputs["metadata"]["namespace"], p.inputs["metadata"]["name"]) for p in policies}
    # Strimzi's kafka_exporter lives in its cluster's namespace; the rest in the monitoring namespace.
    assert ("necpgame-infrastructure", "allow-kafka-exporter-kafka") in where
    assert {ns for ns, _ in where} == {"monitoring", "necpgame-infrastructure"}
    assert all(p.inputs["metadata"]["labels"] == {"app.kubernetes.io/part-of": "kafka-monitoring"} for p in policies)
    assert len({p.name for p in policies}) == len(policies)


def test_switched_off_nothing_is_registered_and_every_pod_is_reachable_again(program):
    """enableNetworkPolicies false (dev, staging): no policy, so the model lets a game pod in."""
    run = program("staging", enableNetworkPolicies=False)
    assert run.of_type(POLICY) == [] and run.of_type(COMPONENT) == []
    c, pods = cluster_of(run)
    assert c.allowed(pods["game"][0], pods["alertmanager"][0], 9093)


def test_only_the_policies_of_what_is_deployed(program):
    """Collection alone: Fluent Bit and Jaeger get policies; with no Prometheus, no flow names it."""
    run = program("dev", enableAlerting=False, enableCollection=True)
    names = sorted(p.inputs["metadata"]["name"] for p in run.of_type(POLICY))
    assert names == ["allow-fluent-bit", "allow-jaeger", "default-deny-ingress"]
    (jaeger,) = [p for p in run.of_type(POLICY) if p.inputs["metadata"]["name"] == "allow-jaeger"]
    assert all("prometheus" not in str(rule) for rule in jaeger.inputs["spec"]["ingress"])
    assert program("dev", enableAlerting=False, enableCollection=False).of_type(COMPONENT) == []


def test_a_created_namespace_exists_before_its_policies(program):
    run = program("dev", createMonitoringNamespace=True)
    (namespace,) = run.of_type("kubernetes:core/v1:Namespace")
    assert all(namespace.urn in p.dependencies for p in run.of_type(POLICY))
