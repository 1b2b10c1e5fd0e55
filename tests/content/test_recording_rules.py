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
from content.rules import rule_files
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
        [("round(domain_le:kafka_event_processing_duration_seconds_bucket:rate5m * 15)", 600,
          [({"domain": "combat", "le": le}, n) for le, n in (("0.01", 0), ("0.05", 980), ("0.1", 1000), ("+Inf", 1000))]
          + [({"domain": "economy", "le": le}, 1000) for le in ("0.01", "0.05", "0.1", "+Inf")]),
         ("round(domain:kafka_event_processing_duration_seconds:p99_5m * 10000)", 600,
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
        (sel("up", job="kafka-broker", instance="x:1", kafka_cluster="other"), "1x40"),
        # A KRaft controller and kafka_exporter of the same cluster answer too: not brokers, so not counted
        # (with them the average would be 5/6).
        (sel("up", job="kafka-controller", instance="kafka-controller-0:7071", **C), "1x40"),
        (sel("up", job="kafka-exporter", instance="10.0.3.1:9404", **C), "1x40")],
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
          # Metadata: a request type nothing reads, so nothing records it (promtool's expected samples
          # are the whole result)
          for r, values in (("Produce", (10, 40, 25)), ("FetchConsumer", (5, 7, 6)), ("Metadata", (900, 1, 1)))
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
    # the rules that read the raw histogram (the day-long ratios read the recorded bad rate)
    exprs = [e for name, e in promtool_tests.recording_exprs(settings).items()
             if name.startswith(f"slo:{SLI_COMBAT_LATENCY}") and "_bucket" in e]
    assert exprs and all(f'domain="combat",le="{le}"' in e for e in exprs), exprs[:1]


# The day-long SLO windows average recorded 5-minute rates instead of reading the raw counters over
# days (content/recording.py slo_long_rules). Proof that the ratio is the same one: the raw ratio as
# it was written before, over three days of traffic at a scrape a minute, with failure bursts, a
# latency spike and a broker restart (counter reset) inside the windows.
DAY_M = 1440  # minutes
END_M = 3 * DAY_M + 120  # evaluated at 3 days and 2 hours


def _counter(*segments: tuple[float, int] | str) -> str:
    """promtool's expanding notation for a counter built from (increase per minute, minutes)
    segments, "reset" starting it again from 0 (a restarted broker)."""
    out, value = [], 0.0
    for seg in segments:
        if seg == "reset":
            value = 0.0
            continue
        per_min, minutes = seg
        out.append(f"{value:g}+{per_min:g}x{minutes - 1}")
        value += per_min * minutes
    return " ".join(out)


def _bursty(base: float, burst: float, restart: bool = False) -> str:
    """`base` per minute, `burst` per minute for an hour on day 1 and for 40 minutes on day 2 and a half."""
    segs: list = [(base, DAY_M + 300), (burst, 60), (base, DAY_M - 60), (burst, 40), (base, 400)]
    if restart:  # restarted at 2 days and 20 hours, inside both windows
        segs += ["reset", (base, END_M - sum(m for _, m in segs) + 1)]
    else:
        segs += [(base, END_M - sum(m for _, m in segs) + 1)]
    return _counter(*segs)


RAW_LONG = {  # the raw ratios as content/recording.py wrote them before, {w} the window
    "kafka_request_availability": (
        '(sum by (kafka_cluster) (rate(kafka_server_brokertopicmetrics_failedproducerequests_total{{topic=""}}[{w}]))'
        ' + sum by (kafka_cluster) (rate(kafka_server_brokertopicmetrics_failedfetchrequests_total{{topic=""}}[{w}])))'
        ' / (sum by (kafka_cluster) (rate(kafka_server_brokertopicmetrics_totalproducerequests_total{{topic=""}}[{w}]))'
        ' + sum by (kafka_cluster) (rate(kafka_server_brokertopicmetrics_totalfetchrequests_total{{topic=""}}[{w}])))'),
    "kafka_event_processing":
        "sum(rate(kafka_event_processing_failures_total[{w}])) / sum(rate(kafka_events_processed_total[{w}]))",
    "kafka_combat_latency":
        '1 - sum(rate(kafka_event_processing_duration_seconds_bucket{{domain="combat",le="0.05"}}[{w}]))'
        ' / sum(rate(kafka_event_processing_duration_seconds_count{{domain="combat"}}[{w}]))',
}
LONG_SERIES = [
    *[(sel(f"kafka_server_brokertopicmetrics_total{op}requests_total", **broker(i)), _bursty(6000 * (i + 1), 6000 * (i + 1), restart=i == 1))
      for i in range(3) for op in ("produce", "fetch")],
    *[(sel(f"kafka_server_brokertopicmetrics_failed{op}requests_total", **broker(i)), _bursty(3 * (i + 1), 900 * (i + 1), restart=i == 1))
      for i in range(3) for op in ("produce", "fetch")],
    (sel("kafka_events_processed_total", domain="combat", event_type="hit", status="success"), _bursty(12000, 9000)),
    (sel("kafka_events_processed_total", domain="economy", event_type="buy", status="success"), _bursty(6000, 6000, restart=True)),
    (sel("kafka_event_processing_failures_total", domain="combat", reason="timeout"), _bursty(6, 3000)),
    (sel("kafka_event_processing_duration_seconds_count", domain="combat", event_type="hit"), _bursty(12000, 12000)),
    (sel("kafka_event_processing_duration_seconds_bucket", domain="combat", event_type="hit", le="0.05"), _bursty(11990, 6000)),
]


@pytest.mark.parametrize("at_m, agrees", [(END_M, True), (DAY_M + 300 + 30 + DAY_M, False)],
                         ids=["bursts-inside-the-windows", "burst-across-the-1d-window-start"])
def test_the_day_long_ratios_from_recorded_rates_equal_the_raw_ones(tmp_path, at_m, agrees):
    """A 5-minute rate spreads a change over 5 minutes but keeps its area, so the mean of the recorded
    5-minute rates over a window is the raw increase over it (Prometheus v2.54.1 promql/functions.go
    extrapolatedRate, funcSumOverTime) when nothing changes within 5 minutes of either end of the
    window (during a change, the recorded side is the raw ratio of about 2.5 minutes earlier, the
    5-minute rate's centre: what delays the slow burns by 120 to 150 s, tests/content/alert_scenarios.py):
    with bursts and a counter reset inside the windows the ratios agree to 1e-3 of their value
    (measured: 6.5e-4 for 1d, 2.2e-4 for 3d at a sample a minute; a 2.x range holds both of its ends,
    so the recorded side counts one 5-minute rate more than the window's intervals, a share of
    1/1441 here and 1/5761 at the deployed 15 s). The near miss: with the 1d window starting in the
    middle of a burst the two differ by more than 1e-2 (measured 1.5e-2), so the check above is not
    one that always passes."""
    settings = make_settings("prod")
    records = [r for g in rule_files(settings)["kafka-slo.rules.yml"]["groups"] for r in g["rules"]
               if "record" in r and not r["record"].endswith(tuple(f"_{w}" for w in ("5m", "30m", "1h", "2h", "6h")))]
    assert {r["record"] for r in records} >= {f"slo:{sli}:error_ratio_{w}" for sli in RAW_LONG for w in ("1d", "3d")}
    (tmp_path / "slo.rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "r", "rules": records}]}))
    windows = ("1d", "3d") if agrees else ("1d",)
    check = "< bool 1e-3" if agrees else "> bool 1e-2"
    labels = {"kafka_request_availability": C, "kafka_event_processing": {}, "kafka_combat_latency": {}}
    tests = [{"expr": f"abs(slo:{sli}:error_ratio_{w} / ({raw.format(w=w)}) - 1) {check}", "eval_time": f"{at_m}m",
              "exp_samples": [{"labels": sel("", **labels[sli]), "value": 1}]}
             for sli, raw in RAW_LONG.items() for w in windows]
    doc = {"rule_files": ["slo.rules.yml"], "evaluation_interval": "1m",
           "tests": [{"interval": "1m", "input_series": [{"series": s, "values": v} for s, v in LONG_SERIES],
                      "promql_expr_test": tests}]}
    (tmp_path / "long.yml").write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 20))
    proc = subprocess.run(["promtool", "test", "rules", "long.yml"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
