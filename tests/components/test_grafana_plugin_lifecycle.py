"""The Grafana plugin requirement's diff and read (components/grafana_plugin.py), directly and through
the real dynamic-provider process the engine starts (`python -m pulumi.dynamic`, pulumi 3.272.0), over
its gRPC interface on 127.0.0.1.

Facts, from pulumi/pulumi sdk/python/lib/pulumi/dynamic/__main__.py at v3.272.0 (the pinned wheel's
copy): Diff maps DiffResult.changes to DIFF_SOME / DIFF_NONE and passes `replaces` on; Read answers
ReadResponse(id=result.id, properties=outs + __provider), so a None id reaches the engine as "" (a
resource that no longer exists: refresh drops it). Grafana's `GET /api/plugins/<id>/settings` answers
404 for a plugin that is not installed (pkg/api/plugins.go, GetPluginSettingByID); a refused token is
401 or 403, which the provider reports rather than passing as "not checked".
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import grpc
import pytest
from pulumi.dynamic.dynamic import PROVIDER_KEY, serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from components import grafana_plugin as gp
from harness.runtime import ROOT

PLUGIN = "grafana-opensearch-datasource"
URN = "urn:pulumi:prod::kafka-monitoring::pulumi-python:dynamic:Resource$grafana:GrafanaPlugin::opensearch-plugin"


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("GRAFANA_AUTH", "glsa_test")


def state(url: str, **extra) -> dict:
    """What the state holds after an up: the inputs and what check added."""
    return {"url": url, "plugin_id": PLUGIN, "used_by": "Kafka security events", "checked": True,
            "status": "installed, version 2.24.0", **extra}


@pytest.mark.parametrize(("change", "replaces"), [
    ({"url": "http://grafana.other:3000"}, ["url"]),
    ({"plugin_id": "grafana-clickhouse-datasource"}, ["plugin_id"]),
    ({"url": "http://grafana.other:3000", "plugin_id": "x-datasource"}, ["url", "plugin_id"]),
])
def test_another_grafana_or_plugin_replaces_the_requirement_so_it_is_checked_again(change, replaces):
    olds = state("http://grafana:3000")
    result = gp.GrafanaPluginProvider().diff(PLUGIN, olds, {**olds, **change})
    assert (result.changes, result.replaces, result.delete_before_replace) == (True, replaces, False)


@pytest.mark.parametrize("change", [
    {"used_by": "another datasource"},  # words in the message only
    {"checked": False, "status": "unreachable (timed out)"},  # what check saw this time
    {PROVIDER_KEY: "another serialised provider"},  # the engine's own key, new on every program change
    {},
])
def test_what_check_saw_or_the_words_do_not_change_the_requirement(change):
    olds = state("http://grafana:3000")
    result = gp.GrafanaPluginProvider().diff(PLUGIN, olds, {**olds, **change})
    assert (result.changes, result.replaces) == (False, [])


def test_read_keeps_an_installed_plugin_and_refreshes_what_grafana_says(httpserver):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings").respond_with_json(
        {"id": PLUGIN, "enabled": True, "info": {"version": "2.25.1"}})
    props = state(httpserver.url_for("/"))
    result = gp.GrafanaPluginProvider().read(PLUGIN, props)
    assert result.id == PLUGIN
    assert result.outs == {**props, "status": "installed, version 2.25.1"}


def test_read_drops_a_plugin_that_was_uninstalled(httpserver):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings").respond_with_json(
        {"message": "Plugin not found, no installed plugin with that id"}, status=404)
    result = gp.GrafanaPluginProvider().read(PLUGIN, state(httpserver.url_for("/")))
    assert (result.id, result.outs) == (None, {})


@pytest.mark.parametrize(("status", "said"), [(500, "HTTP 500"), (502, "HTTP 502")])
def test_read_keeps_the_requirement_when_grafana_fails_and_says_so(httpserver, status, said):
    """A Grafana error is not "uninstalled": dropping the resource on a 5xx would hide the plugin check
    until the next up."""
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings").respond_with_data("oops", status=status)
    props = state(httpserver.url_for("/"))
    result = gp.GrafanaPluginProvider().read(PLUGIN, props)
    assert (result.id, result.outs) == (PLUGIN, {**props, "status": said})


@pytest.mark.parametrize("status", [401, 403])
def test_read_with_a_refused_token_fails_naming_the_role_not_as_not_checked(httpserver, status):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings").respond_with_json({"message": "denied"},
                                                                                   status=status)
    with pytest.raises(PermissionError, match=rf"HTTP {status}.*Admin role") as raised:
        gp.GrafanaPluginProvider().read(PLUGIN, state(httpserver.url_for("/")))
    assert "glsa_test" not in str(raised.value)


def test_a_403_at_check_fails_the_preview_rather_than_passing_as_not_checked(httpserver):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings").respond_with_json({"message": "denied"},
                                                                                   status=403)
    result = gp.GrafanaPluginProvider().check({}, {k: v for k, v in state(httpserver.url_for("/")).items()
                                                  if k in ("url", "plugin_id", "used_by")})
    (failure,) = result.failures
    assert failure.property == "url" and "HTTP 403" in failure.reason
    assert "checked" not in result.inputs


# ---- through the dynamic provider process


@pytest.fixture
def provider_process():
    """`python -m pulumi.dynamic` as the engine starts it: it prints its port and serves gRPC."""
    proc = subprocess.Popen([sys.executable, "-m", "pulumi.dynamic"], stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "GRAFANA_AUTH": "glsa_test"})
    try:
        port = int(proc.stdout.readline().strip() or 0)
        assert port, "the provider process printed no port"
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=20)
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _struct(props: dict):
    return asyncio.new_event_loop().run_until_complete(rpc.serialize_properties(props, {}))


def test_the_engine_sees_an_uninstalled_plugin_as_gone_and_a_changed_url_as_a_replacement(httpserver,
                                                                                         provider_process):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings").respond_with_json(
        {"message": "Plugin not found, no installed plugin with that id"}, status=404)
    serialised = serialize_provider(gp.GrafanaPluginProvider())
    props = {**state(httpserver.url_for("/")), PROVIDER_KEY: serialised}
    read = provider_process.Read(provider_pb2.ReadRequest(id=PLUGIN, urn=URN, properties=_struct(props)),
                                 timeout=30)
    assert read.id == ""  # refresh drops it

    diff = provider_process.Diff(provider_pb2.DiffRequest(
        id=PLUGIN, urn=URN, olds=_struct(props),
        news=_struct({**props, "url": "http://grafana.other:3000", "status": "anything"})), timeout=30)
    assert (diff.changes, list(diff.replaces)) == (provider_pb2.DiffResponse.DIFF_SOME, ["url"])
    same = provider_process.Diff(provider_pb2.DiffRequest(
        id=PLUGIN, urn=URN, olds=_struct(props), news=_struct({**props, "checked": False})), timeout=30)
    assert (same.changes, list(same.replaces)) == (provider_pb2.DiffResponse.DIFF_NONE, [])


def test_the_engine_keeps_an_installed_plugin_with_what_grafana_says_now(httpserver, provider_process):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings", headers={"Authorization": "Bearer glsa_test"}
                              ).respond_with_json({"id": PLUGIN, "info": {"version": "2.25.1"}})
    props = {**state(httpserver.url_for("/")), PROVIDER_KEY: serialize_provider(gp.GrafanaPluginProvider())}
    read = provider_process.Read(provider_pb2.ReadRequest(id=PLUGIN, urn=URN, properties=_struct(props)),
                                 timeout=30)
    outs = rpc.deserialize_properties(read.properties)
    assert read.id == PLUGIN
    assert (outs["status"], outs["url"], outs["plugin_id"]) == ("installed, version 2.25.1",
                                                                httpserver.url_for("/"), PLUGIN)
