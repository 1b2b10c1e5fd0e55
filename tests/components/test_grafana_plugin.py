"""The Grafana plugin requirement, against a local server that answers as Grafana's plugin API does:
`GET /api/plugins/<id>/settings` -> 200 with the plugin's settings and `info`, 404
{"message": "Plugin not found, no installed plugin with that id"} (Grafana pkg/api/plugins.go,
GetPluginSettingByID), 401 for a bad token."""
from __future__ import annotations

import time

import pytest

from components import grafana_plugin as gp
from harness.tools import free_port

PLUGIN = "grafana-opensearch-datasource"


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("GRAFANA_AUTH", "glsa_test")


def inputs(url: str) -> dict:
    return {"url": url, "plugin_id": PLUGIN, "used_by": "Kafka security events"}


def test_an_installed_plugin_passes_and_the_token_is_sent(httpserver):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings", headers={"Authorization": "Bearer glsa_test"}
                              ).respond_with_json({"name": "OpenSearch", "type": "datasource", "id": PLUGIN,
                                                   "enabled": True, "info": {"version": "2.24.0"}})
    result = gp.GrafanaPluginProvider().check({}, inputs(httpserver.url_for("/")))
    assert result.failures == [] and result.inputs["checked"] is True
    assert result.inputs["status"] == "installed, version 2.24.0"


def test_a_missing_plugin_fails_the_preview_naming_it_and_how_to_install(httpserver):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings").respond_with_json(
        {"message": "Plugin not found, no installed plugin with that id"}, status=404)
    (failure,) = gp.GrafanaPluginProvider().check({}, inputs(httpserver.url_for("/"))).failures
    assert failure.property == "plugin_id"
    assert PLUGIN in failure.reason and f"grafana-cli plugins install {PLUGIN}" in failure.reason
    assert "Kafka security events" in failure.reason


def test_a_refused_token_fails_naming_the_role(httpserver):
    httpserver.expect_request(f"/api/plugins/{PLUGIN}/settings").respond_with_json({"message": "Unauthorized"},
                                                                                   status=401)
    (failure,) = gp.GrafanaPluginProvider().check({}, inputs(httpserver.url_for("/"))).failures
    assert "HTTP 401" in failure.reason and "Admin" in failure.reason and "glsa_test" not in failure.reason


def test_an_unreachable_grafana_costs_one_short_attempt_and_says_not_checked():
    port = free_port()
    start = time.monotonic()
    result = gp.GrafanaPluginProvider().check({}, inputs(f"http://127.0.0.1:{port}"))
    assert time.monotonic() - start < gp.TIMEOUT_S + 1
    assert result.failures == [] and result.inputs["checked"] is False and "unreachable" in result.inputs["status"]


def test_the_opensearch_datasource_waits_for_its_plugin_check(stack_runs):
    run = stack_runs["prod"]
    (plugin,) = run.of_type("pulumi-python:dynamic/grafana:GrafanaPlugin")
    assert plugin.inputs["plugin_id"] == PLUGIN and "__provider" in plugin.inputs
    (datasource,) = [r for r in run.of_type("grafana:oss/dataSource:DataSource") if r.inputs["type"] == PLUGIN]
    assert plugin.urn in datasource.dependencies
    others = [r for r in run.of_type("grafana:oss/dataSource:DataSource") if r.inputs["type"] != PLUGIN]
    assert others and all(plugin.urn not in r.dependencies for r in others)
