"""Recording rules on mixed-label data, with promtool: the numbers that alerts and panels read.

Each case feeds realistic series (several controllers, brokers, domains, per-topic plus all-topics
series, one broker down) and asserts the recorded value, so a rule that sums the wrong series,
loses a label or computes another quantile fails.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.conftest import make_settings
from tests.content.alert_scenarios import broker, controller, sel
from tests.content import promtool_tests
from content.signals import SLI_COMBAT_LATENCY

pytestmark = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
C = {"kafka_cluster": "kafka"}


def _case(name: str, series: list[tuple[str, str]], checks: list[tuple[str, int, list[tuple[dict, float]]]]) -> dict:
    return {"name": name, "interval": "15s",
            "input_series": [{"series": s, "values": v} for s, v in series],
            "promql_expr_test": [{"expr": expr, "eval_time": f"{at}s",
                                  "exp_samples": [{"labels": sel("" if "(" in expr else expr, **labels),
                                                   "value": value}
                                                  for labels, value in samples]}
                                 for expr, at, samples in checks]}


CASES = [
    _case("offline partitions come from the active controller only", [
        (sel("kafka_controller_kafkacontroller_activecontrollercount", **controller(i)), "0x40" if i != 1 else "1x40")
        for i in range(3)] + [
        (sel("kafka_controller_kafkacontroller_offlinepartitionscount", **controller(i)), "4x40") for i in range(3)],
        [("kafka_cluster:kafka_offline_partitions:sum", 300, [(C, 4)])]),
    _case("request availability counts all-topics series only, over every broker that answers", [
        *[(sel(f"kafka_server_brokertopicmetrics_total{op}requests_total", **broker(i), **topic), "0+1500x40")
          for i in (0, 2) for op in ("produce", "fetch") for topic in ({}, {"topic": "combat-events"})],
        *[(sel(f"kafka_server_brokertopicmetrics_failed{op}requests_total", **broker(i), **topic), "0+15x40")
          for i in (0, 2) for op in ("produce", "fetch") for topic in ({}, {"topic": "combat-events"})],
        (sel("up", **broker(1)), "0x40")],
        [("slo:kafka_request_availability:error_ratio_5m", 600, [(C, 0.01)])]),
    _case("p99 per domain, not across domains", [
        *[(sel("kafka_event_processing_duration_seconds_bucket", domain="combat", event_type="hit", le=le), f"0+{n}x40")
          for le, n in (("0.01", 0), ("0.05", 980), ("0.1", 1000), ("+Inf", 1000))],
        *[(sel("kafka_event_processing_duration_seconds_bucket", domain="economy", event_type="buy", le=le),
           f"0+{n}x40") for le, n in (("0.01", 1000), ("0.05", 1000), ("0.1", 1000), ("+Inf", 1000))]],
        # combat: 98 % under 50 ms, 2 % between 50 and 100 ms -> p99 interpolates to 75 ms.
        [("round(domain:kafka_event_processing_duration_seconds:p99_5m * 10000)", 600,
          [({"domain": "combat"}, 750), ({"domain": "economy"}, 99)]),
         ("round(domain:kafka_event_processing_duration_seconds:p99_2m * 10000)", 600,
          [({"domain": "combat"}, 750), ({"domain": "economy"}, 99)])]),
    _case("the 2-minute p99 sees the last 2 minutes only: 2 % of events turn slow at 480 s", [
        *[(sel("kafka_event_processing_duration_seconds_bucket", domain="combat", event_type="hit", le=le), values)
          for le, values in (("0.01", "0x40"), ("0.05", "0+1000x31 31980+980x8"), ("0.1", "0+1000x31 31980+980x8"),
                             ("0.5", "0+1000x40"), ("+Inf", "0+1000x40"))]],
        # 2 minutes: 98 % under 50 ms, 2 % in (0.1, 0.5] -> 0.1 + 0.4 * (99 - 98) / 2 = 0.3 s; 5 minutes:
        # 180 slow events in 20000, so the p99 stays in (0.01, 0.05]: 0.01 + 0.04 * 19800 / 19820.
        [("round(domain:kafka_event_processing_duration_seconds:p99_2m * 10000)", 600, [({"domain": "combat"}, 3000)]),
         ("round(domain:kafka_event_processing_duration_seconds:p99_5m * 10000)", 600, [({"domain": "combat"}, 500)])]),
    _case("broker availability averages the brokers of each cluster", [
        (sel("up", **broker(0)), "1x40"), (sel("up", **broker(1)), "0x40"), (sel("up", **broker(2)), "1x40"),
        (sel("up", **broker(3)), "1x40"),
        (sel("up", job="kafka-broker", instance="x:1", kafka_cluster="other"), "1x40")],
        # one of four down: 0.75 is exact in binary (2/3 was not, and promtool compares exactly: the sum
        # order decided the last digit), and tells avg from min (0) and max (1).
        [("kafka_cluster:kafka_broker_up:avg", 300, [(C, 0.75), ({"kafka_cluster": "other"}, 1)])]),
    _case("lag is summed per group and topic, and per group", [
        (sel("kafka_consumergroup_lag_sum", consumergroup="g", topic=t, job="kafka-exporter", instance="e", **C),
         f"{n}x40") for t, n in (("a", 10), ("b", 30))],
        [("kafka_cluster_consumergroup_topic:kafka_consumergroup_lag:sum", 300,
          [({**C, "consumergroup": "g", "topic": "a"}, 10), ({**C, "consumergroup": "g", "topic": "b"}, 30)]),
         ("kafka_cluster_consumergroup:kafka_consumergroup_lag:sum", 300, [({**C, "consumergroup": "g"}, 40)])]),
]

# Per broker and second; "" is the all-topics series. Powers of two, so that sums are exact (promtool
# compares exactly).
TOPICS = {"": 16, "combat-events": 8, "economy-events": 4}
SCALE = {"messagesin": 1, "bytesin": 1024, "bytesout": 2048}


def _per_s(per_s: float) -> str:
    return f"0+{per_s * 15:g}x40"


CASES += [
    _case("throughput sums the all-topics series per cluster and the per-topic series per topic, over brokers", [
        (sel(f"kafka_server_brokertopicmetrics_{m}_total", **broker(i), **({"topic": t} if t else {})),
         _per_s(n * k)) for m, k in SCALE.items() for i in range(3) for t, n in TOPICS.items()],
        [(f"kafka_cluster:kafka_{name}:rate5m", 600, [(C, 48 * SCALE[m])])
         for m, name in (("messagesin", "messages_in"), ("bytesin", "bytes_in"), ("bytesout", "bytes_out"))]
        + [(f"kafka_cluster_topic:kafka_{name}:rate5m", 600,
            [({**C, "topic": "combat-events"}, 24 * SCALE[m]), ({**C, "topic": "economy-events"}, 12 * SCALE[m])])
           for m, name in (("messagesin", "messages_in"), ("bytesin", "bytes_in"), ("bytesout", "bytes_out"))]),
    _case("request p99 is the worst broker's 0.99 quantile, per request type", [
        *[(sel(f"kafka_network_requestmetrics_{m}", **broker(i), request=r, quantile=q), f"{v * k}x40")
          for m, k in (("totaltimems", 1), ("requestqueuetimems", 3), ("localtimems", 5))
          for r, values in (("Produce", (10, 40, 25)), ("FetchConsumer", (5, 7, 6)))
          for i, v in enumerate(values) for q, v in (("0.99", v), ("0.50", 100 + v))]],
        [("kafka_cluster_request:kafka_request_total_time_ms:p99_max", 300,
          [({**C, "request": "Produce"}, 40), ({**C, "request": "FetchConsumer"}, 7)]),
         ("kafka_cluster_request:kafka_request_queue_time_ms:p99_max", 300,
          [({**C, "request": "Produce"}, 120), ({**C, "request": "FetchConsumer"}, 21)]),
         ("kafka_cluster_request:kafka_request_local_time_ms:p99_max", 300,
          [({**C, "request": "Produce"}, 200), ({**C, "request": "FetchConsumer"}, 35)])]),
    _case("under-replicated partitions sum over brokers; fenced brokers as the active controller counts them", [
        *[(sel("kafka_server_replicamanager_underreplicatedpartitions", **broker(i)), f"{n}x40")
          for i, n in enumerate((2, 0, 3))],
        *[(sel("kafka_controller_kafkacontroller_activecontrollercount", **controller(i)), f"{int(i == 1)}x40")
          for i in range(3)],
        *[(sel("kafka_controller_kafkacontroller_fencedbrokercount", **controller(i)), f"{1 if i == 1 else 2}x40")
          for i in range(3)]],
        [("kafka_cluster:kafka_under_replicated_partitions:sum", 300, [(C, 5)]),
         ("kafka_cluster:kafka_fenced_brokers:max", 300, [(C, 1)]),
         ("kafka_cluster:kafka_active_controllers:sum", 300, [(C, 1)])]),
    _case("event rates per domain, type and status, in total, and failures; the event-processing SLO ratio", [
        (sel("kafka_events_processed_total", domain="combat", event_type="hit", status="success"), _per_s(10)),
        (sel("kafka_events_processed_total", domain="combat", event_type="hit", status="failure"), _per_s(1)),
        (sel("kafka_events_processed_total", domain="economy", event_type="buy", status="success"), _per_s(5)),
        (sel("kafka_event_processing_failures_total", domain="combat", reason="timeout"), _per_s(1)),
        (sel("kafka_event_processing_failures_total", domain="economy", reason="invalid"), _per_s(2))],
        [("domain_event_type_status:kafka_events_processed:rate5m", 600, [
            ({"domain": "combat", "event_type": "hit", "status": "success"}, 10),
            ({"domain": "combat", "event_type": "hit", "status": "failure"}, 1),
            ({"domain": "economy", "event_type": "buy", "status": "success"}, 5)]),
         ("kafka_events_processed:rate5m", 600, [({}, 16)]),
         ("kafka_event_processing_failures:rate5m", 600, [({}, 3)]),
         ("round(slo:kafka_event_processing:error_ratio_5m * 10000)", 600, [({}, 1875)])]),
    _case("p50 per domain, and the combat-latency SLO counts combat events slower than 50 ms", [
        *[(sel("kafka_event_processing_duration_seconds_bucket", domain=d, event_type="e", le=le), _per_s(n))
          for d, buckets in (("combat", (("0.01", 16), ("0.05", 48), ("0.1", 64), ("+Inf", 64))),
                             ("economy", (("0.01", 64), ("0.05", 64), ("0.1", 64), ("+Inf", 64))))
          for le, n in buckets],
        *[(sel("kafka_event_processing_duration_seconds_count", domain=d, event_type="e"), _per_s(64))
          for d in ("combat", "economy")]],
        # combat: a quarter under 10 ms, half between 10 and 50 ms -> p50 interpolates to 30 ms
        [("round(domain:kafka_event_processing_duration_seconds:p50_5m * 10000)", 600,
          [({"domain": "combat"}, 300), ({"domain": "economy"}, 50)]),
         ("round(slo:kafka_combat_latency:error_ratio_5m * 10000)", 600, [({}, 2500)])]),
]


def test_recording_rules_compute_what_their_names_promise(tmp_path):
    # Every recording rule in one group, in declared order (each reads only what comes before it).
    records = [r for r in promtool_tests.rules(make_settings("prod")) if "record" in r]
    (tmp_path / "recording.rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "r", "rules": records}]}))
    doc = {"rule_files": ["recording.rules.yml"], "evaluation_interval": "15s", "tests": CASES}
    (tmp_path / "recording.yml").write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 20))
    proc = subprocess.run(["promtool", "test", "rules", "recording.yml"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_recording_rule_has_a_case():
    """The SLO windows past 5 minutes share the 5-minute expression with a longer range (content/slo.py)."""
    records = set(promtool_tests.recording_exprs(make_settings("prod")))
    cased = {e["expr"].split("(")[-1].split(" ")[0].rstrip(")") for c in CASES for e in c["promql_expr_test"]}
    assert {r for r in records if not r.startswith("slo:") or r.endswith("_5m")} <= cased


@pytest.mark.parametrize("target_ms, le", [(100, "0.1"), (99, "0.05"), (1000, "1")])
def test_a_latency_objective_on_a_bucket_boundary_counts_that_bucket_as_good(target_ms, le):
    """A histogram bucket counts events at or below its `le` (Prometheus histograms are cumulative),
    so a 100 ms objective is met by the le="0.1" bucket; 99 ms needs the next bucket down."""
    settings = make_settings("prod", combatP99LatencyMs=target_ms, combatP99CriticalLatencyMs=5000)
    exprs = [e for name, e in promtool_tests.recording_exprs(settings).items()
             if name.startswith(f"slo:{SLI_COMBAT_LATENCY}:")]
    assert exprs and all(f'domain="combat",le="{le}"' in e for e in exprs), exprs[:1]
