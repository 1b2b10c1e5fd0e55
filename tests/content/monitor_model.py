"""An evaluator of the bucket-level monitor bodies we render, over sample security events, per the
documented semantics of what they use. It refuses any construct it does not model, so a body that
drifts into something new fails here instead of being judged by guesswork.

Sources (OpenSearch 2.17 documentation and the Alerting plugin at 2.17.0.0):
- The search input is rendered with mustache first, `period_end` (and `period_start`) as epoch
  milliseconds (alerting InputService.kt: `"period_end" to periodEnd.toEpochMilli()`).
- `range`: `from`/`to` with `include_lower`/`include_upper` (the re-serialised form of gte/lte), or
  gte/gt/lte/lt; date math `<anchor>||-5m` subtracts from the anchor; `format: epoch_millis` reads
  the anchor as milliseconds ("Range query", "Date math").
- `bool`: every `filter` and `must` clause matches, no `must_not` clause matches, and, with `should`
  only, at least one should clause matches ("Boolean query"). `term` is an exact match on a keyword
  or ip field, `terms` matches any of its values, `exists` a field with a value.
- `composite` with `terms` sources: one bucket per distinct combination of the sources' values, in
  ascending order; a document without a value for a source is in no bucket (`missing_bucket`
  false) ("Composite aggregations"); the monitor runner pages through every bucket (after_key,
  BucketLevelMonitorRunner.kt). `filter`: the documents of the bucket matching its query. `min`/
  `max` of no value are +Infinity/-Infinity (InternalMin/InternalMax, not NaN).
- The trigger's bucket selector (common-utils BucketSelectorExtAggregator.doReduce): per bucket of
  `parent_bucket_path`, each `buckets_path` variable is resolved (`_count`, `agg>_count`,
  `agg>metric`); with `gap_policy: skip` a bucket with a missing (null/NaN) value is skipped; the
  Painless script sees the values as `params.<name>` and selects the bucket when true.
"""
from __future__ import annotations

import bisect
import ipaddress
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

MINUTE_MS = 60_000
UNITS_MS = {"s": 1000, "m": MINUTE_MS, "h": 60 * MINUTE_MS, "d": 24 * 60 * MINUTE_MS}


class Unmodelled(Exception):
    """A construct the evaluator does not model."""


def epoch_ms(value: Any) -> int:
    if isinstance(value, (int, float)):
        return int(value)
    return int(datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(timezone.utc).timestamp() * 1000)


def render(node: Any, period_end_ms: int) -> Any:
    """Mustache's `{{period_end}}`, the only variable our queries use."""
    if isinstance(node, str):
        return node.replace("{{period_end}}", str(period_end_ms))
    if isinstance(node, dict):
        return {k: render(v, period_end_ms) for k, v in node.items()}
    if isinstance(node, list):
        return [render(v, period_end_ms) for v in node]
    return node


def _date_math(value: Any) -> int:
    text = str(value)
    anchor, _, math_ = text.partition("||")
    ms = epoch_ms(int(anchor)) if anchor.isdigit() else epoch_ms(anchor)
    for sign, amount, unit in re.findall(r"([+-])(\d+)([smhd])", math_):
        ms += (1 if sign == "+" else -1) * int(amount) * UNITS_MS[unit]
    if math_ and not re.fullmatch(r"([+-]\d+[smhd])+", math_):
        raise Unmodelled(f"date math {text!r}")
    return ms


def _field(doc: dict, name: str) -> Any:
    return doc.get(name[: -len(".keyword")] if name.endswith(".keyword") else name)


def _same(a: Any, b: Any) -> bool:
    try:
        return ipaddress.ip_address(str(a)) == ipaddress.ip_address(str(b))
    except ValueError:
        return str(a) == str(b)


def matches(query: dict, doc: dict) -> bool:
    ((kind, body),) = query.items()
    if kind == "match_all":
        return True
    if kind == "bool":
        known = {"filter", "must", "must_not", "should", "adjust_pure_negative", "boost", "minimum_should_match"}
        if set(body) - known:
            raise Unmodelled(f"bool {sorted(set(body) - known)}")
        if not all(matches(q, doc) for q in body.get("filter", []) + body.get("must", [])):
            return False
        if any(matches(q, doc) for q in body.get("must_not", [])):
            return False
        should = body.get("should", [])
        if should and not (body.get("filter") or body.get("must")):
            return any(matches(q, doc) for q in should)
        return True
    if kind == "term":
        ((field, spec),) = body.items()
        value = spec["value"] if isinstance(spec, dict) else spec
        have = _field(doc, field)
        return have is not None and _same(have, value)
    if kind == "terms":
        (field,) = [k for k in body if k != "boost"]
        have = _field(doc, field)
        return have is not None and any(_same(have, v) for v in body[field])
    if kind == "exists":
        return _field(doc, body["field"]) is not None
    if kind == "range":
        ((field, spec),) = body.items()
        have = _field(doc, field)
        if have is None:
            return False
        if spec.get("format", "epoch_millis") not in ("epoch_millis", "strict_date_optional_time||epoch_millis"):
            raise Unmodelled(f"range format {spec.get('format')}")
        ts = epoch_ms(have)
        lower = [(spec.get("from"), spec.get("include_lower", True)), (spec.get("gte"), True), (spec.get("gt"), False)]
        upper = [(spec.get("to"), spec.get("include_upper", True)), (spec.get("lte"), True), (spec.get("lt"), False)]
        for bound, inclusive in lower:
            if bound is not None and not (ts >= _date_math(bound) if inclusive else ts > _date_math(bound)):
                return False
        for bound, inclusive in upper:
            if bound is not None and not (ts <= _date_math(bound) if inclusive else ts < _date_math(bound)):
                return False
        return True
    raise Unmodelled(f"query {kind}")


def _metric(kind: str, spec: dict, docs: list[dict]) -> float:
    values = [epoch_ms(v) if spec["field"] == "@timestamp" else float(v)
              for v in (_field(d, spec["field"]) for d in docs) if v is not None]
    if kind == "min":
        return float(min(values)) if values else math.inf
    return float(max(values)) if values else -math.inf


def aggregate(aggs: dict, docs: list[dict]) -> dict:
    """Aggregation name -> result: a composite's {"buckets": [{"key", "doc_count", <subs>}]}, a filter's
    {"doc_count", <subs>}, a metric's {"value"}."""
    out: dict = {}
    for name, spec in aggs.items():
        subs = spec.get("aggregations") or spec.get("aggs") or {}
        kinds = [k for k in spec if k not in ("aggregations", "aggs")]
        if len(kinds) != 1:
            raise Unmodelled(f"aggregation {name}: {kinds}")
        kind, body = kinds[0], spec[kinds[0]]
        if kind == "composite":
            sources = [next(iter(src.items())) for src in body["sources"]]
            groups: dict[tuple, list[dict]] = {}
            for doc in docs:
                key = []
                for _, source in sources:
                    ((source_kind, terms),) = source.items()
                    if source_kind != "terms" or terms.get("missing_bucket") or terms.get("order", "asc") != "asc":
                        raise Unmodelled(f"composite source {source}")
                    key.append(_field(doc, terms["field"]))
                if None not in key:
                    groups.setdefault(tuple(str(k) for k in key), []).append(doc)
            out[name] = {"buckets": [{"key": dict(zip([n for n, _ in sources], key)), "doc_count": len(members),
                                      **aggregate(subs, members)} for key, members in sorted(groups.items())]}
        elif kind == "filter":
            members = [d for d in docs if matches(body, d)]
            out[name] = {"doc_count": len(members), **aggregate(subs, members)}
        elif kind in ("min", "max"):
            out[name] = {"value": _metric(kind, body, docs)}
        else:
            raise Unmodelled(f"aggregation {kind}")
    return out


def _resolve(bucket: dict, path: str) -> Any:
    if path == "_count":
        return bucket["doc_count"]
    head, _, rest = path.partition(">")
    if head not in bucket or not isinstance(bucket[head], dict):
        raise KeyError(f"No aggregation found for path [{path}]")
    sub = bucket[head]
    if not rest:
        return sub.get("value")
    return sub["doc_count"] if rest == "_count" else _resolve(sub, rest)


_TOKEN = re.compile(r"\s*(params\.[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|>=|<=|==|!=|&&|\|\||[<>()!])")


def painless(script: str, params: dict[str, Any]) -> bool:
    """The subset our conditions use: params.x, numbers, comparisons, &&, ||, !, parentheses."""
    out, pos = [], 0
    while pos < len(script.rstrip()):
        m = _TOKEN.match(script, pos)
        if not m:
            raise Unmodelled(f"painless {script[pos:]!r}")
        token, pos = m.group(1), m.end()
        if token.startswith("params."):
            out.append(repr(float(params[token[len("params."):]])))
        else:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(token, token))
    return bool(eval("".join(out), {"__builtins__": {}, "inf": math.inf}, {}))  # noqa: S307 - whitelisted tokens


def run(monitor: dict, docs: Iterable[dict], period_end_ms: int) -> dict[str, list[dict]]:
    """Trigger id -> the composite buckets its condition selects (each is one alert)."""
    ((search,),) = [[i["search"] for i in monitor["inputs"]]]
    request = render(search["query"], period_end_ms)
    hits = [d for d in docs if matches(request.get("query", {"match_all": {}}), d)]
    results = aggregate(request["aggregations"], hits)
    fired: dict[str, list[dict]] = {}
    for wrapper in monitor["triggers"]:
        trigger = wrapper["bucket_level_trigger"]
        condition = trigger["condition"]
        if condition.get("gap_policy", "skip") != "skip":
            raise Unmodelled(f"gap_policy {condition['gap_policy']}")
        parent = results.get(condition["parent_bucket_path"])
        if parent is None or "buckets" not in parent:
            raise KeyError(f"No aggregation found for path [{condition['parent_bucket_path']}]")
        selected = []
        for bucket in parent["buckets"]:
            params = {var: _resolve(bucket, path) for var, path in condition["buckets_path"].items()}
            if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in params.values()):
                continue  # gap_policy skip
            if painless(condition["script"]["source"], params):
                selected.append(bucket)
        fired[trigger["id"]] = selected
    return fired


_SECTION = re.compile(r"\{\{#([\w.]+)\}\}(.*?)\{\{/\1\}\}", re.S)
_VARIABLE = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")


def _lookup(scopes: list[Any], name: str) -> Any:
    for scope in reversed(scopes):  # mustache: the innermost context that has the first name
        value: Any = scope
        for i, part in enumerate(name.split(".")):
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                value = None
                break
        if value is not None or (isinstance(scope, dict) and name.split(".")[0] in scope):
            return value
    return None


def mustache(template: str, context: dict, scopes: list[Any] | None = None) -> str:
    """The mustache subset our action messages use: `{{#list}}...{{/list}}` sections (repeated per item,
    skipped for an empty list or a missing value) and `{{a.b}}` variables. Values are escaped for a
    JSON string, as OpenSearch's lang-mustache does by default (opensearch-project/OpenSearch
    modules/lang-mustache/.../CustomMustacheFactory.java: DEFAULT_MIME_TYPE application/json, whose
    encoder is JsonEscapeEncoder; read at commit 0aa52bd2, not at the 2.17.0 tag); our templates put
    values only inside JSON strings."""
    import json as _json
    scopes = scopes or [context]

    def section(m: re.Match) -> str:
        value = _lookup(scopes, m.group(1))
        items = value if isinstance(value, list) else ([value] if value else [])
        return "".join(mustache(m.group(2), context, scopes + [item]) for item in items)

    text = _SECTION.sub(section, template)
    return _VARIABLE.sub(lambda m: _json.dumps(str(_lookup(scopes, m.group(1)) or ""))[1:-1], text)


def fired(monitor: dict, docs: list[dict], end: datetime) -> list[str]:
    """The bucket keys (comma-joined, as Alert.asTemplateArg gives bucket_keys) of the alerts one run
    ending at `end` makes."""
    (buckets,) = run(monitor, docs, int(end.timestamp() * 1000)).values()
    return [",".join(str(v) for v in b["key"].values()) for b in buckets]


def day_of_runs(monitors: dict[str, dict], docs: list[dict], day_end: datetime) -> list[tuple[str, str, str]]:
    """Every monitor, run every minute of the day that ends at `day_end`: (run time, monitor, bucket key)
    of each alert. Each run reads only the events of its last 16 minutes (every query's range is at most
    15 minutes, so the others could not match)."""
    docs = sorted(docs, key=lambda d: epoch_ms(d["@timestamp"]))
    stamps = [epoch_ms(d["@timestamp"]) for d in docs]
    alerts = []
    for minute in range(1, 24 * 60 + 1):
        end = day_end - timedelta(hours=24) + timedelta(minutes=minute)
        end_ms = int(end.timestamp() * 1000)
        window = docs[bisect.bisect_left(stamps, end_ms - 16 * 60_000):bisect.bisect_right(stamps, end_ms + 1)]
        for name, monitor in monitors.items():
            alerts += [(end.isoformat(), name, k) for k in fired(monitor, window, end)]
    return alerts
