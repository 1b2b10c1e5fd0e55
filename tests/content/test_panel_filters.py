"""Panels whose filters decide what a reader sees, evaluated by promtool on series that the filters must
keep out, with the dashboard variables bound as Grafana would send them (tests/content/grafana_model).

- Scrape Targets Down counts targets whose `up` is 0 (Prometheus sets `up` to 1 for a successful
  scrape and 0 for a failed one: prometheus v2.54.1 scrape/scrape.go, scrapeLoop.report), not up ones.
- Performance by Domain shows the three game domains the event core names, and no other.
- CPU Usage shows the broker the $broker variable picks, among brokers of the same cluster.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from content import dashboards
from tests.conftest import make_settings
from tests.content.alert_scenarios import sel
from tests.content.grafana_model import concrete

pytestmark = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
# k8s_cluster at its default, All (`.*`): local series carry no `cluster` label, and `.*` matches its absence
VARIABLES = {"k8s_cluster": ".*", "cluster": "kafka", "broker": "kafka-broker-0:7071"}


def _bind(expr: str, **variables: str) -> str:
    """The expression with the dashboard variables bound (VARIABLES, or the values given), as Grafana sends it."""
    for name, value in {**VARIABLES, **variables}.items():
        expr = expr.replace(f"${name}", value)
    return concrete(expr)


def _query(title: str, index: int = 0, settings=None, **variables: str) -> str:
    panels = {p.title: p for spec in dashboards.specs(settings or make_settings("prod")) for _, row in spec.rows
              for p in row}
    return _bind(panels[title].queries[index][0], **variables)


def _evaluate(tmp_path, series: list[tuple[str, str]], checks: list[tuple[str, list[tuple[dict, float]]]]):
    (tmp_path / "empty.yml").write_text("groups: []\n")
    doc = {"rule_files": ["empty.yml"], "evaluation_interval": "15s",
           "tests": [{"interval": "15s", "input_series": [{"series": s, "values": v} for s, v in series],
                      "promql_expr_test": [{"expr": expr, "eval_time": "10m",
                                            "exp_samples": [{"labels": sel("", **labels), "value": value}
                                                            for labels, value in samples]}
                                           for expr, samples in checks]}]}
    (tmp_path / "t.yml").write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 20))
    proc = subprocess.run(["promtool", "test", "rules", "t.yml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_scrape_targets_down_counts_down_targets_per_job_only(tmp_path):
    series = [(sel("up", job="kafka-exporter", instance="e-0:9308"), "0x60"),
              (sel("up", job="kafka-exporter", instance="e-1:9308"), "1x60"),
              (sel("up", job="kafka-broker", instance="b-0:7071"), "1x60"),
              (sel("up", job="kafka-broker", instance="b-1:7071"), "1x60"),
              (sel("up", job="fluent-bit", instance="f-0:2020"), "0x60"),
              (sel("up", job="fluent-bit", instance="f-1:2020"), "0x60")]
    _evaluate(tmp_path, series, [(_query("Scrape Targets Down"),
                                  [({"job": "kafka-exporter"}, 1), ({"job": "fluent-bit"}, 2)])])


@pytest.mark.parametrize(("index", "quantile"), [(0, "p99"), (1, "p50")])
def test_performance_by_domain_shows_each_game_domain_and_no_other(tmp_path, index, quantile):
    name = f"domain:kafka_event_processing_duration_seconds:{quantile}_5m"
    series = [(sel(name, domain=d), f"{v}x60")
              for d, v in (("combat", 0.25), ("economy", 0.5), ("social", 0.75), ("test", 1), ("", 2))]
    _evaluate(tmp_path, series, [(_query("Performance by Domain", index),
                                  [({"__name__": name, "domain": d}, v)
                                   for d, v in (("combat", 0.25), ("economy", 0.5), ("social", 0.75))])])


def test_latency_percentiles_show_client_and_replication_requests_and_queue_times_for_clients(tmp_path):
    """The worst p99 of the selected clusters per request type (one series a type, whatever number of
    clusters is selected); another cluster's slower requests and the idle types stay out."""
    total, queue = "kafka_cluster_request:kafka_request_total_time_ms:p99_max", \
        "kafka_cluster_request:kafka_request_queue_time_ms:p99_max"
    requests = (("Produce", 8), ("FetchConsumer", 4), ("FetchFollower", 500), ("Metadata", 2), ("OffsetCommit", 1))
    slower = {"kafka": 1, "other": 10}  # the unselected cluster is ten times slower: a missing filter shows
    series = [(sel(name, kafka_cluster=c, request=r), f"{v * slower[c]}x60") for name in (total, queue)
              for c in slower for r, v in requests]
    _evaluate(tmp_path, series, [
        (_query("Latency Percentiles", 0), [({"request": r}, v) for r, v in requests[:3]]),
        (_query("Latency Percentiles", 1), [({"request": r}, v) for r, v in requests[:2]])])


def test_cpu_usage_shows_the_chosen_broker_only(tmp_path):
    def cpu(i: int, cluster: str, cores: float) -> tuple[str, str]:
        return (sel("process_cpu_seconds_total", job="kafka-broker", instance=f"kafka-broker-{i}:7071",
                    kafka_cluster=cluster), f"0+{cores * 15:g}x60")
    series = [cpu(0, "kafka", 0.5), cpu(1, "kafka", 2), cpu(0, "other", 1)]
    _evaluate(tmp_path, series, [(_query("CPU Usage"), [({"instance": "kafka-broker-0:7071"}, 50)])])


def test_consumer_error_rates_count_the_all_topics_series_once(tmp_path):
    """Kafka counts each failed fetch in the all-topics series (no topic tag, `topic=""`) and again in
    its topic's series (kafka core BrokerTopicStats: allTopicsStats beside topicStats)."""
    def failed(i: int, per_s: int, topic: str) -> tuple[str, str]:
        return (sel("kafka_server_brokertopicmetrics_failedfetchrequests_total", job="kafka-broker",
                    instance=f"kafka-broker-{i}:7071", kafka_cluster="kafka", topic=topic), f"0+{per_s * 15}x60")
    series = [failed(0, 4, ""), failed(1, 2, ""), failed(0, 3, "combat-events"), failed(0, 1, "economy-events"),
              failed(1, 2, "combat-events")]
    _evaluate(tmp_path, series, [(_query("Consumer Error Rates", 1), [({"kafka_cluster": "kafka"}, 6)])])


def test_the_error_budget_panel_reads_the_window_its_title_names(tmp_path):
    ratio = "slo:kafka_event_processing:error_ratio_"
    series = [(sel(ratio + w), f"{v}x60") for w, v in (("5m", 0.5), ("30m", 0.25), ("1h", 0.125), ("2h", 0.0625),
                                                       ("6h", 0.03125))]
    _evaluate(tmp_path, series, [(_query("Error Budget Burn (1h)", 1), [({"__name__": ratio + "1h"}, 0.125)])])


@pytest.mark.parametrize(("top_n", "drawn"), [(1, ["b"]), (2, ["b"]), (4, ["b", "a"])])
def test_throughput_draws_the_busiest_topics_even_at_the_smallest_top_n(tmp_path, top_n, drawn):
    """Throughput keeps two of dashboardTopN's lines for the bytes in and out, and draws the topics of
    highest peak in the rest; at dashboardTopN 1 or 2 (allowed: 1-20) it still draws the busiest topic
    (PromQL `topk` with k < 1 returns no series, as the installed promtool shows when the floor is 0)."""
    name = "kafka_cluster_topic:kafka_messages_in:rate5m"  # the recorded per-topic rate (content/signals.py)
    expr = _query("Throughput", 0, make_settings("prod", dashboardTopN=top_n), topic=".*")
    peaks = {"a": 5, "b": 9, "c": 2}
    series = [(sel(name, kafka_cluster="kafka", topic=t), f"{v}x60") for t, v in peaks.items()]
    _evaluate(tmp_path, series, [(expr, [({"__name__": name, "kafka_cluster": "kafka", "topic": t}, peaks[t])
                                         for t in drawn])])


def _variable_values(tmp_path, series: list[tuple[str, str]], name: str, expected: list[str]) -> None:
    """A query variable's options as Grafana lists them: `label_values(<selector>, <label>)` is the values of
    the label among the series the selector matches (Grafana's Prometheus datasource asks
    /api/v1/label/<label>/values with match[]=<selector>); `group by (<label>)` of the selector is the same
    set, evaluated here by promtool."""
    board = next(b for _, b in dashboards.dashboards(make_settings("prod")).values()
                 if any(v["name"] == name for v in b["templating"]["list"]))
    (variable,) = [v for v in board["templating"]["list"] if v["name"] == name]
    selector, label = re.fullmatch(r"label_values\((.*), (\w+)\)", variable["query"]).groups()
    _evaluate(tmp_path, series, [(f"group by ({label}) ({_bind(selector)})", [({label: v}, 1) for v in expected])])


def test_the_broker_and_cluster_variables_list_brokers_only(tmp_path):
    """In a KRaft cluster the controllers, kafka_exporter and the TLS probe are scraped too, with the same
    kafka_cluster label: the Broker list offers the brokers of the selected cluster and nothing else, and
    the Cluster list the clusters that have brokers (a cluster of only a TLS probe is not one)."""
    series = [(sel("up", job="kafka-broker", instance=f"kafka-broker-{i}:7071", kafka_cluster="kafka"), "1x60")
              for i in range(2)]
    series += [(sel("up", job=job, instance=instance, kafka_cluster="kafka"), "1x60") for job, instance in (
        ("kafka-controller", "kafka-controller-0:7071"), ("kafka-exporter", "10.0.3.1:9308"),
        ("kafka-tls-probe", "kafka-kafka-bootstrap:9093"))]
    series += [(sel("up", job="kafka-broker", instance="other-broker-0:7071", kafka_cluster="other"), "1x60"),
               (sel("up", job="kafka-tls-probe", instance="probe-only:9093", kafka_cluster="probe-only"), "1x60")]
    _variable_values(tmp_path, series, "broker", ["kafka-broker-0:7071", "kafka-broker-1:7071"])
    (tmp_path / "cluster").mkdir()
    _variable_values(tmp_path / "cluster", series, "cluster", ["kafka", "other"])


def test_error_spikes_counts_each_failed_produce_once(tmp_path):
    """A broker counts a failed produce twice: on the all-topics meter (no topic key: no `topic` label) and
    on its topic's (Kafka 3.9 ReplicaManager.processFailedRecord marks topicStats(topic) and allTopicsStats
    failedProduceRequestRate; the JMX rules keep the key as a label). 3 failed produces/s on combat-events
    and 1 on economy-events are 4/s in all, not 8."""
    name = "kafka_server_brokertopicmetrics_failedproducerequests_total"
    broker = {"job": "kafka-broker", "instance": "kafka-broker-0:7071", "kafka_cluster": "kafka"}
    series = [(sel(name, **broker), "0+60x60"), (sel(name, topic="combat-events", **broker), "0+45x60"),  # 15 s scrapes
              (sel(name, topic="economy-events", **broker), "0+15x60")]
    _evaluate(tmp_path, series, [(_query("Error Spikes", 1), [({"kafka_cluster": "kafka"}, 4)])])


def test_controller_quorum_draws_the_cluster_closest_to_losing_its_majority_not_the_one_losing_brokers(tmp_path):
    """Six clusters, All selected; the panel draws the five whose quorum came closest to its majority
    (dashboardTopN 15 / 3). `weak` runs 2 of its 3 KRaft controllers (margin 0) and all of its 3 brokers;
    each other cluster 3 of 3 controllers (margin 1) but only 1 of its 4 brokers. Brokers do not vote:
    read as voters they would rank the five others first (1 of 4 is 2 under a majority of 3) and leave
    out `weak`, the one cluster a controller away from losing its quorum."""
    clusters = ["weak", "c1", "c2", "c3", "c4", "c5"]
    series = []
    for name in clusters:
        controllers, brokers = ([1, 1, 0], [1, 1, 1]) if name == "weak" else ([1, 1, 1], [1, 0, 0, 0])
        series += [(sel("up", job="kafka-controller", instance=f"{name}-controller-{i}:7071", kafka_cluster=name),
                    f"{u}x60") for i, u in enumerate(controllers)]
        series += [(sel("up", job="kafka-broker", instance=f"{name}-broker-{i}:7071", kafka_cluster=name),
                    f"{u}x60") for i, u in enumerate(brokers)]
    lines = f"count by (kafka_cluster) ({_query('Controller Quorum', 0, cluster='.*')})"  # up, majority: 2 a cluster
    _evaluate(tmp_path, series, [
        (f"count({lines})", [({}, 5)]),  # five of the six (the others tie: any four of them)
        (f'{lines} and on (kafka_cluster) count by (kafka_cluster) (up{{kafka_cluster="weak"}})',
         [({"kafka_cluster": "weak"}, 2)])])
