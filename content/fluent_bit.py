"""Fluent Bit pipeline: container logs -> security events (OpenSearch and the locked S3 archive) and
application logs (Elasticsearch).

Kafka and the platform log to stdout, so the input is the chart's own container-log pipeline
(fluent/helm-charts fluent-bit 0.47.10 values.yaml: tail /var/log/containers/*.log with the
docker and cri multiline parsers, tag kube.*, then the kubernetes filter with Merge_Log). Records
are then classified by content with rewrite_tag (Fluent Bit docs, "Rewrite Tag": `Rule $KEY REGEX
NEW_TAG KEEP`, the first matching rule wins, the re-tagged record re-enters the pipeline):
- a security event: an `event_category` of security or audit, a Kafka authorizer/authentication
  line (logger `kafka.authorizer.logger`, an authorizer's audit message, "Failed authentication",
  SASL and SSL handshake failures), or a record from an audit source;
- otherwise, a record from a monitored namespace is an application log.
Everything else is dropped. Outputs (Fluent Bit docs, "Elasticsearch", "OpenSearch", "Amazon S3"):
`Suppress_Type_Name On` (Elasticsearch 8 has no mapping types), daily `Logstash_*` indices for
application logs and the write alias for security events (content/data_classes.py), and the
s3 output with `send_content_md5 true`, which Object Lock requires of every PUT.

Nothing read is lost while an output is down, across a restart (fluent/fluent-bit v3.1.9): every
record that reaches an output was re-emitted by rewrite_tag's emitter, an input of its own. On
memory storage (the default) a full emitter pauses; in_emitter_add_record then answers busy (-2),
which rewrite_tag does not count as a failure (only -1), so the record is dropped along with its
original (KEEP false), and whatever the emitter holds dies with the process while the tail offsets
have moved on. On filesystem storage the emitter never pauses (src/flb_input_chunk.c
flb_input_chunk_protect: filesystem inputs only move chunks down to disk), its chunks live under
`storage.path` on the host, and the storage_backlog input sends them on after a restart.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from content.archive import ARCHIVE_PREFIX
from content import security_parsers
from content.data_classes import APPLICATION, SECURITY, DataClass

if TYPE_CHECKING:
    from config.sections import CollectionArgs

HTTP_PORT = 2020
INPUT_TAG = "kube.*"
APP_TAG, SECURITY_TAG = "app.*", "security.*"
APP_PREFIX, SECURITY_PREFIX = APPLICATION.prefix, SECURITY.prefix  # content/data_classes.py
DATE_FORMAT = "%Y.%m.%d"
STATE_DIR = "/var/lib/fluent-bit"
# The archive's upload cadence: an object per pod every ARCHIVE_UPLOAD_TIMEOUT, or sooner at
# ARCHIVE_FILE_SIZE (out_s3 v3.1.9 config_map: upload_timeout, total_file_size). The capacity plan
# counts the archive's objects from these.
ARCHIVE_UPLOAD_TIMEOUT_S, ARCHIVE_FILE_SIZE_MB = 600, 50
# The rendered "50M" as out_s3 reads it: a FLB_CONFIG_MAP_SIZE, so src/flb_utils.c
# flb_utils_size_to_bytes, whose M is 1000 x 1000 bytes (not 2**20).
ARCHIVE_FILE_SIZE_BYTES = ARCHIVE_FILE_SIZE_MB * 1000 * 1000
# Environment variables filled from the credentials Secret; the config only names them.
CREDENTIAL_ENV = {"es_user": "ES_USER", "es_password": "ES_PASSWORD", "os_user": "OS_USER",
                  "os_password": "OS_PASSWORD"}
# What marks a record as a security event, by field (record accessor) and pattern. A rule is four
# space-separated words, so a pattern spells its spaces \s.
# Both Kafka authorizers write their audit line to the logger kafka.authorizer.logger, as
# "Principal = <p> is Denied Operation = Read ..." (AclAuthorizer, SecurityUtils.operationName) or
# "Principal = <p> is Denied operation = READ ..." (KRaft's StandardAuthorizerData, the enum name).
# Selector logs "Failed authentication with ..." or "Failed re-authentication with ...".
# Strimzi's log4j1 layout ends the line with "(%c)"; its log4j2 layout (0.46 and later) writes
# "%c{1}", which leaves only "logger", as Kafka's state.change.logger and request logger do too, so
# the audit message itself is matched, not the logger's last word. A principal may hold spaces (a
# TLS user's distinguished name, "User:CN=Jane Doe,O=Example Corp").
AUTHORIZER_AUDIT = r"Principal\s=\s.+\sis\s(Allowed|Denied)\s[Oo]peration\s=\s"
SECURITY_RULES = (
    ("$event_category", "^(security|audit)$"),
    ("$logger", r"^kafka\.authorizer\.logger$"),
    ("$log", rf"({AUTHORIZER_AUDIT}|\(kafka\.authorizer\.logger\)|Failed\s(re-)?authentication\swith\s"
             r"|SaslAuthenticationException|SSL\shandshake\sfailed)"),
    ("$kubernetes['labels']['app.kubernetes.io/component']", "^audit$"),
)
# rewrite_tag's emitter on the host path (see above), holding at most this much in memory; the
# rest of its chunks wait on disk. Each output may keep this much on disk while it cannot deliver
# (storage.total_limit_size; past it Fluent Bit drops the output's oldest chunks): security events
# ride out a longer outage than application logs.
EMITTER_NAME, EMITTER_MEM_BUF_LIMIT = "classified", "10M"
OUTPUT_DISK_LIMIT = {APP_TAG: "1G", SECURITY_TAG: "4G"}

Section = tuple[str, list[tuple[str, str]]]


def _endpoint(url: str) -> tuple[str, str, bool]:
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    return parts.hostname or "", str(parts.port or (443 if tls else 80)), tls


def _index(c: DataClass) -> list[tuple[str, str]]:
    """Where a class's records go. Daily: Logstash names <prefix>-YYYY.MM.DD. Rollover: the class's
    write alias, with the `create` op (out_opensearch v3.1.9: with Logstash_Format Off and Generate_ID
    Off every record of a flush gets the header `{"create":{"_index":"<Index>"}}`, Index passed through
    strftime, so a name without % is sent as is); OpenSearch resolves the alias to its write index."""
    if c.write_alias:
        return [("Logstash_Format", "Off"), ("Index", c.write_alias), ("Write_Operation", "create")]
    return [("Logstash_Format", "On"), ("Logstash_Prefix", c.prefix), ("Logstash_DateFormat", DATE_FORMAT)]


def _search_output(kind: str, match: str, url: str, user_env: str, password_env: str, c: DataClass,
                   retry_limit: int | str) -> Section:
    host, port, tls = _endpoint(url)
    return ("OUTPUT", [
        ("Name", kind), ("Match", match), ("Host", host), ("Port", port),
        ("HTTP_User", f"${{{user_env}}}"), ("HTTP_Passwd", f"${{{password_env}}}"),
        ("tls", "On" if tls else "Off"), ("tls.verify", "On"),
        *_index(c),
        ("Suppress_Type_Name", "On"),
        ("Generate_ID", "Off"),  # append-only indices refuse writes that carry their own _id
        ("Retry_Limit", str(retry_limit)),
        ("Trace_Error", "On"),
    ])


def archive_output(bucket: str, region: str, retry_limit: int | str) -> Section:
    """Security events into the Object-Locked archive: gzip, hourly keys, one PUT with Content-MD5."""
    return ("OUTPUT", [
        ("Name", "s3"), ("Match", SECURITY_TAG), ("bucket", bucket), ("region", region),
        ("use_put_object", "On"), ("send_content_md5", "true"), ("compression", "gzip"),
        ("total_file_size", f"{ARCHIVE_FILE_SIZE_MB}M"), ("upload_timeout", f"{ARCHIVE_UPLOAD_TIMEOUT_S // 60}m"),
        ("s3_key_format", f"/{ARCHIVE_PREFIX}/%Y/%m/%d/%H/$UUID.gz"),
        ("store_dir", f"{STATE_DIR}/s3"), ("Retry_Limit", str(retry_limit)),
    ])


# After Retry_Limit failed retries Fluent Bit drops the chunk for that output (src/flb_task.c
# flb_task_retry_create at v3.1.9), a few minutes into an outage at 5 retries (backoff between 5 s and
# 2000 s, src/flb_scheduler.c); `no_limits` never gives up (src/flb_output.c), and the output's disk
# budget bounds what waits meanwhile. Security events are never given up; application logs keep the
# logOutputRetryLimit setting.
SECURITY_RETRIES = "no_limits"


def _buffered(entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An output's disk budget (storage.total_limit_size): past it the oldest chunks go."""
    return [*entries, ("storage.total_limit_size", OUTPUT_DISK_LIMIT[dict(entries)["Match"]])]


def namespaces(s: "CollectionArgs") -> list[str]:
    return sorted({s.platform_namespace, *(c.namespace for c in s.clusters)})


def sections(s: "CollectionArgs", archive_bucket: str | None = None, region: str = "") -> dict[str, list[Section]]:
    """The classic-format sections, grouped as the Helm chart's `config` values expect them.
    `archive_bucket`: where security events are archived (None: no archive output)."""
    levels = "|".join(s.application_log_levels)
    security = [("Rule", f"{key} {regex} security.$TAG false") for key, regex in SECURITY_RULES]
    outputs = [
        _search_output("es", APP_TAG, s.elasticsearch_url, CREDENTIAL_ENV["es_user"], CREDENTIAL_ENV["es_password"],
                       APPLICATION, s.log_output_retry_limit),
        _search_output("opensearch", SECURITY_TAG, s.opensearch_url, CREDENTIAL_ENV["os_user"],
                       CREDENTIAL_ENV["os_password"], SECURITY, SECURITY_RETRIES),
    ]
    if archive_bucket is not None:
        outputs.append(archive_output(archive_bucket, region, SECURITY_RETRIES))
    outputs = [(kind, _buffered(entries)) for kind, entries in outputs]
    return {
        "service": [("SERVICE", [
            ("Daemon", "Off"), ("Flush", "5"), ("Log_Level", "info"),
            ("Parsers_File", "/fluent-bit/etc/parsers.conf"), ("Parsers_File", "/fluent-bit/etc/conf/custom_parsers.conf"),
            ("HTTP_Server", "On"), ("HTTP_Listen", "0.0.0.0"), ("HTTP_Port", str(HTTP_PORT)), ("Health_Check", "On"),
            ("storage.path", f"{STATE_DIR}/buffer"),
        ])],
        "inputs": [
            # The chart's container-log input, with positions kept across restarts.
            ("INPUT", [("Name", "tail"), ("Path", "/var/log/containers/*.log"), ("multiline.parser", "docker, cri"),
                       ("Tag", INPUT_TAG), ("Mem_Buf_Limit", "5MB"), ("Skip_Long_Lines", "On"),
                       ("DB", f"{STATE_DIR}/containers.db"), ("storage.type", "filesystem")]),
        ],
        "filters": [
            ("FILTER", [("Name", "kubernetes"), ("Match", INPUT_TAG), ("Merge_Log", "On"), ("Keep_Log", "Off"),
                        ("K8S-Logging.Parser", "On"), ("K8S-Logging.Exclude", "On")]),
            ("FILTER", [("Name", "rewrite_tag"), ("Match", INPUT_TAG), *security,
                        ("Rule", f"$kubernetes['namespace_name'] ^({'|'.join(namespaces(s))})$ app.$TAG false"),
                        ("Emitter_Name", EMITTER_NAME), ("Emitter_Storage.type", "filesystem"),
                        ("Emitter_Mem_Buf_Limit", EMITTER_MEM_BUF_LIMIT)]),
            ("FILTER", [("Name", "grep"), ("Match", APP_TAG), ("Regex", f"level ^({levels})$")]),
            ("FILTER", [("Name", "record_modifier"), ("Match", SECURITY_TAG),
                        ("Record", "compliance SOC2 GDPR ISO27001"),
                        ("Record", f"retention_days {s.security_retention_days}"),
                        # which Kubernetes cluster saw it: every cluster's Fluent Bit writes the same indices
                        ("Record", f"{security_parsers.K8S_CLUSTER} {s.kubernetes_cluster}")]),
            # Security events: the parsed kafka_* fields, the raw line kept (content/security_parsers.py).
            *security_parsers.filter_sections(SECURITY_TAG),
        ],
        "outputs": outputs,
        # The chart's config.customParsers becomes /fluent-bit/etc/conf/custom_parsers.conf (Parsers_File above).
        "customParsers": security_parsers.parser_sections(),
    }


def render(groups: list[Section]) -> str:
    """Fluent Bit's classic format: `[SECTION]` then indented `Key Value` lines."""
    lines = []
    for name, entries in groups:
        lines.append(f"[{name}]")
        width = max(len(k) for k, _ in entries)
        lines += [f"    {k:<{width}} {v}" for k, v in entries]
        lines.append("")
    return "\n".join(lines)


def config_file(s: "CollectionArgs", archive_bucket: str | None = None, region: str = "") -> str:
    """The whole configuration in one file, as the preview writes it for review (the [PARSER] sections
    at its end are the chart's custom_parsers.conf)."""
    return render([sec for group in sections(s, archive_bucket, region).values() for sec in group])
