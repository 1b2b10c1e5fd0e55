"""A Pulumi dynamic provider for the ready-made views (content/views.py): the Kibana data view and the
OpenSearch Dashboards saved objects, over their HTTP APIs.

The same behaviour as the retention objects (components/search_provider.py): create adopts an
identical object and refuses to overwrite one that differs unless `adopt` is set; diff compares
with what the server holds (one short attempt; unreachable: "drift not checked"); update writes
only a real change; read returns "gone" for a vanished object and imports by `<engine>/<kind>/<id>`;
transient failures are retried with capped backoff; passwords are read at call time (Kibana logs in
as the Elasticsearch user, Dashboards as the OpenSearch user) and are never inputs or state.

Kibana's saved searches go through its import and export routes, not the per-type routes (deprecated
since 8.7; content/views.py names the sources): read by `_export` of the one object (a missing one is a
400 naming it with statusCode 404), written by `_import?overwrite=true` of a one-line ndjson file,
whose per-object errors (a missing data view: `missing_references`) fail the write.

Only the keys we set are compared: both servers add to what they return (Kibana's data view gains
`fields`, `version`, `allowNoIndex`, `namespaces`...; Dashboards rewrites `attributes.fields` and adds
`version`, `updated_at`, `migrationVersion`). Both refuse a write without their XSRF header
(`kbn-xsrf`, `osd-xsrf`) and answer errors as `{statusCode, error, message}` (hapi Boom; Kibana's
data-view routes turn every error but a 404 into a 400, util/handle_errors.ts).
This class stays at this module path: state pickles the provider by reference.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any, Callable

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components import search_provider as sp
from components.search_api import differing_paths, normalise

REPLACE_ON = ("engine", "kind", "object_id", "endpoint")
EXPORT_PATH, IMPORT_PATH = "/api/saved_objects/_export", "/api/saved_objects/_import?overwrite=true"


@dataclass(frozen=True)
class View:
    path: str                                   # with {id}
    create_path: str                            # POST here to create
    create_body: Callable[[str, dict], dict]    # (id, body) -> the create request's body
    update_method: str                          # Kibana updates with POST, Dashboards with PUT
    xsrf: str                                   # the header every non-GET request must carry
    login: str                                  # whose user and password: elasticsearch or opensearch
    saved_type: str = ""                        # Kibana: read by _export and written by _import as this type


VIEWS: dict[tuple[str, str], View] = {
    ("kibana", "data_view"): View(
        "/api/data_views/data_view/{id}", "/api/data_views/data_view",
        # A fixed id; allowNoIndex so the view exists before the first daily index; never override.
        lambda i, b: {"data_view": {**b["data_view"], "id": i, "allowNoIndex": True}, "override": False},
        "POST", "kbn-xsrf", "elasticsearch"),
    ("opensearch-dashboards", "index-pattern"): View(
        "/api/saved_objects/index-pattern/{id}", "/api/saved_objects/index-pattern/{id}", lambda i, b: b,
        "PUT", "osd-xsrf", "opensearch"),
    ("opensearch-dashboards", "search"): View(
        "/api/saved_objects/search/{id}", "/api/saved_objects/search/{id}", lambda i, b: b,
        "PUT", "osd-xsrf", "opensearch"),
    ("kibana", "search"): View(
        "/api/saved_objects/search/{id}", IMPORT_PATH, lambda i, b: b, "POST", "kbn-xsrf", "elasticsearch",
        saved_type="search"),
}


def projected(stored: Any, desired: Any) -> Any:
    """The stored body restricted to the keys the desired one sets (lists compared whole)."""
    if isinstance(desired, dict) and isinstance(stored, dict):
        return {k: projected(stored.get(k), v) for k, v in desired.items()}
    return stored


def changed_paths(desired: dict, stored: dict) -> list[str]:
    return differing_paths(normalise(desired), normalise(projected(stored, desired)))


class _Client:
    """urllib3 with our retry policy, the view's XSRF header and basic auth."""

    def __init__(self, props: dict, attempts: int = sp.MAX_ATTEMPTS, timeout: float = sp.TIMEOUT_S):
        import urllib3
        view = VIEWS[(props["engine"], props["kind"])]
        self.endpoint, self.attempts, self.view = props["endpoint"].rstrip("/"), attempts, view
        self.headers = {**urllib3.make_headers(basic_auth=f"{props['username']}:{sp._password(view.login) or ''}"),
                        **sp.JSON}
        self.http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs=props.get("ca_bundle") or None,
                                        timeout=urllib3.Timeout(total=timeout), retries=False)

    def request(self, method: str, path: str, body: Any = None, missing_ok: bool = False,
                upload: tuple[str, str] | None = None) -> Any:
        """`upload`: (file name, content) sent as the multipart field `file` instead of a JSON body."""
        headers = self.headers if method == "GET" else {**self.headers, self.view.xsrf: "true"}
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(self.attempts):
            try:
                if upload is None:
                    response = self.http.request(method, self.endpoint + path, body=data, headers=headers)
                else:  # urllib3 encodes the fields as multipart/form-data and sets its content type
                    response = self.http.request(
                        method, self.endpoint + path, headers={k: v for k, v in headers.items() if k != "content-type"},
                        fields={"file": (upload[0], upload[1].encode(), "application/ndjson")})
                status, reason = response.status, _reason(response.data)
            except Exception as err:  # noqa: BLE001 - urllib3's connection errors
                status, reason = None, str(err)
            if status is not None and status < 300:
                return json.loads(response.data or b"null")
            if missing_ok and (status == 404 or (status == 400 and _export_missing(response.data))):
                return None
            transient = status is None or status in sp.TRANSIENT
            if not transient or attempt == self.attempts - 1:
                raise sp.SearchApiError(f"{self.endpoint}: {method} {path} failed: HTTP {status or 'connection'}: "
                                        f"{reason}", status)
            sp.sleep(min(sp.BACKOFF_CAP_S, sp.BACKOFF_BASE_S * 2 ** attempt))
        raise AssertionError("unreachable")


def _export_missing(data: bytes) -> bool:
    """Kibana's `_export` of objects that do not exist: 400 "Error fetching objects to export" whose
    every object's error is a 404 (SavedObjectsExportError.objectFetchError)."""
    try:
        objects = json.loads(data).get("attributes", {}).get("objects") or []
    except (ValueError, AttributeError):
        return False
    return bool(objects) and all((o.get("error") or {}).get("statusCode") == 404 for o in objects)


def _reason(data: bytes) -> str:
    try:
        body = json.loads(data)
    except ValueError:
        return data.decode(errors="replace")
    return body.get("message") or str(body) if isinstance(body, dict) else str(body)


def _name(props: dict) -> str:
    return f"{props['engine']} {props['kind']} {props['object_id']!r} on {props['endpoint']}"


class SavedViewProvider(ResourceProvider):
    serialize_as_secret_always = False

    def configure(self, req: Any) -> None:
        sp.RetentionObjectProvider().configure(req)  # the same stack config holds both passwords

    def _get(self, client: _Client, props: dict) -> Any:
        try:
            if client.view.saved_type:
                return client.request("POST", EXPORT_PATH, {"objects": [{"type": client.view.saved_type,
                                                                         "id": props["object_id"]}],
                                                            "excludeExportDetails": True}, missing_ok=True)
            return client.request("GET", client.view.path.format(id=props["object_id"]), missing_ok=True)
        except sp.SearchApiError as err:
            if err.status in sp.AUTH:
                raise sp.SearchApiError(f"{_name(props)}: the user {props.get('username')!r} was refused "
                                        f"(HTTP {err.status}); it needs write access to saved objects", err.status) \
                    from None
            raise

    def _import(self, client: _Client, props: dict) -> None:
        """One object through Kibana's `_import`, overwriting: the import's own errors fail the write."""
        line = json.dumps({"type": client.view.saved_type, "id": props["object_id"], **props["body"]}, sort_keys=True)
        result = client.request("POST", IMPORT_PATH, upload=(f"{props['object_id']}.ndjson", line + "\n"))
        if not (result or {}).get("success"):
            errors = [f"{e.get('type')}/{e.get('id')}: {(e.get('error') or {}).get('type')}"
                      + "".join(f" {r.get('type')}/{r.get('id')}" for r in (e.get("error") or {}).get("references") or [])
                      for e in (result or {}).get("errors") or []]
            raise sp.SearchApiError(f"{_name(props)}: the import failed: {'; '.join(errors) or result}", 200)

    def _converge(self, props: dict, creating: bool) -> None:
        client = _Client(props)
        view, body = client.view, props["body"]
        stored = self._get(client, props)
        if stored is None:
            if view.saved_type:
                self._import(client, props)
                return
            client.request("POST", view.create_path.format(id=props["object_id"]),
                           view.create_body(props["object_id"], body))
            return
        changed = changed_paths(body, stored)
        if changed and creating and not props.get("adopt"):
            raise sp.SearchApiError(f"{_name(props)} already exists and differs at {', '.join(changed)}; it is not "
                                    "overwritten (set adoptExistingRetention to take it over)")
        if changed and view.saved_type:
            self._import(client, props)
        elif changed:
            client.request(view.update_method, view.path.format(id=props["object_id"]), body)

    def create(self, props: dict[str, Any]) -> CreateResult:
        props = {**props, "body": normalise(props["body"])}
        self._converge(props, creating=True)
        return CreateResult(id_=f"{props['engine']}/{props['kind']}/{props['object_id']}", outs=props)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in REPLACE_ON if olds.get(k) != news.get(k)]
        if replaces:
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=False)
        try:
            stored = self._get(_Client(news, attempts=1, timeout=sp.DIFF_TIMEOUT_S), news)
        except sp.SearchApiError as err:
            if err.status is not None:
                raise
            print(f"kafka-monitoring: drift not checked for {_name(news)}: unreachable", file=sys.stderr)
            stored = olds.get("body")
        changed = changed_paths(news["body"], stored) if stored is not None else ["body"]
        others = [k for k in news if k not in ("body", *REPLACE_ON) and olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed or others), replaces=[], stables=list(REPLACE_ON),
                          delete_before_replace=False)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        news = {**news, "body": normalise(news["body"])}
        self._converge(news, creating=False)
        return UpdateResult(outs=news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not props.get("engine"):  # an import: only the id is known
            engine, kind, object_id = id_.split("/", 2)
            props = {**props, "engine": engine, "kind": kind, "object_id": object_id}
        stored = self._get(_Client(props), props)
        if stored is None:
            return ReadResult("", {})
        desired = props.get("body") or stored
        return ReadResult(id_, {**props, "body": projected(stored, desired)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("engine"):
            client = _Client(props)
            client.request("DELETE", client.view.path.format(id=props["object_id"]), missing_ok=True)


class SavedView(pulumi.dynamic.Resource, module="search", name="SavedView"):
    """One Kibana data view or OpenSearch Dashboards saved object."""

    body: pulumi.Output[dict]

    def __init__(self, name: str, *, engine: str, kind: str, object_id: str, body: dict, endpoint: str,
                 username: str, ca_bundle: str = "", adopt: bool = False,
                 opts: pulumi.ResourceOptions | None = None):
        if (engine, kind) not in VIEWS:
            raise ValueError(f"unsupported {engine} view kind {kind!r}")
        super().__init__(SavedViewProvider(), name, {
            "engine": engine, "kind": kind, "object_id": object_id, "body": body, "endpoint": endpoint,
            "username": username, "ca_bundle": ca_bundle, "adopt": adopt}, opts)
