"""The global metrics store: an AMP workspace with its retention and IAM roles, or an existing Mimir.

Each cluster's Prometheus keeps scraping and alerting locally and also writes to the store
(content.remote_write); Grafana reads the store through its own datasource (components.grafana).
Mimir is the operator's own: nothing is created for it here, only its URLs are passed on.
"""
from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from config.sections import GlobalMetricsArgs
from content import global_metrics as layout
from content.remote_write import amp_query_url, amp_remote_write_url


class GlobalMetrics(pulumi.ComponentResource):
    remote_write_url: pulumi.Output[str]
    query_url: pulumi.Output[str]
    writer_role_arn: pulumi.Output[str] | None
    query_role_arn: pulumi.Output[str] | None

    def __init__(self, name: str, settings: GlobalMetricsArgs, service_accounts: dict[str, str],
                 opts: pulumi.ResourceOptions | None = None):
        """`service_accounts`: Kubernetes cluster name -> its Prometheus service account (the stack's own
        cluster first); each gets a writer role trusting that account through its cluster's OIDC provider."""
        super().__init__("kafka-monitoring:global_metrics:GlobalMetrics", name, None, opts)
        s = settings
        self.artifacts: dict = {}
        self.writer_role_arn = self.query_role_arn = None
        self.writer_role_arns: dict[str, pulumi.Output[str]] = {}
        if s.global_metrics == "mimir":
            base = s.global_metrics_url.rstrip("/")
            self.remote_write_url = pulumi.Output.from_input(f"{base}/api/v1/push")
            self.query_url = pulumi.Output.from_input(f"{base}/prometheus")
        else:
            self._amp(name, s, service_accounts)
        self.register_outputs({"remote_write_url": self.remote_write_url, "query_url": self.query_url,
                               "writer_role_arn": self.writer_role_arn, "query_role_arn": self.query_role_arn})

    def _amp(self, name: str, s: GlobalMetricsArgs, service_accounts: dict[str, str]) -> None:
        # Deleting a workspace deletes its metrics, and its roles guard it: prod protects them all
        # (policy/invariants.py: roles and role policies are protected in prod).
        data = child = pulumi.ResourceOptions(parent=self, protect=s.is_prod)
        tags = {"environment": s.environment, "managed-by": "kafka-monitoring"}
        workspace = aws.amp.Workspace(f"{name}-workspace", alias=f"kafka-monitoring-{s.stack or s.environment}",
                                      tags=tags, opts=data)
        aws.amp.WorkspaceConfiguration(f"{name}-workspace-configuration", workspace_id=workspace.id,
                                       retention_period_in_days=s.global_metrics_retention_days, opts=child)
        self.remote_write_url = workspace.id.apply(lambda i: amp_remote_write_url(s.aws_region, i))
        self.query_url = workspace.id.apply(lambda i: amp_query_url(s.aws_region, i))

        oidc = {s.kubernetes_cluster: s.eks_oidc_provider_arn,
                **{k.name: k.oidc_provider_arn for k in s.kubernetes_clusters}}
        policy = workspace.arn.apply(layout.writer_policy)
        for cluster, account in service_accounts.items():
            # The stack's own cluster keeps the unsuffixed names (and so its URNs).
            suffix = "" if cluster == s.kubernetes_cluster else f"-{cluster}"
            trust = layout.writer_trust(oidc[cluster], s.monitoring_namespace, account)
            writer = aws.iam.Role(f"{name}-writer-role{suffix}", description=f"Prometheus of {cluster}: remote "
                                  "write into the global metrics workspace", assume_role_policy=json.dumps(trust),
                                  tags=tags, opts=child)
            aws.iam.RolePolicy(f"{name}-writer-role-policy{suffix}", role=writer.id, policy=policy.apply(json.dumps),
                               opts=child)
            self.writer_role_arns[cluster] = writer.arn
            self.artifacts[f"global-metrics/writer-role{suffix}-trust.json"] = trust
        self.writer_role_arn = self.writer_role_arns.get(s.kubernetes_cluster)
        self.artifacts["global-metrics/writer-role-policy.json"] = policy

        if s.global_metrics_grafana_role_arn:
            trust = layout.query_trust(s.global_metrics_grafana_role_arn)
            reader = aws.iam.Role(f"{name}-query-role", description="Grafana: queries the global metrics workspace",
                                  assume_role_policy=json.dumps(trust), tags=tags, opts=child)
            policy = workspace.arn.apply(layout.query_policy)
            aws.iam.RolePolicy(f"{name}-query-role-policy", role=reader.id, policy=policy.apply(json.dumps),
                               opts=child)
            self.query_role_arn = reader.arn
            self.artifacts["global-metrics/query-role-trust.json"] = trust
            self.artifacts["global-metrics/query-role-policy.json"] = policy
