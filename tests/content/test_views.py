"""The ready-made views agree with the data-class table and with Grafana's log datasources, and each
detection's saved search shows the events its monitor reads."""
from __future__ import annotations

import fnmatch
import json

from config.sections import GrafanaArgs, RetentionArgs
from content import detections, grafana, views
from tests.conftest import make_settings

SETTINGS = make_settings("prod", sensitiveTopics=["economy.payments", "economy.ledger"])
S = RetentionArgs.of(SETTINGS)


def test_each_view_covers_the_daily_indices_its_grafana_datasource_reads():
    """Grafana reads `[<prefix>-]YYYY.MM.DD` (content/grafana.py); the views' wildcards must match the
    same daily indices and no index of the other class; their ids are the datasources' uids."""
    sources = grafana.datasource_settings(GrafanaArgs.of(SETTINGS))
    for view_title, view_id, key in (
            (views.data_view(S)["data_view"]["title"], views.DATA_VIEW_ID, "elasticsearch"),
            (views.index_pattern(S)["attributes"]["title"], views.INDEX_PATTERN_ID, "opensearch")):
        json_data = sources[key]["json_data"]
        database = json_data.get("index") or json_data["database"]
        prefix = database[1:database.index("]")]
        assert fnmatch.fnmatchcase(f"{prefix}2026.12.07", view_title), key
        other = {"elasticsearch": "kafka-security-2026.12.07", "opensearch": "kafka-application-2026.12.07"}[key]
        assert not fnmatch.fnmatchcase(other, view_title)
        assert view_id == grafana.DATASOURCES[key]["uid"]


def test_each_saved_search_queries_exactly_its_detections_events_on_the_index_pattern():
    searches = views.saved_searches(S)
    assert sorted(searches) == sorted(f"{d.monitor}-events" for d in detections.detections(S))
    for d in detections.detections(S):
        body = searches[f"{d.monitor}-events"]
        source = json.loads(body["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert body["references"] == [{"name": source["indexRefName"], "type": "index-pattern",
                                       "id": views.INDEX_PATTERN_ID}]
        query = source["query"]["query"]
        assert query.startswith("(" + " OR ".join(f"kafka_event:{e}" for e in d.events) + ")")
        assert "log" in body["attributes"]["columns"] and "kafka_client_ip" in body["attributes"]["columns"]
    topic_query = json.loads(searches["kafka-sensitive-topic-denied-events"]["attributes"]["kibanaSavedObjectMeta"]
                             ["searchSourceJSON"])["query"]["query"]
    assert topic_query == ('(kafka_event:authz_denied) AND kafka_resource_type:"Topic" AND '
                           'kafka_resource:("economy.ledger" OR "economy.payments")')


def test_the_index_pattern_never_sets_the_fields_dashboards_rewrites():
    assert "fields" not in views.index_pattern(S)["attributes"]
