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


OIDC_C = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/C"
OIDC_D = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/D"
AMP = {"globalMetrics": "amp", "globalMetricsGrafanaRoleArn": "arn:aws:iam::123456789012:role/g"}


def test_a_malformed_entry_does_not_hide_the_problems_of_the_entries_after_it():
    """Every problem at once: entry 0 cannot be read, and entry 2 still reports reusing entry 1's name."""
    problems = refused(kubernetesClusters=["EKS_B context=b", f"eks-c context=c oidc={OIDC_C}",
                                           f"eks-c context=d oidc={OIDC_D}"])
    assert problems == [
        "kubernetesClusters[0]: the cluster name is not allowed; allowed: lowercase letters, digits and '-', at most 16",
        "kubernetesClusters[2]: the name is taken (kubernetesCluster or an earlier entry); allowed: unique names"]
    # The clusters after a malformed entry are still known as homes of Kafka clusters.
    problems = refused(kubernetesClusters=["EKS_B context=b", f"eks-c context=c oidc={OIDC_C}"],
                       clusters=[TWO_CLUSTERS[0] + " k8s=eks-c"])
    assert problems == [
        "kubernetesClusters[0]: the cluster name is not allowed; allowed: lowercase letters, digits and '-', at most 16"]


@pytest.mark.parametrize("overrides, expected", [
    ({"kubernetesClusters": [f"eks-b context=b oidc={OIDC_B}", f"eks-b context=c oidc={OIDC_C}"]},
     ["kubernetesClusters[1]: the name is taken (kubernetesCluster or an earlier entry); allowed: unique names"]),
    ({"kubernetesClusters": [f"necpgame-prod context=b oidc={OIDC_B}"]},
     ["kubernetesClusters[0]: the name is taken (kubernetesCluster or an earlier entry); allowed: unique names"]),
    ({"kubernetesClusters": [f"eks-b context=b oidc={OIDC_B}", f"eks-c context=b oidc={OIDC_C}"]},
     ["kubernetesClusters[1].context: used twice; allowed: one context per cluster"]),
    ({"clusters": [TWO_CLUSTERS[0], TWO_CLUSTERS[0].replace("a ns=x", "a2 ns=x", 1) + " k8s=eks-b"],
      "kubernetesClusters": [f"eks-b context=b oidc={OIDC_B}"]},
     ["clusters[1]: a target is also 'a''s; allowed: each Kafka cluster once, scraped by one Kubernetes cluster"]),
    ({"clusters": [TWO_CLUSTERS[0] + " k8s=eks-c"], "kubernetesClusters": [f"eks-b context=b oidc={OIDC_B}"]},
     ["clusters[0].k8s: not allowed; allowed: kubernetesCluster or a name in kubernetesClusters"]),
])
def test_each_placement_refusal_in_its_own_words(overrides, expected):
    """The whole message a reader fixes the stack file from, and nothing else: every other key is valid."""
    assert refused(**overrides) == expected


@pytest.mark.parametrize("overrides, expected", [
    ({**AMP, "kubernetesClusters": ["eks-b context=b"]},
     ["kubernetesClusters[0].oidc: required with globalMetrics amp: its Prometheus writes through IRSA"]),
    ({**AMP, "kubernetesClusters": [f"eks-b context=b oidc={OIDC_B}"]}, []),
    # Near miss: Mimir takes writes with a tenant header, no IAM role; nothing of eks-b archives either.
    ({"globalMetrics": "mimir", "globalMetricsUrl": "https://mimir.example", "globalMetricsTenant": "kafka-dev",
      "kubernetesClusters": ["eks-b context=b"]}, []),
])
def test_with_amp_each_further_prometheus_needs_its_oidc_provider(overrides, expected):
    """dev with collection off, so that only the AMP writer's need for IRSA is at stake."""
    try:
        make_settings("dev", enableCollection=False, **overrides)
        problems = []
    except SettingsError as err:
        problems = err.problems
    assert problems == expected


GRAMMAR_WORDS = ("expected '<name> context=<kubeconfig context> [oidc=<EKS OIDC provider ARN>] [events=yes|no]' "
                 "with each field once")


@pytest.mark.parametrize("spec, problems", [
    # A field's value runs to the end of its word: a second '=' is part of the value, which refuses it.
    ("eks-b context=a=b", ["k.context: required; allowed: a kubeconfig context name"]),
    ("eks-b oidc=x=y context=b", ["k.oidc: not allowed; allowed: arn:aws:iam::<12-digit account>:oidc-provider/<issuer>"]),
    # A word that is not allowed does not stop the reading: the context after it is still read.
    ("eks-b region=eu-west-1 context=b", [f"k: word 2 is not allowed; {GRAMMAR_WORDS}"]),
    ("eks-b context=b region=eu-west-1 events=maybe",
     [f"k: word 3 is not allowed; {GRAMMAR_WORDS}", "k.events: not allowed; allowed: yes or no"]),
])
def test_each_spec_problem_in_its_own_words(spec, problems):
    assert parse_kubernetes_cluster(spec, "k") == (None, problems)


def test_a_provider_given_again_after_another_cluster_is_still_refused():
    """Every provider seen so far counts, not only the last one's."""
    problems = refused(kubernetesClusters=[f"eks-b context=b oidc={OIDC_B}", f"eks-c context=c oidc={OIDC_C}",
                                           f"eks-d context=d oidc={OIDC_B}"])
    assert problems == ["kubernetesClusters[2].oidc: used twice (or is eksOidcProviderArn); allowed: each cluster's "
                        "own OIDC provider"]


def test_a_malformed_kafka_spec_does_not_hide_a_later_ones_unknown_home():
    assert refused(clusters=["Bad ns=x", TWO_CLUSTERS[1] + " k8s=eks-z"]) == [
        "clusters[1].k8s: not allowed; allowed: kubernetesCluster or a name in kubernetesClusters",
        "clusters[0]: the cluster name is not allowed; allowed: a DNS label (lowercase letters, digits, '-', at most 40)",
        "clusters[0].brokers: required; give preset=strimzi, brokerPods=<labels> or brokers=<host:port>,...",
        "clusters[0].controllers: required; give preset=strimzi, controllerPods=<labels> or controllers=<host:port>,...",
        "clusters[0].exporterPods: consumer lag needs kafka_exporter; give preset=strimzi, exporterPods=<labels> or "
        "bootstrap=<host:port>"]


def test_two_kafka_clusters_sharing_only_their_bootstrap_address_are_refused():
    """The bootstrap address is the deployed kafka_exporter's target: two specs naming the same one would
    deploy two exporters of one Kafka cluster, each series twice. A different address is fine."""
    a = "a ns=x brokers=a0.x.svc:7071 controllers=ac.x.svc:7071 bootstrap=kafka.x.svc:9092"
    b = "b ns=y brokers=b0.y.svc:7071 controllers=bc.y.svc:7071 bootstrap=kafka.x.svc:9092"
    assert refused(clusters=[a, b]) == [
        "clusters[1]: a target is also 'a''s; allowed: each Kafka cluster once, scraped by one Kubernetes cluster"]
    make_settings("prod", clusters=[a, b.replace("kafka.x.svc", "kafka.y.svc")])
