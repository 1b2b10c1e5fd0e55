"""Render alert scenarios into promtool unit-test files and run them."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import quote_plus

import yaml

from content.promql import metric_names
from content.rules import rule_files
from config.settings import Settings
from tests.content.alert_scenarios import STEP, Scenario


def rules(settings: Settings) -> list[dict]:
    """Every rule of every file and group, in order."""
    return [r for doc in rule_files(settings).values() for g in doc["groups"] for r in g["rules"]]


def recording_exprs(settings: Settings) -> dict[str, str]:
    """Each recorded series -> the expression its recording rule evaluates."""
    return {r["record"]: r["expr"] for r in rules(settings) if "record" in r}


def alert_meta(settings: Settings) -> dict[str, dict]:
    return {r["alert"]: r for r in rules(settings) if "alert" in r}


def expand(template: str, labels: dict[str, str]) -> str:
    """An annotation as Prometheus's text/template expands it, for the label actions our annotations
    use: `{{ if $labels.x }}...{{ end }}`, `{{ $labels.x | urlquery }}` (text/template's
    URLQueryEscaper: url.QueryEscape, which is quote_plus) and `{{ $labels.x }}`. $labels is a
    map[string]string, so an absent label is "" (false in `if`). Other actions stay as they are,
    for the caller to see."""
    out = re.sub(r"\{\{ if \$labels\.(\w+) \}\}(.*?)\{\{ end \}\}", lambda m: m[2] if labels.get(m[1]) else "",
                 template)
    out = re.sub(r"\{\{ \$labels\.(\w+) \| urlquery \}\}", lambda m: quote_plus(labels.get(m[1], "")), out)
    return re.sub(r"\{\{ \$labels\.(\w+) \}\}", lambda m: labels.get(m[1], ""), out)


def _alerts(name: str, state: str | None, labels: dict[str, str]) -> str:
    selector = {"alertname": name, **({"alertstate": state} if state else {}), **labels}
    return "ALERTS{" + ",".join(f'{k}="{v}"' for k, v in selector.items()) + "}"


def _ts(seconds: int) -> str:
    return f"{seconds}s"


# How soon after its fault an alert of each severity must fire: critical pages within 3 minutes.
DETECTION_TARGET_S = {"critical": 180}


def worst_moment(sc: Scenario) -> int:
    """When the fault began at worst: just after the scrape before the first sample that shows it."""
    return sc.onset - sc.interval


def firing_test(sc: Scenario, rule: dict) -> dict:
    """Firing at `detect` after the first sample that shows the fault, and not one evaluation
    earlier; and, whatever `detect` says, firing at its severity's target counted from the
    worst-case moment the fault began (so a slower rule fails here, not in a document)."""
    fire_at = sc.onset + sc.detect
    labels = {**sc.labels, **rule["labels"]}
    firing = [{"labels": _alerts(sc.alert, "firing", labels), "value": 1}]
    checks = [{"expr": _alerts(sc.alert, "firing", {}), "eval_time": _ts(fire_at), "exp_samples": firing},
              {"expr": _alerts(sc.alert, "firing", {}), "eval_time": _ts(fire_at - STEP), "exp_samples": []}]
    target = DETECTION_TARGET_S.get(rule["labels"]["severity"])
    if target is not None:
        checks.append({"expr": _alerts(sc.alert, "firing", {}), "eval_time": _ts(worst_moment(sc) + target),
                       "exp_samples": firing})
    return {"name": f"{sc.alert} fires {sc.detect}s after the fault", "interval": _ts(sc.interval),
            "input_series": [{"series": s, "values": v} for s, v in sc.fault], "promql_expr_test": checks}


def quiet_test(sc: Scenario) -> dict:
    checks = [{"expr": _alerts(sc.alert, None, {}), "eval_time": _ts(sc.onset + t), "exp_samples": []}
              for t in (sc.quiet_for // 2, sc.quiet_for)]
    return {"name": f"{sc.alert} stays quiet on healthy or borderline data", "interval": _ts(sc.interval),
            "input_series": [{"series": s, "values": v} for s, v in sc.quiet], "promql_expr_test": checks}


def ordered_rules(settings: Settings, alerts: str | list[str] | None) -> dict:
    """The alerts (one, several, or every one with None) and the recording rules they read
    (transitively), in one group in the worst order: each rule before the recording rules it reads,
    so that it sees what they recorded one evaluation earlier. Prometheus runs every rule group on
    its own timer, in no fixed phase to the others (prometheus v2.54.1 rules/group.go,
    Group.EvalTimestamp: each group's offset in the interval is a hash of its name and file), so a
    series recorded in another group reaches a
    reader up to one evaluation late per level of recording rules; this order makes that the case
    everywhere, and the same at every run. Within a group, though, rules run in order at one
    timestamp and each one's samples are committed before the next runs (Group.Eval), so a rule
    reading a series recorded above it in its own group sees this evaluation's value: such a
    series stays right before its reader. Only the rules the alerts need are evaluated: the SLO
    rules scan days of data."""
    every = rules(settings)
    records = {r["record"]: r for r in every if "record" in r}
    position = {(r.get("record") or r["alert"]): (file, g["name"], i) for file, doc in rule_files(settings).items()
                for g in doc["groups"] for i, r in enumerate(g["rules"])}
    wanted = [alerts] if isinstance(alerts, str) else alerts
    targets = [r for r in every if "alert" in r and (wanted is None or r["alert"] in wanted)]
    assert wanted is None or len(targets) == len(wanted), (wanted, [r["alert"] for r in targets])
    needed: list[dict] = []
    fresh: dict[str, list[dict]] = {}  # reader -> series recorded above it in its own group

    def visit(expr: str, reader: str | None) -> None:
        for name in sorted(metric_names(expr)):
            rule = records.get(name)
            if rule is None:
                continue
            if reader is not None and position[name][:2] == position[reader][:2] and position[name] < position[reader]:
                fresh.setdefault(reader, []).append(rule)
            if rule not in needed:
                visit(rule["expr"], name)
                needed.append(rule)  # after what it reads
    for target in targets:
        visit(target["expr"], None)
    bundled = [r for rs in fresh.values() for r in rs]
    ordered: list[dict] = []
    for rule in reversed(needed):
        if rule in bundled:
            continue
        ordered += [r for r in fresh.get(rule["record"], []) if r not in ordered] + [rule]
    return {"groups": [{"name": "kafka.worst-order", "rules": [*targets, *ordered]}]}


def write_rules(settings: Settings, folder: Path, alert: str | list[str] | None, name: str | None = None) -> str:
    name = name or f"rules-{alert}.yml"
    (folder / name).write_text(yaml.safe_dump(ordered_rules(settings, alert), sort_keys=False))
    return name


def write(settings: Settings, scenarios: list[Scenario], folder: Path) -> list[Path]:
    """One test file per scenario (so that promtool names the failing one)."""
    meta = alert_meta(settings)
    paths = []
    for sc in scenarios:
        doc = {"rule_files": [write_rules(settings, folder, sc.alert)], "evaluation_interval": _ts(STEP),
               "tests": [firing_test(sc, meta[sc.alert]), quiet_test(sc)]}
        path = folder / f"test-{sc.alert}.yml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 20))
        paths.append(path)
    return paths


def expected_alert(rule: dict, labels: dict[str, str]) -> dict:
    """An alert_rule_test's expected alert: its series' labels with the rule's, and its annotations as
    Prometheus expands them with those labels (an action expand() leaves would never match promtool's)."""
    annotations = {k: expand(v, labels) for k, v in rule["annotations"].items()}
    assert not any("{{" in v for v in annotations.values()), annotations
    return {"exp_labels": {**labels, **rule["labels"]}, "exp_annotations": annotations}


def run_alert_tests(settings: Settings, folder: Path, alert: str,
                    tests: list[dict]) -> subprocess.CompletedProcess:
    """promtool's unit tests of one alert (with the recording rules it reads), from one file."""
    doc = {"rule_files": [write_rules(settings, folder, alert)], "tests": tests}
    (folder / f"test-{alert}.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    return run([folder / f"test-{alert}.yml"])


def run(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", "test", "rules", *[p.name for p in paths]], cwd=paths[0].parent,
                          capture_output=True, text=True, timeout=600)


def _firing(alert: str) -> str:
    return f'max({_alerts(alert, "firing", {})})'


def fault_test(settings: Settings, fault, shape, folder: Path) -> Path:
    """One promtool file for a fault shape (tests/content/fault_shapes.py): its alerts (or every
    rule) in the worst order; each page at its measured time from the worst-case moment and not one
    evaluation earlier, and a critical one within its target; the silent matchers empty at every
    evaluation from an hour before the fault to the end; `late` firing only where `early` fired an
    evaluation before."""
    meta = alert_meta(settings)
    checks = []
    for alert, seconds in fault.pages:
        at = shape.worst + seconds
        checks += [{"expr": _firing(alert), "eval_time": _ts(at), "exp_samples": [{"labels": "{}", "value": 1}]},
                   {"expr": _firing(alert), "eval_time": _ts(at - STEP), "exp_samples": []}]
        target = DETECTION_TARGET_S.get(meta[alert]["labels"]["severity"])
        if target is not None:
            checks.append({"expr": _firing(alert), "eval_time": _ts(shape.worst + target),
                           "exp_samples": [{"labels": "{}", "value": 1}]})
    end = (shape.n - 1) * STEP
    if fault.silent:
        checks += [{"expr": f"ALERTS{{{fault.silent}}}", "eval_time": _ts(t), "exp_samples": []}
                   for t in range(shape.worst - 3600, end + 1, STEP)]
    if fault.first:
        early, late = fault.first
        expr = f'{_firing(late)} unless on () max({_alerts(early, "firing", {})} offset {STEP}s)'
        checks += [{"expr": expr, "eval_time": _ts(t), "exp_samples": []} for t in range(shape.worst, end + 1, STEP)]
    alerts = fault.alerts
    if alerts == "paging":
        alerts = [a for a, r in meta.items() if r["labels"]["severity"] in ("critical", "high")]
    doc = {"rule_files": [write_rules(settings, folder, list(alerts) if alerts else None, f"rules-{fault.id}.yml")],
           "evaluation_interval": _ts(STEP),
           "tests": [{"name": f"{fault.id}: {shape.note}", "interval": _ts(STEP), "input_series": shape.input_series(),
                      "promql_expr_test": checks}]}
    path = folder / f"test-{fault.id}.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, width=1 << 20))
    return path
