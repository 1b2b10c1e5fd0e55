"""What each setting allows, one line per key, next to nothing else: the rules come from the systems
that consume the values (sources named beside each rule), not from the key's spelling.

A rule never echoes the value it refuses: a secret pasted into the wrong key must not reach a log.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from pulumi_aws import Region

from config import cron
from config.clusters import resolvable_target
from config.peers import GRAMMAR as PEER_GRAMMAR, parse_peer


@dataclass(frozen=True)
class Rule:
    ok: Callable[[Any], bool]
    allowed: str            # shown after "allowed:" when the value is refused
    prod_ok: Callable[[Any], bool] | None = None
    prod_allowed: str = ""  # why prod needs more
    bounds: tuple[int, int] | None = None  # whole numbers: the inclusive range


def between(lo: int, hi: int, prod_min: int | None = None, why: str = "") -> Rule:
    return Rule(lambda v: lo <= v <= hi, f"{lo} to {hi}",
                (lambda v: v >= prod_min) if prod_min is not None else None,
                f"prod requires at least {prod_min}{why}" if prod_min is not None else "", (lo, hi))


def matches(pattern: str, allowed: str, max_len: int = 253) -> Rule:
    compiled = re.compile(pattern)
    return Rule(lambda v: len(v) <= max_len and compiled.fullmatch(v) is not None, allowed)


def one_of(*values: str) -> Rule:
    return Rule(lambda v: v in values, ", ".join(values))


def _percent(text: str) -> bool:
    try:
        return 0 < float(text) < 100
    except ValueError:
        return False


def _rate(text: str) -> bool:
    try:
        return 0 <= float(text) <= 1
    except ValueError:
        return False


def number(lo: float, hi: float) -> Rule:
    """A decimal given as a string (Pulumi's schema has no float type)."""
    def ok(text: str) -> bool:
        try:
            return lo <= float(text) <= hi
        except (TypeError, ValueError):
            return False
    return Rule(ok, f"a number from {lo:g} to {hi:g}")


def _regex(text: str) -> bool:
    try:
        re.compile(text)
    except re.error:
        return False
    return bool(text)


def url_problem(text: str) -> str | None:
    """Why an endpoint URL is refused, or None. Credentials belong in the username and secret keys:
    a `user:password@` URL would be stored in plain text in the state, plan.json and datasources."""
    if not isinstance(text, str) or re.search(r"\s", text):
        return "an http(s) URL without spaces"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError for a port outside 0-65535)
    except ValueError:
        return "an http(s) URL with a port from 1 to 65535"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "an http(s) URL such as https://grafana.example.com"
    if parts.username is not None or parts.password is not None:
        return "a URL without credentials (no user:password@); use the username key and the password secret"
    if parts.port == 0:
        return "an http(s) URL with a port from 1 to 65535"
    return None


def opensearch_service_region(url_text: str) -> str | None:
    """The region of an Amazon OpenSearch Service domain endpoint (https://<domain>.<region>.es.amazonaws.com)."""
    match = re.fullmatch(r"https://[a-z0-9-]+\.([a-z0-9-]+)\.es\.amazonaws\.com(:443)?/?", url_text or "")
    return match.group(1) if match and match.group(1) in AWS_REGIONS else None


def url() -> Rule:
    return Rule(lambda v: url_problem(v) is None, "an http(s) URL without credentials, port 1-65535",
                lambda v: v.startswith("https://"), "prod requires https:// URLs")


# prometheus/common model/time.go ParseDuration (Prometheus 2.x and Alertmanager 0.25 both use it):
# units in this order, each at most once, "0" alone allowed. promtool/amtool are the tests' oracle.
_DURATION = re.compile(r"(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?")
_SECONDS = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}


def duration_seconds(text: str) -> float | None:
    """Seconds in a Prometheus duration, or None where Prometheus would refuse it."""
    if text == "0":
        return 0.0
    match = _DURATION.fullmatch(text) if isinstance(text, str) and text else None
    if not match:
        return None
    return sum(int(n) * _SECONDS[u] for n, u in re.findall(r"([0-9]+)(ms|y|w|d|h|m|s)", text))


def duration(lo_s: float, hi_s: float, allowed: str, prod_min_s: float | None = None, prod_min: str = "") -> Rule:
    """`prod_min_s`: prod's floor (a fast test stack may tick every second; production should not)."""
    return Rule(lambda v: (d := duration_seconds(v)) is not None and lo_s <= d <= hi_s,
                f"a Prometheus duration (units y w d h m s ms, in that order) from {allowed}",
                (lambda v: duration_seconds(v) >= prod_min_s) if prod_min_s is not None else None,
                f"prod requires at least {prod_min}" if prod_min_s is not None else "")


# Kubernetes quantities as the chart's volume claim takes them; 0 is refused (an empty disk).
_SIZE = re.compile(r"[1-9][0-9]{0,5}(Mi|Gi|Ti)")
# DNS-1123 label (Kubernetes namespaces and names, k8s.io/apimachinery validation.IsDNS1123Label).
DNS_LABEL = r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"
# An OCI image reference pinned by tag or digest (no `latest`, no bare name).
_IMAGE = r"[a-z0-9]+([._/-][a-z0-9]+)*(:[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}|@sha256:[0-9a-f]{64})"
_SEMVER = r"[0-9]+\.[0-9]+\.[0-9]+"
_ARN_ROLE = r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}"
_ARN_OIDC = r"arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/[A-Za-z0-9./_-]{1,255}"
# pulumi-aws 7.51.1 `pulumi_aws.Region`: the regions the provider knows.
AWS_REGIONS = tuple(r.value for r in Region)
# S3 general purpose bucket names are at most 63 characters; ours are <bucketPrefix>-<stack>-<role>, and
# the longest role is content.archive.REPLICA_ACCESS_LOGS (tests/config/test_fields.py keeps them equal).
BUCKET_NAME_MAX, LONGEST_BUCKET_ROLE = 63, "replica-access-logs"
OPTIONAL = "(empty for none)"


def _optional(rule: Rule) -> Rule:
    return Rule(lambda v: v == "" or rule.ok(v), f"{rule.allowed} {OPTIONAL}")


def _list(item: Callable[[Any], bool], allowed: str, min_len: int = 0, max_len: int = 100) -> Rule:
    return Rule(lambda v: min_len <= len(v) <= max_len and all(isinstance(x, str) and item(x) for x in v),
                f"{allowed}, {min_len} to {max_len} of them")


BOOL = Rule(lambda v: isinstance(v, bool), "true or false")


def rules() -> dict[str, Rule]:
    """The rule of every key. Built on each call (about a millisecond), not at import: the rules are
    made by the functions above, and a rule made once at import would hide which tests judge each
    of them (the mutation benchmark, devtools/mutation.py, sees only calls made during a test)."""
    # Elasticsearch index names: lowercase, no \ / * ? " < > | , # : or space, not starting with - _ +.
    index_prefix = matches(r"[a-z0-9][a-z0-9._-]{0,49}", "a lowercase index prefix such as jaeger (letters, digits, . _ -)")
    # S3 general purpose bucket naming rules (AWS S3 User Guide, "Bucket naming rules"): every bucket name
    # `<prefix>-<environment>-<role>` must be 3-63 of [a-z0-9.-]; we also refuse dots, which break
    # virtual-hosted TLS. The longest role and environment ("-staging-replica-access-logs") leave
    # 63 - 28 = 35 characters for the prefix.
    bucket_prefix = matches(r"(?!xn--|sthree-|amzn-s3-demo-)[a-z0-9][a-z0-9-]{0,34}",
                            "1 to 35 lowercase letters, digits and '-', starting with a letter or digit, "
                            "not starting with xn--, sthree- or amzn-s3-demo-")
    return {
        "environment": one_of("dev", "staging", "prod"),
        "enableAlerting": BOOL,
        "enableArchive": BOOL,
        "enableGrafana": BOOL,
        "enableSearchRetention": BOOL,
        "enableCollection": BOOL,
        "enablePagerdutyCritical": Rule(BOOL.ok, BOOL.allowed, bool, "prod requires it: critical alerts must page"),
        "enablePagerdutyHigh": Rule(BOOL.ok, BOOL.allowed, bool, "prod requires it: high alerts must page"),
        "enableSlack": BOOL,
        "enableHeartbeat": Rule(BOOL.ok, BOOL.allowed, bool,
                                "prod requires it: without the dead man's switch a dead pipeline pages nobody"),
        "managedControlPlane": BOOL,
        "clusters": Rule(lambda v: isinstance(v, list), "a list of cluster specs"),  # each spec: config.clusters
        "kubernetesCluster": matches(r"[A-Za-z0-9]([A-Za-z0-9._-]{0,98}[A-Za-z0-9])?", "a cluster name (letters, digits, . _ -)"),
        "monitoringNamespace": matches(DNS_LABEL, "a Kubernetes namespace name (DNS-1123 label)", 63),
        "createMonitoringNamespace": BOOL,
        "platformNamespace": matches(DNS_LABEL, "a Kubernetes namespace name (DNS-1123 label)", 63),
        "scrapeInterval": duration(1, 300, "1s to 5m", 5, "5s"),
        "evaluationInterval": duration(1, 300, "1s to 5m", 5, "5s"),
        "prometheusRetentionDays": between(1, 3650, 30, " days (alert history for post-mortems)"),
        "prometheusStorageSize": Rule(lambda v: _SIZE.fullmatch(v) is not None, "a size such as 200Gi (Mi, Gi or Ti, not 0)"),
        "prometheusReplicas": between(1, 5, 2, " (a single Prometheus is a single point of failure)"),
        "alertmanagerReplicas": between(1, 5, 2, " (paging must survive one pod)"),
        "kubePrometheusStackVersion": matches(_SEMVER, "a chart version such as 65.1.1"),
        "blackboxExporterAddress": Rule(lambda v: v == "" or resolvable_target(v) is None,
                                        f"host:port resolvable from any namespace {OPTIONAL}"),
        "blackboxExporterChartVersion": matches(_SEMVER, "a chart version such as 9.0.3"),
        "kafkaExporterImage": matches(_IMAGE, "an image pinned by tag or digest, such as danielqsj/kafka-exporter:v1.9.0"),
        "heartbeatInterval": duration(1, 600, "1s to 10m", 30, "30s"),
        "plaintextListenerPattern": Rule(_regex, "a non-empty regular expression"),
        "pagerdutyEventsUrl": url(),
        "prometheusUrl": url(),
        "alertmanagerUrl": url(),
        "runbookBaseUrl": url(),
        "grafanaUrl": url(),
        "elasticsearchUrl": url(),
        "opensearchUrl": url(),
        "jaegerQueryUrl": url(),
        # Alertmanager route timers (prometheus/common durations, checked by amtool in the tests).
        "alertGroupWait": duration(0, 3600, "0s to 1h"),
        "alertGroupInterval": duration(1, 86400, "1s to 1d"),
        "alertRepeatInterval": duration(60, 7 * 86400, "1m to 1w"),
        # Slack channel names: lowercase letters, digits, - and _, at most 80 (Slack's naming rules).
        "slackChannel": matches(r"#[a-z0-9_-]{1,80}", "a Slack channel such as #kafka-alerts"),
        "securitySlackChannel": matches(r"#[a-z0-9_-]{1,80}", "a Slack channel such as #security-emergency"),
        "diskUsageCriticalPercent": between(50, 99),
        "diskFreeWarningPercent": between(1, 50),
        "memoryUsagePercent": between(1, 100),
        "cpuUsagePercent": between(1, 100),
        "consumerLagCritical": between(1, 10**9),
        "eventFailuresPerSecond": between(1, 10**6),
        "saslAuthFailuresPerMinute": between(1, 10**6),
        "authorizationFailuresPerSecond": between(1, 10**6),
        "certExpiryDays": between(1, 365),
        "lowThroughputEventsPerSecond": between(1, 10**9),
        "combatP99LatencyMs": between(1, 60_000),
        "combatP99CriticalLatencyMs": between(1, 60_000),
        "brokerRequestP99LatencyMs": between(1, 60_000),
        "failedRequestsPercent": between(1, 100),
        "failedRequestsMinPerMinute": between(1, 10**6),
        "availabilitySloPercent": Rule(_percent, 'a number of percent strictly between 0 and 100, such as "99.9"'),
        "errorRateSloPercent": Rule(_percent, 'a number of percent strictly between 0 and 100, such as "0.1"'),
        # Grafana team names: free text, but one line.
        "securityTeam": matches(r"[\w .@-]{1,100}", "a Grafana team name (letters, digits, space . @ _ -)"),
        # RFC 7617: a basic-auth user-id cannot contain ':'.
        "elasticsearchUsername": matches(r"[^:\s]{1,100}", "a user name without ':' or spaces"),
        "opensearchUsername": matches(r"[^:\s]{1,100}", "a user name without ':' or spaces"),
        "opensearchVersion": matches(_SEMVER, "a version such as 2.17.0"),
        "opensearchDeployment": one_of("self-managed", "amazon-opensearch-service"),
        "searchServiceAccounts": _list(lambda x: re.fullmatch(f"{DNS_LABEL}:{DNS_LABEL}", x) is not None,
                                       "a list of <namespace>:<service account>", 0, 20),
        "dashboardTopN": between(1, 20),
        "applicationLogRetentionDays": between(1, 3650, 30, " days (incident investigations)"),
        "securityRetentionDays": between(1, 36500, 2557, " days (7 years)"),
        "applicationArchiveRetentionDays": between(1, 3650),
        "readOnlyAfterDays": between(1, 30),
        "securitySnapshotSchedule": Rule(lambda v: not cron.unix_problems(v),
                                         "a 5-field cron expression (minute hour day month weekday) such as '30 2 * * *'"),
        "snapshotSchedule": Rule(lambda v: not cron.problems(v), "an Elasticsearch cron expression such as '0 30 1 * * ?'"),
        "applicationLogShards": between(1, 64),
        "securityLogShards": between(1, 64),
        "securityRolloverPrimaryShardGb": between(1, 200),
        "securityRolloverMaxDays": between(1, 365),
        "searchReplicas": between(0, 5, 1, " (an index must survive one node)"),
        "opensearchAppendOnly": BOOL,
        "allowRetentionDelete": BOOL,
        "adoptExistingRetention": BOOL,
        # Security detections (content/detections.py). Kafka topic names: Topic.LEGAL_CHARS [a-zA-Z0-9._-],
        # at most 249 characters (apache/kafka 3.8.0 clients/.../common/internals/Topic.java).
        "saslBruteForceFailures": between(2, 100_000),
        "failuresBeforeSuccess": between(1, 100_000),
        "protocolFailures": between(1, 100_000),
        "sensitiveTopics": _list(lambda x: re.fullmatch(r"[a-zA-Z0-9._-]{1,249}", x) is not None,
                                 "a list of Kafka topic names (letters, digits, . _ -, at most 249)", 0, 100),
        # Kibana and OpenSearch Dashboards (content/views.py): optional, https in prod like every endpoint.
        "kibanaUrl": Rule(lambda v: v == "" or url_problem(v) is None, f"{url().allowed} {OPTIONAL}",
                          lambda v: v == "" or v.startswith("https://"), url().prod_allowed),
        "opensearchDashboardsUrl": Rule(lambda v: v == "" or url_problem(v) is None, f"{url().allowed} {OPTIONAL}",
                                        lambda v: v == "" or v.startswith("https://"), url().prod_allowed),
        "searchCaBundle": matches(r"(/[^\s]*)?", "an absolute path of a CA bundle (empty for the system's trust store)", 1024),
        "bucketPrefix": bucket_prefix,
        "objectLockMode": Rule(lambda v: v in ("COMPLIANCE", "GOVERNANCE"), "COMPLIANCE, GOVERNANCE",
                               lambda v: v == "COMPLIANCE", "prod requires COMPLIANCE (GOVERNANCE locks can be bypassed)"),
        # S3 Object Lock default retention: at most 100 years (PutObjectLockConfiguration).
        "objectLockDays": between(1, 36500, 2557, " days (7 years)"),
        "snapshotNoncurrentDays": between(1, 365),
        "archiveTransitionDays": between(1, 3650),
        "accessLogRetentionDays": between(1, 3650, 365, " days (a year of access history)"),
        "archiveReplication": Rule(lambda v: isinstance(v, bool), "true or false",
                                   lambda v: v is True, "prod requires the offsite replica (true)"),
        "archiveReplicaRegion": Rule(lambda v: v in AWS_REGIONS, "an AWS region such as eu-central-1"),
        "archiveReaderRoleArns": _list(lambda x: re.fullmatch(_ARN_ROLE, x) is not None,
                                       "a list of role ARNs, arn:aws:iam::<12-digit account>:role/<name>", 0, 20),
        "breakGlassRoleArn": _optional(matches(_ARN_ROLE, "arn:aws:iam::<12-digit account>:role/<name>", 600)),
        "eksOidcProviderArn": _optional(matches(_ARN_OIDC, "arn:aws:iam::<12-digit account>:oidc-provider/<issuer>", 400)),
        "fluentBitChartVersion": matches(_SEMVER, "a chart version such as 0.47.10"),
        "applicationLogLevels": _list(lambda x: re.fullmatch(r"[A-Z]{1,10}", x) is not None,
                                      "a non-empty list of upper-case level names such as WARN", 1, 10),
        "logOutputRetryLimit": between(0, 100),
        "jaegerImage": matches(_IMAGE, "an image pinned by tag or digest, such as jaegertracing/jaeger:2.5.0"),
        "jaegerReplicas": between(1, 10),
        "traceStorage": one_of("elasticsearch", "opensearch"),
        "traceIndexPrefix": index_prefix,
        "traceRetentionDays": between(1, 365),
        "traceSamplingRate": Rule(_rate, "a number from 0 to 1"),
        "traceSamplingOverrides": Rule(lambda v: len(v) <= 100, "at most 100 overrides"),  # each: settings
        # The capacity plan's inputs (content/capacity.py): ranges that keep its arithmetic meaningful.
        "capacityBrokersPerCluster": between(1, 1000),
        "capacityControllersPerCluster": between(0, 100),
        "capacityTopicsPerCluster": between(1, 100_000),
        "capacityPartitionsPerCluster": between(1, 1_000_000),
        "capacityReplicationFactor": between(1, 10),
        "capacityConsumerGroupsPerCluster": between(0, 100_000),
        "capacityTopicsPerGroup": between(0, 1000),
        "capacityListeners": between(1, 20),
        "capacityNetworkThreads": between(1, 128),
        "capacityBaselineSeries": between(0, 100_000_000),
        "capacityBytesPerSample": number(0.5, 16),
        "capacityApplicationLogGbPerDay": number(0, 100_000),
        "capacitySecurityEventGbPerDay": number(0, 100_000),
        "capacityTraceSpansPerSecond": between(0, 10_000_000),
        "capacityTraceSpanBytes": between(1, 1_000_000),
        "capacityArchiveGzipRatio": number(0.01, 1),
        "capacityFluentBitNodes": between(1, 10_000),
        "capacityElasticsearchDataNodes": between(1, 1000),
        "capacityElasticsearchDiskGb": between(1, 1_000_000),
        "capacityElasticsearchHeapGb": between(1, 64),
        "capacityOpensearchDataNodes": between(1, 1000),
        "capacityOpensearchDiskGb": between(1, 1_000_000),
        "capacityOpensearchHeapGb": between(1, 64),
        "capacityMaxShardsPerNode": between(1, 100_000),
        "kubernetesClusters": Rule(lambda v: isinstance(v, list) and len(v) <= 20,
                                   "a list of Kubernetes cluster specs (at most 20)"),  # each: config.kubernetes
        "globalMetrics": one_of("none", "amp", "mimir"),
        # AMP UpdateWorkspaceConfiguration: retentionPeriodInDays at least 1; 1095 is the service's maximum.
        "globalMetricsRetentionDays": between(1, 1095),
        "globalMetricsUrl": Rule(lambda v: v == "" or url_problem(v) is None,
                                 f"an http(s) URL without credentials, port 1-65535 {OPTIONAL}",
                                 lambda v: v == "" or v.startswith("https://"), "prod requires https:// URLs"),
        # Mimir's tenant ids (docs, "About tenant IDs"): at most 150 of these characters, not "." or "..".
        "globalMetricsTenant": _optional(matches(r"(?!\.{1,2}$)[A-Za-z0-9!_.*'()-]{1,150}",
                                                 "a Mimir tenant id (letters, digits, ! - _ . * ' ( )), at most 150 "
                                                 "characters", 150)),
        # 0: each Prometheus's rate from the capacity plan.
        "globalMetricsSamplesPerSecond": between(0, 10_000_000),
        "globalMetricsGrafanaRoleArn": _optional(matches(_ARN_ROLE, "arn:aws:iam::<12-digit account>:role/<name>", 600)),
        "traceHealthOperations": _list(lambda x: re.fullmatch(r"/[\w./-]{0,100}", x) is not None,
                                       "a list of HTTP paths such as /health", 0, 50),
        # Network policies (content/network.py).
        "enableNetworkPolicies": Rule(lambda v: isinstance(v, bool), "true or false",
                                      lambda v: v is True, "prod requires them (true)"),
        "traceSenderNamespaces": _list(lambda x: re.fullmatch(DNS_LABEL, x) is not None,
                                       "a list of Kubernetes namespace names", 0, 50),
        "grafanaSources": _list(lambda x: parse_peer(x) is not None, f"a list of peers ({PEER_GRAMMAR})", 0, 20),
        "alertmanagerSources": _list(lambda x: parse_peer(x) is not None, f"a list of peers ({PEER_GRAMMAR})", 0, 20),
        # Authenticated entry points (content/auth_proxy.py).
        "enableAuthProxy": Rule(lambda v: isinstance(v, bool), "true or false",
                                lambda v: v is True, "prod requires it (true)"),
        "authProxyImage": matches(_IMAGE, "an image pinned by tag or digest, such as nginx:1.27.2-alpine"),
    }
