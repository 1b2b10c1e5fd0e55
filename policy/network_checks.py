"""Network invariants over declared resources, beside invariants.py and judged the same way: no
exporter the program deploys without a NetworkPolicy that isolates its pods. (No Service opened
outside the cluster is invariants.monitoring_services_not_exposed.)

A resource is anything with `type`, `name` and `props` (invariants.Resource, or the pack's view of
the engine's resources). Pod labels of a Helm release are its chart's selector labels
(`app.kubernetes.io/name: <chart>`, `app.kubernetes.io/instance: <release>` in the _helpers.tpl of
prometheus-blackbox-exporter 9.0.3, fluent-bit 0.47.10 and kube-state-metrics 5.25.1, the subchart
kube-prometheus-stack 65.1.1 names after its release). prometheus-node-exporter runs in the host's
network (its values.yaml `hostNetwork: true`), which no NetworkPolicy selects; it is not counted.

Every Kubernetes cluster of a stack has the same namespaces, so a policy counts only in its own
cluster: the one its provider deploys to (the resource's provider URN; an explicit provider per
cluster, stacks/platform.py).
"""
from __future__ import annotations

from typing import Any, Callable

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
RELEASE = "kubernetes:helm.sh/v3:Release"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
# Exporter pods of a chart, by the chart's name: the pod labels, given the release's name.
EXPORTER_CHARTS: dict[str, Callable[[str], dict[str, str]]] = {
    "prometheus-blackbox-exporter": lambda release: {"app.kubernetes.io/name": "prometheus-blackbox-exporter",
                                                     "app.kubernetes.io/instance": release},
    "kube-prometheus-stack": lambda release: {"app.kubernetes.io/name": "kube-state-metrics",
                                              "app.kubernetes.io/instance": release},
}


def _selects(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """A metav1.LabelSelector (empty: every pod) against a pod's labels."""
    selector = selector or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), e.get("values") or []
        if not {"In": key in labels and labels.get(key) in values,
                "NotIn": labels.get(key) not in values,
                "Exists": key in labels, "DoesNotExist": key not in labels}.get(op, False):
            return False
    return True


def _isolating(resources: list[Any], provider: str, namespace: str, labels: dict[str, str]) -> bool:
    """A NetworkPolicy of the namespace, in the same cluster, selects the pods for ingress (without
    policyTypes: Ingress)."""
    for r in resources:
        if r.type != NETWORK_POLICY or getattr(r, "provider", "") != provider:
            continue
        meta, spec = r.props.get("metadata") or {}, r.props.get("spec") or {}
        if meta.get("namespace") == namespace and "Ingress" in (spec.get("policyTypes") or ["Ingress"]) \
                and _selects(spec.get("podSelector"), labels):
            return True
    return False


def _exporters(resources: list[Any]) -> list[tuple[str, str, str, dict[str, str]]]:
    """(what, provider, namespace, pod labels) of every exporter pod set the resources deploy."""
    found = []
    for r in resources:
        if r.type == DEPLOYMENT:
            meta = r.props.get("metadata") or {}
            labels = ((r.props.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {}
            found.append((f"Deployment {meta.get('name', r.name)}", getattr(r, "provider", ""),
                          meta.get("namespace", ""), labels))
        elif r.type == RELEASE and r.props.get("chart") in EXPORTER_CHARTS:
            release = r.props.get("name") or r.name
            found.append((f"Helm release {release} ({r.props['chart']})", getattr(r, "provider", ""),
                          r.props.get("namespace", ""), EXPORTER_CHARTS[r.props["chart"]](release)))
    return found


def exporters_isolated_by_network_policies(resources: list[Any]) -> list[str]:
    """Every exporter and workload the program deploys is isolated by a NetworkPolicy.

    Judged in stacks that deploy NetworkPolicies at all (enableNetworkPolicies false, allowed outside
    prod, has none)."""
    if not any(r.type == NETWORK_POLICY for r in resources):
        return []
    return [f"{what} in {namespace}: no NetworkPolicy selects its pods" for what, provider, namespace, labels
            in _exporters(resources) if not _isolating(resources, provider, namespace, labels)]


NETWORK_CHECKS: dict[str, Callable[[list[Any]], list[str]]] = {
    "exporters-isolated-by-network-policies": exporters_isolated_by_network_policies,
}
