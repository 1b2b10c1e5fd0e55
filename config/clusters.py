"""Kafka cluster specs: '<name> ns=<namespace> brokers=<h:p>,... controllers=<h:p>,... [zookeeper=...] [tls=...]'."""
from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$")
_TARGET = re.compile(r"^[A-Za-z0-9.-]+:[0-9]{1,5}$")
_LIST_FIELDS = ("brokers", "controllers", "zookeeper", "tls")
GRAMMAR = "'<name> ns=<namespace> brokers=<host:port>,... controllers=<host:port>,... [zookeeper=<host:port>,...] [tls=<host:port>,...]'"


@dataclass(frozen=True)
class KafkaCluster:
    name: str
    namespace: str
    brokers: tuple[str, ...]
    controllers: tuple[str, ...]
    zookeeper: tuple[str, ...] = ()
    tls: tuple[str, ...] = ()  # TLS listeners probed for certificate expiry

    @property
    def kraft(self) -> bool:
        return not self.zookeeper


def parse_cluster(spec: object, key: str) -> tuple[KafkaCluster | None, list[str]]:
    """Parse one spec; return the cluster or the problems, each naming `key`."""
    if not isinstance(spec, str) or not spec.split():
        return None, [f"{key}: {spec!r} is not a cluster spec; expected {GRAMMAR}"]
    name, *pairs = spec.split()
    errors: list[str] = []
    if not _NAME.match(name):
        errors.append(f"{key}: cluster name {name!r} must be a DNS label (lowercase letters, digits, '-', at most 40)")
    fields: dict[str, str] = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep or field not in ("ns", *_LIST_FIELDS) or field in fields:
            errors.append(f"{key}: {pair!r} is not allowed; expected {GRAMMAR} with each field once")
            continue
        fields[field] = value
    lists = {f: tuple(t for t in fields.get(f, "").split(",") if t) for f in _LIST_FIELDS}
    for field, targets in lists.items():
        for target in targets:
            if not _TARGET.match(target):
                errors.append(f"{key}.{field}: {target!r} is not a host:port target")
    for field in ("brokers", "controllers"):
        if not lists[field]:
            errors.append(f"{key}.{field}: at least one host:port target is required")
    if not _NAME.match(fields.get("ns", "")):
        errors.append(f"{key}.ns: {fields.get('ns', '')!r} must be a Kubernetes namespace name")
    if errors:
        return None, errors
    return KafkaCluster(name, fields["ns"], **lists), []
