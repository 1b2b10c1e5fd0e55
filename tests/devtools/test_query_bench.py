"""The benchmark's Prometheus (devtools/query_bench.py), which the dashboard tests query too.

free_port() hands out a port that was free when asked; a Prometheus of a parallel run (CI runs the live
tests beside the suite; the mutation runners two workers) can bind it first. The second Prometheus then
exits at once (listen fails), and a readiness check by URL alone would be answered by the first one,
with its data: a dashboard test once failed that way under load.
"""
from __future__ import annotations

import json
import shutil
import urllib.request

import pytest

from devtools import query_bench as qb

pytestmark = pytest.mark.skipif(not shutil.which("prometheus"), reason="prometheus is not installed")


def _tsdb_path(url: str) -> str:
    with urllib.request.urlopen(f"{url}/api/v1/status/flags", timeout=5) as r:
        return json.loads(r.read())["data"]["storage.tsdb.path"]


def test_a_prometheus_whose_port_is_taken_starts_again_on_another_and_serves_its_own_tsdb(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with qb.Prometheus(tmp_path / "a" / "tsdb", tmp_path / "a") as first:
        taken = int(first.url.rsplit(":", 1)[1])
        ports = iter([taken, qb.free_port()])
        monkeypatch.setattr(qb, "free_port", lambda: next(ports))
        with qb.Prometheus(tmp_path / "b" / "tsdb", tmp_path / "b") as second:
            assert second.url != first.url
            assert _tsdb_path(second.url) == str(tmp_path / "b" / "tsdb")
            assert _tsdb_path(first.url) == str(tmp_path / "a" / "tsdb")


def test_three_taken_ports_are_an_error_not_another_prometheus(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with qb.Prometheus(tmp_path / "a" / "tsdb", tmp_path / "a") as first:
        taken = int(first.url.rsplit(":", 1)[1])
        monkeypatch.setattr(qb, "free_port", lambda: taken)
        with pytest.raises(RuntimeError, match="on a port of its own"):
            with qb.Prometheus(tmp_path / "b" / "tsdb", tmp_path / "b"):
                pass
