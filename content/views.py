"""Ready-made views of the logs: a Kibana data view on the application logs and an OpenSearch
Dashboards index pattern on the security events, with fixed ids, plus one saved search per
detection in Dashboards (the events each detection reads). Index patterns come from the
data-class table (content/data_classes.py), as Grafana's log datasources' do.

Bodies are what the APIs take (sources read at the commits named, not at a pinned tag: the
project pins no Kibana or Dashboards version):
- Kibana data views (elastic/kibana src/plugins/data_views/server/rest_api_routes/public/
  create_data_view.ts and update_data_view.ts at 004bcde3): create `POST /api/data_views/data_view`
  `{data_view: {id, title, name, timeFieldName, allowNoIndex}, override}`; update
  `POST /api/data_views/data_view/<id>` `{data_view: {title, name, timeFieldName, ...}}`.
  `override: true` deletes the existing one and recreates it, so it is never sent.
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
                "columns": [f for f in security_parsers.FIELDS if f != "kafka_decision"] + ["log"],
                "sort": [[TIME_FIELD, "desc"]],
                "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, sort_keys=True)}},
            "references": [{"name": INDEX_REF, "type": "index-pattern", "id": INDEX_PATTERN_ID}]}
    return out


def _lucene(clause: dict) -> str:
    """A detection's extra term/terms filter in Lucene syntax."""
    ((kind, body),) = clause.items()
    (field,) = [k for k in body if k != "boost"]
    if kind == "term":
        return f'{field}:"{body[field]["value"]}"'
    return f"{field}:(" + " OR ".join(f'"{v}"' for v in body[field]) + ")"
