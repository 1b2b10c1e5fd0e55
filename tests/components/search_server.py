"""A local HTTP server that answers the retention APIs as Elasticsearch 8.19 and OpenSearch 2 do.

What it reproduces, with the sources it follows:
- Integer index settings given as JSON floats are refused: `"index.number_of_shards": 3.0` -> 400
  illegal_argument_exception "Failed to parse value [3.0] for setting [index.number_of_shards]"
  (Elasticsearch Setting.parseInt, which takes the value's string form).
- GET returns the normalised body, not the PUT one (see components/search_api.py for the shapes:
  ILM `min_age` "0ms" and `delete_searchable_snapshot`, template settings nested and as strings
  plus `composed_of`, ISM `policy_id`, `last_updated_time`, `schema_version`, `error_notification`,
  per-action `retry`, and `_seq_no`/`_primary_term`).
- PUT of an ILM policy whose `wait_for_snapshot` names a missing SLM policy -> 400
  (WaitForSnapshotAction validation, "no such snapshot lifecycle policy").
- ILM policies are parsed strictly (LifecyclePolicy, Phase and the actions' ObjectParsers;
  TimeseriesLifecycleType's allowed actions per phase, as in the 8.19 docs "Index lifecycle
  actions"): an unknown field -> 400 x_content_parse_exception "[<object>] unknown field [<name>]";
  an unknown phase or an action the phase does not allow -> 400 illegal_argument_exception.
- ISM: a PUT of an existing policy without the current `if_seq_no`/`if_primary_term` -> 409
  version_conflict_engine_exception; a write bumps `_seq_no`.
- Snapshot management (OpenSearch 2 docs, "Snapshot management API"): `POST` creates (409 if the
  policy exists), `PUT` with the current `if_seq_no`/`if_primary_term` updates (404 if missing, 409
  if stale); GET -> `{_id: "<name>-sm-policy", _version, _seq_no, _primary_term, sm_policy}` with
  `name`, `schema_version`, `schedule`, `enabled`, `last_updated_time`, `enabled_time` added.
- Elasticsearch answers with `X-Elastic-Product: Elasticsearch` (the 8.x client refuses others).
- Amazon OpenSearch Service (`sigv4=(access key, secret key, region)`): every request must carry a
  valid AWS Signature Version 4 for service `es`, recomputed here with botocore's own SigV4Auth
  (the reference implementation AWS SDKs use); otherwise 403 with AWS's message.
Requests are recorded with their parsed bodies so tests can assert what reached the server.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

ES_HEADERS = {"X-Elastic-Product": "Elasticsearch"}
INTEGER_SETTINGS = ("number_of_shards", "number_of_replicas", "priority")
ISM_RETRY = {"count": 3, "backoff": "exponential", "delay": "1m"}
# TimeseriesLifecycleType (Elasticsearch 8.19): the actions each phase allows.
ILM_PHASE_ACTIONS = {
    "hot": {"set_priority", "unfollow", "rollover", "readonly", "downsample", "shrink", "forcemerge",
            "searchable_snapshot"},
    "warm": {"set_priority", "unfollow", "readonly", "downsample", "allocate", "migrate", "shrink", "forcemerge"},
    "cold": {"set_priority", "unfollow", "readonly", "downsample", "searchable_snapshot", "allocate", "migrate"},
    "frozen": {"unfollow", "searchable_snapshot"},
    "delete": {"wait_for_snapshot", "delete"},
}
# The fields each action's parser knows (the ones this program may send, and their siblings).
ILM_ACTION_FIELDS = {
    "forcemerge": {"max_num_segments", "index_codec"}, "readonly": set(), "delete": {"delete_searchable_snapshot"},
    "wait_for_snapshot": {"policy"}, "set_priority": {"priority"}, "rollover": {
        "max_size", "max_primary_shard_size", "max_age", "max_docs", "max_primary_shard_docs", "min_size",
        "min_primary_shard_size", "min_age", "min_docs", "min_primary_shard_docs"},
}


def ilm_problem(policy: dict) -> str | None:
    """Why Elasticsearch's strict parser refuses an ILM policy body, or None."""
    for key in policy:
        if key not in ("phases", "_meta", "deprecated"):
            return f"[policy] unknown field [{key}]"
    for phase, body in (policy.get("phases") or {}).items():
        if phase not in ILM_PHASE_ACTIONS:
            return f"Timeseries lifecycle does not support phase [{phase}]"
        for key in body:
            if key not in ("min_age", "actions"):
                return f"[phase] unknown field [{key}]"
        for action, params in (body.get("actions") or {}).items():
            if action not in ILM_PHASE_ACTIONS[phase]:
                return f"invalid action [{action}] defined in phase [{phase}]"
            unknown = set(params or {}) - ILM_ACTION_FIELDS.get(action, set(params or {}))
            if unknown:
                return f"[{action}] unknown field [{sorted(unknown)[0]}]"
    return None


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    raw: str


@dataclass
class SearchServer:
    engine: str = "elasticsearch"
    objects: dict[str, Any] = field(default_factory=dict)      # path -> stored (normalised) body
    seq: dict[str, tuple[int, int]] = field(default_factory=dict)
    log: list[Recorded] = field(default_factory=list)
    script: list[tuple[str, str, int, Any]] = field(default_factory=list)  # canned (method, path, status, body)
    sigv4: tuple[str, str, str] | None = None
    signed: list[str] = field(default_factory=list)  # Authorization headers that verified

    def handler(self, request: Request) -> Response:
        if self.sigv4 is not None:
            problem = sigv4_problem(request, *self.sigv4)
            if problem:
                return Response(json.dumps({"message": f"The request signature we calculated does not match the "
                                                       f"signature you provided ({problem})"}),
                                status=403, content_type="application/json")
            self.signed.append(request.headers["Authorization"])
        raw = request.get_data(as_text=True)
        body = json.loads(raw) if raw else None
        self.log.append(Recorded(request.method, request.path, dict(request.args), body, raw))
        for i, (method, path, status, canned) in enumerate(self.script):
            if method == request.method and path == request.path:
                del self.script[i]
                return self._json(canned, status)
        if request.method == "GET":
            return self._get(request.path)
        if request.method == "PUT":
            return self._put(request.path, body, raw, dict(request.args))
        if request.method == "POST" and request.path.startswith("/_plugins/_sm/policies/"):
            return self._sm_write(request.path, body, dict(request.args), create=True)
        if request.method == "DELETE":
            if self.objects.pop(request.path, None) is None:
                return self._missing(request.path)
            return self._json({"acknowledged": True})
        return self._json({"error": "method"}, 405)

    def _json(self, body: Any, status: int = 200) -> Response:
        headers = ES_HEADERS if self.engine == "elasticsearch" else {}
        return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")

    def _missing(self, path: str) -> Response:
        return self._json({"error": {"type": "resource_not_found_exception", "reason": f"{path} not found"},
                           "status": 404}, 404)

    def _get(self, path: str) -> Response:
        stored = self.objects.get(path)
        if stored is None:
            return self._missing(path)
        name = path.rsplit("/", 1)[1]
        if path.startswith("/_ilm/policy/"):
            return self._json({name: {"version": 2, "modified_date": "2026-11-30T00:00:00.000Z", "policy": stored,
                                      "in_use_by": {"indices": [], "data_streams": [], "composable_templates": []}}})
        if path.startswith("/_index_template/"):
            return self._json({"index_templates": [{"name": name, "index_template": stored}]})
        if path.startswith("/_slm/policy/"):
            return self._json({name: {"version": 1, "modified_date_millis": 1764460800000, "policy": stored,
                                      "next_execution_millis": 1764466200000, "stats": {}}})
        if path.startswith("/_plugins/_sm/policies/"):
            seq_no, term = self.seq[path]
            return self._json({"_id": f"{name}-sm-policy", "_version": seq_no + 1, "_seq_no": seq_no,
                               "_primary_term": term, "sm_policy": stored})
        if path.startswith("/_plugins/_ism/policies/"):
            seq_no, term = self.seq[path]
            return self._json({"_id": name, "_version": seq_no + 1, "_seq_no": seq_no, "_primary_term": term,
                               "policy": stored})
        return self._json({name: stored})  # _snapshot

    def _put(self, path: str, body: dict, raw: str, query: dict) -> Response:
        name = path.rsplit("/", 1)[1]
        if path.startswith("/_index_template/"):
            for key, value in _flat(((body.get("template") or {}).get("settings") or {})).items():
                if key.rsplit(".", 1)[-1] in INTEGER_SETTINGS and not re.fullmatch(r"-?\d+", str(value)):
                    return self._json({"error": {"type": "illegal_argument_exception",
                                                 "reason": f"Failed to parse value [{value}] for setting [{key}]"},
                                       "status": 400}, 400)
            stored = {**{k: v for k, v in body.items() if k != "template"}, "composed_of": body.get("composed_of", []),
                      "template": {**body["template"], "settings": _nest(body["template"].get("settings") or {})}}
            self.objects[path] = stored
            return self._json({"acknowledged": True})
        if path.startswith("/_ilm/policy/"):
            policy = body["policy"]
            problem = ilm_problem(policy)
            if problem:
                kind = "x_content_parse_exception" if "unknown field" in problem else "illegal_argument_exception"
                return self._json({"error": {"type": kind, "reason": problem}, "status": 400}, 400)
            for phase in policy.get("phases", {}).values():
                wait = (phase.get("actions") or {}).get("wait_for_snapshot")
                if wait and f"/_slm/policy/{wait['policy']}" not in self.objects:
                    return self._json({"error": {"type": "illegal_argument_exception",
                                                 "reason": f"no such snapshot lifecycle policy [{wait['policy']}]"},
                                       "status": 400}, 400)
            phases = {}
            for pname, phase in policy.get("phases", {}).items():
                actions = dict(phase.get("actions") or {})
                if "delete" in actions:
                    actions["delete"] = {"delete_searchable_snapshot": True, **actions["delete"]}
                phases[pname] = {"min_age": phase.get("min_age", "0ms"), "actions": actions}
            self.objects[path] = {**policy, "phases": phases}
            return self._json({"acknowledged": True})
        if path.startswith("/_plugins/_ism/policies/"):
            if path in self.objects:
                seq_no, term = self.seq[path]
                if query.get("if_seq_no") != str(seq_no) or query.get("if_primary_term") != str(term):
                    return self._json({"error": {"type": "version_conflict_engine_exception",
                                                 "reason": f"[{name}]: version conflict, required seqNo "
                                                           f"[{query.get('if_seq_no')}], current [{seq_no}]"},
                                       "status": 409}, 409)
            seq_no, term = self.seq.get(path, (-1, 1))
            self.seq[path] = (seq_no + 1, term)
            policy = body["policy"]
            self.objects[path] = {
                "policy_id": name, "description": policy.get("description"), "last_updated_time": 1764460800000,
                "schema_version": 21, "error_notification": None, "default_state": policy["default_state"],
                "states": [{**st, "actions": [{**a, "retry": a.get("retry", dict(ISM_RETRY))} for a in st["actions"]]}
                           for st in policy["states"]],
                "ism_template": [{**t, "last_updated_time": 1764460800000} for t in policy.get("ism_template", [])]}
            return self._json({"_id": name, "_seq_no": seq_no + 1, "_primary_term": term, "policy": {}}, 201)
        if path.startswith("/_plugins/_sm/policies/"):
            return self._sm_write(path, body, query, create=False)
        if path.startswith("/_snapshot/"):
            self.objects[path] = {"type": body["type"], "settings": {k: str(v) for k, v in body["settings"].items()}}
            return self._json({"acknowledged": True})
        if path.startswith("/_slm/policy/"):
            self.objects[path] = body
            return self._json({"acknowledged": True})
        return self._missing(path)

    def _sm_write(self, path: str, body: dict, query: dict, create: bool) -> Response:
        name = path.rsplit("/", 1)[1]
        exists = path in self.objects
        if create and exists:
            return self._json({"error": {"type": "version_conflict_engine_exception",
                                         "reason": f"[{name}-sm-policy]: version conflict, document already exists"},
                               "status": 409}, 409)
        if not create and not exists:
            return self._missing(path)
        if not create:
            seq_no, term = self.seq[path]
            if query.get("if_seq_no") != str(seq_no) or query.get("if_primary_term") != str(term):
                return self._json({"error": {"type": "version_conflict_engine_exception",
                                             "reason": f"[{name}-sm-policy]: version conflict"}, "status": 409}, 409)
        seq_no, term = self.seq.get(path, (-1, 1))
        self.seq[path] = (seq_no + 1, term)
        self.objects[path] = {"name": name, **body, "schema_version": 21, "enabled": True,
                              "schedule": {"interval": {"start_time": 1764460800000, "period": 1, "unit": "Minutes"}},
                              "last_updated_time": 1764460800000, "enabled_time": 1764460800000}
        return self._json({"_id": f"{name}-sm-policy", "_version": seq_no + 2, "_seq_no": seq_no + 1,
                           "_primary_term": term, "sm_policy": self.objects[path]}, 201 if create else 200)

    def writes(self) -> list[Recorded]:
        return [r for r in self.log if r.method in ("PUT", "POST", "DELETE")]


_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request, "
                   r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})")


def sigv4_problem(request: Request, access_key: str, secret_key: str, region: str) -> str | None:
    """Why a request's SigV4 signature is not valid for (credentials, region, service es), or None."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    match = _AUTH.fullmatch(request.headers.get("Authorization", ""))
    if not match:
        return "no SigV4 Authorization header"
    key, _, scope_region, service, signed_headers, signature = match.groups()
    if (key, scope_region, service) != (access_key, region, "es"):
        return f"credential scope {key}/{scope_region}/{service}"
    aws_request = AWSRequest(method=request.method, url=request.url, data=request.get_data(),
                             headers={h: request.headers[h] for h in signed_headers.split(";")})
    aws_request.context["timestamp"] = request.headers["X-Amz-Date"]
    signer = SigV4Auth(Credentials(access_key, secret_key), "es", region)
    expected = signer.signature(signer.string_to_sign(aws_request, signer.canonical_request(aws_request)), aws_request)
    return None if expected == signature else "signature mismatch"


def _flat(settings: dict, prefix: str = "") -> dict[str, Any]:
    out = {}
    for k, v in settings.items():
        path = f"{prefix}.{k}" if prefix else k
        out.update(_flat(v, path) if isinstance(v, dict) else {path: v})
    return out


def _nest(settings: dict) -> dict:
    """Flat `index.a.b` keys into nested dicts, every value a string (booleans lower-case)."""
    out: dict = {}
    for key, value in _flat(settings).items():
        parts = key.split(".")
        if parts[0] != "index":
            parts = ["index", *parts]
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out
