"""scripts/bench-rules: what one evaluation cycle of our recording and alert rules costs on a real
Prometheus, for N Kafka clusters of the capacity plan's size, with the history every rule reads.

The history, per Kafka cluster, is the plan's cluster (content/capacity.py over the prod stack's
sizing inputs: brokers, controllers, topics, partitions, listeners, network threads): every series the
JMX rules make of Kafka's MBean census (content/kafka_census.py through the jmx_exporter model, as the
plan counts them), plus kafka_exporter's lag (the plan's consumer groups and topics per group), the
pods' and the application's series from scripts/bench-dashboards (devtools/query_bench.families), at 15 s. Only the series whose metric some rule
reads are written (the others cost the index, not an evaluation), each as far back as a rule reads it:
its longest range (or the 5-minute lookback), followed through the recording rules, so that a rule
reading a recorded 5-minute rate over 3 days gets 3 days and 5 minutes of the counters under it. The
recorded series a rule reads are backfilled with `promtool tsdb create-blocks-from rules`, level by
level (a rule over recorded series after the rules it reads).

A rule group's evaluation runs each rule's expression as an instant query at the evaluation time
(prometheus v2.54.1 rules/group.go Group.Eval; rules/manager.go EngineQueryFunc -> NewInstantQuery), one
rule after another unless concurrent evaluation is switched on (sequentialRuleEvalController); so each
rule is timed here as `/api/v1/query?time=<end>` (median of three), and a group's cycle is the sum of its
rules. Nothing here asserts.
"""
from __future__ import annotations

import argparse
import json
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

import promql_parser as pp
import yaml

from config.fields import duration_seconds
from content import jmx, kafka_census as census
from content.capacity import CONSUMER_OFFSETS_PARTITIONS
from content.jmx_exporter import export
from content.rules import rule_files
from devtools.query_bench import RUNS, STEP, TOPICS, TOPICS_PER_GROUP, Prometheus, families

LOOKBACK = 300  # Prometheus's default query.lookback-delta: an instant selector reads 5 minutes back
_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


def reads(expr: str) -> list[tuple[str, tuple[tuple[str, str, str], ...], int]]:
    """(metric, matchers, seconds of history before the evaluation time) per selector of `expr`:
    its range or the lookback, plus its offset and the ranges of the subqueries around it."""
    found = []

    def seconds(delta) -> int:
        return int(delta.total_seconds()) if delta is not None else 0

    def walk(node, extra: int) -> None:
        if isinstance(node, pp.MatrixSelector):
            vs = node.vector_selector
            found.append((vs.name, _matchers(vs), extra + seconds(node.range) + seconds(vs.offset)))
        elif isinstance(node, pp.VectorSelector):
            found.append((node.name, _matchers(node), extra + LOOKBACK + seconds(node.offset)))
        elif isinstance(node, pp.SubqueryExpr):
            walk(node.expr, extra + seconds(node.range) + seconds(node.offset))
        elif isinstance(node, pp.BinaryExpr):
            walk(node.lhs, extra)
            walk(node.rhs, extra)
        elif isinstance(node, pp.Call):
            for arg in node.args:
                walk(arg, extra)
        elif isinstance(node, pp.AggregateExpr):
            walk(node.expr, extra)
            if node.param is not None:
                walk(node.param, extra)
        elif isinstance(node, (pp.ParenExpr, pp.UnaryExpr)):
            walk(node.expr, extra)

    walk(pp.parse(expr), 0)
    return found


def _matchers(vs) -> tuple[tuple[str, str, str], ...]:
    return tuple((m.name, _OPS[str(m.op)], m.value) for m in vs.matchers.matchers if m.name != "__name__")


def _matches(labels: dict[str, str], matchers) -> bool:
    for name, op, value in matchers:
        have = labels.get(name, "")
        hit = have == value if op in ("=", "!=") else re.fullmatch(value, have) is not None
        if hit != (op in ("=", "=~")):
            return False
    return True


def needs(rules: list[dict]) -> tuple[dict[str, list], dict[str, int]]:
    """What the rules read: per metric, [(matchers, seconds)], with a recorded series' reach carried down
    to what its rule reads; and per recorded series read by a rule, how far back it must exist."""
    exprs = {r.get("record") or r["alert"]: r["expr"] for r in rules}
    records = {r["record"]: r["expr"] for r in rules if "record" in r}
    selected: dict[str, list] = {}
    for name, expr in exprs.items():
        for metric, matchers, reach in reads(expr):
            selected.setdefault(metric, []).append((matchers, reach))
    for _ in range(len(records)):  # bounded: each pass carries reach one recording level further down
        before = sum(len(v) for v in selected.values())
        for record, expr in records.items():
            reach = max((s for _, s in selected.get(record, [])), default=0)
            if reach > LOOKBACK:
                for metric, matchers, inner in reads(expr):
                    entry = (matchers, reach + inner)
                    if entry not in selected.setdefault(metric, []):
                        selected[metric].append(entry)
        if sum(len(v) for v in selected.values()) == before:
            break
    backfill = {r: max(s for _, s in selected[r]) for r in records if r in selected}
    return selected, backfill


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def kafka_jmx(cluster: str, capacity) -> list[tuple[str, dict[str, str], str, float]]:
    """(metric, labels, type, value) of one cluster's brokers and controllers, as the plan counts them."""
    config = jmx.exporter_config()
    brokers, rf = capacity.capacity_brokers_per_cluster, min(capacity.capacity_replication_factor,
                                                             capacity.capacity_brokers_per_cluster)
    topics = [f"topic-{t}" for t in range(capacity.capacity_topics_per_cluster)]
    partitions = [(topics[p % len(topics)], p) for p in range(capacity.capacity_partitions_per_cluster)]
    partitions += [("__consumer_offsets", p) for p in range(CONSUMER_OFFSETS_PARTITIONS)]
    out = []

    def add(beans, target: dict[str, str]) -> None:
        for bean in beans:
            sample = export(config, bean)
            if sample is not None:
                out.append((sample.name, {**target, **dict(sample.labels)}, sample.type, float(sample.value)))
    all_topics = [a for m in census.TOPIC_METERS
                  for a in census._attrs(f"kafka.server:type=BrokerTopicMetrics,name={m}", census.METER)]
    for i in range(brokers):
        target = {"job": "kafka-broker", "instance": f"{cluster}-broker-{i}:9404", "kafka_cluster": cluster}
        add([a for n in census.request_names(census.BROKER_APIS) for a in census.request_name(n)], target)
        add([a for n in range(census.USED_APIS) for a in census.used_api(f"Used{n}")], target)
        add(all_topics + [a for t in topics for a in census.topic(t)], target)
        hosted = [tp for k, tp in enumerate(partitions) if (k + i) % brokers < rf]
        add([a for t, p in hosted for a in census.replica(t, p)], target)
        add([a for k, (t, p) in enumerate(hosted) if (k + i) % rf for a in census.follower(t, p)], target)
        add([a for lst in range(capacity.capacity_listeners) for th in range(capacity.capacity_network_threads)
             for a in census.network_thread(f"L{lst}-909{lst}", th)], target)
    for i in range(capacity.capacity_controllers_per_cluster):
        target = {"job": "kafka-controller", "instance": f"{cluster}-controller-{i}:9404", "kafka_cluster": cluster}
        add([a for n in census.request_names(census.CONTROLLER_APIS, first=("Fetch",)) for a in census.request_name(n)],
            target)
    return out


# Per second, for the counters the SLO and throughput rules read: failures a thousandth of requests.
RATES = {"failed": 0.05, "total": 500.0, "bytes": 1e4, "messages": 100.0}


def _counter_rate(metric: str) -> float:
    return next((v for k, v in RATES.items() if k in metric), 1.0)


def history(clusters: int, capacity, end: int, selected: dict[str, list], recorded: set[str] = frozenset()):
    """Per series (metric, labels text, value at a time, seconds of history), for what the rules read."""
    start = end - 3600  # query_bench's functions count from here; a counter below 0 further back still grows
    rows = []
    for c in range(clusters):
        for metric, labels, kind, value in kafka_jmx(f"kafka-{c}", capacity):
            if metric in selected:
                fn = ((lambda t, r=_counter_rate(metric), v=value: v + r * (t - start) + 1e9) if kind == "COUNTER"
                      else (lambda t, v=value: v))
                rows.append((metric, labels, fn))
    jmx_names = {m for m, _, _ in rows}
    # bench-dashboards' groups read 5 topics each (GROUPS x TOPICS_PER_GROUP): the plan's groups and topics
    groups = {f"group-{g}": {f"topic-{(g * TOPICS_PER_GROUP + k) % TOPICS}" for k in range(capacity.capacity_topics_per_group)}
              for g in range(capacity.capacity_consumer_groups_per_cluster)}
    for metric, series in families(clusters, "healthy", end).items():
        if metric in selected and metric not in jmx_names:
            for text, fn in series:
                labels = dict(re.findall(r'(\w+)="([^"]*)"', text))
                group = labels.get("consumergroup")
                if group is not None and (group not in groups or labels.get("topic", "") not in groups[group] | {""}):
                    continue
                if metric == "kafka_consumergroup_lag_sum":  # its committed offsets, which move (kafka_exporter)
                    rows.append(("kafka_consumergroup_current_offset_sum", labels, lambda t: 1e9 + 30 * (t - start)))
                # the bench-dashboards counters start at 0 an hour before the end: shifted so that days of
                # history stay positive and increasing
                rows.append((metric, labels, (lambda t, f=fn: f(t) + 1e9) if metric.endswith("_total") else fn))
    missing = sorted(set(selected) - {m for m, _, _ in rows} - recorded)
    if missing:
        print(f"read by the rules, not in this history: {', '.join(missing)}")
    out = []
    for metric, labels, fn in rows:
        reach = max((s for m, s in selected[metric] if _matches(labels, m)), default=LOOKBACK)
        out.append((metric, _labels(labels), fn, reach))
    return out


def write(path: Path, rows, end: int) -> tuple[int, int]:
    """OpenMetrics, families contiguous; (series, samples)."""
    by_metric: dict[str, list] = {}
    for metric, labels, fn, reach in rows:
        by_metric.setdefault(metric, []).append((labels, fn, reach))
    samples = 0
    with path.open("w") as out:
        for metric, series in by_metric.items():
            out.write(f"# TYPE {metric} gauge\n")
            for labels, fn, reach in series:
                first = end - ((reach + 2 * STEP) // STEP) * STEP
                out.writelines(f"{metric}{labels} {fn(t):.10g} {t}\n" for t in range(first, end + 1, STEP))
                samples += (end - first) // STEP + 1
        out.write("# EOF\n")
    return len(rows), samples


def backfill(settings, tsdb: Path, work: Path, end: int, wanted: dict[str, int]) -> None:
    """The recorded series some rule reads, over as long as it reads them, level by level."""
    rules = [r for doc in rule_files(settings).values() for g in doc["groups"] for r in g["rules"] if "record" in r]
    done: set[str] = set()
    for level in range(len(rules)):  # bounded by the number of recording rules
        ready = [r for r in rules if r["record"] in wanted and r["record"] not in done
                 and not any(m in wanted and m not in done for m, _, _ in reads(r["expr"]))]
        if not ready:
            break
        for reach in sorted({wanted[r["record"]] for r in ready}):
            batch = [r for r in ready if wanted[r["record"]] == reach]
            path = work / f"level-{level}-{reach}.rules.yml"
            path.write_text(yaml.safe_dump({"groups": [{"name": "backfill", "interval": f"{STEP}s", "rules": batch}]}))
            out = work / "rule-blocks"
            with Prometheus(tsdb, work) as prom:
                subprocess.run(["promtool", "tsdb", "create-blocks-from", "rules", f"--start={end - reach - STEP}",
                                f"--end={end}", f"--url={prom.url}", f"--output-dir={out}",
                                f"--eval-interval={STEP}s", str(path)], check=True, capture_output=True, timeout=3600)
            for block in out.iterdir():
                shutil.move(str(block), tsdb / block.name)
        done |= {r["record"] for r in ready}


def prepare(clusters: int, settings, capacity, work: Path) -> tuple[Path, int, int, int]:
    """(TSDB, its end, series, samples) with the recorded series the rules read backfilled."""
    end = (int(time.time()) // STEP) * STEP - 60
    rules = [r for doc in rule_files(settings).values() for g in doc["groups"] for r in g["rules"]]
    selected, wanted = needs(rules)
    raw, tsdb = work / "history.om", work / "tsdb"
    recorded = {r["record"] for r in rules if "record" in r}
    series, samples = write(raw, history(clusters, capacity, end, selected, recorded), end)
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(raw), str(tsdb)], check=True,
                   capture_output=True, timeout=3600)
    raw.unlink()
    backfill(settings, tsdb, work, end, wanted)
    return tsdb, end, series, samples


def instant(prom: Prometheus, expr: str, at: int) -> tuple[float, int]:
    params = urllib.parse.urlencode({"query": expr, "time": at})
    begin = time.perf_counter()
    with urllib.request.urlopen(f"{prom.url}/api/v1/query?{params}", timeout=600) as r:
        body = json.loads(r.read())
    return time.perf_counter() - begin, len(body["data"]["result"])


def measure(prom: Prometheus, settings, end: int) -> list[tuple[str, str, str, float, int, str]]:
    """(file, group, rule, seconds, series, group interval) for every rule."""
    rows = []
    for name, doc in rule_files(settings).items():
        for group in doc["groups"]:
            interval = group.get("interval", settings.evaluation_interval)
            for rule in group["rules"]:
                times, series = [], 0
                for _ in range(RUNS):
                    seconds, series = instant(prom, rule["expr"], end)
                    times.append(seconds)
                rows.append((name, group["name"], rule.get("record") or rule.get("alert"), statistics.median(times),
                             series, interval))
    return rows


def _report(clusters: int, series: int, samples: int, rows: list, interval_s: float) -> None:
    groups: dict[tuple[str, str, str], float] = {}
    for name, group, _, seconds, _, interval in rows:
        groups[(name, group, interval)] = groups.get((name, group, interval), 0.0) + seconds
    total = sum(groups.values())
    share = sum(s / duration_seconds(i) for (_, _, i), s in groups.items())
    print(f"\n## {clusters} cluster(s): {series} series read by the rules, {samples} samples\n")
    print("| rule file | group | interval | s per cycle | % of its interval |")
    print("|---|---|---|---:|---:|")
    for (name, group, interval), seconds in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {group} | {interval} | {seconds:.3f} | {100 * seconds / duration_seconds(interval):.1f} |")
    print(f"\nall groups, one cycle each: {total:.3f} s, {100 * total / interval_s:.1f} % of the {interval_s:g} s "
          f"evaluation interval; each group against its own interval: {100 * share:.1f} % of the time "
          "(target: under 10 %)")
    print("slowest rules: " + ", ".join(f"{r[2]} {r[3]:.3f} s" for r in sorted(rows, key=lambda r: -r[3])[:5]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench-rules", description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, nargs="+", default=[1, 10, 50])
    args = parser.parse_args(argv)
    for tool in ("prometheus", "promtool"):
        if not shutil.which(tool):
            print(f"scripts/bench-rules: {tool} is not installed", file=sys.stderr)
            return 3
    from config.sections import CapacityArgs
    from tests.conftest import make_settings
    for n in args.clusters:
        settings = make_settings("prod", clusters=[f"kafka-{i} ns=kafka-{i} preset=strimzi" for i in range(n)])
        with tempfile.TemporaryDirectory(prefix="bench-rules-") as tmp:
            tsdb, end, series, samples = prepare(n, settings, CapacityArgs.of(make_settings("prod")), Path(tmp))
            with Prometheus(tsdb, Path(tmp)) as prom:
                rows = measure(prom, settings, end)
            _report(n, series, samples, rows, duration_seconds(settings.evaluation_interval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
