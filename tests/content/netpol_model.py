"""A model of how Kubernetes evaluates NetworkPolicies (networking.k8s.io/v1), to run rendered
policies against pods as a cluster would.

Semantics, from the API's own documentation of each field (kubernetes/api `networking/v1/types.go`,
commit 1ff85247c7d7fc007c52180bfb500a59ec81e5a7, the source of the published API reference) and
the label selector rules (kubernetes/apimachinery `pkg/apis/meta/v1/helpers.go`
LabelSelectorAsSelector: an empty selector selects everything; matchLabels and matchExpressions
are ANDed; operators In, NotIn, Exists, DoesNotExist):

- A connection is allowed only if the source's egress AND the destination's ingress allow it.
- A pod is isolated for a direction once any policy of its namespace selects it (`podSelector`,
  empty: every pod of the namespace) with that direction in `policyTypes`. Without `policyTypes`,
  a policy affects Ingress, and Egress too when it has an `egress` section.
- An isolated pod accepts what at least one rule of at least one policy selecting it allows
  (policies are additive); "Traffic is allowed to a pod ... if the traffic source is the pod's
  local node".
- A rule matches when both its peers and its ports match. Missing or empty `from`/`to`: every
  peer; missing or empty `ports`: every port. Peers of a rule are ORed; ports are ORed.
- A peer: `podSelector` alone selects pods of the policy's namespace; `namespaceSelector` alone,
  every pod of the selected namespaces; both, the pods matching podSelector in those namespaces
  (AND within one peer). `ipBlock` matches an address in `cidr` and in none of `except`.
- A port: `protocol` defaults to TCP; no `port`, every port of that protocol; a named port
  matches the destination pod's container port of that name; `endPort` makes a range.
- Host-network pods have the node's address: policies never select them (their namespace's
  policies do not isolate them), and as peers they are matched by ipBlock only.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: dict[str, str]
    ip: str
    ports: dict[str, tuple[str, int]] = field(default_factory=dict)  # container port name -> (protocol, number)
    host_network: bool = False
    node_ip: str = ""


@dataclass(frozen=True)
class Host:
    """An address outside the pod network: a node, the API server, a service on the internet."""
    name: str
    ip: str


Endpoint = Pod | Host


@dataclass
class Cluster:
    namespaces: dict[str, dict[str, str]]  # namespace -> its labels
    policies: list[dict]                   # NetworkPolicy objects (metadata, spec)

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        # The API server labels every namespace with its name (kubernetes.io/metadata.name, 1.22+).
        return {"kubernetes.io/metadata.name": namespace, **self.namespaces.get(namespace, {})}

    def allowed(self, source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP") -> bool:
        return (self._direction(source, destination, port, protocol, "Egress")
                and self._direction(destination, source, port, protocol, "Ingress"))

    def selecting(self, pod: Endpoint, direction: str) -> list[dict]:
        """The policies that isolate `pod` for `direction`."""
        if not isinstance(pod, Pod) or pod.host_network:
            return []
        return [p for p in self.policies if p["metadata"]["namespace"] == pod.namespace
                and direction in policy_types(p["spec"]) and matches(p["spec"].get("podSelector") or {}, pod.labels)]

    def _direction(self, pod: Endpoint, other: Endpoint, port: int, protocol: str, direction: str) -> bool:
        policies = self.selecting(pod, direction)
        if not policies:
            return True
        if direction == "Ingress" and isinstance(other, Host) and isinstance(pod, Pod) and other.ip == pod.node_ip:
            return True  # the pod's own node (kubelet probes)
        destination = pod if direction == "Ingress" else other
        key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
        for policy in policies:
            for rule in policy["spec"].get(key) or []:
                peers = rule.get(peers_key) or []
                if peers and not any(self._peer(p, policy["metadata"]["namespace"], other) for p in peers):
                    continue
                ports = rule.get("ports") or []
                if ports and not any(port_matches(p, destination, port, protocol) for p in ports):
                    continue
                return True
        return False

    def _peer(self, peer: dict, policy_namespace: str, endpoint: Endpoint) -> bool:
        if "ipBlock" in peer:
            return in_block(peer["ipBlock"], endpoint.ip)
        if not isinstance(endpoint, Pod) or endpoint.host_network:
            return False
        if "namespaceSelector" in peer:
            if not matches(peer["namespaceSelector"], self.namespace_labels(endpoint.namespace)):
                return False
        elif endpoint.namespace != policy_namespace:
            return False
        return matches(peer.get("podSelector") or {}, endpoint.labels)


def policy_types(spec: dict) -> list[str]:
    if spec.get("policyTypes"):
        return list(spec["policyTypes"])
    return ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]


def matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """metav1.LabelSelector: matchLabels and every matchExpression; empty selects everything."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        ok = {"In": key in labels and labels[key] in values,
              "NotIn": key not in labels or labels[key] not in values,
              "Exists": key in labels,
              "DoesNotExist": key not in labels}[op]
        if not ok:
            return False
    return True


def in_block(block: dict, ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    network = ipaddress.ip_network(block["cidr"])
    if address.version != network.version or address not in network:
        return False
    return not any(address.version == ipaddress.ip_network(e).version and address in ipaddress.ip_network(e)
                   for e in block.get("except") or [])


def port_matches(rule_port: dict, destination: Endpoint, port: int, protocol: str) -> bool:
    if rule_port.get("protocol", "TCP") != protocol:
        return False
    wanted = rule_port.get("port")
    if wanted is None:
        return True
    if isinstance(wanted, str):  # a named port: the destination pod's container port of that name
        named = destination.ports.get(wanted) if isinstance(destination, Pod) else None
        return named is not None and named == (protocol, port)
    return wanted <= port <= rule_port.get("endPort", wanted)
