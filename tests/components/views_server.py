"""Kibana's data-view API and OpenSearch Dashboards' saved-objects API as a local server answers them.

Sources, read at the commits named (the project pins no Kibana or Dashboards version):
- Kibana, elastic/kibana src/plugins/data_views/server/rest_api_routes/public/ at 004bcde3:
  create_data_view.ts (body `{override, refresh_fields, data_view}`, the spec's name defaults to its
  title, `createAndSaveDataViewLazy(spec, override)`: an existing id without override is a
  DuplicateDataViewError "Duplicate data view: <name>"), update_data_view.ts (POST, body
  `{refresh_fields, data_view}` with the update schema's keys only: title, type, typeMeta,
  timeFieldName, sourceFilters, fieldFormats, fields, allowNoIndex, runtimeFieldMap, name),
  util/handle_errors.ts at 5b0cbb55 (every error but a 404 answers 400 `{message}`); request
  validation (@kbn/config-schema) refuses an unknown key with "[request body.<path>]: definition
  for this key is missing". GET returns the whole spec (toSpec): `fields`, `version`,
  `sourceFilters`, `fieldFormats`, `runtimeFieldMap`, `fieldAttrs`, `allowNoIndex`, `namespaces`...
- Dashboards, opensearch-project/OpenSearch-Dashboards src/core/server/saved_objects/routes/create.ts
  at 2dc48aaa (POST `/{type}/{id}`, `?overwrite` default false: an existing id is a 409 conflict;
  body `{attributes, migrationVersion, references, initialNamespaces, workspaces}`), update.ts at
  130c29bc (PUT, body `{attributes, version, references}`; the saved-objects repository updates
  the attributes partially); GET returns `{id, type, version, updated_at, attributes, references,
  migrationVersion}` and an index pattern's `attributes.fields` as the field list Dashboards computed.
- Kibana saved objects, elastic/kibana packages/core/saved-objects/core-saved-objects-server-internal/
  src/routes/: export.ts at 3658525d (POST `/_export` `{type|objects, includeReferencesDeep,
  excludeExportDetails}`; by objects, one missing object fails the whole export: 400 "Error fetching
  objects to export" with `attributes.objects[{id, type, error: {statusCode: 404, ...}}]`
  (SavedObjectsExportError.objectFetchError); the answer is ndjson of json-stable-stringify lines,
  then the export details unless excluded), import.ts at 2bb84db1 (POST `/_import`, multipart field
  `file` whose name must end `.ndjson` ("Invalid file extension"), `overwrite` default false; 200
  `{success, successCount, successResults, errors}`: an existing object without overwrite is an error
  `conflict`, a reference to a missing object `missing_references`, neither written). A search's
  attributes as src/plugins/saved_search/server/saved_objects/schema.ts at 06ee3187 reads them
  (SCHEMA_SEARCH_BASE: title required, description, columns, sort, grid, hideChart, isTextBasedQuery
  defaulted; an unknown key is refused).
- Both: a request other than GET without the XSRF header (`kbn-xsrf`, `osd-xsrf`) is refused with 400
  "Request must contain a <header> header." (Kibana and Dashboards core http lifecycle handlers,
  OpenSearch Dashboards troubleshooting documentation). With a password set, a request whose basic
  credentials do not match is refused with 401 before any route runs (the security plugins'
  authentication handlers, hapi Boom `{statusCode: 401, error: "Unauthorized"}`).
- Behind a base path (Kibana's `server.basePath` with `server.rewriteBasePath`, or a proxy's prefix), only
  paths under it are routes; hapi's router matches a path segment by segment, so a path with an empty
  segment (`/kibana//api/...`) matches no route and is a 404 Not Found.
- Kibana's DELETE of a data view answers 200 with an empty body: delete_data_view.ts at 1898e548
  (`return res.ok()`, response schema `body: schema.never()`).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Request, Response

from tests.components.search_server import Recorded

DATA_VIEWS = "/api/data_views/data_view"
SAVED = re.compile(r"/api/saved_objects/([a-z-]+)/([^/]+)$")
SPEC_KEYS = {"id", "version", "title", "type", "typeMeta", "timeFieldName", "sourceFilters", "fields", "fieldFormats",
             "runtimeFieldMap", "fieldAttrs", "allowNoIndex", "namespaces", "name", "allowHidden"}
UPDATE_KEYS = {"title", "type", "typeMeta", "timeFieldName", "sourceFilters", "fieldFormats", "fields", "allowNoIndex",
               "runtimeFieldMap", "name"}


def _boom(status: int, message: str) -> tuple[dict, int]:
    return {"statusCode": status, "error": {400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
                                            409: "Conflict"}[status],
            "message": message}, status


@dataclass
class ViewsServer:
    product: str                                                  # kibana or opensearch-dashboards
    objects: dict[str, dict] = field(default_factory=dict)        # "<type>/<id>" -> stored
    log: list[Recorded] = field(default_factory=list)
    password: str = ""                                            # set: basic credentials are checked
    base_path: str = ""                                           # set: the routes live under it

    def handler(self, request: Request) -> Response:
        if request.mimetype == "multipart/form-data":
            upload = request.files.get("file")
            body = {"file": (upload.filename, upload.read().decode())} if upload else {}
            raw = ""
        else:
            raw = request.get_data(as_text=True)
            body = json.loads(raw) if raw else None
        self.log.append(Recorded(request.method, request.path, dict(request.args), body, raw))
        path = request.path
        if self.base_path:
            path = path[len(self.base_path):] if path.startswith(self.base_path + "/") else "//"
        if "//" in path:
            answer, status = _boom(404, "Not Found")
        elif self.password and (request.authorization is None or request.authorization.password != self.password):
            answer, status = _boom(401, f"[security_exception]: unable to authenticate user "
                                        f"[{request.authorization.username if request.authorization else ''}]")
        else:
            answer, status = self.answer(request.method, path, dict(request.args), body, request.headers)
        if answer is None:  # an empty body
            return Response(b"", status=status)
        if isinstance(answer, str):  # ndjson
            return Response(answer, status=status, content_type="application/ndjson")
        return Response(json.dumps(answer), status=status, content_type="application/json")

    def answer(self, method: str, path: str, query: dict, body: Any, headers: Any) -> tuple[Any, int]:
        xsrf = "kbn-xsrf" if self.product == "kibana" else "osd-xsrf"
        if method != "GET" and xsrf not in headers:
            return _boom(400, f"Request must contain a {xsrf} header.")
        if self.product == "kibana":
            return self._kibana(method, path, body, query)
        return self._dashboards(method, path, query, body)

    def writes(self) -> list[Recorded]:
        """Every request that may change something (Kibana's `_export` is a POST that only reads)."""
        return [r for r in self.log if r.method != "GET" and r.path != "/api/saved_objects/_export"]

    # ---- Kibana -------------------------------------------------------------------------------
    def _kibana(self, method: str, path: str, body: Any, query: dict | None = None) -> tuple[Any, int]:
        if path == "/api/saved_objects/_export" and method == "POST":
            return self._export(body)
        if path == "/api/saved_objects/_import" and method == "POST":
            return self._import(query or {}, body)
        if (m := SAVED.fullmatch(path)) and m.group(1) == "search":
            key = f"search/{m.group(2)}"
            if key not in self.objects:
                return _boom(404, f"Saved object [{key}] not found")
            if method == "DELETE":
                del self.objects[key]
                return {}, 200
            return self.objects[key], 200
        if method == "POST" and path == DATA_VIEWS:
            for where, keys, allowed in (("", body, {"override", "refresh_fields", "data_view"}),
                                         ("data_view.", body.get("data_view", {}), SPEC_KEYS)):
                if unknown := sorted(set(keys) - allowed):
                    return _boom(400, f"[request body.{where}{unknown[0]}]: definition for this key is missing")
            spec = dict(body["data_view"])
            if not isinstance(spec.get("title"), str):
                return _boom(400, "[request body.data_view.title]: expected value of type [string] but got [undefined]")
            spec["name"] = spec.get("name") or spec["title"]
            key = f"index-pattern/{spec.get('id') or 'generated-1'}"
            if key in self.objects and not body.get("override"):
                return _boom(400, f"Duplicate data view: {spec['name']}")
            self.objects[key] = self._spec(spec)
            return {"data_view": self.objects[key]}, 200
        view_id = path[len(DATA_VIEWS) + 1:]
        key = f"index-pattern/{view_id}"
        if key not in self.objects:
            return _boom(404, f"Saved object [index-pattern/{view_id}] not found")
        if method == "GET":
            return {"data_view": self.objects[key]}, 200
        if method == "DELETE":
            del self.objects[key]
            return None, 200
        unknown = sorted(set(body.get("data_view", {})) - UPDATE_KEYS)
        if unknown:
            return _boom(400, f"[request body.data_view.{unknown[0]}]: definition for this key is missing")
        stored = self.objects[key]
        spec = body["data_view"]
        for k in ("title", "timeFieldName", "name", "sourceFilters", "fieldFormats", "runtimeFieldMap"):
            if k in spec:
                stored[k] = spec[k]
        stored["version"] = f"Wz{len(self.writes())}sMV0="
        return {"data_view": stored}, 200

    def _export(self, body: dict) -> tuple[Any, int]:
        objects = body.get("objects") or []
        if not objects and not body.get("type"):
            return _boom(400, "Either `type` or `objects` are required.")
        missing = [{"id": o["id"], "type": o["type"], "error": {
            "statusCode": 404, "error": "Not Found", "message": f"Saved object [{o['type']}/{o['id']}] not found"}}
            for o in objects if f"{o['type']}/{o['id']}" not in self.objects]
        if missing:
            answer, status = _boom(400, "Error fetching objects to export")
            return {**answer, "attributes": {"objects": missing}}, status
        lines = [json.dumps(self.objects[f"{o['type']}/{o['id']}"], sort_keys=True) for o in objects]
        if not body.get("excludeExportDetails"):
            lines.append(json.dumps({"excludedObjects": [], "excludedObjectsCount": 0, "exportedCount": len(objects),
                                     "missingRefCount": 0, "missingReferences": []}, sort_keys=True))
        return "\n".join(lines), 200

    def _import(self, query: dict, body: dict) -> tuple[Any, int]:
        name, content = body.get("file") or ("", "")
        if not name.lower().endswith(".ndjson"):
            return {"statusCode": 400, "error": "Bad Request",
                    "message": f"Invalid file extension {('.' + name.rsplit('.', 1)[1]) if '.' in name else ''}"}, 400
        overwrite = query.get("overwrite") == "true"
        errors, done = [], []
        for line in (line for line in content.splitlines() if line.strip()):
            obj = json.loads(line)
            key = f"{obj['type']}/{obj['id']}"
            refs = [r for r in obj.get("references") or [] if f"{r['type']}/{r['id']}" not in self.objects]
            attributes, problem = self._search_attributes(obj.get("attributes") or {})
            meta = {"id": obj["id"], "type": obj["type"], "meta": {"title": (obj.get("attributes") or {}).get("title")}}
            if refs:
                errors.append({**meta, "error": {"type": "missing_references",
                                                 "references": [{"type": r["type"], "id": r["id"]} for r in refs]}})
            elif key in self.objects and not overwrite:
                errors.append({**meta, "error": {"type": "conflict"}})
            elif problem:
                errors.append({**meta, "error": {"type": "unknown", "message": problem, "statusCode": 400}})
            else:
                self.objects[key] = {"id": obj["id"], "type": obj["type"], "attributes": attributes,
                                     "references": obj.get("references") or [], "managed": False,
                                     "coreMigrationVersion": "8.8.0", "typeMigrationVersion": "10.5.0",
                                     "created_at": "2026-12-07T12:00:00.000Z", "updated_at": "2026-12-07T12:00:00.000Z",
                                     "version": f"Wz{len(self.writes())},MV0="}
                done.append({"id": obj["id"], "type": obj["type"], "meta": meta["meta"],
                             **({"overwrite": True} if overwrite else {})})
        result: dict = {"success": not errors, "successCount": len(done)}
        if done:
            result["successResults"] = done
        if errors:
            result["errors"] = errors
        return result, 200

    @staticmethod
    def _search_attributes(attributes: dict) -> tuple[dict, str]:
        """SCHEMA_SEARCH_BASE: (the attributes with their defaults, or the validation error)."""
        known = {"title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage", "hideChart",
                 "breakdownField", "kibanaSavedObjectMeta", "isTextBasedQuery", "usesAdHocDataView", "timeRestore",
                 "timeRange", "refreshInterval", "viewMode", "hideAggregatedPreview", "hits", "version"}
        if unknown := sorted(set(attributes) - known):
            return {}, f"[attributes.{unknown[0]}]: definition for this key is missing"
        if not isinstance(attributes.get("title"), str):
            return {}, "[attributes.title]: expected value of type [string] but got [undefined]"
        if not isinstance((attributes.get("kibanaSavedObjectMeta") or {}).get("searchSourceJSON"), str):
            return {}, "[attributes.kibanaSavedObjectMeta.searchSourceJSON]: expected value of type [string]"
        return {"description": "", "columns": [], "sort": [], "grid": {}, "hideChart": False,
                "isTextBasedQuery": False, **attributes}, ""

    @staticmethod
    def _spec(spec: dict) -> dict:
        """toSpec: the stored view with everything Kibana adds."""
        return {"id": spec["id"], "version": "WzEsMV0=", "title": spec["title"], "timeFieldName": spec.get("timeFieldName"),
                "sourceFilters": [], "fields": {"@timestamp": {"count": 0, "name": "@timestamp", "type": "date"}},
                "typeMeta": {}, "fieldFormats": {}, "runtimeFieldMap": {}, "fieldAttrs": {},
                "allowNoIndex": spec.get("allowNoIndex", False), "name": spec["name"], "namespaces": ["default"],
                "allowHidden": False}

    # ---- Dashboards ---------------------------------------------------------------------------
    def _dashboards(self, method: str, path: str, query: dict, body: Any) -> tuple[Any, int]:
        m = SAVED.fullmatch(path)
        if not m:
            return _boom(404, "Not Found")
        kind, object_id = m.groups()
        key = f"{kind}/{object_id}"
        if method == "POST":
            unknown = sorted(set(body) - {"attributes", "migrationVersion", "references", "initialNamespaces",
                                          "workspaces"})
            if unknown:
                return _boom(400, f"[request body.{unknown[0]}]: definition for this key is missing")
            if key in self.objects and query.get("overwrite") != "true":
                return _boom(409, f"Saved object [{key}] conflict")
            self.objects[key] = {"id": object_id, "type": kind, "version": "WzEsMV0=", "updated_at": "2026-12-07T12:00:00.000Z",
                                 "attributes": self._rewritten(kind, body["attributes"]),
                                 "references": body.get("references", []),
                                 "migrationVersion": {kind: "7.6.0"}}
            return self.objects[key], 200
        if key not in self.objects:
            return _boom(404, f"Saved object [{key}] not found")
        if method == "GET":
            return self.objects[key], 200
        if method == "DELETE":
            del self.objects[key]
            return {}, 200
        unknown = sorted(set(body) - {"attributes", "version", "references"})
        if unknown:
            return _boom(400, f"[request body.{unknown[0]}]: definition for this key is missing")
        stored = self.objects[key]
        stored["attributes"] = self._rewritten(kind, {**stored["attributes"], **body["attributes"]})
        if "references" in body:
            stored["references"] = body["references"]
        stored["version"] = f"Wz{len(self.writes())}sMV0="
        return stored, 200

    @staticmethod
    def _rewritten(kind: str, attributes: dict) -> dict:
        """Dashboards keeps an index pattern's computed field list in attributes.fields."""
        if kind == "index-pattern":
            return {**attributes, "fields": json.dumps([{"name": "@timestamp", "type": "date", "searchable": True}])}
        return dict(attributes)
