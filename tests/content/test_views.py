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


def _reads(database: str, index: str) -> bool:
    """Whether Grafana's datasource reads `index`: `[<prefix>-]YYYY.MM.DD` with `interval: Daily` names
    one index a day; a wildcard pattern without an interval is sent as is (content/grafana.py)."""
    if database.startswith("["):
        prefix = database[1:database.index("]")]
        return index.startswith(prefix) and len(index) == len(prefix) + len("2026.12.07")
    return fnmatch.fnmatchcase(index, database)


# The indices each class is written to: application logs daily; security events behind the write alias
# (kafka-security-000001, ...) and, until they age out, the daily indices of the layout before it.
WRITTEN = {"elasticsearch": ["kafka-application-2026.12.07"],
           "opensearch": ["kafka-security-000001", "kafka-security-000042", "kafka-security-2026.12.07"]}


def test_each_view_covers_the_indices_its_grafana_datasource_reads():
    """The views' wildcards and Grafana's datasources read the same indices of their class, and no
    index of the other class; the views' ids are the datasources' uids."""
    sources = grafana.datasource_settings(GrafanaArgs.of(SETTINGS))
    for view_title, view_id, key in (
            (views.data_view(S)["data_view"]["title"], views.DATA_VIEW_ID, "elasticsearch"),
            (views.index_pattern(S)["attributes"]["title"], views.INDEX_PATTERN_ID, "opensearch")):
        json_data = sources[key]["json_data"]
        database = json_data.get("index") or json_data["database"]
        other = {"elasticsearch": "opensearch", "opensearch": "elasticsearch"}[key]
        for index in WRITTEN[key]:
            assert fnmatch.fnmatchcase(index, view_title) and _reads(database, index), (key, index)
        for index in WRITTEN[other]:
            assert not fnmatch.fnmatchcase(index, view_title) and not _reads(database, index), (key, index)
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
