"""OpenSearch Alerting and Notifications (plugins 2.17.0.0) as the model search server answers them
(tests/components/search_server.py hands every `/_plugins/_alerting` and `/_plugins/_notifications`
request here).

Alerting (opensearch-project/alerting 2.17.0.0, common-utils 2.17.0.0):
- `POST _plugins/_alerting/monitors` parses the body (RestIndexMonitorAction.prepareRequest ->
  Monitor.parse) and answers 201 `{_id, _version, _seq_no, _primary_term, monitor}` with an id the
  server generates; `PUT .../monitors/<id>` answers 200, 404 "Monitor with <id> is not found"
  (TransportIndexMonitorAction), and 409 version_conflict_engine_exception when `if_seq_no`/
  `if_primary_term` are given and stale (IndexRequest.setIfSeqNo); without them nothing is checked.
- Errors go through AlertingException.wrap: IllegalArgumentException (`require`, `requireNotNull`)
  -> 400; IllegalStateException and ParsingException -> 500; the message is kept. Monitor.parse
  skips unknown top-level fields; `monitor_type` must match `[a-zA-Z0-9_]{5,25}` (IllegalStateException);
  `owner` must be "alerting"; a bucket-level monitor needs search inputs with at least one
  aggregation and only bucket-level triggers; trigger ids must be unique; Action.parse refuses an
  unknown field ("Unexpected field: X, while parsing action", IllegalStateException);
  BucketSelectorExtAggregationBuilder.parse refuses an unknown key and a missing buckets_path,
  script or parent_bucket_path (ParsingException).
- GET returns the monitor in its normal form (Monitor.toXContent): `schema_version`,
  `last_update_time`, `enabled_time`, `data_sources`, `owner` added, a generated id on a trigger or
  action without one, `gap_policy` on the condition, `lang` on scripts, and the query's defaults
  written out (`boost`, `adjust_pure_negative`, composite `missing_bucket`/`order`). 404 "Monitor not
  found." (TransportGetMonitorAction).
- `POST .../monitors/_search` runs the query over the stored monitors (`term` on
  `monitor.name.keyword`, scheduled-jobs.json maps the name as text with a keyword).
- `POST .../monitors/<id>/_execute?dryrun=true` runs the monitor (MonitorRunResult.toXContent:
  `monitor_name`, `error`, `input_results {results, error}`, `trigger_results {<id>: {name, error,
  agg_result_buckets}}`) over the documents the server holds, with tests/content/monitor_model.py;
  a parent_bucket_path or buckets_path that names no aggregation fails the run, not the write.
Notifications (opensearch-project/notifications 2.17.0.0 NotificationConfigIndex.kt,
ConfigIndexingActions.kt; common-utils NotificationConfig.kt, Webhook.kt):
- `POST _plugins/_notifications/configs` with `config_id` creates with `create(true)`: 409 on an
  existing id; the config needs a name, a config_type whose data is present, a webhook URL that is
  http or https ("Invalid URL or unsupported"); 200 `{config_id}`.
- `PUT .../configs/<id>` replaces the config: 404 "NotificationConfig <id> not found", 409 "Config
  type cannot be changed after creation"; there is no seq_no.
- GET -> `{start_index, total_hits, total_hit_relation, config_list: [{config_id,
  last_updated_time_ms, created_time_ms, config}]}`, the config with `description` "" added.
"""
from __future__ import annotations

import base64
import itertools
import re
from typing import Any

MONITORS, CONFIGS = "/_plugins/_alerting/monitors", "/_plugins/_notifications/configs"
NOW_MS = 1764460800000
_ids = itertools.count(1)


class Refused(Exception):
    def __init__(self, message: str, status: int, kind: str = "alerting_exception"):
        super().__init__(message)
        self.status, self.kind = status, kind


def _error(err: Refused) -> tuple[dict, int]:
    return {"error": {"root_cause": [{"type": err.kind, "reason": str(err)}], "type": err.kind, "reason": str(err)},
            "status": err.status}, err.status


def generated_id() -> str:
    """UUIDs.base64UUID: 20 URL-safe base64 characters."""
    return base64.urlsafe_b64encode(next(_ids).to_bytes(15, "big")).decode()


# ---- parsing, as Monitor.parse and its parts do ----------------------------------------------

def _query_normal_form(node: Any, key: str = "") -> Any:
    """The query as OpenSearch's builders print it back: `gte`/`lte` as from/to with include_*, `boost`
    on leaf queries and bool, `adjust_pure_negative` on bool, composite terms sources' defaults."""
    if isinstance(node, list):
        return [_query_normal_form(v, key) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _query_normal_form(v, k) for k, v in node.items()}
    if key == "bool":
        out.setdefault("adjust_pure_negative", True)
        out.setdefault("boost", 1.0)
    if key == "range":
        for field, spec in out.items():
            spec = dict(spec)
            if "gte" in spec or "gt" in spec:
                spec["from"], spec["include_lower"] = spec.pop("gte", None) or spec.pop("gt"), "gt" not in node[field]
            if "lte" in spec or "lt" in spec:
                spec["to"], spec["include_upper"] = spec.pop("lte", None) or spec.pop("lt"), "lt" not in node[field]
            spec.setdefault("include_lower", True)
            spec.setdefault("include_upper", True)
            spec.setdefault("boost", 1.0)
            out[field] = spec
    if key == "term":
        out = {f: ({**v, "boost": v.get("boost", 1.0)} if isinstance(v, dict) else {"value": v, "boost": 1.0})
               for f, v in out.items()}
    if key in ("terms", "exists"):
        out.setdefault("boost", 1.0)
    if key == "composite":
        out.setdefault("size", 10)
        for source in out.get("sources", []):
            for spec in source.values():
                for terms in spec.values():
                    terms.setdefault("missing_bucket", False)
                    terms.setdefault("order", "asc")
    return out


def _script(body: Any, default_lang: str) -> dict:
    if isinstance(body, str):
        return {"source": body, "lang": default_lang}
    return {**body, "lang": body.get("lang", default_lang)}


ACTION_FIELDS = ("id", "name", "destination_id", "subject_template", "message_template", "throttle",
                 "throttle_enabled", "action_execution_policy")


def _action(body: dict) -> dict:
    for key in body:
        if key not in ACTION_FIELDS:
            raise Refused(f"Unexpected field: {key}, while parsing action", 500)
    for key in ("name", "destination_id", "message_template"):
        if body.get(key) is None:
            raise Refused(f"lateinit property {key} has not been initialized", 500)
    if body.get("throttle_enabled") and body.get("throttle") is None:
        raise Refused("Action throttle enabled but not set throttle value", 400)
    out = {"id": body.get("id") or generated_id(), "name": body["name"], "destination_id": body["destination_id"],
           "message_template": _script(body["message_template"], "mustache"),
           "throttle_enabled": bool(body.get("throttle_enabled", False))}
    if body.get("subject_template") is not None:
        out["subject_template"] = _script(body["subject_template"], "mustache")
    if body.get("throttle") is not None:
        out["throttle"] = body["throttle"]
    if body.get("action_execution_policy") is not None:
        scope = body["action_execution_policy"]["action_execution_scope"]
        if "per_alert" in scope:
            for category in scope["per_alert"]["actionable_alerts"]:
                if category not in ("DEDUPED", "NEW", "COMPLETED"):
                    raise Refused("Actionable alerts should be one of [DEDUPED, NEW, COMPLETED]", 500)
        out["action_execution_policy"] = body["action_execution_policy"]
    return out


def _condition(trigger_id: str, body: dict) -> dict:
    for key in body:
        if key not in ("buckets_path", "parent_bucket_path", "script", "gap_policy"):
            raise Refused(f"Unknown key for a VALUE_STRING in [{trigger_id}]: [{key}].", 500, "parsing_exception")
    for key in ("buckets_path", "script", "parent_bucket_path"):
        if key not in body:
            raise Refused(f"Missing required field [{key}] for bucket_selector aggregation [{trigger_id}]", 500,
                          "parsing_exception")
    return {"buckets_path": body["buckets_path"], "parent_bucket_path": body["parent_bucket_path"],
            "script": _script(body["script"], "painless"), "gap_policy": body.get("gap_policy", "skip")}


def monitor(body: dict) -> dict:
    """Monitor.parse then toXContent: the stored normal form, or Refused."""
    if not isinstance(body, dict):
        raise Refused("Failed to parse object: expecting token of type [START_OBJECT]", 500, "parsing_exception")
    monitor_type = body.get("monitor_type", "query_level_monitor")
    if not re.fullmatch(r"[a-zA-Z0-9_]{5,25}", monitor_type):
        raise Refused("Monitor type should follow pattern [a-zA-Z0-9_]{5,25}", 500)
    if body.get("name") is None:
        raise Refused("Monitor name is null", 400)
    if body.get("schedule") is None:
        raise Refused("Monitor schedule is null", 400)
    if (body.get("owner") or "alerting") != "alerting":
        raise Refused("Invalid owner field", 400)
    inputs = []
    for item in body.get("inputs", []):
        search = item.get("search")
        if search is None:
            raise Refused(f"Unsupported input [{item}] for Monitor", 400)
        query = _query_normal_form(search.get("query", {}))
        if monitor_type == "bucket_level_monitor" and not query.get("aggregations"):
            raise Refused(f"At least one aggregation is required for the input [{item}]", 400)
        inputs.append({"search": {"indices": search["indices"], "query": query}})
    triggers, seen = [], set()
    for item in body.get("triggers", []):
        if "bucket_level_trigger" not in item:
            raise Refused(f"Incompatible trigger [{next(iter(item.values())).get('id')}] for monitor type "
                          f"[{monitor_type}]", 400)
        t = item["bucket_level_trigger"]
        trigger_id = t.get("id") or generated_id()
        if trigger_id in seen:
            raise Refused(f"Duplicate trigger id: {trigger_id}. Trigger ids must be unique.", 400)
        seen.add(trigger_id)
        triggers.append({"bucket_level_trigger": {
            "id": trigger_id, "name": t["name"], "severity": t["severity"],
            "condition": _condition(trigger_id, t["condition"]),
            "actions": [_action(a) for a in t.get("actions", [])]}})
    enabled = body.get("enabled", True)
    stored = {"type": "monitor", "schema_version": 5, "name": body["name"], "monitor_type": monitor_type,
              "enabled": enabled, "schedule": body["schedule"], "inputs": inputs, "triggers": triggers,
              "last_update_time": NOW_MS, "data_sources": DATA_SOURCES, "owner": "alerting"}
    if enabled:
        stored["enabled_time"] = NOW_MS
    return stored


DATA_SOURCES = {"query_index": ".opensearch-alerting-queries", "findings_index": ".opensearch-alerting-finding-history-write",
                "findings_index_pattern": "<.opensearch-alerting-finding-history-{now/d}-1>",
                "alerts_index": ".opendistro-alerting-alerts", "alerts_history_index": ".opendistro-alerting-alert-history-write",
                "alerts_history_index_pattern": "<.opendistro-alerting-alert-history-{now/d}-1>",
                "comments_index": ".opensearch-alerting-comments-history-write",
                "comments_index_pattern": "<.opensearch-alerting-comments-history-{now/d}-1>",
                "query_index_mappings_by_type": {}, "findings_enabled": False}


def channel(body: dict) -> dict:
    """NotificationConfig.parse then toXContent."""
    config = body.get("config")
    if not isinstance(config, dict):
        raise Refused("config field absent", 400, "status_exception")
    if not config.get("name"):
        raise Refused("name is null or empty", 400, "illegal_argument_exception")
    kind = config.get("config_type")
    if kind != "webhook" or not isinstance(config.get("webhook"), dict):
        raise Refused(f"ConfigType: {kind} and data doesn't match", 400, "illegal_argument_exception")
    url = config["webhook"].get("url") or ""
    if not re.match(r"https?://[^/\s]+", url):
        raise Refused("Invalid URL or unsupported", 400, "illegal_argument_exception")
    webhook = {"url": url, "header_params": config["webhook"].get("header_params", {}),
               "method": config["webhook"].get("method", "POST")}
    return {"name": config["name"], "description": config.get("description", ""), "config_type": kind,
            "is_enabled": config.get("is_enabled", True), "webhook": webhook}


# ---- the REST handlers -----------------------------------------------------------------------

def handle(server: Any, method: str, path: str, body: Any, query: dict) -> tuple[Any, int]:
    """(response body, status) for one request."""
    try:
        if path.startswith(CONFIGS):
            return _configs(server, method, path, body)
        return _monitors(server, method, path, body, query)
    except Refused as err:
        return _error(err)


def _envelope(server: Any, path: str, status: int = 200) -> tuple[dict, int]:
    seq_no, term = server.seq[path]
    return {"_id": path.rsplit("/", 1)[1], "_version": seq_no + 1, "_seq_no": seq_no, "_primary_term": term,
            "monitor": server.objects[path]}, status


def _monitors(server: Any, method: str, path: str, body: Any, query: dict) -> tuple[Any, int]:
    if path == f"{MONITORS}/_search" and method in ("GET", "POST"):
        return _search(server, body or {}), 200
    if method == "POST" and path == MONITORS:
        stored = monitor(body)
        target = f"{MONITORS}/{generated_id()}"
        server.seq[target] = (server.next_seq(), 1)
        server.objects[target] = stored
        return _envelope(server, target, 201)
    if method == "POST" and path.endswith("/_execute"):
        target = path[: -len("/_execute")]
        if target not in server.objects:
            raise Refused("Can't find monitor with id: " + target.rsplit("/", 1)[1], 404, "status_exception")
        return execute(server.objects[target], server.documents, server.now_ms), 200
    if target_missing := path not in server.objects:
        if method == "PUT":
            raise Refused(f"Monitor with {path.rsplit('/', 1)[1]} is not found", 404, "status_exception")
        if method in ("GET", "DELETE"):
            raise Refused("Monitor not found.", 404, "status_exception")
    if method == "GET":
        return _envelope(server, path)
    if method == "DELETE":
        del server.objects[path]
        return {"_id": path.rsplit("/", 1)[1], "_version": 1}, 200
    if method == "PUT" and not target_missing:
        stored = monitor(body)  # parsed before the write meets the stored version
        seq_no, term = server.seq[path]
        if "if_seq_no" in query and (query["if_seq_no"] != str(seq_no) or query.get("if_primary_term") != str(term)):
            raise Refused(f"[{path.rsplit('/', 1)[1]}]: version conflict, required seqNo [{query['if_seq_no']}], "
                          f"primary term [{query.get('if_primary_term')}]. current document has seqNo [{seq_no}] and "
                          f"primary term [{term}]", 409, "version_conflict_engine_exception")
        server.seq[path] = (server.next_seq(), term)
        server.objects[path] = stored
        return _envelope(server, path)
    return {"error": "method"}, 405


def _search(server: Any, request: dict) -> dict:
    (field, value), = request["query"]["term"].items()
    assert field == "monitor.name.keyword", f"unmodelled search on {field}"
    value = value["value"] if isinstance(value, dict) else value
    hits = [{"_index": ".opendistro-alerting-config", "_id": p.rsplit("/", 1)[1], "_score": 1.0,
             "_source": {"monitor": m}}
            for p, m in server.objects.items() if p.startswith(f"{MONITORS}/") and m.get("name") == value]
    return {"took": 1, "timed_out": False, "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0,
                                                    "hits": hits}}


def execute(stored: dict, documents: list[dict], now_ms: int) -> dict:
    """MonitorRunResult of one dry run over the documents (tests/content/monitor_model.py)."""
    from tests.content import monitor_model
    result: dict = {"monitor_name": stored["name"], "period_start": now_ms - 60_000, "period_end": now_ms,
                    "error": None, "input_results": {"results": [], "error": None}, "trigger_results": {}}
    try:
        fired = monitor_model.run(stored, documents, now_ms)
    except (KeyError, monitor_model.Unmodelled) as err:
        result["input_results"]["error"] = str(err).strip("'\"")
        return result
    for wrapper in stored["triggers"]:
        t = wrapper["bucket_level_trigger"]
        result["trigger_results"][t["id"]] = {
            "name": t["name"], "error": None, "action_results": {},
            "agg_result_buckets": {",".join(str(v) for v in b["key"].values()): {
                "parent_bucket_path": t["condition"]["parent_bucket_path"],
                "bucket_keys": [str(v) for v in b["key"].values()], "bucket": b} for b in fired[t["id"]]}}
    return result


def _configs(server: Any, method: str, path: str, body: Any) -> tuple[Any, int]:
    if method == "POST" and path == CONFIGS:
        config_id = body.get("config_id") or generated_id()
        target = f"{CONFIGS}/{config_id}"
        stored = channel(body)
        if target in server.objects:
            raise Refused(f"[{config_id}]: version conflict, document already exists (current version [1])", 409,
                          "version_conflict_engine_exception")
        server.objects[target] = {"config_id": config_id, "last_updated_time_ms": NOW_MS, "created_time_ms": NOW_MS,
                                  "config": stored}
        return {"config_id": config_id}, 200
    config_id = path.rsplit("/", 1)[1]
    if path not in server.objects:
        raise Refused(f"NotificationConfig {config_id} not found", 404, "status_exception")
    if method == "GET":
        return {"start_index": 0, "total_hits": 1, "total_hit_relation": "eq",
                "config_list": [server.objects[path]]}, 200
    if method == "PUT":
        stored = channel(body)
        if stored["config_type"] != server.objects[path]["config"]["config_type"]:
            raise Refused("Config type cannot be changed after creation", 409, "status_exception")
        server.objects[path] = {**server.objects[path], "last_updated_time_ms": NOW_MS + 1, "config": stored}
        return {"config_id": config_id}, 200
    if method == "DELETE":
        del server.objects[path]
        return {"delete_response_list": {config_id: "OK"}}, 200
    return {"error": "method"}, 405

