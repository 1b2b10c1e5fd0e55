"""GrafanaDashboards under mocks: folders, permissions, datasources and dashboards as rendered."""
from __future__ import annotations

import datetime as dt
import fnmatch
import json
import re

from content import dashboards, fluent_bit
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
    assert es["secureJsonDataEncoded"] == MASK and es["basicAuthUsername"] == "kafka-monitoring"
    assert sources["kafka-security-events"].inputs["type"] == "grafana-opensearch-datasource"
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


def _grafana_daily_index(pattern: str, day: dt.date) -> str | None:
    """The index name Grafana queries for one day with `interval: Daily` (Grafana's Elasticsearch
    IndexPattern: the bracketed part is literal, the rest a moment.js date format)."""
    m = re.fullmatch(r"\[([^\]]*)\](.*)", pattern)
    if not m or not all(t in m.group(2) for t in ("YYYY", "MM", "DD")):
        return None  # a plain wildcard with an interval: no index name
    return m.group(1) + m.group(2).replace("YYYY", f"{day:%Y}").replace("MM", f"{day:%m}").replace("DD", f"{day:%d}")


def test_log_datasources_query_the_daily_indices_the_writers_create(stack_runs):
    """Fluent Bit writes `<prefix>-%Y.%m.%d` (Logstash_Format); each log datasource must resolve a day
    to that name. The OpenSearch plugin also needs its `version` and `flavor` (plugin docs, provisioning)."""
    run = stack_runs["prod"]
    sources = {r.inputs["uid"]: json.loads(r.inputs["jsonDataEncoded"]) for r in run.of_type(
        "grafana:oss/dataSource:DataSource")}
    day = dt.date(2026, 11, 30)
    es, os_ = sources["kafka-application-logs"], sources["kafka-security-events"]
    assert _grafana_daily_index(es["index"], day) == f"{fluent_bit.APP_PREFIX}-{day:{fluent_bit.DATE_FORMAT}}"
    assert es["interval"] == "Daily"
    # Security events roll over (no date in the name): one wildcard, no interval, over the rollover
    # indices and the daily ones written before the layout changed.
    assert "interval" not in os_ and _grafana_daily_index(os_["database"], day) is None
    for index in ("kafka-security-000001", "kafka-security-000042", f"kafka-security-{day:{fluent_bit.DATE_FORMAT}}"):
        assert fnmatch.fnmatch(index, os_["database"]), index
    assert not fnmatch.fnmatch("kafka-application-000001", os_["database"])
    assert os_["flavor"] == "opensearch" and re.fullmatch(r"\d+\.\d+\.\d+", os_["version"])
    assert _grafana_daily_index("kafka-application-*", day) is None  # the old setting resolved nothing


def test_prometheus_and_alertmanager_datasources_authenticate_at_their_proxies(stack_runs, program):
    """Behind the proxies (enableAuthProxy, prod), Grafana sends basic auth: the user in the clear,
    the password only in secureJsonData, a Pulumi secret. Without them (allowed outside prod) it
    sends nothing."""
    sources = {r.inputs["uid"]: r.inputs for r in stack_runs["prod"].of_type("grafana:oss/dataSource:DataSource")}
    for uid in ("kafka-prometheus", "kafka-alertmanager"):
        ds = sources[uid]
        assert ds["basicAuthEnabled"] is True and ds["basicAuthUsername"] == "kafka-monitoring", uid
        assert ds["secureJsonDataEncoded"] == MASK, uid
    assert sources["kafka-traces"]["basicAuthEnabled"] is False  # Jaeger's query API is not behind one
    plain = {r.inputs["uid"]: r.inputs for r in program("dev", enableAuthProxy=False).of_type(
        "grafana:oss/dataSource:DataSource")}
    for uid in ("kafka-prometheus", "kafka-alertmanager"):
        assert plain[uid]["basicAuthEnabled"] is False and "secureJsonDataEncoded" not in plain[uid], uid
