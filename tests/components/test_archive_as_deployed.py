"""Every bucket, key and role policy as the program deploys it, evaluated for each principal and action.

The documents are read from a real program run (the `policy` inputs of the registered BucketPolicy,
KeyPolicy and RolePolicy resources), not from content functions, so a statement dropped, a principal
widened or a key swapped anywhere between content and the registered resource fails here. Each
expectation is written out. The evaluator is tests/policy/iam_model.py (AWS IAM User Guide, "Policy
evaluation logic" and "Condition operators"; ARNs as "Amazon Resource Name (ARN) condition
operators" match them: component by component, case-sensitive, so `role/x` is not `role/x-2`).
"""
from __future__ import annotations

import json

import pytest

from harness import runtime
from tests.conftest import full_config
from tests.policy.iam_model import Request, allowed, denied

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/"
BREAK_GLASS = ROLE + "kafka-monitoring-break-glass"   # Pulumi.prod.yaml's breakGlassRoleArn
READER = ROLE + "security-auditor"
WRITER = ROLE + "kafka-monitoring-archive-writer-role"           # mock ARNs: arn:...:role/<resource name>
REPLICATOR = ROLE + "kafka-monitoring-archive-replication-role"
SNAPSHOTTER = ROLE + "kafka-monitoring-archive-snapshot-role"
ADMIN = ROLE + "admin"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"
# Names that look like the break-glass role and are not it: a suffix, another account, another case,
# a path, a user of the same name, another partition.
LOOK_ALIKES = [BREAK_GLASS + "-2", BREAK_GLASS + "2", "arn:aws:iam::999999999999:role/kafka-monitoring-break-glass",
               ROLE + "Kafka-Monitoring-Break-Glass", ROLE + "ops/kafka-monitoring-break-glass",
               f"arn:aws:iam::{ACCOUNT}:user/kafka-monitoring-break-glass",
               f"arn:aws-cn:iam::{ACCOUNT}:role/kafka-monitoring-break-glass", ROLE + "kafka-monitoring-break-glas"]
OTHERS = [ADMIN, ROOT, WRITER, REPLICATOR, SNAPSHOTTER, READER, *LOOK_ALIKES]
TLS = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
SSE, KEY_ID = "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id"


@pytest.fixture(scope="module")
def prod():
    """The prod stack with one archive reader, as deployed."""
    config, secret_keys = full_config("prod", archiveReaderRoleArns=[READER])
    return runtime.run("prod", config, secret_keys)


def documents(run, type_: str) -> dict[str, dict]:
    return {r.name: json.loads(r.inputs["policy"]) for r in run.of_type(type_)}


def bucket_policies(run) -> dict[str, dict]:
    return {r.inputs["bucket"]: json.loads(r.inputs["policy"]) for r in run.of_type("aws:s3/bucketPolicy:BucketPolicy")}


def default_keys(run) -> dict[str, str]:
    """Bucket -> the KMS key of its default encryption (data buckets only)."""
    out = {}
    for r in run.of_type("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"):
        default = r.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
        if default["sseAlgorithm"] == "aws:kms":
            out[r.inputs["bucket"]] = default["kmsMasterKeyId"]
    return out


def name(role: str, env: str = "prod") -> str:
    return f"necpgame-kafka-monitoring-{env}-{role}"   # Pulumi.yaml's bucketPrefix default, written out


def test_the_three_data_buckets_have_customer_keys_and_policies(prod):
    keys = default_keys(prod)
    assert set(keys) == {name("compliance-archive"), name("compliance-replica"), name("search-snapshots")}
    assert len(set(keys.values())) == 3   # each its own key
    assert set(bucket_policies(prod)) == set(keys) | {name("access-logs"), name("replica-access-logs")}


def uploads(key: str, other_key: str) -> list[tuple[dict, list[str]]]:
    """(headers the upload sends, the statements that refuse it), S3 API Reference, PutObject: aws:kms
    or aws:kms:dsse without a key id encrypts under aws/s3."""
    return [
        ({}, []),
        ({SSE: "aws:kms", KEY_ID: key}, []),
        ({SSE: "aws:kms"}, ["DenyKmsWithoutKeyId"]),
        ({SSE: "aws:kms:dsse"}, ["DenyNonKmsUploads", "DenyKmsWithoutKeyId"]),
        ({SSE: "aws:kms:dsse", KEY_ID: key}, ["DenyNonKmsUploads"]),
        ({SSE: "aws:kms", KEY_ID: other_key}, ["DenyOtherKmsKeys"]),   # another of our own keys
        ({SSE: "aws:kms", KEY_ID: key + "0"}, ["DenyOtherKmsKeys"]),
        ({SSE: "AES256"}, ["DenyNonKmsUploads", "DenyKmsWithoutKeyId"]),
        ({KEY_ID: other_key}, ["DenyOtherKmsKeys"]),
        ({SSE: "aws:kms", KEY_ID: key, "aws:SecureTransport": "false"}, ["DenyInsecureTransport"]),
    ]


@pytest.mark.parametrize("principal", [WRITER, SNAPSHOTTER, REPLICATOR, BREAK_GLASS, ADMIN, ROOT])
def test_every_data_bucket_refuses_uploads_that_would_leave_its_key_whoever_sends_them(prod, principal):
    policies, keys = bucket_policies(prod), default_keys(prod)
    for bucket, key in keys.items():
        other = next(k for b, k in keys.items() if b != bucket)
        for headers, refused_by in uploads(key, other):
            request = Request("s3:PutObject", f"arn:aws:s3:::{bucket}/security-events/2026/12/07/x.gz",
                              principal=principal, context={**TLS, **headers})
            assert denied(policies[bucket], request) == refused_by, (bucket, headers)
            # CreateMultipartUpload is authorised as s3:PutObject with the same headers
            # (S3 User Guide, "Multipart upload API and permissions").


@pytest.mark.parametrize("action", ["s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy",
                                    "s3:DeleteBucketPolicy", "s3:DeleteBucket", "s3:PutBucketVersioning",
                                    "s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration",
                                    "s3:PutEncryptionConfiguration"])
def test_only_the_exact_break_glass_role_may_undo_a_locked_archive(prod, action):
    policies = bucket_policies(prod)
    for bucket in (name("compliance-archive"), name("compliance-replica")):
        request = Request(action, f"arn:aws:s3:::{bucket}", principal=BREAK_GLASS, context=TLS)
        assert denied(policies[bucket], request) == [], bucket
        for principal in OTHERS:
            request.principal = principal
            assert denied(policies[bucket], request) == ["DenyArchiveGuardChanges"], (bucket, principal)
    # The snapshot bucket is not locked and not guarded: the search engines manage their repository.
    assert denied(policies[name("search-snapshots")], Request(action, f"arn:aws:s3:::{name('search-snapshots')}",
                                                              principal=ADMIN, context=TLS)) == []


def test_reads_over_tls_are_left_to_iam_and_the_key_and_plaintext_is_refused_to_everyone(prod):
    for bucket, policy in bucket_policies(prod).items():
        for principal in (READER, BREAK_GLASS, ROOT):
            read = Request("s3:GetObject", f"arn:aws:s3:::{bucket}/security-events/x", principal=principal)
            assert denied(policy, Request(read.action, read.resource, principal, TLS)) == []
            assert denied(policy, Request(read.action, read.resource, principal,
                                          {"aws:SecureTransport": "false"})) == ["DenyInsecureTransport"]


# --- key policies -------------------------------------------------------------------------------
ENCRYPT = ["kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom",
           "kms:ReEncryptTo"]
DESTROY = ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKeyRotation",
           "kms:DeleteImportedKeyMaterial"]
# key -> who may encrypt, who may decrypt (besides the break-glass role, who may do everything)
KEY_USERS = {
    "kafka-monitoring-archive-key-policy": ({WRITER, REPLICATOR}, {READER, REPLICATOR}),
    "kafka-monitoring-archive-replica-key-policy": ({REPLICATOR}, {READER, REPLICATOR}),
    "kafka-monitoring-archive-snapshot-key-policy": ({SNAPSHOTTER}, {SNAPSHOTTER}),
}


@pytest.mark.parametrize("policy_name", sorted(KEY_USERS))
def test_each_key_policy_as_deployed_for_every_principal_and_action(prod, policy_name):
    policy = documents(prod, "aws:kms/keyPolicy:KeyPolicy")[policy_name]
    encrypters, decrypters = KEY_USERS[policy_name]
    key = "arn:aws:kms:eu-west-1:123456789012:key/k"
    for principal in [BREAK_GLASS, *OTHERS]:
        ours = principal.split(":")[4] == ACCOUNT and principal.startswith("arn:aws:")
        glass = principal == BREAK_GLASS
        for action in ENCRYPT:
            assert allowed(policy, Request(action, key, principal)) is (ours and (glass or principal in encrypters)), \
                (principal, action)
        assert allowed(policy, Request("kms:Decrypt", key, principal)) is (ours and (glass or principal in decrypters)), \
            principal
        for action in DESTROY:
            assert allowed(policy, Request(action, key, principal)) is glass, (principal, action)
        assert allowed(policy, Request("kms:DescribeKey", key, principal)) is ours, principal  # managed through IAM


# --- role policies ------------------------------------------------------------------------------
def test_the_writer_may_put_security_events_into_the_archive_only(prod):
    policy = documents(prod, "aws:iam/rolePolicy:RolePolicy")["kafka-monitoring-archive-writer-role-policy"]
    keys = default_keys(prod)
    archive = name("compliance-archive")
    assert allowed(policy, Request("s3:PutObject", f"arn:aws:s3:::{archive}/security-events/2026/12/07/x.gz"))
    for resource in (f"arn:aws:s3:::{archive}/audit/x", f"arn:aws:s3:::{archive}/security-eventsx/x",
                     f"arn:aws:s3:::{name('compliance-replica')}/security-events/x",
                     f"arn:aws:s3:::{name('search-snapshots')}/security-events/x",
                     f"arn:aws:s3:::{archive}-2/security-events/x"):
        assert not allowed(policy, Request("s3:PutObject", resource)), resource
    via_s3 = {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    for bucket, key in keys.items():
        assert allowed(policy, Request("kms:GenerateDataKey", key, context=via_s3)) is (bucket == archive), bucket


def test_the_snapshot_role_reaches_its_bucket_and_key_only(prod):
    policy = documents(prod, "aws:iam/rolePolicy:RolePolicy")["kafka-monitoring-archive-snapshot-role-policy"]
    keys = default_keys(prod)
    for bucket, key in keys.items():
        mine = bucket == name("search-snapshots")
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            assert allowed(policy, Request(action, f"arn:aws:s3:::{bucket}/opensearch/index-0")) is mine, (bucket, action)
        assert allowed(policy, Request("s3:ListBucket", f"arn:aws:s3:::{bucket}")) is mine, bucket
        for action in ("kms:GenerateDataKey", "kms:Decrypt"):
            assert allowed(policy, Request(action, key)) is mine, (bucket, action)


def test_replication_decrypts_the_archive_and_encrypts_the_replica_each_in_its_region(prod):
    policy = documents(prod, "aws:iam/rolePolicy:RolePolicy")["kafka-monitoring-archive-replication-role-policy"]
    keys = default_keys(prod)
    source, replica = keys[name("compliance-archive")], keys[name("compliance-replica")]
    here, there = {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}, {"kms:ViaService": "s3.eu-central-1.amazonaws.com"}
    assert allowed(policy, Request("kms:Decrypt", source, context=here))
    assert not allowed(policy, Request("kms:Decrypt", source, context=there))
    assert not allowed(policy, Request("kms:GenerateDataKey", source, context=here))   # never writes the archive
    for action in ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"):
        assert allowed(policy, Request(action, replica, context=there)), action
        assert not allowed(policy, Request(action, replica, context=here)), action
    snapshot_key = keys[name("search-snapshots")]
    assert not allowed(policy, Request("kms:Decrypt", snapshot_key, context=here))
    object_ = "/security-events/x"
    assert allowed(policy, Request("s3:ReplicateObject", f"arn:aws:s3:::{name('compliance-replica')}{object_}"))
    assert not allowed(policy, Request("s3:ReplicateObject", f"arn:aws:s3:::{name('compliance-archive')}{object_}"))


def test_fluent_bits_headerless_upload_works_end_to_end_and_a_bare_kms_header_does_not(prod):
    """What Fluent Bit's s3 output sends (no encryption header: out_s3 v3.1.9 has no SSE option, see
    tests/upstream/fluent-bit-v3.1.9/properties.txt), judged by all three policies at once: the role
    allows the PutObject and the data key, the bucket denies nothing, the key lets the writer encrypt."""
    archive = name("compliance-archive")
    role = documents(prod, "aws:iam/rolePolicy:RolePolicy")["kafka-monitoring-archive-writer-role-policy"]
    bucket = bucket_policies(prod)[archive]
    key_policy = documents(prod, "aws:kms/keyPolicy:KeyPolicy")["kafka-monitoring-archive-key-policy"]
    key = default_keys(prod)[archive]
    put = Request("s3:PutObject", f"arn:aws:s3:::{archive}/security-events/x.gz", principal=WRITER, context=TLS)
    data_key = Request("kms:GenerateDataKey", key, principal=WRITER,
                       context={"kms:ViaService": "s3.eu-west-1.amazonaws.com"})
    assert allowed(role, put) and not denied(bucket, put) and allowed(role, data_key) and allowed(key_policy, data_key)
    bare = Request(put.action, put.resource, WRITER, {**TLS, SSE: "aws:kms"})
    assert allowed(role, bare) and denied(bucket, bare) == ["DenyKmsWithoutKeyId"]


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_without_a_break_glass_role_the_archive_is_guarded_against_everyone(stack_runs, stack):
    run = stack_runs[stack]
    policy = bucket_policies(run)[name("compliance-archive", stack)]
    for principal in [BREAK_GLASS, *OTHERS]:
        request = Request("s3:PutBucketObjectLockConfiguration", f"arn:aws:s3:::{name('compliance-archive', stack)}",
                          principal=principal, context=TLS)
        assert denied(policy, request) == ["DenyArchiveGuardChanges"], principal
    assert denied(policy, Request("s3:PutObject", f"arn:aws:s3:::{name('compliance-archive', stack)}/x",
                                  context={**TLS, SSE: "aws:kms"})) == ["DenyKmsWithoutKeyId"]


# --- who may deliver logs, and who may assume each role -------------------------------------------
@pytest.mark.parametrize("logs,sources", [
    ("access-logs", ("compliance-archive", "search-snapshots")),
    ("replica-access-logs", ("compliance-replica",)),
])
def test_each_access_log_bucket_takes_its_own_sources_logs_only(prod, logs, sources):
    """S3 User Guide, "Permissions for log delivery": the logging service principal, with aws:SourceArn
    (the source bucket) and aws:SourceAccount; ArnLike without a wildcard matches that bucket only."""
    policy = bucket_policies(prod)[name(logs)]
    every = ("compliance-archive", "search-snapshots", "compliance-replica")

    def delivery(source_arn: str, account: str = ACCOUNT, principal: str = "logging.s3.amazonaws.com") -> Request:
        return Request("s3:PutObject", f"arn:aws:s3:::{name(logs)}/x/2026-12-07", principal=principal,
                       context={**TLS, "aws:SourceArn": source_arn, "aws:SourceAccount": account})
    for source in every:
        assert allowed(policy, delivery(f"arn:aws:s3:::{name(source)}")) is (source in sources), source
    first = f"arn:aws:s3:::{name(sources[0])}"
    assert not allowed(policy, delivery(first + "-2"))                  # a look-alike bucket
    assert not allowed(policy, delivery(first, account="999999999999"))
    assert not allowed(policy, delivery(first, principal=ADMIN))


def _web_identity(issuer_arn: str, subject: str, audience: str = "sts.amazonaws.com") -> Request:
    issuer = issuer_arn.split(":oidc-provider/", 1)[1]
    return Request("sts:AssumeRoleWithWebIdentity", "*", principal=issuer_arn,
                   context={f"{issuer}:aud": audience, f"{issuer}:sub": f"system:serviceaccount:{subject}"})


def test_each_role_is_assumed_by_its_own_service_accounts_only(prod):
    """EKS User Guide, "IAM roles for service accounts": the token's `sub` is
    system:serviceaccount:<namespace>:<name>, matched with StringEquals (exact)."""
    oidc = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/NECPGAMEPROD"
    other_cluster = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/OTHER"
    trusts = {r.name: json.loads(r.inputs["assumeRolePolicy"]) for r in prod.of_type("aws:iam/role:Role")}
    expected = {   # role -> service accounts that may assume it (Pulumi.yaml defaults, monitoring namespace)
        "kafka-monitoring-archive-writer-role": {"monitoring:fluent-bit"},
        "kafka-monitoring-archive-snapshot-role": {"logging:elasticsearch", "security:opensearch"},
        "kafka-monitoring-archive-replication-role": set(),
    }
    candidates = ["monitoring:fluent-bit", "logging:elasticsearch", "security:opensearch", "monitoring:fluent-bit-2",
                  "logging:elasticsearch-2", "logging:fluent-bit", "default:elasticsearch", "monitoring:default"]
    assert set(trusts) == set(expected)
    for role, accounts in expected.items():
        for subject in candidates:
            assert allowed(trusts[role], _web_identity(oidc, subject)) is (subject in accounts), (role, subject)
            assert not allowed(trusts[role], _web_identity(other_cluster, subject)), (role, subject)
            assert not allowed(trusts[role], _web_identity(oidc, subject, audience="sts.amazonaws.com.evil")), role
    replication = Request("sts:AssumeRole", "*", principal="s3.amazonaws.com")
    assert {role: allowed(trust, replication) for role, trust in trusts.items()} == {
        "kafka-monitoring-archive-writer-role": False, "kafka-monitoring-archive-snapshot-role": False,
        "kafka-monitoring-archive-replication-role": True}
