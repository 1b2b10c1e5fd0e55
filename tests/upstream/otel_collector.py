"""How Jaeger v2.5.0 loads its configuration file, and what it then listens on.

Jaeger v2 is an OpenTelemetry Collector. Its go.mod pins the collector at v0.123.0, otelconf at
v0.15.0 and contrib's healthcheckv2extension at v0.123.0; the structs are vendored beside this file
(see README.md). The collector takes a file in three steps, each modelled on that source:

1. Decode. confmap decodes each section into its Go struct with ErrorUnused, so an unknown key
   stops start-up (otelcol/config.go Config, service/config.go, service/telemetry and its
   migration.MetricsConfigV030, otelconf's MeterProvider). A component's section is decoded into
   the Config of the factory its id names (`type[/name]`). A pipeline id's signal must match
   globalsignal's `^[a-z]{1,62}$` (pipeline.ID.UnmarshalText), and the metrics level must be one
   of configtelemetry's four, compared lower-cased (Level.UnmarshalText).
2. Validate. A pipeline's signal is traces, metrics or logs (pipelines.Config.Validate); every
   extension and every pipeline member must be configured (otelcol.Config.Validate); any metrics
   level but none needs a reader (telemetry.Config.Validate).
3. Start. otelconf/v0.3.0/metric.go (at otelconf/v0.15.0): a pull reader needs its prometheus
   exporter (`no valid metric exporter`; unknown exporter keys are kept by `,remain`), with a
   host and a port; it serves /metrics there. healthcheckv2's internal/http/server.go: with
   use_v2 it serves the status path (and the config path, where enabled) on its `http` endpoint;
   without, the legacy path on the legacy endpoint, which factory.go defaults to localhost:13133
   (localhostgate's beta gate) with path "/".
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tests.upstream import HERE, go_config_problems, go_structs

C, J, H = "otel-collector-v0.123.0/", "jaeger-v2.5.0/", "healthcheckv2extension/"
NET = (C + "config_confighttp_confighttp.go", C + "config_configgrpc_configgrpc.go",
       C + "config_confignet_confignet.go", C + "config_configtls_configtls.go")
SERVICE = (C + "otelcol_config.go", C + "service_config.go", C + "service_telemetry_config.go",
           C + "service_telemetry_internal_migration_v0.3.0.go", C + "service_pipelines_config.go",
           C + "service_extensions_config.go", "otelconf-v0.15.0/otelconf_v0.3.0_generated_config.go")
# (section, component type) -> the factory's Config and the files that define it. The types are
# the factories' own: each metadata.yaml's `type`, or Jaeger's component.MustNewType.
COMPONENTS = {
    ("receivers", "otlp"): ("otlpreceiver.Config", C + "receiver_otlpreceiver_config.go"),
    ("processors", "batch"): ("batchprocessor.Config", C + "processor_batchprocessor_config.go"),
    ("exporters", "jaeger_storage_exporter"): (
        "storageexporter.Config", J + "cmd_jaeger_internal_exporters_storageexporter_config.go"),
    ("extensions", "jaeger_storage"): ("jaegerstorage.Config", J + "cmd_jaeger_internal_extension_jaegerstorage_config.go",
                                       J + "internal_storage_elasticsearch_config_config.go"),
    ("extensions", "jaeger_query"): ("jaegerquery.Config", J + "cmd_jaeger_internal_extension_jaegerquery_config.go",
                                     J + "cmd_query_app_flags.go"),
    ("extensions", "remote_sampling"): ("remotesampling.Config",
                                        J + "cmd_jaeger_internal_extension_remotesampling_config.go"),
    ("extensions", "healthcheckv2"): ("healthcheckv2extension.Config", H + "config.go", H + "internal_http_config.go"),
}
SECTIONS = ("receivers", "processors", "exporters", "connectors", "extensions")
SIGNALS = re.findall(r'MustNewSignal\("(\w+)"\)', (HERE / C / "pipeline_signal.go").read_text())
SIGNAL_NAME = re.search(r"MustCompile\(`(.+?)`\)", (HERE / C / "pipeline_internal_globalsignal_signal.go").read_text())[1]
LEVELS = [level.lower() for level in re.findall(r'level\w+Str\s+= "(\w+)"',
                                                (HERE / C / "config_configtelemetry_configtelemetry.go").read_text())]
HEALTH_DEFAULTS = {"legacy": ("localhost:13133", "/"), "status": "/status"}  # healthcheckv2 factory.go


@functools.cache
def _structs(*files: str) -> dict:
    """The structs of these files, parsed once (nothing here changes them)."""
    return go_structs(*files)


def _metrics(config: dict) -> dict:
    """service::telemetry::metrics."""
    return ((config.get("service") or {}).get("telemetry") or {}).get("metrics") or {}


def _prometheus(reader: dict) -> dict | None:
    """A metric reader's pull::exporter::prometheus."""
    return (reader.get("pull") or {}).get("exporter", {}).get("prometheus")


def decode(section: str, component_id: str, body: dict | None) -> list[str]:
    """The keys the component's factory Config refuses."""
    struct, *files = COMPONENTS[(section, component_id.split("/")[0])]
    return go_config_problems(body or {}, struct, _structs(*files, *NET), f"{section}::{component_id}")


def problems(config: dict) -> list[str]:
    """What stops the collector from starting with `config`, in its own words: the decoding
    errors, else the validation errors, else the start-up errors (each step runs only after the
    one before it succeeded)."""
    return _decode_problems(config) or _validate_problems(config) or _telemetry_problems(config)


def _decode_problems(config: dict) -> list[str]:
    found = go_config_problems(config, "otelcol.Config", _structs(*SERVICE, C + "pipeline_pipeline.go"))
    for section in SECTIONS:
        for component_id, body in (config.get(section) or {}).items():
            if (section, component_id.split("/")[0]) not in COMPONENTS:
                found.append(f"{section}::{component_id}: unknown type")
            else:
                found += decode(section, component_id, body)
    service = config.get("service") or {}
    for pipeline_id in service.get("pipelines") or {}:  # pipeline.ID.UnmarshalText
        if not re.fullmatch(SIGNAL_NAME, signal := pipeline_id.split("/")[0].strip()):
            found.append(f"in {pipeline_id!r} id: invalid character(s) in type {signal!r}")
    level = str(_metrics(config).get("level", "normal"))
    if level.lower() not in LEVELS:  # configtelemetry.Level.UnmarshalText
        found.append(f"unknown metrics level {level.lower()!r}")
    return found


def _validate_problems(config: dict) -> list[str]:
    found = []
    service = config.get("service") or {}
    for ref in service.get("extensions") or []:
        if ref not in (config.get("extensions") or {}):
            found.append(f"service::extensions: references extension {ref!r} which is not configured")
    for pipeline_id, pipeline in (service.get("pipelines") or {}).items():
        if (signal := pipeline_id.split("/")[0].strip()) not in SIGNALS:  # pipelines.Config.Validate
            found.append(f"pipeline {pipeline_id!r}: unknown signal {signal!r}")
        for kind, sections in (("receiver", ("receivers", "connectors")), ("processor", ("processors",)),
                               ("exporter", ("exporters", "connectors"))):
            for ref in pipeline.get(kind + "s") or []:
                if not any(ref in (config.get(s) or {}) for s in sections):
                    found.append(f"service::pipelines::{pipeline_id}: references {kind} {ref!r} which is not configured")
    metrics = _metrics(config)
    if str(metrics.get("level", "normal")).lower() != "none" and not metrics.get("readers"):
        found.append("collector telemetry metrics reader should exist when metric level is not none")
    return found


def _telemetry_problems(config: dict) -> list[str]:
    found = []
    for reader in _metrics(config).get("readers") or []:
        prometheus = _prometheus(reader)
        if "pull" in reader and prometheus is None:
            found.append("no valid metric exporter")
        elif prometheus is not None:
            found += [f"{key} must be specified" for key in ("host", "port") if prometheus.get(key) is None]
    return found


@dataclass(frozen=True)
class Listener:
    """An HTTP or gRPC server the collector starts: who, where, and the paths it answers
    (None: every path)."""
    component: str
    host: str
    port: int
    paths: tuple[str, ...] | None = None

    def answers(self, path: str) -> bool:
        """Go's ServeMux: a pattern ending in "/" holds its whole subtree."""
        return self.paths is None or any(path == p or (p.endswith("/") and path.startswith(p)) for p in self.paths)

    @property
    def on_pod_ip(self) -> bool:
        """Reachable on the pod's IP, as the kubelet and Prometheus connect: an empty or
        unspecified host listens on every address (net.Listen); localhost does not."""
        return self.host in ("", "0.0.0.0", "::", "[::]")


def _split(endpoint: str) -> tuple[str, int]:
    host, _, port = endpoint.rpartition(":")
    return host, int(port)


def listeners(config: dict) -> list[Listener]:
    """The servers a configuration that decodes starts, with the paths each answers."""
    found = []
    protocols = (config.get("receivers") or {}).get("otlp", {}).get("protocols", {})
    found += [Listener(f"otlp/{p}", *_split(protocols[p]["endpoint"])) for p in ("grpc", "http") if p in protocols]
    extensions = config.get("extensions") or {}
    for name in ("jaeger_query", "remote_sampling"):
        if "endpoint" in (extensions.get(name) or {}).get("http", {}):
            found.append(Listener(f"{name}/http", *_split(extensions[name]["http"]["endpoint"])))
    if "healthcheckv2" in extensions:
        health = extensions["healthcheckv2"] or {}
        if health.get("use_v2") and "http" in health:
            http = health["http"] or {}
            status = {"enabled": True, "path": HEALTH_DEFAULTS["status"], **http.get("status", {})}
            config_path = {"enabled": False, **http.get("config", {})}
            paths = tuple(p["path"] for p in (status, config_path) if p["enabled"])
            found.append(Listener("healthcheckv2", *_split(http.get("endpoint", HEALTH_DEFAULTS["legacy"][0])), paths))
        elif not health.get("use_v2"):
            endpoint, path = HEALTH_DEFAULTS["legacy"]
            found.append(Listener("healthcheckv2", *_split(health.get("endpoint", endpoint)),
                                  (health.get("path", path),)))
    for reader in _metrics(config).get("readers") or []:
        if prometheus := _prometheus(reader):
            found.append(Listener("telemetry", prometheus["host"], prometheus["port"], ("/metrics",)))
    return found
