"""Network invariants over declared resources, beside invariants.py and judged the same way: no
exporter the program deploys without a NetworkPolicy that isolates its pods; Prometheus and
Alertmanager behind the authenticating proxy; Jaeger's query API only for the peers the policies
name. (No Service opened outside the cluster is invariants.monitoring_services_not_exposed.)

A resource is anything with `type`, `name` and `props` (invariants.Resource, or the pack's view of
the engine's resources). Pod labels of a Helm release are its chart's selector labels
(`app.kubernetes.io/name: <chart>`, `app.kubernetes.io/instance: <release>` in the _helpers.tpl of
prometheus-blackbox-exporter 9.0.3, fluent-bit 0.47.10 and kube-state-metrics 5.25.1, the subchart
kube-prometheus-stack 65.1.1 names after its release). prometheus-node-exporter runs in the host's
network (its values.yaml `hostNetwork: true`), which no NetworkPolicy selects; it is not counted.

Entry points, judged only in stacks that deploy NetworkPolicies (a policy that lets Grafana reach a
server is worth something only if what it reaches asks for credentials or answers nobody else):

- Prometheus and Alertmanager of every kube-prometheus-stack release listen on loopback behind a
  proxy. prometheus-operator v0.77.1 (the appVersion of kube-prometheus-stack 65.1.1): `listenLocal`
  binds the server to 127.0.0.1 (pkg/prometheus/common.go buildCommonPrometheusArgs,
  pkg/alertmanager/statefulset.go); `containers` adds containers by name (pkg/k8sutil/merge.go
  MergePatchContainers), and the governing Service targets the container port named `portName`
  (pkg/prometheus/server/statefulset.go makeStatefulSetService). The chart's Services target
  `<kind>.service.targetPort` (templates/prometheus/service.yaml, alertmanager/service.yaml; values.yaml
  defaults portName "http-web", targetPort 9090 and 9093, listenLocal false). So: listenLocal true, an
  added container declares the port named portName, and the chart's Service targets that port.
- Jaeger's query API (jaeger_query's HTTP endpoint, 16686) answers every trace to whoever reaches
  it. At v2.5.0 it cannot ask for credentials: its `http` is the collector's confighttp.ServerConfig,
  whose `auth` names an authenticator extension, and the build bundles none
  (cmd/jaeger/internal/components.go: zpages, healthcheckv2, jaegerquery, jaegerstorage,
  storagecleaner, remotesampling, expvar). So it is limited by NetworkPolicy to the peers the
  settings name for Grafana (grafanaSources), whose Jaeger datasource queries it server-side. So every ingress rule that opens it names its peers, none of them every
  pod of every namespace or every address, and opens none of the ports applications send spans to
  (OTLP 4317/4318): a namespace allowed to send spans is not thereby allowed to read them.

Pod ports and NetworkPolicy fields as the Kubernetes API defines them (networking/v1 types.go: no
`from`, every source; no `ports`, every port; `protocol` TCP by default; a named port is the
destination container's port of that name; `endPort` makes a range).

Every Kubernetes cluster of a stack has the same namespaces, so a policy counts only in its own
cluster: the one its provider deploys to (the resource's provider URN; an explicit provider per
cluster, stacks/platform.py).
"""
from __future__ import annotations

from typing import Any, Callable

# The pack runs this module top-level beside `invariants` (policy/pack.py); the tests and the preview
# import it as policy.network_checks. Either way, one copy of invariants (its PENDING is compared by identity).
if __package__:
    from policy.invariants import PENDING, Pending, _at
else:
    from invariants import PENDING, Pending, _at  # type: ignore[no-redef]

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


CHART = "kube-prometheus-stack"
# kind -> (spec key, the chart's default Service targetPort), kube-prometheus-stack 65.1.1 values.yaml
SERVERS = {"prometheus": ("prometheusSpec", 9090), "alertmanager": ("alertmanagerSpec", 9093)}
DEFAULT_PORT_NAME = "http-web"
QUERY_PORT, SPAN_PORTS = 16686, (4317, 4318)


def _get(values: Any, path: str, default: Any) -> Any:
    set_, value = _at(values, path)
    return value if set_ else default


def _server_problems(release: str, values: Any, kind: str) -> list[str]:
    spec_key, default_target = SERVERS[kind]
    if _get(values, f"{kind}.enabled", True) is False:
        return []
    spec = _get(values, f"{kind}.{spec_key}", {})
    where = f"Helm release {release} ({CHART}): {kind}"
    if PENDING in (values, spec) or _get(values, f"{kind}.{spec_key}.listenLocal", False) is PENDING:
        return [Pending(f"{where} (decided at up)")]
    problems = []
    if _get(values, f"{kind}.{spec_key}.listenLocal", False) is not True:
        problems.append(f"{where} listens on the pod's address ({spec_key}.listenLocal is not true)")
    port_name = _get(values, f"{kind}.{spec_key}.portName", DEFAULT_PORT_NAME)
    ports = [p for c in (spec.get("containers") or []) if isinstance(c, dict)
             for p in (c.get("ports") or []) if isinstance(p, dict) and p.get("name") == port_name]
    target = _get(values, f"{kind}.service.targetPort", default_target)
    if not ports:
        problems.append(f"{where} has no proxy: no added container declares the port {port_name!r}")
    elif target not in [p.get("containerPort") for p in ports] + [port_name]:
        problems.append(f"{where}'s Service targets {target}, not the proxy's port {port_name!r}")
    return problems


def prometheus_and_alertmanager_behind_the_proxy(resources: list[Any]) -> list[str]:
    """Prometheus and Alertmanager listen on loopback behind the authenticating proxy wherever NetworkPolicies exist.

    Every kube-prometheus-stack release: listenLocal true, an added container with the port named
    portName, and the chart's Service targeting it."""
    if not any(r.type == NETWORK_POLICY for r in resources):
        return []
    problems: list[str] = []
    for r in resources:
        if r.type == RELEASE and r.props.get("chart") == CHART:
            values = r.props.get("values") or {}
            for kind in SERVERS:
                problems += _server_problems(r.props.get("name") or r.name, values, kind)
    return problems


def _covers(port: dict, number: int, named: dict[str, int]) -> bool:
    if (port.get("protocol") or "TCP") != "TCP":
        return False
    value = port.get("port")
    if value is None:
        return True
    if isinstance(value, str):
        return named.get(value) == number
    return value <= number <= (port.get("endPort") or value)


def _unrestricted(peer: dict) -> bool:
    """Every pod of every namespace, or every address."""
    cidr = (peer.get("ipBlock") or {}).get("cidr", "")
    if cidr:
        return cidr.endswith("/0") and not peer["ipBlock"].get("except")
    namespaces = peer.get("namespaceSelector")
    return namespaces is not None and not (namespaces.get("matchLabels") or namespaces.get("matchExpressions")) \
        and not ((peer.get("podSelector") or {}).get("matchLabels") or (peer.get("podSelector") or {}).get("matchExpressions"))


def jaeger_query_limited_to_named_peers(resources: list[Any]) -> list[str]:
    """Jaeger's query API is reachable only from the peers the NetworkPolicies name, never with the span ports.

    Every ingress rule of a policy selecting a pod that serves 16686 (in the same cluster) and opening
    that port names its peers, none of them everything, and opens no OTLP port."""
    policies = [r for r in resources if r.type == NETWORK_POLICY]
    if not policies:
        return []
    problems = []
    for d in (r for r in resources if r.type == DEPLOYMENT):
        meta = d.props.get("metadata") or {}
        template = ((d.props.get("spec") or {}).get("template") or {})
        labels = (template.get("metadata") or {}).get("labels") or {}
        named = {p["name"]: p.get("containerPort") for c in (template.get("spec") or {}).get("containers") or []
                 for p in c.get("ports") or [] if p.get("name")}
        numbers = {p.get("containerPort") for c in (template.get("spec") or {}).get("containers") or []
                   for p in c.get("ports") or []}
        if QUERY_PORT not in numbers:
            continue
        where = f"Deployment {meta.get('name', d.name)} in {meta.get('namespace', '')}"
        for policy in policies:  # those of its own cluster (the same provider)
            pmeta, spec = policy.props.get("metadata") or {}, policy.props.get("spec") or {}
            if getattr(policy, "provider", "") != getattr(d, "provider", "") \
                    or pmeta.get("namespace") != meta.get("namespace") or not _selects(spec.get("podSelector"), labels) \
                    or "Ingress" not in (spec.get("policyTypes") or ["Ingress"]):
                continue
            for rule in spec.get("ingress") or []:
                ports = rule.get("ports") or [{}]
                if not any(_covers(p, QUERY_PORT, named) for p in ports):
                    continue
                peers = rule.get("from") or []
                name = f"{where}: policy {pmeta.get('name')} opens the query API ({QUERY_PORT})"
                if not peers or any(_unrestricted(p) for p in peers):
                    problems.append(f"{name} to every source")
                elif any(_covers(p, span, named) for p in ports for span in SPAN_PORTS):
                    problems.append(f"{name} in the same rule as the span ports {SPAN_PORTS}")
    return problems


NETWORK_CHECKS: dict[str, Callable[[list[Any]], list[str]]] = {
    "exporters-isolated-by-network-policies": exporters_isolated_by_network_policies,
    "prometheus-and-alertmanager-behind-the-proxy": prometheus_and_alertmanager_behind_the_proxy,
    "jaeger-query-limited-to-named-peers": jaeger_query_limited_to_named_peers,
}
