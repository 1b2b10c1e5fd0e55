"""The whole program, run for every stack file under Pulumi's mocks."""
from __future__ import annotations

import json
import re

import pytest

from harness import preview, runtime
from config.settings import SettingsError
from tests.conftest import SECRET_VALUES, STACKS, full_config

TOKEN = re.compile(r"^kafka-monitoring:[a-z]+:[A-Z][A-Za-z]+$")


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_registers_the_platform(stack_runs, stack):
    run = stack_runs[stack]
    assert len(run.of_type("kafka-monitoring:stack:MonitoringPlatform")) == 1
    assert run.outputs["environment"] == stack


@pytest.mark.parametrize("stack", STACKS)
def test_components_follow_pulumi_conventions(stack_runs, stack):
    run = stack_runs[stack]
    by_urn = {r.urn: r for r in run.resources}
    for r in run.resources:
        if not r.custom:
            assert TOKEN.match(r.type), r.type
        parent = by_urn.get(r.parent)
        if parent is None:
            assert r.type == "kafka-monitoring:stack:MonitoringPlatform", r
            continue
        assert not parent.custom, f"{r.name} is parented to a custom resource"
        assert r.name.startswith(parent.name + "-"), f"{r.name} not derived from {parent.name}"


def test_refused_config_registers_nothing():
    config, secret_keys = full_config("prod", objectLockMode="GOVERNANCE")
    with pytest.raises(SettingsError) as err:
        runtime.run("prod", config, secret_keys)
    assert any(p.startswith("objectLockMode") for p in err.value.problems)
    assert err.value.registrations == []


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_value_reaches_plan_artifacts_or_outputs(stack_runs, stack, tmp_path):
    run = stack_runs[stack]
    preview.write(run, tmp_path)
    text = "\n".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
    text += json.dumps(run.outputs, default=str)
    for value in SECRET_VALUES.values():
        assert value not in text
    assert runtime.MASK in (tmp_path / "plan.json").read_text()


def test_secure_values_in_a_stack_file_are_masked_not_decrypted(tmp_path, monkeypatch):
    (tmp_path / "Pulumi.prod.yaml").write_text(
        (runtime.ROOT / "Pulumi.prod.yaml").read_text()
        + "  kafka-monitoring:slackWebhookUrl:\n    secure: v1:AAAAciphertext==\n")
    monkeypatch.setattr(runtime, "STACKS_DIR", tmp_path)
    config, secret_keys = runtime.stack_config("prod")
    assert config["kafka-monitoring:slackWebhookUrl"] == runtime.MASK
    assert "kafka-monitoring:slackWebhookUrl" in secret_keys


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_object_goes_through_the_stacks_pinned_context(stack_runs, stack):
    """pulumi-kubernetes 4.34 `Provider(context=...)`: "the name of the kubeconfig context to use";
    without an explicit provider, the default one uses whatever context is current."""
    run = stack_runs[stack]
    providers = run.of_type("pulumi:providers:kubernetes")
    assert len(providers) == 1
    config, _ = runtime.stack_config(stack)
    assert providers[0].inputs["context"] == config["kubernetes:context"]
    objects = [r for r in run.resources if r.type.startswith("kubernetes:")]
    assert objects and all(r.provider == providers[0].urn for r in objects), \
        [r.name for r in objects if r.provider != providers[0].urn]


def test_an_existing_namespace_is_used_by_name_and_a_created_one_is_never_deleted(program):
    """pulumi-kubernetes refuses to create an object that already exists (only preview passes), so
    the namespace is referenced by default. Deleting a namespace deletes everything in it."""
    assert program("prod").of_type("kubernetes:core/v1:Namespace") == []
    for stack in ("dev", "prod"):
        (ns,) = program(stack, createMonitoringNamespace=True).of_type("kubernetes:core/v1:Namespace")
        assert ns.inputs["metadata"]["name"] == "monitoring"
        assert ns.retain_on_delete and ns.protect == (stack == "prod")
