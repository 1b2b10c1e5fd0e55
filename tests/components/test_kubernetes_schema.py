"""Every Kubernetes object the program builds has only fields its kind's API schema has
(tests/components/kubernetes_schema.py: the pinned pulumi-kubernetes SDK's types, generated from
the API's OpenAPI spec)."""
from __future__ import annotations

import pytest

from pulumi_kubernetes.core.v1 import ContainerArgs
from tests.components import kubernetes_schema as schema
from tests.conftest import STACKS


def test_the_schema_knows_the_apis_spelling_and_refuses_another():
    container = {"name": "x", "readinessProbe": {"httpGet": {"path": "/", "port": 1}},
                 "env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}
    assert schema.problems(container, ContainerArgs) == []
    container["env"][0]["valueFrom"]["secretKeyref"] = {}
    container["readinessprobe"] = {}
    assert schema.problems(container, ContainerArgs) == ["env[0].valueFrom.secretKeyref: unknown field",
                                                         "readinessprobe: unknown field"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_registered_object_has_only_fields_of_its_kinds_schema(stack_runs, stack):
    checked = 0
    for r in stack_runs[stack].resources:
        kind = r.type.removeprefix("kubernetes:")
        if not r.type.startswith("kubernetes:") or kind.startswith("helm.sh/"):
            continue
        found = schema.problems(r.inputs.get("metadata", {}), schema.METADATA, "metadata")
        if kind in schema.SPEC:
            found += schema.problems(r.inputs["spec"], schema.SPEC[kind], "spec")
            checked += 1
        assert found == [], r.name
    assert checked >= 2


@pytest.mark.parametrize("stack", STACKS)
def test_every_container_we_run_is_admitted_by_the_restricted_pod_security_standard(stack_runs, stack):
    deployments = stack_runs[stack].of_type("kubernetes:apps/v1:Deployment")
    assert deployments
    for d in deployments:
        for container in d.inputs["spec"]["template"]["spec"]["containers"]:
            assert schema.restricted(container.get("securityContext", {})) == [], (d.name, container["name"])


def test_the_restricted_check_refuses_each_weakening():
    from content.pods import RESTRICTED
    assert schema.restricted(RESTRICTED) == []
    for key, value in [("runAsNonRoot", False), ("allowPrivilegeEscalation", True), ("capabilities", {"drop": []}),
                       ("seccompProfile", {"type": "Unconfined"}), ("capabilities", {"drop": ["ALL"], "add": ["SYS_ADMIN"]})]:
        assert len(schema.restricted({**RESTRICTED, key: value})) == 1, key
