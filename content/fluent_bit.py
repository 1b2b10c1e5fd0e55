"""Fluent Bit pipeline: application logs to Elasticsearch, security events to OpenSearch.

Fixed from the design document: its `Type` lines are invalid against Elasticsearch 8 (no mapping
types), so every output sets `Suppress_Type_Name On`; index names come from `Logstash_*`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from config.settings import Settings

HTTP_PORT = 2020
APP_TAG, SECURITY_TAG = "kafka.application.*", "kafka.security.*"
APP_PREFIX, SECURITY_PREFIX = "kafka-application", "kafka-security"
DATE_FORMAT = "%Y.%m.%d"
# Environment variables filled from the credentials Secret; the config only names them.
CREDENTIAL_ENV = {"es_user": "ES_USER", "es_password": "ES_PASSWORD", "os_user": "OS_USER",
                  "os_password": "OS_PASSWORD"}

Section = tuple[str, list[tuple[str, str]]]


def _endpoint(url: str) -> tuple[str, str, bool]:
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    return parts.hostname or "", str(parts.port or (443 if tls else 80)), tls


def _output(kind: str, match: str, url: str, user_env: str, password_env: str, prefix: str,
            retry_limit: int) -> Section:
    host, port, tls = _endpoint(url)
    return ("OUTPUT", [
        ("Name", kind), ("Match", match), ("Host", host), ("Port", port),
        ("HTTP_User", f"${{{user_env}}}"), ("HTTP_Passwd", f"${{{password_env}}}"),
        ("tls", "On" if tls else "Off"), ("tls.verify", "On"),
        ("Logstash_Format", "On"), ("Logstash_Prefix", prefix), ("Logstash_DateFormat", DATE_FORMAT),
        ("Suppress_Type_Name", "On"),
        ("Generate_ID", "Off"),  # append-only indices refuse writes that carry their own _id
        ("Retry_Limit", str(retry_limit)),
        ("Trace_Error", "On"),
    ])


def sections(s: "Settings") -> dict[str, list[Section]]:
    """The classic-format sections, grouped as the Helm chart's `config` values expect them."""
    levels = "|".join(s.application_log_levels)
    return {
        "service": [("SERVICE", [
            ("Flush", "5"), ("Log_Level", "info"), ("Daemon", "off"), ("Parsers_File", "/fluent-bit/etc/parsers.conf"),
            ("HTTP_Server", "On"), ("HTTP_Listen", "0.0.0.0"), ("HTTP_Port", str(HTTP_PORT)), ("Health_Check", "On"),
        ])],
        "inputs": [
            ("INPUT", [("Name", "tail"), ("Path", s.application_log_path), ("Parser", "json"), ("Tag", APP_TAG),
                       ("Refresh_Interval", "5"), ("DB", "/var/lib/fluent-bit/application.db")]),
            ("INPUT", [("Name", "tail"), ("Path", s.security_log_path), ("Parser", "json"), ("Tag", SECURITY_TAG),
                       ("Refresh_Interval", "1"), ("DB", "/var/lib/fluent-bit/security.db")]),
        ],
        "filters": [
            ("FILTER", [("Name", "grep"), ("Match", APP_TAG), ("Regex", f"level ^({levels})$")]),
            ("FILTER", [("Name", "record_modifier"), ("Match", SECURITY_TAG),
                        ("Record", "compliance SOC2 GDPR ISO27001"),
                        ("Record", f"retention_days {s.security_retention_days}")]),
        ],
        "outputs": [
            _output("es", APP_TAG, s.elasticsearch_url, CREDENTIAL_ENV["es_user"], CREDENTIAL_ENV["es_password"],
                    APP_PREFIX, s.log_output_retry_limit),
            _output("opensearch", SECURITY_TAG, s.opensearch_url, CREDENTIAL_ENV["os_user"],
                    CREDENTIAL_ENV["os_password"], SECURITY_PREFIX, s.log_output_retry_limit),
        ],
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


def config_file(s: "Settings") -> str:
    """The whole configuration in one file, as the preview writes it for review."""
    return render([sec for group in sections(s).values() for sec in group])
