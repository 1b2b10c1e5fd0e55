"""Peers named in the network settings (config/peers.py), and what prod requires of the policies."""
from __future__ import annotations

import pytest

from config import settings
from config.peers import Peer, parse_peer
from tests.conftest import SECRET_VALUES, stack_context, stack_raw


@pytest.mark.parametrize("text,peer", [
    ("grafana", Peer(namespace="grafana")),
    ("grafana:app.kubernetes.io/name=grafana", Peer("grafana", (("app.kubernetes.io/name", "grafana"),))),
    ("ingress-nginx:app=nginx;component=controller", Peer("ingress-nginx", (("app", "nginx"), ("component", "controller")))),
    ("10.0.0.0/16", Peer(cidr="10.0.0.0/16")),
    ("203.0.113.7/32", Peer(cidr="203.0.113.7/32")),
    ("fd00::/8", Peer(cidr="fd00::/8")),
    ("0.0.0.0/0", Peer(cidr="0.0.0.0/0")),
])
def test_a_peer_is_a_namespace_its_labelled_pods_or_a_network(text, peer):
    assert parse_peer(text) == peer


@pytest.mark.parametrize("text", [
    "", "Grafana", "grafana:", "grafana:app", "grafana:=x", "grafana:app=a b",
    "10.0.0.1/16",        # a host address with a prefix: IPBlock.cidr takes it, but it is a typo
    "10.0.0.0/33", "10.0.0.0", "grafana/app=x", "-grafana", "a" * 64, None, 7,
])
def test_anything_else_is_refused(text):
    assert parse_peer(text) is None


def _problems(**overrides) -> list[str]:
    try:
        settings.parse({**stack_raw("prod"), **overrides}, dict(SECRET_VALUES), stack_context("prod"))
    except settings.SettingsError as err:
        return err.problems
    return []


def test_prod_requires_the_network_policies_and_refuses_a_bad_peer_without_echoing_it():
    assert _problems(enableNetworkPolicies=False) == ["enableNetworkPolicies: prod requires them (true)"]
    assert _problems(enableNetworkPolicies=True) == []
    (problem,) = _problems(alertmanagerSources=["10.0.0.0/8", "LEAKCHECK-peer"])
    assert problem.startswith("alertmanagerSources: not allowed; allowed: a list of peers") and "LEAKCHECK" not in problem
    (problem,) = _problems(traceSenderNamespaces=["Games"])
    assert problem.startswith("traceSenderNamespaces: not allowed")


def test_dev_may_switch_them_off():
    s = settings.parse({**stack_raw("dev"), "enableNetworkPolicies": False}, dict(SECRET_VALUES), stack_context("dev"))
    assert s.enable_network_policies is False


@pytest.mark.parametrize("text,peer", [
    # IPv6 networks, by their first address: ':' before the '/' and no '=' make one a network.
    ("2001:db8::/32", Peer(cidr="2001:db8::/32")),
    ("2001:DB8::/32", Peer(cidr="2001:db8::/32")),     # written as ipaddress writes it, lower case
    ("::/0", Peer(cidr="::/0")),
    ("fd00::1/128", Peer(cidr="fd00::1/128")),
    # A label key may carry a '/' prefix: the ':' before it makes the text a namespace and labels.
    ("monitoring:app.kubernetes.io/name=grafana;app.kubernetes.io/component=server",
     Peer("monitoring", (("app.kubernetes.io/name", "grafana"), ("app.kubernetes.io/component", "server")))),
    ("monitoring:app=", Peer("monitoring", (("app", ""),))),   # an empty label value is a value
])
def test_ipv6_networks_and_prefixed_label_keys_are_told_apart(text, peer):
    """Python 3.11.7 ipaddress.ip_network (the venv's): IPv6 networks, written in compressed lower
    case. k8s.io/apimachinery v0.31.0 pkg/util/validation/validation.go: IsQualifiedName (a label key,
    an optional DNS-subdomain prefix and '/'), IsValidLabelValue (empty allowed)."""
    assert parse_peer(text) == peer


@pytest.mark.parametrize("text", [
    "fd00::1/8",                         # host bits set: ip_network(strict=True) raises "has host bits set"
    "10.0.0.1/8",
    "2001:db8::/129",                    # no such prefix length
    "grafana:app=grafana;tier=front end",        # the second term's value has a space (IsValidLabelValue)
    "grafana:app=grafana;tier",                  # the second term has no value
    "grafana:app=grafana;",                      # an empty second term
    "grafana:-app=grafana",                      # a key starts with an alphanumeric (IsQualifiedName)
    "grafana:app=" + "v" * 64,                   # a label value of 64 characters (LabelValueMaxLength 63)
])
def test_a_network_with_host_bits_or_a_selector_with_any_bad_term_is_refused(text):
    """A selector is taken whole or not at all: one good term does not carry a bad one (the
    NetworkPolicy would select more pods than the setting says). k8s.io/apimachinery v0.31.0
    pkg/util/validation/validation.go IsValidLabelValue: `(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`,
    at most 63; Python 3.11.7 ipaddress.ip_network(strict=True) refuses host bits."""
    assert parse_peer(text) is None


@pytest.mark.parametrize("text", [
    "grafana:app=grafana\n",            # a YAML block scalar (|) ends its text with a newline
    "grafana:app\n=grafana",
    "grafana:app=grafana\n;tier=front",
])
def test_a_label_with_a_trailing_newline_is_refused(text):
    """k8s.io/apimachinery v0.31.0 pkg/util/validation/validation.go compiles its label patterns as
    "^...$" with Go's regexp, where `$` without the m flag is OpEndText, the end of the text only
    (golang/go src/regexp/syntax/parse.go: `p.op(OpEndText).Flags |= WasDollar`); Python's `$` also
    matches before a final newline, so the API server would refuse a NetworkPolicy Python accepted."""
    assert parse_peer(text) is None
