"""Security detections on the parsed security events: OpenSearch Alerting bucket-level monitors that
post to Alertmanager through one Notifications webhook channel, so that the metric alerts' routes
(content/alertmanager.py: `category="security"` reaches the security team, severity picks the pager)
and their secrets apply, and no paging secret enters OpenSearch.

Bodies are written in the form the server returns them (GET), so that a comparison with the stored
monitor is honest (sources: opensearch-project/common-utils 2.17.0.0 `Monitor.kt`,
`BucketLevelTrigger.kt`, `action/Action.kt`, `SearchInput.kt`, `Schedule.kt` toXContent;
`BucketSelectorExtAggregationBuilder.internalXContent` adds `gap_policy`; trigger and action ids are
generated when absent (`UUIDs.base64UUID()` in `parseInner`/`Action.parse`), so ours are fixed; the
query as OpenSearch re-serialises it: range `from`/`to`/`include_lower`/`include_upper`, `boost`,
bool `adjust_pure_negative`, composite terms `missing_bucket`/`order`).

How a bucket-level monitor runs (opensearch-project/alerting 2.17.0.0 `BucketLevelMonitorRunner.kt`):
the query runs over `{{period_end}}`-relative time, the trigger's bucket selector keeps the
composite buckets whose script is true (`params.<var>` from `buckets_path`), each kept bucket is an
alert (NEW the first time, DEDUPED after), and a `per_alert` action renders its message once per
alert with a one-element `ctx.newAlerts` or `ctx.dedupedAlerts` (getActionContextForAlertCategory),
whose `bucket_keys` is the bucket's key values joined with "," (common-utils `Alert.asTemplateArg`).
Re-posting every minute keeps the Alertmanager alert firing; once the bucket is gone Alertmanager
resolves it after its resolve_timeout (no endsAt is sent).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from content import security_parsers as sp
from content.data_classes import SECURITY
from content.grafana import DATASOURCES

if TYPE_CHECKING:
    from config.sections import RetentionArgs

CHANNEL_ID = "kafka-security-alertmanager"
ALERTMANAGER_ALERTS_PATH = "/api/v2/alerts"   # Alertmanager's API v2, postableAlerts
TIME_FIELD = "@timestamp"
ANONYMOUS = "User:ANONYMOUS"                  # KafkaPrincipal.ANONYMOUS: an unauthenticated connection
KEY = "__BUCKET_KEY__"                        # where a link takes the bucket's key (filled by mustache)
# The alert's key, whether it is new or repeated: one of the two lists has the one alert.
BUCKET_KEYS = "{{#ctx.newAlerts}}{{bucket_keys}}{{/ctx.newAlerts}}{{#ctx.dedupedAlerts}}{{bucket_keys}}{{/ctx.dedupedAlerts}}"


@dataclass(frozen=True)
class Detection:
    monitor: str               # the monitor's name: unique, what adoption searches for
    alertname: str
    severity: str
    window: str                # date math, minutes
    events: tuple[str, ...]    # kafka_event values the query reads
    keys: tuple[tuple[str, str], ...]  # composite sources: (label, field), in key order
    label: str                 # the Alertmanager label holding bucket_keys
    condition: str             # Painless over params.*
    buckets_path: tuple[tuple[str, str], ...]
    summary: str
    description: str
    runbook: str               # file under docs/runbooks
    extra_filters: tuple[dict, ...] = ()
    sub_aggregations: tuple[tuple[str, dict], ...] = ()
    link_query: str = ""       # Lucene query of the matching events (KEY: the bucket's key)


def _term(field: str, value: str) -> dict:
    return {"term": {field: {"value": value, "boost": 1.0}}}


def _terms(field: str, values: list[str]) -> dict:
    return {"terms": {field: values, "boost": 1.0}}


def _bool(filter_: list[dict], must_not: list[dict] | None = None) -> dict:
    body: dict = {"filter": filter_}
    if must_not:
        body["must_not"] = must_not
    return {"bool": {**body, "adjust_pure_negative": True, "boost": 1.0}}


def _events(events: tuple[str, ...]) -> dict:
    return _term("kafka_event", events[0]) if len(events) == 1 else _terms("kafka_event", list(events))


def detections(s: "RetentionArgs") -> list[Detection]:
    """The detections this stack runs; the sensitive-topic one only where topics are named."""
    authenticated = _bool([_terms("kafka_event", [sp.AUTHZ_ALLOWED, sp.AUTHZ_DENIED])],
                          [_term("kafka_principal", ANONYMOUS)])
    out = [
        Detection(
            "kafka-sasl-brute-force", "KafkaSaslBruteForce", "critical", "5m", (sp.AUTHN_FAILED,),
            (("client_ip", "kafka_client_ip"),), "client_ip", f"params._count >= {s.sasl_brute_force_failures}",
            (("_count", "_count"),),
            "SASL brute force from {key}",
            f"At least {s.sasl_brute_force_failures} failed authentications from one client address within 5 minutes.",
            "security-detections.md#sasl-brute-force",
            link_query=f'kafka_event:{sp.AUTHN_FAILED} AND kafka_client_ip:"{KEY}"'),
        Detection(
            "kafka-auth-success-after-failures", "KafkaAuthenticatedAfterFailures", "critical", "15m",
            (sp.AUTHN_FAILED, sp.AUTHZ_ALLOWED, sp.AUTHZ_DENIED), (("client_ip", "kafka_client_ip"),), "client_ip",
            f"params.failures >= {s.failures_before_success} && params.authenticated > 0 "
            "&& params.last_authenticated > params.first_failure",
            (("failures", "failures>_count"), ("authenticated", "authenticated>_count"),
             ("first_failure", "failures>first_failure"), ("last_authenticated", "authenticated>last_authenticated")),
            "Authenticated request from {key} after failed authentications",
            f"At least {s.failures_before_success} failed authentications, then a request of an authenticated "
            "principal from the same address within 15 minutes: a guessed or stolen credential. Failed "
            "authentications carry no principal, so the address links them; an authorizer line proves the login "
            "(denials are logged at INFO, allowed requests only at DEBUG).",
            "security-detections.md#authenticated-after-failures",
            sub_aggregations=(
                ("failures", {"filter": _term("kafka_event", sp.AUTHN_FAILED),
                              "aggregations": {"first_failure": {"min": {"field": TIME_FIELD}}}}),
                ("authenticated", {"filter": authenticated,
                                   "aggregations": {"last_authenticated": {"max": {"field": TIME_FIELD}}}}),
            ),
            link_query=f'kafka_client_ip:"{KEY}"'),
        Detection(
            "kafka-protocol-failures", "KafkaTlsOrSaslProtocolFailures", "high", "5m", (sp.TLS_FAILED, sp.SASL_PROTOCOL),
            (("client_ip", "kafka_client_ip"),), "client_ip", f"params._count >= {s.protocol_failures}",
            (("_count", "_count"),),
            "TLS or SASL protocol failures from {key}",
            f"At least {s.protocol_failures} TLS handshake failures or requests outside the SASL handshake from one "
            "client address within 5 minutes: a client without TLS or SASL on a secured listener, or a scanner.",
            "security-detections.md#tls-or-sasl-protocol-failures",
            link_query=f'kafka_event:({sp.TLS_FAILED} OR {sp.SASL_PROTOCOL}) AND kafka_client_ip:"{KEY}"'),
    ]
    if s.sensitive_topics:
        topics = sorted(s.sensitive_topics)
        out.append(Detection(
            "kafka-sensitive-topic-denied", "KafkaSensitiveTopicDenied", "high", "5m", (sp.AUTHZ_DENIED,),
            # A topic name has no "," (Kafka's Topic.LEGAL_CHARS), so the first "," ends it in bucket_keys.
            (("topic", "kafka_resource"), ("principal", "kafka_principal")), "topic_principal", "params._count >= 1",
            (("_count", "_count"),),
            "Denied access to a sensitive topic (topic,principal): {key}",
            "A principal was denied an operation on a topic listed in sensitiveTopics.",
            "security-detections.md#sensitive-topic-denied",
            extra_filters=(_term("kafka_resource_type", "Topic"), _terms("kafka_resource", topics)),
            link_query=f'kafka_event:{sp.AUTHZ_DENIED} AND kafka_resource_type:Topic AND kafka_resource:('
                       + " OR ".join(f'"{t}"' for t in topics) + ")"))
    return out


def query(s: "RetentionArgs", d: Detection) -> dict:
    """The search input's query, as OpenSearch re-serialises it."""
    window = {"range": {TIME_FIELD: {"from": f"{{{{period_end}}}}||-{d.window}", "to": "{{period_end}}",
                                     "include_lower": True, "include_upper": True, "format": "epoch_millis",
                                     "boost": 1.0}}}
    sources = [{label: {"terms": {"field": field, "missing_bucket": False, "order": "asc"}}} for label, field in d.keys]
    composite: dict = {"composite": {"size": 500, "sources": sources}}
    if d.sub_aggregations:
        composite["aggregations"] = dict(d.sub_aggregations)
    return {"size": 0, "query": _bool([window, _events(d.events), *d.extra_filters]),
            "aggregations": {"by_key": composite}}


def events_link(s: "RetentionArgs", d: Detection) -> str:
    """Grafana Explore (URL schema 1) on the security-events datasource: the matching events of the
    last hour. The bucket's key is filled in by mustache (it is an address, a topic or a principal)."""
    ds = DATASOURCES["opensearch"]
    panes = {"a": {"datasource": ds["uid"], "queries": [{
        "refId": "A", "datasource": {"type": ds["type"], "uid": ds["uid"]}, "query": d.link_query,
        "queryType": "lucene", "metrics": [{"id": "1", "type": "logs"}]}], "range": {"from": "now-1h", "to": "now"}}}
    url = f"{s.grafana_url.rstrip('/')}/explore?schemaVersion=1&panes=" + quote(json.dumps(panes, separators=(",", ":")))
    return url.replace(KEY, BUCKET_KEYS)


def saved_search_id(d: Detection) -> str:
    """The Dashboards saved search of the events a detection reads (content/views.py keeps it)."""
    return f"{d.monitor}-events"


def saved_search_url(s: "RetentionArgs", d: Detection) -> str:
    """Where Dashboards opens that saved search: its own in-app URL for a `search` object
    (opensearch-project/OpenSearch-Dashboards src/plugins/discover/server/saved_objects/search.ts
    getInAppUrl, `/app/discover#/view/<id>`, read at commit 24fe7c09: the project pins no Dashboards
    version); "" where the stack does not manage Dashboards."""
    if not s.opensearch_dashboards_url:
        return ""
    return f"{s.opensearch_dashboards_url.rstrip('/')}/app/discover#/view/{quote(saved_search_id(d), safe='')}"


def message(s: "RetentionArgs", d: Detection) -> str:
    """The webhook body: Alertmanager's postable alerts, one alert (the bucket) per message. Where the
    stack manages Dashboards, `saved_search_url` opens every event the detection reads."""
    annotations = {"summary": d.summary.replace("{key}", KEY), "description": d.description,
                   "runbook_url": f"{s.runbook_base_url.rstrip('/')}/{d.runbook}", "events_url": "__EVENTS__"}
    if saved_search_url(s, d):
        annotations["saved_search_url"] = saved_search_url(s, d)
    alert = {
        "labels": {"alertname": d.alertname, "severity": d.severity, "category": "security",
                   "source": "opensearch-alerting", d.label: KEY},
        "annotations": annotations,
        "generatorURL": "__EVENTS__",
    }
    text = json.dumps([alert], separators=(",", ":"))
    return text.replace("__EVENTS__", events_link(s, d)).replace(KEY, BUCKET_KEYS)


def monitor(s: "RetentionArgs", d: Detection) -> dict:
    """One bucket-level monitor, in GET's normal form, with fixed trigger and action ids."""
    return {
        "type": "monitor", "name": d.monitor, "monitor_type": "bucket_level_monitor", "enabled": True,
        "schedule": {"period": {"interval": 1, "unit": "MINUTES"}},
        "inputs": [{"search": {"indices": SECURITY.index_patterns(s), "query": query(s, d)}}],
        "triggers": [{"bucket_level_trigger": {
            "id": d.monitor, "name": d.alertname, "severity": "1" if d.severity == "critical" else "2",
            "condition": {"buckets_path": dict(d.buckets_path), "parent_bucket_path": "by_key",
                          "script": {"source": d.condition, "lang": "painless"}, "gap_policy": "skip"},
            "actions": [{
                "id": f"{d.monitor}-alertmanager", "name": "alertmanager", "destination_id": CHANNEL_ID,
                "message_template": {"source": message(s, d), "lang": "mustache"},
                "throttle_enabled": False,
                "action_execution_policy": {"action_execution_scope": {
                    "per_alert": {"actionable_alerts": ["DEDUPED", "NEW"]}}},
            }],
        }}],
    }


def monitors(s: "RetentionArgs") -> dict[str, dict]:
    """Monitor name -> body."""
    return {d.monitor: monitor(s, d) for d in detections(s)}


def channel(s: "RetentionArgs") -> dict:
    """The Notifications webhook channel (common-utils 2.17.0.0 `NotificationConfig`, `Webhook`): every
    detection posts through it to Alertmanager. The body as GET returns it under config_list[0].config."""
    return {"config": {
        "name": CHANNEL_ID, "description": "Security detections to Alertmanager (kafka-monitoring)",
        "config_type": "webhook", "is_enabled": True,
        "webhook": {"url": f"{s.alertmanager_url.rstrip('/')}{ALERTMANAGER_ALERTS_PATH}",
                    "header_params": {"Content-Type": "application/json"}, "method": "POST"}}}
