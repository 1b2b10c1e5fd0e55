"""The GitHub workflow parses and runs only commands that exist in this repository."""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def test_workflow_parses_and_calls_only_repo_commands():
    doc = yaml.safe_load(WORKFLOW.read_text())
    runs = [step["run"] for job in doc["jobs"].values() for step in job["steps"] if "run" in step]
    assert runs
    for run in runs:
        for command in run.split(">>")[0].split("&&"):
            words = [w for w in shlex.split(command) if w not in ("sudo", "bash")]
            if words[:4] == ["python", "-m", "pip", "install"]:
                assert (ROOT / words[-1]).is_file(), run  # a requirements file of this repository
            elif words[0] != "gh":
                assert (ROOT / words[0]).is_file(), run


def test_prod_deploys_after_staging_after_dev():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    assert jobs["deploy-prod"]["needs"] == "deploy-staging" and jobs["deploy-staging"]["needs"] == "deploy-dev"
    assert jobs["deploy-prod"]["environment"] == "prod"


JOBS = yaml.safe_load(WORKFLOW.read_text())["jobs"]
PULUMI_JOBS = {name: job for name, job in JOBS.items()
               if any(step.get("uses", "").startswith("pulumi/actions@") for step in job["steps"])}


def test_every_action_is_pinned_to_a_full_commit_sha():
    """A tag can be moved to other code; a 40-hex commit cannot (GitHub's security hardening guide)."""
    uses = [step["uses"] for job in JOBS.values() for step in job["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_permissions_are_least_per_job_and_none_by_default():
    doc = yaml.safe_load(WORKFLOW.read_text())
    assert doc["permissions"] == {}
    for name, job in JOBS.items():
        granted = job.get("permissions", {})
        assert "pull-requests" not in granted, name
        assert set(granted) <= {"contents", "id-token", "issues"}, name
        assert granted.get("contents", "read") == "read", name


def test_pull_request_code_never_gets_a_deploy_environment_or_token():
    preview = PULUMI_JOBS["pulumi-preview"]
    assert "pull_request" in preview["if"] and preview["environment"].endswith("-preview")
    for name, job in PULUMI_JOBS.items():
        if name.startswith("deploy-"):
            assert "pull_request" not in job.get("if", "") and job["environment"] == name.removeprefix("deploy-")


def test_every_pulumi_run_uses_the_policy_pack_oidc_and_a_per_stack_lock():
    for name, job in PULUMI_JOBS.items():
        steps = job["steps"]
        (pulumi,) = [s for s in steps if s.get("uses", "").startswith("pulumi/actions@")]
        assert pulumi["with"]["policyPacks"] == "policy", name
        assert any(s.get("uses", "").startswith("aws-actions/configure-aws-credentials@") for s in steps), name
        assert job["permissions"].get("id-token") == "write", name
        assert job["concurrency"]["cancel-in-progress"] is False, name


def test_the_nightly_drift_check_expects_no_changes_after_a_refresh():
    (pulumi,) = [s for s in JOBS["drift"]["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["with"]["refresh"] is True and pulumi["with"]["expect-no-changes"] is True
    assert JOBS["drift-issue"]["needs"] == "drift" and "failure()" in JOBS["drift-issue"]["if"]


def test_no_expression_is_spliced_into_a_shell_script():
    """${{ }} in a run: line is template injection; values travel through env instead."""
    runs = [step["run"] for job in JOBS.values() for step in job["steps"] if "run" in step]
    assert not [r for r in runs if "${{" in r]


def test_zizmor_finds_nothing_in_the_workflow():
    """zizmor (a GitHub Actions static analyser, from PyPI) with its offline audits: unpinned uses,
    template injection, excessive permissions, credential persistence, and the rest of its set."""
    zizmor = Path(sys.executable).parent / "zizmor"
    proc = subprocess.run([str(zizmor), "--offline", "--format", "json", str(WORKFLOW)], capture_output=True,
                          text=True, timeout=120)
    findings = json.loads(proc.stdout or "[]")
    assert findings == [], [(f["ident"], f["desc"]) for f in findings]
