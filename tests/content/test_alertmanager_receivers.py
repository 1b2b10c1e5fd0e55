"""Optional receivers: every subset of PagerDuty critical, PagerDuty high, Slack and the heartbeat
gives a config amtool accepts (`amtool check-config`: every route names a defined receiver), and
amtool's own router (`amtool config routes test`) sends each alert where a person would look for
it: the next receiver that reaches someone, never a louder pager, never a disabled receiver, and
Watchdog never to anyone but the heartbeat."""
from __future__ import annotations

import itertools
import shutil

import pytest
import yaml

from config import settings
from content import alertmanager
from harness import tools
from tests.conftest import SECRET_VALUES, make_settings, stack_raw

pytestmark = pytest.mark.skipif(not shutil.which("amtool"), reason="amtool is not installed")

FLAGS = ("enablePagerdutyCritical", "enablePagerdutyHigh", "enableSlack", "enableHeartbeat")
SUBSETS = list(itertools.product((True, False), repeat=4))
ALERTS = {  # name -> labels, as the rules label them
    "critical": {"alertname": "KafkaOfflinePartitions", "severity": "critical", "category": "availability"},
    "high": {"alertname": "KafkaUnderReplicatedPartitions", "severity": "high", "category": "availability"},
    "warning": {"alertname": "KafkaHighConsumerLag", "severity": "warning", "category": "performance"},
    "security-critical": {"alertname": "KafkaAuthFailures", "severity": "critical", "category": "security"},
    "unlabelled": {"alertname": "SomethingElse"},
    "info": {"alertname": "X", "severity": "info"},
    "watchdog": {"alertname": "Watchdog", "severity": "none"},
    "watchdog-critical": {"alertname": "Watchdog", "severity": "critical", "category": "security"},
}
# Loudest first: an alert may go down this list when its receiver is off, never up.
LOUDNESS = ["pagerduty-critical", "pagerduty-high", "slack-warning", "null"]


def _routes(tmp_path, on: dict[str, bool]) -> tuple[dict, dict[str, list[str]]]:
    config = alertmanager.config(make_settings("dev", **on), "/etc/alertmanager/secrets/r")
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config))
    ok, out = tools.check_alertmanager_config(path)
    assert ok, out
    return config, {name: tools.route_receivers(path, labels) for name, labels in ALERTS.items()}


# Written out for the subsets a team picks: everything, dev without any, paging without Slack,
# Slack only, high only.
@pytest.mark.parametrize("on,expected", [
    ((True, True, True, True), {
        "critical": ["pagerduty-critical"], "high": ["pagerduty-high"], "warning": ["slack-warning"],
        "security-critical": ["pagerduty-critical", "security-team"], "unlabelled": ["slack-warning"],
        "info": ["null"], "watchdog": ["heartbeat"], "watchdog-critical": ["heartbeat"]}),
    ((False, False, False, False), {
        "critical": ["null"], "high": ["null"], "warning": ["null"], "security-critical": ["null"],
        "unlabelled": ["null"], "info": ["null"], "watchdog": ["null"], "watchdog-critical": ["null"]}),
    ((True, True, False, True), {
        "critical": ["pagerduty-critical"], "high": ["pagerduty-high"], "warning": ["null"],
        "security-critical": ["pagerduty-critical"], "unlabelled": ["null"], "info": ["null"],
        "watchdog": ["heartbeat"], "watchdog-critical": ["heartbeat"]}),
    ((False, False, True, False), {
        "critical": ["slack-warning"], "high": ["slack-warning"], "warning": ["slack-warning"],
        "security-critical": ["security-team", "slack-warning"], "unlabelled": ["slack-warning"],
        "info": ["null"], "watchdog": ["null"], "watchdog-critical": ["null"]}),
    ((False, True, False, False), {
        "critical": ["pagerduty-high"], "high": ["pagerduty-high"], "warning": ["null"],
        "security-critical": ["pagerduty-high"], "unlabelled": ["null"], "info": ["null"],
        "watchdog": ["null"], "watchdog-critical": ["null"]}),
])
def test_named_subsets_route_as_documented(tmp_path, on, expected):
    _, routes = _routes(tmp_path, dict(zip(FLAGS, on)))
    assert routes == expected


@pytest.mark.parametrize("on", SUBSETS, ids=["".join("CHSB"[i] if v else "-" for i, v in enumerate(s)) for s in SUBSETS])
def test_every_subset_is_valid_and_routes_only_to_enabled_receivers_never_louder(tmp_path, on):
    config, routes = _routes(tmp_path, dict(zip(FLAGS, on)))
    defined = {r["name"] for r in config["receivers"]}
    wanted = {"pagerduty-critical": on[0], "pagerduty-high": on[1], "slack-warning": on[2],
              "security-team": on[2], "heartbeat": on[3], "null": True}
    assert defined == {name for name, yes in wanted.items() if yes}
    for name, receivers in routes.items():
        assert set(receivers) <= defined, (name, receivers)
    # Watchdog fires always: it reaches the heartbeat or nobody.
    assert routes["watchdog"] == routes["watchdog-critical"] == (["heartbeat"] if on[3] else ["null"])
    # A high alert never pages the critical service; a critical one takes the loudest left.
    assert "pagerduty-critical" not in routes["high"]
    own = {"critical": "pagerduty-critical", "high": "pagerduty-high", "warning": "slack-warning"}
    for severity, receiver in own.items():
        (got,) = routes[severity]
        assert LOUDNESS.index(got) >= LOUDNESS.index(receiver)
        loudest_left = next(r for r in LOUDNESS[LOUDNESS.index(receiver):] if r == "null" or wanted[r])
        assert got == loudest_left, (severity, got)
    # The security team hears security alerts exactly when Slack is on.
    assert ("security-team" in routes["security-critical"]) is on[2]


@pytest.mark.parametrize("on", SUBSETS, ids=["".join("CHSB"[i] if v else "-" for i, v in enumerate(s)) for s in SUBSETS])
def test_only_the_enabled_receivers_secrets_are_required(on):
    """A dev stack without a receiver sets none of its secrets (no dummy secrets)."""
    flags = dict(zip(FLAGS, on))
    needed = {"pagerdutyCriticalKey": on[0], "pagerdutyHighKey": on[1], "slackWebhookUrl": on[2],
              "deadMansSwitchUrl": on[3]}
    secrets = {k: v for k, v in SECRET_VALUES.items() if k not in needed or needed[k]}
    assert settings.parse({**stack_raw("dev"), **flags}, secrets).environment == "dev"
    for missing in (k for k, yes in needed.items() if yes):
        without = {k: v for k, v in secrets.items() if k != missing}
        with pytest.raises(settings.SettingsError) as err:
            settings.parse({**stack_raw("dev"), **flags}, without)
        assert [p for p in err.value.problems if p.startswith(f"{missing}: required secret is missing")], missing
    files = alertmanager.secret_files(make_settings("dev", **flags))
    assert set(files.values()) == {f for f, yes in (("pagerduty-critical-key", on[0]), ("pagerduty-high-key", on[1]),
                                                    ("slack-webhook-url", on[2])) if yes}


@pytest.mark.parametrize("flag", ["enablePagerdutyCritical", "enablePagerdutyHigh", "enableHeartbeat"])
def test_prod_keeps_requiring_the_paging_receivers(flag):
    with pytest.raises(settings.SettingsError) as err:
        settings.parse({**stack_raw("prod"), flag: False}, SECRET_VALUES)
    assert [p for p in err.value.problems if p.startswith(f"{flag}: prod requires it")]


def test_prod_may_do_without_slack_and_then_needs_no_webhook():
    """Near miss of the prod rule: Slack is not a pager."""
    secrets = {k: v for k, v in SECRET_VALUES.items() if k != "slackWebhookUrl"}
    assert settings.parse({**stack_raw("prod"), "enableSlack": False}, secrets).enable_slack is False


def _cli_refusals(project: dict, stack_keys: set[str], secure: set[str]) -> list[str]:
    """What `pulumi up` refuses before the program runs, for the project's own keys: pulumi/pulumi
    v3.259.0 pkg/workspace/config.go, mergeConfig (a declared key that the stack does not set and
    that has no default or value is missing) and validateStackConfigValue (a typed key declared
    secret must hold an encrypted value, which a default applied in plain text is not)."""
    problems = []
    for key, decl in project["config"].items():
        on_stack = key in stack_keys
        if not on_stack and "default" not in decl and "value" not in decl:
            problems.append(f"missing {key}")
        elif "type" in decl and decl.get("secret") and key not in secure:
            problems.append(f"{key} must be encrypted")
    return problems


def test_the_cli_asks_a_stack_for_no_receiver_secret_it_does_not_use():
    """Every stack file in this repository sets none of the receivers' secrets (they are set with
    `pulumi config set --secret`); the CLI must not require them, nor refuse their plain default."""
    from tests.conftest import ROOT
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    for key in ("pagerdutyCriticalKey", "pagerdutyHighKey", "slackWebhookUrl", "deadMansSwitchUrl"):
        assert project["config"][key]["secret"] is True and project["config"][key]["default"] == ""
    dev = set(stack_raw("dev"))
    refused = _cli_refusals(project, dev, secure=set())
    assert not [p for p in refused if any(k in p for k in ("pagerduty", "slack", "deadMans"))], refused
    # Near miss: the model does refuse a typed secret left to a plain default, and a key without one.
    typed = {"config": {"k": {"type": "string", "secret": True, "default": ""}, "j": {"type": "string"}}}
    assert _cli_refusals(typed, set(), set()) == ["k must be encrypted", "missing j"]
