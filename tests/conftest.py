"""Shared fixtures. `program` runs the real __main__.py under Pulumi's mocks with a fresh event
loop each time and records every registered resource (type, name, parent, inputs, options)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpserver import HTTPServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import runtime  # noqa: E402
from config import schema, settings  # noqa: E402

SECRET_VALUES = {  # distinctive, so that a leak is easy to find
    "pagerdutyCriticalKey": "pd-critical-LEAKCHECK-1111",
    "pagerdutyHighKey": "pd-high-LEAKCHECK-2222",
    "slackWebhookUrl": "https://hooks.slack.example/LEAKCHECK-3333",
    "deadMansSwitchUrl": "https://heartbeat.example/LEAKCHECK-7777",
    "grafanaToken": "glsa_LEAKCHECK-4444",
    "elasticsearchPassword": "es-LEAKCHECK-5555",
    "opensearchPassword": "os-LEAKCHECK-6666",
    "authProxyPassword": "proxy-LEAKCHECK-8888",
}
STACKS = runtime.list_stacks()
# Two clusters with static targets, the first on ZooKeeper: what no stack file has.
TWO_CLUSTERS = ["a ns=x brokers=a0.x.svc:7071 controllers=ac.x.svc:7071 zookeeper=z0.x.svc:7071 exporterPods=app=e",
                "b ns=y brokers=b0.y.svc:7071 controllers=bc.y.svc:7071 exporterPods=app=e"]


def stack_raw(stack: str) -> dict[str, Any]:
    """The project's own keys of a stack file, without the namespace."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    prefix = schema.project_name() + ":"
    return {k[len(prefix):]: v for k, v in config.items() if k.startswith(prefix)}


def stack_context(stack: str, **others: Any) -> settings.Context:
    """The stack file's keys outside the project's namespace (provider pins), as the engine passes them."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    prefix = schema.project_name() + ":"
    return settings.Context(stack, {**{k: v for k, v in config.items() if not k.startswith(prefix)}, **others})


def make_settings(stack: str = "prod", **overrides: Any) -> settings.Settings:
    return settings.parse({**stack_raw(stack), **overrides}, dict(SECRET_VALUES), stack_context(stack))


def full_config(stack: str, secrets: dict[str, str] | None = None, **overrides: Any) -> tuple[dict, set]:
    config, secret_keys = runtime.stack_config(stack)
    prefix = schema.project_name() + ":"
    for key, value in {**(SECRET_VALUES if secrets is None else secrets)}.items():
        config[prefix + key] = value
        secret_keys.add(prefix + key)
    config.update({prefix + k: v for k, v in overrides.items()})
    return config, secret_keys


class _PromptHTTPServer(HTTPServer):
    def thread_target(self) -> None:
        # socketserver polls for shutdown every 0.5 s by default, and stop() waits for that poll
        # (pytest_httpserver/httpserver.py, stop: "about 0.5 seconds in worst case").
        self.server.serve_forever(poll_interval=0.01)


@pytest.fixture(scope="session")
def make_httpserver():
    """pytest-httpserver's session server (its make_httpserver fixture), on loopback, and stopped without
    waiting half a second: every mutation worker is a session of its own, and 15 in 20 provider
    workers waited for it (0.46 s of each one's 0.69 s)."""
    server = _PromptHTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def program():
    """program(stack, secrets=None, **overrides) -> runtime.Run, with real secret values set."""
    def run(stack: str = "prod", secrets: dict[str, str] | None = None, **overrides: Any) -> runtime.Run:
        config, secret_keys = full_config(stack, secrets, **overrides)
        return runtime.run(stack, config, secret_keys)
    return run


@pytest.fixture(scope="session")
def stack_runs() -> dict[str, runtime.Run]:
    """One recorded run per Pulumi.<stack>.yaml, with real-looking secret values."""
    runs = {}
    for stack in STACKS:
        config, secret_keys = full_config(stack)
        runs[stack] = runtime.run(stack, config, secret_keys)
    return runs
