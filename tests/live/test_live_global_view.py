"""Two Kubernetes clusters, each an HA pair of real `prometheus`, writing to a global store on 127.0.0.1.

Each pair runs the rendered scrape configs, rule files and remote-write entry (content.remote_write)
of its own stack settings (kubernetesCluster eks-a / eks-b, one Kafka cluster each), with the
replica label the operator would set (`__replica__: <pod>`, replicaExternalLabelName). The store is
a real Prometheus remote-write receiver (`--web.enable-remote-write-receiver`) behind the HA-tracker
model (devtools.ha_tracker: elect per `cluster`, strip `__replica__`, fail over after a timeout; Mimir
and AWS AMP documentation). Debian's prometheus 2.42 drops `sigv4` and `headers` without a word, so
they are taken out and the URL points at the loopback tracker; everything else is as rendered.

The same senders also write, through further copies of the rendered entry with only the URL and
name changed, to negative controls: a second receiver without replica handling (counts double), a
store that answers 429 to everything (retried, with retry_on_http_429), and the same 429 store without
retry_on_http_429 (Prometheus's default: the samples fail, which the chart's
PrometheusRemoteStorageFailures reads; its `for` of 15m is too long for this test, so the failed-
samples counter is read instead).

Exporters serve counters that rise at known rates. Scrapes and evaluations tick every second; the
failover timeout is 8 s (longer than the 5 s batch_send_deadline a sender waits at this volume).
Everything is bounded by DEADLINE_S and torn down at the end.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from content import dashboards, remote_write as rw
from content.rules import rule_files
from content.scrape import prometheus_config
from devtools.ha_tracker import Tracker
from devtools.query_bench import HOUR, _expand, grafana_step
from harness.tools import free_port
from tests.conftest import make_settings
from tests.live.test_live_alerting import stop

pytestmark = [pytest.mark.live, pytest.mark.skipif(not shutil.which("prometheus"),
                                                   reason="prometheus is not installed")]
HOST = "127.0.0.1"
DEADLINE_S = 150
FAILOVER_S = 8.0
# Kubernetes cluster -> Kafka cluster, broker rates (messages/s), controller.
CLUSTERS = {"eks-a": ("kafka-a", (10.0, 30.0)), "eks-b": ("kafka-b", (50.0, 70.0))}
WATCHDOG = {"groups": [{"name": "general.rules", "rules": [
    {"alert": "Watchdog", "expr": "vector(1)", "labels": {"severity": "none"}}]}]}
T0 = time.time()
RATE = 'sum by (kafka_cluster) (rate(kafka_server_brokertopicmetrics_messagesin_total{topic=""}[10s]))'


class Exporter(BaseHTTPRequestHandler):
    """A broker (or controller) as the JMX exporter shows it, with Strimzi's names: the message
    counter rises at `rate`; the rest is a healthy broker's, so that the dashboards have data."""
    rate = 0.0
    controller = False

    def do_GET(self):
        elapsed = time.time() - T0
        value = self.rate * elapsed
        text = (f'kafka_server_brokertopicmetrics_messagesin_total{{topic=""}} {value:.3f}\n'
                f'kafka_server_brokertopicmetrics_messagesin_total{{topic="combat-events"}} {value:.3f}\n'
                f'kafka_server_brokertopicmetrics_bytesin_total{{topic=""}} {100 * value:.3f}\n'
                f'kafka_server_brokertopicmetrics_bytesout_total{{topic=""}} {200 * value:.3f}\n'
                'kafka_server_replicamanager_underreplicatedpartitions 0\n'
                'kafka_server_replicamanager_underminisrpartitioncount 0\n'
                'kafka_log_logmanager_offlinelogdirectorycount 0\n'
                'kafka_network_requestmetrics_totaltimems{request="Produce",quantile="0.99"} 4\n'
                'kafka_network_requestmetrics_requestqueuetimems{request="Produce",quantile="0.99"} 1\n'
                'jvm_memory_used_bytes{area="heap"} 1e9\njvm_memory_max_bytes{area="heap"} 4e9\n'
                f'process_cpu_seconds_total {0.2 * elapsed:.3f}\n'
                f'kafka_controller_kafkacontroller_activecontrollercount {1 if self.controller else 0}\n'
                'kafka_controller_kafkacontroller_offlinepartitionscount 0\n'
                'kafka_controller_kafkacontroller_fencedbrokercount 0\n')
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _exporter(rate: float, controller: bool = False) -> ThreadingHTTPServer:
    handler = type("E", (Exporter,), {"rate": rate, "controller": controller})
    server = ThreadingHTTPServer((HOST, 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server


def _get(url: str, timeout: float = 5) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def query(port: int, expr: str, at: float | None = None) -> list[dict]:
    params = {"query": expr, **({"time": f"{at:.3f}"} if at is not None else {})}
    body = json.loads(_get(f"http://{HOST}:{port}/api/v1/query?" + urllib.parse.urlencode(params)))
    return body["data"]["result"]


def counter(port: int, name: str, **labels: str) -> float:
    """A counter from a process's own /metrics (summed over series matching the labels)."""
    total = 0.0
    for line in _get(f"http://{HOST}:{port}/metrics").decode().splitlines():
        m = re.match(rf"{name}(\{{[^}}]*\}})? (\S+)$", line)
        if m and all(f'{k}="{v}"' in (m.group(1) or "") for k, v in labels.items()):
            total += float(m.group(2))
    return total


def _wait(check, deadline: float, what: str, step: float = 0.5):
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except OSError as err:
            last = err
        time.sleep(step)
    raise TimeoutError(f"{what}: {last}")


def settled(port: int) -> float:
    """The newest time every broker's counter has a sample at, in a store."""
    (newest,) = query(port, 'min(timestamp(kafka_server_brokertopicmetrics_messagesin_total{topic=""}))')
    return float(newest["value"][1])


def _by_cluster(result: list[dict]) -> dict[str, float]:
    return {r["metric"].get("cluster", r["metric"].get("kafka_cluster")): float(r["value"][1]) for r in result}


def test_two_ha_pairs_write_one_series_per_target_to_the_global_store(tmp_path):
    deadline = time.monotonic() + DEADLINE_S
    servers, procs = [], []
    try:
        receiver, raw_receiver = free_port(), free_port()
        for port, name in ((receiver, "receiver"), (raw_receiver, "raw-receiver")):
            (tmp_path / f"{name}.yml").write_text(yaml.safe_dump({"global": {"scrape_interval": "1m"}}))
            procs.append(subprocess.Popen(
                ["prometheus", f"--config.file={tmp_path / f'{name}.yml'}", "--web.enable-remote-write-receiver",
                 f"--storage.tsdb.path={tmp_path / name}", f"--web.listen-address={HOST}:{port}"],
                stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"{name}.log", "w")))
        tracker = Tracker(f"http://{HOST}:{receiver}/api/v1/write", failover_timeout_s=FAILOVER_S)
        passthrough = Tracker(f"http://{HOST}:{raw_receiver}/api/v1/write", mode="passthrough")
        throttle = Tracker("http://unused.invalid/", mode="throttle")
        endpoints = {name: t.serve(HOST) for name, t in
                     (("global", tracker), ("raw", passthrough), ("throttled", throttle))}
        servers += endpoints.values()

        truth, senders = {}, {}  # kafka cluster -> messages/s; replica -> (port, process)
        for k8s, (kafka, rates) in CLUSTERS.items():
            brokers = [_exporter(r) for r in rates]
            controller = _exporter(0, controller=True)
            servers += [*brokers, controller]
            truth[kafka] = sum(rates)
            settings = make_settings(
                "dev", kubernetesCluster=k8s, scrapeInterval="1s", evaluationInterval="1s",
                globalMetrics="mimir", globalMetricsUrl=f"http://{HOST}:1", globalMetricsTenant="kafka",
                clusters=[f"{kafka} ns=kafka brokers={','.join(f'{HOST}:{b.server_address[1]}' for b in brokers)} "
                          f"controllers={HOST}:{controller.server_address[1]} exporterPods=app=kafka-exporter"])
            files = {**rule_files(settings), "chart-general.rules.yml": WATCHDOG}
            folder = tmp_path / k8s
            folder.mkdir()
            for name, doc in files.items():
                (folder / name).write_text(yaml.safe_dump(doc))
            rendered = rw.native(settings, rw.store_of(settings))
            assert rendered["url"].endswith("/api/v1/push") and rendered["headers"] == {"X-Scope-OrgID": "kafka"}
            base = {k: v for k, v in rendered.items() if k not in ("headers", "sigv4")}  # 2.42 drops them anyway

            def entry(name: str, endpoint: str, **queue) -> dict:
                port = endpoints[endpoint].server_address[1]
                return {**base, "name": name, "url": f"http://{HOST}:{port}/api/v1/push",
                        "queue_config": {**base["queue_config"], **queue}}
            remote = [entry("global", "global"), entry("raw", "raw"), entry("throttled", "throttled"),
                      entry("throttled-noretry", "throttled", retry_on_http_429=False)]
            if not senders:  # the store is up before anything writes to it
                for port in (receiver, raw_receiver):
                    _wait(lambda: _get(f"http://{HOST}:{port}/-/ready"), deadline, "a receiver")
            for replica in (f"{k8s}-0", f"{k8s}-1"):
                config = prometheus_config(settings, sorted(files), [], remote)
                config["scrape_configs"] = [j for j in config["scrape_configs"] if "kubernetes_sd_configs" not in j]
                config["global"]["external_labels"][rw.REPLICA_LABEL] = replica  # as the operator sets it
                (folder / f"{replica}.yml").write_text(yaml.safe_dump(config))
                port = free_port()
                senders[replica] = (port, subprocess.Popen(
                    ["prometheus", f"--config.file={folder / f'{replica}.yml'}",
                     f"--storage.tsdb.path={folder / replica}", f"--web.listen-address={HOST}:{port}"],
                    stdout=subprocess.DEVNULL, stderr=open(folder / f"{replica}.log", "w")))
                procs.append(senders[replica][1])

        def brokers_seen(port: int, per_cluster: int):
            got = _by_cluster(query(port, 'count by (cluster) (up{job="kafka-broker"} == 1)'))
            return got if got == {k: per_cluster for k in CLUSTERS} else None
        _wait(lambda: brokers_seen(receiver, 2), deadline, "every broker in the global store")
        time.sleep(12)  # a few more batches (batch_send_deadline 5s) for rates over 10s

        # Each target once: the HA pair's two copies are one series in the store.
        counts = _by_cluster(query(receiver, 'count by (cluster) (up{job="kafka-broker"})'))
        duplicates = query(receiver, "count by (cluster, job, instance) (up) > 1")
        replica_series = query(receiver, 'count({__replica__!=""})')
        # Rates over a window the store has whole: senders batch (batch_send_deadline 5s), so the
        # window ends at the newest sample every broker has in the store.
        rates = _by_cluster(query(receiver, RATE, settled(receiver)))
        watchdogs = query(receiver, 'ALERTS{alertname="Watchdog"}')
        panels = dashboard_results(receiver)
        failed = {r: counter(p, "prometheus_remote_storage_samples_failed_total", remote_name="global")
                  for r, (p, _) in senders.items()}
        sent = {r: counter(p, "prometheus_remote_storage_samples_total", remote_name="global")
                for r, (p, _) in senders.items()}
        out_of_order = counter(receiver, "prometheus_tsdb_out_of_order_samples_total")
        # Negative controls.
        raw_counts = _by_cluster(query(raw_receiver, 'count by (cluster) (up{job="kafka-broker"})'))
        raw_rates = _by_cluster(query(raw_receiver, RATE, settled(raw_receiver)))
        retried = {r: counter(p, "prometheus_remote_storage_samples_retried_total", remote_name="throttled")
                   for r, (p, _) in senders.items()}
        throttled_failed = {r: counter(p, "prometheus_remote_storage_samples_failed_total", remote_name="throttled")
                            for r, (p, _) in senders.items()}
        noretry_failed = {r: counter(p, "prometheus_remote_storage_samples_failed_total",
                                     remote_name="throttled-noretry") for r, (p, _) in senders.items()}

        # The leader of eks-a dies: the survivor takes over after the failover timeout.
        leader = tracker.leaders["eks-a"][0]
        survivor = next(r for r in senders if r.startswith("eks-a") and r != leader)
        killed_at = time.time()
        senders[leader][1].kill()
        senders[leader][1].wait(timeout=10)

        def survivor_writes():
            newest = query(receiver, 'max(timestamp(up{cluster="eks-a",job="kafka-broker"}))')
            return newest and float(newest[0]["value"][1]) > killed_at + FAILOVER_S
        _wait(survivor_writes, deadline, "the survivor's samples in the store")
        after = _by_cluster(query(receiver, 'count by (cluster) (up{job="kafka-broker"})'))
        after_duplicates = query(receiver, "count by (cluster, job, instance) (up) > 1")
        after_failed = counter(senders[survivor][0], "prometheus_remote_storage_samples_failed_total",
                               remote_name="global")
    finally:
        stop(procs[::-1])  # senders first, then the store
        for server in servers:
            server.shutdown()

    print(f"\nglobal view: counts {counts}, rates {rates} (truth {truth}), sent {sent}, failed {failed}, "
          f"out-of-order {out_of_order}, dashboard queries {panels['queries']} ({panels['with_data']} with data); "
          f"raw counts {raw_counts}, raw rates {raw_rates}; 429: retried {retried}, failed {throttled_failed}, "
          f"no-retry failed {noretry_failed}; failover {tracker.failovers}, survivor failed after {after_failed}; "
          f"requests kept {tracker.accepted}, dropped {tracker.dropped}")
    assert counts == {"eks-a": 2, "eks-b": 2} and duplicates == [] and replica_series == []
    for kafka, rate in truth.items():
        assert abs(rates[kafka] - rate) <= 0.05 * rate, (kafka, rates[kafka], rate)
    assert all(v == 0 for v in failed.values()) and all(v > 0 for v in sent.values()) and out_of_order == 0
    assert panels["replica_labels"] == [] and panels["with_data"] >= 10
    # Each cluster's heartbeat reaches the store once, naming its cluster: a silent region shows.
    assert sorted(w["metric"]["cluster"] for w in watchdogs) == ["eks-a", "eks-b"]
    # Without replica handling every target counts twice and every rate doubles.
    assert raw_counts == {"eks-a": 4, "eks-b": 4}
    for kafka, rate in truth.items():
        assert abs(raw_rates[kafka] - 2 * rate) <= 0.1 * rate, (kafka, raw_rates[kafka])
    # A store answering 429: retried with retry_on_http_429 (nothing failed), failed without it.
    assert all(v > 0 for v in retried.values()) and all(v == 0 for v in throttled_failed.values())
    assert all(v > 0 for v in noretry_failed.values())
    # After the leader is killed: the survivor is elected and each target is still one series.
    assert tracker.failovers == [("eks-a", leader, survivor)]
    assert after == {"eks-a": 2, "eks-b": 2} and after_duplicates == []


def dashboard_results(port: int) -> dict:
    """Every Prometheus panel query of the dashboards (variables as scripts/bench-dashboards sets them)
    against the store: none may return a replica label."""
    settings = make_settings("dev")
    queries, with_data, replica_labels = 0, 0, []
    for spec in dashboards.specs(settings):
        for _, panels in spec.rows:
            for p in panels:
                if p.source != "prometheus":
                    continue
                for expr, _ in p.queries:
                    expr = _expand(expr, ".*", grafana_step(HOUR))
                    if "$" in expr:
                        continue
                    queries += 1
                    result = query(port, expr)
                    with_data += bool(result)
                    replica_labels += [r["metric"] for r in result
                                       if {"__replica__", "prometheus_replica"} & set(r["metric"])]
    return {"queries": queries, "with_data": with_data, "replica_labels": replica_labels}
