"""Fluent Bit and Jaeger configurations as rendered from the settings."""
from __future__ import annotations

import re

import pytest

from content import fluent_bit, jaeger
from config.settings import SettingsError
from tests.conftest import make_settings


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


def outputs(s) -> dict[str, dict[str, str]]:
    return {dict(e)["Name"]: dict(e) for name, e in parse_classic(fluent_bit.config_file(s)) if name == "OUTPUT"}


def test_rendered_file_reads_back_as_the_same_sections():
    s = make_settings("prod")
    expected = [sec for group in fluent_bit.sections(s).values() for sec in group]
    assert parse_classic(fluent_bit.config_file(s)) == expected


def test_outputs_write_daily_indices_over_tls_without_mapping_types():
    out = outputs(make_settings("prod"))
    es, os_ = out["es"], out["opensearch"]
    assert (es["Logstash_Prefix"], os_["Logstash_Prefix"]) == ("kafka-application", "kafka-security")
    for o in (es, os_):
        assert o["Logstash_Format"] == "On" and o["Logstash_DateFormat"] == "%Y.%m.%d"
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
