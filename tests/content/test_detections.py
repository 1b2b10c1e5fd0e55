"""The detections, judged by what they do: the rendered monitor bodies are evaluated
(tests/content/monitor_model.py, the documented semantics of the queries, aggregations and bucket
selector they use) over security events made from real Kafka lines and parsed by our Fluent Bit
filters (tests/content/security_lines.py). Each detection fires on its attack, stays quiet at N-1
and on a day of normal traffic; the alert it posts is valid for Alertmanager's API and routed by
amtool to the security team and the pager its severity names."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from config.sections import AlertingArgs, RetentionArgs
from content import alertmanager, detections
from harness import tools
from tests.content import monitor_model as mm
from tests.content import security_lines as kl
from tests.conftest import make_settings

SETTINGS = make_settings("prod", sensitiveTopics=["economy.payments", "economy.ledger"])
S = RetentionArgs.of(SETTINGS)
MONITORS = detections.monitors(S)
END = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
ATTACKER, CLIENT = "10.66.6.6", "10.20.30.40"


def at(minutes_before: float) -> datetime:
    return END - timedelta(minutes=minutes_before)


def failures(ip: str, n: int, start: float, spacing_s: float = 10, reason: str = kl.BAD_PASSWORD) -> list[dict]:
    """`n` failed authentications from `ip`, the first `start` minutes before END."""
    return [kl.event(kl.failed_authentication(ip, reason, remote_port=40000 + i), at(start) + timedelta(seconds=i * spacing_s))
            for i in range(n)]


def authorized(ip: str, principal: str, minutes_before: float, decision: str = "Allowed",
               resource: str = "Topic:LITERAL:combat.events", api: str = "Fetch") -> dict:
    line = kl.standard_authorizer(principal, decision, "READ", ip, resource, api)
    return kl.event(kl.layout(kl.LOG4J2, at(minutes_before), "DEBUG" if decision == "Allowed" else "INFO",
                              kl.AUTHORIZER_LOGGER, 297, "data-plane-kafka-request-handler-1", line), at(minutes_before))


def fired(name: str, docs: list[dict], end: datetime = END) -> list[str]:
    return mm.fired(MONITORS[name], docs, end)


# ---- SASL brute force --------------------------------------------------------------------------

N = SETTINGS.sasl_brute_force_failures


def test_brute_force_fires_on_n_failures_from_one_address_in_five_minutes():
    assert fired("kafka-sasl-brute-force", failures(ATTACKER, N, start=4.5)) == [ATTACKER]


def test_brute_force_near_misses_stay_quiet():
    assert fired("kafka-sasl-brute-force", failures(ATTACKER, N - 1, start=4.5)) == []
    # N in all, but spread over 10 minutes: at most half of them in any 5
    assert fired("kafka-sasl-brute-force", failures(ATTACKER, N, start=10, spacing_s=600 / N)) == []
    # N, all older than the window
    assert fired("kafka-sasl-brute-force", failures(ATTACKER, N, start=9)) == []
    # N from N different addresses (a fleet with an expired credential is not one attacker)
    fleet = [e for i in range(N) for e in failures(f"10.1.0.{i}", 1, start=3)]
    assert fired("kafka-sasl-brute-force", fleet) == []
    # N TLS failures: a protocol problem, not password guessing
    assert fired("kafka-sasl-brute-force", failures(ATTACKER, N, start=3, reason=kl.SSL_FAILED)) == []


def test_the_window_includes_its_first_millisecond_and_not_the_one_before():
    """range from `{{period_end}}||-5m` with include_lower: an event exactly 5 minutes old counts."""
    edge = failures(ATTACKER, N - 1, start=4) + [kl.event(kl.failed_authentication(ATTACKER, kl.BAD_PASSWORD), at(5))]
    assert fired("kafka-sasl-brute-force", edge) == [ATTACKER]
    older = edge[:-1] + [kl.event(kl.failed_authentication(ATTACKER, kl.BAD_PASSWORD),
                                  at(5) - timedelta(milliseconds=1))]
    assert fired("kafka-sasl-brute-force", older) == []


def test_brute_force_ramping_up_fires_from_the_minute_the_count_is_reached():
    """One failure every 15 s from 10 minutes before END: the 5-minute count reaches N at a known minute."""
    ramp = failures(ATTACKER, 40, start=10, spacing_s=15)
    minutes = [m for m in range(0, 11) if fired("kafka-sasl-brute-force", ramp, at(10 - m))]
    first = (N - 1) * 15 / 60  # the Nth failure's minute after the first one
    assert minutes and minutes[0] == int(first) + (first % 1 > 0)


# ---- authenticated after failures --------------------------------------------------------------

M = SETTINGS.failures_before_success


def test_a_login_after_failures_from_the_same_address_fires():
    docs = failures(ATTACKER, M, start=10) + [authorized(ATTACKER, "User:svc-payments", 2)]
    assert fired("kafka-auth-success-after-failures", docs) == [ATTACKER]
    # a denial proves the login as well (allowed requests are only logged at DEBUG)
    docs = failures(ATTACKER, M, start=10) + [authorized(ATTACKER, "User:svc-payments", 2, decision="Denied")]
    assert fired("kafka-auth-success-after-failures", docs) == [ATTACKER]


@pytest.mark.parametrize("case", ["n-1 failures", "login first", "anonymous", "other address", "too old"])
def test_login_after_failures_near_misses_stay_quiet(case):
    docs = {
        "n-1 failures": failures(ATTACKER, M - 1, start=10) + [authorized(ATTACKER, "User:svc-payments", 2)],
        "login first": [authorized(ATTACKER, "User:svc-payments", 12)] + failures(ATTACKER, M, start=10),
        "anonymous": failures(ATTACKER, M, start=10) + [authorized(ATTACKER, "User:ANONYMOUS", 2, decision="Denied")],
        "other address": failures(ATTACKER, M, start=10) + [authorized(CLIENT, "User:svc-payments", 2)],
        "too old": failures(ATTACKER, M, start=20) + [authorized(ATTACKER, "User:svc-payments", 16)],
    }[case]
    assert fired("kafka-auth-success-after-failures", docs) == []


# ---- sensitive topics --------------------------------------------------------------------------

def test_a_denial_on_a_sensitive_topic_fires_keyed_by_topic_then_principal():
    docs = [authorized(CLIENT, "User:mallory", 1, decision="Denied", resource="Topic:LITERAL:economy.payments")]
    assert fired("kafka-sensitive-topic-denied", docs) == ["economy.payments,User:mallory"]


@pytest.mark.parametrize("resource,decision", [
    ("Topic:LITERAL:economy.payments-archive", "Denied"),   # a longer name is another topic
    ("Topic:PREFIXED:economy.", "Denied"),
    ("Group:LITERAL:economy.payments", "Denied"),           # a group of that name is no topic
    ("Topic:LITERAL:economy.payments", "Allowed"),
    ("Topic:LITERAL:combat.events", "Denied"),
])
def test_a_sensitive_topic_near_miss_stays_quiet(resource, decision):
    docs = [authorized(CLIENT, "User:mallory", 1, decision=decision, resource=resource)]
    assert fired("kafka-sensitive-topic-denied", docs) == []


# ---- TLS or SASL protocol failures -------------------------------------------------------------

P = SETTINGS.protocol_failures


def test_protocol_failures_fire_on_tls_and_sasl_handshake_failures_together():
    mixed = failures(ATTACKER, P // 2, start=4, reason=kl.SSL_FAILED) + \
        failures(ATTACKER, P - P // 2, start=2, reason=kl.unexpected_request("METADATA"))
    assert fired("kafka-protocol-failures", mixed) == [ATTACKER]
    assert fired("kafka-protocol-failures", mixed[:-1]) == []
    assert fired("kafka-protocol-failures", failures(ATTACKER, P, start=4, reason=kl.BAD_PASSWORD)) == []



def test_protocol_failures_count_over_five_minutes_and_not_six():
    """The window is 5 minutes: P failures spread over 5.5 minutes (the first one older than the window)
    stay quiet; the same P within 4.5 minutes fire."""
    spread = lambda minutes: failures(ATTACKER, P, start=minutes, spacing_s=minutes * 60 / P,  # noqa: E731
                                      reason=kl.SSL_FAILED)
    assert fired("kafka-protocol-failures", spread(4.5)) == [ATTACKER]
    assert fired("kafka-protocol-failures", spread(5.5)) == []


def test_each_monitor_triggers_at_its_detections_alerting_severity():
    """OpenSearch Alerting's trigger severity runs from "1" (highest) to "5" (common-utils Trigger): a
    critical detection is "1", a high one "2", written out here per monitor."""
    severities = {name: m["triggers"][0]["bucket_level_trigger"]["severity"] for name, m in MONITORS.items()}
    assert severities == {"kafka-sasl-brute-force": "1", "kafka-auth-success-after-failures": "1",
                          "kafka-protocol-failures": "2", "kafka-sensitive-topic-denied": "2"}


# ---- a day of normal traffic -------------------------------------------------------------------

def normal_day() -> list[dict]:
    """24 hours: steady denials of a misconfigured consumer on an ordinary topic, a credential rotation
    at 03:00 (each of 12 clients fails M-1 times, then logs in), a broker restart at 15:00 (60 clients
    reconnect: one TLS failure and one authentication failure each while the listener comes up, then
    their requests), and audit records without Kafka fields."""
    day = END - timedelta(hours=24)
    docs: list[dict] = []
    for minute in range(0, 24 * 60, 7):
        when = day + timedelta(minutes=minute)
        docs.append(kl.event(kl.acl_authorizer("User:analytics", "Denied", "Read", "10.3.3.3",
                                               "Topic:LITERAL:combat.events", "Fetch"), when))
        docs.append({"log": "audit: user admin listed topics", "@timestamp": int(when.timestamp() * 1000),
                     "event_category": "audit"})
    rotation = day + timedelta(hours=3)
    for c in range(12):
        ip = f"10.7.0.{c}"
        for i in range(M - 1):
            docs.append(kl.event(kl.failed_authentication(ip, kl.BAD_SCRAM), rotation + timedelta(seconds=20 * i + c)))
        line = kl.standard_authorizer("User:svc-economy", "Allowed", "WRITE", ip, "Topic:LITERAL:economy.payments",
                                      "Produce", rule="MatchingAcl(acl=...)")
        docs.append(kl.event(line, rotation + timedelta(minutes=3, seconds=c)))
    restart = day + timedelta(hours=15)
    for c in range(60):
        ip = f"10.8.{c // 250}.{c % 250}"
        docs.append(kl.event(kl.failed_authentication(ip, kl.SSL_FAILED), restart + timedelta(seconds=c)))
        docs.append(kl.event(kl.failed_authentication(ip, kl.BAD_PASSWORD), restart + timedelta(seconds=30 + c)))
        line = kl.acl_authorizer("User:svc-combat", "Denied", "Describe", ip, "Topic:LITERAL:combat.internal",
                                 "Metadata")
        docs.append(kl.event(line, restart + timedelta(minutes=2, seconds=c)))
    return sorted(docs, key=lambda d: d["@timestamp"])


def test_a_day_of_normal_traffic_raises_no_detection():
    """Every monitor, run every minute of the day (tests/content/monitor_model.py day_of_runs)."""
    docs = normal_day()
    assert mm.day_of_runs(MONITORS, docs, END) == []
    # the day holds what each detection reads
    events = {d.get("kafka_event") for d in docs}
    assert events == {"authz_denied", "authz_allowed", "authn_failed", "tls_handshake_failed", None}


# ---- the alert it posts ------------------------------------------------------------------------

def render(name: str, key: str, category: str = "newAlerts") -> list[dict]:
    """The action's message for one alert, as a per_alert action gets it (a one-element list)."""
    (trigger,) = MONITORS[name]["triggers"]
    (action,) = trigger["bucket_level_trigger"]["actions"]
    ctx = {"newAlerts": [], "dedupedAlerts": [], category: [{"bucket_keys": key}]}
    return json.loads(mm.mustache(action["message_template"]["source"], {"ctx": ctx}))


@pytest.mark.parametrize("category", ["newAlerts", "dedupedAlerts"])
def test_the_message_is_one_postable_alert_with_its_key_runbook_and_events(category):
    """Alertmanager API v2 postableAlerts: an array of {labels, annotations, generatorURL}."""
    (alert,) = render("kafka-sasl-brute-force", ATTACKER, category)
    assert set(alert) == {"labels", "annotations", "generatorURL"}
    assert alert["labels"] == {"alertname": "KafkaSaslBruteForce", "severity": "critical", "category": "security",
                               "source": "opensearch-alerting", "client_ip": ATTACKER}
    assert alert["annotations"]["runbook_url"].endswith("/security-detections.md#sasl-brute-force")
    assert ATTACKER in alert["annotations"]["summary"]
    assert alert["generatorURL"] == alert["annotations"]["events_url"]
    from urllib.parse import parse_qs, urlsplit
    panes = json.loads(parse_qs(urlsplit(alert["generatorURL"]).query)["panes"][0])
    assert panes["a"]["queries"][0]["query"] == f'kafka_event:authn_failed AND kafka_client_ip:"{ATTACKER}"'


def test_a_principal_with_quotes_stays_valid_json():
    (alert,) = render("kafka-sensitive-topic-denied", 'economy.payments,User:CN="x",O=y')
    assert alert["labels"]["topic_principal"] == 'economy.payments,User:CN="x",O=y'


def test_every_runbook_anchor_exists():
    from tests.conftest import ROOT
    text = (ROOT / "docs" / "runbooks" / "security-detections.md").read_text()
    anchors = {"#" + line[3:].strip().lower().replace(" ", "-") for line in text.splitlines() if line.startswith("## ")}
    for d in detections.detections(S):
        assert "#" + d.runbook.split("#")[1] in anchors, d.runbook


@pytest.mark.skipif(not shutil.which("amtool"), reason="amtool is not installed")
@pytest.mark.parametrize("name,receivers", [
    ("kafka-sasl-brute-force", ["pagerduty-critical", "security-team"]),
    ("kafka-auth-success-after-failures", ["pagerduty-critical", "security-team"]),
    ("kafka-protocol-failures", ["pagerduty-high", "security-team"]),
    ("kafka-sensitive-topic-denied", ["pagerduty-high", "security-team"]),
])
def test_alertmanager_routes_each_detection_like_a_metric_security_alert(tmp_path, name, receivers):
    """amtool config routes test on our rendered Alertmanager config, with the labels the message carries."""
    path = tmp_path / "alertmanager.yml"
    path.write_text(yaml.safe_dump(alertmanager.config(AlertingArgs.of(SETTINGS), "/etc/secrets")))
    (alert,) = render(name, f"{ATTACKER}")
    assert tools.route_receivers(path, alert["labels"]) == receivers


def test_where_the_stack_manages_dashboards_each_alert_opens_its_saved_search():
    """The saved search content/views.py keeps for the detection, at Dashboards' in-app URL of a `search`
    object (OpenSearch-Dashboards src/plugins/discover/server/saved_objects/search.ts getInAppUrl:
    `/app/discover#/view/<id>`); without Dashboards the annotation is absent, not empty."""
    from content import views
    with_osd = RetentionArgs.of(make_settings("prod", sensitiveTopics=["economy.payments"],
                                              opensearchDashboardsUrl="https://dashboards.example.org/osd/"))
    searches = views.saved_searches(with_osd)
    for d in detections.detections(with_osd):
        (trigger,) = detections.monitor(with_osd, d)["triggers"]
        (action,) = trigger["bucket_level_trigger"]["actions"]
        ctx = {"newAlerts": [{"bucket_keys": ATTACKER}], "dedupedAlerts": []}
        (alert,) = json.loads(mm.mustache(action["message_template"]["source"], {"ctx": ctx}))
        url = alert["annotations"]["saved_search_url"]
        assert url.startswith("https://dashboards.example.org/osd/app/discover#/view/")
        assert url.rsplit("/", 1)[1] in searches, d.monitor
        assert json.loads(searches[url.rsplit("/", 1)[1]]["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])[
            "query"]["query"].startswith("(kafka_event:")
    (alert,) = render("kafka-sasl-brute-force", ATTACKER)
    assert "saved_search_url" not in alert["annotations"]
