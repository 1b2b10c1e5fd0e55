"""Ready-made views of the logs: a Kibana data view on the application logs with the saved searches
the runbooks link to, and an OpenSearch Dashboards index pattern on the security events with one
saved search per detection (the events each detection reads, which its alert links to). Index patterns come from the
data-class table (content/data_classes.py), as Grafana's log datasources' do.

Bodies are what the APIs take (sources read at the commits named, not at a pinned tag: the
project pins no Kibana or Dashboards version):
- Kibana data views (elastic/kibana src/plugins/data_views/server/rest_api_routes/public/
  create_data_view.ts and update_data_view.ts at 004bcde3): create `POST /api/data_views/data_view`
  `{data_view: {id, title, name, timeFieldName, allowNoIndex}, override}`; update
  `POST /api/data_views/data_view/<id>` `{data_view: {title, name, timeFieldName, ...}}`.
  `override: true` deletes the existing one and recreates it, so it is never sent.
- Kibana saved searches: the per-type saved-objects routes are deprecated since 8.7, and a type may
  be hidden from them (`savedObjects.allowHttpApiAccess`, routes/get.ts throwIfTypeNotVisibleByAPI),
  so they are read with `POST /api/saved_objects/_export` `{objects: [{type, id}],
  excludeExportDetails: true}` (routes/export.ts: ndjson, json-stable-stringify; a missing object is a
  400 "Error fetching objects to export" naming it with statusCode 404) and written with `POST
  /api/saved_objects/_import?overwrite=true`, a multipart `file` ending `.ndjson` (routes/import.ts;
  200 `{success, successCount, errors}`, a missing data view an error `missing_references`)
  (elastic/kibana packages/core/saved-objects/core-saved-objects-server-internal/src/routes/ at
  2bb84db1 and 3658525d). The attributes are those of src/plugins/saved_search/server/saved_objects/
  schema.ts (SCHEMA_SEARCH_BASE: title, description, columns, sort, kibanaSavedObjectMeta
  .searchSourceJSON; grid, hideChart and isTextBasedQuery default) at 06ee3187.
- Dashboards saved objects (opensearch-project/OpenSearch-Dashboards src/core/server/saved_objects/
  routes/create.ts at 2dc48aaa, update.ts at 130c29bc): `POST /api/saved_objects/<type>/<id>`
  `{attributes, references}`, `PUT` the same with `{attributes, references}`. A saved search
  names its index pattern through `references` (`kibanaSavedObjectMeta.searchSourceJSON.index`).
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from content import detections, security_parsers
from content.data_classes import APPLICATION, SECURITY
from content.grafana import DATASOURCES

if TYPE_CHECKING:
    from config.sections import RetentionArgs

TIME_FIELD = "@timestamp"
# The same ids as the Grafana datasources of the same data (content/grafana.py).
DATA_VIEW_ID = DATASOURCES["elasticsearch"]["uid"]
INDEX_PATTERN_ID = DATASOURCES["opensearch"]["uid"]
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def data_view(s: "RetentionArgs") -> dict:
    """Kibana's data view of the application logs (the keys the update route takes)."""
    (pattern,) = APPLICATION.index_patterns(s)
    return {"data_view": {"title": pattern, "name": "Kafka application logs", "timeFieldName": TIME_FIELD}}


def index_pattern(s: "RetentionArgs") -> dict:
    """Dashboards' index pattern of the security events (never `fields`: Dashboards rewrites it)."""
    (pattern,) = SECURITY.index_patterns(s)
    return {"attributes": {"title": pattern, "timeFieldName": TIME_FIELD}, "references": []}


def saved_searches(s: "RetentionArgs") -> dict[str, dict]:
    """Saved search id -> body: per detection, the events it reads, newest first, with the parsed fields."""
    out = {}
    for d in detections.detections(s):
        events = " OR ".join(f"kafka_event:{e}" for e in d.events)
        query = f"({events})" + "".join(f" AND {_lucene(f)}" for f in d.extra_filters)
        source = {"query": {"query": query, "language": "lucene"}, "filter": [], "indexRefName": INDEX_REF}
        out[detections.saved_search_id(d)] = {
            "attributes": {
                "title": f"{d.alertname}: events", "description": d.description,
                # the parsed fields, the cluster whose Fluent Bit shipped the event, and the raw line
                "columns": [f for f in security_parsers.FIELDS if f != "kafka_decision"]
                           + [security_parsers.K8S_CLUSTER, "log"],
                "sort": [[TIME_FIELD, "desc"]],
                "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, sort_keys=True)}},
            "references": [{"name": INDEX_REF, "type": "index-pattern", "id": INDEX_PATTERN_ID}]}
    return out


# Kibana saved searches of the application logs (id -> title, levels): what the runbooks link to.
# Levels Fluent Bit drops (applicationLogLevels) would show nothing, so a search keeps only the
# levels that are shipped, and a search with none is not kept.
APPLICATION_SEARCHES = {
    "kafka-application-errors": ("Kafka application logs: errors", ("ERROR", "FATAL")),
    "kafka-application-warnings": ("Kafka application logs: warnings and errors", ("WARN", "ERROR", "FATAL")),
}
APPLICATION_COLUMNS = ["level", "kubernetes.namespace_name", "kubernetes.pod_name", "message"]


def kibana_saved_searches(s: "RetentionArgs") -> dict[str, dict]:
    """Saved search id -> the object `_import` takes (without type and id): the application logs of its
    levels that Fluent Bit ships, newest first, on the data view."""
    out = {}
    for search_id, (title, wanted) in APPLICATION_SEARCHES.items():
        kept = [level for level in wanted if level in s.application_log_levels]
        if not kept:
            continue
        source = {"query": {"query": "level:(" + " OR ".join(f'"{v}"' for v in kept) + ")", "language": "lucene"},
                  "filter": [], "indexRefName": INDEX_REF}
        out[search_id] = {
            "attributes": {
                "title": title, "description": f"Application log records of level {', '.join(kept)}.",
                "columns": list(APPLICATION_COLUMNS), "sort": [[TIME_FIELD, "desc"]],
                "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, sort_keys=True)}},
            "references": [{"name": INDEX_REF, "type": "index-pattern", "id": DATA_VIEW_ID}]}
    return out


def _lucene(clause: dict) -> str:
    """A detection's extra term/terms filter in Lucene syntax."""
    ((kind, body),) = clause.items()
    (field,) = [k for k in body if k != "boost"]
    if kind == "term":
        return f'{field}:"{body[field]["value"]}"'
    return f"{field}:(" + " OR ".join(f'"{v}"' for v in body[field]) + ")"
