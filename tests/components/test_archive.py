"""Archive under mocks: buckets, locks, encryption, replication, snapshot role and protection."""
from __future__ import annotations

import json

import pytest

from content import archive as layout
from harness import runtime
from tests.conftest import full_config, make_settings
from tests.config.test_fields import s3_bucket_name_problems

S3 = "aws:s3/"


def by_bucket(run, type_suffix: str) -> dict:
    return {r.inputs["bucket"]: r for r in run.resources if r.type.endswith(type_suffix)}


def name(role: str, env: str = "prod") -> str:
    return layout.bucket_name(make_settings(env), role)


def test_pulumi_aws_7_names_only(stack_runs):
    types = {r.type for r in stack_runs["prod"].resources if r.type.startswith("aws:")}
    assert not [t for t in types if t.endswith("V2")]
    assert "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration" in types


def test_prod_compliance_archive_and_replica_are_locked_for_seven_years(stack_runs):
    run = stack_runs["prod"]
    buckets = by_bucket(run, ":Bucket")
    locks = by_bucket(run, ":BucketObjectLockConfiguration")
    for role in (layout.ARCHIVE, layout.REPLICA):
        assert buckets[name(role)].inputs["objectLockEnabled"] is True
        assert locks[name(role)].inputs["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 2557}
    assert buckets[name(layout.REPLICA)].inputs["region"] == "eu-central-1"
    assert set(locks) == {name(layout.ARCHIVE), name(layout.REPLICA)}


def test_dev_uses_governance_with_a_short_period_and_no_replica(stack_runs):
    run = stack_runs["dev"]
    locks = by_bucket(run, ":BucketObjectLockConfiguration")
    assert locks[name(layout.ARCHIVE, "dev")].inputs["rule"]["defaultRetention"] == {"mode": "GOVERNANCE", "days": 1}
    assert name(layout.REPLICA, "dev") not in by_bucket(run, ":Bucket")
    assert "archive_replica_bucket" not in stack_runs["dev"].outputs  # absent: the SDK drops None outputs


def test_every_data_bucket_uses_the_customer_key_with_bucket_keys(stack_runs):
    run = stack_runs["prod"]
    keys = {r.name: r for r in run.of_type("aws:kms/key:Key")}
    assert all(k.inputs["enableKeyRotation"] and k.inputs["deletionWindowInDays"] == 30 for k in keys.values())
    sse = by_bucket(run, ":BucketServerSideEncryptionConfiguration")
    for role in (layout.ARCHIVE, layout.REPLICA, layout.SNAPSHOTS):
        rule = sse[name(role)].inputs["rules"][0]
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith("arn:aws:kms:")
        assert rule["bucketKeyEnabled"] is True
    replica_key = sse[name(layout.REPLICA)].inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
    assert replica_key.startswith("arn:aws:kms:eu-central-1:")


def test_archive_moves_to_deep_archive_and_never_expires(stack_runs):
    rules = by_bucket(stack_runs["prod"], ":BucketLifecycleConfiguration")[name(layout.ARCHIVE)].inputs["rules"]
    assert rules[0]["transitions"] == [{"days": 30, "storageClass": "DEEP_ARCHIVE"}]
    assert not any("expiration" in r or "noncurrentVersionExpiration" in r for r in rules)


def test_snapshot_bucket_follows_the_search_engines_rules(stack_runs):
    run = stack_runs["prod"]
    snapshots = name(layout.SNAPSHOTS)
    assert not by_bucket(run, ":Bucket")[snapshots].inputs.get("objectLockEnabled")
    (rule,) = by_bucket(run, ":BucketLifecycleConfiguration")[snapshots].inputs["rules"]
    assert set(rule) == {"id", "status", "filter", "abortIncompleteMultipartUpload", "noncurrentVersionExpiration"}
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 7}  # what deleted snapshots leave
    replicated = {r.inputs["bucket"] for r in run.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")}
    assert replicated == {name(layout.ARCHIVE)}
    assert by_bucket(run, ":BucketVersioning")[snapshots].inputs["versioningConfiguration"] == {"status": "Enabled"}


def test_snapshot_role_may_touch_only_its_bucket_and_key(stack_runs):
    run = stack_runs["prod"]
    (policy,) = [r for r in run.of_type("aws:iam/rolePolicy:RolePolicy") if "snapshot" in r.name]
    resources = {res for st in json.loads(policy.inputs["policy"])["Statement"]
                 for res in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])}
    arn = f"arn:aws:s3:::{name(layout.SNAPSHOTS)}"
    assert resources - {arn, f"{arn}/*"} == {run.outputs["snapshot_kms_key_arn"]}
    assert run.outputs["snapshot_kms_key_arn"] != run.outputs["archive_kms_key_arn"]


def test_access_logs_collect_from_every_data_bucket_in_its_own_region(stack_runs):
    """S3 User Guide, "Enabling Amazon S3 server access logging": the destination bucket must be in
    the same Region and account as the source bucket."""
    run = stack_runs["prod"]
    logging = by_bucket(run, ":BucketLogging")
    assert set(logging) == {name(layout.ARCHIVE), name(layout.SNAPSHOTS), name(layout.REPLICA)}
    buckets = {r.inputs["bucket"]: r for r in run.of_type("aws:s3/bucket:Bucket")}
    for source, config in logging.items():
        target = buckets[config.inputs["targetBucket"]]
        assert target.inputs.get("region") == buckets[source].inputs.get("region") == config.inputs.get("region")
        assert not target.inputs.get("objectLockEnabled")  # a locked bucket cannot receive access logs
    assert logging[name(layout.REPLICA)].inputs["targetBucket"] == name(layout.REPLICA_ACCESS_LOGS)
    (rule,) = by_bucket(run, ":BucketLifecycleConfiguration")[name(layout.ACCESS_LOGS)].inputs["rules"]
    assert rule["expiration"] == {"days": 365}


@pytest.mark.parametrize("stack,protected", [("prod", True), ("dev", False)])
def test_buckets_keys_and_locks_are_protected_in_prod_only(stack_runs, stack, protected):
    data = [r for r in stack_runs[stack].resources if r.type in (
        "aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")]
    assert data and all(r.protect is protected for r in data)


def test_bucket_policies_are_written_for_review(stack_runs):
    artifacts = stack_runs["prod"].artifacts
    policy = artifacts[f"archive/{layout.ARCHIVE}.bucket-policy.json"]
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport", "DenyTlsBelow12", "DenyNonKmsUploads",
                                                       "DenyOtherKmsKeys", "DenyKmsWithoutKeyId",
                                                       "DenyArchiveGuardChanges"]


ROLES = ("access-logs", "compliance-archive", "search-snapshots", "compliance-replica", "replica-access-logs")


def bucket_names(run) -> set[str]:
    return {r.inputs["bucket"] for r in run.of_type("aws:s3/bucket:Bucket")}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_existing_stacks_keep_their_bucket_and_alias_names(stack_runs, stack):
    """dev, staging and prod are named after their environment: a new qualifier must not rename (and so
    replace) a bucket or key alias that exists."""
    run = stack_runs[stack]
    roles = ROLES if stack == "prod" else ROLES[:3]
    assert bucket_names(run) == {f"necpgame-kafka-monitoring-{stack}-{role}" for role in roles}
    aliases = {r.inputs["name"] for r in run.of_type("aws:kms/alias:Alias")}
    keys = ("key", "snapshot-key", "replica-key") if stack == "prod" else ("key", "snapshot-key")
    assert aliases == {f"alias/necpgame-kafka-monitoring-{stack}-{k}" for k in keys}


def test_a_second_prod_stack_gets_bucket_and_alias_names_of_its_own(stack_runs):
    """S3 bucket names are global (S3 User Guide, "General purpose bucket naming rules": "Bucket names
    must be unique across all AWS accounts in all the AWS Regions within a partition"), and a KMS alias
    is unique in its account and region: prod-eu, from prod's own stack file, must render neither."""
    config, secret_keys = full_config("prod")
    eu = runtime.run("prod-eu", config, secret_keys)
    names = bucket_names(eu)
    assert names == {f"necpgame-kafka-monitoring-prod-eu-{role}" for role in ROLES}
    assert not names & bucket_names(stack_runs["prod"])
    assert all(not s3_bucket_name_problems(n) for n in names)
    aliases = {r.inputs["name"] for r in eu.of_type("aws:kms/alias:Alias")}
    assert not aliases & {r.inputs["name"] for r in stack_runs["prod"].of_type("aws:kms/alias:Alias")}
    # Everything that names the archive names this stack's: Fluent Bit's output, the writer's policy.
    archive = "necpgame-kafka-monitoring-prod-eu-compliance-archive"
    assert eu.outputs["archive_bucket"] == archive
    assert f"bucket {archive}" in " ".join(eu.artifacts["fluent-bit/fluent-bit.conf"].split())
    writer = json.loads(eu.named("kafka-monitoring-archive-writer-role-policy").inputs["policy"])
    assert writer["Statement"][0]["Resource"] == f"arn:aws:s3:::{archive}/security-events/*"


def test_no_trust_policy_names_an_empty_list_of_service_accounts(program):
    """With Amazon OpenSearch Service, no search retention and no service accounts (accepted: only the
    service assumes the role), the trust has the service's statement and no web-identity statement
    whose `sub: []` would match nobody."""
    run = program("prod", searchServiceAccounts=[], enableSearchRetention=False,
                  opensearchDeployment="amazon-opensearch-service",
                  opensearchUrl="https://logs.eu-west-1.es.amazonaws.com")
    trust = json.loads(run.named("kafka-monitoring-archive-snapshot-role").inputs["assumeRolePolicy"])
    assert [st["Principal"] for st in trust["Statement"]] == [{"Service": "es.amazonaws.com"}]


def test_without_a_stack_name_the_buckets_are_named_after_the_environment():
    """settings.parse without a context (no engine: tools and tests) knows no stack name."""
    from config import settings
    from config.sections import ArchiveArgs, CollectionArgs
    from tests.conftest import SECRET_VALUES, stack_raw
    s = settings.parse(stack_raw("prod"), dict(SECRET_VALUES))
    assert s.stack == ""
    for section in (ArchiveArgs, CollectionArgs):
        assert layout.bucket_name(section.of(s), layout.ARCHIVE) == "necpgame-kafka-monitoring-prod-compliance-archive"
