"""GrafanaDashboards under mocks: folders, permissions, datasources and dashboards as rendered."""
from __future__ import annotations

import json

from content import dashboards
from harness.runtime import MASK
from tests.conftest import make_settings


def test_folders_and_security_permission(stack_runs):
    run = stack_runs["prod"]
    folders = {r.inputs["uid"]: r.inputs["title"] for r in run.of_type("grafana:oss/folder:Folder")}
    assert folders == {"kafka": "Kafka", "kafka-security": "Security", "kafka-incident-response": "Incident Response"}
    (perm,) = run.of_type("grafana:oss/folderPermission:FolderPermission")
    assert perm.inputs["folderUid"] == "kafka-security"
    assert perm.inputs["permissions"] == [{"teamId": "7", "permission": "View"}]


def test_datasources_have_fixed_uids_and_secret_credentials(stack_runs):
    run = stack_runs["prod"]
    sources = {r.inputs["uid"]: r for r in run.of_type("grafana:oss/dataSource:DataSource")}
    assert set(sources) == {"kafka-prometheus", "kafka-alertmanager", "kafka-application-logs",
                            "kafka-security-events", "kafka-traces"}
    es = sources["kafka-application-logs"].inputs
    assert json.loads(es["jsonDataEncoded"])["index"] == "kafka-application-*"
    assert es["secureJsonDataEncoded"] == MASK and es["basicAuthUsername"] == "kafka-monitoring"
    assert json.loads(sources["kafka-security-events"].inputs["jsonDataEncoded"])["database"] == "kafka-security-*"
    (provider,) = run.of_type("pulumi:providers:grafana")
    assert provider.inputs["auth"] == MASK and provider.inputs["url"] == "https://grafana.necpgame.internal"


def test_dashboards_deploy_what_the_sdk_built_into_their_folders(stack_runs):
    run = stack_runs["prod"]
    deployed = {json.loads(r.inputs["configJson"])["uid"]: r for r in run.of_type("grafana:oss/dashboard:Dashboard")}
    built = dashboards.dashboards(make_settings("prod"))
    assert {uid: json.loads(r.inputs["configJson"]) for uid, r in deployed.items()} == {
        uid: board for uid, (_, board) in built.items()}
    assert {uid: r.inputs["folder"] for uid, r in deployed.items()} == {
        "kafka-overview": "kafka", "kafka-application": "kafka", "kafka-security": "kafka-security",
        "kafka-incident-response": "kafka-incident-response"}


def test_prometheus_owns_alerting_no_grafana_alert_rules(stack_runs):
    assert not [r for r in stack_runs["prod"].resources if r.type.startswith("grafana:alerting/")]


def test_urls_and_uids_are_outputs(stack_runs):
    out = stack_runs["prod"].outputs
    assert out["grafana_dashboard_urls"]["kafka-overview"] == "https://grafana.necpgame.internal/d/kafka-overview"
    assert out["grafana_folder_uids"]["Security"] == "kafka-security"
    assert out["grafana_datasource_uids"]["jaeger"] == "kafka-traces"
