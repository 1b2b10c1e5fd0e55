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
        assert body["attributes"]["columns"][-2:] == ["k8s_cluster", "log"]  # which cluster shipped it
    topic_query = json.loads(searches["kafka-sensitive-topic-denied-events"]["attributes"]["kibanaSavedObjectMeta"]
                             ["searchSourceJSON"])["query"]["query"]
    assert topic_query == ('(kafka_event:authz_denied) AND kafka_resource_type:"Topic" AND '
                           'kafka_resource:("economy.ledger" OR "economy.payments")')


def test_the_index_pattern_never_sets_the_fields_dashboards_rewrites():
    assert "fields" not in views.index_pattern(S)["attributes"]


# ---- Kibana saved searches of the application logs ----------------------------------------------

# src/plugins/saved_search/server/saved_objects/schema.ts (elastic/kibana at 06ee3187), SCHEMA_SEARCH_BASE
SEARCH_ATTRIBUTES = {"title", "description", "columns", "sort", "grid", "rowHeight", "rowsPerPage", "hideChart",
                     "breakdownField", "kibanaSavedObjectMeta", "isTextBasedQuery", "usesAdHocDataView", "timeRestore",
                     "timeRange", "refreshInterval", "viewMode", "hideAggregatedPreview", "hits", "version"}


def _levels(search: dict) -> set[str]:
    """The levels a `level:("A" OR "B")` Lucene query matches (the one form these searches use; anything
    else fails here)."""
    import re
    query = json.loads(search["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]
    assert query["language"] == "lucene"
    m = re.fullmatch(r'level:\(("[A-Z]+"(?: OR "[A-Z]+")*)\)', query["query"])
    assert m, query["query"]
    return set(re.findall(r'"([A-Z]+)"', m.group(1)))


def test_each_application_search_shows_the_shipped_records_of_its_levels_and_no_others():
    """Application records of every level from a monitored namespace, through the rendered Fluent Bit
    config (tests/content/fluent_bit_model.py): the errors search matches exactly the ERROR and FATAL
    records Elasticsearch receives, the warnings search the WARN ones besides."""
    from config.sections import CollectionArgs
    from content import fluent_bit
    from tests.content import fluent_bit_model as fb
    collection = CollectionArgs.of(SETTINGS)
    config = [section for group in fluent_bit.sections(collection).values() for section in group]
    shipped = []
    for level in ("DEBUG", "INFO", "WARN", "ERROR", "FATAL"):
        record = {"level": level, "message": f"something at {level}",
                  "kubernetes": {"namespace_name": collection.platform_namespace, "labels": {}}}
        shipped += [r for name, _, r in fb.route(config, "kube.var.log.containers.app.log", record) if name == "es"]
    searches = views.kibana_saved_searches(S)
    matched = {i: sorted(r["level"] for r in shipped if r["level"] in _levels(body)) for i, body in searches.items()}
    assert matched == {"kafka-application-errors": ["ERROR", "FATAL"],
                       "kafka-application-warnings": ["ERROR", "FATAL", "WARN"]}


def test_a_search_keeps_only_the_levels_fluent_bit_ships_and_is_dropped_without_any():
    only_errors = views.kibana_saved_searches(RetentionArgs.of(make_settings("prod", applicationLogLevels=["ERROR"])))
    assert {i: _levels(b) for i, b in only_errors.items()} == {"kafka-application-errors": {"ERROR"},
                                                               "kafka-application-warnings": {"ERROR"}}
    assert views.kibana_saved_searches(RetentionArgs.of(make_settings("prod", applicationLogLevels=["INFO"]))) == {}


def test_the_application_searches_are_valid_kibana_searches_on_the_data_view():
    for search_id, body in views.kibana_saved_searches(S).items():
        assert set(body) == {"attributes", "references"}
        assert set(body["attributes"]) <= SEARCH_ATTRIBUTES and isinstance(body["attributes"]["title"], str)
        source = json.loads(body["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        (ref,) = body["references"]
        assert ref == {"name": source["indexRefName"], "type": "index-pattern", "id": views.DATA_VIEW_ID}
        assert body["attributes"]["sort"] == [["@timestamp", "desc"]]


def test_the_runbooks_name_the_searches_that_exist():
    """A runbook names a saved search by its id; each one it names is kept."""
    import re
    from tests.conftest import ROOT
    named = {m for path in (ROOT / "docs" / "runbooks").glob("*.md")
             for m in re.findall(r"`(kafka-application-[a-z-]+)`", path.read_text())}
    assert named and named <= set(views.APPLICATION_SEARCHES)
