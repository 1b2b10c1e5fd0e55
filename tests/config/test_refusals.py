"""Every bad stack file is refused by `scripts/preview` the way `pulumi up` refuses it: exit 2, the key
named, nothing registered, nothing written, and no value that could be a secret in the message.

Each case edits a real stack file (a copy in a temporary directory) as a user would."""
from __future__ import annotations

import re
from typing import Any, Callable

import pytest
import yaml

from config import settings, stack_context
from harness import preview, runtime

LEAK = "LEAKCHECK-9d1f"
P = "kafka-monitoring:"


def _set(**values: Any) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        for key, value in values.items():
            config[key if ":" in key else P + key] = value
    return edit


def _drop(*keys: str) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        for key in keys:
            config.pop(key if ":" in key else P + key)
    return edit


def _both(*edits: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(config: dict) -> None:
        for e in edits:
            e(config)
    return edit


# (case id, stack, edit of the config mapping or of the file's text, the key the refusal must name)
CASES: list[tuple[str, str, Callable | str, str]] = [
    # environment and stack name
    ("prod-says-staging", "prod", _set(environment="staging", objectLockMode="GOVERNANCE", objectLockDays=1),
     "environment"),
    ("dev-says-prod", "dev", _set(environment="prod"), "environment"),
    ("unknown-environment", "prod", _set(environment="production"), "environment"),
    # keys that do not exist
    ("typo-retentionDay", "prod", _set(retentionDay=30), "retentionDay"),
    ("typo-objectLockDay", "prod", _set(objectLockDay=30), "objectLockDay"),
    ("typo-namespace", "prod", _set(**{"kafka-monitorng:objectLockDays": 1}), "kafka-monitorng:objectLockDays"),
    ("unknown-key", "dev", _set(dashboardTheme="dark"), "dashboardTheme"),
    # secrets in plain text, and credentials inside URLs
    ("plaintext-grafanaToken", "prod", _set(grafanaToken=f"glsa_{LEAK}"), "grafanaToken"),
    ("plaintext-slackWebhookUrl", "dev", _set(slackWebhookUrl=f"https://hooks.slack.example/{LEAK}"),
     "slackWebhookUrl"),
    ("plaintext-pagerdutyCriticalKey", "staging", _set(pagerdutyCriticalKey=LEAK), "pagerdutyCriticalKey"),
    ("plaintext-opensearchPassword", "prod", _set(opensearchPassword=LEAK), "opensearchPassword"),
    ("es-url-credentials", "prod", _set(elasticsearchUrl=f"https://admin:{LEAK}@es.necpgame.internal:9200"),
     "elasticsearchUrl"),
    ("os-url-credentials", "dev", _set(opensearchUrl=f"http://admin:{LEAK}@opensearch:9200"), "opensearchUrl"),
    ("grafana-url-user", "prod", _set(grafanaUrl=f"https://{LEAK}@grafana.necpgame.internal"), "grafanaUrl"),
    ("secret-in-wrong-key", "prod", _set(slackChannel=f"xoxb-{LEAK}"), "slackChannel"),
    ("secret-in-int-key", "prod", _set(consumerLagCritical=f"sk-{LEAK}"), "consumerLagCritical"),
    # URLs
    ("grafana-ftp", "dev", _set(grafanaUrl="ftp://grafana"), "grafanaUrl"),
    ("prod-http-prometheus", "prod", _set(prometheusUrl="http://prometheus.necpgame.internal"), "prometheusUrl"),
    ("port-99999", "prod", _set(elasticsearchUrl="https://es.necpgame.internal:99999"), "elasticsearchUrl"),
    ("jaeger-not-a-url", "dev", _set(jaegerQueryUrl="jaeger query"), "jaegerQueryUrl"),
    ("runbook-space", "prod", _set(runbookBaseUrl="https://github.com/necp game/runbooks"), "runbookBaseUrl"),
    ("pagerduty-no-host", "prod", _set(pagerdutyEventsUrl="https://"), "pagerdutyEventsUrl"),
    # numbers out of range
    ("prometheus-retention-1e15", "prod", _set(prometheusRetentionDays=10**15), "prometheusRetentionDays"),
    ("prometheus-retention-0", "dev", _set(prometheusRetentionDays=0), "prometheusRetentionDays"),
    ("prometheus-replicas-100000", "prod", _set(prometheusReplicas=100000), "prometheusReplicas"),
    ("alertmanager-replicas-0", "dev", _set(alertmanagerReplicas=0), "alertmanagerReplicas"),
    ("prod-one-alertmanager", "prod", _set(alertmanagerReplicas=1), "alertmanagerReplicas"),
    ("lock-1000000-days", "prod", _set(objectLockDays=1000000), "objectLockDays"),
    ("prod-lock-one-year", "prod", _set(objectLockDays=365), "objectLockDays"),
    ("prod-security-short", "prod", _set(securityRetentionDays=2556), "securityRetentionDays"),
    ("prod-app-logs-one-day", "prod", _set(applicationLogRetentionDays=1, applicationArchiveRetentionDays=1),
     "applicationLogRetentionDays"),
    ("storage-0Gi", "prod", _set(prometheusStorageSize="0Gi"), "prometheusStorageSize"),
    ("storage-lots", "dev", _set(prometheusStorageSize="lots"), "prometheusStorageSize"),
    ("disk-critical-140", "prod", _set(diskUsageCriticalPercent=140), "diskUsageCriticalPercent"),
    ("disk-free-0", "prod", _set(diskFreeWarningPercent=0), "diskFreeWarningPercent"),
    ("memory-0", "dev", _set(memoryUsagePercent=0), "memoryUsagePercent"),
    ("cpu-101", "prod", _set(cpuUsagePercent=101), "cpuUsagePercent"),
    ("lag-0", "prod", _set(consumerLagCritical=0), "consumerLagCritical"),
    ("cert-expiry-0", "prod", _set(certExpiryDays=0), "certExpiryDays"),
    ("combat-latency-negative", "prod", _set(combatP99LatencyMs=-1), "combatP99LatencyMs"),
    ("combat-critical-below-warning", "prod", _set(combatP99CriticalLatencyMs=50), "combatP99CriticalLatencyMs"),
    ("slo-100", "prod", _set(availabilitySloPercent="100"), "availabilitySloPercent"),
    ("error-slo-text", "dev", _set(errorRateSloPercent="abc"), "errorRateSloPercent"),
    ("top-n-50", "prod", _set(dashboardTopN=50), "dashboardTopN"),
    ("retries-101", "prod", _set(logOutputRetryLimit=101), "logOutputRetryLimit"),
    ("shards-0", "dev", _set(applicationLogShards=0), "applicationLogShards"),
    ("prod-no-search-replicas", "prod", _set(searchReplicas=0), "searchReplicas"),
    ("read-only-0", "prod", _set(readOnlyAfterDays=0), "readOnlyAfterDays"),
    ("read-only-after-trace-retention", "prod", _set(readOnlyAfterDays=10), "readOnlyAfterDays"),
    ("trace-retention-0", "dev", _set(traceRetentionDays=0), "traceRetentionDays"),
    ("sampling-1.5", "prod", _set(traceSamplingRate="1.5"), "traceSamplingRate"),
    ("jaeger-replicas-0", "prod", _set(jaegerReplicas=0), "jaegerReplicas"),
    ("prod-access-logs-30", "prod", _set(accessLogRetentionDays=30), "accessLogRetentionDays"),
    ("archive-shorter-than-logs", "prod", _set(applicationArchiveRetentionDays=30),
     "applicationArchiveRetentionDays"),
    ("noncurrent-0", "prod", _set(snapshotNoncurrentDays=0), "snapshotNoncurrentDays"),
    ("integer-overflow", "prod", _set(objectLockDays=10**30), "objectLockDays"),
    # names, regions, schedules, images
    ("bucket-uppercase", "prod", _set(bucketPrefix="Necpgame_Kafka"), "bucketPrefix"),
    ("bucket-xn", "prod", _set(bucketPrefix="xn--necpgame"), "bucketPrefix"),
    ("bucket-too-long", "prod", _set(bucketPrefix="n" * 37), "bucketPrefix"),
    ("bucket-leading-dash", "dev", _set(bucketPrefix="-necpgame"), "bucketPrefix"),
    ("bucket-dots", "prod", _set(bucketPrefix="necp..game"), "bucketPrefix"),
    ("namespace-uppercase", "prod", _set(monitoringNamespace="Monitoring"), "monitoringNamespace"),
    ("namespace-dots", "dev", _set(platformNamespace="necp.game"), "platformNamespace"),
    ("region-mars", "prod", _set(archiveReplicaRegion="mars-north-1"), "archiveReplicaRegion"),
    ("replica-in-primary-region", "prod", _set(archiveReplicaRegion="eu-west-1"), "archiveReplicaRegion"),
    ("aws-region-mars", "dev", _set(**{"aws:region": "mars-north-1"}), "aws:region"),
    ("cron-six-words", "prod", _set(snapshotSchedule="every day at half past one"), "snapshotSchedule"),
    ("cron-hour-25", "prod", _set(snapshotSchedule="0 30 25 * * ?"), "snapshotSchedule"),
    ("cron-no-question-mark", "dev", _set(snapshotSchedule="0 30 1 * * *"), "snapshotSchedule"),
    ("security-cron-es-syntax", "prod", _set(securitySnapshotSchedule="0 30 2 * * ?"), "securitySnapshotSchedule"),
    ("cron-five-fields", "prod", _set(snapshotSchedule="30 1 * * *"), "snapshotSchedule"),
    ("slack-no-hash", "prod", _set(slackChannel="kafka-alerts"), "slackChannel"),
    ("exporter-image-unpinned", "prod", _set(kafkaExporterImage="danielqsj/kafka-exporter"), "kafkaExporterImage"),
    ("jaeger-image-uppercase", "dev", _set(jaegerImage="Jaegertracing/Jaeger:2.5.0"), "jaegerImage"),
    ("opensearch-version-2x", "prod", _set(opensearchVersion="2.x"), "opensearchVersion"),
    ("chart-latest", "prod", _set(kubePrometheusStackVersion="latest"), "kubePrometheusStackVersion"),
    ("index-prefix-wildcard", "dev", _set(traceIndexPrefix="Jaeger*"), "traceIndexPrefix"),
    ("username-colon", "prod", _set(elasticsearchUsername="kafka:monitoring"), "elasticsearchUsername"),
    ("break-glass-bad-arn", "prod", _set(breakGlassRoleArn="arn:aws:iam::123:role/x"), "breakGlassRoleArn"),
    # IAM's ArnNotEquals, which exempts these roles in the bucket and key policies, reads * and ? as
    # wildcards ("Amazon Resource Name (ARN) condition operators"): `role/break-glass*` would exempt
    # `role/break-glass-2` too.
    ("break-glass-wildcard", "prod", _set(breakGlassRoleArn="arn:aws:iam::123456789012:role/kafka-monitoring-"
                                          "break-glass*"), "breakGlassRoleArn"),
    ("reader-wildcard", "prod", _set(archiveReaderRoleArns=["arn:aws:iam::123456789012:role/auditor-?"]),
     "archiveReaderRoleArns"),
    ("oidc-foreign-account", "prod", _set(eksOidcProviderArn="arn:aws:iam::999999999999:oidc-provider/"
                                          "oidc.eks.eu-west-1.amazonaws.com/id/X"), "eksOidcProviderArn"),
    ("reader-foreign-account", "prod", _set(archiveReaderRoleArns=["arn:aws:iam::999999999999:role/auditor"]),
     "archiveReaderRoleArns"),
    ("reader-not-a-role", "prod", _set(archiveReaderRoleArns=["auditor"]), "archiveReaderRoleArns"),
    ("opensearch-deployment-unknown", "prod", _set(opensearchDeployment="aws"), "opensearchDeployment"),
    ("managed-opensearch-not-aws-url", "prod", _set(opensearchDeployment="amazon-opensearch-service"),
     "opensearchUrl"),
    ("service-account-no-namespace", "prod", _set(searchServiceAccounts=["elasticsearch"]), "searchServiceAccounts"),
    ("prod-no-break-glass", "prod", _drop("breakGlassRoleArn"), "breakGlassRoleArn"),
    ("prod-no-oidc", "prod", _drop("eksOidcProviderArn"), "eksOidcProviderArn"),
    # a further cluster whose Fluent Bit could not reach the archive (config/kubernetes.py)
    ("further-cluster-no-oidc", "staging", _set(kubernetesClusters=["eks-b context=eks-b"]), "kubernetesClusters[0].oidc"),
    ("ca-bundle-relative", "prod", _set(searchCaBundle="certs/ca.pem"), "searchCaBundle"),
    ("health-ops-not-paths", "dev", _set(traceHealthOperations=["health"]), "traceHealthOperations"),
    ("levels-lowercase", "prod", _set(applicationLogLevels=["warn"]), "applicationLogLevels"),
    ("sampling-override-bad", "prod", _set(traceSamplingOverrides=["combat"]), "traceSamplingOverrides[0]"),
    ("regex-broken", "prod", _set(plaintextListenerPattern="PLAIN-("), "plaintextListenerPattern"),
    # durations, as Prometheus and Alertmanager parse them
    ("scrape-15-seconds", "prod", _set(scrapeInterval="15 seconds"), "scrapeInterval"),
    ("scrape-half-second", "dev", _set(scrapeInterval="500ms"), "scrapeInterval"),
    ("prod-scrape-1s", "prod", _set(scrapeInterval="1s"), "scrapeInterval"),
    ("group-wait-repeated-unit", "prod", _set(alertGroupWait="5m5m"), "alertGroupWait"),
    ("repeat-unknown-unit", "prod", _set(alertRepeatInterval="1x"), "alertRepeatInterval"),
    ("group-interval-over-repeat", "prod", _set(alertGroupInterval="2h"), "alertGroupInterval"),
    ("heartbeat-1d", "prod", _set(heartbeatInterval="1d"), "heartbeatInterval"),
    ("prod-heartbeat-2s", "prod", _set(heartbeatInterval="2s"), "heartbeatInterval"),
    ("evaluation-no-unit", "dev", _set(evaluationInterval="1m30"), "evaluationInterval"),
    ("units-out-of-order", "prod", _set(alertRepeatInterval="30m1h"), "alertRepeatInterval"),
    # types and choices
    ("replicas-two", "prod", _set(prometheusReplicas="two"), "prometheusReplicas"),
    ("enable-yes", "prod", _set(enableGrafana="yes"), "enableGrafana"),
    ("lock-governance-prod", "prod", _set(objectLockMode="GOVERNANCE"), "objectLockMode"),
    ("lock-legal-hold", "dev", _set(objectLockMode="LEGAL_HOLD"), "objectLockMode"),
    ("prod-no-replica", "prod", _set(archiveReplication=False), "archiveReplication"),
    ("trace-storage-cassandra", "prod", _set(traceStorage="cassandra"), "traceStorage"),
    ("clusters-empty", "prod", _set(clusters=[]), "clusters"),
    ("clusters-duplicated", "prod", _set(clusters=["kafka ns=a preset=strimzi", "kafka ns=b preset=strimzi"]),
     "clusters[1]"),
    ("cluster-unresolvable", "prod", _set(clusters=["kafka ns=x brokers=kafka-broker-0:7071 controllers=c.x.svc:1 "
                                                    "exporterPods=a=b"]), "clusters[0].brokers"),
    ("clusters-missing", "dev", _drop("clusters"), "clusters"),
    # provider pins
    ("no-kubernetes-context", "prod", _drop("kubernetes:context"), "kubernetes:context"),
    ("no-allowed-accounts", "prod", _drop("aws:allowedAccountIds"), "aws:allowedAccountIds"),
    ("allowed-accounts-malformed", "staging", _set(**{"aws:allowedAccountIds": ["12345"]}), "aws:allowedAccountIds"),
    # what the archive needs of the stack: a pinned region, snapshot service accounts, names of its own
    ("no-aws-region", "prod", _drop("aws:region"), "aws:region"),
    ("dev-no-aws-region", "dev", _drop("aws:region"), "aws:region"),
    ("no-search-service-accounts", "prod", _set(searchServiceAccounts=[]), "searchServiceAccounts"),
    ("no-service-accounts-self-managed-opensearch", "staging",
     _set(searchServiceAccounts=[], enableSearchRetention=False), "searchServiceAccounts"),
    ("bucket-prefix-too-long-for-stack", "prod-eu-west", _set(bucketPrefix="n" * 31), "bucketPrefix"),
    ("stack-name-not-in-a-bucket-name", "prod_eu", _set(), "bucketPrefix"),
    # the capacity plan (content/capacity.py): a store too small for what the stack declares it holds
    ("prod-prometheus-pvc-under-need", "prod", _set(prometheusStorageSize="150Gi"), "prometheusStorageSize"),
    ("prod-opensearch-disk-too-small", "prod", _set(capacityOpensearchDiskGb=4000), "capacityOpensearchDiskGb"),
    ("prod-shards-over-the-limit", "prod", _set(capacityMaxShardsPerNode=100), "capacityOpensearchDataNodes"),
    ("prod-sizing-assumed", "prod", _drop("capacitySecurityEventGbPerDay"), "capacitySecurityEventGbPerDay"),
    ("dev-bytes-per-sample-word", "dev", _set(capacityBytesPerSample="two"), "capacityBytesPerSample"),
    ("staging-rollover-at-zero-gb", "staging", _set(securityRolloverPrimaryShardGb=0), "securityRolloverPrimaryShardGb"),
    # the file itself
    ("yaml-syntax", "prod", "  kafka-monitoring:objectLockDays: [2557\n", "Pulumi.prod.yaml:"),
    ("yaml-duplicate-key", "prod", "  kafka-monitoring:objectLockDays: 1\n", "Pulumi.prod.yaml:"),
    # The CLI gives a key without a namespace the project's (loaders.go, stackConfigNamespacedWithProject):
    # this one is then set twice.
    ("yaml-no-namespace", "dev", "  objectLockDays: 1\n", "Pulumi.dev.yaml:22: objectLockDays is set twice"),
]


def _write_stack(tmp_path, stack: str, edit: Callable | str) -> None:
    """A stack without a file of its own here (a second prod stack) starts from its environment's file."""
    source = stack if (runtime.ROOT / f"Pulumi.{stack}.yaml").exists() else stack_context.stack_environment(stack)
    text = (runtime.ROOT / f"Pulumi.{source}.yaml").read_text()
    if isinstance(edit, str):
        text += edit  # appended inside the config mapping, as a careless edit would be
    else:
        doc = yaml.safe_load(text)
        edit(doc["config"])
        text = yaml.safe_dump(doc, sort_keys=False)
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)


def test_the_table_covers_eighty_bad_configs_and_every_class():
    assert len(CASES) >= 80
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case,stack,edit,key", CASES, ids=[c[0] for c in CASES])
def test_a_bad_stack_file_is_refused_by_key_with_nothing_registered_or_written(
        case, stack, edit, key, tmp_path, monkeypatch, capsys):
    _write_stack(tmp_path, stack, edit)
    monkeypatch.setattr(runtime, "STACKS_DIR", tmp_path)
    registered: list = []

    def run_stack(name):
        try:
            return runtime.run_stack(name)
        except settings.SettingsError as err:
            registered.extend(getattr(err, "registrations", []))
            raise

    monkeypatch.setattr(preview, "run_stack", run_stack)
    out = tmp_path / "out"
    assert preview.main([stack, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    problems = [line.strip()[2:] for line in captured.err.splitlines() if line.strip().startswith("- ")]
    named = [p for p in problems if p.startswith(key)]
    assert named, problems
    assert all(re.search(r"allowed|required|requires|did you mean|unknown|--secret|twice|expected|need", p)
               for p in named), named  # each says what would be accepted
    assert "Traceback" not in captured.err
    assert LEAK not in captured.err + captured.out
    assert registered == []
    assert not out.exists()
