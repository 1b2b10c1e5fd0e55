"""Further Kubernetes clusters of one stack: one string each (Pulumi's config schema has no objects).

    <name> context=<kubeconfig context> [oidc=<EKS OIDC provider ARN>] [events=yes|no]

The stack's own cluster is `kubernetesCluster` on `kubernetes:context`; each listed one gets its own
explicit Kubernetes provider on its context and its own Prometheus pair, Alertmanager and exporters,
for the Kafka clusters whose spec says `k8s=<name>`, and its own Fluent Bit and Jaeger. `oidc` is that
cluster's IAM OIDC provider: with globalMetrics amp its Prometheus writes through IRSA, and with the
archive and collection its Fluent Bit writes security events into the archive through IRSA, as the
stack's own do with eksOidcProviderArn. Without it that cluster's security events would never reach the
locked archive, silently: refused. Each cluster has its own provider (its own token issuer).
`events=no` says the cluster runs no event-processing pods (app=kafka-event-driven-core), so its
Prometheus does not warn that it discovers none (KafkaEventCoreTargetsMissing); yes by default.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from config.clusters import parse_cluster

# Its Helm release, `kafka-monitoring-alerting-<name>-prometheus`, must stay a DNS label of at most 53.
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$")
GRAMMAR = "'<name> context=<kubeconfig context> [oidc=<EKS OIDC provider ARN>] [events=yes|no]'"
_CONTEXT = re.compile(r"^[^\s=]{1,253}$")
_OIDC = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/[A-Za-z0-9./_-]{1,255}$")


@dataclass(frozen=True)
class KubernetesCluster:
    name: str
    context: str
    oidc_provider_arn: str = ""
    event_core: bool = True   # runs event-processing pods


def parse_kubernetes_cluster(spec: object, key: str) -> tuple[KubernetesCluster | None, list[str]]:
    if not isinstance(spec, str) or not spec.split():
        return None, [f"{key}: not a Kubernetes cluster spec; expected {GRAMMAR}"]
    name, *pairs = spec.split()
    errors = [] if NAME.match(name) else [
        f"{key}: the cluster name is not allowed; allowed: lowercase letters, digits and '-', at most 16"]
    fields: dict[str, str] = {}
    for n, pair in enumerate(pairs, 2):
        field, sep, value = pair.partition("=")
        if not sep or field not in ("context", "oidc", "events") or field in fields:
            errors.append(f"{key}: word {n} is not allowed; expected {GRAMMAR} with each field once")
            continue
        fields[field] = value
    if not _CONTEXT.match(fields.get("context", "")):
        errors.append(f"{key}.context: required; allowed: a kubeconfig context name")
    if "oidc" in fields and not _OIDC.match(fields["oidc"]):
        errors.append(f"{key}.oidc: not allowed; allowed: arn:aws:iam::<12-digit account>:oidc-provider/<issuer>")
    if fields.get("events", "yes") not in ("yes", "no"):
        errors.append(f"{key}.events: not allowed; allowed: yes or no")
    if errors:
        return None, errors
    return KubernetesCluster(name, fields["context"], fields.get("oidc", ""), fields.get("events", "yes") == "yes"), []


def placement_problems(v: Mapping[str, Any]) -> list[str]:
    """Further Kubernetes clusters: unique names and contexts, and every Kafka cluster scraped by exactly
    one Kubernetes cluster (a known one; and no two Kafka specs share a target, which two Prometheus
    pairs would then both scrape: no store deduplicates across clusters)."""
    problems: list[str] = []
    homes = {v["kubernetesCluster"]}
    contexts: set[str] = set()
    providers = {v["eksOidcProviderArn"]} - {""}
    for i, spec in enumerate(v["kubernetesClusters"]):
        cluster, errors = parse_kubernetes_cluster(spec, f"kubernetesClusters[{i}]")
        problems += errors
        if cluster is None:
            continue
        if cluster.name in homes:
            problems.append(f"kubernetesClusters[{i}]: the name is taken (kubernetesCluster or an earlier entry); "
                            "allowed: unique names")
        if cluster.context in contexts:
            problems.append(f"kubernetesClusters[{i}].context: used twice; allowed: one context per cluster")
        if v["globalMetrics"] == "amp" and not cluster.oidc_provider_arn:
            problems.append(f"kubernetesClusters[{i}].oidc: required with globalMetrics amp: its Prometheus "
                            "writes through IRSA")
        if v["enableArchive"] and v["enableCollection"] and not cluster.oidc_provider_arn:
            problems.append(f"kubernetesClusters[{i}].oidc: required with enableArchive and enableCollection: its "
                            "Fluent Bit writes security events into the archive through IRSA")
        if cluster.oidc_provider_arn and cluster.oidc_provider_arn in providers:
            problems.append(f"kubernetesClusters[{i}].oidc: used twice (or is eksOidcProviderArn); allowed: each "
                            "cluster's own OIDC provider")
        homes.add(cluster.name)
        contexts.add(cluster.context)
        providers |= {cluster.oidc_provider_arn} - {""}
    owners: dict[str, str] = {}
    for i, spec in enumerate(v["clusters"]):
        kafka, _ = parse_cluster(spec, f"clusters[{i}]")  # malformed specs: refused by cluster_list_problems
        if kafka is None:
            continue
        if kafka.k8s and kafka.k8s not in homes:
            problems.append(f"clusters[{i}].k8s: not allowed; allowed: kubernetesCluster or a name in "
                            "kubernetesClusters")
        for target in (*kafka.brokers, *kafka.controllers, *((kafka.bootstrap,) if kafka.bootstrap else ())):
            if owners.setdefault(target, kafka.name) != kafka.name:
                problems.append(f"clusters[{i}]: a target is also {owners[target]!r}'s; allowed: each Kafka "
                                "cluster once, scraped by one Kubernetes cluster")
                break
    return problems
