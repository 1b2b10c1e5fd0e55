"""The rule benchmark keeps each series as long as a rule reads it (devtools/rule_bench.py): what it
reads is taken from the PromQL parser, and a recorded series read over a range carries that range
down to the series its rule reads."""
from __future__ import annotations

from devtools.rule_bench import LOOKBACK, _matches, needs, reads

DAY = 86400


def test_reads_takes_ranges_offsets_subqueries_and_the_lookback():
    found = reads('sum_over_time(a{x="1"}[3d] offset 1h) / b + max_over_time(rate(c[5m])[1h:1m])')
    assert sorted(found) == [("a", (("x", "=", "1"),), 3 * DAY + 3600), ("b", (), LOOKBACK), ("c", (), 3600 + 300)]


def test_a_range_over_a_recorded_series_reaches_down_to_the_raw_counters():
    """A 3-day window over a recorded 5-minute rate needs its counters 3 days and 5 minutes back; an
    instant read of a recorded series (the alert) needs nothing more than the lookback below it."""
    rules = [{"record": "bad:rate5m", "expr": 'sum(rate(failed_total{topic=""}[5m]))'},
             {"record": "ratio_3d", "expr": "sum_over_time(bad:rate5m[3d])"},
             {"record": "p99", "expr": "max(latency)"},
             {"alert": "A", "expr": "ratio_3d > 0.001 and p99 > 5"}]
    selected, backfill = needs(rules)
    assert backfill == {"bad:rate5m": 3 * DAY, "ratio_3d": LOOKBACK, "p99": LOOKBACK}
    assert max(s for _, s in selected["failed_total"]) == 3 * DAY + 300
    assert max(s for _, s in selected["latency"]) == LOOKBACK  # near miss: read instantly by an instant read
    (matchers, _), = [e for e in selected["failed_total"] if e[1] == 3 * DAY + 300]
    assert _matches({"topic": ""}, matchers) and not _matches({"topic": "orders"}, matchers)
    assert not _matches({}, (("topic", "=~", "a.*"),)) and _matches({"topic": "x"}, (("topic", "!~", "a.*"),))
