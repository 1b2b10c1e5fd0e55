"""The global metrics store's access: IAM documents for the AMP workspace, and Grafana's datasource.

AMP's actions (Service Authorization Reference, "Actions defined by Amazon Managed Service for
Prometheus"): `aps:RemoteWrite` is the write path; `aps:QueryMetrics`, `aps:GetSeries`,
`aps:GetLabels` and `aps:GetMetricMetadata` the Prometheus-compatible query API Grafana calls. Each is
scoped to the workspace's ARN.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from content.archive import web_identity_trust
from content.grafana import GLOBAL_DATASOURCE
from content.remote_write import TENANT_HEADER

if TYPE_CHECKING:
    from config.sections import GrafanaArgs

WRITE_ACTIONS = ("aps:RemoteWrite",)
QUERY_ACTIONS = ("aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata")
DATASOURCE = GLOBAL_DATASOURCE
# The AMP datasource is an external plugin (grafana/grafana-amazonprometheus-datasource): Grafana's
# core Prometheus datasource deprecates SigV4.
AMP_PLUGIN = "grafana-amazonprometheus-datasource"


def _allow(sid: str, actions: tuple[str, ...], resource: Any) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resource}]}


def writer_policy(workspace_arn: str) -> dict:
    """Prometheus: write into this workspace, nothing else (no query, no other workspace)."""
    return _allow("RemoteWrite", WRITE_ACTIONS, workspace_arn)


def query_policy(workspace_arn: str) -> dict:
    """Grafana: read this workspace, nothing else (no write, no configuration)."""
    return _allow("Query", QUERY_ACTIONS, workspace_arn)


def writer_trust(oidc_provider_arn: str, namespace: str, service_account: str) -> dict:
    """IRSA: only this cluster's Prometheus service account may assume the writer role."""
    return web_identity_trust(oidc_provider_arn, [f"{namespace}:{service_account}"])


def query_trust(grafana_role_arn: str) -> dict:
    """Only the role Grafana's server runs as assumes the query role (the datasource's sigV4AssumeRoleArn)."""
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": grafana_role_arn}, "Action": "sts:AssumeRole"}]}


def datasource(s: "GrafanaArgs", query_url: Any = None, query_role_arn: Any = None) -> dict | None:
    """The global datasource: type, url, jsonData and (Mimir) secureJsonData. jsonData keys as Grafana
    reads them for a plugin's HTTP client: `sigV4Auth`, `sigV4AuthType`, `sigV4Region`,
    `sigV4AssumeRoleArn`; custom headers as `httpHeaderName<n>` in jsonData with the value in
    secureJsonData `httpHeaderValue<n>`. The plugin signs for service `aps` unless `sigv4Service` says
    otherwise (plugin pkg/datasource.go extendClientOpts). `timeInterval` keeps $__rate_interval at
    least four scrape intervals, as on the local datasource."""
    common = {"httpMethod": "POST", "timeInterval": s.scrape_interval}
    if s.global_metrics == "amp":
        return {**DATASOURCE, "type": AMP_PLUGIN, "url": query_url,
                "json_data": {**common, "sigV4Auth": True, "sigV4AuthType": "default", "sigV4Region": s.aws_region,
                              "sigV4AssumeRoleArn": query_role_arn},
                "secure_json_data": {}}
    if s.global_metrics == "mimir":
        return {**DATASOURCE, "type": "prometheus", "url": f"{s.global_metrics_url.rstrip('/')}/prometheus",
                "json_data": {**common, "httpHeaderName1": TENANT_HEADER},
                "secure_json_data": {"httpHeaderValue1": s.global_metrics_tenant}}
    return None
