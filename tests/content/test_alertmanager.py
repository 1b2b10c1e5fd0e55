"""Alertmanager routing, checked with amtool's own router."""
from __future__ import annotations

import shutil

import pytest
import yaml

from content import alertmanager
from harness import tools
from tests.conftest import make_settings

pytestmark = pytest.mark.skipif(not shutil.which("amtool"), reason="amtool is not installed")


@pytest.fixture(scope="module")
def config_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("am") / "alertmanager.yml"
    path.write_text(yaml.safe_dump(alertmanager.config(make_settings("prod"), "/etc/secrets")))
    return path


def test_amtool_accepts_the_config(config_file):
    ok, out = tools.check_alertmanager_config(config_file)
    assert ok, out


@pytest.mark.parametrize("labels,receivers", [
    ({"severity": "critical", "category": "infrastructure"}, ["pagerduty-critical"]),
    ({"severity": "high", "category": "availability"}, ["pagerduty-high"]),
    ({"severity": "warning", "category": "performance"}, ["slack-warning"]),
    ({"severity": "critical", "category": "security"}, ["pagerduty-critical", "security-team"]),
    ({"severity": "high", "category": "security"}, ["pagerduty-high", "security-team"]),
    ({"severity": "info", "category": "performance"}, ["null"]),
    ({"alertname": "Watchdog", "severity": "none"}, ["heartbeat"]),
    ({"alertname": "Watchdog", "severity": "critical", "category": "security"}, ["heartbeat"]),
    ({"alertname": "InfoInhibitor", "severity": "none", "namespace": "kube-system"}, ["null"]),
])
def test_each_severity_and_category_reaches_its_receivers(config_file, labels, receivers):
    assert tools.route_receivers(config_file, {"alertname": "X", **labels}) == receivers


def test_watchdog_repeats_at_the_heartbeat_interval_and_carries_the_url():
    """The dead man's switch must hear Watchdog every heartbeatInterval: the route's repeat and group
    intervals are that interval; the URL is the one given (a Pulumi secret in deployment)."""
    config = alertmanager.config(make_settings("prod", heartbeatInterval="2m"), "/s", "https://hb.example/x")
    (route,) = [r for r in config["route"]["routes"] if r["matchers"] == ['alertname="Watchdog"']]
    assert (route["receiver"], route["repeat_interval"], route["group_interval"]) == ("heartbeat", "2m", "2m")
    assert config["route"]["routes"][0] is route and "continue" not in route
    (hb,) = [r for r in config["receivers"] if r["name"] == "heartbeat"]
    assert hb["webhook_configs"][0]["url"] == "https://hb.example/x"


def test_grouping_and_timing_follow_the_design_document():
    route = alertmanager.config(make_settings("prod"), "/s")["route"]
    assert route["group_by"] == ["alertname", "severity"]
    assert (route["group_wait"], route["group_interval"], route["repeat_interval"]) == ("10s", "10s", "1h")


def test_config_holds_no_credentials_only_file_references():
    config = alertmanager.config(make_settings("prod"), "/etc/alertmanager/secrets/r")
    text = yaml.safe_dump(config)
    assert "routing_key:" not in text and "api_url:" not in text
    (hb,) = [r for r in config["receivers"] if r["name"] == "heartbeat"]
    assert hb["webhook_configs"][0]["url"] == alertmanager.HEARTBEAT_PLACEHOLDER  # the real one is a secret
    files = {c.get("routing_key_file") or c.get("api_url_file") for r in config["receivers"]
             for kind in ("pagerduty_configs", "slack_configs") for c in r.get(kind, [])}
    assert files == {f"/etc/alertmanager/secrets/r/{f}" for f in alertmanager.SECRET_FILES.values()}


def test_each_slack_receiver_posts_to_the_channel_its_setting_names():
    """A slack_config's `channel` overrides the webhook's own channel (Alertmanager configuration docs,
    <slack_config>: channel); without it, warnings and security alerts land wherever the one webhook
    was created for."""
    settings = make_settings("prod", slackChannel="#kafka-warnings", securitySlackChannel="#security-oncall")
    config = alertmanager.config(settings, "/etc/alertmanager/secrets/receivers")
    channels = {r["name"]: [c["channel"] for c in r["slack_configs"]] for r in config["receivers"]
                if "slack_configs" in r}
    assert channels == {"slack-warning": ["#kafka-warnings"], "security-team": ["#security-oncall"]}


def test_the_heartbeat_hears_only_a_firing_watchdog():
    """The dead man's switch counts every request as a sign of life. When Prometheus dies, Alertmanager
    resolves Watchdog once its endsAt passes and, with send_resolved, would post once more: one more
    ping from a dead pipeline (Alertmanager configuration docs, <webhook_config>: send_resolved,
    whether to notify about resolved alerts)."""
    config = alertmanager.config(make_settings("prod"), "/etc/alertmanager/secrets/receivers")
    (heartbeat,) = [r for r in config["receivers"] if r["name"] == "heartbeat"]
    assert [w["send_resolved"] for w in heartbeat["webhook_configs"]] == [False]
    (route,) = [r for r in config["route"]["routes"] if r["receiver"] == "heartbeat"]
    assert route["matchers"] == ['alertname="Watchdog"']
