"""Jaeger v2 (OpenTelemetry Collector based): collector, query, storage and sampling as data."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.sections import CollectionArgs, RetentionArgs

OTLP_GRPC_PORT, OTLP_HTTP_PORT, QUERY_PORT, SAMPLING_PORT, METRICS_PORT, HEALTH_PORT = (
    4317, 4318, 16686, 5778, 8888, 13133)
SAMPLING_FILE = "/etc/jaeger/sampling.json"
STORE = "primary_store"
# Elasticsearch parses an origination date only in yyyy.MM.dd form, so Jaeger's daily indices use it.
DATE_LAYOUT = "2006.01.02"
PASSWORD_ENV = "TRACE_STORAGE_PASSWORD"


def sampling_strategies(s: "CollectionArgs") -> dict:
    """Probabilistic by default; per-service and per-operation overrides; health checks never sampled."""
    health = [{"operation": op, "type": "probabilistic", "param": 0.0} for op in s.trace_health_operations]
    services: dict[str, dict] = {}
    for service, operation, rate in s.trace_sampling_overrides:
        entry = services.setdefault(service, {"service": service, "type": "probabilistic",
                                              "param": s.trace_sampling_rate, "operation_strategies": list(health)})
        if operation is None:
            entry["param"] = rate
        else:
            entry["operation_strategies"].append({"operation": operation, "type": "probabilistic", "param": rate})
    return {
        "default_strategy": {"type": "probabilistic", "param": s.trace_sampling_rate, "operation_strategies": health},
        "service_strategies": list(services.values()),
    }


# Jaeger's index kinds and the shards each gets (the templates that set them are ours: see
# content/retention.jaeger_templates).
INDEX_SHARDS = {"span": 5, "service": 1, "dependencies": 1, "sampling": 1}


def index_names(s: "CollectionArgs | RetentionArgs") -> dict[str, str]:
    """Jaeger's daily index name patterns per kind: IndexPrefix.Apply puts `<prefix>-` before
    `jaeger-<kind>-` (internal/storage/elasticsearch/config/config.go at v2.5.0)."""
    return {kind: f"{s.trace_index_prefix}-jaeger-{kind}-*" for kind in INDEX_SHARDS}


def _index() -> dict:
    return {"date_layout": DATE_LAYOUT, "rollover_frequency": "day"}


def config(s: "CollectionArgs") -> dict:
    url, username = s.search_cluster(s.trace_storage)
    return {
        "service": {
            "extensions": ["jaeger_storage", "jaeger_query", "remote_sampling", "healthcheckv2"],
            "pipelines": {"traces": {"receivers": ["otlp"], "processors": ["batch"],
                                     "exporters": ["jaeger_storage_exporter"]}},
            "telemetry": {"metrics": {"level": "detailed", "readers": [{"pull": {"exporter": {"prometheus": {
                "host": "0.0.0.0", "port": METRICS_PORT}}}}]}},
        },
        "extensions": {
            "healthcheckv2": {"use_v2": True, "http": {"endpoint": f"0.0.0.0:{HEALTH_PORT}"}},
            "jaeger_query": {"storage": {"traces": STORE},
                             "http": {"endpoint": f"0.0.0.0:{QUERY_PORT}"}},
            "jaeger_storage": {"backends": {STORE: {s.trace_storage: {
                "server_urls": [url],
                "auth": {"basic": {"username": username, "password": f"${{env:{PASSWORD_ENV}}}"}},
                "tls": {"insecure": False},
                # Reads look back as far as traces are kept (Jaeger's own default is 72 h); a Go duration.
                "max_span_age": f"{s.trace_retention_days * 24}h",
                "indices": {"index_prefix": s.trace_index_prefix, "spans": _index(), "services": _index(),
                            "dependencies": _index(), "sampling": _index()},
                # Elasticsearch: our templates carry Jaeger's mappings plus the lifecycle (an index
                # matches one composable template, so Jaeger's own could not coexist with ours).
                # OpenSearch: ISM attaches through ism_template, so Jaeger's own templates stay.
                "create_mappings": s.trace_storage == "opensearch",
            }}}},
            "remote_sampling": {"file": {"path": SAMPLING_FILE, "reload_interval": "1m"},
                                "http": {"endpoint": f"0.0.0.0:{SAMPLING_PORT}"}},
        },
        "receivers": {"otlp": {"protocols": {"grpc": {"endpoint": f"0.0.0.0:{OTLP_GRPC_PORT}"},
                                             "http": {"endpoint": f"0.0.0.0:{OTLP_HTTP_PORT}"}}}},
        "processors": {"batch": {}},
        "exporters": {"jaeger_storage_exporter": {"trace_storage": STORE}},
    }
