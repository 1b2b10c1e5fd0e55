"""Render alert scenarios into promtool unit-test files and run them."""
from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from content.rules import rule_files
from config.settings import Settings
from tests.content.alert_scenarios import STEP, Scenario


def _rules(settings: Settings) -> list[dict]:
    return [r for doc in rule_files(settings).values() for g in doc["groups"] for r in g["rules"]]


def alert_meta(settings: Settings) -> dict[str, dict]:
    return {r["alert"]: r for r in _rules(settings) if "alert" in r}


def _alerts(name: str, state: str | None, labels: dict[str, str]) -> str:
    selector = {"alertname": name, **({"alertstate": state} if state else {}), **labels}
    return "ALERTS{" + ",".join(f'{k}="{v}"' for k, v in selector.items()) + "}"


def _ts(seconds: int) -> str:
    return f"{seconds}s"


def firing_test(sc: Scenario, rule: dict) -> dict:
    """Firing at `detect` after the fault, and not one evaluation earlier."""
    fire_at = sc.onset + sc.detect
    labels = {**sc.labels, **rule["labels"]}
    checks = [{"expr": _alerts(sc.alert, "firing", {}), "eval_time": _ts(fire_at),
               "exp_samples": [{"labels": _alerts(sc.alert, "firing", labels), "value": 1}]},
              {"expr": _alerts(sc.alert, "firing", {}), "eval_time": _ts(fire_at - STEP), "exp_samples": []}]
    return {"name": f"{sc.alert} fires {sc.detect}s after the fault", "interval": _ts(sc.interval),
            "input_series": [{"series": s, "values": v} for s, v in sc.fault], "promql_expr_test": checks}


def quiet_test(sc: Scenario) -> dict:
    checks = [{"expr": _alerts(sc.alert, None, {}), "eval_time": _ts(sc.onset + t), "exp_samples": []}
              for t in (sc.quiet_for // 2, sc.quiet_for)]
    return {"name": f"{sc.alert} stays quiet on healthy or borderline data", "interval": _ts(sc.interval),
            "input_series": [{"series": s, "values": v} for s, v in sc.quiet], "promql_expr_test": checks}


TEST_RULES = "test.rules.yml"


def ordered_rules(settings: Settings, slo: bool) -> dict:
    """Every rule in one group, recording rules first, so that an alert sees the series recorded at
    the same evaluation: promtool (like Prometheus) runs separate groups in no fixed order, which
    would let timing decide a test. A real Prometheus may therefore see a fault up to one evaluation
    later per level of recording rules. `slo` adds the SLO rules (they scan days of data)."""
    groups = [g for name, doc in rule_files(settings).items() if slo or "slo" not in name for g in doc["groups"]]
    rules = [r for g in groups for r in g["rules"] if "record" in r] + \
            [r for g in groups for r in g["rules"] if "alert" in r]
    return {"groups": [{"name": "kafka.ordered", "rules": rules}]}


def write_rules(settings: Settings, folder: Path, slo: bool) -> str:
    name = f"{'slo-' if slo else ''}{TEST_RULES}"
    (folder / name).write_text(yaml.safe_dump(ordered_rules(settings, slo), sort_keys=False))
    return name


def write(settings: Settings, scenarios: list[Scenario], folder: Path) -> list[Path]:
    """One test file per scenario (so that promtool names the failing one)."""
    meta = alert_meta(settings)
    files = {slo: write_rules(settings, folder, slo) for slo in (False, True)}
    paths = []
    for sc in scenarios:
        doc = {"rule_files": [files[meta[sc.alert]["labels"]["category"] == "slo"]], "evaluation_interval": _ts(STEP),
               "tests": [firing_test(sc, meta[sc.alert]), quiet_test(sc)]}
        path = folder / f"test-{sc.alert}.yml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 20))
        paths.append(path)
    return paths


def run(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", "test", "rules", *[p.name for p in paths]], cwd=paths[0].parent,
                          capture_output=True, text=True, timeout=600)
