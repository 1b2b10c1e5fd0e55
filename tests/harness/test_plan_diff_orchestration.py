"""scripts/plan-diff end to end on a real git repository: the base checked out with `git worktree`,
each tree's stacks found by their Pulumi.<stack>.yaml, each tree previewed by its own
scripts/preview, and the exit code and Markdown per stack.

The repository is a throwaway one whose scripts/preview writes the plan its stack file holds (the
real preview is tested in test_preview.py); everything else is the real plan-diff and real git.
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path

import pytest

from config.sections import CapacityArgs
from content import capacity
from harness import plan as plans
from harness import plan_diff
from tests.conftest import make_settings

PREVIEW = """#!/usr/bin/env bash
# Fake preview: the stack file holds the plan as JSON; FAIL in it fails like a bad stack file.
# Its usage is the real one's: scripts/preview STACK --out DIR; exit 1 is "plan written, an artifact
# failed its check", 2 a refused stack file.
set -eu
[ "$#" -eq 3 ] && [ "$2" = "--out" ] || { echo "usage: scripts/preview STACK --out DIR" >&2; exit 64; }
stack=$1 out=$3
grep -q FAIL "Pulumi.$stack.yaml" && { printf 'line 1\nline 2\nline 3\nbad stack file: %s\n' "$stack" >&2; exit 2; }
grep -q HANG "Pulumi.$stack.yaml" && sleep 30
mkdir -p "$out"
echo "venv: $VENV" > "$out/venv.txt"
if [ -f capacity.json ]; then cp capacity.json "$out/capacity.json"; fi  # the real one writes it with the artifacts
grep -q NOPLAN "Pulumi.$stack.yaml" && exit 0
sed 's/EXIT[0-9]//' "Pulumi.$stack.yaml" > "$out/plan.json"
grep -q EXIT1 "Pulumi.$stack.yaml" && exit 1
grep -q EXIT2 "Pulumi.$stack.yaml" && exit 2
exit 0
"""


def res(name: str, protect: bool = False, **inputs) -> dict:
    return {"urn": f"urn:pulumi:s::p::aws:s3/bucket:Bucket::{name}", "type": "aws:s3/bucket:Bucket", "name": name,
            "parent": "", "protect": protect, "inputs": inputs, "outputs": {}}


def plan(*resources: dict) -> str:
    return json.dumps({"resources": list(resources), "outputs": {}, "artifacts": {}})


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "preview").write_text(PREVIEW)
    (root / "scripts" / "preview").chmod(0o755)
    (root / "Pulumi.kept.yaml").write_text(plan(res("logs", tags="a")))
    (root / "Pulumi.gone.yaml").write_text(plan(res("old")))
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    monkeypatch.setattr(plan_diff, "ROOT", root)
    monkeypatch.setenv("VENV", "/the/venv")
    return root


def test_each_stack_is_diffed_added_or_deleted_and_the_base_worktree_is_removed(repo, capsys):
    (repo / "Pulumi.kept.yaml").write_text(plan(res("logs", tags="b")))
    (repo / "Pulumi.gone.yaml").unlink()
    (repo / "Pulumi.new.yaml").write_text(plan(res("a"), res("b")))
    assert plan_diff.main(["HEAD"]) == 0
    out = capsys.readouterr().out
    sections = {part.split("\n", 1)[0]: part for part in out.split("### ")[1:]}
    assert list(sections) == ["gone", "kept", "new"]  # sorted, each closed
    assert sections["gone"] == "gone\n```\nstack deleted in this change: its resources are no longer previewed here\n```\n"
    assert sections["new"] == "new\n```\nnew stack: 2 resources\n```\n"
    assert "logs" in sections["kept"] and sections["kept"].endswith("```\n")
    assert len(git(repo, "worktree", "list").strip().splitlines()) == 1  # the base worktree is gone


def test_a_failing_head_preview_exits_1_and_names_the_stack_and_the_error(repo, capsys):
    (repo / "Pulumi.kept.yaml").write_text("FAIL")
    assert plan_diff.main(["HEAD"]) == 1
    out = capsys.readouterr().out
    # the last three lines of what the preview said
    assert "### kept\n```\nFAILED to preview: exit 2: line 2 / line 3 / bad stack file: kept\n```" in out


def test_a_failing_base_preview_is_reported_without_a_diff(repo, capsys):
    (repo / "Pulumi.kept.yaml").write_text("FAIL")
    git(repo, "commit", "-qam", "broken base")
    (repo / "Pulumi.kept.yaml").write_text(plan(res("logs")))
    assert plan_diff.main(["HEAD"]) == 0
    assert ("base failed to preview (exit 2: line 2 / line 3 / bad stack file: kept): no diff; the change previews "
            "1 resources"
            in capsys.readouterr().out)


def test_danger_exits_4_with_its_summary_on_stdout_unless_accepted(repo, capsys):
    """Issue 26: the summary went to stderr, and CI's job summary is stdout (`>> $GITHUB_STEP_SUMMARY`)."""
    (repo / "Pulumi.kept.yaml").write_text(plan())
    assert plan_diff.main(["HEAD"]) == 4
    captured = capsys.readouterr()
    assert "DANGER: data resource" in captured.out
    assert captured.out.split("```\n")[-1].startswith("\n## DANGER\n- kept: DANGER: data resource")
    assert captured.err == "scripts/plan-diff: DANGER in 1 place(s); see ## DANGER\n"
    assert plan_diff.main(["HEAD", "--accept-danger"]) == 0


def test_an_unknown_base_ref_exits_3(repo, capsys):
    assert plan_diff.main(["no-such-ref"]) == 3
    assert capsys.readouterr().err == ("scripts/plan-diff: cannot check out no-such-ref: fatal: invalid reference: "
                                       "no-such-ref\n")


def test_each_tree_is_previewed_by_its_own_script_with_this_checkouts_venv(repo, tmp_path):
    base = tmp_path / "b"
    git(repo, "worktree", "add", "--detach", str(base), "HEAD")
    (base / "scripts" / "preview").write_text(PREVIEW.replace('mkdir -p "$out"', 'mkdir -p "$out"; echo base > "$out/tree"'))
    found, error = plan_diff._preview(base, "kept", tmp_path / "out")
    assert error == "" and found["resources"][0]["name"] == "logs"
    assert (tmp_path / "out" / "tree").read_text() == "base\n"
    assert (tmp_path / "out" / "venv.txt").read_text() == "venv: /the/venv\n"
    assert plan_diff._stacks(repo) == {"kept", "gone"}


def test_without_a_venv_set_each_tree_is_previewed_with_this_checkouts(repo, monkeypatch, tmp_path):
    monkeypatch.delenv("VENV")
    found, error = plan_diff._preview(repo, "kept", tmp_path / "out")
    assert error == "" and (tmp_path / "out" / "venv.txt").read_text() == f"venv: {repo / 'venv'}\n"


@pytest.mark.parametrize("content,accepted,error", [
    (plan(res("a")) + "EXIT1", True, ""),            # plan written, an artifact failed its check: still diffed
    (plan(res("a")) + "EXIT2", False, "exit 2: "),   # refused, whatever it left behind
    ("NOPLAN", False, "exit 0: "),                   # said yes, wrote nothing
])
def test_a_preview_counts_only_with_exit_0_or_1_and_a_plan(repo, tmp_path, content, accepted, error):
    (repo / "Pulumi.kept.yaml").write_text(content)
    found, why = plan_diff._preview(repo, "kept", tmp_path / "out")
    assert (found is not None, why) == (accepted, error)


def test_a_hung_preview_is_reported_not_waited_for(repo, monkeypatch, tmp_path):
    monkeypatch.setattr(plan_diff, "PREVIEW_TIMEOUT_S", 1)
    (repo / "Pulumi.kept.yaml").write_text("HANG")
    assert plan_diff._preview(repo, "kept", tmp_path / "out") == (None, "no answer within 1 s")


def test_one_failing_stack_among_several_fails_the_run_and_every_danger_is_listed(repo, capsys):
    (repo / "Pulumi.gone.yaml").write_text("FAIL")    # fails first, in sorted order
    (repo / "Pulumi.kept.yaml").write_text(plan())     # its bucket deleted: DANGER
    assert plan_diff.main(["HEAD"]) == 1
    (repo / "Pulumi.gone.yaml").write_text(plan())     # both deleted their bucket now
    assert plan_diff.main(["HEAD"]) == 4
    summary = capsys.readouterr().out.split("## DANGER\n")[-1]
    assert [line.split(":")[0] for line in summary.splitlines()] == ["- gone", "- kept"]


def test_a_reader_that_stops_early_does_not_fail_the_run(repo, monkeypatch):
    class Closed:
        def write(self, text):
            raise BrokenPipeError

        def flush(self):
            raise BrokenPipeError
    (repo / "Pulumi.kept.yaml").write_text(plan(res("logs", tags="b")))
    monkeypatch.setattr("sys.stdout", Closed())
    assert plan_diff.main(["HEAD"]) == 0


def test_help_names_the_script_and_its_option(capsys):
    with pytest.raises(SystemExit) as done:
        plan_diff.main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: scripts/plan-diff [-h] [--accept-danger] base_ref")
    words = " ".join(out.split())  # argparse wraps lines
    assert plan_diff.__doc__.splitlines()[0] in words and "--accept-danger exit 0 even when DANGER is found" in words


def test_dangers_name_the_kind_of_resource_and_what_forces_its_replacement():
    old = {"resources": [res("data"), {**res("guard"), "type": "aws:iam/role:Role", "protect": True},
                         {**res("plain"), "type": "aws:iam/role:Role"}]}
    keys = {n: f"{r['type']}::{n}" for n, r in zip(("data", "guard", "plain"), old["resources"])}
    diff = {"removed": [], "replaced": {keys["data"]: ["bucket", "region"], keys["guard"]: ["name"],
                                        keys["plain"]: ["name"]}}
    assert plan_diff.dangers(old, old, diff) == [
        f"DANGER: data resource {keys['data']} would be replaced (bucket, region changed)",
        f"DANGER: protected resource {keys['guard']} would be replaced (name changed)"]
    assert plan_diff.dangers(old, old, {"removed": []}) == []


def _bucket(name, bucket, protect=True, type_="aws:s3/bucket:Bucket"):
    return {"type": type_, "name": name, "parent": "p", "inputs": {"bucket": bucket}, "protect": protect,
            "retain_on_delete": False}


def _grouped(old_settings, new_settings, old_res, new_res):
    old = {"resources": old_res, **({"settings": old_settings} if old_settings is not None else {})}
    new = {"resources": new_res, **({"settings": new_settings} if new_settings is not None else {})}
    return plan_diff.danger_groups(old, new, plans.diff(old, new))


def test_danger_is_grouped_by_the_setting_whose_values_the_replaced_resources_carry():
    old = [_bucket("a", "acme-prod-a"), _bucket("b", "acme-prod-b"),
           _bucket("a-policy", "acme-prod-a", type_="aws:s3/bucketPolicy:BucketPolicy")]
    new = [_bucket("a", "beta-prod-a"), _bucket("b", "beta-prod-b"),
           _bucket("a-policy", "beta-prod-a", type_="aws:s3/bucketPolicy:BucketPolicy")]
    groups = _grouped({"bucketPrefix": "acme", "environment": "prod"}, {"bucketPrefix": "beta", "environment": "prod"},
                      old, new)
    assert groups == [("DANGER: `bucketPrefix` change replaces 2 buckets, 1 bucket setting", [
        "protected resource aws:s3/bucket:Bucket::a would be replaced (bucket changed)",
        "protected resource aws:s3/bucket:Bucket::b would be replaced (bucket changed)",
        "protected resource aws:s3/bucketPolicy:BucketPolicy::a-policy would be replaced (bucket changed)"])]


def test_without_settings_in_the_plans_danger_is_grouped_by_what_forced_it():
    """An older plan.json (no `settings`): the cause is the input that forced the replacement."""
    groups = _grouped(None, None, [_bucket("a", "x-a"), _bucket("b", "x-b")], [_bucket("a", "y-a"), _bucket("b", "y-b")])
    assert [summary for summary, _ in groups] == ["DANGER: `bucket` changed: replaces 2 buckets"]


def test_a_setting_whose_value_the_change_does_not_carry_is_not_its_cause():
    """Near miss: `retentionDays` 10 -> 11 changed too, but no bucket name holds 10 (and 110 is not 10)."""
    groups = _grouped({"bucketPrefix": "acme", "retentionDays": "10"}, {"bucketPrefix": "beta", "retentionDays": "11"},
                      [_bucket("a", "acme-110-a"), _bucket("b", "acme-110-b")],
                      [_bucket("a", "beta-111-a"), _bucket("b", "beta-111-b")])
    assert [summary for summary, _ in groups] == ["DANGER: `bucketPrefix` change replaces 2 buckets"]


def test_one_dangerous_change_of_its_cause_reads_as_its_own_line():
    groups = _grouped({"p": "acme"}, {"p": "beta"}, [_bucket("a", "acme-a"), _bucket("n", "x", protect=False,
                                                                                     type_="aws:iam/role:Role")],
                      [_bucket("a", "beta-a"), _bucket("n", "y", protect=False, type_="aws:iam/role:Role")])
    assert groups == [("DANGER: protected resource aws:s3/bucket:Bucket::a would be replaced (bucket changed)", [])]


def test_two_switches_changed_together_are_not_guessed_between():
    """Near miss of the one-switch rule: with two settings that no value ties to the deletions, the
    cause is what happened (deleted), not a guess."""
    old = [_bucket("a", "r-a"), _bucket("b", "r-b")]
    groups = _grouped({"replication": "true", "logs": "true"}, {"replication": "false", "logs": "false"}, old, [])
    assert [summary for summary, _ in groups] == ["DANGER: deleted: deletes 2 buckets"]
    groups = _grouped({"replication": "true"}, {"replication": "false"}, old, [])
    assert [summary for summary, _ in groups] == ["DANGER: `replication` change deletes 2 buckets"]


def test_the_settings_a_plan_records_leave_every_secret_out(stack_runs):
    doc = plans.plan(stack_runs["prod"])
    assert doc["settings"]["environment"] == "prod" and doc["settings"]["objectLockDays"] == "2557"
    assert not {"pagerdutyCriticalKey", "grafanaToken", "slackWebhookUrl"} & set(doc["settings"])
    assert "LEAKCHECK" not in json.dumps(doc["settings"])


def _capacity(**changes) -> dict:
    """The capacity plan scripts/preview writes as capacity.json (harness/capacity_report.attach)."""
    return capacity.plan(dataclasses.replace(CapacityArgs.of(make_settings("prod")), **changes))


def test_each_trees_capacity_plan_is_compared_and_the_changes_table_follows_its_section(repo, capsys):
    """A smaller Prometheus volume: its before -> after and the crossed headroom band are in the
    section, as DANGER (exit 4), and the change's capacity table follows the closed code block."""
    (repo / "capacity.json").write_text(json.dumps(_capacity()))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "capacity")
    (repo / "capacity.json").write_text(json.dumps(_capacity(prometheus_storage_size="200Gi")))
    assert plan_diff.main(["HEAD"]) == 4
    out = capsys.readouterr().out
    kept = out.split("### kept\n")[1].split("### ")[0]
    block, table = kept.split("```\n")[1], kept.split("```\n")[2]
    lines = block.splitlines()
    assert lines[0].startswith("DANGER: capacity: prometheus headroom ") and lines[0].endswith("x, under 1.5x")
    assert lines[1] == "capacity prometheus PVC: 500Gi → 200Gi"
    assert lines[2].startswith("capacity prometheus headroom: ")
    assert table.startswith("| store | need | provisioned | headroom | status |\n|---|---|---|---|---|\n"
                            "| prometheus (per replica) | ")
    assert "| 200 GiB | " in table.splitlines()[2]
    # every stack's preview writes the repository's capacity.json: both stacks crossed the band
    assert out.split("## DANGER\n")[1] == f"- gone: {lines[0]}\n- kept: {lines[0]}\n"
    # Near miss: the same plan on both sides is no change and no DANGER, and the table still follows.
    (repo / "capacity.json").write_text(json.dumps(_capacity()))
    assert plan_diff.main(["HEAD"]) == 0
    kept = capsys.readouterr().out.split("### kept\n")[1].split("### ")[0]
    assert "capacity prometheus" not in kept and "| 500 GiB | " in kept.split("```\n")[2]


def test_the_capacity_plan_a_preview_writes_comes_back_with_its_plan(repo, tmp_path):
    written = _capacity()
    (repo / "capacity.json").write_text(json.dumps(written))
    found, error = plan_diff._preview(repo, "kept", tmp_path / "out")
    assert error == "" and found["capacity"] == written and found["resources"][0]["name"] == "logs"
    (repo / "capacity.json").unlink()
    found, _ = plan_diff._preview(repo, "kept", tmp_path / "again")
    assert found["capacity"] is None  # an older tree's preview wrote none: nothing to compare


def test_what_stdout_carries_for_a_rename_without_an_alias_is_one_line_per_cause(repo, capsys):
    """The `## DANGER` list CI appends to the job summary: one line for the cause, each resource
    under it in the section."""
    (repo / "Pulumi.kept.yaml").write_text(plan(res("logs", protect=True, bucket="acme-logs"),
                                                res("audit", protect=True, bucket="acme-audit")))
    git(repo, "commit", "-qam", "two buckets")
    (repo / "Pulumi.kept.yaml").write_text(plan(res("logs-v2", protect=True, bucket="acme-logs"),
                                                res("audit-v2", protect=True, bucket="acme-audit")))
    assert plan_diff.main(["HEAD"]) == 4
    out = capsys.readouterr().out
    assert out.split("### kept\n```\n")[1].splitlines()[:3] == [
        "DANGER: renamed without an alias: deletes 2 buckets",
        "    protected resource aws:s3/bucket:Bucket::audit would be deleted",
        "    protected resource aws:s3/bucket:Bucket::logs would be deleted"]
    assert out.endswith("```\n\n## DANGER\n- kept: DANGER: renamed without an alias: deletes 2 buckets\n")
