"""Fluent Bit pipeline: container logs -> security events (OpenSearch and the locked S3 archive) and
application logs (Elasticsearch).

Kafka and the platform log to stdout, so the input is the chart's own container-log pipeline
(fluent/helm-charts fluent-bit 0.47.10 values.yaml: tail /var/log/containers/*.log with the
docker and cri multiline parsers, tag kube.*, then the kubernetes filter with Merge_Log). Records
are then classified by content with rewrite_tag (Fluent Bit docs, "Rewrite Tag": `Rule $KEY REGEX
NEW_TAG KEEP`, the first matching rule wins, the re-tagged record re-enters the pipeline):
- a security event: an `event_category` of security or audit, a Kafka authorizer/authentication
  line (logger `kafka.authorizer.logger`, "is Denied Operation", "Failed authentication", SASL and
  SSL handshake failures), or a record from an audit source;
- otherwise, a record from a monitored namespace is an application log.
Everything else is dropped. Outputs (Fluent Bit docs, "Elasticsearch", "OpenSearch", "Amazon S3"):
`Suppress_Type_Name On` (Elasticsearch 8 has no mapping types), daily `Logstash_*` indices for
application logs and the write alias for security events (content/data_classes.py), and the
s3 output with `send_content_md5 true`, which Object Lock requires of every PUT.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from content.archive import ARCHIVE_PREFIX
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
# Environment variables filled from the credentials Secret; the config only names them.
CREDENTIAL_ENV = {"es_user": "ES_USER", "es_password": "ES_PASSWORD", "os_user": "OS_USER",
                  "os_password": "OS_PASSWORD"}
# What marks a record as a security event, by field (record accessor) and pattern.
SECURITY_RULES = (
    ("$event_category", "^(security|audit)$"),
    ("$logger", r"^kafka\.authorizer\.logger$"),
    # A rule is four space-separated words, so a pattern spells its spaces \s.
    ("$log", r"(is\sDenied\sOperation|Failed\sauthentication|SaslAuthenticationException|SSL\shandshake\sfailed"
             r"|kafka\.authorizer\.logger)"),
    ("$kubernetes['labels']['app.kubernetes.io/component']", "^audit$"),
)

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
                   retry_limit: int) -> Section:
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


def archive_output(bucket: str, region: str, retry_limit: int) -> Section:
    """Security events into the Object-Locked archive: gzip, hourly keys, one PUT with Content-MD5."""
    return ("OUTPUT", [
        ("Name", "s3"), ("Match", SECURITY_TAG), ("bucket", bucket), ("region", region),
        ("use_put_object", "On"), ("send_content_md5", "true"), ("compression", "gzip"),
        ("total_file_size", f"{ARCHIVE_FILE_SIZE_MB}M"), ("upload_timeout", f"{ARCHIVE_UPLOAD_TIMEOUT_S // 60}m"),
        ("s3_key_format", f"/{ARCHIVE_PREFIX}/%Y/%m/%d/%H/$UUID.gz"),
        ("store_dir", f"{STATE_DIR}/s3"), ("Retry_Limit", str(retry_limit)),
    ])


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
                       CREDENTIAL_ENV["os_password"], SECURITY, s.log_output_retry_limit),
    ]
    if archive_bucket is not None:
        outputs.append(archive_output(archive_bucket, region, s.log_output_retry_limit))
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
                        ("Emitter_Name", "classified")]),
            ("FILTER", [("Name", "grep"), ("Match", APP_TAG), ("Regex", f"level ^({levels})$")]),
            ("FILTER", [("Name", "record_modifier"), ("Match", SECURITY_TAG),
                        ("Record", "compliance SOC2 GDPR ISO27001"),
                        ("Record", f"retention_days {s.security_retention_days}")]),
        ],
        "outputs": outputs,
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
    """The whole configuration in one file, as the preview writes it for review."""
    return render([sec for group in sections(s, archive_bucket, region).values() for sec in group])
