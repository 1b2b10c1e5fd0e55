"""scripts/preview: files written, exit codes, and the plan diff reviewers read."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from harness import plan, preview, runtime

needs_tools = pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("amtool")),
                                 reason="promtool/amtool not installed")


@needs_tools
def test_preview_prod_writes_plan_and_checked_artifacts(tmp_path, capsys):
    assert preview.main(["prod", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    doc = json.loads((tmp_path / "plan.json").read_text())
    assert doc["resources"] and all({"type", "name", "parent", "inputs", "protect", "retain_on_delete"} <= set(r)
                                    for r in doc["resources"])
    assert f"stack prod: {len(doc['resources'])} resources" in out
    for rel in ("prometheus/rules/kafka-alerts.rules.yml", "prometheus/prometheus.yml",
                "alertmanager/alertmanager.yml", "helm/kube-prometheus-stack.values.yaml"):
        assert yaml.safe_load((tmp_path / rel).read_text()), rel
        assert f"check {rel}: ok" in out or rel.startswith("helm/")


@needs_tools
def test_an_invalid_artifact_fails_the_preview(tmp_path, monkeypatch):
    run = runtime.run_stack("dev")
    run.artifacts["prometheus/rules/broken.rules.yml"] = {"groups": [{"name": "g", "rules": [
        {"alert": "Broken", "expr": "sum(rate(x[5m]"}]}]}
    monkeypatch.setattr(preview, "run_stack", lambda stack: run)
    assert preview.main(["dev", "--out", str(tmp_path)]) == 1


def test_refused_settings_exit_2_and_name_the_key(tmp_path, monkeypatch, capsys):
    text = (runtime.ROOT / "Pulumi.prod.yaml").read_text().replace("objectLockMode: COMPLIANCE",
                                                                   "objectLockMode: GOVERNANCE")
    (tmp_path / "Pulumi.prod.yaml").write_text(text)
    monkeypatch.setattr(runtime, "STACKS_DIR", tmp_path)
    assert preview.main(["prod", "--out", str(tmp_path / "out")]) == 2
    assert "objectLockMode" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_diff_names_added_removed_and_changed_input_paths():
    def res(name, **inputs):
        return {"type": "t:m:R", "name": name, "parent": "p", "inputs": inputs, "protect": False,
                "retain_on_delete": False}
    old = {"resources": [res("a", x={"y": 1, "z": [1, 2]}), res("gone")]}
    new = {"resources": [res("a", x={"y": 2, "z": [1, 3]}), res("new")]}
    new["resources"][0]["protect"] = True
    d = plan.diff(old, new)
    assert d == {"added": ["t:m:R::new"], "removed": ["t:m:R::gone"],
                 "changed": {"t:m:R::a": ["x.y", "x.z[1]", "protect"]}}
    assert plan.format_diff(d).splitlines()[-1] == "1 to add, 1 to change, 1 to delete"


def test_identical_plans_have_no_diff(stack_runs):
    p = plan.plan(stack_runs["prod"])
    assert plan.diff(p, json.loads(json.dumps(p))) == {"added": [], "removed": [], "changed": {}}


def test_against_reports_a_threshold_change(program, tmp_path, capsys, monkeypatch):
    old = tmp_path / "old.json"
    old.write_text(json.dumps(plan.plan(program("prod"))))
    monkeypatch.setattr(preview, "run_stack", lambda stack: program("prod", consumerLagCritical=5000))
    preview.main(["prod", "--out", str(tmp_path / "new"), "--against", str(old)])
    out = capsys.readouterr().out
    assert "~ kubernetes:monitoring.coreos.com/v1:PrometheusRule::kafka-monitoring-alerting-kafka-alerts" in out
    assert "spec.groups[1].rules[0].expr" in out
