"""content/jaeger.py: the Jaeger v2.5.0 configuration, decoded as Jaeger decodes it.

Jaeger v2 is an OpenTelemetry Collector: each component's section is decoded into its Go config
struct by confmap (mapstructure with ErrorUnused), so an unknown key stops Jaeger at start-up
("has invalid keys"). The structs are vendored from Jaeger's tag v2.5.0 (tests/upstream/jaeger-v2.5.0:
jaegerstorage, jaegerquery, remotesampling and storageexporter config.go, the Elasticsearch
storage's config.go, and cmd/query/app's QueryOptions); OpenTelemetry's own structs (confighttp,
configtls) are not vendored and not checked here.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest

from content import jaeger
from tests.conftest import make_settings
from tests.upstream import go_config_problems, go_structs

J = "jaeger-v2.5.0/"
ES_CONFIG = J + "internal_storage_elasticsearch_config_config.go"
COMPONENTS = {  # (section, component) -> the files that define its Config
    ("extensions", "jaeger_storage"): (J + "cmd_jaeger_internal_extension_jaegerstorage_config.go", ES_CONFIG),
    ("extensions", "jaeger_query"): (J + "cmd_jaeger_internal_extension_jaegerquery_config.go",
                                     J + "cmd_query_app_flags.go"),
    ("extensions", "remote_sampling"): (J + "cmd_jaeger_internal_extension_remotesampling_config.go",),
    ("exporters", "jaeger_storage_exporter"): (J + "cmd_jaeger_internal_exporters_storageexporter_config.go",),
}
GO_DURATION = re.compile(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+")  # time.ParseDuration


@pytest.mark.parametrize("storage", ["elasticsearch", "opensearch"])
def test_each_jaeger_component_decodes_into_its_v2_5_0_config(storage):
    config = jaeger.config(make_settings("prod", traceStorage=storage))
    for (section, component), files in COMPONENTS.items():
        assert go_config_problems(config[section][component], "Config", go_structs(*files)) == [], component
    assert go_config_problems({"backends": {"x": {"elasticsearch": {"indices": {"spans": {"date_layot": "x"}}}}}},
                              "Config", go_structs(*COMPONENTS[("extensions", "jaeger_storage")])) == [
        "backends.x.elasticsearch.indices.spans.date_layot: invalid key"]


@pytest.mark.parametrize("storage", ["elasticsearch", "opensearch"])
def test_query_exporter_and_storage_agree_and_durations_parse_as_go_durations(storage):
    """Jaeger refuses a query or exporter naming a backend jaeger_storage does not define."""
    s = make_settings("prod", traceStorage=storage)
    config = jaeger.config(s)
    backends = config["extensions"]["jaeger_storage"]["backends"]
    assert config["extensions"]["jaeger_query"]["storage"]["traces"] in backends
    assert config["exporters"]["jaeger_storage_exporter"]["trace_storage"] in backends
    (store,) = backends.values()
    assert set(store) == {storage}
    es = store[storage]
    assert GO_DURATION.fullmatch(es["max_span_age"])
    assert GO_DURATION.fullmatch(config["extensions"]["remote_sampling"]["file"]["reload_interval"])
    assert es["auth"]["basic"]["password"] == f"${{env:{jaeger.PASSWORD_ENV}}}"  # confmap's env provider
    assert es["server_urls"] == [s.search_cluster(storage)[0]]


def go_format(layout: str, when: dt.date) -> str:
    """Go's time.Format for the date elements of a layout (reference time Mon Jan 2 2006)."""
    elements = {"2006": f"{when:%Y}", "01": f"{when:%m}", "02": f"{when:%d}"}
    return re.sub("2006|01|02", lambda m: elements[m.group(0)], layout)


def test_jaegers_daily_index_names_carry_the_date_elasticsearch_parses():
    """Jaeger names an index <prefix>-jaeger-<kind>-<time.Format(date_layout)>; ILM reads an
    origination date only from a name ending in yyyy.MM.dd (IndexLifecycleOriginationDateParser)."""
    indices = jaeger.config(make_settings("prod"))["extensions"]["jaeger_storage"]["backends"][jaeger.STORE][
        "elasticsearch"]["indices"]
    for kind in ("spans", "services", "dependencies", "sampling"):
        name = f"jaeger-jaeger-{kind}-{go_format(indices[kind]['date_layout'], dt.date(2026, 11, 3))}"
        assert name.endswith("-2026.11.03") and indices[kind]["rollover_frequency"] == "day"


def effective(strategies: dict, default_probability: float = 0.001) -> dict:
    """What Jaeger v2.5.0's file sampling provider serves (internal/sampling/samplingstrategy/file/
    provider.go parseStrategy/parseServiceStrategies): a strategy of a type other than
    probabilistic or ratelimiting falls back to the default probability (0.001, with a warning),
    and an operation strategy counts only when probabilistic."""
    def rate(st: dict) -> float:
        return st["param"] if st["type"] in ("probabilistic", "ratelimiting") else default_probability

    def operations(st: dict) -> dict:
        return {op["operation"]: op["param"] for op in st.get("operation_strategies", [])
                if op["type"] == "probabilistic"}

    default = strategies["default_strategy"]
    served = {"*": (rate(default), operations(default))}
    for st in strategies["service_strategies"]:
        served[st["service"]] = (rate(st), operations(st))
    return served


def test_each_service_and_operation_is_sampled_at_the_rate_its_settings_give():
    s = make_settings("prod", traceSamplingRate="0.1", traceHealthOperations=["/healthz"],
                      traceSamplingOverrides=["combat=0.5", "economy:purchase=1.0"])
    served = effective(jaeger.sampling_strategies(s))
    assert served == {"*": (0.1, {"/healthz": 0.0}),
                      "combat": (0.5, {"/healthz": 0.0}),
                      "economy": (0.1, {"/healthz": 0.0, "purchase": 1.0})}
