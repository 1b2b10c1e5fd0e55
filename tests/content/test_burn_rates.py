"""Burn-rate alerts between each pair of thresholds, evaluated by promtool on the recorded ratios.

The Google SRE workbook (ch. 5, "Alerting on SLOs", multiwindow multi-burn-rate alerts) pages when
the budget burns 14.4x over 1 h and 5 min, or 6x over 6 h and 30 min, and tickets at 3x over 1 d and
2 h, or 1x over 3 d and 6 h; each pair needs both of its windows above the rate. The inputs are the
slo:* recorded series themselves (the recording rules have their own promtool cases), so that each
case sets every window exactly: one burn rate in every window between two thresholds, and each pair
on its own at 5 % above and below its rate.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from config.sections import AlertingArgs
from content import slo
from content.rules import rule_files
from tests.conftest import make_settings
from tests.content import promtool_tests

pytestmark = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")

S = make_settings("prod")
OBJECTIVES = slo.objectives(AlertingArgs.of(S))
WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
# The workbook's pairs, written here and not read from content/slo.py.
PAGE = (("1h", "5m", 14.4), ("6h", "30m", 6.0))
TICKET = (("1d", "2h", 3.0), ("3d", "6h", 1.0))
CLUSTER = {"kafka_cluster": "kafka"}
# Each objective's error budget, from the settings' targets and not from content/slo.py: 1 - the
# availability target; the tolerated failure ratio; and for a P99 latency target the 1 % of events
# a 99th percentile leaves above it.
BUDGET = {"KafkaAvailabilitySLO": 1 - S.availability_slo_percent / 100,
          "KafkaEventErrorRateSLO": S.error_rate_slo_percent / 100,
          "KafkaCombatLatencySLO": 1 - 0.99}


def _case(o: slo.Objective, ratios: dict[str, float], fast: bool, slow: bool, rules: dict[str, dict]) -> dict:
    labels = CLUSTER if o.by else {}
    series = [{"series": f"slo:{o.sli}:error_ratio_{w}" + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items())
                                                           + "}" if labels else ""),
               "values": f"{ratios.get(w, 0) * BUDGET[o.name]:.9g}x40"} for w in WINDOWS]
    checks = [{"eval_time": "20m", "alertname": name,
               "exp_alerts": [promtool_tests.expected_alert(rules[name], labels)] if fires else []}
              for name, fires in ((f"{o.name}FastBurn", fast), (f"{o.name}SlowBurn", slow))]
    return {"name": f"{o.name} {ratios}", "interval": "1m", "input_series": series, "alert_rule_test": checks}


def _cases(o: slo.Objective, rules: dict[str, dict]) -> list[dict]:
    cases = []
    # The same burn rate in every window, between each pair of thresholds.
    for rate, fast, slow in ((15, True, True), (10, True, True), (5, False, True), (2, False, True),
                             (0.5, False, False)):
        cases.append(_case(o, dict.fromkeys(WINDOWS, rate), fast, slow, rules))
    # Each pair alone: both windows 0.1 % above its rate fire; either window 0.1 % below does not.
    for pairs, is_page in ((PAGE, True), (TICKET, False)):
        for long, short, rate in pairs:
            for long_x, short_x in ((1.001, 1.001), (1.001, 0.999), (0.999, 1.001)):
                fires = long_x > 1 and short_x > 1
                cases.append(_case(o, {long: rate * long_x, short: rate * short_x},
                                   fires and is_page, fires and not is_page, rules))
    if o.by:  # one cluster burning over the long window and another over the short: neither pages
        long, short, rate = PAGE[0]
        series = [{"series": f'slo:{o.sli}:error_ratio_{w}{{kafka_cluster="{c}"}}',
                   "values": f"{(rate * 1.5 if w == burning else 0) * BUDGET[o.name]:.9g}x40"}
                  for c, burning in (("a", long), ("b", short)) for w in WINDOWS]
        cases.append({"name": f"{o.name} split across clusters", "interval": "1m", "input_series": series,
                      "alert_rule_test": [{"eval_time": "20m", "alertname": f"{o.name}FastBurn", "exp_alerts": []}]})
    return cases


def test_each_burn_rate_pages_tickets_or_stays_quiet_as_the_workbook_says(tmp_path):
    groups = [g for doc in rule_files(S).values() for g in doc["groups"] if g["name"] == "kafka.slo"]
    rules = {r["alert"]: r for g in groups for r in g["rules"]}
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": groups}))
    tests = [c for o in OBJECTIVES for c in _cases(o, rules)]
    assert len(tests) == 3 * (5 + 12) + sum(1 for o in OBJECTIVES if o.by)  # the split case per clustered SLO
    (tmp_path / "test.yml").write_text(yaml.safe_dump({"rule_files": ["rules.yml"], "evaluation_interval": "1m",
                                                        "tests": tests}, sort_keys=False, width=1 << 20))
    proc = subprocess.run(["promtool", "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_burn_rate_severities_match_how_fast_they_fire():
    """A fast burn pages (critical) only where its promtool scenario fires within the critical target
    of the worst-case fault moment on a total failure; a slower fast burn is high, and every slow burn
    a ticket (warning): the workbook's page and ticket roles at the speed each objective can give.
    The times are the scenarios' (tests/content/alert_scenarios.py), which promtool asserts."""
    from tests.content.alert_scenarios import SCENARIOS
    meta = promtool_tests.alert_meta(S)
    target = promtool_tests.DETECTION_TARGET_S["critical"]
    for sc in SCENARIOS:
        if "SLO" not in sc.alert:
            continue
        severity = meta[sc.alert]["labels"]["severity"]
        if sc.alert.endswith("SlowBurn"):
            assert severity == "warning", sc.alert
        else:
            assert severity == ("critical" if sc.worst_case_detect <= target else "high"), sc.alert
