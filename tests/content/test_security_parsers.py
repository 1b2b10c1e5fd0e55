"""The security-event parsers on real Kafka lines of both authorizers and both Strimzi layouts, through
a model of Fluent Bit's parser and modify filters (tests/content/security_lines.py names every
upstream source the lines are built from)."""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone

import pytest

from content import security_parsers as sp
from tests.content import security_lines as kl

WHEN = datetime(2026, 12, 7, 12, 0, 5, 123000, tzinfo=timezone.utc)
THREAD = "data-plane-kafka-request-handler-3"


def wrapped(message: str, layout: str, logger: str, line: int) -> str:
    return kl.layout(layout, WHEN, "INFO", logger, line, THREAD, message)


def parsed(line: str) -> dict:
    return kl.event(line, WHEN)


@pytest.mark.parametrize("layout", [kl.LOG4J1, kl.LOG4J2])
@pytest.mark.parametrize("message,operation", [
    (kl.acl_authorizer("User:svc-payments", "Denied", "Read", "10.1.2.3", "Topic:LITERAL:economy.payments",
                       "Fetch"), "Read"),
    (kl.standard_authorizer("User:svc-payments", "Denied", "READ", "10.1.2.3", "Topic:LITERAL:economy.payments",
                            "Fetch"), "READ"),
])
def test_a_denial_of_either_authorizer_yields_every_field_and_keeps_the_raw_line(layout, message, operation):
    line = wrapped(message, layout, kl.AUTHORIZER_LOGGER, 307)
    record = parsed(line)
    assert record["log"] == line
    assert {k: record.get(k) for k in sp.FIELDS} == {
        "kafka_event": "authz_denied", "kafka_principal": "User:svc-payments", "kafka_client_ip": "10.1.2.3",
        "kafka_operation": operation, "kafka_resource_type": "Topic", "kafka_resource": "economy.payments",
        "kafka_api": "Fetch", "kafka_auth_error": None,
        "kafka_decision": "Denied", "kafka_pattern_type": "LITERAL"}


@pytest.mark.parametrize("layout", [kl.LOG4J1, kl.LOG4J2])
def test_an_allowed_request_logged_at_debug_is_an_authenticated_principal(layout):
    message = kl.standard_authorizer("User:alice", "Allowed", "WRITE", "10.9.8.7", "Topic:PREFIXED:combat.",
                                     "Produce", rule="MatchingAcl(acl=StandardAcl(resourceType=TOPIC, "
                                     "resourceName=combat., patternType=PREFIXED, principal=User:alice, host=*, "
                                     "operation=WRITE, permissionType=ALLOW))")
    record = parsed(kl.layout(layout, WHEN, "DEBUG", kl.AUTHORIZER_LOGGER, 297, THREAD, message))
    assert (record["kafka_event"], record["kafka_principal"], record["kafka_pattern_type"], record["kafka_resource"],
            record["kafka_api"]) == ("authz_allowed", "User:alice", "PREFIXED", "combat.", "Produce")


def test_a_consumer_group_with_spaces_in_its_name_is_one_resource():
    """Group ids are free strings (only topics have legal characters): the resource ends at ' for request'."""
    record = parsed(kl.acl_authorizer("User:bob", "Denied", "Read", "10.1.2.3", "Group:LITERAL:my group (eu)",
                                      "JoinGroup"))
    assert (record["kafka_resource_type"], record["kafka_resource"], record["kafka_api"]) == (
        "Group", "my group (eu)", "JoinGroup")


@pytest.mark.parametrize("layout", [kl.LOG4J1, kl.LOG4J2])
@pytest.mark.parametrize("reason,event", [
    (kl.BAD_PASSWORD, "authn_failed"),
    (kl.BAD_SCRAM, "authn_failed"),
    (kl.SSL_FAILED, "tls_handshake_failed"),
    (kl.unexpected_request("METADATA"), "sasl_protocol_error"),
    (kl.unexpected_request("API_VERSIONS"), "sasl_protocol_error"),
])
@pytest.mark.parametrize("hostname,reauth", [("", False), ("client-7.game.internal", False), ("", True)])
def test_a_failed_authentication_yields_the_address_the_reason_and_its_event(layout, reason, event, hostname, reauth):
    line = wrapped(kl.failed_authentication("10.4.5.6", reason, hostname=hostname, reauth=reauth), layout,
                   kl.SELECTOR_LOGGER, 620)
    record = parsed(line)
    assert (record["kafka_event"], record["kafka_client_ip"], record["kafka_auth_error"]) == (event, "10.4.5.6", reason)
    assert "kafka_principal" not in record  # the line has none
    assert record["log"] == line


def test_an_ipv6_client_address_is_kept_whole_and_is_an_ip():
    """InetAddress.getHostAddress of an IPv6 peer: eight groups, possibly with a scope."""
    host = "2001:db8:0:0:0:0:0:17"
    record = parsed(kl.failed_authentication(host, kl.BAD_PASSWORD))
    assert record["kafka_client_ip"] == host and ipaddress.ip_address(record["kafka_client_ip"])
    record = parsed(kl.acl_authorizer("User:x", "Denied", "Describe", host, "Cluster:LITERAL:kafka-cluster",
                                      "DescribeConfigs"))
    assert record["kafka_client_ip"] == host and record["kafka_resource"] == "kafka-cluster"


@pytest.mark.parametrize("line", [
    "2026-12-07 12:00:05 INFO  [data-plane-kafka-socket-acceptor] Selector:610 - Connection with /10.1.2.3 "
    "(channelId=10.0.0.5:9094-10.1.2.3:51234-7) disconnected",
    "2026-12-07 12:00:05 WARN  [main] Selector:623 - Unexpected error from /10.1.2.3 (channelId=x); closing connection",
    "2026-12-07 12:00:05,000 INFO [Controller id=1] Processed 3 records (kafka.controller.KafkaController) [main]",
    "Principal = User:x is Denied Operation = Read from host = 10.1.2.3 on resource = Topic",  # cut off
])
def test_a_line_that_is_no_security_event_gets_no_field(line):
    record = parsed(line)
    assert record == {"log": line, "@timestamp": record["@timestamp"]}


def test_every_captured_field_is_in_the_table_and_every_table_field_is_produced():
    """One table of fields: the template maps exactly what the parsers and the modify filters produce."""
    groups = {g for regex in sp.PARSERS.values() for g in re.findall(r"\(\?<([a-z_]+)>", regex)}
    produced = groups | {rule[-1].split()[0] for _, rule in sp.filter_sections("x") if dict(rule)["Name"] == "modify"
                         for rule in [[v for k, v in rule if k == "Set"]]}
    assert produced == set(sp.FIELDS)
    assert sp.template_mappings() == {"properties": {**{f: {"type": "keyword"} for f in sp.FIELDS},
                                                     "kafka_client_ip": {"type": "ip"},
                                                     "k8s_cluster": {"type": "keyword"}}}  # Fluent Bit's record_modifier


def test_the_filters_use_only_properties_fluent_bit_reads():
    """fluent-bit v3.1.9 plugins/filter_parser/filter_parser.c config map: Key_Name, Parser (multiple),
    Preserve_Key, Reserve_Data; plugins/filter_modify/modify.c: Condition (its value split into at
    most three words: so a regex holds no space) and Set; src/flb_parser.c: Name, Format, Regex."""
    for _, entries in sp.filter_sections("security.*"):
        opts = dict(entries)
        allowed = {"parser": {"Name", "Match", "Key_Name", "Parser", "Preserve_Key", "Reserve_Data"},
                   "modify": {"Name", "Match", "Condition", "Set"}}[opts["Name"]]
        assert {k for k, _ in entries} <= allowed
        for key, value in entries:
            if key == "Condition":
                assert len(value.split(" ")) <= 3, value
    for _, entries in sp.parser_sections():
        assert [k for k, _ in entries] == ["Name", "Format", "Regex"]


@pytest.mark.parametrize("message,event", [
    (kl.acl_authorizer("User:bob", "Denied", "Write", "10.1.2.3", "Topic:LITERAL:economy.payments", "Produce"),
     "authz_denied"),
    (kl.failed_authentication("10.4.5.6", kl.BAD_SCRAM), "authn_failed"),
])
def test_the_deployed_pipeline_parses_what_its_classifier_sends_to_the_security_index(message, event):
    """The rendered Fluent Bit config (content/fluent_bit.py) through the model of v3.1.9
    (tests/content/fluent_bit_model.py): the classifier re-tags the record security.*, and the
    parser and modify filters that follow it for that tag parse it with the [PARSER] sections of
    the chart's custom_parsers.conf."""
    from config.sections import CollectionArgs
    from content import fluent_bit
    from tests.conftest import make_settings
    from tests.content import fluent_bit_model

    groups = fluent_bit.sections(CollectionArgs.of(make_settings("prod")))
    line = kl.layout(kl.LOG4J1, WHEN, "INFO", kl.AUTHORIZER_LOGGER, 0, THREAD, message)
    record = {"log": line, "kubernetes": {"namespace_name": "kafka", "labels": {}}}
    every = [section for group in groups.values() for section in group]
    (routed,) = [r for name, tag, r in fluent_bit_model.route(every, "kube.var.log.containers.kafka-0.log", record)
                 if name == "opensearch"]
    assert routed["kafka_event"] == event and routed["log"] == line
    assert routed["compliance"] == "SOC2 GDPR ISO27001"  # the classifier's other filters still apply
    # without the [PARSER] sections (custom_parsers.conf not mounted) the parser filter cannot start
    with pytest.raises(ValueError, match="not found"):
        fluent_bit_model.route(groups["filters"] + groups["outputs"], "kube.var.log.containers.kafka-0.log", record)
