"""scripts/plan-diff end to end on a real git repository: the base checked out with `git worktree`,
each tree's stacks found by their Pulumi.<stack>.yaml, each tree previewed by its own
scripts/preview, and the exit code and Markdown per stack.

The repository is a throwaway one whose scripts/preview writes the plan its stack file holds (the
real preview is tested in test_preview.py); everything else is the real plan-diff and real git.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from harness import plan_diff

PREVIEW = """#!/usr/bin/env bash
# Fake preview: the stack file holds the plan as JSON; FAIL in it fails like a bad stack file.
set -eu
stack=$1 out=$3
grep -q FAIL "Pulumi.$stack.yaml" && { echo "bad stack file: $stack" >&2; exit 2; }
mkdir -p "$out"
cp "Pulumi.$stack.yaml" "$out/plan.json"
echo "venv: $VENV" > "$out/venv.txt"
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
    assert "### kept\n```\nFAILED to preview: exit 2: bad stack file: kept\n```" in out


def test_a_failing_base_preview_is_reported_without_a_diff(repo, capsys):
    (repo / "Pulumi.kept.yaml").write_text("FAIL")
    git(repo, "commit", "-qam", "broken base")
    (repo / "Pulumi.kept.yaml").write_text(plan(res("logs")))
    assert plan_diff.main(["HEAD"]) == 0
    assert ("base failed to preview (exit 2: bad stack file: kept): no diff; the change previews 1 resources"
            in capsys.readouterr().out)


def test_danger_exits_4_on_stderr_unless_accepted(repo, capsys):
    (repo / "Pulumi.kept.yaml").write_text(plan())
    assert plan_diff.main(["HEAD"]) == 4
    captured = capsys.readouterr()
    assert "DANGER: data resource" in captured.out
    assert captured.err.startswith("\n## DANGER\nkept: DANGER: data resource")
    assert plan_diff.main(["HEAD", "--accept-danger"]) == 0


def test_an_unknown_base_ref_exits_3(repo, capsys):
    assert plan_diff.main(["no-such-ref"]) == 3
    assert capsys.readouterr().err.startswith("scripts/plan-diff: cannot check out no-such-ref: ")


def test_each_tree_is_previewed_by_its_own_script_with_this_checkouts_venv(repo, tmp_path):
    base = tmp_path / "b"
    git(repo, "worktree", "add", "--detach", str(base), "HEAD")
    (base / "scripts" / "preview").write_text(PREVIEW.replace("cp ", "echo base > \"$out/tree\"; cp "))
    found, error = plan_diff._preview(base, "kept", tmp_path / "out")
    assert error == "" and found["resources"][0]["name"] == "logs"
    assert (tmp_path / "out" / "tree").read_text() == "base\n"
    assert (tmp_path / "out" / "venv.txt").read_text() == "venv: /the/venv\n"
    assert plan_diff._stacks(repo) == {"kept", "gone"}
