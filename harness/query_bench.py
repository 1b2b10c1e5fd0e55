"""scripts/bench-dashboards: what each dashboard panel costs on a real Prometheus, on a synthetic cluster.

The history is written here and loaded the way an operator would backfill:
1. an hour (plus a warm-up for 5-minute rates) of raw series at 15 s, as OpenMetrics, for N clusters
   of 3 brokers and 3 controllers, 100 topics (10 partitions each, per-topic and all-topic series),
   200 consumer groups reading 5 topics each, three event domains;
2. `promtool tsdb create-blocks-from openmetrics` into a fresh TSDB;
3. `prometheus` on 127.0.0.1 over that TSDB, and `promtool tsdb create-blocks-from rules` with our
   own recording rules against it; the rule blocks are added and Prometheus restarted;
4. every Prometheus panel's queries over the last hour at a 15 s step, as Grafana sends them
   ($__rate_interval = 4 x scrape interval), with the variables at their default (the first
   cluster) and at All; three runs each, the median kept.
It reports seconds, series and whether the panel has data, per panel; nothing here asserts.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

from content import dashboards
from content.rules import rule_files
from harness.tools import free_port

STEP = 15
HOUR = 3600
WARMUP = 15 * 60
BROKERS, CONTROLLERS, TOPICS, GROUPS, TOPICS_PER_GROUP = 3, 3, 100, 200, 5
DOMAINS = {"combat": ("hit", "kill", "spawn"), "economy": ("buy", "sell", "trade"), "social": ("chat", "join", "leave")}
BUCKETS = ("0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "+Inf")
RUNS = 3
EXPECTED_EMPTY = ("ALERTS",)  # nothing fires on a healthy synthetic cluster


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def families(clusters: int) -> dict[str, list[tuple[str, float, float]]]:
    """metric -> [(labels, start value, increase per second)]: gauges have an increase of 0."""
    f: dict[str, list[tuple[str, float, float]]] = {}

    def add(metric: str, labels: dict, value: float, per_s: float = 0.0) -> None:
        f.setdefault(metric, []).append((_labels(**labels), value, per_s))
    for c in range(clusters):
        cl = f"kafka-{c}"
        brokers = [{"job": "kafka-broker", "instance": f"{cl}-broker-{i}:9404", "kafka_cluster": cl}
                   for i in range(BROKERS)]
        controllers = [{"job": "kafka-controller", "instance": f"{cl}-controller-{i}:9404", "kafka_cluster": cl}
                       for i in range(CONTROLLERS)]
        for i, b in enumerate(brokers):
            add("up", b, 1)
            for topic in [""] + [f"topic-{t}" for t in range(TOPICS)]:
                scale = 100 if topic == "" else 1
                add("kafka_server_brokertopicmetrics_messagesin_total", {**b, "topic": topic}, 0, 10 * scale)
                add("kafka_server_brokertopicmetrics_bytesin_total", {**b, "topic": topic}, 0, 1e4 * scale)
                add("kafka_server_brokertopicmetrics_bytesout_total", {**b, "topic": topic}, 0, 2e4 * scale)
            for name, per_s in (("totalproducerequests", 500), ("totalfetchrequests", 900),
                                ("failedproducerequests", 0.05), ("failedfetchrequests", 0.05)):
                add(f"kafka_server_brokertopicmetrics_{name}_total", {**b, "topic": ""}, 0, per_s)
            for request in ("Produce", "FetchConsumer", "FetchFollower"):
                for q in ("0.50", "0.99"):
                    add("kafka_network_requestmetrics_totaltimems", {**b, "request": request, "quantile": q}, 12)
                    add("kafka_network_requestmetrics_requestqueuetimems", {**b, "request": request, "quantile": q}, 1)
                    add("kafka_network_requestmetrics_throttletimems", {**b, "request": request, "quantile": q}, 0)
                add("kafka_network_requestmetrics_errors_total", {**b, "request": request, "error": "NONE"}, 0, 0)
            # a client without the ACL it needs: the denials a real cluster shows now and then
            add("kafka_network_requestmetrics_errors_total", {**b, "request": "Fetch",
                                                              "error": "TOPIC_AUTHORIZATION_FAILED"}, 0, 0.01)
            for listener in ("TLS-9093", "REPLICATION-9091"):
                add("kafka_server_socket_server_metrics_connection_count", {**b, "listener": listener}, 40)
                add("kafka_server_socket_server_metrics_successful_authentication_total", {**b, "listener": listener},
                    0, 5)
                add("kafka_server_socket_server_metrics_failed_authentication_total", {**b, "listener": listener},
                    0, 0.01)
            for name in ("underreplicatedpartitions", "underminisrpartitioncount"):
                add(f"kafka_server_replicamanager_{name}", b, 0)
            for name in ("isrshrinks", "isrexpands"):
                add(f"kafka_server_replicamanager_{name}_total", b, 0, 0.001)
            add("jvm_memory_used_bytes", {**b, "area": "heap"}, 2e9)
            add("jvm_memory_max_bytes", {**b, "area": "heap"}, 4e9)
            add("process_cpu_seconds_total", b, 0, 0.4)
            # kube-state-metrics' view of the broker pod: a restart now and then
            add("kube_pod_container_status_restarts_total", {"job": "kube-state-metrics", "namespace": cl,
                                                             "pod": f"{cl}-kafka-{i}", "container": "kafka"}, 0, 1e-4)
            add("kafka_log_logmanager_offlinelogdirectorycount", b, 0)
            pvc = {"persistentvolumeclaim": f"data-{cl}-kafka-{i}", "namespace": cl}
            add("kubelet_volume_stats_used_bytes", pvc, 2e11)
            add("kubelet_volume_stats_capacity_bytes", pvc, 5e11)
        for i, ctl in enumerate(controllers):
            add("up", ctl, 1)
            add("kafka_controller_kafkacontroller_activecontrollercount", ctl, 1 if i == 0 else 0)
            add("kafka_controller_kafkacontroller_offlinepartitionscount", ctl, 0)
            add("kafka_controller_kafkacontroller_fencedbrokercount", ctl, 0)
            add("kafka_controller_controllerstats_uncleanleaderelections_total", ctl, 0, 0)
        exporter = {"job": "kafka-exporter", "instance": f"{cl}-exporter:9308", "kafka_cluster": cl}
        add("up", exporter, 1)
        for g in range(GROUPS):
            group = f"group-{g}"
            add("kafka_consumergroup_members", {**exporter, "consumergroup": group}, 3)
            for t in range(TOPICS_PER_GROUP):
                topic = f"topic-{(g * TOPICS_PER_GROUP + t) % TOPICS}"
                add("kafka_consumergroup_lag_sum", {**exporter, "consumergroup": group, "topic": topic},
                    (g * 37 + t * 11) % 5000)
        add("probe_ssl_earliest_cert_expiry", {"job": "kafka-tls-probe", "instance": f"{cl}-bootstrap:9093",
                                               "kafka_cluster": cl}, time.time() + 90 * 86400)
    app = {"job": "kafka-event-core", "pod": "event-core-0"}
    for domain, types in DOMAINS.items():
        for event_type in types:
            for status in ("success", "failure"):
                add("kafka_events_processed_total", {**app, "domain": domain, "event_type": event_type,
                                                     "status": status}, 0, 200 if status == "success" else 0.2)
            for i, le in enumerate(BUCKETS):
                add("kafka_event_processing_duration_seconds_bucket",
                    {**app, "domain": domain, "event_type": event_type, "le": le}, 0, 200 * min(1, (i + 1) / 5))
            add("kafka_event_processing_duration_seconds_count", {**app, "domain": domain, "event_type": event_type},
                0, 200)
    add("kafka_event_processing_failures_total", app, 0, 0.6)
    add("rate_limit_hits_total", {"job": "realtime-gateway", "service": "gateway", "limit_type": "ip"}, 0, 0.1)
    add("up", {"job": "realtime-gateway", "instance": "gateway-1:8080"}, 0)  # one target down, as fleets have
    for output in ("es.0", "opensearch.1"):  # Fluent Bit's outputs, with a rare drop and failed retry
        add("fluentbit_output_dropped_records_total", {"job": "fluent-bit", "name": output}, 0, 1e-3)
        add("fluentbit_output_retries_failed_total", {"job": "fluent-bit", "name": output}, 0, 1e-3)
    return f


def write_openmetrics(path: Path, clusters: int, end: int) -> int:
    """Every family's series in time order (OpenMetrics: families contiguous); returns the series count."""
    start = end - HOUR - WARMUP
    count = 0
    with path.open("w") as out:
        for metric, series in families(clusters).items():
            out.write(f"# TYPE {metric} gauge\n")
            for labels, value, per_s in series:
                count += 1
                out.writelines(f"{metric}{labels} {value + per_s * (t - start):.6g} {t}\n"
                               for t in range(start, end + 1, STEP))
        out.write("# EOF\n")
    return count


class Prometheus:
    def __init__(self, tsdb: Path, workdir: Path):
        self.tsdb, self.workdir, self.proc = tsdb, workdir, None
        self.url = ""

    def __enter__(self) -> "Prometheus":
        config = self.workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump({"global": {"scrape_interval": f"{STEP}s"}}))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={self.tsdb}",
             f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=3650d"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(240):  # bounded: up to 60 s for the TSDB to open
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            time.sleep(0.25)
        raise RuntimeError("prometheus did not become ready")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def query_range(self, expr: str, start: int, end: int) -> tuple[float, list]:
        params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": STEP})
        begin = time.perf_counter()
        with urllib.request.urlopen(f"{self.url}/api/v1/query_range?{params}", timeout=60) as r:
            body = json.loads(r.read())
        return time.perf_counter() - begin, body["data"]["result"]


def _expand(expr: str, cluster: str) -> str:
    out = expr.replace("$__rate_interval", f"{4 * STEP}s").replace('=~"$cluster"', f'=~"{cluster}"')
    for var in ("$broker", "$topic", "$consumergroup"):
        out = out.replace(var, ".*")
    return out


def measure(prom: Prometheus, settings, end: int, cluster: str) -> list[tuple[str, str, float, int, bool]]:
    rows = []
    for spec in dashboards.specs(settings):
        for _, panels in spec.rows:
            for p in panels:
                if p.source != "prometheus" or not p.queries:
                    continue
                seconds, series, data = 0.0, 0, False  # the default cluster: the first, as the variable's current
                for expr, _ in p.queries:
                    times, result = [], []
                    for _ in range(RUNS):
                        t, result = prom.query_range(_expand(expr, cluster), end - HOUR, end)
                        times.append(t)
                    seconds += statistics.median(times)
                    series += len(result)
                    data |= any(r["values"] for r in result)
                expected_empty = all(any(m in e for m in EXPECTED_EMPTY) for e, _ in p.queries)
                rows.append((spec.title, p.title, seconds, series, data or expected_empty))
    return rows


def run(clusters: int, settings, workdir: Path) -> dict:
    tsdb, end, series = prepare(clusters, settings, workdir)
    with Prometheus(tsdb, workdir) as prom:
        return {"raw_series": series, "default": measure(prom, settings, end, "kafka-0"),
                "all": measure(prom, settings, end, ".*")}


def prepare(clusters: int, settings, workdir: Path) -> tuple[Path, int, int]:
    """The synthetic history with our recording rules backfilled: (TSDB directory, its end, raw series)."""
    end = (int(time.time()) // STEP) * STEP - 60
    raw, tsdb, rules_out = workdir / "history.om", workdir / "tsdb", workdir / "rule-blocks"
    series = write_openmetrics(raw, clusters, end)
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(raw), str(tsdb)], check=True,
                   capture_output=True, timeout=1800)
    raw.unlink()
    files = []
    for name, doc in rule_files(settings).items():
        recording = [{"name": g["name"], "interval": f"{STEP}s", "rules": [r for r in g["rules"] if "record" in r]}
                     for g in doc["groups"]]
        recording = [g for g in recording if g["rules"]]
        if recording:
            path = workdir / name
            path.write_text(yaml.safe_dump({"groups": recording}))
            files.append(str(path))
    with Prometheus(tsdb, workdir) as prom:
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "rules", f"--start={end - HOUR - WARMUP}",
                        f"--end={end}", f"--url={prom.url}", f"--output-dir={rules_out}", f"--eval-interval={STEP}s",
                        *files], check=True, capture_output=True, timeout=1800)
    for block in rules_out.iterdir():
        shutil.move(str(block), tsdb / block.name)
    return tsdb, end, series


def _report(clusters: int, result: dict) -> None:
    print(f"\n## {clusters} cluster(s): {result['raw_series']} raw series, 1 h at {STEP} s\n")
    print("| dashboard | panel | s (default) | series (default) | data | s (All) | series (All) |")
    print("|---|---|---:|---:|---|---:|---:|")
    for (board, panel, sec, series, data), (_, _, sec_all, series_all, _) in zip(result["default"], result["all"]):
        print(f"| {board} | {panel} | {sec:.3f} | {series} | {'yes' if data else 'NO DATA'} | {sec_all:.3f} | "
              f"{series_all} |")
    for view in ("default", "all"):
        rows = result[view]
        print(f"\n{view}: full refresh of the four dashboards {sum(r[2] for r in rows):.2f} s (queries one after "
              f"another; Grafana runs them in parallel), slowest panel {max(r[2] for r in rows):.3f} s, "
              f"most series {max(r[3] for r in rows)}, panels without data {sum(not r[4] for r in rows)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench-dashboards", description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args(argv)
    for tool in ("prometheus", "promtool"):
        if not shutil.which(tool):
            print(f"scripts/bench-dashboards: {tool} is not installed", file=sys.stderr)
            return 3
    from tests.conftest import make_settings
    for n in args.clusters:
        settings = make_settings("prod", clusters=[f"kafka-{i} ns=kafka-{i} preset=strimzi" for i in range(n)])
        with tempfile.TemporaryDirectory(prefix="bench-dashboards-") as tmp:
            _report(n, run(n, settings, Path(tmp)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
