"""The Alertmanager config as deployed, not as reviewed: the config Secret's stringData read with the
secrets left in (the usual recording monitor masks them), then checked by amtool.

The reviewed copy (artifact, annotation hash) carries content/alertmanager.HEARTBEAT_PLACEHOLDER where
the deployed one must carry the stack's deadMansSwitchUrl: a deployed placeholder would send the
Watchdog to nowhere and the dead man's switch would page for a healthy stack. Secrets travel as the
SDK serialises them (pulumi sdk/python/lib/pulumi/runtime/rpc.py, v3.272.0: a secret is
{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": ...}, read with
rpc.is_rpc_secret).
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml
from pulumi.runtime import rpc

from content import alertmanager
from harness import runtime
from tests.conftest import SECRET_VALUES, full_config

SECRET = "<secret>"


def _reveal(value):
    """Like runtime.mask_secrets, but a secret keeps its value, wrapped so that the test sees it was one."""
    if rpc.is_rpc_secret(value):
        return {SECRET: _reveal(value["value"])}
    if isinstance(value, dict):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_reveal(v) for v in value]
    return value


URLS = {stack: f"https://heartbeat.example/{stack}-ping-9d1c" for stack in ("prod", "dev")}


@pytest.fixture(scope="module")
def deployed():
    """stack -> one run with the secrets left in (the program runs once per stack for this module)."""
    runs = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runtime, "mask_secrets", _reveal)
        for stack, url in URLS.items():
            config, secret_keys = full_config(stack, {**SECRET_VALUES, "deadMansSwitchUrl": url})
            runs[stack] = runtime.run(stack, config, secret_keys)
    return runs


def _secrets(run) -> dict[str, dict]:
    return {r.inputs["metadata"]["name"]: r.inputs for r in run.of_type("kubernetes:core/v1:Secret")
            if "alertmanager" in r.name}


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_the_deployed_config_carries_the_real_heartbeat_url_and_is_otherwise_the_reviewed_one(deployed, stack):
    url, run = URLS[stack], deployed[stack]
    config = next(s for name, s in _secrets(run).items() if name.endswith("-alertmanager-config"))
    # The engine receives the whole stringData as one secret (an Output.secret inside a dict makes the
    # property secret as it is serialised).
    assert set(config["stringData"]) == {SECRET}, "the deployed config must stay a Pulumi secret"
    text = config["stringData"][SECRET]["alertmanager.yaml"]
    assert alertmanager.HEARTBEAT_PLACEHOLDER not in text
    deployed = yaml.safe_load(text)
    (heartbeat,) = [r for r in deployed["receivers"] if r["name"] == "heartbeat"]
    assert heartbeat["webhook_configs"] == [{"url": url, "send_resolved": False}]
    # Apart from the URL, the deployed config is the reviewed artifact (so the annotation hash of the
    # reviewed copy speaks for what runs).
    reviewed = run.artifacts["alertmanager/alertmanager.yml"]
    for receiver in reviewed["receivers"]:
        if receiver["name"] == "heartbeat":
            assert receiver["webhook_configs"][0]["url"] == alertmanager.HEARTBEAT_PLACEHOLDER
            receiver["webhook_configs"][0]["url"] = url
    assert deployed == reviewed


def test_the_receivers_secret_deploys_every_key_with_its_real_value_as_a_secret(deployed):
    run = deployed["prod"]
    receivers = next(s for name, s in _secrets(run).items() if name.endswith("-alertmanager-receivers"))
    assert receivers["stringData"] == {SECRET: {
        "pagerduty-critical-key": "pd-critical-LEAKCHECK-1111",
        "pagerduty-high-key": "pd-high-LEAKCHECK-2222",
        "slack-webhook-url": "https://hooks.slack.example/LEAKCHECK-3333",
    }}


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool is not installed")
def test_amtool_accepts_the_deployed_config_with_the_receivers_files_where_it_reads_them(deployed, tmp_path):
    """amtool check-config (Alertmanager's own loader) on the deployed text, the receivers' files
    written where the config names them, under a temporary root."""
    secrets = _secrets(deployed["prod"])
    config = next(s for name, s in secrets.items() if name.endswith("-alertmanager-config"))
    receivers_name, receivers = next((n, s) for n, s in secrets.items() if n.endswith("-alertmanager-receivers"))
    text = config["stringData"][SECRET]["alertmanager.yaml"]
    secrets_dir = next(r["pagerduty_configs"][0]["routing_key_file"] for r in yaml.safe_load(text)["receivers"]
                       if r["name"] == "pagerduty-critical").rsplit("/", 1)[0]
    assert secrets_dir.endswith(f"/{receivers_name}")
    local = tmp_path / secrets_dir.lstrip("/")
    local.mkdir(parents=True)
    for file_name, value in receivers["stringData"][SECRET].items():
        (local / file_name).write_text(value)
    (tmp_path / "alertmanager.yml").write_text(text.replace(secrets_dir, str(local)))
    proc = subprocess.run(["amtool", "check-config", str(tmp_path / "alertmanager.yml")], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout
