"""Every name the program gives Kubernetes is one its API server and Helm accept.

The rules, from k8s.io/apimachinery pkg/util/validation/validation.go and the API's object
validation (pkg/apis/core/validation):
- metadata.name: a DNS-1123 subdomain (IsDNS1123Subdomain, at most 253), except a Namespace
  (DNS-1123 label, at most 63) and a Service (DNS-1035 label: it starts with a letter);
- label keys are qualified names (IsQualifiedName), label values at most 63 characters of
  `(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?` (IsValidLabelValue);
- container and volume names are DNS-1123 labels; port names are IANA service names
  (IsValidPortName: at most 15, lower-case letters, digits and single inner hyphens, one letter);
- ConfigMap and Secret keys match `[-._a-zA-Z0-9]+` (IsConfigMapKey);
- Helm 3 refuses a release name that is not a DNS-1123 subdomain of at most 53 characters
  (pkg/chartutil/validate_name.go, ValidateReleaseName).
"""
from __future__ import annotations

import pytest

from tests.components.kubernetes_schema import (CONFIG_KEY, DNS1035, LABEL_VALUE, dns_label, port_name,
                                                qualified, subdomain)
from tests.conftest import STACKS


def problems(resource) -> list[str]:
    """What the API server (or Helm) would refuse in one registered resource."""
    inputs, kind = resource.inputs, resource.type.rsplit(":", 1)[-1]
    found = []
    if kind == "Release":
        if not subdomain(inputs["name"], 53):
            found.append(f"release name {inputs['name']!r}")
        return found
    meta = inputs.get("metadata") or {}
    # Without metadata.name, pulumi-kubernetes auto-names the object: the resource name, a hyphen
    # and a random lower-case suffix (metadata.AssignNameIfAutonamable).
    name = meta.get("name") or f"{resource.name}-a1b2c3d4"
    ok = {"Namespace": dns_label, "Service": lambda n: len(n) <= 63 and DNS1035.fullmatch(n) is not None}.get(
        kind, subdomain)(name)
    if not ok:
        found.append(f"metadata.name {name!r}")
    for key, value in ({**(meta.get("labels") or {})}).items():
        if not qualified(key) or len(str(value)) > 63 or not LABEL_VALUE.fullmatch(str(value)):
            found.append(f"label {key}={value!r}")
    data = [d for d in (inputs.get("data"), inputs.get("string_data"), inputs.get("stringData")) if isinstance(d, dict)]
    for key in {k for d in data for k in d}:  # a secret's data is recorded as a secret: no keys to read
        if len(key) > 253 or not CONFIG_KEY.fullmatch(key):
            found.append(f"key {key!r}")
    pod = ((inputs.get("spec") or {}).get("template") or {}).get("spec") or {}
    for container in pod.get("containers", []) + pod.get("init_containers", pod.get("initContainers", [])):
        if not dns_label(container["name"]):
            found.append(f"container {container['name']!r}")
        for port in container.get("ports", []):
            if "name" in port and not port_name(port["name"]):
                found.append(f"container port {port['name']!r}")
    for volume in pod.get("volumes", []):
        if not dns_label(volume["name"]):
            found.append(f"volume {volume['name']!r}")
    if kind == "Service":
        for port in (inputs.get("spec") or {}).get("ports", []):
            if "name" in port and not port_name(port["name"]):
                found.append(f"service port {port['name']!r}")
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_name_is_one_the_api_server_and_helm_accept(stack_runs, stack):
    k8s = [r for r in stack_runs[stack].resources if r.type.startswith("kubernetes:")]
    assert len(k8s) >= 10
    assert {r.name: problems(r) for r in k8s if problems(r)} == {}


@pytest.mark.parametrize("name,valid", [
    ("kafka-monitoring-kafka-recording", True), ("XXkafka-recording", False), ("kafka-recording.rules.yml", True),
    ("KAFKA-RECORDING", False), ("a" * 253, True), ("a" * 254, False), ("-a", False), ("a..b", False),
])
def test_the_subdomain_rule_at_its_edges(name, valid):
    assert subdomain(name) is valid


@pytest.mark.parametrize("name,valid", [("metrics", True), ("http-metrics", True), ("a" * 15, True),
                                        ("a" * 16, False), ("9404", False), ("jmx--metrics", False),
                                        ("Metrics", False)])
def test_the_port_name_rule_at_its_edges(name, valid):
    assert port_name(name) is valid
