"""scripts/preview: files written, exit codes, and the plan diff reviewers read."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness import plan, plan_diff, preview, runtime

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
    capacity = json.loads((tmp_path / "capacity.json").read_text())  # the capacity plan, and its table
    assert capacity["refusals"] == [] and capacity["prometheus"]["retention_size"] == "425GB"
    assert "capacity plan:" in out and "xychart-beta" in (tmp_path / "capacity.md").read_text()


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


def test_diff_names_added_removed_and_changed_input_paths_including_unequal_lists():
    def res(name, **inputs):
        return {"type": "t:m:R", "name": name, "parent": "p", "inputs": inputs, "protect": False,
                "retain_on_delete": False}
    old = {"resources": [res("a", x={"y": 1, "z": [1, 2]}), res("gone")]}
    new = {"resources": [res("a", x={"y": 2, "z": [1, 3, 4]}), res("new")]}
    new["resources"][0]["protect"] = True
    d = plan.diff(old, new)
    assert (d["added"], d["removed"], d["replaced"]) == (["t:m:R::new"], ["t:m:R::gone"], {})
    assert d["changed"] == {"t:m:R::a": ["x.y", "x.z[1]", "x.z[2]", "protect"]}
    assert plan.format_diff(d).splitlines()[-1] == "1 to create, 1 to update, 0 to replace, 1 to delete"


def test_identical_plans_have_no_diff(stack_runs):
    p = plan.plan(stack_runs["prod"])
    d = plan.diff(p, json.loads(json.dumps(p)))
    assert not any(d.values()), d


def test_against_reports_a_threshold_change(program, tmp_path, capsys, monkeypatch):
    old = tmp_path / "old.json"
    old.write_text(json.dumps(plan.plan(program("prod"))))
    monkeypatch.setattr(preview, "run_stack", lambda stack: program("prod", consumerLagCritical=5000))
    preview.main(["prod", "--out", str(tmp_path / "new"), "--against", str(old)])
    out = capsys.readouterr().out
    assert "~ update  kubernetes:monitoring.coreos.com/v1:PrometheusRule::kafka-monitoring-alerting-kafka-alerts" in out
    assert "alert KafkaHighConsumerLag: `> 100000` for 2m, critical → `> 5000` for 2m, critical" in out
    assert "alert KafkaHighConsumerLag query:" not in out  # the query itself did not change


def test_against_inside_out_diffs_against_the_previous_run_not_the_plan_it_writes(program, tmp_path, capsys,
                                                                                  monkeypatch):
    """Issue 26: `--against build/prod/plan.json` once read the plan this run had just written there,
    and so showed an empty diff after a threshold change. It is read before anything is written."""
    out = tmp_path / "build" / "prod"
    monkeypatch.setattr(preview, "run_stack", lambda stack: program("prod"))
    assert preview.main(["prod", "--out", str(out)]) in (0, 1)
    capsys.readouterr()
    monkeypatch.setattr(preview, "run_stack", lambda stack: program("prod", consumerLagCritical=5000))
    assert preview.main(["prod", "--out", str(out), "--against", str(out / "plan.json")]) in (0, 1)
    printed = capsys.readouterr().out
    assert f"plan diff against {out / 'plan.json'} (as it was before this run):" in printed
    assert "alert KafkaHighConsumerLag: `> 100000` for 2m, critical → `> 5000` for 2m, critical" in printed
    assert "0 to create, 1 to update, 0 to replace, 0 to delete" in printed
    # The file it diffed against now holds the new plan: a second run against it shows nothing.
    assert preview.main(["prod", "--out", str(out), "--against", str(out / "plan.json")]) in (0, 1)
    printed = capsys.readouterr().out
    assert "KafkaHighConsumerLag" not in printed.split("(as it was before this run):")[1]
    assert "0 to create, 0 to update, 0 to replace, 0 to delete" in printed


def test_against_prints_danger_by_cause_before_the_diff(program, tmp_path, capsys, monkeypatch):
    old = tmp_path / "old.json"
    old.write_text(json.dumps(plan.plan(program("prod"))))
    monkeypatch.setattr(preview, "run_stack", lambda stack: program("prod", bucketPrefix="acme-kafka"))
    assert preview.main(["prod", "--out", str(tmp_path / "new"), "--against", str(old)]) in (0, 1)
    diff = capsys.readouterr().out.split("(as it was before this run):\n")[1]
    assert diff.startswith("DANGER: `bucketPrefix` change replaces 5 buckets, 36 bucket settings; removes 2 locks, "
                           "1 replication\n    protected resource aws:s3/bucket:Bucket::")
    assert diff.count("DANGER") == 1


def test_against_outside_out_is_left_as_it_was(program, tmp_path, capsys, monkeypatch):
    old = tmp_path / "base" / "plan.json"
    old.parent.mkdir()
    old.write_text(json.dumps(plan.plan(program("prod"))))
    before = old.read_bytes()
    monkeypatch.setattr(preview, "run_stack", lambda stack: program("prod", consumerLagCritical=5000))
    assert preview.main(["prod", "--out", str(tmp_path / "new"), "--against", str(old)]) in (0, 1)
    assert "0 to create, 1 to update, 0 to replace, 0 to delete" in capsys.readouterr().out
    assert old.read_bytes() == before


@pytest.mark.parametrize("content", ["", "{not json", '{"outputs": {}}', "[1, 2]", b"\xff\xfe{"])
def test_an_against_file_that_is_not_a_plan_is_a_usage_error_before_anything_runs(tmp_path, capsys,
                                                                                  monkeypatch, content):
    bad = tmp_path / "plan.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    monkeypatch.setattr(preview, "run_stack", lambda stack: pytest.fail("ran the program"))
    assert preview.main(["dev", "--out", str(tmp_path / "o"), "--against", str(bad)]) == 3
    assert f"--against {bad}: not a" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_out_refuses_a_directory_it_did_not_create(tmp_path, capsys):
    """`--out .` once deleted a whole checkout: a non-empty directory without the marker is refused."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "README.md").write_text("keep me")
    assert preview.main(["dev", "--out", str(tmp_path)]) == 3
    assert "refusing to replace" in capsys.readouterr().err
    assert (tmp_path / "README.md").read_text() == "keep me" and (tmp_path / ".git").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git", "README.md"]  # nothing written beside it


def test_out_replaces_its_own_previous_output(tmp_path):
    out = tmp_path / "build"
    assert preview.main(["dev", "--out", str(out)]) in (0, 1)
    (out / "stale.txt").write_text("from an older preview")
    assert preview.main(["dev", "--out", str(out)]) in (0, 1)
    assert (out / preview.MARKER).is_file() and not (out / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # no staging directory left behind


def test_a_read_only_target_fails_cleanly_and_keeps_the_previous_output(tmp_path, capsys, monkeypatch):
    out = tmp_path / "ro" / "build"
    assert preview.main(["dev", "--out", str(out)]) in (0, 1)
    before = (out / "plan.json").read_text()
    (tmp_path / "ro").chmod(0o555)
    try:
        if os.access(tmp_path / "ro", os.W_OK):  # root ignores the mode: refuse as the kernel would
            def denied(*args, **kwargs):
                raise PermissionError(13, "Permission denied")
            monkeypatch.setattr(preview.tempfile, "mkdtemp", denied)
        assert preview.main(["dev", "--out", str(out)]) == 3
        assert "cannot write" in capsys.readouterr().err
        assert (out / "plan.json").read_text() == before
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_concurrent_previews_both_succeed_and_leave_one_complete_output(tmp_path):
    out = tmp_path / "build"
    script = runtime.ROOT / "scripts" / "preview"
    env = {**os.environ, "VENV": str(Path(sys.executable).parent.parent)}  # this interpreter's venv, no install
    procs = [subprocess.Popen([str(script), "dev", "--out", str(out)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)]
    codes = [p.wait(timeout=120) for p in procs]
    assert all(code in (0, 1) for code in codes), [p.stderr.read() for p in procs]
    doc = json.loads((out / "plan.json").read_text())
    assert doc["stack"] == "dev" and (out / preview.MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_missing_against_file_is_a_usage_error(tmp_path, capsys):
    assert preview.main(["dev", "--out", str(tmp_path / "o"), "--against", str(tmp_path / "nope.json")]) == 3
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as err:
        preview.main(["no-such-stack"])
    assert err.value.code == 3


def _res(name, protect=False):
    return {"type": "aws:s3/bucket:Bucket", "name": name, "parent": "p", "inputs": {}, "protect": protect,
            "retain_on_delete": False}


@pytest.mark.parametrize("base,head,expect,failed", [
    (None, ({"resources": [_res("a")]}, ""), "new stack: 1 resources", False),
    (({"resources": [_res("a")]}, ""), None, "stack deleted in this change", False),
    ((None, "exit 2: settings refused"), ({"resources": [_res("a")]}, ""), "base failed to preview", False),
    (({"resources": [_res("a")]}, ""), (None, "exit 2: objectLockMode refused"), "FAILED to preview", True),
])
def test_plan_diff_reports_added_deleted_and_failing_stacks_and_closes_its_markdown(base, head, expect, failed):
    lines, head_failed, danger = plan_diff.report("prod", base, head)
    assert lines[:2] == ["### prod", "```"] and lines[-1] == "```"
    assert any(expect in line for line in lines) and head_failed is failed and danger == []


def test_deleting_a_protected_resource_is_danger():
    lines, _, danger = plan_diff.report("prod", ({"resources": [_res("archive", protect=True), _res("x")]}, ""),
                                        ({"resources": [_res("x")]}, ""))
    assert danger == ["DANGER: protected resource aws:s3/bucket:Bucket::archive would be deleted"]
    assert lines[2] == danger[0]
