"""Where a configured host name points, for the flow table (content/network.py): a cluster DNS name
is pods of its namespace, an address is itself, any other name is outside.

Kubernetes DNS (kubernetes/dns docs/specification.md, "A/AAAA Records"): a Service is
`<service>.<ns>.svc.<zone>`, a pod behind a headless Service `<hostname>.<service>.<ns>.svc.<zone>`; so
the namespace is the label before `svc`, with at least the service's label before it.
"""
from __future__ import annotations

import pytest

from content.network import ANYWHERE, Hosts, Pods, _host_endpoint


@pytest.mark.parametrize(("host", "endpoint"), [
    ("es-http.search.svc", Pods("x", "search")),
    ("es-http.search.svc.cluster.local", Pods("x", "search")),
    ("kafka-0.kafka-brokers.kafka.svc", Pods("x", "kafka")),
    ("ES-HTTP.Search.SVC", Pods("x", "search")),            # DNS names are case-insensitive
    ("search.svc", Hosts("x", ANYWHERE)),                    # no service label before the namespace
    ("svc", Hosts("x", ANYWHERE)),
    ("svc.example.com", Hosts("x", ANYWHERE)),
    ("elasticsearch.necpgame.internal", Hosts("x", ANYWHERE)),
    ("10.0.0.5", Hosts("x", ("10.0.0.5/32",))),
    ("[fd00::1]", Hosts("x", ("fd00::1/128",))),
])
def test_a_host_is_pods_of_its_namespace_itself_or_outside(host, endpoint):
    assert _host_endpoint("x", host) == endpoint
