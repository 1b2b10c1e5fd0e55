"""GlobalMetrics under mocks: the AMP workspace, its roles and what Prometheus and Grafana are given.

The whole program runs (harness.runtime); what is deployed must be what content/ renders, and a
stack without a store must not change at all.
"""
from __future__ import annotations

import json
import math

import pytest

from config.sections import CapacityArgs
from content import capacity, global_metrics as gm, remote_write as rw
from harness import runtime
from content.prometheus_stack import service_account
from tests.conftest import SECRET_VALUES, full_config, make_settings
from tests.policy.iam_model import Request, allowed

GRAFANA = "arn:aws:iam::123456789012:role/grafana"
AMP = {"globalMetrics": "amp", "globalMetricsGrafanaRoleArn": GRAFANA, "globalMetricsRetentionDays": 400}
MIMIR = {"globalMetrics": "mimir", "globalMetricsUrl": "https://mimir.example", "globalMetricsTenant": "kafka-prod"}
RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.fixture(scope="module")
def amp_run():
    from tests.conftest import full_config
    from harness import runtime
    config, keys = full_config("prod", **AMP)
    return runtime.run("prod", config, keys)


def _prometheus(run) -> dict:
    release = run.release("kube-prometheus-stack")
    return release.inputs["values"]["prometheus"]


def test_the_workspace_keeps_the_set_retention_and_prod_protects_it(amp_run):
    (workspace,) = amp_run.of_type("aws:amp/workspace:Workspace")
    (config,) = amp_run.of_type("aws:amp/workspaceConfiguration:WorkspaceConfiguration")
    assert workspace.protect and workspace.inputs["alias"] == "kafka-monitoring-prod"
    assert config.inputs["retentionPeriodInDays"] == 400
    assert config.inputs["workspaceId"] == f"{workspace.name}-id"
    assert workspace.type == "aws:amp/workspace:Workspace" and workspace.parent.endswith(
        "kafka-monitoring:global_metrics:GlobalMetrics::kafka-monitoring-global-metrics")


def test_prometheus_writes_to_the_workspace_as_the_writer_role(amp_run):
    prometheus = _prometheus(amp_run)
    (writer,) = [r for r in amp_run.of_type("aws:iam/role:Role") if r.name.endswith("global-metrics-writer-role")]
    writer_arn = f"arn:aws:iam::123456789012:role/{writer.name}"
    assert prometheus["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": writer_arn}
    (entry,) = prometheus["prometheusSpec"]["remoteWrite"]
    assert entry["url"] == ("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/"
                            "kafka-monitoring-global-metrics-workspace-id/api/v1/remote_write")
    assert entry["sigv4"] == {"region": "eu-west-1"}
    assert prometheus["prometheusSpec"]["replicaExternalLabelName"] == "__replica__"
    # The local Prometheus stays as it was: same retention, replicas and rules.
    assert prometheus["prometheusSpec"]["retention"] == "90d" and prometheus["prometheusSpec"]["replicas"] == 2
    native = amp_run.artifacts["prometheus/prometheus.yml"]["remote_write"]
    assert [rw.chart(e) for e in native] == prometheus["prometheusSpec"]["remoteWrite"]


def test_the_deployed_roles_allow_exactly_what_content_renders(amp_run):
    roles = {r.name: r for r in amp_run.of_type("aws:iam/role:Role") if "global-metrics" in r.name}
    policies = {r.name: json.loads(r.inputs["policy"]) for r in amp_run.of_type("aws:iam/rolePolicy:RolePolicy")
                if "global-metrics" in r.name}
    workspace = "arn:aws:amp:::kafka-monitoring-global-metrics-workspace"  # the mocks' ARN
    writer = policies["kafka-monitoring-global-metrics-writer-role-policy"]
    reader = policies["kafka-monitoring-global-metrics-query-role-policy"]
    assert writer == gm.writer_policy(workspace) and reader == gm.query_policy(workspace)
    assert allowed(writer, Request("aps:RemoteWrite", workspace))
    assert not allowed(writer, Request("aps:QueryMetrics", workspace))
    assert not allowed(reader, Request("aps:RemoteWrite", workspace))
    trust = json.loads(roles["kafka-monitoring-global-metrics-writer-role"].inputs["assumeRolePolicy"])
    oidc = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/NECPGAMEPROD"
    issuer = oidc.split(":oidc-provider/")[1]
    sa = service_account("kafka-monitoring-alerting-prometheus")

    def assume(account: str) -> Request:
        return Request("sts:AssumeRoleWithWebIdentity", "*", principal=oidc, context={
            f"{issuer}:aud": "sts.amazonaws.com", f"{issuer}:sub": f"system:serviceaccount:monitoring:{account}"})
    assert allowed(trust, assume(sa))
    assert not allowed(trust, assume("fluent-bit"))
    query_trust = json.loads(roles["kafka-monitoring-global-metrics-query-role"].inputs["assumeRolePolicy"])
    assert query_trust == gm.query_trust(GRAFANA)


def test_grafana_gets_the_global_datasource_after_its_plugin_is_checked(amp_run):
    (ds,) = [r for r in amp_run.of_type("grafana:oss/dataSource:DataSource") if r.name.endswith("datasource-global")]
    (plugin,) = [r for r in amp_run.resources if r.name.endswith(f"plugin-{gm.AMP_PLUGIN}")]
    assert plugin.urn in ds.dependencies
    assert ds.inputs["type"] == gm.AMP_PLUGIN
    data = json.loads(ds.inputs["jsonDataEncoded"])
    assert data["sigV4AssumeRoleArn"] == "arn:aws:iam::123456789012:role/kafka-monitoring-global-metrics-query-role"
    assert amp_run.outputs["grafana_datasource_uids"]["global"] == gm.DATASOURCE["uid"]
    assert amp_run.outputs["grafana_datasource_uids"]["prometheus"] == "kafka-prometheus"  # the local one stays


def test_mimir_creates_nothing_in_aws_and_sends_the_tenant(program):
    run = program("prod", **MIMIR)
    assert not [r for r in run.resources if r.type.startswith("aws:amp") or "global-metrics-" in r.name]
    prometheus = _prometheus(run)
    (entry,) = prometheus["prometheusSpec"]["remoteWrite"]
    assert entry["url"] == "https://mimir.example/api/v1/push"
    assert entry["headers"] == {"X-Scope-OrgID": "kafka-prod"}
    assert "serviceAccount" not in prometheus
    (ds,) = [r for r in run.of_type("grafana:oss/dataSource:DataSource") if r.name.endswith("datasource-global")]
    assert ds.inputs["url"] == "https://mimir.example/prometheus"
    # The tenant header's value travels in secureJsonData, a secret end to end.
    assert ds.inputs["secureJsonDataEncoded"] == "[secret]"
    assert json.loads(ds.inputs["jsonDataEncoded"])["httpHeaderName1"] == "X-Scope-OrgID"


def test_without_a_store_nothing_changes(stack_runs):
    run = stack_runs["prod"]
    assert not [r for r in run.resources if "global" in r.name or r.type.startswith("aws:amp")]
    spec = _prometheus(run)["prometheusSpec"]
    assert "remoteWrite" not in spec and "replicaExternalLabelName" not in spec
    assert "remote_write" not in run.artifacts["prometheus/prometheus.yml"]
    assert not any(SECRET_VALUES["grafanaToken"] in json.dumps(r.inputs) for r in run.resources)


def test_the_stores_aws_inputs_are_in_the_sdks_schema_and_its_policies_in_the_iam_grammar(amp_run):
    """The checks tests/components/test_aws_inputs.py makes for every stack, on the AMP resources
    (pulumi-aws 7.51.1 WorkspaceArgs, WorkspaceConfigurationArgs, RoleArgs, RolePolicyArgs)."""
    from tests.components import kubernetes_schema as schema
    from tests.components.test_aws_inputs import DOCUMENTS, args_type, grammar
    ours = [r for r in amp_run.resources if r.type.startswith("aws:") and "global-metrics" in r.name]
    assert {r.type for r in ours} == {"aws:amp/workspace:Workspace", "aws:amp/workspaceConfiguration:WorkspaceConfiguration",
                                      "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"}
    for r in ours:
        assert schema.problems({k: v for k, v in r.inputs.items() if not k.startswith("__")}, args_type(r.type)) == [], \
            r.name
        for (type_, key), kind in DOCUMENTS.items():
            if r.type == type_:
                assert grammar(json.loads(r.inputs[key]), kind) == [], r.name
    assert schema.problems({"workspaceId": "w", "retentionDays": 1}, args_type(
        "aws:amp/workspaceConfiguration:WorkspaceConfiguration")) != []  # near miss: a name the SDK lacks


def test_each_prometheus_queue_is_sized_from_the_capacity_plans_rate_for_its_own_kafka_clusters():
    """Two Kafka clusters in the stack's own Kubernetes cluster and one in eks-b: each chart's
    remote-write queue carries its own writer's rate from the plan (content.capacity.writer_rates), so
    the home pair gets about twice eks-b's shards; the rendered prometheus.yml agrees with the chart."""
    oidc = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"
    clusters = [f"{n} ns={n} preset=strimzi" for n in ("a", "c")] + ["b ns=b preset=strimzi k8s=eks-b"]
    # enough brokers that one cluster's series need more than one shard
    overrides = {**AMP, "clusters": clusters, "kubernetesClusters": [f"eks-b context=eks-b oidc={oidc}"],
                 "capacityBrokersPerCluster": 30}
    config, keys = full_config("prod", **overrides)
    run = runtime.run("prod", config, keys)
    rates = capacity.writer_rates(CapacityArgs.of(make_settings("prod", **overrides)))
    shards = {}
    for release in run.of_type(RELEASE):
        if release.inputs["chart"] == "kube-prometheus-stack":
            (entry,) = release.inputs["values"]["prometheus"]["prometheusSpec"]["remoteWrite"]
            shards[release.name] = entry["queueConfig"]["minShards"]
    assert shards == {"kafka-monitoring-alerting-prometheus": rw.queue(math.ceil(rates["necpgame-prod"]))["min_shards"],
                      "kafka-monitoring-alerting-eks-b-prometheus": rw.queue(math.ceil(rates["eks-b"]))["min_shards"]}
    assert shards["kafka-monitoring-alerting-prometheus"] > shards["kafka-monitoring-alerting-eks-b-prometheus"] > 1
    (native,) = run.artifacts["clusters/eks-b/prometheus/prometheus.yml"]["remote_write"]
    assert native["queue_config"]["min_shards"] == shards["kafka-monitoring-alerting-eks-b-prometheus"]
