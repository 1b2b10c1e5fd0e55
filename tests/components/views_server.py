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
- Both: a request other than GET without the XSRF header (`kbn-xsrf`, `osd-xsrf`) is refused with 400
  "Request must contain a <header> header." (Kibana and Dashboards core http lifecycle handlers,
  OpenSearch Dashboards troubleshooting documentation).
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
    return {"statusCode": status, "error": {400: "Bad Request", 404: "Not Found", 409: "Conflict"}[status],
            "message": message}, status


@dataclass
class ViewsServer:
    product: str                                                  # kibana or opensearch-dashboards
    objects: dict[str, dict] = field(default_factory=dict)        # "<type>/<id>" -> stored
    log: list[Recorded] = field(default_factory=list)

    def handler(self, request: Request) -> Response:
        raw = request.get_data(as_text=True)
        body = json.loads(raw) if raw else None
        self.log.append(Recorded(request.method, request.path, dict(request.args), body, raw))
        answer, status = self.answer(request.method, request.path, dict(request.args), body, request.headers)
        return Response(json.dumps(answer), status=status, content_type="application/json")

    def answer(self, method: str, path: str, query: dict, body: Any, headers: Any) -> tuple[Any, int]:
        xsrf = "kbn-xsrf" if self.product == "kibana" else "osd-xsrf"
        if method != "GET" and xsrf not in headers:
            return _boom(400, f"Request must contain a {xsrf} header.")
        if self.product == "kibana":
            return self._kibana(method, path, body)
        return self._dashboards(method, path, query, body)

    def writes(self) -> list[Recorded]:
        return [r for r in self.log if r.method != "GET"]

    # ---- Kibana -------------------------------------------------------------------------------
    def _kibana(self, method: str, path: str, body: Any) -> tuple[Any, int]:
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
            return {}, 200
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
