"""The data classes: one row each, read by Fluent Bit and Jaeger (where to write), the retention
objects (ILM/ISM, templates, SLM/SM), the Grafana datasources and the stack outputs.

Adding a class is one row here plus its tests. A row names the settings fields that hold its
numbers (retention, shards, daily volume), so the numbers stay in the settings.

Two layouts. Daily: `<prefix>-YYYY.MM.DD`, one index a day (Logstash names). Rollover: writers write
to the alias `<prefix>`, whose write index `<prefix>-000001` ISM rolls over by primary-shard size or
age (index-management 2.17.0.0 RolloverAction, MetadataRolloverService names the next index by
incrementing the trailing number, zero-padded to six digits). A class that outlives 2557 days must
roll over: a daily index per day is 2557 x primaries x (1 + replicas) open shards, over OpenSearch's
`cluster.max_shards_per_node` (1000, ShardLimitValidator) x data nodes. Readers and snapshots read
`<prefix>-*`, which holds both layouts, so the daily indices written before the change stay readable
until their own policy deletes them.
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
    rollover: bool = False               # write alias <prefix> over <prefix>-000001.. (else daily indices)
    legacy_policy: str | None = None     # the daily layout's policy id, kept while its indices age out
    volume: str | None = None            # settings field: GB of source documents a day (capacity plan)

    def engine_of(self, s: Any) -> str:
        return self.engine or s.trace_storage

    def retention_days(self, s: Any) -> int:
        return getattr(s, self.retention)

    def snapshot_days(self, s: Any) -> int | None:
        return getattr(s, self.snapshot_retention) if self.snapshot_retention else None

    def index_patterns(self, s: Any) -> list[str]:
        """Every index of the class, whatever layout wrote it: what readers and snapshots take."""
        return [f"{self.prefix}-*"] if self.prefix else sorted(jaeger.index_names(s).values())

    @property
    def write_alias(self) -> str | None:
        """The alias writers write to (rollover layout), or None (writers name daily indices)."""
        return self.prefix if self.rollover else None

    @property
    def bootstrap_index(self) -> str | None:
        """The first write index: the trailing number is what rollover increments."""
        return f"{self.prefix}-000001" if self.rollover else None

    @property
    def rollover_patterns(self) -> list[str]:
        """The rollover layout's indices only: <prefix>-000001 and the ones rollover names after it."""
        return [f"{self.prefix}-0*"] if self.rollover else []

    @property
    def daily_patterns(self) -> list[str]:
        """The daily layout's indices only, <prefix>-YYYY.MM.DD (years 2000-2999): disjoint from
        rollover_patterns, so the two layouts' templates and ISM policies never match the same index."""
        return [f"{self.prefix}-2*"] if self.prefix else []


APPLICATION = DataClass(
    "application", "application logs", "fluent-bit", "elasticsearch", "kafka-application", "kafka-application",
    "application_log_retention_days", "application_log_shards", "nightly-kafka-application",
    "kafka-application-archive", "application_archive_retention_days", volume="capacity_application_log_gb_per_day")
SECURITY = DataClass(
    "security", "security events", "fluent-bit", "opensearch", "kafka-security", "kafka-security-rollover",
    "security_retention_days", "security_log_shards", "nightly-kafka-security", "kafka-security-archive",
    "security_retention_days", locked_archive=True, rollover=True, legacy_policy="kafka-security",
    volume="capacity_security_event_gb_per_day")
TRACES = DataClass("traces", "traces", "jaeger", None, None, "kafka-traces", "trace_retention_days")
CLASSES = (APPLICATION, SECURITY, TRACES)
