"""Recorded series are named once, in content/signals.py: the recording rules define exactly those
names, and no other content module spells one out."""
from __future__ import annotations

import re

from content import signals
from tests.conftest import ROOT, make_settings
from tests.content import promtool_tests


def _declared() -> set[str]:
    names = {v for k, v in vars(signals).items() if k.isupper() and isinstance(v, str) and ":" in v}
    slis = (signals.SLI_AVAILABILITY, signals.SLI_EVENT_ERRORS, signals.SLI_COMBAT_LATENCY)
    return (names | {signals.error_ratio(sli, w) for sli in slis for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")}
            | {rate(sli) for sli in slis for rate in (signals.bad_rate, signals.all_rate)})


def test_the_recording_rules_define_exactly_the_declared_signals():
    recorded = set(promtool_tests.recording_exprs(make_settings("prod")))
    assert recorded == _declared()


def test_no_other_module_retypes_a_recorded_series_name():
    """A literal like "kafka_cluster:kafka_offline_partitions:sum" outside signals.py would drift."""
    pattern = re.compile(r"[a-z_]+:[a-z_]+:[a-z0-9_]+")
    found = {}
    for path in sorted((ROOT / "content").glob("*.py")):
        if path.name == "signals.py":
            continue
        hits = [m for m in pattern.findall(path.read_text()) if not m.startswith(("http", "arn:", "aws:"))]
        if hits:
            found[path.name] = hits
    assert found == {}
