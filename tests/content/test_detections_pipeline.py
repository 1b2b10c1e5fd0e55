"""The detections end to end: Kafka's own log lines (both authorizers, both Strimzi layouts, the
Selector's failed authentications; tests/content/security_lines.py cites each format string) as a
broker pod writes them, through the rendered Fluent Bit configuration (content/fluent_bit.py: the
classifier, then the parser and modify filters with the [PARSER] sections of custom_parsers.conf,
modelled from fluent-bit v3.1.9 in tests/content/fluent_bit_model.py), into the documents the
opensearch output sends, then through the rendered monitors (content/detections.py, evaluated by
tests/content/monitor_model.py). Nothing here builds a parsed record by hand: what the monitors read
is only what the pipeline made of the raw lines."""
from __future__ import annotations

import fnmatch
import ipaddress
from datetime import datetime, timedelta, timezone

import pytest

from config.sections import CollectionArgs, RetentionArgs
from content import detections, fluent_bit, retention
from content.data_classes import SECURITY
from tests.conftest import make_settings
from tests.content import fluent_bit_model as fb
from tests.content import monitor_model as mm
from tests.content import security_lines as kl

SETTINGS = make_settings("prod", sensitiveTopics=["economy.payments", "economy.ledger"])
MONITORS = detections.monitors(RetentionArgs.of(SETTINGS))
GROUPS = fluent_bit.sections(CollectionArgs.of(SETTINGS))
CONFIG = [section for group in GROUPS.values() for section in group]
(OUTPUT,) = [e for n, e in GROUPS["outputs"] if dict(e)["Name"] == "opensearch"]
END = datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
ATTACKER = "10.66.6.6"
N, M, P = SETTINGS.sasl_brute_force_failures, SETTINGS.failures_before_success, SETTINGS.protocol_failures

# A broker pod as the kubernetes filter leaves its record (Strimzi 0.45 labels its pods
# strimzi.io/cluster, strimzi.io/kind, strimzi.io/name, strimzi.io/pool-name); Strimzi 0.45 brokers
# log in the log4j1 layout, 0.47 brokers in the log4j2 one.
KRAFT, ZOOKEEPER = "kraft", "zookeeper"


def pod(index: int) -> dict:
    return {"namespace_name": "kafka", "pod_name": f"game-kafka-brokers-{index}", "container_name": "kafka",
            "labels": {"strimzi.io/cluster": "game-kafka", "strimzi.io/kind": "Kafka",
                       "strimzi.io/name": "game-kafka-kafka", "strimzi.io/pool-name": "brokers"}}


def written(layout: str, when: datetime, level: str, logger: str, message: str, broker: int = 0) -> tuple[datetime, dict]:
    line = kl.layout(layout, when, level, logger, 620 if logger == kl.SELECTOR_LOGGER else 307,
                     "data-plane-kafka-network-thread-1-ListenerName(SASL_SSL)-SASL_SSL-2", message)
    return when, {"log": line, "stream": "stdout", "kubernetes": pod(broker)}


def documents(lines: list[tuple[datetime, dict]]) -> list[dict]:
    """What the opensearch output sends for each line the broker wrote (tail's tag of a container log)."""
    docs = []
    for when, record in lines:
        tag = f"kube.var.log.containers.{record['kubernetes']['pod_name']}_kafka_kafka-0123.log"
        docs += [fb.opensearch_document(OUTPUT, r, when) for name, _, r in fb.route(CONFIG, tag, record)
                 if name == "opensearch"]
    return docs


def fired(name: str, docs: list[dict], end: datetime = END) -> list[str]:
    return mm.fired(MONITORS[name], docs, end)


def minutes_before(m: float) -> datetime:
    return END - timedelta(minutes=m)


def failures(layout: str, ip: str, n: int, start: float, reason: str, spacing_s: float = 10) -> list:
    """`n` failed authentications from `ip` spread over three brokers, the first `start` minutes before END."""
    return [written(layout, minutes_before(start) + timedelta(seconds=i * spacing_s), "INFO", kl.SELECTOR_LOGGER,
                    kl.failed_authentication(ip, reason, remote_port=40000 + i), broker=i % 3) for i in range(n)]


def audit(layout: str, authorizer: str, principal: str, decision: str, ip: str, resource: str, m: float) -> tuple:
    """A request the authorizer logs: a denial at INFO, an allowed request at DEBUG."""
    if authorizer == KRAFT:
        message = kl.standard_authorizer(principal, decision, "READ", ip, resource, "Fetch")
    else:
        message = kl.acl_authorizer(principal, decision, "Read", ip, resource, "Fetch")
    return written(layout, minutes_before(m), "INFO" if decision == "Denied" else "DEBUG", kl.AUTHORIZER_LOGGER,
                   message)


SHAPES = [(layout, authorizer) for layout in (kl.LOG4J1, kl.LOG4J2) for authorizer in (KRAFT, ZOOKEEPER)]
IDS = [f"{layout}-{authorizer}" for layout, authorizer in SHAPES]


def test_the_security_output_writes_where_the_monitors_read_and_its_documents_carry_their_time():
    """out_opensearch writes to the write alias (Index), whose bootstrap index the monitors' index
    patterns cover; the document's @timestamp is the record's time, which the range reads."""
    assert dict(OUTPUT)["Index"] == SECURITY.write_alias
    for body in MONITORS.values():
        (search,) = [i["search"] for i in body["inputs"]]
        assert any(fnmatch.fnmatchcase(SECURITY.bootstrap_index, p) for p in search["indices"])
    (doc,) = documents([written(kl.LOG4J2, datetime(2026, 12, 7, 11, 58, 7, 250000, tzinfo=timezone.utc), "INFO",
                                kl.SELECTOR_LOGGER, kl.failed_authentication(ATTACKER, kl.BAD_PASSWORD))])
    assert doc["@timestamp"] == "2026-12-07T11:58:07.250Z"
    assert mm.epoch_ms(doc["@timestamp"]) == int(datetime(2026, 12, 7, 11, 58, 7, 250000, tzinfo=timezone.utc)
                                                 .timestamp() * 1000)


@pytest.mark.parametrize("layout", [kl.LOG4J1, kl.LOG4J2])
@pytest.mark.parametrize("reason", [kl.BAD_PASSWORD, kl.BAD_SCRAM])
def test_brute_force_from_real_selector_lines(layout, reason):
    assert fired("kafka-sasl-brute-force", documents(failures(layout, ATTACKER, N, 4.5, reason))) == [ATTACKER]
    assert fired("kafka-sasl-brute-force", documents(failures(layout, ATTACKER, N - 1, 4.5, reason))) == []
    # re-authentication failures of one long-lived connection are failures from that address too
    reauth = [written(layout, minutes_before(4) + timedelta(seconds=i), "INFO", kl.SELECTOR_LOGGER,
                      kl.failed_authentication(ATTACKER, reason, reauth=True)) for i in range(N)]
    assert fired("kafka-sasl-brute-force", documents(reauth)) == [ATTACKER]


@pytest.mark.parametrize("layout,authorizer", SHAPES, ids=IDS)
def test_a_login_after_failures_from_real_lines(layout, authorizer):
    """The authorizer's line proves the login: a denial (INFO) as well as an allowed request (DEBUG)."""
    tries = failures(layout, ATTACKER, M, 10, kl.BAD_SCRAM)
    for decision in ("Denied", "Allowed"):
        login = audit(layout, authorizer, "User:svc-payments", decision, ATTACKER, "Topic:LITERAL:combat.events", 2)
        assert fired("kafka-auth-success-after-failures", documents(tries + [login])) == [ATTACKER]
    # near misses: an anonymous connection's denial, the login from another address, one failure short
    anonymous = audit(layout, authorizer, "User:ANONYMOUS", "Denied", ATTACKER, "Topic:LITERAL:combat.events", 2)
    elsewhere = audit(layout, authorizer, "User:svc-payments", "Denied", "10.20.30.40", "Topic:LITERAL:combat.events", 2)
    login = audit(layout, authorizer, "User:svc-payments", "Denied", ATTACKER, "Topic:LITERAL:combat.events", 2)
    assert fired("kafka-auth-success-after-failures", documents(tries + [anonymous])) == []
    assert fired("kafka-auth-success-after-failures", documents(tries + [elsewhere])) == []
    assert fired("kafka-auth-success-after-failures", documents(tries[1:] + [login])) == []


@pytest.mark.parametrize("layout,authorizer", SHAPES, ids=IDS)
def test_a_denial_on_a_sensitive_topic_from_real_lines(layout, authorizer):
    denied = audit(layout, authorizer, "User:mallory", "Denied", "10.20.30.40", "Topic:LITERAL:economy.payments", 1)
    assert fired("kafka-sensitive-topic-denied", documents([denied])) == ["economy.payments,User:mallory"]
    for resource, decision in [("Topic:LITERAL:economy.payments-archive", "Denied"),
                               ("Group:LITERAL:economy.payments", "Denied"),
                               ("Topic:LITERAL:economy.payments", "Allowed")]:
        near = audit(layout, authorizer, "User:mallory", decision, "10.20.30.40", resource, 1)
        assert fired("kafka-sensitive-topic-denied", documents([near])) == [], (resource, decision)


@pytest.mark.parametrize("layout", [kl.LOG4J1, kl.LOG4J2])
def test_tls_and_sasl_protocol_failures_from_real_lines(layout):
    mixed = failures(layout, ATTACKER, P // 2, 4, kl.SSL_FAILED) + \
        failures(layout, ATTACKER, P - P // 2, 2, kl.unexpected_request("API_VERSIONS"))
    assert fired("kafka-protocol-failures", documents(mixed)) == [ATTACKER]
    assert fired("kafka-protocol-failures", documents(mixed[:-1])) == []
    # password failures are the brute-force detection's, not a protocol problem
    assert fired("kafka-protocol-failures", documents(failures(layout, ATTACKER, P, 4, kl.BAD_PASSWORD))) == []


def normal_day() -> list[tuple[datetime, dict]]:
    """24 hours of brokers in both layouts: a misconfigured consumer denied on an ordinary topic every 7
    minutes (AclAuthorizer and StandardAuthorizerData), a credential rotation at 03:00 (12 clients fail
    M-1 times each, then log in), a rolling broker restart at 15:00 (60 clients each hit one TLS
    failure and one authentication failure while the listener comes up, then their requests), and the
    lines a broker writes that are no security event (disconnections, controller work)."""
    day = END - timedelta(hours=24)
    lines = []
    for minute in range(0, 24 * 60, 7):
        when = day + timedelta(minutes=minute)
        lines.append(written(kl.LOG4J1, when, "INFO", kl.AUTHORIZER_LOGGER, kl.acl_authorizer(
            "User:analytics", "Denied", "Read", "10.3.3.3", "Topic:LITERAL:combat.events", "Fetch")))
        lines.append(written(kl.LOG4J2, when + timedelta(seconds=30), "INFO", kl.AUTHORIZER_LOGGER,
                             kl.standard_authorizer("User:analytics", "Denied", "READ", "10.3.3.4",
                                                    "Topic:LITERAL:combat.events", "Fetch"), broker=1))
        lines.append(written(kl.LOG4J2, when, "INFO", kl.SELECTOR_LOGGER,
                             "Connection with /10.3.3.3 (channelId=10.0.0.5:9094-10.3.3.3:51234-7) disconnected"))
        lines.append(written(kl.LOG4J1, when, "INFO", "kafka.controller.KafkaController",
                             "[Controller id=1] Processed 3 records"))
    rotation = day + timedelta(hours=3)
    for c in range(12):
        ip, layout = f"10.7.0.{c}", (kl.LOG4J1, kl.LOG4J2)[c % 2]
        for i in range(M - 1):
            lines.append(written(layout, rotation + timedelta(seconds=20 * i + c), "INFO", kl.SELECTOR_LOGGER,
                                 kl.failed_authentication(ip, kl.BAD_SCRAM), broker=c % 3))
        lines.append(written(layout, rotation + timedelta(minutes=3, seconds=c), "DEBUG", kl.AUTHORIZER_LOGGER,
                             kl.standard_authorizer("User:svc-economy", "Allowed", "WRITE", ip,
                                                    "Topic:LITERAL:economy.payments", "Produce",
                                                    rule="MatchingAcl(acl=...)"), broker=c % 3))
    restart = day + timedelta(hours=15)
    for c in range(60):
        ip, layout = f"10.8.0.{c}", (kl.LOG4J1, kl.LOG4J2)[c % 2]
        lines.append(written(layout, restart + timedelta(seconds=c), "INFO", kl.SELECTOR_LOGGER,
                             kl.failed_authentication(ip, kl.SSL_FAILED)))
        lines.append(written(layout, restart + timedelta(seconds=30 + c), "INFO", kl.SELECTOR_LOGGER,
                             kl.failed_authentication(ip, kl.BAD_PASSWORD)))
        lines.append(written(layout, restart + timedelta(minutes=2, seconds=c), "INFO", kl.AUTHORIZER_LOGGER,
                             kl.acl_authorizer("User:svc-combat", "Denied", "Describe", ip,
                                               "Topic:LITERAL:combat.internal", "Metadata")))
    return lines


def test_a_day_of_normal_traffic_through_the_pipeline_raises_no_detection():
    """Every monitor, run every minute of the day on what the pipeline sent (monitor_model.day_of_runs)."""
    lines = normal_day()
    docs = documents(lines)
    assert mm.day_of_runs(MONITORS, docs, END) == []
    # the noise never reached the security index, and the day holds what every detection reads
    assert len(docs) == len(lines) - 2 * len(range(0, 24 * 60, 7))
    assert {d["kafka_event"] for d in docs} == {"authz_denied", "authz_allowed", "authn_failed",
                                                "tls_handshake_failed"}
    # each document keeps its raw line, and every parsed field is one the rollover template maps, an
    # address where it maps an ip (a value the field refuses would cost the whole document)
    written_lines = {record["log"] for _, record in lines}
    mappings = retention.os_index_template(RetentionArgs.of(SETTINGS))["template"]["mappings"]["properties"]
    for doc in docs:
        assert doc["log"] in written_lines
        for field in (f for f in doc if f.startswith("kafka_")):
            assert field in mappings, field
            if mappings[field]["type"] == "ip":
                ipaddress.ip_address(doc[field])
