"""Network peers named in the settings: who may reach the monitoring plane from outside it.

    <namespace>                          every pod of a namespace
    <namespace>:<label>=<value>[;...]    the pods of a namespace that carry every one of those labels
    <address>/<prefix>                   an IPv4 or IPv6 network (hosts outside the cluster's pods)

A label key never contains ':' (k8s.io/apimachinery validation.IsQualifiedName), so the first ':'
ends the namespace. A network must be given by its first address (10.0.0.0/8, not 10.1.2.3/8): a
NetworkPolicy ipBlock takes any CIDR, but a host address with a prefix is almost always a typo.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from config.clusters import Selector, _selector

_NAMESPACE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
GRAMMAR = "<namespace>, <namespace>:<label>=<value>[;<label>=<value>...] or a network such as 10.0.0.0/16"


@dataclass(frozen=True)
class Peer:
    """Pods of a namespace (all of them when `labels` is empty), or a network when `cidr` is set."""
    namespace: str = ""
    labels: Selector = ()
    cidr: str = ""


def parse_peer(text: object) -> Peer | None:
    """The peer a setting names, or None where the text is not one."""
    if not isinstance(text, str) or not text or len(text) > 512:
        return None
    if "/" in text and ":" not in text.split("/")[0] or _is_ipv6_network(text):
        try:
            return Peer(cidr=str(ipaddress.ip_network(text, strict=True)))
        except ValueError:
            return None
    namespace, sep, labels = text.partition(":")
    if not _NAMESPACE.fullmatch(namespace):
        return None
    if not sep:
        return Peer(namespace=namespace)
    selector, errors = _selector(labels, "peer")
    return None if errors or not selector else Peer(namespace=namespace, labels=selector)


def _is_ipv6_network(text: str) -> bool:
    """`fd00::/8`: a ':' before the '/' and nothing after it that a label selector would need."""
    address, sep, _ = text.partition("/")
    return bool(sep) and ":" in address and "=" not in text
