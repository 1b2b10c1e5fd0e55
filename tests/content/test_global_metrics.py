"""Who may do what with the global metrics workspace, evaluated on requests (tests/policy/iam_model.py),
and the global datasource as Grafana and the plugin read it.

AMP actions: Service Authorization Reference, "Actions defined by Amazon Managed Service for
Prometheus" (RemoteWrite; QueryMetrics, GetSeries, GetLabels, GetMetricMetadata; CreateWorkspace,
DeleteWorkspace, PutRuleGroupsNamespace... are the administrative ones). Workspace ARNs:
arn:aws:aps:<region>:<account>:workspace/<id>. IRSA: EKS User Guide, "IAM roles for service accounts"
(the token's `sub` is system:serviceaccount:<namespace>:<name>, `aud` sts.amazonaws.com).
Grafana: a datasource's jsonData `sigV4Auth`, `sigV4AuthType`, `sigV4Region`, `sigV4AssumeRoleArn`
configure SigV4 in the HTTP client options Grafana builds for it, `httpHeaderName<n>` names a header
whose value is secureJsonData `httpHeaderValue<n>` (Grafana's DataSource HTTPClientOptions and
getCustomHeaders); grafana-amazonprometheus-datasource pkg/datasource.go signs for service `aps`.
"""
from __future__ import annotations

import pytest

from config.sections import GrafanaArgs
from content import global_metrics as gm
from tests.conftest import make_settings
from tests.policy.iam_model import Request, allowed

WORKSPACE = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1111"
OTHER = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-2222"
OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
GRAFANA = "arn:aws:iam::123456789012:role/grafana"
QUERY = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
ADMIN = ["aps:DeleteWorkspace", "aps:UpdateWorkspaceAlias", "aps:PutRuleGroupsNamespace", "aps:CreateWorkspace",
         "aps:UpdateWorkspaceConfiguration", "aps:TagResource"]


def test_the_writer_may_only_write_into_its_workspace():
    policy = gm.writer_policy(WORKSPACE)
    assert allowed(policy, Request("aps:RemoteWrite", WORKSPACE))
    assert allowed(policy, Request("APS:remotewrite", WORKSPACE))  # action names are case-insensitive
    assert not allowed(policy, Request("aps:RemoteWrite", OTHER))
    assert not allowed(policy, Request("aps:RemoteWrite", WORKSPACE + "0"))
    for action in QUERY + ADMIN:
        assert not allowed(policy, Request(action, WORKSPACE)), action


def test_grafana_may_only_query_the_workspace():
    policy = gm.query_policy(WORKSPACE)
    for action in QUERY:
        assert allowed(policy, Request(action, WORKSPACE)), action
        assert not allowed(policy, Request(action, OTHER)), action
    for action in ["aps:RemoteWrite", *ADMIN]:
        assert not allowed(policy, Request(action, WORKSPACE)), action


def web_identity(service_account: str, aud: str = "sts.amazonaws.com", principal: str = OIDC) -> Request:
    return Request("sts:AssumeRoleWithWebIdentity", "*", principal=principal,
                   context={f"{ISSUER}:aud": aud, f"{ISSUER}:sub": f"system:serviceaccount:{service_account}"})


def test_only_this_clusters_prometheus_service_account_assumes_the_writer_role():
    trust = gm.writer_trust(OIDC, "monitoring", "kafka-monitoring-alerting-prometheus")
    assert allowed(trust, web_identity("monitoring:kafka-monitoring-alerting-prometheus"))
    for other in ("monitoring:fluent-bit", "monitoring:kafka-monitoring-alerting-alertmanager",
                  "other:kafka-monitoring-alerting-prometheus", "monitoring:kafka-monitoring-alerting-prometheus2"):
        assert not allowed(trust, web_identity(other)), other
    assert not allowed(trust, web_identity("monitoring:kafka-monitoring-alerting-prometheus", aud="other"))
    another_cluster = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/XYZ"
    assert not allowed(trust, web_identity("monitoring:kafka-monitoring-alerting-prometheus",
                                           principal=another_cluster))
    # Without the web identity (a role or user of the account calling AssumeRole) nothing is allowed.
    assert not allowed(trust, Request("sts:AssumeRole", "*", principal="arn:aws:iam::123456789012:role/admin"))


def test_only_grafanas_role_assumes_the_query_role():
    trust = gm.query_trust(GRAFANA)
    assert allowed(trust, Request("sts:AssumeRole", "*", principal=GRAFANA))
    assert not allowed(trust, Request("sts:AssumeRole", "*", principal="arn:aws:iam::123456789012:role/grafana-2"))
    assert not allowed(trust, Request("sts:AssumeRole", "*", principal="arn:aws:iam::999999999999:role/grafana"))
    assert not allowed(trust, Request("sts:AssumeRoleWithWebIdentity", "*", principal=GRAFANA))


def grafana_args(**overrides) -> GrafanaArgs:
    return GrafanaArgs.of(make_settings("prod", **overrides))


def test_the_amp_datasource_signs_with_sigv4_through_the_query_role():
    s = grafana_args(globalMetrics="amp", globalMetricsGrafanaRoleArn=GRAFANA)
    url = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1111"
    ds = gm.datasource(s, url, "arn:aws:iam::123456789012:role/query")
    assert ds["type"] == "grafana-amazonprometheus-datasource" and ds["url"] == url
    assert ds["json_data"] == {"httpMethod": "POST", "timeInterval": s.scrape_interval, "sigV4Auth": True,
                               "sigV4AuthType": "default", "sigV4Region": "eu-west-1",
                               "sigV4AssumeRoleArn": "arn:aws:iam::123456789012:role/query"}
    assert ds["secure_json_data"] == {}
    assert ds["uid"] not in {"kafka-prometheus"}  # beside the local datasource, not instead of it


def test_the_mimir_datasource_sends_the_tenant_header_and_keeps_its_value_secure():
    s = grafana_args(globalMetrics="mimir", globalMetricsUrl="https://mimir.example/", globalMetricsTenant="kafka-prod")
    ds = gm.datasource(s)
    assert ds["type"] == "prometheus" and ds["url"] == "https://mimir.example/prometheus"
    assert ds["json_data"]["httpHeaderName1"] == "X-Scope-OrgID"
    assert "kafka-prod" not in str(ds["json_data"])
    assert ds["secure_json_data"] == {"httpHeaderValue1": "kafka-prod"}


def test_no_store_no_global_datasource():
    assert gm.datasource(grafana_args()) is None


@pytest.mark.parametrize("overrides, problem", [
    ({"globalMetrics": "amp", "eksOidcProviderArn": ""}, "eksOidcProviderArn: required with globalMetrics amp"),
    ({"globalMetrics": "amp"}, "globalMetricsGrafanaRoleArn: required with globalMetrics amp and enableGrafana"),
    ({"globalMetrics": "mimir", "globalMetricsTenant": "t"}, "globalMetricsUrl: required with globalMetrics mimir"),
    ({"globalMetrics": "mimir", "globalMetricsUrl": "https://m.example"},
     "globalMetricsTenant: required with globalMetrics mimir"),
    ({"globalMetrics": "mimir", "globalMetricsUrl": "http://m.example", "globalMetricsTenant": "t"},
     "globalMetricsUrl: prod requires https:// URLs"),
    ({"globalMetrics": "off"}, "globalMetrics: not allowed; allowed: none, amp, mimir"),
    ({"globalMetrics": "mimir", "globalMetricsUrl": "https://m.example", "globalMetricsTenant": ".."},
     "globalMetricsTenant: not allowed"),
])
def test_a_store_without_what_it_needs_is_refused(overrides, problem):
    from config.settings import SettingsError
    with pytest.raises(SettingsError) as err:
        make_settings("prod", **overrides)
    assert any(p.startswith(problem) for p in err.value.problems), err.value.problems


def test_amp_needs_the_stacks_region():
    from config.settings import SettingsError, parse, Context
    from tests.conftest import SECRET_VALUES, stack_context, stack_raw
    context = stack_context("prod")
    others = {k: v for k, v in context.others.items() if k != "aws:region"}
    with pytest.raises(SettingsError) as err:
        parse({**stack_raw("prod"), "globalMetrics": "amp", "globalMetricsGrafanaRoleArn": GRAFANA,
               "enableArchive": False}, dict(SECRET_VALUES), Context("prod", others))
    assert any(p.startswith("aws:region: required with globalMetrics amp") for p in err.value.problems)
