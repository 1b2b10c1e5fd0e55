"""Every SLO ratio fed inputs that differ where a wrong ratio would differ, run by promtool.

The availability SLI is failed produce plus failed fetch requests over all produce plus fetch requests
(content/recording.py). With the same failure ratio on both, an SLI that counted only produce, only
fetch, or divided failed produce by fetch requests would record the same number. Here one cluster's
fetches fail and its produces do not, the other's the reverse, at different rates, windows up to 2 h
are checked, and the per-topic series (which must not count) fail far more.

Kafka's BrokerTopicMetrics count the all-topics series without a topic label, beside per-topic
series (kafka core BrokerTopicStats, allTopicsStats); kafka_exporter/jmx_exporter export them as
`topic=""` there (tests/content/kafka_mbeans.py).
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from tests.conftest import make_settings
from tests.content import promtool_tests
from tests.content.alert_scenarios import sel

pytestmark = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")

# Per broker and second, two brokers per cluster. Powers of two keep every sum exact.
RATES = {  # cluster -> (produce total, produce failed, fetch total, fetch failed)
    "kafka": (64, 0, 16, 4),  # fetch fails: 4 / 80 = 5 %; produce only: 0 %; fetch only: 25 %
    "other": (16, 8, 64, 0),  # produce fails: 8 / 80 = 10 %; fetch only: 0 %; produce only: 50 %
}
EXPECTED = {"kafka": 500, "other": 1000}  # error ratio x 10000


def _series() -> list[dict]:
    out = []
    for cluster, (p_total, p_failed, f_total, f_failed) in RATES.items():
        for i in range(2):
            where = {"job": "kafka-broker", "instance": f"{cluster}-broker-{i}:7071", "kafka_cluster": cluster}
            for kind, op, per_s in (("total", "produce", p_total), ("failed", "produce", p_failed),
                                    ("total", "fetch", f_total), ("failed", "fetch", f_failed)):
                metric = f"kafka_server_brokertopicmetrics_{kind}{op}requests_total"
                out.append({"series": sel(metric, **where), "values": f"0+{per_s * 15}x600"})
                # A per-topic series failing every request: counted, it would move every ratio.
                out.append({"series": sel(metric, **where, topic="combat-events"), "values": "0+1500x600"})
    return out


def test_request_availability_counts_failed_produce_and_fetch_over_all_of_them_per_cluster(tmp_path):
    records = [r for r in promtool_tests.rules(make_settings("prod")) if "record" in r]
    (tmp_path / "recording.rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "r", "rules": records}]}))
    # 600 samples of 15 s: 2.5 hours of data, enough for every window up to 2 h (the longer ones share
    # the expression with a longer range).
    checks = [{"expr": f"round(slo:kafka_request_availability:error_ratio_{w} * 10000)", "eval_time": "150m",
               "exp_samples": [{"labels": sel("", kafka_cluster=c), "value": v} for c, v in EXPECTED.items()]}
              for w in ("5m", "30m", "1h", "2h")]
    doc = {"rule_files": ["recording.rules.yml"], "evaluation_interval": "1m",
           "tests": [{"name": "asymmetric produce and fetch failures", "interval": "15s",
                      "input_series": _series(), "promql_expr_test": checks}]}
    (tmp_path / "ratios.yml").write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 20))
    proc = subprocess.run(["promtool", "test", "rules", "ratios.yml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
