"""What keys require of each other, and of the stack: each rule at its edge, with its exact words.

Every case starts from a valid stack file and changes only the keys the rule reads, so the problems
listed are all the program says (and a rule that drops the others' problems fails too).
"""
from __future__ import annotations

import pytest

from config import settings

from tests.conftest import SECRET_VALUES, stack_context, stack_raw

OVERRIDE = ("is not allowed; expected '<service>=<rate>' or '<service>:<operation>=<rate>' with a rate from 0 to 1")


def problems(stack: str, context: dict | None = None, stack_name: str | None = None, **overrides) -> list[str]:
    ctx = stack_context(stack, **(context or {}))
    if stack_name:
        ctx = settings.Context(stack_name, ctx.others)
    try:
        settings.parse({**stack_raw(stack), **overrides}, dict(SECRET_VALUES), ctx)
    except settings.SettingsError as err:
        return err.problems
    return []


RETENTIONS = {"applicationLogRetentionDays": 40, "securityRetentionDays": 2557, "traceRetentionDays": 30}


@pytest.mark.parametrize("stack,overrides,expected", [
    # prod: security events reach the locked archive only through IRSA
    ("prod", {"eksOidcProviderArn": ""}, [
        "eksOidcProviderArn: not allowed; prod requires it: security events must reach the locked archive",
        "eksOidcProviderArn: not allowed; required for snapshots: the search pods assume the snapshot role through "
        "it (IRSA)"]),
    ("prod", {"eksOidcProviderArn": "", "enableCollection": False, "enableSearchRetention": False}, []),
    ("prod", {"breakGlassRoleArn": ""}, [
        "breakGlassRoleArn: not allowed; prod requires it: the archive's guards can be changed by nobody else"]),
    ("prod", {"breakGlassRoleArn": "", "enableArchive": False}, []),
    ("dev", {"eksOidcProviderArn": "", "enableArchive": True, "enableSearchRetention": True}, [
        "eksOidcProviderArn: not allowed; required for snapshots: the search pods assume the snapshot role through "
        "it (IRSA)"]),
    ("dev", {"eksOidcProviderArn": "", "enableArchive": True, "enableSearchRetention": False}, []),
    ("dev", {"eksOidcProviderArn": "", "enableArchive": False, "enableSearchRetention": True}, []),
    # read-only strictly before the shortest retention, whichever class it is
    *[("dev", {**RETENTIONS, key: 10, "readOnlyAfterDays": 10}, [
        "readOnlyAfterDays: not allowed; allowed: less than every retention (applicationLog, security, trace)"])
      for key in RETENTIONS],
    *[("dev", {**RETENTIONS, key: 10, "readOnlyAfterDays": 9, "applicationArchiveRetentionDays": 40}, [])
      for key in RETENTIONS],
    ("dev", {"applicationLogRetentionDays": 40, "applicationArchiveRetentionDays": 40}, []),
    ("dev", {"applicationLogRetentionDays": 40, "applicationArchiveRetentionDays": 39}, [
        "applicationArchiveRetentionDays: not allowed; allowed: at least applicationLogRetentionDays (snapshots "
        "outlive the indices they archive)"]),
    ("dev", {"combatP99LatencyMs": 200, "combatP99CriticalLatencyMs": 201}, []),
    ("dev", {"combatP99LatencyMs": 200, "combatP99CriticalLatencyMs": 200}, [
        "combatP99CriticalLatencyMs: not allowed; allowed: more than combatP99LatencyMs (critical is the worse of "
        "the two)"]),
    ("prod", {"objectLockDays": 2557, "securityRetentionDays": 2557}, []),
    ("prod", {"objectLockDays": 2557, "securityRetentionDays": 2558}, [
        "objectLockDays: not allowed; prod requires at least securityRetentionDays (the archive outlives the "
        "searchable copy)"]),
    ("dev", {"objectLockDays": 1, "securityRetentionDays": 90}, []),
    ("dev", {"alertGroupWait": "5m", "alertGroupInterval": "5m", "alertRepeatInterval": "5m"}, []),
    ("dev", {"alertGroupWait": "5m1s", "alertGroupInterval": "5m", "alertRepeatInterval": "4m",
             "scrapeInterval": "31s", "evaluationInterval": "30s"}, [
        "alertGroupWait: not allowed; allowed: at most alertGroupInterval",
        "alertGroupInterval: not allowed; allowed: at most alertRepeatInterval",
        "scrapeInterval: not allowed; allowed: at most evaluationInterval"]),
    ("dev", {"opensearchDeployment": "amazon-opensearch-service",
             "opensearchUrl": "https://logs-abc.eu-west-1.es.amazonaws.com"}, []),
    ("dev", {"opensearchDeployment": "amazon-opensearch-service", "opensearchUrl": "https://opensearch.example.com"}, [
        "opensearchUrl: not allowed; allowed with amazon-opensearch-service: the domain endpoint, "
        "https://<domain>.<region>.es.amazonaws.com"]),
    # every bad override is named by its index, and the other keys' problems are kept
    ("dev", {"dashboardTopN": 0, "traceSamplingOverrides": ["api=0.5", "bad", "api:GET /x=2", "=0.1", "api:op=1"]}, [
        "dashboardTopN: not allowed; allowed: 1 to 20",
        f"traceSamplingOverrides[1]: 'bad' {OVERRIDE}",
        f"traceSamplingOverrides[2]: 'api:GET /x=2' {OVERRIDE}",
        f"traceSamplingOverrides[3]: '=0.1' {OVERRIDE}"]),
], ids=lambda v: "" if isinstance(v, (dict, list)) else v)
def test_each_cross_key_rule_at_its_edge(stack, overrides, expected):
    assert problems(stack, **overrides) == expected


@pytest.mark.parametrize("text,parsed", [
    ("api=0.5", ("api", None, 0.5)),
    ("api:GET /orders=1", ("api", "GET /orders", 1.0)),
    ("api:GET /a=b=0", ("api", "GET /a=b", 0.0)),      # the rate follows the last '='
    ("api:ns:op=0.25", ("api", "ns:op", 0.25)),         # the operation follows the first ':'
])
def test_a_sampling_override_names_a_service_an_optional_operation_and_a_rate(text, parsed):
    assert settings.parse_sampling_override(text) == (parsed, [])


@pytest.mark.parametrize("text", ["api", "api=", "api=x", "api=1.01", "api=-0.1", ":op=0.5", "=0.5", None])
def test_a_bad_sampling_override_is_refused(text):
    assert settings.parse_sampling_override(text) == (None, [f"{text!r} {OVERRIDE}"])


@pytest.mark.parametrize("stack_name,environment,expected", [
    ("prod", "prod", []), ("prod-eu", "prod", []), ("prod2", "prod", []), ("staging-b", "staging", []),
    ("staging", "prod", ["environment: does not match stack 'staging'; allowed: staging (the stack name says so)"]),
    ("eu-prod", "prod", ["environment: does not match stack 'eu-prod'; allowed: a stack named after its "
                         "environment (dev, staging, prod), such as prod or prod-eu"]),
])
def test_the_stack_name_decides_the_environment(stack_name, environment, expected):
    stack = {"prod": "prod", "staging": "staging"}[environment]
    assert problems(stack, stack_name=stack_name) == expected


@pytest.mark.parametrize("flags,needs_context", [
    ({"enableAlerting": True, "enableCollection": False}, True),
    ({"enableAlerting": False, "enableCollection": True}, True),
    ({"enableAlerting": False, "enableCollection": False}, False),
])
def test_a_stack_that_deploys_to_kubernetes_pins_its_context(flags, needs_context):
    found = problems("dev", context={"kubernetes:context": ""}, **flags)
    assert found == (["kubernetes:context: required: the kubeconfig context of this stack's cluster, so that "
                      "`pulumi up` cannot deploy to whatever context is current"] if needs_context else [])


@pytest.mark.parametrize("context,overrides,expected", [
    ({"aws:region": "eu-west-9"}, {}, ["aws:region: not allowed; allowed: an AWS region such as eu-west-1"]),
    ({"aws:region": "eu-central-1"}, {"archiveReplication": True, "archiveReplicaRegion": "eu-central-1"}, [
        "archiveReplicaRegion: not allowed; allowed: a region other than aws:region (the replica is the offsite "
        "copy)"]),
    ({"aws:region": "eu-central-1"}, {"archiveReplication": False, "archiveReplicaRegion": "eu-central-1"}, [
        "archiveReplication: prod requires the offsite replica (true)"]),  # and no second problem
    ({"aws:allowedAccountIds": None}, {"enableArchive": True}, [
        "aws:allowedAccountIds: required: a list of the 12-digit AWS account ids this stack may deploy to"]),
    ({"aws:allowedAccountIds": None}, {"enableArchive": False}, []),
    ({}, {"breakGlassRoleArn": "arn:aws:iam::999999999999:role/break-glass",
          "archiveReaderRoleArns": ["arn:aws:iam::123456789012:role/a", "arn:aws:iam::999999999999:role/b"]}, [
        "breakGlassRoleArn: an account is not in aws:allowedAccountIds",
        "archiveReaderRoleArns: an account is not in aws:allowedAccountIds"]),
])
def test_the_aws_pins_hold_against_the_keys(context, overrides, expected):
    assert problems("prod", context=context, **overrides) == expected


REGION = ("aws:region: required with the archive: the AWS region of its buckets and keys, in the stack file, such "
          "as eu-west-1")


@pytest.mark.parametrize("stack,context,overrides,expected", [
    ("prod", {"aws:region": None}, {}, [REGION]),
    ("dev", {"aws:region": None}, {}, [REGION]),
    ("dev", {"aws:region": None}, {"enableArchive": False}, []),   # nothing in AWS: nothing to pin
    ("dev", {"aws:region": "eu-west-1"}, {}, []),
])
def test_a_stack_with_the_archive_pins_its_region(stack, context, overrides, expected):
    """pulumi-aws 7.51.1 (the pinned one), pulumi_aws/config/vars.py `region`:
    `__config__.get('region') or _utilities.get_env('AWS_REGION', 'AWS_DEFAULT_REGION')`: a stack
    without aws:region deploys wherever the environment of whoever runs `pulumi up` points."""
    assert problems(stack, context=context, **overrides) == expected


SERVICE_ACCOUNTS = ("searchServiceAccounts: required with the archive and self-managed search (Elasticsearch always "
                    "is): at least one <namespace>:<service account> of the pods that write snapshots")
MANAGED = {"opensearchDeployment": "amazon-opensearch-service", "opensearchUrl": "https://logs.eu-west-1.es.amazonaws.com"}


@pytest.mark.parametrize("overrides,expected", [
    ({"searchServiceAccounts": []}, [SERVICE_ACCOUNTS]),
    ({"searchServiceAccounts": [], "enableSearchRetention": False}, [SERVICE_ACCOUNTS]),  # self-managed OpenSearch
    ({"searchServiceAccounts": [], **MANAGED}, [SERVICE_ACCOUNTS]),   # Elasticsearch's snapshots still need IRSA
    ({"searchServiceAccounts": [], "enableSearchRetention": False, **MANAGED}, []),  # only the service assumes it
    ({"searchServiceAccounts": [], "enableArchive": False}, []),                     # no snapshot role at all
    ({"searchServiceAccounts": ["logging:elasticsearch"]}, []),
])
def test_the_snapshot_role_trusts_at_least_one_search_pod_where_pods_assume_it(overrides, expected):
    assert problems("prod", **overrides) == expected


def _too_long(stack: str, room: int) -> str:
    return (f"bucketPrefix: too long for stack {stack!r}; allowed: at most {room} characters with this stack "
            f"(<bucketPrefix>-{stack}-replica-access-logs must fit in 63)")


def _not_a_name(stack: str) -> str:
    return (f"bucketPrefix: bucket names are <bucketPrefix>-<stack>-<role> and stack {stack!r} cannot be part of "
            "one; allowed: a stack name of lowercase letters, digits and '-'")


@pytest.mark.parametrize("stack_name,prefix,overrides,expected", [
    ("prod-eu", "n" * 35, {}, []),                     # 35 + 1 + 7 + 1 + 19 = 63: fits exactly
    ("prod-eu-west", "n" * 30, {}, []),                # 30 + 1 + 12 + 1 + 19 = 63
    ("prod-eu-west", "n" * 31, {}, [_too_long("prod-eu-west", 30)]),
    ("prod-eu-west", "n" * 31, {"enableArchive": False}, []),   # no bucket, no name
    ("prod_eu", "necpgame", {}, [_not_a_name("prod_eu")]),      # S3: no underscore
    ("prod.eu", "necpgame", {}, [_not_a_name("prod.eu")]),      # refused like a dotted prefix (TLS)
    ("prodEU", "necpgame", {}, [_not_a_name("prodEU")]),        # S3: no upper case
])
def test_bucket_names_qualified_by_the_stack_fit_s3s_rules(stack_name, prefix, overrides, expected):
    """S3 User Guide, "General purpose bucket naming rules": 3 to 63 characters, lowercase letters,
    digits, dots and hyphens."""
    assert problems("prod", stack_name=stack_name, bucketPrefix=prefix, **overrides) == expected


AMP_REGION = ("aws:region: required with globalMetrics amp: the region of the workspace, which Prometheus signs its "
              "writes for")
GRAFANA_ROLE = ("globalMetricsGrafanaRoleArn: required with globalMetrics amp and enableGrafana: the role Grafana's "
                "server runs as, which alone may query the workspace")
ROLE = {"globalMetricsGrafanaRoleArn": "arn:aws:iam::123456789012:role/g"}
MIMIR = {"globalMetrics": "mimir", "globalMetricsUrl": "https://mimir.example", "globalMetricsTenant": "kafka-dev"}


@pytest.mark.parametrize("context,overrides,expected", [
    ({"aws:region": None}, {"globalMetrics": "amp", **ROLE}, [AMP_REGION]),
    ({"aws:region": None}, {"globalMetrics": "amp"}, [GRAFANA_ROLE, AMP_REGION]),
    ({"aws:region": "eu-west-1"}, {"globalMetrics": "amp"}, [GRAFANA_ROLE]),
    ({"aws:region": "eu-west-1"}, {"globalMetrics": "amp", **ROLE}, []),
    ({"aws:region": None}, {"globalMetrics": "amp", "enableGrafana": False}, [AMP_REGION]),   # no Grafana, no role
    ({"aws:region": None}, MIMIR, []),                  # near miss: Mimir is reached by URL, no AWS region
    ({"aws:region": None}, {"globalMetrics": "none"}, []),
])
def test_amp_pins_the_workspace_region_and_grafanas_role(context, overrides, expected):
    """dev without the archive, so that only the global-metrics rules speak. pulumi-aws 7.51.1
    pulumi_aws/config/vars.py `region` falls back to AWS_REGION of whoever runs `pulumi up` (see
    test_a_stack_with_the_archive_pins_its_region): the workspace and Prometheus' SigV4 signing region
    would follow it."""
    assert problems("dev", context=context, enableArchive=False, **overrides) == expected


def test_a_further_cluster_on_the_stacks_own_context_is_refused_in_its_own_words():
    oidc = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"
    assert problems("prod", kubernetesClusters=[f"eks-b context=necpgame-prod oidc={oidc}"]) == [
        "kubernetesClusters[0].context: is kubernetes:context, the stack's own cluster; allowed: another cluster's "
        "context"]
    assert problems("prod", kubernetesClusters=[f"eks-b context=necpgame-prod-b oidc={oidc}"]) == []   # near miss


@pytest.mark.parametrize("overrides,expected", [
    ({"globalMetrics": "amp", **ROLE, "eksOidcProviderArn": ""},
     ["eksOidcProviderArn: required with globalMetrics amp: Prometheus assumes its writer role through it (IRSA)"]),
    ({"globalMetrics": "none", "eksOidcProviderArn": ""}, []),     # near miss: nothing assumes a role
    ({"globalMetrics": "mimir"}, ["globalMetricsUrl: required with globalMetrics mimir",
                                  "globalMetricsTenant: required with globalMetrics mimir"]),
    ({"globalMetrics": "mimir", "globalMetricsUrl": "https://mimir.example"},
     ["globalMetricsTenant: required with globalMetrics mimir"]),
    ({"globalMetrics": "mimir", "globalMetricsTenant": "kafka-dev"}, ["globalMetricsUrl: required with globalMetrics mimir"]),
    (MIMIR, []),
])
def test_each_global_metrics_store_requires_what_it_is_reached_by(overrides, expected):
    """AMP: Prometheus writes through IRSA (the stack's OIDC provider); Mimir: a URL and a tenant."""
    assert problems("dev", enableArchive=False, **overrides) == expected


@pytest.mark.parametrize("key", ["kibanaUrl", "opensearchDashboardsUrl", "globalMetricsUrl"])
def test_an_optional_link_is_https_in_prod_or_left_empty(key):
    """Prod refuses a plain-http link (credentials and sessions would cross in clear); empty stays
    allowed (the link is optional), and dev may use http."""
    assert problems("prod", **{key: "http://dashboards.example.com"}) == [f"{key}: prod requires https:// URLs"]
    assert problems("prod", **{key: "https://dashboards.example.com"}) == []
    assert problems("prod", **{key: ""}) == []
    assert problems("dev", **{key: "http://dashboards.example.com"}) == []
