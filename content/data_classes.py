"""The data classes: one row each, read by Fluent Bit and Jaeger (where to write), the retention
objects (ILM/ISM, templates, SLM/SM), the Grafana datasources and the stack outputs.

Adding a class is one row here plus its tests. A row names the settings fields that hold its
numbers (retention, shards), so the numbers stay in the settings.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from content import jaeger


@dataclass(frozen=True)
class DataClass:
    key: str
    title: str
    writer: str                          # what creates the indices: fluent-bit or jaeger
    engine: str | None                   # elasticsearch, opensearch; None: the traceStorage setting
    prefix: str | None                   # daily indices <prefix>-YYYY.MM.DD; None: Jaeger's own names
    policy: str                          # ILM/ISM policy id (and template id)
    retention: str                       # settings field: days before deletion
    shards: str | None = None            # settings field: primary shards
    snapshot_policy: str | None = None   # SLM (Elasticsearch) or SM (OpenSearch) policy id
    snapshot_repository: str | None = None
    snapshot_retention: str | None = None  # settings field: days a snapshot is kept
    locked_archive: bool = False         # also written to the Object-Locked S3 archive

    def engine_of(self, s: Any) -> str:
        return self.engine or s.trace_storage

    def retention_days(self, s: Any) -> int:
        return getattr(s, self.retention)

    def snapshot_days(self, s: Any) -> int | None:
        return getattr(s, self.snapshot_retention) if self.snapshot_retention else None

    def index_patterns(self, s: Any) -> list[str]:
        return [f"{self.prefix}-*"] if self.prefix else sorted(jaeger.index_names(s).values())


APPLICATION = DataClass(
    "application", "application logs", "fluent-bit", "elasticsearch", "kafka-application", "kafka-application",
    "application_log_retention_days", "application_log_shards", "nightly-kafka-application",
    "kafka-application-archive", "application_archive_retention_days")
SECURITY = DataClass(
    "security", "security events", "fluent-bit", "opensearch", "kafka-security", "kafka-security",
    "security_retention_days", "security_log_shards", "nightly-kafka-security", "kafka-security-archive",
    "security_retention_days", locked_archive=True)
TRACES = DataClass("traces", "traces", "jaeger", None, None, "kafka-traces", "trace_retention_days")
CLASSES = (APPLICATION, SECURITY, TRACES)
