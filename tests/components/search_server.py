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
- Every body is parsed as the server's own parser does (search_parsers.py): strict parsers refuse an
  unknown field with the server's error, lenient ones drop it and GET returns the body without it.
- ISM: a PUT of an existing policy without the current `if_seq_no`/`if_primary_term` -> 409
  version_conflict_engine_exception; a write bumps `_seq_no`.
- Snapshot management (opensearch-project/index-management 2.17.1.0, snapshotmanagement/:
  RestBaseIndexSMPolicyHandler, IndexSMPolicyRequest, SMPolicy.parse, TransportStart/StopSMAction,
  TransportGetSMPolicyAction): `POST` creates (409 if the policy exists); `PUT` updates and must
  carry `if_seq_no` and `if_primary_term` (400 "Sequence number and primary term must be provided
  when updating a snapshot management policy" without them; 409 when they are not the stored
  document's, or no document exists); the body's `enabled` is kept, true when absent, and
  `enabled_time` is set while enabled, null otherwise. `POST .../<name>/_stop` and `_start` update
  the stored document (enabled, enabled_time, last_updated_time; a new `_seq_no`), or acknowledge
  without a write when it is already so; 404 "Snapshot management policy not found" for a missing
  policy. GET -> `{_id: "<name>-sm-policy", _version, _seq_no, _primary_term, sm_policy}` with
  `name`, `schema_version`, `schedule`, `enabled`, `last_updated_time`, `enabled_time` added.
- Another client's write can be placed between two of ours (`interleave`): it changes the stored
  document and its `_seq_no` as a real write does, so a retry that reuses the sequence number it
  read before meets 409 again.
- Elasticsearch answers with `X-Elastic-Product: Elasticsearch` (the 8.x client refuses others).
- A method is matched as sent, case included: Netty's HttpMethod.valueOf("post") is a new method, not
  POST, so Netty4HttpRequest.method() (translateRequestMethod: identity against GET, POST, ...) throws
  "Unexpected http method: post" and RestController.tryAllHandlers answers 405 with it
  (handleUnsupportedHttpMethod, createSimpleErrorResponse: `{"error": <message>, "status": 405}`; the
  real message adds the path's allowed methods). Same in Elasticsearch 8 and OpenSearch 2. Werkzeug
  upper-cases `request.method`, so the method as sent is read from the WSGI environ.
- Amazon OpenSearch Service (`sigv4=(access key, secret key, region)`): every request must carry a
  valid AWS Signature Version 4 for service `es`, recomputed here with botocore's own SigV4Auth
  (the reference implementation AWS SDKs use); otherwise 403 with AWS's message.
- Indices and aliases (OpenSearch 2.17, what the rollover layout relies on): `PUT /<index>` creates an
  index (400 resource_already_exists_exception if it exists; the body's `aliases`, one write index per
  alias) with the settings of the one matching composable template of highest priority, and ISM
  attaches the policy whose matching `ism_template` has the highest priority (index-management
  ManagedIndexCoordinator.findMatchingPolicy), keeping a copy of that policy (ManagedIndexRunner runs
  `managedIndexConfig.policy`, not the stored document). `GET /_alias/<name>` -> `{<index>: {"aliases":
  {<name>: {"is_write_index": ...}}}}`, 404 without one. `POST /_bulk`: a `create` or `index` op naming
  an alias goes to its write index, or fails "no write index is defined for alias". `ism_rollover`
  is ISM's AttemptRolloverStep: any condition met (ManagedIndexUtils.evaluateConditions) rolls the
  index's `plugins.index_state_management.rollover_alias` over to the next name (trailing number + 1,
  six digits: MetadataRolloverService.generateRolloverIndexName), moving the write flag.
Requests are recorded with their parsed bodies so tests can assert what reached the server.
"""
from __future__ import annotations

import copy
import fnmatch
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

from tests.components import alerting_server
from tests.components import search_parsers as parse

ES_HEADERS = {"X-Elastic-Product": "Elasticsearch"}
HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT")  # RestRequest.Method
ISM_RETRY = {"count": 3, "backoff": "exponential", "delay": "1m"}  # ActionRetry's default, per action


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
    # (method, path, write): before our next such request, another client runs write(server)
    interleave: list[tuple[str, str, Any]] = field(default_factory=list)
    sigv4: tuple[str, str, str] | None = None
    clock: int = 1764460800000  # epoch milliseconds of the last write (last_updated_time, enabled_time)
    signed: list[str] = field(default_factory=list)  # Authorization headers that verified
    # Alerting and Notifications (tests/components/alerting_server.py): the security events a dry run
    # reads, the time it runs at, and the config index's sequence numbers.
    documents: list[dict] = field(default_factory=list)
    now_ms: int = 1765108800000  # 2026-12-07T12:00:00Z
    config_seq: int = -1

    indices: dict[str, dict] = field(default_factory=dict)  # name -> settings, aliases, policy, docs

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
        sent = request.environ["REQUEST_METHOD"]
        self.log.append(Recorded(sent, request.path, dict(request.args), body, raw))
        if sent not in HTTP_METHODS:
            return self._json({"error": f"Unexpected http method: {sent}", "status": 405}, 405)
        for i, (method, path, write) in enumerate(self.interleave):
            if method == request.method and path == request.path:
                del self.interleave[i]
                write(self)
                break
        for i, (method, path, status, canned) in enumerate(self.script):
            if method == request.method and path == request.path:
                del self.script[i]
                return self._json(canned, status)
        if request.path.startswith(("/_plugins/_alerting/", "/_plugins/_notifications/")):
            return self._json(*alerting_server.handle(self, request.method, request.path, body, dict(request.args)))

        if request.method == "GET" and request.path.startswith("/_alias/"):
            return self._get_alias(request.path.rsplit("/", 1)[1])
        if request.method == "POST" and request.path == "/_bulk":
            return self._json(self.bulk(raw))
        if request.method == "PUT" and re.fullmatch(r"/[a-z0-9][^/_]*", request.path):
            return self._create_index(request.path[1:], body or {})
        if request.method == "GET":
            return self._get(request.path)
        if request.method == "PUT":
            return self._put(request.path, body, raw, dict(request.args))
        if request.method == "POST" and re.fullmatch(r"/_plugins/_sm/policies/[^/]+/_(start|stop)", request.path):
            return self._sm_switch(request.path.rsplit("/", 1)[0], request.path.endswith("_start"))
        if request.method == "POST" and request.path.startswith("/_plugins/_sm/policies/"):
            return self._sm_write(request.path, body, dict(request.args), create=True)
        if request.method == "DELETE" and re.fullmatch(r"/\*/_alias/[^/]+", request.path):
            alias = request.path.rsplit("/", 1)[1]
            held = [b for b in self.indices.values() if b["aliases"].pop(alias, None) is not None]
            return self._json({"acknowledged": True}) if held else self._json(
                {"error": f"aliases [{alias}] missing", "status": 404}, 404)
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

    def _refused(self, err: parse.Refused) -> Response:
        status = 500 if err.kind == "repository_exception" else 400
        return self._json({"error": {"type": err.kind, "reason": str(err)}, "status": status}, status)

    def _put(self, path: str, body: dict, raw: str, query: dict) -> Response:
        try:
            return self._store(path, body, query)
        except parse.Refused as err:
            return self._refused(err)

    def _store(self, path: str, body: dict, query: dict) -> Response:
        name = path.rsplit("/", 1)[1]
        if path.startswith("/_index_template/"):
            settings = parse.index_template(self.engine, body)
            stored = {**{k: v for k, v in body.items() if k != "template"}, "composed_of": body.get("composed_of", []),
                      "template": {**body.get("template", {}), "settings": _nest(settings)}}
            self.objects[path] = stored
            return self._json({"acknowledged": True})
        if path.startswith("/_ilm/policy/"):
            policy = body["policy"]
            parse.ilm_policy(policy)
            for phase in policy.get("phases", {}).values():
                wait = (phase.get("actions") or {}).get("wait_for_snapshot")
                if wait and f"/_slm/policy/{wait['policy']}" not in self.objects:
                    raise parse.Refused(f"no such snapshot lifecycle policy [{wait['policy']}]")
            phases = {}
            for pname, phase in policy.get("phases", {}).items():
                actions = dict(phase.get("actions") or {})
                if "delete" in actions:
                    actions["delete"] = {"delete_searchable_snapshot": True, **actions["delete"]}
                phases[pname] = {"min_age": phase.get("min_age", "0ms"), "actions": actions}
            self.objects[path] = {**policy, "phases": phases}
            return self._json({"acknowledged": True})
        if path.startswith("/_plugins/_ism/policies/"):
            policy = body["policy"]
            parse.ism_policy(policy)  # the body is parsed before the write meets the stored version
            if path in self.objects:
                seq_no, term = self.seq[path]
                if query.get("if_seq_no") != str(seq_no) or query.get("if_primary_term") != str(term):
                    return self._json({"error": {"type": "version_conflict_engine_exception",
                                                 "reason": f"[{name}]: version conflict, required seqNo "
                                                           f"[{query.get('if_seq_no')}], current [{seq_no}]"},
                                       "status": 409}, 409)
            seq_no, term = self.seq.get(path, (-1, 1))
            self.seq[path] = (seq_no + 1, term)
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
            self.objects[path] = parse.repository(name, body)
            return self._json({"acknowledged": True})
        if path.startswith("/_slm/policy/"):
            repositories = {p.rsplit("/", 1)[1] for p in self.objects if p.startswith("/_snapshot/")}
            self.objects[path] = parse.slm_policy(body, repositories)
            return self._json({"acknowledged": True})
        return self._missing(path)

    def _sm_write(self, path: str, body: dict, query: dict, create: bool) -> Response:
        name = path.rsplit("/", 1)[1]
        try:
            parsed = parse.sm_policy(name, body)
        except parse.Refused as err:
            return self._refused(err)
        exists = path in self.objects
        if create and exists:
            return self._json({"error": {"type": "version_conflict_engine_exception",
                                         "reason": f"[{name}-sm-policy]: version conflict, document already exists"},
                               "status": 409}, 409)
        if not create:
            if "if_seq_no" not in query or "if_primary_term" not in query:
                reason = ("Validation Failed: 1: Sequence number and primary term must be provided when updating a "
                          "snapshot management policy;")
                return self._json({"error": {"type": "action_request_validation_exception", "reason": reason},
                                   "status": 400}, 400)
            seq_no, term = self.seq.get(path, (None, None))
            if not exists or query["if_seq_no"] != str(seq_no) or query["if_primary_term"] != str(term):
                return self._json({"error": {"type": "version_conflict_engine_exception",
                                             "reason": f"[{name}-sm-policy]: version conflict, required seqNo "
                                                       f"[{query['if_seq_no']}], current [{seq_no}]"},
                                   "status": 409}, 409)
        seq_no, term = self.seq.get(path, (-1, 1))
        self.seq[path] = (seq_no + 1, term)
        enabled = body.get("enabled", True) is not False  # SMPolicy.parse: true unless the body says false
        self.clock += 1
        self.objects[path] = {**parsed, "enabled": enabled,
                              "schedule": {"interval": {"start_time": 1764460800000, "period": 1, "unit": "Minutes"}},
                              "last_updated_time": self.clock, "enabled_time": self.clock if enabled else None}
        return self._json({"_id": f"{name}-sm-policy", "_version": seq_no + 2, "_seq_no": seq_no + 1,
                           "_primary_term": term, "sm_policy": self.objects[path]}, 201 if create else 200)

    def _sm_switch(self, path: str, enable: bool) -> Response:
        """TransportStartSMAction / TransportStopSMAction: a partial update of the stored policy."""
        stored = self.objects.get(path)
        if stored is None:
            return self._json({"error": {"type": "status_exception", "reason": "Snapshot management policy not found"},
                               "status": 404}, 404)
        if stored["enabled"] is not enable:
            self.clock += 1
            seq_no, term = self.seq[path]
            self.seq[path] = (seq_no + 1, term)
            stored.update(enabled=enable, enabled_time=self.clock if enable else None, last_updated_time=self.clock)
        return self._json({"acknowledged": True})

    def next_seq(self) -> int:
        """Alerting keeps every monitor in one index: each write takes the index's next sequence number."""
        self.config_seq += 1
        return self.config_seq

    # Indices, aliases, bulk writes and ISM rollover (see the module docstring).
    def _template_for(self, index: str) -> dict:
        matching = [b for p, b in self.objects.items() if p.startswith("/_index_template/")
                    and any(fnmatch.fnmatch(index, pat) for pat in b["index_patterns"])]
        return max(matching, key=lambda b: b.get("priority", 0), default={})

    def _policy_for(self, index: str) -> tuple[str, dict] | None:
        best = None
        for path, policy in self.objects.items():
            if path.startswith("/_plugins/_ism/policies/"):
                for template in policy.get("ism_template") or []:
                    if any(fnmatch.fnmatch(index, pat) for pat in template["index_patterns"]):
                        if best is None or template["priority"] > best[0]:
                            best = (template["priority"], path.rsplit("/", 1)[1], copy.deepcopy(policy))
        return (best[1], best[2]) if best else None

    def write_index(self, alias: str) -> str | None:
        return next((i for i, b in self.indices.items() if b["aliases"].get(alias, {}).get("is_write_index")), None)

    def _create_index(self, name: str, body: dict) -> Response:
        unknown = set(body) - {"aliases", "settings", "mappings"}
        if unknown:
            return self._json({"error": {"type": "parse_exception", "reason": f"unknown key [{sorted(unknown)[0]}] "
                                                                              "for create index"}, "status": 400}, 400)
        if name in self.indices:
            return self._json({"error": {"type": "resource_already_exists_exception",
                                         "reason": f"index [{name}/uuid] already exists"}, "status": 400}, 400)
        try:
            return self._json(self.create_index(name, body.get("aliases") or {}))
        except parse.Refused as err:
            return self._refused(err)

    def create_index(self, name: str, aliases: dict) -> dict:
        for alias, spec in aliases.items():
            if spec.get("is_write_index") and self.write_index(alias):
                raise parse.Refused(f"alias [{alias}] has more than one write index")
        template = self._template_for(name)
        attached = self._policy_for(name)
        self.indices[name] = {"settings": parse.flat((template.get("template") or {}).get("settings") or {}),
                              "aliases": {a: {"is_write_index": bool(s.get("is_write_index"))} for a, s in aliases.items()},
                              "policy_id": attached[0] if attached else None, "policy": attached[1] if attached else None,
                              "docs": 0, "rolled_over": False}
        return {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _get_alias(self, alias: str) -> Response:
        holding = {i: {"aliases": {alias: b["aliases"][alias]}} for i, b in self.indices.items() if alias in b["aliases"]}
        if not holding:
            return self._json({"error": f"alias [{alias}] missing", "status": 404}, 404)
        return self._json(holding)

    def bulk(self, ndjson: str) -> dict:
        """The _bulk API: each action line, then its document; an alias resolves to its write index."""
        lines = [json.loads(line) for line in ndjson.splitlines() if line.strip()]
        items, errors = [], False
        for header, _doc in zip(lines[0::2], lines[1::2]):
            (op, meta), = header.items()
            target = meta["_index"]
            index = target if target in self.indices else self.write_index(target)
            if index is None and any(target in b["aliases"] for b in self.indices.values()):
                items.append({op: {"_index": target, "status": 400, "error": {
                    "type": "illegal_argument_exception",
                    "reason": f"no write index is defined for alias [{target}]. The write index may be explicitly "
                              "disabled using is_write_index=false or the alias points to multiple indices "
                              "without one being designated as a write index"}}})
                errors = True
                continue
            if index is None:  # auto-create of a concrete name
                self.create_index(target, {})
                index = target
            self.indices[index]["docs"] += 1
            items.append({op: {"_index": index, "status": 201, "result": "created"}})
        return {"took": 1, "errors": errors, "items": items}

    def ism_rollover(self, index: str, age_days: float, docs: int = 0, primary_shard_gb: float = 0.0) -> str | None:
        """One ISM run of the index's rollover action (its attached copy of the policy): the new index's
        name if it rolled over, else None."""
        state = self.indices[index]
        actions = [a["rollover"] for st in (state["policy"] or {}).get("states", []) for a in st["actions"]
                   if "rollover" in a]
        if not actions or state["rolled_over"]:
            return None
        (conditions,) = actions
        met = [not conditions,
               "min_doc_count" in conditions and conditions["min_doc_count"] <= docs,
               "min_index_age" in conditions and _days(conditions["min_index_age"]) <= age_days,
               "min_primary_shard_size" in conditions and _gb(conditions["min_primary_shard_size"]) <= primary_shard_gb]
        if not any(met):
            return None
        alias = state["settings"].get("index.plugins.index_state_management.rollover_alias")
        if not alias or not state["aliases"].get(alias, {}).get("is_write_index"):
            raise parse.Refused(f"Missing rollover_alias index setting [index={index}]")
        prefix, number = re.fullmatch(r"(.*-)(\d+)", index).groups()
        new = f"{prefix}{int(number) + 1:06d}"
        self.create_index(new, {})
        self.indices[new]["aliases"][alias] = {"is_write_index": True}
        state["aliases"][alias] = {"is_write_index": False}
        state["rolled_over"] = True
        return new

    def holds_repository(self, name: str) -> "SearchServer":
        """A snapshot repository registered before the test starts (not recorded as a request)."""
        self._store(f"/_snapshot/{name}", {"type": "s3", "settings": {"bucket": "bucket-x"}}, {})
        return self

    def writes(self) -> list[Recorded]:
        return [r for r in self.log if r.method in ("PUT", "POST", "DELETE")]


_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/([0-9]{8})/([^/]+)/([^/]+)/aws4_request, "
                   r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})")


def json_call(url: str, method: str, body: dict | None = None) -> tuple[int, dict]:
    """Another client's request, straight to the server: (status, JSON answer), errors included."""
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else b"",
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


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


def _days(text: str) -> float:
    value, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(d|h|m|s)", text).groups()
    return float(value) * {"d": 1, "h": 1 / 24, "m": 1 / 1440, "s": 1 / 86400}[unit]


def _gb(text: str) -> float:
    """ByteSizeValue: b, kb, mb, gb, tb, powers of 1024."""
    value, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(b|kb|mb|gb|tb)", text.lower()).groups()
    return float(value) * 1024 ** {"b": 0, "kb": 1, "mb": 2, "gb": 3, "tb": 4}[unit] / 1024 ** 3


def _nest(settings: dict) -> dict:
    """Dotted `index.a.b` keys into nested dicts, every value a string (booleans lower-case)."""
    out: dict = {}
    for key, value in settings.items():
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return out
