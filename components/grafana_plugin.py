"""A Pulumi dynamic resource that verifies a Grafana plugin is installed before anything uses it.

The security-events datasource is the external plugin `grafana-opensearch-datasource`; Grafana
accepts a datasource of a type it does not have and only fails when a panel queries it. So this
resource asks Grafana (`GET /api/plugins/<id>/settings`: 200 with the plugin's `info`, or 404
"Plugin not found, no installed plugin with that id", Grafana pkg/api/plugins.go) in `check`,
which the engine runs in `pulumi preview` and `pulumi up` alike, and fails naming the plugin and
how to install it. An unreachable Grafana (a runner outside its network) costs one short attempt
and passes with `checked: false` in the state, so the preview still renders.

The token is never an input: it comes from GRAFANA_AUTH or the stack's secret `grafanaToken`.
This class stays at this module path: state pickles the provider by reference.
"""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, ConfigureRequest, CreateResult, DiffResult, ReadResult, \
    ResourceProvider

TIMEOUT_S = 3
_stack_config: Any = None  # set by configure() inside the provider process, never serialised


def _token() -> str:
    if os.environ.get("GRAFANA_AUTH"):
        return os.environ["GRAFANA_AUTH"]
    return (_stack_config.get("grafanaToken") if _stack_config is not None else None) or ""


def probe(url: str, plugin_id: str, token: str) -> tuple[bool | None, str]:
    """(installed: True/False, or None when Grafana could not be asked; what Grafana said)."""
    request = urllib.request.Request(f"{url.rstrip('/')}/api/plugins/{plugin_id}/settings",
                                     headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            info = json.loads(response.read() or b"{}").get("info") or {}
            return True, f"installed, version {info.get('version', 'unknown')}"
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return False, "not installed"
        if err.code in (401, 403):
            raise PermissionError(f"Grafana {url} refused the service account token (HTTP {err.code}); it needs "
                                  "the Admin role to read plugin settings") from None
        return None, f"HTTP {err.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        return None, f"unreachable ({getattr(err, 'reason', err)})"


class GrafanaPluginProvider(ResourceProvider):
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        global _stack_config
        _stack_config = req.config

    def check(self, olds: dict, news: dict) -> CheckResult:
        try:
            installed, said = probe(news["url"], news["plugin_id"], _token())
        except PermissionError as err:
            return CheckResult(news, [CheckFailure("url", str(err))])
        if installed is False:
            return CheckResult(news, [CheckFailure("plugin_id", (
                f"Grafana {news['url']} does not have the plugin {news['plugin_id']} that the "
                f"{news['used_by']} datasource needs; install it (grafana-cli plugins install {news['plugin_id']}, "
                f"or GF_INSTALL_PLUGINS={news['plugin_id']} / the Helm chart's `plugins` list) and run again"))])
        return CheckResult({**news, "checked": installed is True, "status": said}, [])

    def create(self, props: dict) -> CreateResult:
        return CreateResult(props["plugin_id"], props)

    def diff(self, id_: str, olds: dict, news: dict) -> DiffResult:
        changed = [k for k in ("url", "plugin_id") if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=False)

    def read(self, id_: str, props: dict) -> ReadResult:
        installed, said = probe(props["url"], props["plugin_id"], _token())
        if installed is False:
            return ReadResult(None, {})  # gone: refresh drops it, and the next up checks again
        return ReadResult(id_, {**props, "status": said})

    def delete(self, id_: str, props: dict) -> None:
        """Nothing to undo: the plugin is Grafana's, not this stack's."""


class GrafanaPlugin(pulumi.dynamic.Resource, module="grafana", name="GrafanaPlugin"):
    """A requirement: the Grafana at `url` has `plugin_id` installed (checked on every preview and up)."""

    def __init__(self, name: str, *, url: str, plugin_id: str, used_by: str,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(GrafanaPluginProvider(), name, {"url": url, "plugin_id": plugin_id, "used_by": used_by},
                         opts)
