"""Fluent Bit and Jaeger configurations as rendered from the settings."""
from __future__ import annotations

import re

import pytest

from content import fluent_bit, jaeger
from config.settings import SettingsError
from tests.conftest import TWO_CLUSTERS, make_settings
from tests.content.fluent_bit_model import route


def parse_classic(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Read Fluent Bit's classic format back: [SECTION] headers and indented 'Key Value' lines."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        header = re.fullmatch(r"\[([A-Z]+)\]", line)
        if header:
            sections.append((header.group(1), []))
            continue
        entry = re.fullmatch(r" {4}(\S+) +(\S.*)", line)
        assert entry and sections, f"not classic format: {line!r}"
        sections[-1][1].append((entry.group(1), entry.group(2)))
    return sections


def outputs(s, archive_bucket=None, region="") -> dict[str, dict[str, str]]:
    return {dict(e)["Name"]: dict(e) for name, e in parse_classic(fluent_bit.config_file(s, archive_bucket, region))
            if name == "OUTPUT"}


def test_rendered_file_reads_back_as_the_same_sections():
    s = make_settings("prod")
    expected = [sec for group in fluent_bit.sections(s).values() for sec in group]
    assert parse_classic(fluent_bit.config_file(s)) == expected


def test_outputs_write_daily_application_indices_and_the_security_alias_over_tls_without_mapping_types():
    """Security events go to the write alias `kafka-security` with the `create` op (out_opensearch v3.1.9:
    Logstash_Format Off -> every record's header is {"create":{"_index":"<Index>"}}); application logs
    to daily Logstash names."""
    out = outputs(make_settings("prod"))
    es, os_ = out["es"], out["opensearch"]
    assert es["Logstash_Prefix"] == "kafka-application"
    assert es["Logstash_Format"] == "On" and es["Logstash_DateFormat"] == "%Y.%m.%d"
    assert (os_["Logstash_Format"], os_["Index"], os_["Write_Operation"]) == ("Off", "kafka-security", "create")
    assert "Logstash_Prefix" not in os_ and "%" not in os_["Index"]  # Index goes through strftime
    for o in (es, os_):
        assert o["Suppress_Type_Name"] == "On" and "Type" not in o
        assert o["tls"] == "On" and o["tls.verify"] == "On"
        assert o["Retry_Limit"] == "5" and o["Generate_ID"] == "Off" and "Id_Key" not in o
    assert (es["Host"], es["Port"]) == ("elasticsearch.necpgame.internal", "9200")
    assert (os_["Host"], os_["Port"]) == ("security-logs.necpgame.internal", "9200")
    assert es["HTTP_Passwd"] == "${ES_PASSWORD}" and os_["HTTP_Passwd"] == "${OS_PASSWORD}"


def test_application_filter_keeps_the_configured_levels_and_security_gets_compliance_fields():
    sections = dict((dict(e).get("Match"), e) for n, e in parse_classic(
        fluent_bit.config_file(make_settings("prod", applicationLogLevels=["ERROR", "FATAL"]))) if n == "FILTER")
    grep = dict(sections[fluent_bit.APP_TAG])
    assert grep["Name"] == "grep" and grep["Regex"] == "level ^(ERROR|FATAL)$"
    records = [v for k, v in sections[fluent_bit.SECURITY_TAG] if k == "Record"]
    assert records == ["compliance SOC2 GDPR ISO27001", "retention_days 2557"]


def test_http_server_serves_metrics_on_2020():
    (service,) = [dict(e) for n, e in parse_classic(fluent_bit.config_file(make_settings("prod"))) if n == "SERVICE"]
    assert (service["HTTP_Server"], service["HTTP_Port"], service["Health_Check"]) == ("On", "2020", "On")


def test_default_sampling_is_ten_percent_with_health_checks_never_sampled():
    strategies = jaeger.sampling_strategies(make_settings("prod"))
    default = strategies["default_strategy"]
    assert (default["type"], default["param"]) == ("probabilistic", 0.1)
    assert {o["operation"]: o["param"] for o in default["operation_strategies"]} == {
        "/health": 0.0, "/healthz": 0.0, "/ready": 0.0, "/metrics": 0.0}
    assert strategies["service_strategies"] == []


def test_sampling_overrides_per_service_and_operation():
    s = make_settings("prod", traceSamplingOverrides=["combat-service=0.5", "combat-service:process_event=1",
                                                      "social-service:/chat=0.01"])
    services = {x["service"]: x for x in jaeger.sampling_strategies(s)["service_strategies"]}
    assert services["combat-service"]["param"] == 0.5
    assert {"operation": "process_event", "type": "probabilistic", "param": 1.0} in \
        services["combat-service"]["operation_strategies"]
    assert services["social-service"]["param"] == 0.1  # default rate, one operation overridden
    assert {"operation": "/health", "type": "probabilistic", "param": 0.0} in services["social-service"][
        "operation_strategies"]


@pytest.mark.parametrize("override", ["combat-service", "=0.5", "svc=1.5", "svc=often"])
def test_bad_sampling_override_is_refused(override):
    with pytest.raises(SettingsError) as err:
        make_settings("prod", traceSamplingOverrides=[override])
    assert err.value.problems[0].startswith("traceSamplingOverrides[0]")


def test_jaeger_pipeline_references_only_defined_components():
    """What `otelcol validate` checks structurally: every name the service uses is defined."""
    config = jaeger.config(make_settings("prod"))
    service = config["service"]
    assert set(service["extensions"]) <= set(config["extensions"])
    for pipeline in service["pipelines"].values():
        for kind in ("receivers", "processors", "exporters"):
            assert set(pipeline[kind]) <= set(config[kind]), kind


@pytest.mark.parametrize("backend,url", [("elasticsearch", "https://elasticsearch.necpgame.internal:9200"),
                                         ("opensearch", "https://security-logs.necpgame.internal:9200")])
def test_jaeger_storage_follows_the_setting(backend, url):
    config = jaeger.config(make_settings("prod", traceStorage=backend))
    store = config["extensions"]["jaeger_storage"]["backends"][jaeger.STORE]
    assert list(store) == [backend]
    assert store[backend]["server_urls"] == [url]
    indices = store[backend]["indices"]
    assert indices["index_prefix"] == "jaeger" and indices["spans"]["rollover_frequency"] == "day"
    assert store[backend]["auth"]["basic"]["password"] == "${env:TRACE_STORAGE_PASSWORD}"


# Records as the tail input and kubernetes filter hand them on (Merge_Log On: a JSON log's fields
# are merged into the record; a plain-text line stays in `log`).
KAFKA = {"kubernetes": {"namespace_name": "necpgame-infrastructure", "pod_name": "kafka-brokers-0",
                        "labels": {"strimzi.io/kind": "Kafka"}}}
APP = {"kubernetes": {"namespace_name": "necpgame-infrastructure", "pod_name": "event-core-7d9f",
                      "labels": {"app": "kafka-event-driven-core"}}}
OTHER = {"kubernetes": {"namespace_name": "kube-system", "pod_name": "coredns-1", "labels": {}}}
RECORDS = {
    "authorizer denial": ({**KAFKA, "log": "[2026-11-30 06:00:00,001] INFO Principal = User:intruder is Denied "
                                          "Operation = Read from host = 10.1.2.3 on resource = Topic:LITERAL:economy "
                                          "(kafka.authorizer.logger)"}, "security"),
    "SASL failure": ({**KAFKA, "log": "[2026-11-30 06:00:02,000] INFO [SocketServer listenerType=BROKER, nodeId=0] "
                                      "Failed authentication with /10.1.2.3 (channelId=...) (Authentication failed "
                                      "during authentication due to invalid credentials with SASL mechanism "
                                      "SCRAM-SHA-512) (org.apache.kafka.common.network.Selector)"}, "security"),
    "platform security event": ({**APP, "event_category": "security", "level": "INFO",
                                 "message": "player session hijack suspected"}, "security"),
    "application error": ({**APP, "level": "ERROR", "message": "combat event rejected"}, "application"),
    "application info": ({**APP, "level": "INFO", "message": "processed"}, None),
    "broker info line": ({**KAFKA, "log": "[2026-11-30 06:00:03,000] INFO [Log partition=combat-0] Rolled new "
                                          "log segment (kafka.log.LocalLog$)"}, None),
    "other namespace error": ({**OTHER, "level": "ERROR", "message": "plugin/errors"}, None),
}


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_records_are_routed_by_their_content(name):
    """Security events reach OpenSearch and the locked archive; application warnings and errors
    reach Elasticsearch; everything else reaches nothing."""
    s = make_settings("prod")
    sections = parse_classic(fluent_bit.config_file(s, "archive-bucket", "eu-west-1"))
    record, expected = RECORDS[name]
    reached = sorted(out for out, _, _ in route(sections, "kube.var.log.containers.x.log", record))
    assert reached == {"security": ["opensearch", "s3"], "application": ["es"], None: []}[expected]


def test_application_logs_of_every_clusters_namespace_and_only_those_reach_elasticsearch():
    """The rewrite_tag rule reads the namespace of each cluster and of the platform. The clusters here
    live in two namespaces of their own (x and y). A namespace whose name only contains one of those
    names stays out: the rule's regex is anchored at both ends."""
    s = make_settings("prod", clusters=TWO_CLUSTERS)
    sections = parse_classic(fluent_bit.config_file(s))
    namespaces = {s.platform_namespace, *(c.namespace for c in s.clusters)}
    assert {"x", "y"} < namespaces

    def reached(namespace: str) -> list[str]:
        record = {**APP, "kubernetes": {**APP["kubernetes"], "namespace_name": namespace}, "level": "ERROR",
                  "message": "combat event rejected"}
        return sorted(out for out, _, _ in route(sections, "kube.var.log.containers.x.log", record))

    assert {n: reached(n) for n in namespaces} == {n: ["es"] for n in namespaces}
    assert reached("xy") == reached("x-staging") == []


def test_security_events_carry_their_compliance_fields_into_both_outputs():
    sections = parse_classic(fluent_bit.config_file(make_settings("prod"), "archive-bucket", "eu-west-1"))
    record, _ = RECORDS["authorizer denial"]
    for _, tag, routed in route(sections, "kube.var.log.containers.x.log", record):
        assert tag.startswith("security.") and routed["retention_days"] == "2557"


def test_the_archive_output_sends_content_md5_and_gzips_hourly_keys():
    out = outputs(make_settings("prod"), "archive-bucket", "eu-west-1")["s3"]
    assert (out["bucket"], out["region"], out["send_content_md5"], out["use_put_object"]) == (
        "archive-bucket", "eu-west-1", "true", "On")
    assert out["compression"] == "gzip" and out["s3_key_format"].startswith("/security-events/%Y/%m/%d/%H/")
    assert "s3" not in outputs(make_settings("prod"))  # no writer role, no archive output


def test_the_input_is_the_charts_container_log_pipeline():
    """fluent-bit chart 0.47.10 defaults: tail /var/log/containers/*.log, docker and cri parsers,
    tag kube.*, and the kubernetes filter with Merge_Log."""
    s = make_settings("prod")
    sections = parse_classic(fluent_bit.config_file(s))
    (tail,) = [dict(e) for n, e in sections if n == "INPUT"]
    assert (tail["Name"], tail["Path"], tail["multiline.parser"], tail["Tag"]) == (
        "tail", "/var/log/containers/*.log", "docker, cri", "kube.*")
    kube = [dict(e) for n, e in sections if n == "FILTER" and dict(e)["Name"] == "kubernetes"]
    assert kube == [{"Name": "kubernetes", "Match": "kube.*", "Merge_Log": "On", "Keep_Log": "Off",
                     "K8S-Logging.Parser": "On", "K8S-Logging.Exclude": "On"}]
