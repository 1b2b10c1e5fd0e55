"""Every unit a duration or a size setting takes, each read as its system reads it, with near misses.

Prometheus durations (prometheus/common model.ParseDuration: units y = 365 d, w = 7 d, d, h, m, s,
ms, largest first; tests/config/test_fields.py checks the accepted forms against amtool); Kubernetes quantities as the chart's volume claim takes them (binary suffixes
Mi, Gi, Ti of k8s.io/apimachinery resource.Quantity; the setting allows those three, not 0).
"""
from __future__ import annotations

import pytest

from config import fields


@pytest.mark.parametrize(("text", "seconds"), [
    ("1y", 365 * 86400.0), ("2w", 14 * 86400.0), ("3d", 3 * 86400.0), ("4h", 4 * 3600.0), ("5m", 300.0),
    ("6s", 6.0), ("250ms", 0.25), ("1y2w3d4h5m6s7ms", 365 * 86400 + 14 * 86400 + 3 * 86400 + 4 * 3600 + 306.007),
    ("1m30s", 90.0), ("1h1ms", 3600.001),
])
def test_each_unit_counts_what_prometheus_counts(text, seconds):
    assert fields.duration_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["1M", "1H", "1 h", "30s1m", "1.5h", "-5m", "1ns", "1us"])
def test_near_misses_are_no_durations(text):
    assert fields.duration_seconds(text) is None


@pytest.mark.parametrize(("size", "ok"), [
    ("512Mi", True), ("200Gi", True), ("2Ti", True), ("999999Gi", True),
    ("0Gi", False), ("200G", False), ("200gi", False), ("1Pi", False), ("1000000Gi", False), ("200", False),
    ("1.5Ti", False),
])
def test_the_storage_size_takes_mi_gi_and_ti(size, ok):
    assert fields.rules()["prometheusStorageSize"].ok(size) is ok
