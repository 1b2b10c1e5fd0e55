"""Further Kubernetes clusters of one stack, and each Kafka cluster's assignment to exactly one."""
from __future__ import annotations

import pytest

from config.kubernetes import KubernetesCluster, parse_kubernetes_cluster
from config.settings import SettingsError
from tests.conftest import TWO_CLUSTERS, make_settings

OIDC_B = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"


def test_a_spec_names_its_context_and_optionally_its_oidc_provider():
    assert parse_kubernetes_cluster("eks-b context=arn:aws:eks:eu-central-1:123456789012:cluster/b", "k") == (
        KubernetesCluster("eks-b", "arn:aws:eks:eu-central-1:123456789012:cluster/b"), [])
    assert parse_kubernetes_cluster(f"eks-b context=b oidc={OIDC_B}", "k")[0].oidc_provider_arn == OIDC_B


@pytest.mark.parametrize("spec, problem", [
    ("eks-b", "k.context: required"),
    ("EKS_B context=b", "k: the cluster name is not allowed"),
    ("a-name-of-seventeen context=b", "k: the cluster name is not allowed"),  # its Helm release would pass 53
    ("eks-b context=b context=c", "k: word 3 is not allowed"),
    ("eks-b context=b region=eu-west-1", "k: word 3 is not allowed"),
    ("eks-b context=b oidc=arn:aws:iam::123:oidc-provider/x", "k.oidc: not allowed"),
    (42, "k: not a Kubernetes cluster spec"),
])
def test_a_malformed_spec_is_refused_naming_its_key(spec, problem):
    cluster, problems = parse_kubernetes_cluster(spec, "k")
    assert cluster is None and any(p.startswith(problem) for p in problems), problems


def refused(**overrides) -> list[str]:
    with pytest.raises(SettingsError) as err:
        make_settings("prod", **overrides)
    return err.value.problems


def test_two_clusters_each_scrape_their_own_kafka_clusters():
    s = make_settings("prod", clusters=[TWO_CLUSTERS[0], TWO_CLUSTERS[1] + " k8s=eks-b"],
                      kubernetesClusters=[f"eks-b context=eks-b oidc={OIDC_B}"])
    assert [c.k8s for c in s.clusters] == ["", "eks-b"]
    assert s.kubernetes_clusters == (KubernetesCluster("eks-b", "eks-b", OIDC_B),)
    # Assigning to the stack's own cluster by name is the same as not saying.
    s = make_settings("prod", clusters=[TWO_CLUSTERS[0] + " k8s=necpgame-prod"])
    assert s.clusters[0].k8s == "necpgame-prod"


@pytest.mark.parametrize("overrides, problem", [
    ({"clusters": [TWO_CLUSTERS[0] + " k8s=eks-c"], "kubernetesClusters": ["eks-b context=b"]},
     "clusters[0].k8s: not allowed"),
    ({"clusters": [TWO_CLUSTERS[0] + " k8s=eks-b"]}, "clusters[0].k8s: not allowed"),
    ({"kubernetesClusters": ["eks-b context=b", "eks-b context=c"]}, "kubernetesClusters[1]: the name is taken"),
    ({"kubernetesClusters": ["necpgame-prod context=b"]}, "kubernetesClusters[0]"),
    ({"kubernetesClusters": ["eks-b context=b", "eks-c context=b"]}, "kubernetesClusters[1].context: used twice"),
    ({"kubernetesClusters": ["eks-b context=necpgame-prod"]}, "kubernetesClusters[0].context: is kubernetes:context"),
    ({"kubernetesClusters": ["eks-b context=b"], "globalMetrics": "amp",
      "globalMetricsGrafanaRoleArn": "arn:aws:iam::123456789012:role/g"}, "kubernetesClusters[0].oidc: required"),
    # The same brokers under two names, one per Kubernetes cluster: both pairs would scrape them.
    ({"clusters": [TWO_CLUSTERS[0], TWO_CLUSTERS[0].replace("a ns=x", "a2 ns=x", 1) + " k8s=eks-b"],
      "kubernetesClusters": ["eks-b context=b"]}, "clusters[1]: a target is also 'a''s"),
])
def test_an_assignment_that_is_not_exactly_one_known_cluster_is_refused(overrides, problem):
    problems = refused(**overrides)
    assert any(p.startswith(problem) for p in problems), problems


def test_distinct_targets_in_two_clusters_are_fine():
    make_settings("prod", clusters=[TWO_CLUSTERS[0], TWO_CLUSTERS[1] + " k8s=eks-b"],
                  kubernetesClusters=[f"eks-b context=b oidc={OIDC_B}"], globalMetrics="amp",
                  globalMetricsGrafanaRoleArn="arn:aws:iam::123456789012:role/g")


def test_a_cluster_says_whether_it_runs_event_processing_pods():
    assert parse_kubernetes_cluster("eks-b context=b", "k")[0].event_core is True
    assert parse_kubernetes_cluster("eks-b context=b events=no", "k")[0].event_core is False
    assert parse_kubernetes_cluster("eks-b context=b events=yes", "k")[0].event_core is True
    cluster, problems = parse_kubernetes_cluster("eks-b context=b events=false", "k")
    assert cluster is None and problems == ["k.events: not allowed; allowed: yes or no"]


def test_a_further_cluster_without_its_oidc_provider_is_refused_where_its_fluent_bit_would_archive():
    """With the archive and collection on, a further cluster's Fluent Bit writes security events into the
    locked archive through IRSA (content/archive.py writer_providers): without `oidc=` they would never
    reach it, silently. Refused in every environment; accepted where nothing of that cluster archives."""
    specs = [f"eks-b context=b oidc={OIDC_B}", "eks-c context=c"]
    for stack in ("prod", "dev"):
        with pytest.raises(SettingsError) as err:
            make_settings(stack, kubernetesClusters=specs)
        assert [p for p in err.value.problems if p.startswith("kubernetesClusters")] == [
            "kubernetesClusters[1].oidc: required with enableArchive and enableCollection: its Fluent Bit writes "
            "security events into the archive through IRSA"], stack
    # Near misses: nothing of eks-c archives.
    make_settings("dev", kubernetesClusters=specs, enableCollection=False)
    make_settings("dev", kubernetesClusters=specs, enableArchive=False, enableSearchRetention=False)


@pytest.mark.parametrize("specs", [
    [f"eks-b context=b oidc={OIDC_B}", f"eks-c context=c oidc={OIDC_B}"],  # two clusters, one provider
    ["eks-b context=b oidc=arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/NECPGAMEPROD"],
])
def test_a_provider_given_to_two_clusters_is_refused(specs):
    """Each EKS cluster has an issuer of its own: a provider given twice is a copy-paste, and the cluster it
    was meant for would be trusted through another's (its pods' tokens would never match)."""
    problems = refused(kubernetesClusters=specs)
    assert [p for p in problems if p.startswith("kubernetesClusters")] == [
        f"kubernetesClusters[{len(specs) - 1}].oidc: used twice (or is eksOidcProviderArn); allowed: each cluster's "
        "own OIDC provider"]
