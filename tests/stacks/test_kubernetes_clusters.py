"""Several Kubernetes clusters in one stack, run under mocks: each its own provider and Prometheus pair;
a stack with one cluster keeps every URN it had."""
from __future__ import annotations

import json

import pytest
import yaml

from policy import invariants
from tests.policy.test_invariants import resources

OIDC_B = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"
HOME, OTHER = "necpgame-prod", "eks-b"
EXTRA = "b ns=y brokers=b0.y.svc:7071 controllers=bc.y.svc:7071 exporterPods=app=e k8s=eks-b"
KPS = "kube-prometheus-stack"


@pytest.fixture(scope="module")
def two():
    from harness import runtime
    from tests.conftest import full_config, stack_raw
    clusters = [*stack_raw("prod")["clusters"], EXTRA]
    config, keys = full_config("prod", clusters=clusters, kubernetesClusters=[f"eks-b context=eks-b-ctx oidc={OIDC_B}"],
                               globalMetrics="amp", globalMetricsGrafanaRoleArn="arn:aws:iam::123456789012:role/g")
    return runtime.run("prod", config, keys)


def _releases(run) -> dict[str, object]:
    return {r.inputs["values"]["prometheus"]["prometheusSpec"]["externalLabels"]["cluster"]: r
            for r in run.of_type("kubernetes:helm.sh/v3:Release") if r.inputs["chart"] == KPS}


def test_each_kubernetes_cluster_has_its_own_provider_on_its_context(two):
    providers = {r.name: r for r in two.of_type("pulumi:providers:kubernetes")}
    assert providers["kafka-monitoring-kubernetes-eks-b"].inputs["context"] == "eks-b-ctx"
    assert providers["kafka-monitoring-kubernetes"].inputs["context"] == "necpgame-prod"
    other = [r for r in two.resources if r.type.startswith("kubernetes:") and "alerting-eks-b" in r.name]
    assert len(other) >= 6
    assert {r.provider.split("::")[-1] for r in other} == {"kafka-monitoring-kubernetes-eks-b"}
    home = [r for r in two.resources if r.type.startswith("kubernetes:") and r.name.startswith("kafka-monitoring-alerting-")
            and "eks-b" not in r.name]
    assert home and {r.provider.split("::")[-1] for r in home} == {"kafka-monitoring-kubernetes"}


def test_each_prometheus_scrapes_only_its_kafka_clusters_and_names_its_cluster(two):
    releases = _releases(two)
    assert set(releases) == {HOME, OTHER}

    def kafka_clusters(release) -> set[str]:
        jobs = release.inputs["values"]["prometheus"]["prometheusSpec"]["additionalScrapeConfigs"]
        found = {g["labels"]["kafka_cluster"] for j in jobs for g in j.get("static_configs", []) if "labels" in g}
        found |= {r["replacement"] for j in jobs for r in j.get("relabel_configs", [])
                  if r.get("target_label") == "kafka_cluster"}
        return found
    assert kafka_clusters(releases[HOME]) == {"kafka"} and kafka_clusters(releases[OTHER]) == {"b"}
    # The JMX exporter's ConfigMap goes to the Kafka cluster's own Kubernetes cluster.
    (jmx,) = [r for r in two.of_type("kubernetes:core/v1:ConfigMap") if r.inputs["metadata"]["name"] == "b-jmx-exporter"]
    assert jmx.provider.endswith("kafka-monitoring-kubernetes-eks-b")


def test_each_clusters_prometheus_writes_as_its_own_role_trusting_its_own_oidc_provider(two):
    releases = _releases(two)
    roles = {r.name: r for r in two.of_type("aws:iam/role:Role") if "global-metrics-writer" in r.name}
    for cluster, role, oidc in ((HOME, "kafka-monitoring-global-metrics-writer-role",
                                 "oidc.eks.eu-west-1.amazonaws.com/id/NECPGAMEPROD"),
                                (OTHER, "kafka-monitoring-global-metrics-writer-role-eks-b",
                                 "oidc.eks.eu-central-1.amazonaws.com/id/B")):
        annotations = releases[cluster].inputs["values"]["prometheus"]["serviceAccount"]["annotations"]
        assert annotations == {"eks.amazonaws.com/role-arn": f"arn:aws:iam::123456789012:role/{role}"}
        trust = json.loads(roles[role].inputs["assumeRolePolicy"])
        assert trust["Statement"][0]["Principal"]["Federated"].endswith(oidc)


def test_a_one_cluster_stack_keeps_its_urns_and_a_second_cluster_only_adds(stack_runs, program, two):
    base = stack_runs["prod"]
    assert {r.urn for r in program("prod", kubernetesClusters=[]).resources} == {r.urn for r in base.resources}
    base_urns = {r.urn: r for r in base.resources}
    added = {r.urn: r for r in two.resources}
    assert set(base_urns) <= set(added)
    # The stack's own Prometheus is deployed as before: the second cluster's Kafka cluster is not its.
    home_before = _releases(base)[HOME].inputs["values"]
    home_after = _releases(two)[HOME].inputs["values"]
    spec_before, spec_after = home_before["prometheus"]["prometheusSpec"], home_after["prometheus"]["prometheusSpec"]
    assert spec_before["additionalScrapeConfigs"] == spec_after["additionalScrapeConfigs"]
    assert yaml.safe_dump(base.artifacts["prometheus/rules/kafka-alerts.rules.yml"]) == yaml.safe_dump(
        two.artifacts["prometheus/rules/kafka-alerts.rules.yml"])


def test_a_two_cluster_stack_satisfies_every_security_invariant(two):
    found = invariants.check_all(resources(two))
    assert found == {name: [] for name in invariants.INVARIANTS}
