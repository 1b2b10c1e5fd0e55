"""Render alert scenarios into promtool unit-test files and run them."""
from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from content.rules import rule_files
from content.promql import metric_names
from config.settings import Settings
from tests.content.alert_scenarios import STEP, Scenario


def _rules(settings: Settings) -> list[dict]:
    return [r for doc in rule_files(settings).values() for g in doc["groups"] for r in g["rules"]]


def alert_meta(settings: Settings) -> dict[str, dict]:
    return {r["alert"]: r for r in _rules(settings) if "alert" in r}


def recording_depth(expr: str, records: dict[str, str]) -> int:
    """How many levels of recording rules an expression reads through."""
    return max((1 + recording_depth(records[m], records) for m in metric_names(expr) if m in records), default=0)


def slack(settings: Settings, alert: str) -> int:
    """Evaluations that may pass between a fault and the alert's first sight of it."""
    records = {r["record"]: r["expr"] for r in _rules(settings) if "record" in r}
    return recording_depth(alert_meta(settings)[alert]["expr"], records)


def _alerts(name: str, state: str | None, labels: dict[str, str]) -> str:
    selector = {"alertname": name, **({"alertstate": state} if state else {}), **labels}
    return "ALERTS{" + ",".join(f'{k}="{v}"' for k, v in selector.items()) + "}"


def _ts(seconds: int) -> str:
    return f"{seconds}s"


def firing_test(sc: Scenario, rule: dict, slack_evals: int) -> dict:
    fire_at = sc.onset + sc.detect
    silent_at = fire_at - STEP * (1 + slack_evals)
    labels = {**sc.labels, **rule["labels"]}
    checks = [{"expr": _alerts(sc.alert, "firing", {}), "eval_time": _ts(fire_at),
               "exp_samples": [{"labels": _alerts(sc.alert, "firing", labels), "value": 1}]},
              {"expr": _alerts(sc.alert, "firing", {}), "eval_time": _ts(silent_at), "exp_samples": []}]
    return {"name": f"{sc.alert} fires {sc.detect}s after the fault", "interval": _ts(sc.interval),
            "input_series": [{"series": s, "values": v} for s, v in sc.fault], "promql_expr_test": checks}


def quiet_test(sc: Scenario) -> dict:
    checks = [{"expr": _alerts(sc.alert, None, {}), "eval_time": _ts(sc.onset + t), "exp_samples": []}
              for t in (sc.quiet_for // 2, sc.quiet_for)]
    return {"name": f"{sc.alert} stays quiet on healthy or borderline data", "interval": _ts(sc.interval),
            "input_series": [{"series": s, "values": v} for s, v in sc.quiet], "promql_expr_test": checks}


def write(settings: Settings, scenarios: list[Scenario], folder: Path) -> list[Path]:
    """Rule files plus one test file per scenario (so that promtool names the failing one)."""
    rules = rule_files(settings)
    for name, doc in rules.items():
        (folder / name).write_text(yaml.safe_dump(doc, sort_keys=False))
    meta = alert_meta(settings)
    paths = []
    for sc in scenarios:
        # SLO rules scan days of data at every evaluation: load them only where they are tested.
        files = sorted(f for f in rules if meta[sc.alert]["labels"]["category"] == "slo" or "slo" not in f)
        doc = {"rule_files": files, "evaluation_interval": _ts(STEP),
               "tests": [firing_test(sc, meta[sc.alert], slack(settings, sc.alert)), quiet_test(sc)]}
        path = folder / f"test-{sc.alert}.yml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 20))
        paths.append(path)
    return paths


def run(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", "test", "rules", *[p.name for p in paths]], cwd=paths[0].parent,
                          capture_output=True, text=True, timeout=600)
