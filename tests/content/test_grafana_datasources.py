"""Grafana's datasources read what the collectors write and the servers serve.

Facts, from the consumers' sources:
- Grafana's Elasticsearch datasource (pkg/tsdb/elasticsearch/client/index_pattern.go) and the
  grafana-opensearch-datasource plugin take an index pattern whose bracketed part is literal and
  whose rest is a moment.js date, and an interval of Hourly, Daily, Weekly, Monthly or Yearly; for a
  time range they query one index per interval.
- Fluent Bit's es and opensearch outputs with Logstash_Format On write to
  `<Logstash_Prefix>-<strftime(Logstash_DateFormat)>`, with the record time in `@timestamp`
  (plugins/out_es: Logstash_Prefix_Separator "-", Time_Key "@timestamp").
- Grafana's Prometheus datasource sends queries with httpMethod GET or POST and steps no finer
  than timeInterval, which its docs say to set to Prometheus's scrape interval; its Alertmanager
  datasource's `implementation` names the server: prometheus, cortex or mimir.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import re

import pytest

from config.sections import AlertingArgs, CollectionArgs, GrafanaArgs
from content import fluent_bit, grafana, prometheus_stack
from tests.conftest import make_settings

S = make_settings("prod")
DS = grafana.datasource_settings(GrafanaArgs.of(S))
INTERVALS = {"Hourly": dt.timedelta(hours=1), "Daily": dt.timedelta(days=1)}
MOMENT = {"YYYY": "%Y", "MM": "%m", "DD": "%d", "HH": "%H"}


def grafana_indices(pattern: str, interval: str, start: dt.datetime, end: dt.datetime) -> list[str]:
    """The indices Grafana queries for [start, end]: the bracketed literal, then the moment.js date."""
    match = re.fullmatch(r"\[([^\]]*)\](.+)", pattern)
    assert match, f"not an interval pattern: {pattern}"
    literal, moment = match.groups()
    layout = re.sub("|".join(MOMENT), lambda m: MOMENT[m.group(0)], moment)
    step, t, names = INTERVALS[interval], start, []
    while t <= end:
        names.append(literal + t.strftime(layout))
        t += step
    return names


def fluent_bit_index(output: dict[str, str], when: dt.datetime) -> str:
    assert output["Logstash_Format"] == "On"
    return f"{output['Logstash_Prefix']}-{when.strftime(output['Logstash_DateFormat'])}"


def outputs() -> dict[str, dict[str, str]]:
    groups = fluent_bit.sections(CollectionArgs.of(S))
    return {dict(params)["Name"]: dict(params) for _, params in groups["outputs"]}


@pytest.mark.parametrize("datasource,output,index_key", [("elasticsearch", "es", "index")])
def test_grafana_queries_exactly_the_daily_indices_fluent_bit_writes(datasource, output, index_key):
    json_data = DS[datasource]["json_data"]
    start = dt.datetime(2026, 12, 30, 22, 0)
    end = start + dt.timedelta(days=3)
    written = sorted({fluent_bit_index(outputs()[output], start + dt.timedelta(hours=h)) for h in range(0, 73)})
    assert grafana_indices(json_data[index_key], json_data["interval"], start, end) == written
    assert json_data["timeField"] == "@timestamp"


def test_grafana_reads_the_security_alias_indices_and_the_daily_ones_before_them():
    """Fluent Bit writes security events to the alias (Index, Logstash_Format Off); the alias's indices
    are <alias>-000001 and the next rollover names (OpenSearch MetadataRolloverService: the trailing
    number + 1, six digits). Without `interval` the plugin queries the pattern as written."""
    json_data, out = DS["opensearch"]["json_data"], outputs()["opensearch"]
    assert out["Logstash_Format"] == "Off" and "interval" not in json_data
    pattern = json_data["database"]
    for index in (f"{out['Index']}-000001", f"{out['Index']}-000002", f"{out['Index']}-2026.11.30"):
        assert fnmatch.fnmatch(index, pattern), index
    assert not fnmatch.fnmatch(out["Index"] + "x-000001", pattern)


def test_the_prometheus_datasource_steps_at_the_scrape_interval_and_posts():
    spec = prometheus_stack.values(AlertingArgs.of(S), "r", "am-config", "am-receivers")["prometheus"]["prometheusSpec"]
    assert DS["prometheus"]["json_data"] == {"httpMethod": "POST", "timeInterval": spec["scrapeInterval"]}
    assert DS["alertmanager"]["json_data"] == {"implementation": "prometheus"}


def test_the_search_datasources_use_the_clusters_and_users_of_the_settings():
    assert (DS["elasticsearch"]["url"], DS["elasticsearch"]["user"]) == (S.elasticsearch_url, S.elasticsearch_username)
    assert (DS["opensearch"]["url"], DS["opensearch"]["user"]) == (S.opensearch_url, S.opensearch_username)
    assert (DS["opensearch"]["json_data"]["flavor"], DS["opensearch"]["json_data"]["version"]) == (
        "opensearch", S.opensearch_version)
    assert grafana.required_plugins() == {"opensearch": "grafana-opensearch-datasource"}
