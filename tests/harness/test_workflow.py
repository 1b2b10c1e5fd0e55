"""The GitHub workflow parses and runs only commands that exist in this repository."""
from __future__ import annotations

import shlex

import yaml

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def test_workflow_parses_and_calls_only_repo_commands():
    doc = yaml.safe_load(WORKFLOW.read_text())
    runs = [step["run"] for job in doc["jobs"].values() for step in job["steps"] if "run" in step]
    assert runs
    for run in runs:
        words = shlex.split(run.split(">>")[0])
        words = [w for w in words if w not in ("sudo", "bash")]
        assert (ROOT / words[0]).is_file(), run


def test_prod_deploys_after_staging_after_dev():
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    assert jobs["deploy-prod"]["needs"] == "deploy-staging" and jobs["deploy-staging"]["needs"] == "deploy-dev"
    assert jobs["deploy-prod"]["environment"] == "prod"
