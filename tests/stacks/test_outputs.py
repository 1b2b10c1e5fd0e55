"""The stack outputs are a contract: names and types are pinned here, so a rename fails CI."""
from __future__ import annotations

import pytest

from harness.runtime import ROOT
from stacks import outputs

PINNED = {
    "contract_version": str,
    "environment": str,
    "kafka_clusters": list,
    "prometheus_url": str,
    "alertmanager_url": str,
    "monitoring_namespace": str,
    "archive_bucket": str,
    "archive_bucket_arn": str,
    "archive_replica_bucket": str,
    "archive_replica_bucket_arn": str,
    "snapshot_bucket": str,
    "snapshot_bucket_arn": str,
    "snapshot_role_arn": str,
    "access_log_bucket": str,
    "archive_kms_key_arn": str,
    "snapshot_kms_key_arn": str,
    "archive_writer_role_arn": str,
    "replica_kms_key_arn": str,
    "jaeger_otlp_grpc_endpoint": str,
    "jaeger_otlp_http_endpoint": str,
    "jaeger_query_url": str,
    "log_index_patterns": dict,
    "grafana_folder_uids": dict,
    "grafana_dashboard_urls": dict,
    "grafana_datasource_uids": dict,
    "global_metrics_remote_write_url": str,
    "global_metrics_query_url": str,
    "global_metrics_writer_role_arn": str,
}
REPLICA = {"archive_replica_bucket", "archive_replica_bucket_arn", "replica_kms_key_arn"}
ARCHIVE = {"archive_bucket", "archive_bucket_arn", "snapshot_bucket", "snapshot_bucket_arn", "snapshot_role_arn",
           "access_log_bucket", "archive_kms_key_arn", "snapshot_kms_key_arn", "archive_writer_role_arn"}
# (stack, overrides) -> the outputs a consumer does not get. Outputs pass through the SDK's own
# serialisation (harness.runtime registers them as Stack._finish does), which drops None values.
GLOBAL = {"global_metrics_remote_write_url", "global_metrics_query_url", "global_metrics_writer_role_arn"}
SCENARIOS = [
    ("prod", {}, GLOBAL),
    ("staging", {}, REPLICA | GLOBAL),
    ("dev", {}, REPLICA | GLOBAL),
    ("dev", {"enableAlerting": False}, REPLICA | GLOBAL | {"prometheus_url", "alertmanager_url"}),
    ("dev", {"enableArchive": False}, REPLICA | GLOBAL | ARCHIVE),
    ("dev", {"eksOidcProviderArn": "", "enableSearchRetention": False},
     REPLICA | GLOBAL | {"archive_writer_role_arn"}),
    # the stack's own cluster without a provider, a further one with: its Fluent Bit writes, so the role exists
    ("dev", {"eksOidcProviderArn": "", "enableSearchRetention": False, "kubernetesClusters": [
        "eks-b context=eks-b oidc=arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"]},
     REPLICA | GLOBAL),
    ("dev", {"enableCollection": False}, REPLICA | GLOBAL | {"jaeger_otlp_grpc_endpoint", "jaeger_otlp_http_endpoint",
                                                             "jaeger_query_url"}),
    ("dev", {"enableGrafana": False}, REPLICA | GLOBAL | {"grafana_folder_uids", "grafana_dashboard_urls",
                                                          "grafana_datasource_uids"}),
    ("prod", {"globalMetrics": "amp", "globalMetricsGrafanaRoleArn": "arn:aws:iam::123456789012:role/grafana"}, set()),
    ("prod", {"globalMetrics": "mimir", "globalMetricsUrl": "https://mimir.example", "globalMetricsTenant": "kafka"},
     {"global_metrics_writer_role_arn"}),
]


@pytest.mark.parametrize("stack,overrides,absent", SCENARIOS)
def test_outputs_match_the_pinned_contract_and_absent_ones_are_absent(program, stack, overrides, absent):
    got = program(stack, **overrides).outputs
    assert set(got) == set(PINNED) - absent
    for name in got:
        assert isinstance(got[name], PINNED[name]), (name, got[name])
    assert got["contract_version"] == outputs.CONTRACT_VERSION
    for name in absent:  # the contract says when
        assert name in outputs.ABSENT_WHEN, name


def test_a_consumer_reads_an_absent_output_as_none_and_a_required_one_as_its_value(stack_runs):
    """pulumi.StackReference (sdk/python/lib/pulumi/stack_reference.py): get_output is
    `outputs.get(name)`, require_output raises KeyError for a missing name. The consumer below runs
    under Pulumi's mocks against dev's outputs as the engine stored them."""
    import asyncio

    import pulumi
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    stored = stack_runs["dev"].outputs

    class Engine(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return args.name, {"name": args.name, "outputs": stored, "secretOutputNames": []}

        def call(self, args):
            return {}

    def run_consumer(program):
        asyncio.set_event_loop(asyncio.new_event_loop())
        pulumi.runtime.settings.ROOT.set(None)
        pulumi.runtime.set_mocks(Engine(), project="consumer", stack="dev", preview=False)
        try:
            _sync_await(run_pulumi_func(program))  # as the consumer's own `pulumi up` runs it
        finally:
            pulumi.runtime.settings.ROOT.set(None)

    seen: dict = {}

    async def tolerant():
        ref = pulumi.StackReference("my-org/kafka-monitoring/dev")
        replica = ref.get_output("archive_replica_bucket")
        archive = ref.require_output("archive_bucket")
        restore_from = pulumi.Output.all(replica, archive).apply(lambda v: v[0] or v[1])
        seen["replica"], seen["restore_from"] = await replica.future(), await restore_from.future()

    async def strict():
        ref = pulumi.StackReference("my-org/kafka-monitoring/dev")
        await ref.require_output("archive_replica_bucket").future()

    run_consumer(tolerant)
    assert seen == {"replica": None, "restore_from": stored["archive_bucket"]}
    with pytest.raises(KeyError, match="archive_replica_bucket"):
        run_consumer(strict)


def test_declared_contract_matches_the_pinned_one():
    assert set(outputs.OUTPUTS) == set(PINNED)


def test_readme_documents_every_output():
    readme = (ROOT / "README.md").read_text()
    for name, (type_, meaning) in outputs.OUTPUTS.items():
        assert f"| `{name}` | {type_} | {meaning} | {outputs.ABSENT_WHEN.get(name, '')} |" in readme, name


def test_prod_exports_its_replica(stack_runs):
    out = stack_runs["prod"].outputs
    assert out["archive_replica_bucket"] == "necpgame-kafka-monitoring-prod-compliance-replica"
    assert out["archive_bucket_arn"] == "arn:aws:s3:::necpgame-kafka-monitoring-prod-compliance-archive"
