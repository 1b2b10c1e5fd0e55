"""The alerts against the fault shapes real clusters have (tests/content/fault_shapes.py), run by promtool.

Each shape is hours of healthy, noisy history and then a fault placed at its worst moment: partial
failures that flap or not, latency and lag and disk use that ramp, or planned work (Strimzi's
rolling restart of a broker, a KRaft controller failover, a reassignment that keeps min ISR) and
quiet traffic. The pages come at the measured times (docs/alert-detection.md) and every critical
one within 3 minutes of the worst-case fault moment; planned work raises no critical or high alert,
quiet traffic and a disk that sits still raise none at all; the early disk warning comes before the
critical page at every fill rate from 0.1 to 5 %/min. Where each model comes from is in the
fault_shapes docstring.
"""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import make_settings
from tests.content import promtool_tests
from tests.content.fault_shapes import DISK_RATES, FAULTS, HISTORY, STEP, Fault

pytestmark = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
SETTINGS = make_settings("prod")
ALERTS = promtool_tests.alert_meta(SETTINGS)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every shape's promtool file, run two at a time (one per core)."""
    folder = tmp_path_factory.mktemp("faults")
    paths = [promtool_tests.fault_test(SETTINGS, f, f.shape(), folder) for f in FAULTS]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda p: promtool_tests.run([p]), paths))
    return {f.id: r for f, r in zip(FAULTS, runs)}


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.id)
def test_fault_shape_pages_on_time_or_stays_quiet(results, fault: Fault):
    result = results[fault.id]
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


def test_the_shapes_cover_what_the_targets_name():
    """Every P0 symptom with a shape that crosses it, the disk rates 0.1 to 5 %/min, the planned work."""
    paged = {alert for f in FAULTS for alert, _ in f.pages}
    assert {"KafkaBrokerRequestsFailing", "KafkaCombatLatencyCritical", "KafkaDiskSpaceCritical",
            "KafkaHighConsumerLag", "KafkaEventProcessingFailed", "KafkaSASLAuthFailuresSpike"} <= paged
    assert all(ALERTS[a]["labels"]["severity"] == "critical" for a in paged)
    assert min(DISK_RATES) == 0.1 and max(DISK_RATES) == 5
    assert {"rolling-restart", "controller-failover", "reassignment", "quiet"} <= {f.id for f in FAULTS}


def test_every_shape_starts_from_hours_of_healthy_noisy_history():
    for fault in FAULTS:
        shape = fault.shape()
        assert shape.worst >= HISTORY - STEP
        # Every series present from the start (a restarted pod's new series begins later) is whole.
        history = [v for values in shape.series.values() if values[0] is not None for v in values[: HISTORY // STEP]]
        assert None not in history, fault.id
        moving = [k for k, values in shape.series.items()
                  if len(set(values[: HISTORY // STEP])) > 1]
        assert moving, fault.id


def test_broker_latency_reads_a_fetchs_queue_and_local_time_not_its_wait_for_data(tmp_path):
    """KafkaBrokerRequestLatencyHigh, by promtool on one broker's FetchConsumer timers. TotalTimeMs is
    RequestQueue + Local + Remote + Throttle + ResponseQueue + ResponseSend (apache/kafka 3.8.0,
    RequestChannel.Request.updateRequestMetrics), and a fetch that finds too little data waits in
    the fetch purgatory up to the consumer's fetch.max.wait.ms (ReplicaManager.fetchMessages,
    DelayedFetch; ConsumerConfig.DEFAULT_FETCH_MAX_WAIT_MS = 500) as remote time. So a fetch slow in
    the broker's queue or handler fires; one that only waits 900 ms for data does not."""
    from tests.content.alert_scenarios import broker
    rule = "KafkaBrokerRequestLatencyHigh"
    labels = {"kafka_cluster": "kafka", "request": "FetchConsumer"}

    def case(queue: float, local: float, total: float, fires: bool) -> dict:
        series = [{"series": "kafka_network_requestmetrics_" + name + "{" + ",".join(
            f'{k}="{v}"' for k, v in {**broker(0), "request": "FetchConsumer", "quantile": "0.99"}.items()) + "}",
                   "values": f"{value:g}x40"} for name, value in (("requestqueuetimems", queue),
                                                                  ("localtimems", local), ("totaltimems", total))]
        firing = {"alertname": rule, "alertstate": "firing", **labels, **ALERTS[rule]["labels"]}
        return {"interval": "15s", "input_series": series, "promql_expr_test": [
            {"eval_time": "8m", "expr": f'ALERTS{{alertname="{rule}"}}',
             "exp_samples": [{"labels": "ALERTS{" + ",".join(f'{k}="{v}"' for k, v in firing.items()) + "}",
                              "value": 1}] if fires else []}]}
    limit = SETTINGS.broker_request_p99_latency_ms
    tests = [case(limit + 100, 1, limit + 600, True), case(1, limit + 100, limit + 600, True),
             case(1, 2, limit + 400, False), case(limit, limit, 2 * limit, False)]
    proc = promtool_tests.run_alert_tests(SETTINGS, tmp_path, rule, tests)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_the_detection_table_is_generated_from_the_scenarios_and_shapes_as_they_are():
    """docs/alert-detection.md is what `scripts/detection-table` writes now: a changed time, shape
    or alert shows up as a stale document here, not in a reader's page."""
    from tests.content.detection_doc import DOC, render
    assert DOC.read_text() == render()
