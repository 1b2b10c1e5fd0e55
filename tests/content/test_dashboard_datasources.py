"""The dashboards on both metrics datasources: the local Prometheus and the global store.

The store's series carry the `cluster` label (the Kubernetes cluster: each Prometheus's external label,
which Prometheus adds only to what leaves it: remote write, federation, alerts; prometheus/prometheus
v2.54.1 config/config.go GlobalConfig.ExternalLabels, "The labels to add to any time series or
alerts when communicating with external systems"); the local TSDB's never do. The same dashboard must
draw the same thing on a cluster's local Prometheus as on the store with that cluster selected, and
must draw every cluster's series on the store with All.

The histories are the bench's (devtools/query_bench.families: brokers, controllers, topics, groups,
event domains), backfilled with our recording rules by `promtool tsdb create-blocks-from rules`. The
store's copy of a cluster's recorded series gets the cluster's label from the rule's `labels`, as
remote write adds the external label to every series it sends, recorded ones included.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml

from content import dashboards
from content.promql import selectors
from devtools import query_bench as qb
from tests.conftest import make_settings
from tests.content.grafana_model import concrete

SETTINGS = make_settings("prod", clusters=["kafka-0 ns=kafka-0 preset=strimzi", "kafka-1 ns=kafka-1 preset=strimzi"])
K8S = {"eks-a": "kafka-0", "eks-b": "kafka-1"}  # Kubernetes cluster -> the Kafka cluster it runs
SENTINEL = "K8S_SENTINEL"


def _queries(s=SETTINGS):
    for spec in dashboards.specs(s):
        for _, panels in spec.rows:
            for p in panels:
                if p.source == "prometheus" and p.queries:
                    yield spec.uid, p


def test_every_selector_of_every_panel_and_variable_is_filtered_by_the_kubernetes_cluster():
    """Read with a real PromQL parser: every series selector (both sides of `and`, `@`, `offset`, the
    recorded series) carries `cluster=~"$k8s_cluster"`; a selector without it would draw every
    cluster's series on the store whatever is selected."""
    missing, checked = [], 0
    exprs = [(f"{uid}/{p.title}", e) for uid, p in _queries() for e, _ in p.queries]
    for uid, (_, board) in dashboards.dashboards(SETTINGS).items():
        exprs += [(f"{uid}/${v['name']}", v["query"].removeprefix("label_values(").rsplit(",", 1)[0])
                  for v in board["templating"]["list"] if v["type"] == "query" and v["name"] != "k8s_cluster"]
    for where, expr in exprs:
        for sel in selectors(concrete(expr.replace("$k8s_cluster", SENTINEL))):
            checked += 1
            if ("cluster", "=~", SENTINEL) not in sel.matchers:
                missing.append((where, sel.metric))
    assert missing == [] and checked > 80, (missing, checked)


def test_the_kubernetes_cluster_variable_lists_the_clusters_and_defaults_to_every_one_as_dot_star():
    """All is `.*`, not the listed values: on the local datasource nothing carries the label and the
    list is empty, and the regex of an empty list would match nothing."""
    for uid, (_, board) in dashboards.dashboards(SETTINGS).items():
        (k8s,) = [v for v in board["templating"]["list"] if v["name"] == "k8s_cluster"]
        assert k8s["query"] == "label_values(up, cluster)", uid
        assert k8s["includeAll"] and k8s["multi"] and k8s["allValue"] == ".*", uid
        assert k8s["current"]["value"] == ["$__all"], uid
        names = [v["name"] for v in board["templating"]["list"]]
        assert names.index("datasource") < names.index("k8s_cluster") < names.index("cluster"), uid


def test_the_datasource_variable_offers_the_global_store_only_when_there_is_one():
    """The local Prometheus first and by default; the store's datasource (content.global_metrics) beside
    it with `globalMetrics`, whichever store. Every Prometheus panel and query variable reads through it."""
    def offered(**overrides) -> dict[str, tuple[tuple[str, ...], str]]:
        out = {}
        for uid, (_, board) in dashboards.dashboards(make_settings("prod", **overrides)).items():
            (ds,) = [v for v in board["templating"]["list"] if v["name"] == "datasource"]
            assert ds["type"] == "custom"
            out[uid] = (tuple(ds["query"].split(",")), ds["current"]["value"])
            refs = [p["datasource"] for p in board["panels"] if p.get("datasource", {}).get("type") == "prometheus"]
            refs += [v["datasource"] for v in board["templating"]["list"] if v["type"] == "query"]
            assert refs and all(r["uid"] == "${datasource}" for r in refs), uid
        return out
    assert set(offered().values()) == {(("kafka-prometheus",), "kafka-prometheus")}
    both = (("kafka-prometheus", "kafka-metrics-global"), "kafka-prometheus")
    assert set(offered(globalMetrics="amp", globalMetricsGrafanaRoleArn="arn:aws:iam::123456789012:role/g").values()) \
        == {both}
    assert set(offered(globalMetrics="mimir", globalMetricsUrl="https://mimir.example:8080/",
                       globalMetricsTenant="kafka-prod").values()) == {both}


# The histories on a real Prometheus.

def _relabelled(family: qb.Family, old: str, new: str, k8s: str | None) -> qb.Family:
    """A Kafka cluster's series under another name, with the `cluster` label when `k8s` is given."""
    out: qb.Family = {}
    for metric, series in family.items():
        for labels, value in series:
            labels = labels.replace(f'"{old}', f'"{new}')  # values that start with the name
            if k8s:
                labels = labels[:-1] + ("," if labels != "{}" else "") + f'cluster="{k8s}"}}'
            out.setdefault(metric, []).append((labels, value))
    return out


def _rule_files(workdir: Path, k8s: str | None) -> list[str]:
    """Our recording rules by level (devtools/query_bench.recording_files), each giving its series the
    Kubernetes cluster's label when `k8s` is set."""
    files = []
    for path in qb.recording_files(SETTINGS, workdir):
        doc = yaml.safe_load(Path(path).read_text())
        if k8s:
            for group in doc["groups"]:
                for rule in group["rules"]:
                    rule["labels"] = {**rule.get("labels", {}), "cluster": k8s}
        out = workdir / f"{k8s or 'local'}-{Path(path).name}"
        out.write_text(yaml.safe_dump(doc))
        files.append(str(out))
    return files


@pytest.fixture(scope="module")
def two_datasources(tmp_path_factory):
    """(local Prometheus of eks-a, the store with eks-a and eks-b, end): the local one as eks-a's
    Prometheus holds it (no `cluster` label), the store with both clusters' series labelled."""
    if not (shutil.which("prometheus") and shutil.which("promtool")):
        pytest.skip("prometheus and promtool are not installed")
    work = tmp_path_factory.mktemp("datasources")
    end = (int(time.time()) // qb.STEP) * qb.STEP - 60
    start = end - qb.HOUR - qb.WARMUP
    # Each Kubernetes cluster's own history (eks-b's drawn with another seed), and its recording rules
    # evaluated over it alone, as its Prometheus would.
    histories = {k8s: _relabelled(qb.families(1, end=end, seed=7 + i), "kafka-0", kafka, None)
                 for i, (k8s, kafka) in enumerate(K8S.items())}
    store = work / "store"
    merged: qb.Family = {}
    for k8s, family in histories.items():
        for metric, series in _relabelled(family, "kafka-0", "kafka-0", k8s).items():
            merged.setdefault(metric, []).extend(series)
    qb.load(merged, store, work, start, end)
    local = work / "local"
    for k8s, family in histories.items():
        # The store's copy (recorded series labelled) and, for eks-a, its own Prometheus's: each its own
        # TSDB, so that a rule of a later level reads only the level before it of the same copy.
        for label in (k8s, None) if k8s == "eks-a" else (k8s,):
            tsdb = work / f"tsdb-{k8s}-{label or 'local'}"
            qb.load(family, tsdb, work, start, end)
            added = qb.backfill(tsdb, work, _rule_files(work, label), start, end)
            if label:
                for block in added:
                    shutil.move(str(block), store / block.name)
            else:
                tsdb.rename(local)
    (work / "l").mkdir()
    (work / "s").mkdir()
    with qb.Prometheus(local, work / "l") as lp, qb.Prometheus(store, work / "s") as sp:
        yield lp, sp, end


def _drawn(prom: qb.Prometheus, end: int, expr: str, k8s: str, cluster: str = ".*") -> dict[str, list]:
    """The series Grafana draws for a query over the last hour at its step, by their labels."""
    step = qb.grafana_step(qb.HOUR)
    _, result = prom.query_range(qb._expand(expr, cluster, step, k8s_cluster=k8s), end - qb.HOUR, end, step)
    return {json.dumps(r["metric"], sort_keys=True): [(t, float(v)) for t, v in r["values"]] for r in result}


EMPTY_BY_DESIGN = ("ALERTS",)  # nothing fires on the healthy synthetic history


def _panels_without_data(prom: qb.Prometheus, end: int, k8s: str) -> list[str]:
    return [f"{uid}/{p.title}" for uid, p in _queries()
            if not any(_drawn(prom, end, e, k8s) for e, _ in p.queries)
            and not all(m in e for e, _ in p.queries for m in EMPTY_BY_DESIGN)]


def test_every_panel_draws_on_the_local_datasource_where_no_series_has_the_cluster_label(two_datasources):
    """With the Kubernetes cluster at All (`.*`), every panel has data on a cluster's own Prometheus.
    The near miss: a filter that needs the label (`.+`, what a value list without allValue amounts to)
    leaves every panel empty there."""
    local, _, end = two_datasources
    assert _panels_without_data(local, end, ".*") == []
    # a variable left without a value (no option to pick locally) interpolates as "", which matches the
    # absent label as well
    assert _panels_without_data(local, end, "") == []
    assert len(_panels_without_data(local, end, ".+")) == sum(
        1 for _, p in _queries() if not all(m in e for e, _ in p.queries for m in EMPTY_BY_DESIGN))


def _without_cluster(drawn: dict[str, list]) -> dict[str, list]:
    out = {}
    for labels, values in drawn.items():
        metric = json.loads(labels)
        metric.pop("cluster", None)
        out[json.dumps(metric, sort_keys=True)] = [(t, round(v, 9)) for t, v in values]
    return out


def test_one_kubernetes_cluster_on_the_store_draws_what_its_own_prometheus_draws(two_datasources):
    """eks-a selected on the store: every panel draws the series eks-a's local Prometheus draws, with
    the same values (the top-N panels, the same number of series: equal values may rank in another
    order). Nothing of eks-b shows: no kafka-1 series, no eks-b label."""
    local, store, end = two_datasources
    assert _panels_without_data(store, end, ".*") == []
    compared, differs = 0, []
    for uid, p in _queries():
        for expr, _ in p.queries:
            mine, theirs = _drawn(store, end, expr, "eks-a"), _drawn(local, end, expr, ".*")
            labels = [json.loads(k) for k in mine]
            assert all(m.get("cluster", "eks-a") == "eks-a" and m.get("kafka_cluster", "kafka-0") == "kafka-0"
                       for m in labels), (uid, p.title)
            compared += bool(theirs)
            if "topk" in expr:
                same = len(mine) == len(theirs)
            else:
                same = _without_cluster(mine) == _without_cluster(theirs)
            if not same:
                differs.append((uid, p.title, expr))
    assert differs == [] and compared > 40, (differs, compared)


def test_every_kubernetes_cluster_shows_on_the_store_with_all_and_only_its_own_when_selected(two_datasources):
    """All draws both clusters: the per-Kafka-cluster panels show kafka-0 and kafka-1, and the
    application's events (no Kafka cluster label) are the two clusters' sum. eks-b selected: only
    kafka-1. The near miss: eks-a's local Prometheus alone differs from the store's All."""
    local, store, end = two_datasources
    status = next(e for uid, p in _queries() if p.title == "Cluster Status" for e, _ in p.queries)
    kafka = {k8s: {json.loads(k)["kafka_cluster"] for k in _drawn(store, end, status, k8s)}
             for k8s in (".*", "eks-a", "eks-b", "eks-c")}
    assert kafka == {".*": {"kafka-0", "kafka-1"}, "eks-a": {"kafka-0"}, "eks-b": {"kafka-1"}, "eks-c": set()}
    events = next(e for uid, p in _queries() if p.title == "Messages Consumed per Second" for e, _ in p.queries)

    def last(prom, k8s: str) -> float:
        return sum(values[-1][1] for values in _drawn(prom, end, events, k8s).values())
    one, both, b = last(local, ".*"), last(store, ".*"), last(store, "eks-b")
    assert one > 0 and b > 0
    assert both == pytest.approx(one + b, rel=1e-9) and both > 1.5 * one
    # a series of eks-b never shows with eks-a selected, on any panel
    leaked = [(uid, p.title) for uid, p in _queries() for e, _ in p.queries
              if any(json.loads(k).get("kafka_cluster") == "kafka-1" or json.loads(k).get("cluster") == "eks-b"
                     for k in _drawn(store, end, e, "eks-a"))]
    assert leaked == []
