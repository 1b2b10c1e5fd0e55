"""content/jaeger.py: the Jaeger v2.5.0 configuration, loaded as Jaeger loads it.

Jaeger v2 is an OpenTelemetry Collector (v0.123.0, as its go.mod pins). tests/upstream/otel_collector
models how it takes the file, from the vendored Go sources: every section decoded into its struct
with ErrorUnused (Jaeger's own extensions and exporter, the otlp receiver, the batch processor,
healthcheckv2, confighttp/configgrpc/configtls, the service and its telemetry), the references and
signals validated, and the telemetry reader and servers started.
"""
from __future__ import annotations

import copy
import datetime as dt
import re

import pytest

from content import jaeger
from tests.conftest import make_settings
from tests.upstream import otel_collector

GO_DURATION = re.compile(r"(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+")  # time.ParseDuration
STORAGES = ["elasticsearch", "opensearch"]


def changed(config: dict, path: str, value: object) -> dict:
    """A copy of `config` with the key at `path` (dot-separated) set to `value`, or renamed to
    value's text when value is a `str` prefixed with "rename:"."""
    config = copy.deepcopy(config)
    *parents, key = path.split(".")
    node = config
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(value, str) and value.startswith("rename:"):
        node[value.removeprefix("rename:")] = node.pop(key)
    else:
        node[key] = value
    return config


BROKEN = [  # (change, what the collector v0.123.0 says)
    ("receivers.otlp.protocols.grpc.endpoint", "rename:endpont", "receivers::otlp.protocols.grpc.endpont: invalid key"),
    ("receivers.otlp.protocols", "rename:protocol", "receivers::otlp.protocol: invalid key"),
    ("extensions.healthcheckv2.http", "rename:https", "extensions::healthcheckv2.https: invalid key"),
    ("extensions.jaeger_query.http.endpoint", "rename:address",
     "extensions::jaeger_query.http.address: invalid key"),
    ("extensions.jaeger_storage.backends.primary_store.elasticsearch.tls.insecure", "rename:skip_verify",
     "extensions::jaeger_storage.backends.primary_store.elasticsearch.tls.skip_verify: invalid key"),
    ("extensions.jaeger_storage.backends.primary_store.elasticsearch.indices.spans.date_layout",
     "rename:date_layot",
     "extensions::jaeger_storage.backends.primary_store.elasticsearch.indices.spans.date_layot: invalid key"),
    ("service.pipelines.traces", "rename:trace", "pipeline 'trace': unknown signal 'trace'"),
    ("service.pipelines.traces", "rename:Traces", "in 'Traces' id: invalid character(s) in type 'Traces'"),
    ("service.pipelines.traces.receivers", ["jaeger"],
     "service::pipelines::traces: references receiver 'jaeger' which is not configured"),
    ("service.extensions", ["zpages"], "service::extensions: references extension 'zpages' which is not configured"),
    ("service.telemetry", "rename:telemetery", "service.telemetery: invalid key"),
    ("service.telemetry.metrics.level", "verbose", "unknown metrics level 'verbose'"),
    ("service.telemetry.metrics.readers", [], "collector telemetry metrics reader should exist when metric level is "
                                              "not none"),
    ("service.telemetry.metrics.readers.0.pull.exporter.prometheus", "rename:promethues", "no valid metric exporter"),
    ("service.telemetry.metrics.readers.0.pull.exporter.prometheus.port", "rename:ports",
     "service.telemetry.metrics.readers[0].pull.exporter.prometheus.ports: invalid key"),
    ("processors", {"batch": {}, "batcher": {}}, "processors::batcher: unknown type"),
]


@pytest.mark.parametrize("storage", STORAGES)
def test_jaeger_starts_with_its_configuration_as_collector_v0_123_0_loads_it(storage):
    """Nothing in our file stops the collector; each change in BROKEN does, with the collector's
    own complaint (the model is no wider than the sources it reads)."""
    config = jaeger.config(make_settings("prod", traceStorage=storage))
    assert otel_collector.problems(config) == []
    if storage == "elasticsearch":
        for path, value, complaint in BROKEN:
            assert otel_collector.problems(changed(config, path, value)) == [complaint], path
    assert otel_collector.problems(changed(config, "service.telemetry.metrics.level", "Detailed")) == []  # lower-cased


@pytest.mark.parametrize("storage", STORAGES)
def test_every_jaeger_server_listens_on_the_pod_ip(storage):
    """The kubelet's probes and Prometheus connect to the pod's IP, so each server Jaeger starts
    must listen on every address; the collector's own defaults (healthcheckv2's legacy endpoint,
    the telemetry host) are localhost."""
    config = jaeger.config(make_settings("prod", traceStorage=storage))
    servers = otel_collector.listeners(config)
    assert {(s.component, s.port) for s in servers if s.on_pod_ip} == {
        ("otlp/grpc", jaeger.OTLP_GRPC_PORT), ("otlp/http", jaeger.OTLP_HTTP_PORT),
        ("jaeger_query/http", jaeger.QUERY_PORT), ("remote_sampling/http", jaeger.SAMPLING_PORT),
        ("healthcheckv2", jaeger.HEALTH_PORT), ("telemetry", jaeger.METRICS_PORT)}
    legacy = otel_collector.listeners(changed(config, "extensions.healthcheckv2.use_v2", False))
    assert [s for s in legacy if s.component == "healthcheckv2"] == [
        otel_collector.Listener("healthcheckv2", "localhost", 13133, ("/",))]


@pytest.mark.parametrize("storage", STORAGES)
def test_the_trace_storage_client_verifies_the_server(storage):
    """Jaeger's GetHTTPRoundTripper (internal/storage/elasticsearch/config at v2.5.0) loads the
    TLS configuration only while tls.insecure is false; insecure or insecure_skip_verify would
    let any server that answers the URL receive the storage password."""
    s = make_settings("prod", traceStorage=storage)
    (store,) = jaeger.config(s)["extensions"]["jaeger_storage"]["backends"].values()
    tls = store[storage]["tls"]
    assert tls.get("insecure") is False and not tls.get("insecure_skip_verify")
    assert all(url.startswith("https://") for url in store[storage]["server_urls"])


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


def test_a_sampling_change_applies_within_two_minutes_of_the_configmap_update():
    """The sampling file is a ConfigMap mounted into the pod; the kubelet refreshes such a volume on its
    sync (syncFrequency, 1m by default: kubelet config v1beta1 KubeletConfiguration), and Jaeger's file
    sampling provider re-reads the file every reload_interval (jaeger v2 remote_sampling `file`). A new
    rate reaches the clients within kubelet sync + reload_interval: 2 minutes at 1m, 3 at 2m."""
    def seconds(go: str) -> float:
        return sum(float(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in re.findall(r"([\d.]+)([hms])", go))
    reload = jaeger.config(make_settings("prod"))["extensions"]["remote_sampling"]["file"]["reload_interval"]
    assert 60 + seconds(reload) <= 120
