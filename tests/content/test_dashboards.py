"""Dashboards: the design document's panels, valid PromQL on known metrics, variables, UIDs."""
from __future__ import annotations

import dataclasses
import inspect
import json
import random
import re
import shutil
import subprocess
import time
from urllib.parse import unquote

import pytest
import yaml
from grafana_foundation_sdk.models import (common as sdk_common, dashboard as sdk_dashboard,
                                           elasticsearch as sdk_elasticsearch, table as sdk_table, text as sdk_text,
                                           timeseries as sdk_timeseries)

from content import catalogue, dashboards, grafana, signals
from content.promql import metric_names, selectors
from devtools import query_bench as qb
from tests.conftest import make_settings
from tests.content import promtool_tests
from tests.content.grafana_model import concrete, interpolate

SETTINGS = make_settings("prod")
RECORDING_EXPRS = promtool_tests.recording_exprs(SETTINGS)
BOARDS = dashboards.dashboards(SETTINGS)
RECORDED = set(RECORDING_EXPRS)
# The design document's panels, dashboard by dashboard (plus partition status and pod restarts on the
# overview and scrape targets down on incident response: the panels the health, crash-loop and scrape
# alerts link; controller quorum on the overview, the quorum and fencing alerts' panel).
EXPECTED = {
    "kafka-overview": {
        "Health Overview": ["Cluster Status", "Active Controllers", "ISR Status", "Partition Status",
                            "Controller Quorum"],
        "Performance Metrics": ["Throughput", "Latency Percentiles", "Consumer Lag"],
        "Resource Usage": ["CPU Usage", "Memory Usage", "Disk Usage", "Network I/O", "Pod Restarts"],
    },
    "kafka-security": {
        "Authentication": ["Authentication Success Rate", "Authentication Success and Failure",
                           "Authentication by Listener (SASL vs TLS)"],
        "Authorization and Encryption": ["Authorization Denials", "TLS vs Plaintext Connections",
                                         "Certificate Expiry"],
        "Rate Limiting and Audit": ["Rate-Limit Hits", "Security Events Over Time"],
    },
    "kafka-application": {
        "Event Processing": ["Processing Rate by Event Type", "Performance by Domain", "Success and Failure Rates",
                             "Queue Depth"],
        "Consumer Group Health": ["Consumer Lag Trends", "Rebalancing Events", "Consumer Error Rates",
                                  "Messages Consumed per Second"],
    },
    "kafka-incident-response": {
        "Active Alerts": ["Firing Alerts by Severity", "Active Alerts", "Scrape Targets Down"],
        "Anomalies": ["Error Spikes", "Latency Anomalies", "Throughput Anomalies", "Error Budget Burn (1h)"],
        "Investigation": ["Security Event Timeline", "Traces and Logs"],
    },
}


def rows(board: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for panel in board["panels"]:
        if panel["type"] == "row":
            current = panel["title"]
            out[current] = []
        else:
            out[current].append(panel["title"])
    return out


def prom_queries(board: dict) -> list[str]:
    return [t["expr"] for p in board["panels"] for t in p.get("targets", [])
            if p.get("datasource", {}).get("type") == "prometheus"]


def datasources(board: dict, uid: str) -> set[str]:
    """The datasource UIDs a panel's or variable's reference stands for: itself, or, for a `${name}`
    reference, each option of that variable. Grafana interpolates a UID that starts with `$` with the
    template service, whatever the variable's type, then looks it up by UID or name (grafana/grafana
    public/app/features/plugins/datasource_srv.ts, DatasourceSrv.getInstanceSettings)."""
    if not uid.startswith("$"):
        return {uid}
    options = {v["name"]: [o.strip() for o in v["query"].split(",")]
               for v in board["templating"]["list"] if v["type"] == "custom"}
    return {interpolate(uid, {name: value}) for name, values in options.items() for value in values
            if interpolate(uid, {name: value}) != uid}


def test_each_dashboard_has_the_design_documents_panels():
    assert {uid: rows(board) for uid, (_, board) in BOARDS.items()} == EXPECTED


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_dashboard_has_a_stable_uid_live_refresh_and_the_variables_it_uses(uid):
    board = BOARDS[uid][1]
    assert board["uid"] == uid and board["refresh"] == "15s"
    defined = {v["name"] for v in board["templating"]["list"]}
    assert {"environment", "cluster"} <= defined
    used = {m for q in prom_queries(board) for m in re.findall(r"\$(\w+)", q)} - {"__rate_interval", "__range"}
    assert used <= defined, used - defined


DATE_MATH = re.compile(r"now(?:[+-]\d+[yMwdhms])*(?:/[yMwdhms])?")  # relative times, as below


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_the_time_range_and_the_links_are_ones_grafana_reads(uid):
    """A relative time is Grafana's date math (packages/grafana-data/src/datetime/datemath.ts: `now`,
    then +/- an amount and a unit of y M w d h m s, optionally rounded with /unit; case matters, M is
    months); a dashboard link's type is a DashboardLinkType (grafana-foundation-sdk 11.6)."""
    board = BOARDS[uid][1]
    assert DATE_MATH.fullmatch(board["time"]["from"]) and board["time"]["to"] == "now", board["time"]
    for link in board["links"]:
        assert sdk_dashboard.DashboardLinkType(link["type"]) == sdk_dashboard.DashboardLinkType.LINK
        assert link["url"] and link["title"]
    assert [DATE_MATH.fullmatch(t) is not None for t in ("now-1h", "now-7d/d", "now", "NOW-1H", "now-1x")] == [
        True, True, True, False, False]


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_variable_offers_options_that_follow_the_data(uid):
    """What Grafana does with a variable (grafana-foundation-sdk 11.6 dashboard models): a custom
    variable's options are its `query`, split on commas; a query variable asks its datasource, and
    `refresh` is a VariableRefresh: NEVER keeps the options of the day the dashboard was saved, so a
    new cluster, broker or topic would never appear."""
    prometheus = {ds["uid"] for ds in grafana.DATASOURCES.values() if ds["type"] == "prometheus"}
    board = BOARDS[uid][1]
    follows = {sdk_dashboard.VariableRefresh.ON_DASHBOARD_LOAD.value,
               sdk_dashboard.VariableRefresh.ON_TIME_RANGE_CHANGED.value}
    for variable in BOARDS[uid][1]["templating"]["list"]:
        if variable["type"] == "custom":
            assert [o.strip() for o in str(variable.get("query") or "").split(",") if o.strip()], variable["name"]
        else:
            assert variable["type"] == "query" and variable["query"].startswith("label_values("), variable["name"]
            assert datasources(board, variable.get("datasource", {}).get("uid", "")) == prometheus, variable["name"]
            assert variable.get("refresh") in follows, variable["name"]


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_queries_read_only_catalogued_or_recorded_metrics(uid):
    for query in prom_queries(BOARDS[uid][1]):
        unknown = metric_names(concrete(query)) - set(catalogue.METRICS) - RECORDED
        assert not unknown, (query, unknown)


def test_no_dashboard_scans_partition_level_lag():
    for _, board in BOARDS.values():
        assert not any("kafka_consumergroup_lag{" in q or "kafka_consumergroup_lag[" in q
                       for q in prom_queries(board))


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
def test_every_panel_query_parses_with_promtool(tmp_path):
    rules = [{"record": f"dashboard:{uid.replace('-', '_')}:q{i}", "expr": concrete(q)}
             for uid, (_, board) in BOARDS.items() for i, q in enumerate(prom_queries(board))]
    assert len(rules) > 40
    (tmp_path / "panels.yml").write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    proc = subprocess.run(["promtool", "check", "rules", "panels.yml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_security_events_come_from_opensearch_and_links_reach_traces():
    board = BOARDS["kafka-security"][1]
    (events,) = [p for p in board["panels"] if p["title"] == "Security Events Over Time"]
    assert events["datasource"] == {"type": "grafana-opensearch-datasource", "uid": "kafka-security-events"}
    incident = BOARDS["kafka-incident-response"][1]
    (links,) = [p for p in incident["panels"] if p["title"] == "Traces and Logs"]
    assert "https://jaeger.necpgame.internal/search" in links["options"]["content"]
    assert incident["links"][0]["url"] == "https://jaeger.necpgame.internal"


def test_the_metric_check_rejects_a_design_document_metric_no_exporter_emits():
    query = f'sum(kafka_broker_disk_used_bytes{{{dashboards.C}}}) / sum(rate(up[$__rate_interval]))'
    assert metric_names(concrete(query)) - set(catalogue.METRICS) - RECORDED == {"kafka_broker_disk_used_bytes"}


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_dashboard_lint_ids_refids_datasources_variables(uid):
    """What Grafana would otherwise rewrite or fail on at load time: every panel (and row) has a
    fixed unique id, every target a refId unique in its panel, every datasource reference names a
    provisioned UID, and every $variable used is defined."""
    _, board = BOARDS[uid]
    ids = [p.get("id") for p in board["panels"]]
    assert all(isinstance(i, int) and i > 0 for i in ids) and len(set(ids)) == len(ids)
    provisioned = {ds["uid"] for ds in grafana.DATASOURCES.values()}
    defined = {v["name"] for v in board["templating"]["list"]} | {"__rate_interval", "__interval", "__range"}
    for panel in board["panels"]:
        refs = [t.get("refId") for t in panel.get("targets", [])]
        assert all(refs) and len(set(refs)) == len(refs), panel["title"]
        for node in [panel, *panel.get("targets", [])]:
            if "datasource" in node:
                resolved = datasources(board, node["datasource"]["uid"])
                assert resolved and resolved <= provisioned, panel["title"]
        used = set(re.findall(r"\$(\w+)", json.dumps(panel.get("targets", []))))
        assert used <= defined, (panel["title"], used - defined)


def test_panel_ids_survive_a_move():
    """Ids come from the dashboard and title: reordering panels keeps every viewPanel link."""
    spec = dashboards.specs(SETTINGS)[0]
    moved = dataclasses.replace(spec, rows=tuple(reversed(spec.rows)))
    ids = {p["title"]: p["id"] for p in dashboards.build(spec, SETTINGS)["panels"]}
    assert {p["title"]: p["id"] for p in dashboards.build(moved, SETTINGS)["panels"]} == ids


# Ranking, by behaviour: every Prometheus panel of the dashboards evaluated as a range query on a
# real Prometheus over more series than N whose ranking changes from one scrape to the next.
TOP_N_PANELS = {("kafka-overview", "Consumer Lag"), ("kafka-overview", "Throughput"), ("kafka-overview", "Disk Usage"),
                ("kafka-application", "Queue Depth"), ("kafka-application", "Consumer Lag Trends"),
                ("kafka-application", "Rebalancing Events"), ("kafka-overview", "Pod Restarts")}
NOISY = 40  # candidates per top-N panel, more than dashboardTopN allows (at most 20)
SPIKED, LAGGARDS = "group-spiked", ("group-lagging-0", "group-lagging-1", "group-lagging-2")


def _noisy_history(end: int) -> dict:
    """Two clusters' worth of the series the top-N panels read, 75 minutes at 15 s, as a real cluster
    has them: lag is commit noise (query_bench.sawtooth_lag, Kafka's 5 s auto-commit), three groups
    lag persistently and grow, one group spiked to a million 50 to 40 minutes before the end and
    caught up; topic rates and volume usage wander; group membership dips now and then. The other
    cluster lags far more, and must never show while the first one is selected."""
    rng = random.Random(31)
    start = end - qb.HOUR - qb.WARMUP
    f: dict = {}

    def add(metric: str, labels: dict, value) -> None:
        f.setdefault(metric, []).append(("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}", value))

    def wander(base: float, spread: float):
        return lambda t, r=random.Random(rng.random()): base * r.uniform(1 - spread, 1 + spread)
    for cluster, scale in (("kafka-0", 1), ("kafka-1", 1000)):
        c = {"kafka_cluster": cluster}
        groups = [f"group-{i}" for i in range(NOISY)] + [SPIKED, *LAGGARDS]
        for g in groups:
            noise = qb.sawtooth_lag(random.Random(rng.random()), 30 * scale)
            if g == SPIKED:
                lag = qb.lagging(1e6, 0, since=end - 3000, until=end - 2400,
                                 noise=qb.sawtooth_lag(random.Random(rng.random()), 0.1))
            elif g in LAGGARDS:
                lag = qb.lagging(5000 * scale, 2.0, since=start, noise=noise)
            else:
                lag = noise
            add(signals.GROUP_TOPIC_LAG, {**c, "consumergroup": g, "topic": "orders"}, lag)
            add(signals.GROUP_LAG, {**c, "consumergroup": g}, lag)
            dips = {start + 15 * rng.randrange(300) for _ in range(rng.randrange(4))}
            add("kafka_consumergroup_members", {**c, "consumergroup": g},
                lambda t, d=dips: 2 if any(0 <= t - x < 30 for x in d) else 3)
        for i in range(NOISY):
            add(signals.TOPIC_MESSAGES_IN, {**c, "topic": f"topic-{i}"}, wander(100, 0.3))
        add(signals.BYTES_IN, c, wander(1e6, 0.3))
        add(signals.BYTES_OUT, c, wander(2e6, 0.3))
    for i in range(NOISY):  # broker pods of every Kafka namespace, a restart now and then
        restarted = sorted(start + 15 * rng.randrange(300) for _ in range(rng.randrange(4)))
        add("kube_pod_container_status_restarts_total",
            {"namespace": SETTINGS.clusters[0].namespace, "pod": f"kafka-{i}", "container": "kafka"},
            lambda t, r=restarted: sum(t >= x for x in r))
    for i in range(NOISY):
        pvc = {"persistentvolumeclaim": f"data-kafka-{i}", "namespace": "kafka"}
        add("kubelet_volume_stats_used_bytes", pvc, wander(5e10, 0.2))
        add("kubelet_volume_stats_capacity_bytes", pvc, lambda t: 1e11)
    return f


@pytest.fixture(scope="module")
def noisy_prometheus(tmp_path_factory):
    """A real Prometheus (Debian's; the `@` modifier is stable since 2.33, so on by default in both
    2.42 here and v2.54.1 deployed: cmd/prometheus/main.go at v2.54.1 calls the old feature flag a
    no-op and sets EnableAtModifier) over the noisy history."""
    if not (shutil.which("prometheus") and shutil.which("promtool")):
        pytest.skip("prometheus and promtool are not installed")
    work = tmp_path_factory.mktemp("noisy")
    end = (int(time.time()) // qb.STEP) * qb.STEP - 60
    qb.load(_noisy_history(end), work / "tsdb", work, end - qb.HOUR - qb.WARMUP, end)
    with qb.Prometheus(work / "tsdb", work) as prom:
        yield prom, end


def _drawn(prom, end: int, expr: str, cluster: str = "kafka-0") -> set[str]:
    """The series Grafana draws for a query over the last hour at its step: the union over the range."""
    step = qb.grafana_step(qb.HOUR)
    _, result = prom.query_range(qb._expand(expr, cluster, step), end - qb.HOUR, end, step)
    return {json.dumps(r["metric"], sort_keys=True) for r in result}


def test_every_panel_draws_at_most_top_n_series_over_its_whole_range(noisy_prometheus):
    """`topk` in a range query ranks each step on its own (Prometheus v2.54.1 promql/engine.go: a
    range query evaluates its expression at every step); on noisy lag, a top-15 chart drew about 90
    series over an hour. Ranked once, `@ end()` (PreprocessExpr sets the selector's timestamp to the
    query's end), each top-N panel draws exactly N over the whole range, with the default cluster and
    with All. A panel counts the series of all its queries (Throughput: its top topics and the
    selected clusters' bytes in and out)."""
    prom, end = noisy_prometheus
    top = SETTINGS.dashboard_top_n
    drawn = {(spec.uid, p.title): [sum(len(_drawn(prom, end, e, cluster)) for e, _ in p.queries)
                                   for cluster in ("kafka-0", ".*")]
             for spec in dashboards.specs(SETTINGS) for _, panels in spec.rows for p in panels
             if p.source == "prometheus" and p.queries}
    assert {k: v for k, v in drawn.items() if any(n > top for n in v)} == {}
    exactly = {k for k, v in drawn.items() if max(v) == top}
    assert exactly >= TOP_N_PANELS, TOP_N_PANELS - exactly
    # the default cluster keeps its own series: none of the other cluster's larger lags shows
    lag = [e for e, _ in next(p for s in dashboards.specs(SETTINGS) for _, ps in s.rows for p in ps
                               if p.title == "Consumer Lag").queries][0]
    assert all(json.loads(s)["kafka_cluster"] == "kafka-0" for s in _drawn(prom, end, lag))


def test_ranking_every_step_on_this_history_draws_far_more_than_n(noisy_prometheus):
    """The near miss: the same panels with `topk` ranking each step (the queries before ranking once)
    draw several times N on the same history, so the bound above is the ranking's doing, not the data's."""
    prom, end = noisy_prometheus
    top = SETTINGS.dashboard_top_n
    counts = {title: len(_drawn(prom, end, expr)) for title, expr in qb.old_queries(SETTINGS).items()}
    assert all(n > 2 * top for n in counts.values()), counts
    # `topk(N, x) or x` (a text check on the prefix would pass it) draws every series
    old = qb.old_queries(SETTINGS)["Consumer Lag"]
    bare = old.removeprefix(f"topk({top}, ").removesuffix(")")
    assert len(_drawn(prom, end, f"{old} or {bare}")) > 2 * top


# Panels over every selected cluster: with All at ten clusters, a panel that draws one series per
# cluster and query drew 50 (Latency Percentiles) or 40 (ISR Status, Partition Status).
CLUSTERS10 = [f"kafka-{i}" for i in range(10)]
SLOW_CLUSTER, SLOW_FROM, SLOW_FOR = "kafka-7", 1800, 600  # its Produce p99 spikes 30 to 20 minutes before the end
BY_CLUSTER = {  # the three panels as they were: one series per cluster and query (written out)
    "Latency Percentiles": (
        f'{signals.REQUEST_TOTAL_TIME_P99}{{kafka_cluster=~"$cluster",request=~"Produce|FetchConsumer|FetchFollower"}}',
        f'{signals.REQUEST_QUEUE_TIME_P99}{{kafka_cluster=~"$cluster",request=~"Produce|FetchConsumer"}}'),
    "ISR Status": (
        f'{signals.UNDER_REPLICATED}{{kafka_cluster=~"$cluster"}}',
        'sum by (kafka_cluster) (kafka_server_replicamanager_underminisrpartitioncount{kafka_cluster=~"$cluster"})',
        'sum by (kafka_cluster) (rate(kafka_server_replicamanager_isrshrinks_total{kafka_cluster=~"$cluster"}[$__rate_interval]))',
        'sum by (kafka_cluster) (rate(kafka_server_replicamanager_isrexpands_total{kafka_cluster=~"$cluster"}[$__rate_interval]))'),
    "Partition Status": (
        f'{signals.UNDER_REPLICATED}{{kafka_cluster=~"$cluster"}}',
        f'{signals.OFFLINE_PARTITIONS}{{kafka_cluster=~"$cluster"}}',
        'sum by (kafka_cluster) (kafka_log_logmanager_offlinelogdirectorycount{kafka_cluster=~"$cluster"})',
        'sum by (kafka_cluster) (increase(kafka_controller_controllerstats_uncleanleaderelections_total'
        '{kafka_cluster=~"$cluster"}[$__rate_interval]))'),
}


# Panels ranked over every selected cluster (Throughput, Controller Quorum, CPU and Memory Usage):
# each has a series that ranks high only part of the range, low (or healthy) at its end.
BURST_TOPIC, BURST_FROM, BURST_UNTIL = "topic-burst", 3000, 2400  # kafka-3's, 50 to 40 minutes before the end
DIPPED, DOWN, FENCED = "kafka-4", "kafka-8", "kafka-2"  # a voter down 30 to 20 minutes ago; one down now; a fenced broker
HOT_BROKER, HEAP_BROKER = "kafka-0-broker-1:9404", "kafka-1-broker-2:9404"  # ran at 95% 40 to 30, 25 to 20 minutes ago
BEFORE = {  # the four panels as they were, with All (written out)
    "Throughput": (
        f'{signals.TOPIC_MESSAGES_IN}{{kafka_cluster=~"$cluster",topic=~"$topic"}} and topk(15, max_over_time('
        f'{signals.TOPIC_MESSAGES_IN}{{kafka_cluster=~"$cluster",topic=~"$topic"}}[$__range] @ end()))',
        f'{signals.BYTES_IN}{{kafka_cluster=~"$cluster"}}', f'{signals.BYTES_OUT}{{kafka_cluster=~"$cluster"}}'),
    "Controller Quorum": (
        f'sum by (kafka_cluster) (up{{job="{catalogue.JOB_CONTROLLER}",kafka_cluster=~"$cluster"}})',
        f'floor(count by (kafka_cluster) (up{{job="{catalogue.JOB_CONTROLLER}",kafka_cluster=~"$cluster"}}) * 0.5) + 1',
        f'{signals.FENCED_BROKERS}{{kafka_cluster=~"$cluster"}}'),
    "CPU Usage": ('100 * max by (instance) (rate(process_cpu_seconds_total{kafka_cluster=~"$cluster"}[$__rate_interval]))',),
    "Memory Usage": ('100 * max by (instance) (jvm_memory_used_bytes{area="heap",kafka_cluster=~"$cluster"}'
                     ' / jvm_memory_max_bytes{area="heap",kafka_cluster=~"$cluster"})',),
}


def _ten_clusters(end: int) -> dict:
    """Ten clusters of what the bounded panels read, 75 minutes at 15 s: every cluster's worst-broker
    p99 wanders per request type, SLOW_CLUSTER's Produce p99 spikes for ten minutes; cluster i has i
    under-replicated partitions (and one offline from kafka-5 on), its brokers shrink and expand ISRs.
    Each has five topics at wandering rates (kafka-3 also BURST_TOPIC, 5000 msg/s for ten minutes and
    10 otherwise), three KRaft controllers (one of DIPPED's down for ten minutes, one of DOWN's down
    for the last ten) and three brokers whose CPU and heap wander, higher the higher the cluster's
    number, but for HOT_BROKER's CPU and HEAP_BROKER's heap at 95% for a while; FENCED fenced a broker
    for five minutes."""
    rng = random.Random(32)
    start = end - qb.HOUR - qb.WARMUP
    f: dict = {}

    def add(metric: str, labels: dict, value) -> None:
        f.setdefault(metric, []).append(("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}", value))
    for i, cluster in enumerate(CLUSTERS10):
        c = {"kafka_cluster": cluster}
        for request in ("Produce", "FetchConsumer", "FetchFollower"):
            for metric, base in ((signals.REQUEST_TOTAL_TIME_P99, 40), (signals.REQUEST_QUEUE_TIME_P99, 5)):
                wander = random.Random(rng.random())
                spike = cluster == SLOW_CLUSTER and request == "Produce" and metric == signals.REQUEST_TOTAL_TIME_P99
                add(metric, {**c, "request": request},
                    lambda t, r=wander, b=base, s=spike: 2000.0 if s and end - SLOW_FROM <= t < end - SLOW_FROM + SLOW_FOR
                    else b * r.uniform(0.8, 1.2))
        add(signals.UNDER_REPLICATED, c, lambda t, n=i: n)
        add(signals.OFFLINE_PARTITIONS, c, lambda t, n=i: int(n >= 5))
        for b in range(3):
            broker = {**c, "instance": f"{cluster}-broker-{b}:9404"}
            add("kafka_server_replicamanager_underminisrpartitioncount", broker, lambda t: 0)
            add("kafka_log_logmanager_offlinelogdirectorycount", broker, lambda t: 0)
            for name in ("isrshrinks", "isrexpands"):
                add(f"kafka_server_replicamanager_{name}_total", broker, lambda t: (t - start) // 60)
        add("kafka_controller_controllerstats_uncleanleaderelections_total",
            {**c, "instance": f"{cluster}-controller-0:9404"}, lambda t: 0)
        for k in range(5):
            add(signals.TOPIC_MESSAGES_IN, {**c, "topic": f"{cluster}-topic-{k}"},
                lambda t, r=random.Random(rng.random()): 100 * r.uniform(0.7, 1.3))
        add(signals.BYTES_IN, c, lambda t, n=i: 1000.0 * (n + 1))
        add(signals.BYTES_OUT, c, lambda t, n=i: 2000.0 * (n + 1))
        add(signals.FENCED_BROKERS, c, lambda t, x=cluster == FENCED: 1 if x and end - 2700 <= t < end - 2400 else 0)
        for k in range(3):
            down = ((end - 1800, end - 1200) if (cluster, k) == (DIPPED, 0) else
                    (end - 600, end + 1) if (cluster, k) == (DOWN, 1) else (0, 0))
            add("up", {**c, "job": catalogue.JOB_CONTROLLER, "instance": f"{cluster}-controller-{k}:9404"},
                lambda t, d=down: 0 if d[0] <= t < d[1] else 1)
        for b in range(3):
            broker = {**c, "job": catalogue.JOB_BROKER, "instance": f"{cluster}-broker-{b}:9404"}
            base = 0.05 + 0.02 * i + 0.01 * b  # CPU seconds a second: the counter, plus the hot spell's
            hot = (end - 2400, end - 1800) if broker["instance"] == HOT_BROKER else (0, 0)
            add("process_cpu_seconds_total", broker,
                lambda t, r=base, h=hot: r * (t - start) + 0.9 * max(0, min(t, h[1]) - h[0]))
            heap = (end - 1500, end - 1200) if broker["instance"] == HEAP_BROKER else (0, 0)
            add("jvm_memory_used_bytes", {**broker, "area": "heap"},
                lambda t, r=random.Random(rng.random()), x=0.3 + 0.04 * i, h=heap:
                0.95e9 if h[0] <= t < h[1] else x * 1e9 * r.uniform(0.95, 1.05))
            add("jvm_memory_max_bytes", {**broker, "area": "heap"}, lambda t: 1e9)
    # the burst topic is the lowest outside its ten minutes (the others wander from 70 to 130)
    add(signals.TOPIC_MESSAGES_IN, {"kafka_cluster": "kafka-3", "topic": BURST_TOPIC},
        lambda t: 5000.0 if end - BURST_FROM <= t < end - BURST_UNTIL else 10.0)
    return f


@pytest.fixture(scope="module")
def ten_clusters(tmp_path_factory):
    if not (shutil.which("prometheus") and shutil.which("promtool")):
        pytest.skip("prometheus and promtool are not installed")
    work = tmp_path_factory.mktemp("ten")
    end = (int(time.time()) // qb.STEP) * qb.STEP - 60
    qb.load(_ten_clusters(end), work / "tsdb", work, end - qb.HOUR - qb.WARMUP, end)
    with qb.Prometheus(work / "tsdb", work) as prom:
        yield prom, end


def _panel_queries(title: str) -> list[str]:
    return [e for s in dashboards.specs(SETTINGS) for _, ps in s.rows for p in ps if p.title == title
            for e, _ in p.queries]


def test_panels_over_every_cluster_stay_bounded_with_all_selected(ten_clusters):
    """With All at ten clusters each of these panels draws what it draws for one cluster (Latency
    Percentiles 5 series: the worst selected cluster's p99 per request type; ISR Status and Partition
    Status 4: counts summed over the selected clusters), at most 20; as they were, one series per
    cluster and query, they drew 50, 40 and 40 on the same history (the near miss)."""
    prom, end = ten_clusters
    drawn = {title: sum(len(_drawn(prom, end, e, ".*")) for e in _panel_queries(title)) for title in BY_CLUSTER}
    assert drawn == {"Latency Percentiles": 5, "ISR Status": 4, "Partition Status": 4}
    before = {title: sum(len(_drawn(prom, end, e, ".*")) for e in exprs) for title, exprs in BY_CLUSTER.items()}
    assert before == {"Latency Percentiles": 50, "ISR Status": 40, "Partition Status": 40}


def test_the_bounded_panels_still_show_the_worst_cluster_and_the_totals(ten_clusters):
    """Behaviour, not only counts: with All the Produce p99 line is SLOW_CLUSTER's 2000 ms while it
    spikes and the others' (under 50 ms) otherwise; under-replicated partitions add up over the
    clusters (0 + 1 + ... + 9 = 45) and offline ones count the five clusters with one. With one
    cluster selected, the spike elsewhere never shows."""
    prom, end = ten_clusters
    step = qb.grafana_step(qb.HOUR)

    def values(expr: str, cluster: str, **match: str) -> dict[int, float]:
        _, result = prom.query_range(qb._expand(expr, cluster, step), end - qb.HOUR, end, step)
        (series,) = [r for r in result if all(r["metric"].get(k) == v for k, v in match.items())]
        return {int(t): float(v) for t, v in series["values"]}
    produce = values(_panel_queries("Latency Percentiles")[0], ".*", request="Produce")
    spiking = {t for t in produce if end - SLOW_FROM <= t < end - SLOW_FROM + SLOW_FOR}
    assert spiking and all(produce[t] == 2000 for t in spiking)
    assert all(produce[t] < 50 for t in produce if t not in spiking and t >= end - SLOW_FROM + SLOW_FOR + 300)
    assert max(values(_panel_queries("Latency Percentiles")[0], "kafka-0", request="Produce").values()) < 50
    partitions = _panel_queries("Partition Status")
    assert set(values(partitions[0], ".*").values()) == {45}
    assert set(values(partitions[1], ".*").values()) == {5}
    assert set(values(partitions[0], "kafka-3").values()) == {3}


def test_the_panels_ranked_over_every_cluster_draw_at_most_n_with_all_selected(ten_clusters):
    """With All at ten clusters these panels drew 35 (Throughput: the top 15 topics, bytes in and out
    per cluster), 30 (Controller Quorum: up, majority and fenced per cluster) and 30 (CPU and Memory
    Usage: every broker), written out in BEFORE and measured on the same history (the near miss).
    Now each draws at most dashboardTopN (15): 13 topics and the bytes of the selected clusters
    together; up and majority of the five clusters closest to losing their majority and the five
    that fenced most; the fifteen brokers that peaked highest. Ranked once at the end of the range
    (Prometheus v2.54.1 promql/engine.go PreprocessExpr: `@ end()`; a subquery `[range:]` evaluates
    its expression at steps over the range, so `max_over_time` of it is the peak)."""
    prom, end = ten_clusters
    top = SETTINGS.dashboard_top_n
    drawn = {title: sum(len(_drawn(prom, end, e, ".*")) for e in _panel_queries(title)) for title in BEFORE}
    assert drawn == {"Throughput": 15, "Controller Quorum": 15, "CPU Usage": 15, "Memory Usage": 15} and top == 15
    before = {title: sum(len(_drawn(prom, end, e, ".*")) for e in exprs) for title, exprs in BEFORE.items()}
    assert before == {"Throughput": 35, "Controller Quorum": 30, "CPU Usage": 30, "Memory Usage": 30}
    # one cluster selected: only its own series, the three brokers and its quorum
    one = {title: [json.loads(m) for e in _panel_queries(title) for m in _drawn(prom, end, e, "kafka-5")]
           for title in ("CPU Usage", "Controller Quorum")}
    assert {m["instance"] for m in one["CPU Usage"]} == {f"kafka-5-broker-{b}:9404" for b in range(3)}
    assert [m["kafka_cluster"] for m in one["Controller Quorum"]] == ["kafka-5"] * 3  # up, majority, fenced


def test_the_ranked_panels_keep_what_peaked_during_the_range(ten_clusters):
    """Behaviour: a topic that burst 50 minutes ago and is now the quietest is drawn (ranked at the
    end only it would not be: it is the lowest there); the quorum lines show the cluster that lost a
    voter 30 minutes ago and the one that has lost one now, with their values (2 up against a
    majority of 2 while down, 3 otherwise), and the cluster that fenced a broker; the brokers whose
    CPU or heap ran at 95% for a while are drawn though their cluster is the coolest."""
    prom, end = ten_clusters
    step = qb.grafana_step(qb.HOUR)

    def labels(title: str, i: int, key: str) -> set[str]:
        return {json.loads(m).get(key) for m in _drawn(prom, end, _panel_queries(title)[i], ".*")}
    topics = labels("Throughput", 0, "topic")
    assert BURST_TOPIC in topics and len(topics) == 13
    _, last = prom.query_range(qb._expand(f'{signals.TOPIC_MESSAGES_IN}{{kafka_cluster=~"$cluster"}}', ".*", step),
                               end, end, step)
    assert min(last, key=lambda r: float(r["values"][-1][1]))["metric"]["topic"] == BURST_TOPIC
    _, bytes_in = prom.query_range(qb._expand(_panel_queries("Throughput")[1], ".*", step), end - qb.HOUR, end, step)
    assert {float(v) for _, v in bytes_in[0]["values"]} == {55000.0}
    _, quorum = prom.query_range(qb._expand(_panel_queries("Controller Quorum")[0], ".*", step), end - qb.HOUR, end, step)
    lines = {(r["metric"]["kafka_cluster"], r["metric"]["line"]): {int(t): float(v) for t, v in r["values"]} for r in quorum}
    clusters = {c for c, _ in lines}
    assert {DIPPED, DOWN} <= clusters and len(clusters) == 5
    assert set(lines) == {(c, line) for c in clusters for line in ("up", "majority")}  # both lines of each cluster
    assert lines[DOWN, "up"][end] == 2 and lines[DIPPED, "up"][end] == 3 and lines[DOWN, "majority"][end] == 2
    assert lines[DIPPED, "up"][end - 1500] == 2 and lines[DOWN, "up"][end - 1500] == 3
    assert labels("Controller Quorum", 1, "kafka_cluster") == set()  # no ZooKeeper on this history
    assert FENCED in labels("Controller Quorum", 2, "kafka_cluster")
    assert HOT_BROKER in labels("CPU Usage", 0, "instance")
    assert HEAP_BROKER in labels("Memory Usage", 0, "instance")
    _, cpu = prom.query_range(qb._expand(_panel_queries("CPU Usage")[0], ".*", step), end - qb.HOUR, end, step)
    hot = {int(t): float(v) for r in cpu if r["metric"]["instance"] == HOT_BROKER for t, v in r["values"]}
    assert max(hot.values()) > 90 and hot[end] < 10


def _query(uid: str, title: str) -> str:
    (expr,) = [e for s in dashboards.specs(SETTINGS) if s.uid == uid for _, ps in s.rows for p in ps
               if p.title == title for e, _ in p.queries]
    return expr


def test_lag_panels_rank_by_what_the_operator_looks_for(noisy_prometheus):
    """Consumer Lag (the page's panel, looked back on) ranks by the peak over the range: the group
    that spiked 40 minutes ago and caught up is drawn. Consumer Lag Trends and Queue Depth rank by
    the end of the range: the persistent laggards, and not the spike that has resolved."""
    prom, end = noisy_prometheus

    def groups(expr: str) -> set[str]:
        return {json.loads(s)["consumergroup"] for s in _drawn(prom, end, expr)}
    peak = groups(_query("kafka-overview", "Consumer Lag"))
    assert {SPIKED, *LAGGARDS} <= peak
    for title in ("Consumer Lag Trends", "Queue Depth"):
        now = groups(_query("kafka-application", title))
        assert set(LAGGARDS) <= now and SPIKED not in now, (title, now)


def query_params(url: str) -> dict[str, str]:
    """A URL's query parameters, as written (still percent-encoded)."""
    return dict(part.split("=", 1) for part in url.partition("?")[2].split("&"))


def _panel(uid: str, title: str) -> dict:
    (panel,) = [p for p in BOARDS[uid][1]["panels"] if p["title"] == title and p["type"] != "row"]
    return panel


@pytest.mark.parametrize("uid,title", [("kafka-application", "Performance by Domain"),
                                       ("kafka-incident-response", "Latency Anomalies")])
def test_latency_panels_link_each_series_to_its_traces_in_jaeger(uid, title):
    """Jaeger UI search takes service, start and end in microseconds, lookback=custom (jaeger-ui
    SearchForm); Grafana data links expand ${__field.labels.<label>} per series and ${__from}/${__to}
    as the panel's range in milliseconds (Grafana docs, "Data links": built-in variables)."""
    (link,) = _panel(uid, title)["fieldConfig"]["defaults"]["links"]
    url = link["url"]
    assert url.startswith("https://jaeger.necpgame.internal/search?")
    params = query_params(url)
    assert params["service"] == "${__field.labels.domain}"
    # the title names the series' domain the same way (Grafana's variable names are case-sensitive)
    assert re.findall(r"\$\{([^}]*)\}", link["title"]) == ["__field.labels.domain"]
    assert (params["start"], params["end"], params["lookback"]) == ("${__from}000", "${__to}000", "custom")
    # the label the link reads is one the panel's series carry
    assert all("domain" in t["expr"] for t in _panel(uid, title)["targets"])


@pytest.mark.parametrize("uid,title,source", [
    ("kafka-security", "Security Events Over Time", "opensearch"),
    ("kafka-incident-response", "Security Event Timeline", "opensearch"),
    ("kafka-application", "Success and Failure Rates", "elasticsearch"),
    ("kafka-application", "Consumer Error Rates", "elasticsearch"),
])
def test_log_panels_link_to_the_matching_query_in_explore(uid, title, source):
    """Grafana interpolates a panel link's URL as written, before any decoding: its variable syntax
    (`${name}`, part of variableRegex in public/app/features/variables/utils.ts) must survive the
    URL's own encoding for Explore to open on the panel's time range."""
    (link,) = _panel(uid, title)["links"]
    times = {"__from": "1764460800000", "__to": "1764464400000"}
    url = interpolate(link["url"], times)
    params = query_params(url)
    assert url.partition("?")[0] == "/explore" and params["schemaVersion"] == "1"
    pane = json.loads(unquote(params["panes"]))["a"]
    assert pane["datasource"] == grafana.DATASOURCES[source]["uid"]
    assert pane["queries"][0]["datasource"] == {"type": grafana.DATASOURCES[source]["type"],
                                                "uid": grafana.DATASOURCES[source]["uid"]}
    assert pane["range"] == {"from": times["__from"], "to": times["__to"]}
    # The query is an Elasticsearch/OpenSearch data query as Grafana reads one (grafana-foundation-sdk
    # 11.6, models/elasticsearch.py Dataquery): read and written back, every key survives, and each
    # metric is an aggregation Grafana knows (raw log lines: `logs`).
    (query,) = pane["queries"]
    read = sdk_elasticsearch.Dataquery.from_json(query).to_json()
    read["metrics"] = [m.to_json() for m in read["metrics"]]
    assert {**read, "datasource": query["datasource"]} == query
    assert read["refId"] and read["query"]
    assert [sdk_elasticsearch.MetricAggregationType(m["type"]) for m in read["metrics"]] == [
        sdk_elasticsearch.MetricAggregationType.LOGS]


def test_every_dashboard_links_back_to_the_runbooks():
    """A dashboard link to the runbooks' base URL, of type "link" (a plain URL, not a dashboard search);
    its title is checked with every other link's."""
    for uid, (_, board) in BOARDS.items():
        assert [link["type"] for link in board["links"] if link["url"] == SETTINGS.runbook_base_url] == ["link"], uid


def test_the_alert_state_panel_lists_firing_alerts_from_the_prometheus_rules():
    """Grafana's alertlist panel (unified alerting) shows data source-managed rules of the named
    source, each instance with its labels, and opens the rule with its annotations (runbook_url,
    dashboard_url)."""
    panel = _panel("kafka-incident-response", "Active Alerts")
    assert panel["type"] == "alertlist"
    options = panel["options"]
    assert options["datasource"] == grafana.DATASOURCES["prometheus"]["name"]
    assert options["stateFilter"]["firing"] and options["showInstances"]
    assert "folder" not in options


def _instances_shown(label_filter: str, clusters: list[str], instances: list[str]) -> list[str]:
    """The alert instances (by kafka_cluster) an alert list shows: the filter interpolated with the
    cluster variable's value (a list, as a multi-value variable's is; All is every value), then read
    as a Prometheus label matcher, a regex anchored at both ends."""
    (matcher,) = re.findall(r'^\{kafka_cluster=~"(.*)"\}$', interpolate(label_filter, {"cluster": clusters}))
    return [i for i in instances if re.fullmatch(matcher, i)]


def test_the_alert_list_shows_the_selected_clusters_alerts_however_many_are_selected():
    """Scenes interpolates a variable without a format as glob: two clusters become `{a,b}`, which no
    cluster's name matches, and the list went empty with two clusters or All. `${cluster:regex}`
    gives `(a|b)` with each value regex-escaped (formatRegistry.ts, Regex), so a dot in a name does
    not match another character."""
    label_filter = _panel("kafka-incident-response", "Active Alerts")["options"]["alertInstanceLabelFilter"]
    firing = ["alpha.eu", "beta", "gamma", "alphaXeu"]
    every = ["alpha.eu", "beta", "gamma"]  # the variable's options: All selects them all
    assert _instances_shown(label_filter, ["alpha.eu"], firing) == ["alpha.eu"]
    assert _instances_shown(label_filter, ["alpha.eu", "beta"], firing) == ["alpha.eu", "beta"]
    assert _instances_shown(label_filter, every, firing) == ["alpha.eu", "beta", "gamma"]
    # the near miss: the same filter without a format shows nothing for two clusters
    assert _instances_shown('{kafka_cluster=~"$cluster"}', ["alpha.eu", "beta"], firing) == []
    assert _instances_shown('{kafka_cluster=~"$cluster"}', ["beta"], firing) == ["beta"]


def test_the_cluster_variable_starts_on_one_cluster_so_panels_stay_bounded():
    """Grafana keeps a variable's saved `current` as its default; with All selected every
    per-cluster panel would draw one series per cluster."""
    s = make_settings("prod", clusters=["alpha ns=a preset=strimzi", "beta ns=b preset=strimzi"])
    for uid, (_, board) in dashboards.dashboards(s).items():
        (cluster,) = [v for v in board["templating"]["list"] if v["name"] == "cluster"]
        assert cluster["current"] == {"selected": True, "text": ["alpha"], "value": ["alpha"]}, uid
        assert cluster["includeAll"] and cluster["multi"]


# What a title promises, and the series that keep the promise (metric name fragments).
PROMISES = {
    "Lag": ("lag",), "Queue Depth": ("lag",), "CPU": ("cpu",), "Memory": ("memory",), "Disk": ("volume",),
    "Throughput": ("messages_in", "events_processed"), "Certificate": ("ssl_earliest_cert_expiry",),
    "Authentication": ("authentication",), "Authorization": ("errors_total",), "Latency": ("time", "duration"),
    "Rebalancing": ("members",), "Controllers": ("active_controllers",), "Partition": ("partitions",),
    "ISR": ("isr", "replicated", "minisr"), "Network": ("bytes_in", "bytes_out"), "Plaintext": ("connection",),
    "Error Budget": ("error_ratio",), "Alerts": ("ALERTS",), "Consumed": ("events_processed",),
    "Processing Rate": ("events_processed",), "Rate-Limit": ("rate_limit", "throttle"),
    "Cluster Status": ("up",), "Error": ("fail", "error"), "Quorum": ("up",),
}


def _prometheus_panels():
    for spec in dashboards.specs(SETTINGS):
        for _, panels in spec.rows:
            for p in panels:
                if p.source == "prometheus" and p.queries:
                    yield spec.uid, p


def test_each_panel_reads_the_series_its_title_promises():
    checked = 0
    for uid, p in _prometheus_panels():
        names = {n for expr, _ in p.queries for n in metric_names(concrete(expr))}
        for word, fragments in PROMISES.items():
            if word.lower() in p.title.lower():
                checked += 1
                assert any(f.lower() in n.lower() for f in fragments for n in names), (uid, p.title, word, names)
    assert checked >= 25


def test_each_variable_filters_on_the_label_its_query_reads():
    """A panel filtering `label=~"$var"` must name the label the variable's `label_values(expr, label)`
    reads, or the drill-down selects nothing."""
    for uid, (spec, board) in BOARDS.items():
        reads = {v["name"]: re.search(r",\s*(\w+)\)$", v["query"] if isinstance(v["query"], str) else v["query"]["query"]
                                      ).group(1)
                 for v in board["templating"]["list"] if v["type"] == "query"}
        used = 0
        for p in board["panels"]:
            for t in p.get("targets", []):
                for label, var in re.findall(r'(\w+)=~"\$(\w+)"', t.get("expr", "")):
                    used += 1
                    assert reads[var] == label, (uid, p["title"], label, var)
        assert used, uid


# Grafana's value-format ids (grafana/grafana packages/grafana-data/src/valueFormats/categories.ts,
# commit 002fa1b09fd5c809ef370334a20e23ec520ac8e3: the categories Misc, Data, Data rate, Date & time,
# Time and Throughput). An id Grafana does not know is shown as a plain number with the id as suffix.
GRAFANA_UNITS = {
    "none", "string", "short", "percent", "percentunit", "humidity", "dB", "hex0x", "hex", "sci", "locale", "pixel",
    "bits", "bytes", "kbytes", "mbytes", "gbytes", "tbytes", "pbytes", "decbits", "decbytes", "deckbytes",
    "decmbytes", "decgbytes", "dectbytes", "decpbytes", "pps", "bps", "Bps", "KBs", "Kbits", "MBs", "Mbits", "GBs",
    "Gbits", "TBs", "Tbits", "PBs", "Pbits", "dateTimeAsIso", "dateTimeAsIsoNoDateIfToday", "dateTimeAsUS",
    "dateTimeAsUSNoDateIfToday", "dateTimeFromNow", "hertz", "ns", "µs", "ms", "s", "m", "h", "d", "dtdurationms",
    "dtdurations", "dthms", "dtdhms", "timeticks", "clockms", "clocks", "cps", "ops", "reqps", "rps", "wps", "iops",
    "cpm", "opm", "rpm", "wpm",
}


PER_SECOND = {"cps", "ops", "reqps", "rps", "wps", "iops"}  # Grafana's Throughput units (per second)


def named_unit(expr: str) -> set[str]:
    """The Grafana units that fit the series an expression computes, by Prometheus's naming practice
    (prometheus.io/docs/practices/naming: a base-unit suffix such as _seconds or _bytes, _ratio for
    a 0-1 ratio, _total for a counter whose rate() is per second) and its recording-rule form
    level:metric:operations. Kafka's JMX times keep their milliseconds (..._ms, or ...TimeMs
    lower-cased by the exporter). A division whose numerator reads only series of its denominator is
    a part of a whole (a 0-1 ratio); a Unix time (an exporter's timestamp, or time()) less time()
    is seconds, and divided by 86400 days. Any other rescaled expression is left to its panel, unless
    scaled by 100 to a percent."""
    if not expr:
        return set()
    if re.search(r"(^|\W)100 \*", expr):
        return {"percent"}  # a ratio (or a rate of seconds per second) scaled to percent
    if re.search(r"- time\(\)\) / 86400$", expr):
        return {"d"}
    if " / " in expr:
        part, _, whole = expr.partition(" / ")
        names = metric_names(concrete(part))
        return {"percentunit"} if names and names <= metric_names(concrete(whole)) else set()
    if re.search(r"(^|\W)\d+ \*", expr):
        return set()
    units, query = set(), concrete(expr)
    for name in metric_names(query):
        parts = name.split(":")  # level:metric:operations, or metric:operations where there is no level
        metric, ops = (parts[-2], parts[-1]) if len(parts) > 1 else (name, "")
        rate = "rate" in ops or bool(re.search(rf"\bi?rate\({name}\b", query))
        units |= ({"s"} if metric.endswith("_seconds") else {"ms"} if re.search(r"(_ms|timems)$", metric) else
                  {"Bps"} if "bytes" in metric and rate else {"percentunit"} if "ratio" in ops else
                  PER_SECOND if rate else set())
    return units


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_series_is_shown_in_the_unit_its_name_carries(uid):
    """Grafana applies a panel's unit to every series, except where an override matches the
    series' query (matcher byFrameRefID). A latency in "short" reads 0.25 for 250 ms; bytes per
    second beside messages per second on one "short" axis read as the same kind of number."""
    wrong = []
    for p in BOARDS[uid][1]["panels"]:
        units = {o["matcher"]["options"]: {x["id"]: x["value"] for x in o["properties"]}.get("unit")
                 for o in p.get("fieldConfig", {}).get("overrides", []) if o["matcher"]["id"] == "byFrameRefID"}
        for t in p.get("targets", []):
            if (named := named_unit(t.get("expr", ""))) and (
                    units.get(t["refId"]) or p["fieldConfig"]["defaults"].get("unit")) not in named:
                shown = units.get(t["refId"]) or p["fieldConfig"]["defaults"].get("unit")
                wrong.append((p["title"], t["expr"], shown, named))
    assert wrong == []
    assert named_unit("domain:kafka_event_processing_duration_seconds:p99_5m") == {"s"}
    assert named_unit("kafka_events_processed:rate5m") == PER_SECOND
    assert named_unit("sum(rate(kafka_server_brokertopicmetrics_bytesin_total[5m]))") == {"Bps"}
    assert named_unit("100 * rate(process_cpu_seconds_total[5m])") == {"percent"}
    assert named_unit("sum(rate(kafka_server_brokertopicmetrics_failedfetchrequests_total[5m]))") == PER_SECOND
    assert named_unit("sum(increase(kafka_server_brokertopicmetrics_failedfetchrequests_total[5m]))") == set()
    assert named_unit("sum(rate(a_total[5m])) / (sum(rate(a_total[5m])) + sum(rate(b_total[5m])))") == {
        "percentunit"}
    assert named_unit("sum(rate(a_total[5m])) / sum(rate(b_total[5m]))") == set()
    assert named_unit("(min(probe_ssl_earliest_cert_expiry) - time()) / 86400") == {"d"}


def field_options(model) -> set[str]:
    """The keys a field-config model of grafana-foundation-sdk (11.6.0, generated from Grafana's
    panel schemas) writes."""
    return set(re.findall(r'payload\["(\w+)"\]', inspect.getsource(model.FieldConfig.to_json)))


def test_every_override_sets_a_field_option_its_panel_type_has():
    """Grafana applies an override property by its id: a standard field option (dashboard
    FieldConfig) or `custom.<option>` of the panel type's own FieldConfig; any other id, including
    a wrongly cased one, is ignored without a word."""
    custom = {"timeseries": field_options(sdk_timeseries), "table": field_options(sdk_table)}
    wrong = [(p["title"], prop["id"]) for _, board in BOARDS.values() for p in board["panels"]
             for o in p.get("fieldConfig", {}).get("overrides", []) for prop in o["properties"]
             if prop["id"] not in field_options(sdk_dashboard)
             and prop["id"].removeprefix("custom.") not in custom[p["type"]]]
    assert wrong == [] and "axisPlacement" in custom["timeseries"] and "unit" in field_options(sdk_dashboard)


def result_labels(expr: str) -> set[str]:
    """Label names an expression's result may carry, as far as its text says: its by () clauses and
    matchers, and those of the recording rules of every recorded series it reads."""
    expr = concrete(expr)
    names = {n for group in re.findall(r"\bby \(([^)]*)\)", expr) for n in re.split(r"\s*,\s*", group) if n}
    names |= set(re.findall(r"[{,]\s*(\w+)\s*(?:=~|!~|!=|=)", expr))
    # label_replace(v, "dst", "replacement", "src", "regex") sets dst
    names |= set(re.findall(r'label_replace\(.*?\)\s*,\s*"(\w+)"\s*,\s*"', expr))
    for name in metric_names(expr) & set(RECORDING_EXPRS):
        names |= result_labels(RECORDING_EXPRS[name])
    return names


def test_every_legend_names_labels_its_query_keeps():
    """Grafana fills `{{label}}` in a legend from the series' labels, case-sensitively; a name the
    result does not carry renders as nothing, and the series become indistinguishable."""
    wrong = [(p["title"], t["legendFormat"]) for _, board in BOARDS.values() for p in board["panels"]
             for t in p.get("targets", []) if t.get("expr")
             and not set(re.findall(r"\{\{\s*(\w+)\s*\}\}", t.get("legendFormat", ""))) <= result_labels(t["expr"])]
    assert wrong == []
    assert result_labels(f"{signals.TOPIC_MESSAGES_IN}") >= {"kafka_cluster", "topic"}


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_panel_unit_is_one_grafana_formats(uid):
    board = BOARDS[uid][1]
    units = {p["title"]: p.get("fieldConfig", {}).get("defaults", {}).get("unit") for p in board["panels"]}
    assert {t: u for t, u in units.items() if u is not None and u not in GRAFANA_UNITS} == {}


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_each_row_is_laid_out_edge_to_edge_without_overlap(uid):
    """Grafana's grid is 24 columns wide: every line of panels fills it exactly, and no two panels
    share a cell (Grafana's dashboard JSON model, gridPos)."""
    cells: dict[tuple[int, int], str] = {}
    widths: dict[int, int] = {}
    for p in BOARDS[uid][1]["panels"]:
        g = p["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["h"] > 0, p["title"]
        widths[g["y"]] = widths.get(g["y"], 0) + g["w"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, (p["title"], cells.get((x, y)))
                cells[(x, y)] = p["title"]
    assert {y: w for y, w in widths.items() if w != 24} == {}


def test_the_four_dashboards_are_the_design_documents():
    """The design document's dashboards: Kafka Overview, Security, Application and Incident Response."""
    titles = {uid: board["title"] for uid, (_, board) in BOARDS.items()}
    assert titles == {"kafka-overview": "Kafka Overview", "kafka-security": "Kafka Security",
                      "kafka-application": "Kafka Application", "kafka-incident-response": "Kafka Incident Response"}


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_prometheus_series_has_a_legend(uid):
    """Without legendFormat Grafana names a series by its whole label set ({__name__=..., ...})."""
    board = BOARDS[uid][1]
    bare = [(p["title"], t["expr"]) for p in board["panels"] for t in p.get("targets", [])
            if p.get("datasource", {}).get("type") == "prometheus" and not t.get("legendFormat")]
    assert bare == []


DATA_PANELS = {"timeseries", "stat", "gauge", "table", "bargauge"}


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_data_panel_queries_something(uid):
    """A data panel without a target draws "No data" however healthy the cluster is."""
    empty = [p["title"] for p in BOARDS[uid][1]["panels"] if p["type"] in DATA_PANELS and not p.get("targets")]
    assert empty == []


def test_text_panels_use_a_mode_grafana_renders():
    """Grafana's text panel renders markdown, html or code (grafana-foundation-sdk 11.6, models/text.py
    TextMode, generated from the panel's schema); another mode shows the content as nothing."""
    modes = [p["options"]["mode"] for _, board in BOARDS.values() for p in board["panels"] if p["type"] == "text"]
    assert modes and [sdk_text.TextMode(m) for m in modes] == [sdk_text.TextMode.MARKDOWN] * len(modes)


def _search_panels():
    search = {grafana.DATASOURCES[k]["type"] for k in ("elasticsearch", "opensearch")}
    for uid, (_, board) in BOARDS.items():
        for p in board["panels"]:
            if p.get("datasource", {}).get("type") in search:
                yield uid, p


def test_search_panels_count_the_documents_their_explore_link_shows_per_interval_of_the_time_field():
    """A search panel's target as Grafana's Elasticsearch/OpenSearch query model reads it
    (grafana-foundation-sdk 11.6, models/elasticsearch.py Dataquery: read and written back, every key
    survives). Grafana builds the search request's aggregations keyed by each aggregation's id
    (public/app/plugins/datasource/elasticsearch/QueryBuilder.ts: `aggs[aggDef.id]`, metrics under
    `metric.id`), so the ids are set and distinct; the date histogram buckets on the datasource's
    time field, and the query is the one the panel's Explore link opens, so that a spike on the panel
    is the documents a click shows."""
    settings = grafana.datasource_settings(SETTINGS)
    panels = list(_search_panels())
    assert {p["title"] for _, p in panels} >= {"Security Events Over Time", "Security Event Timeline"}
    for uid, p in panels:
        (target,) = p["targets"]
        read = sdk_elasticsearch.Dataquery.from_json(target).to_json()
        read["metrics"] = [m.to_json() for m in read["metrics"]]
        read["bucketAggs"] = [b.to_json() for b in read["bucketAggs"]]
        assert read == target, p["title"]
        ids = [a["id"] for a in target["metrics"] + target["bucketAggs"]]
        assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == len(ids), (p["title"], ids)
        assert [m["type"] for m in target["metrics"]] == [sdk_elasticsearch.MetricAggregationType.COUNT.value]
        assert target.get("alias"), p["title"]  # else Grafana names the series after its metric, "Count"
        (histogram,) = target["bucketAggs"]
        source = next(k for k, ds in grafana.DATASOURCES.items() if ds["uid"] == p["datasource"]["uid"])
        assert histogram["type"] == sdk_elasticsearch.BucketAggregationType.DATE_HISTOGRAM.value
        assert histogram["field"] == settings[source]["json_data"]["timeField"], p["title"]
        (link,) = p["links"]
        pane = json.loads(unquote(query_params(link["url"])["panes"]))["a"]
        assert target["query"] == pane["queries"][0]["query"], p["title"]


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_variable_has_a_label_to_show_beside_its_drop_down(uid):
    """Grafana shows a variable's label beside its drop-down, and its bare name where it has none."""
    bare = [v["name"] for v in BOARDS[uid][1]["templating"]["list"] if not v.get("label")]
    assert bare == []


@pytest.mark.parametrize("uid", sorted(BOARDS))
def test_every_link_is_named_and_opens_beside_the_dashboard(uid):
    """Dashboard, panel and data links (Grafana's DashboardLink and DataLink: title, targetBlank): an
    untitled link shows as an empty entry, and a link that replaces the dashboard loses the on-call
    person's time range and variables on the way back."""
    board = BOARDS[uid][1]
    links = board["links"] + [link for p in board["panels"] for link in
                              p.get("links", []) + p.get("fieldConfig", {}).get("defaults", {}).get("links", [])]
    assert links  # every dashboard links to the runbooks at least
    assert [(link.get("title"), link.get("targetBlank")) for link in links if not link.get("title")
            or link.get("targetBlank") is not True] == []


def test_a_series_in_another_unit_is_drawn_on_its_own_axis():
    """A time series override that changes a query's unit also moves it to the right-hand axis
    (custom.axisPlacement, one of Grafana's AxisPlacement values: grafana-foundation-sdk 11.6,
    models/common.py): two units on one axis read as one scale."""
    seen = 0
    for _, board in BOARDS.values():
        for p in board["panels"]:
            for o in p.get("fieldConfig", {}).get("overrides", []):
                props = {x["id"]: x["value"] for x in o["properties"]}
                if "unit" in props and p["type"] == "timeseries":
                    seen += 1
                    assert sdk_common.AxisPlacement(props.get("custom.axisPlacement")) == \
                        sdk_common.AxisPlacement.RIGHT, (p["title"], props)
    assert seen >= 3


JOBS = {v for k, v in vars(catalogue).items() if k.startswith("JOB_") and isinstance(v, str)}


def _jobs(selector) -> frozenset[str]:
    """The scrape jobs a selector can read: its job matchers applied to every catalogued job (no
    matcher: any job)."""
    jobs = set(JOBS)
    for label, op, value in selector.matchers:
        if label == "job":
            hit = {j for j in JOBS if re.fullmatch(value, j)} if op in ("=~", "!~") else {value}
            jobs = jobs & hit if op in ("=", "=~") else jobs - hit
    return frozenset(jobs)


def raw_series(expr: str, seen: frozenset[str] = frozenset()) -> set[tuple[str, frozenset[str]]]:
    """(metric, jobs) of every raw series an expression reads, recorded series followed through
    their recording rules."""
    out = set()
    for sel in selectors(concrete(expr)):
        if sel.metric in RECORDING_EXPRS and sel.metric not in seen:
            out |= raw_series(RECORDING_EXPRS[sel.metric], seen | {sel.metric})
        else:
            out.add((sel.metric, _jobs(sel)))
    return out


def shares_a_series(a: set, b: set) -> bool:
    return any(m1 == m2 and j1 & j2 for m1, j1 in a for m2, j2 in b)


def _panel_by_id(uid: str, pid: int) -> dict:
    (panel,) = [p for p in BOARDS[uid][1]["panels"] if p["id"] == pid]
    return panel


def test_every_alert_opens_a_panel_that_reads_one_of_its_series():
    """An alert's dashboard_url opens one panel (Grafana's `viewPanel=<panel id>` on /d/<uid>); that
    panel must read a series the alert reads, the same metric from the same scrape job, recorded
    series followed through the recording rules on both sides. `up` of the brokers is not the
    ZooKeeper ensemble's `up`."""
    alerts = promtool_tests.alert_meta(SETTINGS)
    assert len(alerts) > 30
    wrong = {}
    for name, rule in alerts.items():
        m = re.fullmatch(r"https://[^/]+/d/([\w-]+)\?viewPanel=(\d+)(?:\{\{.*)?", rule["annotations"]["dashboard_url"])
        assert m, (name, rule["annotations"]["dashboard_url"])
        panel = _panel_by_id(m[1], int(m[2]))
        read = set().union(*(raw_series(t["expr"]) for t in panel.get("targets", []) if t.get("expr")))
        if not shares_a_series(raw_series(rule["expr"]), read):
            wrong[name] = panel["title"]
    assert wrong == {}
    # the near miss: the ZooKeeper alert against the brokers' up panel, through the same reading
    zk = raw_series(alerts["KafkaZookeeperDown"]["expr"])
    cluster_status = _panel("kafka-overview", "Cluster Status")["targets"][0]["expr"]
    assert not shares_a_series(zk, raw_series(cluster_status))
    assert shares_a_series(zk, raw_series('up{job=~"kafka-zookeeper|kafka-broker"}'))
    assert not shares_a_series(zk, raw_series('up{job!="kafka-zookeeper"}'))
