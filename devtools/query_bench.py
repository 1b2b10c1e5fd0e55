"""scripts/bench-dashboards: what each dashboard panel costs on a real Prometheus, on a synthetic cluster.

The history is written here and loaded the way an operator would backfill:
1. an hour (plus a warm-up for 5-minute rates) of raw series at 15 s, as OpenMetrics, for N clusters
   of 3 brokers and 3 controllers, 100 topics (10 partitions each, per-topic and all-topic series,
   produced in bursts), 200 consumer groups reading 5 topics each, three event domains. Consumer lag
   is realistic: a caught-up group's lag is what was produced since its last commit (Kafka's 5 s
   auto-commit, at a phase unrelated to the scrape), so it changes at every scrape; group membership
   dips now and then (rebalances). Three scenarios: healthy (noise only), incident (a few groups
   lagging persistently) and one lagging group;
2. `promtool tsdb create-blocks-from openmetrics` into a fresh TSDB;
3. `prometheus` on 127.0.0.1 over that TSDB, and `promtool tsdb create-blocks-from rules` with our
   own recording rules against it; the rule blocks are added and Prometheus restarted;
4. every Prometheus panel's queries over the last hour (the dashboards' default range) at Grafana's
   step for it (grafana_step) with $__rate_interval and $__range as Grafana fills them, with the
   variables at their default (the first cluster) and at All; three runs each, the median kept.
It reports, per panel and scenario, the series Grafana draws (the union over the range), seconds and
whether the panel has data; and the same for the top-N panels' queries before they ranked once, so
that the benchmark shows the number it exists to catch. Nothing here asserts.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

import yaml

from content import dashboards
from content import signals as sig
from content.catalogue import kafka_pods
from content.rules import rule_files
from harness.tools import free_port

STEP = 15
HOUR = 3600
WARMUP = 15 * 60
BROKERS, CONTROLLERS, TOPICS, GROUPS, TOPICS_PER_GROUP = 3, 3, 100, 200, 5
DOMAINS = {"combat": ("hit", "kill", "spawn"), "economy": ("buy", "sell", "trade"), "social": ("chat", "join", "leave")}
BUCKETS = ("0.001", "0.005", "0.01", "0.05", "0.1", "0.5", "1", "+Inf")
RUNS = 3
MAX_DATA_POINTS = 1000  # Grafana asks for about one point per pixel of the panel's width
COMMIT_INTERVAL_S = 5  # Kafka's auto.commit.interval.ms default, 5000 ms
INCIDENT_GROUPS = 5  # an incident: a few groups lagging persistently
SCENARIOS = ("healthy", "incident", "one-group")
EXPECTED_EMPTY = ("ALERTS",)  # nothing fires on a healthy synthetic cluster


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


Family = dict[str, list[tuple[str, Callable[[int], float]]]]  # metric -> [(labels, value at a time)]


def grafana_step(range_s: int, max_data_points: int = MAX_DATA_POINTS, min_interval: int = STEP) -> int:
    """The step Grafana's Prometheus datasource sends (grafana pkg/promlib/models/query.go
    calculatePrometheusInterval, pkg/promlib/intervalv2 Calculate): range / maxDataPoints, rounded
    by gtime.RoundInterval, but never under the datasource's timeInterval (our scrape interval) nor
    under range / 11000; `$__rate_interval` is then max(step + scrape, 4 x scrape)."""
    def rounded(seconds: float) -> int:
        for limit, value in ((17.5, 15), (25, 20), (45, 30), (90, 60), (210, 120), (450, 300), (750, 600),
                             (1050, 900), (1500, 1200), (2700, 1800), (5400, 3600), (9000, 7200)):
            if seconds <= limit:
                return value
        return 10800
    calculated, safe = range_s / max_data_points, range_s / 11000
    step = min_interval if calculated < min_interval else rounded(calculated)
    return max(step, rounded(safe)) if safe > min_interval else step  # rounded() starts at 15 s


def rate_interval(step: int, scrape: int = STEP) -> int:
    return max(step + scrape, 4 * scrape)


def sawtooth_lag(rng: random.Random, per_s: float) -> Callable[[int], float]:
    """A caught-up consumer's lag as kafka_exporter reads it: what was produced since its last
    commit. An auto-committing consumer commits every auto.commit.interval.ms, 5000 ms by default
    (apache/kafka clients ConsumerConfig.java: `.define(AUTO_COMMIT_INTERVAL_MS_CONFIG, Type.INT,
    5000, ...)`), at a phase unrelated to the scrape: each scrape sees the production of a random
    0-5 s, at a rate that itself wanders a little."""
    return lambda t: round(per_s * rng.uniform(0.7, 1.3) * rng.uniform(0, COMMIT_INTERVAL_S))


def lagging(start_lag: float, per_s: float, since: int, until: int | None = None,
            noise: Callable[[int], float] = lambda t: 0.0) -> Callable[[int], float]:
    """A group falling behind from `since` (a Unix time) at per_s messages a second, caught up again
    at `until`; before and after, its commit noise."""
    def value(t: int) -> float:
        if t < since or (until is not None and t >= until):
            return noise(t)
        return start_lag + per_s * (t - since)
    return value


def families(clusters: int, scenario: str = "healthy", end: int = 0, seed: int = 7) -> Family:
    """Every series of N clusters; consumer lag as `scenario` says (SCENARIOS). Counters grow
    linearly, gauges sit still, except where real ones are noisy (lag, group membership)."""
    f: Family = {}
    rng = random.Random(seed)
    start = end - HOUR - WARMUP

    def add(metric: str, labels: dict, value: float | Callable[[int], float], per_s: float = 0.0) -> None:
        fn = value if callable(value) else (lambda t, v=value, r=per_s: v + r * (t - start))
        f.setdefault(metric, []).append((_labels(**labels), fn))
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
                # produced in bursts: each scrape's count is off the mean by up to half a scrape's worth
                add("kafka_server_brokertopicmetrics_messagesin_total", {**b, "topic": topic},
                    lambda t, r=random.Random(rng.random()), v=10 * scale: v * (t - start) + r.uniform(0, v * STEP / 2))
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
        laggards = {"healthy": 0, "incident": INCIDENT_GROUPS, "one-group": 1}[scenario]
        for g in range(GROUPS):
            group = f"group-{g}"
            # a rebalance now and then: a member leaves for a scrape or two (a deploy, a long GC)
            dips = {start + STEP * rng.randrange((HOUR + WARMUP) // STEP) for _ in range(rng.randrange(3))}
            add("kafka_consumergroup_members", {**exporter, "consumergroup": group},
                lambda t, d=dips: 2 if any(0 <= t - x < 2 * STEP for x in d) else 3)
            for t in range(TOPICS_PER_GROUP):
                topic = f"topic-{(g * TOPICS_PER_GROUP + t) % TOPICS}"
                noise = sawtooth_lag(random.Random(rng.random()), 30)  # 3 brokers x 10 msg/s a topic
                lag = noise if g >= laggards else lagging(2000 * (g + 1), 5 * (g + 1), since=end - HOUR // 2,
                                                          noise=noise)
                add("kafka_consumergroup_lag_sum", {**exporter, "consumergroup": group, "topic": topic}, lag)
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


def write_openmetrics(path: Path, family: Family, start: int, end: int) -> int:
    """Every family's series in time order (OpenMetrics: families contiguous); returns the series count."""
    count = 0
    with path.open("w") as out:
        for metric, series in family.items():
            out.write(f"# TYPE {metric} gauge\n")
            for labels, value in series:
                count += 1
                out.writelines(f"{metric}{labels} {value(t):.6g} {t}\n" for t in range(start, end + 1, STEP))
        out.write("# EOF\n")
    return count


def load(family: Family, tsdb: Path, workdir: Path, start: int, end: int) -> int:
    """The series written as OpenMetrics and backfilled into `tsdb` with promtool; the series count."""
    raw = workdir / "history.om"
    series = write_openmetrics(raw, family, start, end)
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(raw), str(tsdb)], check=True,
                   capture_output=True, timeout=1800)
    raw.unlink()
    return series


class Prometheus:
    def __init__(self, tsdb: Path, workdir: Path):
        self.tsdb, self.workdir, self.proc = tsdb, workdir, None
        self.url = ""

    def __enter__(self) -> "Prometheus":
        config = self.workdir / "prometheus.yml"
        config.write_text(yaml.safe_dump({"global": {"scrape_interval": f"{STEP}s"}}))
        # free_port() only asked the kernel for a port that was free then: another process (a second
        # Prometheus of a parallel run) may take it first. Then ours exits, and /-/ready would answer
        # from the other one, with other data. So: ours must be alive and serve our TSDB, else retry.
        for _ in range(3):
            port = free_port()
            self.url = f"http://127.0.0.1:{port}"
            self.proc = subprocess.Popen(
                ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={self.tsdb}",
                 f"--web.listen-address=127.0.0.1:{port}", "--storage.tsdb.retention.time=3650d"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._ready():
                return self
            self.__exit__()
        raise RuntimeError("prometheus did not become ready on a port of its own")

    def _ready(self) -> bool:
        for _ in range(240):  # bounded: up to 60 s for the TSDB to open
            if self.proc.poll() is not None:  # it exited: its port was taken
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as r:
                    ready = r.status == 200
                if ready:
                    with urllib.request.urlopen(f"{self.url}/api/v1/status/flags", timeout=1) as r:
                        return json.loads(r.read())["data"].get("storage.tsdb.path") == str(self.tsdb)
            except OSError:
                pass
            time.sleep(0.25)
        return False

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def query_range(self, expr: str, start: int, end: int, step: int = STEP) -> tuple[float, list]:
        params = urllib.parse.urlencode({"query": expr, "start": start, "end": end, "step": step})
        begin = time.perf_counter()
        with urllib.request.urlopen(f"{self.url}/api/v1/query_range?{params}", timeout=60) as r:
            body = json.loads(r.read())
        return time.perf_counter() - begin, body["data"]["result"]


def _expand(expr: str, cluster: str, step: int, range_s: int = HOUR, k8s_cluster: str = ".*") -> str:
    """The query as Grafana's backend sends it (pkg/promlib/models/query.go interpolateVariables)
    with the variables at their default (`cluster`; the Kubernetes cluster at All, `.*`) and every
    drill-down variable at All."""
    out = (expr.replace("$__rate_interval", f"{rate_interval(step)}s").replace("$__range", f"{range_s}s")
           .replace('=~"$cluster"', f'=~"{cluster}"').replace('=~"$k8s_cluster"', f'=~"{k8s_cluster}"'))
    for var in ("$broker", "$topic", "$consumergroup"):
        out = out.replace(var, ".*")
    return out


def old_queries(settings) -> dict[str, str]:
    """The top-N panels as they were before ranking once, each `topk` ranking every step on its own
    (Pod Restarts: not ranked at all), measured beside the current ones, so that the benchmark shows
    what it catches."""
    top = settings.dashboard_top_n
    c = 'kafka_cluster=~"$cluster"'
    lag = f'topk({top}, {sig.GROUP_TOPIC_LAG}{{{c},consumergroup=~"$consumergroup",topic=~"$topic"}})'
    return {
        "Consumer Lag": lag, "Consumer Lag Trends": lag,
        "Queue Depth": f'topk({top}, sum by (consumergroup) ({sig.GROUP_LAG}{{{c},consumergroup=~"$consumergroup"}}))',
        "Rebalancing Events": f'topk({top}, sum by (consumergroup) (changes(kafka_consumergroup_members'
                              f'{{{c},consumergroup=~"$consumergroup"}}[$__rate_interval])))',
        "Throughput": f'topk({top}, {sig.TOPIC_MESSAGES_IN}{{{c},topic=~"$topic"}})',
        "Pod Restarts": f"sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total"
                        f"{{{kafka_pods(settings.clusters)}}}[$__rate_interval]))",
    }


def measure(prom: Prometheus, settings, end: int, cluster: str) -> list[tuple[str, str, float, int, bool]]:
    """Per Prometheus panel: (dashboard, panel, seconds, union of series over the range, has data)."""
    step = grafana_step(HOUR)
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
                        t, result = prom.query_range(_expand(expr, cluster, step), end - HOUR, end, step)
                        times.append(t)
                    seconds += statistics.median(times)
                    series += len(result)
                    data |= any(r["values"] for r in result)
                expected_empty = all(any(m in e for m in EXPECTED_EMPTY) for e, _ in p.queries)
                rows.append((spec.title, p.title, seconds, series, data or expected_empty))
    return rows


def measure_old(prom: Prometheus, settings, end: int, cluster: str) -> dict[str, int]:
    step = grafana_step(HOUR)
    return {title: len(prom.query_range(_expand(expr, cluster, step), end - HOUR, end, step)[1])
            for title, expr in old_queries(settings).items()}


def recording_levels(settings) -> list[list[dict]]:
    """Our recording rules by level: each reads raw series and series of earlier levels only.
    `promtool tsdb create-blocks-from rules` evaluates every rule against the Prometheus it queries and
    writes blocks beside it, so a rule reading a series recorded in the same run reads nothing."""
    rules = [r for doc in rule_files(settings).values() for g in doc["groups"] for r in g["rules"] if "record" in r]
    names = {r["record"] for r in rules}
    levels: list[list[dict]] = []
    done: set[str] = set()
    for _ in range(len(rules)):  # bounded: every pass places at least one rule, or stops
        ready = [r for r in rules if r["record"] not in done
                 and not (set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", r["expr"])) & names) - done]
        if not ready:
            break
        levels.append(ready)
        done |= {r["record"] for r in ready}
    assert done == names, f"recording rules that read each other in a circle: {sorted(names - done)}"
    return levels


def recording_files(settings, workdir: Path) -> list[str]:
    """One rule file per recording level, in order, evaluated every scrape interval."""
    files = []
    for i, rules in enumerate(recording_levels(settings)):
        path = workdir / f"recording-level-{i}.rules.yml"
        path.write_text(yaml.safe_dump({"groups": [{"name": f"level-{i}", "interval": f"{STEP}s", "rules": rules}]}))
        files.append(str(path))
    return files


def backfill(tsdb: Path, workdir: Path, files: list[str], start: int, end: int) -> list[Path]:
    """Each file's recorded series from `start` to `end` into `tsdb`, one file (level) after the other,
    each evaluated on a Prometheus that holds the levels before it; the blocks it added."""
    added = []
    for i, path in enumerate(files):
        out = workdir / f"rule-blocks-{tsdb.name}-{i}"
        with Prometheus(tsdb, workdir) as prom:
            subprocess.run(["promtool", "tsdb", "create-blocks-from", "rules", f"--start={start}", f"--end={end}",
                            f"--url={prom.url}", f"--output-dir={out}", f"--eval-interval={STEP}s", path],
                           check=True, capture_output=True, timeout=1800)
        for block in out.iterdir():
            added.append(tsdb / block.name)
            shutil.move(str(block), added[-1])
    return added


def run(clusters: int, settings, workdir: Path, scenario: str = "healthy") -> dict:
    tsdb, end, series = prepare(clusters, settings, workdir, scenario)
    with Prometheus(tsdb, workdir) as prom:
        return {"raw_series": series, "default": measure(prom, settings, end, "kafka-0"),
                "all": measure(prom, settings, end, ".*"), "old": measure_old(prom, settings, end, "kafka-0"),
                "old_all": measure_old(prom, settings, end, ".*")}


def prepare(clusters: int, settings, workdir: Path, scenario: str = "healthy") -> tuple[Path, int, int]:
    """The synthetic history with our recording rules backfilled: (TSDB directory, its end, raw series)."""
    end = (int(time.time()) // STEP) * STEP - 60
    start = end - HOUR - WARMUP
    tsdb = workdir / "tsdb"
    series = load(families(clusters, scenario, end), tsdb, workdir, start, end)
    backfill(tsdb, workdir, recording_files(settings, workdir), start, end)
    return tsdb, end, series


def _report(clusters: int, results: dict[str, dict], top: int) -> None:
    first = results[SCENARIOS[0]]
    print(f"\n## {clusters} cluster(s): {first['raw_series']} raw series, 1 h at Grafana's step "
          f"{grafana_step(HOUR)} s ($__rate_interval {rate_interval(grafana_step(HOUR))} s); top N = {top}\n")
    print("Series per panel: the union over the hour, as Grafana draws them (default cluster; All in brackets).\n")
    print("| dashboard | panel | " + " | ".join(SCENARIOS) + " | s (default) | s (All) | data |")
    print("|---|---|" + "---:|" * len(SCENARIOS) + "---:|---:|---|")
    for i, (board, panel, sec, _, data) in enumerate(first["default"]):
        cells = " | ".join(f"{results[sc]['default'][i][3]} ({results[sc]['all'][i][3]})" for sc in SCENARIOS)
        print(f"| {board} | {panel} | {cells} | {sec:.3f} | {first['all'][i][2]:.3f} | "
              f"{'yes' if data else 'NO DATA'} |")
    print("\nThe same top-N panels with `topk` ranking every step (the queries before ranking once):\n")
    print("| panel | " + " | ".join(SCENARIOS) + " |")
    print("|---|" + "---:|" * len(SCENARIOS))
    for title in first["old"]:
        print(f"| {title} | " + " | ".join(f"{results[sc]['old'][title]} ({results[sc]['old_all'][title]})"
                                         for sc in SCENARIOS) + " |")
    for view in ("default", "all"):
        rows = first[view]
        per_board: dict[str, float] = {}
        for board, _, sec, _, _ in rows:
            per_board[board] = per_board.get(board, 0.0) + sec
        most = max(r[3] for sc in SCENARIOS for r in results[sc][view])
        print(f"\n{view}: full refresh of the four dashboards {sum(r[2] for r in rows):.2f} s (queries one after "
              f"another; Grafana runs them in parallel; per dashboard: "
              + ", ".join(f"{b} {s:.2f} s" for b, s in per_board.items())
              + f"), slowest panel {max(r[2] for r in rows):.3f} s, most series in any scenario {most}, "
              f"panels without data {sum(not r[4] for r in rows)}")


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
        results = {}
        for scenario in SCENARIOS:
            with tempfile.TemporaryDirectory(prefix="bench-dashboards-") as tmp:
                results[scenario] = run(n, settings, Path(tmp), scenario)
        _report(n, results, settings.dashboard_top_n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
