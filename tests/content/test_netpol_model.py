"""The NetworkPolicy model itself, against the semantics the API documents for each field
(kubernetes/api networking/v1/types.go, commit 1ff85247c7d7fc007c52180bfb500a59ec81e5a7; label
selectors: kubernetes/apimachinery pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector). Each case
pairs an allowed connection with a near miss that must be denied."""
from __future__ import annotations

import pytest

from tests.content.netpol_model import Cluster, Host, Pod, matches

WEB = Pod("web", "shop", {"app": "web", "tier": "front"}, "10.1.0.5", {"http": ("TCP", 8080), "dns": ("UDP", 53)})
API = Pod("api", "shop", {"app": "api"}, "10.1.0.6", {"grpc": ("TCP", 9000)})
GAME = Pod("game", "games", {"app": "web"}, "10.2.0.7")  # same app label, another namespace
NODE_EXPORTER = Pod("node-exporter", "shop", {"app": "ne"}, "172.16.0.10", host_network=True, node_ip="172.16.0.10")
NODE = Host("node", "172.16.0.10")
OUTSIDE = Host("internet", "203.0.113.9")


def cluster(*specs: dict, namespaces: dict | None = None) -> Cluster:
    return Cluster(namespaces or {"games": {"team": "games"}, "shop": {"team": "shop"}},
                   [{"metadata": {"name": f"p{i}", "namespace": "shop"}, "spec": spec} for i, spec in enumerate(specs)])


DENY_INGRESS = {"podSelector": {}, "policyTypes": ["Ingress"]}


def test_a_pod_no_policy_selects_accepts_and_sends_everything():
    """types.go NetworkPolicySpec.ingress: "Traffic is allowed to a pod if there are no NetworkPolicies selecting the pod"."""
    c = cluster()
    assert c.allowed(GAME, WEB, 8080) and c.allowed(WEB, OUTSIDE, 443) and c.allowed(OUTSIDE, WEB, 1)


def test_an_empty_pod_selector_isolates_every_pod_of_its_namespace_for_its_types_only():
    """podSelector: "An empty selector matches all pods in the policy's namespace"; ingress empty:
    "does not allow any traffic"; policyTypes [Ingress] leaves egress alone."""
    c = cluster(DENY_INGRESS)
    assert not c.allowed(GAME, WEB, 8080) and not c.allowed(WEB, API, 9000)
    assert c.allowed(WEB, GAME, 80)            # egress of shop is not isolated; games has no policy
    assert c.allowed(WEB, OUTSIDE, 443)


def test_policy_types_default_to_ingress_plus_egress_only_with_an_egress_section():
    """policyTypes: "policies that contain an egress section are assumed to affect egress, and all
    policies (whether or not they contain an ingress section) are assumed to affect ingress"."""
    only_egress_rules = cluster({"podSelector": {"matchLabels": {"app": "web"}},
                                 "egress": [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}]}]})
    assert not only_egress_rules.allowed(API, WEB, 8080)       # ingress isolated by default
    assert only_egress_rules.allowed(WEB, OUTSIDE, 443)
    assert not only_egress_rules.allowed(WEB, API, 9000)
    no_egress_section = cluster({"podSelector": {"matchLabels": {"app": "web"}}})
    assert no_egress_section.allowed(WEB, API, 9000) and not no_egress_section.allowed(API, WEB, 8080)
    explicit_ingress = cluster({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                                "egress": [{"to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}]}]})
    assert explicit_ingress.allowed(WEB, API, 9000)            # egress rules ignored: not an Egress policy
    egress_nothing = cluster({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]})
    assert not egress_nothing.allowed(WEB, OUTSIDE, 443) and egress_nothing.allowed(API, WEB, 8080)


def test_policies_are_additive():
    """podSelector: "Multiple network policies can select the same set of pods ... combined additively"."""
    from_api = {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"from": [{"podSelector": {
        "matchLabels": {"app": "api"}}}]}]}
    c = cluster(DENY_INGRESS, from_api)
    assert c.allowed(API, WEB, 8080) and not c.allowed(GAME, WEB, 8080)
    assert not c.allowed(WEB, API, 9000)  # the allow selects web only; api stays denied


def test_pod_and_namespace_selectors_in_one_peer_are_anded_and_peers_are_ored():
    """NetworkPolicyPeer: with both set, "the pods matching podSelector in the Namespaces selected by
    NamespaceSelector"; rule.from: "Items in this list are combined using a logical OR"."""
    both = {"namespaceSelector": {"matchLabels": {"team": "games"}}, "podSelector": {"matchLabels": {"app": "web"}}}
    c = cluster(DENY_INGRESS, {"podSelector": {"matchLabels": {"app": "api"}}, "ingress": [{"from": [both]}]})
    assert c.allowed(GAME, API, 9000)
    assert not c.allowed(WEB, API, 9000)     # right label, wrong namespace
    other_game = Pod("bot", "games", {"app": "bot"}, "10.2.0.8")
    assert not c.allowed(other_game, API, 9000)  # right namespace, wrong label
    ored = cluster(DENY_INGRESS, {"podSelector": {"matchLabels": {"app": "api"}}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"team": "games"}}}, {"podSelector": {"matchLabels": {"app": "web"}}}]}]})
    assert ored.allowed(other_game, API, 9000) and ored.allowed(WEB, API, 9000)


def test_a_pod_selector_alone_means_the_policys_own_namespace():
    """NetworkPolicyPeer.podSelector: "Otherwise it selects the pods matching podSelector in the policy's own namespace"."""
    c = cluster(DENY_INGRESS, {"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]})
    assert c.allowed(WEB, API, 9000) and not c.allowed(GAME, API, 9000)


def test_a_namespace_selector_by_the_name_label_the_api_server_sets():
    c = cluster(DENY_INGRESS, {"podSelector": {}, "ingress": [{"from": [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "games"}}}]}]})
    assert c.allowed(GAME, WEB, 8080) and not c.allowed(API, WEB, 8080)


def test_ip_blocks_with_exceptions():
    """IPBlock: cidr, and "except ... CIDRs that should not be included"."""
    c = cluster(DENY_INGRESS, {"podSelector": {}, "ingress": [{"from": [
        {"ipBlock": {"cidr": "203.0.113.0/24", "except": ["203.0.113.8/29"]}}]}]})
    assert c.allowed(Host("a", "203.0.113.7"), WEB, 8080)
    assert not c.allowed(Host("b", "203.0.113.9"), WEB, 8080)   # in the exception
    assert not c.allowed(Host("c", "203.0.114.1"), WEB, 8080)   # outside the block
    assert not c.allowed(Host("v6", "2001:db8::1"), WEB, 8080)  # another family


@pytest.mark.parametrize("port,protocol,ok", [(8080, "TCP", True), (8081, "TCP", False), (8080, "UDP", False)])
def test_ports_by_number_and_protocol(port, protocol, ok):
    """NetworkPolicyPort: protocol "defaults to TCP"; "only traffic on the specified protocol AND port"."""
    c = cluster(DENY_INGRESS, {"podSelector": {}, "ingress": [{"ports": [{"port": 8080}]}]})
    assert c.allowed(GAME, WEB, port, protocol) is ok


def test_a_named_port_is_the_destination_pods_port_of_that_name():
    """NetworkPolicyPort.port: "a numerical or named port on a pod"."""
    c = cluster(DENY_INGRESS, {"podSelector": {}, "ingress": [{"ports": [{"port": "http"}]}]})
    assert c.allowed(GAME, WEB, 8080)
    assert not c.allowed(GAME, WEB, 9000) and not c.allowed(GAME, API, 9000)  # api has no port named http
    egress = cluster({"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"],
                      "egress": [{"ports": [{"port": "http"}]}]})
    assert egress.allowed(API, WEB, 8080) and not egress.allowed(API, OUTSIDE, 8080)  # a host has no named ports


@pytest.mark.parametrize("port,ok", [(7999, False), (8000, True), (8500, True), (9000, True), (9001, False)])
def test_a_port_range_includes_both_ends(port, ok):
    """NetworkPolicyPort.endPort: "the range of ports from port to endPort ... inclusive"."""
    c = cluster(DENY_INGRESS, {"podSelector": {}, "ingress": [{"ports": [{"port": 8000, "endPort": 9000}]}]})
    assert c.allowed(GAME, WEB, port) is ok


def test_a_rule_without_ports_or_peers_matches_everything_and_a_port_without_number_every_port_of_its_protocol():
    """ports/from: "If this field is empty or missing, this rule matches all ..."; port: "If this field
    is not provided, this matches all port names and numbers"."""
    c = cluster(DENY_INGRESS, {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{}]})
    assert c.allowed(OUTSIDE, WEB, 1) and not c.allowed(OUTSIDE, API, 1)
    udp = cluster(DENY_INGRESS, {"podSelector": {}, "ingress": [{"ports": [{"protocol": "UDP"}]}]})
    assert udp.allowed(GAME, WEB, 53, "UDP") and not udp.allowed(GAME, WEB, 53, "TCP")


def test_a_host_network_pod_is_never_isolated_and_a_pods_own_node_always_reaches_it():
    """spec.ingress: "OR if the traffic source is the pod's local node"; a host-network pod has the
    node's address, so no podSelector selects its traffic."""
    c = cluster(DENY_INGRESS)
    assert c.allowed(GAME, NODE_EXPORTER, 9100)
    web_on_node = Pod("web", "shop", WEB.labels, WEB.ip, WEB.ports, node_ip="172.16.0.10")
    assert c.allowed(NODE, web_on_node, 8080) and not c.allowed(Host("other-node", "172.16.0.11"), web_on_node, 8080)
    by_label = cluster(DENY_INGRESS, {"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "ne"}}}]}]})
    assert not by_label.allowed(NODE_EXPORTER, WEB, 8080)  # a host-network source is matched by ipBlock only


@pytest.mark.parametrize("selector,ok", [
    ({}, True),
    ({"matchLabels": {"app": "web"}}, True),
    ({"matchLabels": {"app": "web", "tier": "back"}}, False),
    ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}, True),
    ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, False),
    ({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, False),
    ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "zone", "operator": "Exists"}]}, False),
])
def test_label_selectors(selector, ok):
    """LabelSelectorAsSelector: empty selects everything; matchLabels and matchExpressions are ANDed."""
    assert matches(selector, WEB.labels) is ok
