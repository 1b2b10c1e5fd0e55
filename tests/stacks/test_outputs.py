"""The stack outputs are a contract: names and types are pinned here, so a rename fails CI."""
from __future__ import annotations

import pytest

from harness.runtime import ROOT
from stacks import outputs
from tests.conftest import STACKS

OPTIONAL = (str, type(None))  # null where the stack has no such resource (e.g. no replica in dev)
PINNED = {
    "contract_version": str,
    "environment": str,
    "kafka_clusters": list,
    "prometheus_url": str,
    "alertmanager_url": str,
    "monitoring_namespace": str,
    "archive_bucket": str,
    "archive_bucket_arn": str,
    "archive_replica_bucket": OPTIONAL,
    "archive_replica_bucket_arn": OPTIONAL,
    "snapshot_bucket": str,
    "snapshot_bucket_arn": str,
    "snapshot_role_arn": str,
    "access_log_bucket": str,
    "archive_kms_key_arn": str,
    "snapshot_kms_key_arn": str,
    "archive_writer_role_arn": OPTIONAL,
    "replica_kms_key_arn": OPTIONAL,
    "jaeger_otlp_grpc_endpoint": str,
    "jaeger_otlp_http_endpoint": str,
    "jaeger_query_url": str,
    "log_index_patterns": dict,
    "grafana_folder_uids": dict,
    "grafana_dashboard_urls": dict,
    "grafana_datasource_uids": dict,
}


@pytest.mark.parametrize("stack", STACKS)
def test_outputs_match_the_pinned_contract(stack_runs, stack):
    got = stack_runs[stack].outputs
    assert set(got) == set(PINNED)
    for name, type_ in PINNED.items():
        assert isinstance(got[name], type_), (name, got[name])
    assert got["contract_version"] == outputs.CONTRACT_VERSION


def test_declared_contract_matches_the_pinned_one():
    assert set(outputs.OUTPUTS) == set(PINNED)


def test_readme_documents_every_output():
    readme = (ROOT / "README.md").read_text()
    for name, (type_, _) in outputs.OUTPUTS.items():
        assert f"| `{name}` | {type_} |" in readme, name


def test_prod_exports_its_replica(stack_runs):
    out = stack_runs["prod"].outputs
    assert out["archive_replica_bucket"] == "necpgame-kafka-monitoring-prod-compliance-replica"
    assert out["archive_bucket_arn"] == "arn:aws:s3:::necpgame-kafka-monitoring-prod-compliance-archive"


def test_disabled_alerting_exports_null_urls(program):
    run = program("dev", enableAlerting=False)
    assert run.outputs["prometheus_url"] is None
    assert not [r for r in run.of_type("kubernetes:helm.sh/v3:Release") if "prometheus" in r.name]
