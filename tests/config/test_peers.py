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
