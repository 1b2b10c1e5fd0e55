"""The rendered bucket and role policies, evaluated on real requests with AWS's semantics.

The evaluator is tests/policy/iam_model.py (AWS IAM User Guide: condition operators with absent
keys, explicit Deny wins). Requests carry the keys S3 puts in the request context: TLS upload
without an encryption header (Elasticsearch's repository-s3 under an SSE-KMS default, Fluent Bit's
s3 output), with AES256, with our key or a foreign one; plaintext; TLS 1.1; configuration changes.
"""
from __future__ import annotations

import pytest

from config.sections import ArchiveArgs
from content import archive as layout
from tests.conftest import make_settings
from tests.policy.iam_model import Request, allowed, bucket_policy_resource_problems, condition_holds, denied

S = make_settings("prod")
KEY = "arn:aws:kms:eu-west-1:123456789012:key/archive"
FOREIGN = "arn:aws:kms:eu-west-1:999999999999:key/other"
BREAK_GLASS = S.break_glass_role_arn
ADMIN = "arn:aws:iam::123456789012:role/admin"
ARCHIVE = layout.bucket_name(S, layout.ARCHIVE)
TLS = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}


def put(bucket: str, **context) -> Request:
    return Request("s3:PutObject", f"arn:aws:s3:::{bucket}/security-events/2026/11/30/x.gz", context={**TLS, **context})


@pytest.mark.parametrize("op,present,absent", [
    ("StringNotEquals", "x", True), ("StringNotEqualsIfExists", "x", True), ("StringEquals", "x", False),
    ("Bool", "false", False), ("NumericLessThan", "1.0", False), ("ArnNotEquals", "arn:x", True),
])
def test_the_model_follows_awss_table_for_absent_keys(op, present, absent):
    assert condition_holds(op, "k", present, {}) is absent
    assert condition_holds("Null", "k", "true", {}) and not condition_holds("Null", "k", "false", {})


@pytest.mark.parametrize("pattern,arn,match", [
    ("arn:aws:iam::123456789012:role/break-glass", "arn:aws:iam::123456789012:role/break-glass", True),
    ("arn:aws:iam::123456789012:role/break-glass", "arn:aws:iam::123456789012:role/break-glass-2", False),
    ("arn:aws:iam::123456789012:role/break-glass", "arn:aws:iam::123456789012:role/Break-Glass", False),
    ("arn:aws:iam::123456789012:role/break-glass", "arn:aws:iam::999999999999:role/break-glass", False),
    ("arn:aws:iam::*:role/break-glass", "arn:aws:iam::999999999999:role/break-glass", True),
    ("arn:aws:iam::123456789012:role/break-glass*", "arn:aws:iam::123456789012:role/break-glass-2", True),
    ("arn:aws:iam::12345678901?:role/x", "arn:aws:iam::123456789012:role/x", True),
    ("arn:aws:iam::*", "arn:aws:iam::123456789012:role/x", False),      # a wildcard never spans a colon
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b", True),       # the resource keeps its colons
    ("arn:aws:s3:::[ab]ucket", "arn:aws:s3:::bucket", False),         # no character classes
])
def test_the_model_matches_arns_component_by_component(pattern, arn, match):
    """IAM User Guide, "Amazon Resource Name (ARN) condition operators": ArnEquals and ArnLike check each
    of the six colon-delimited components separately, each with * and ? wildcards, case-sensitively."""
    for op in ("ArnEquals", "ArnLike"):
        assert condition_holds(op, "aws:principalarn", pattern, {"aws:principalarn": arn}) is match
        assert condition_holds(op.replace("Arn", "ArnNot"), "aws:principalarn", pattern,
                               {"aws:principalarn": arn}) is not match


def test_the_model_reads_actions_and_condition_keys_in_any_case_and_arns_as_written():
    """IAM User Guide: an action's prefix and name are case-insensitive ("Action" element), and so are
    condition key names ("Condition" element); a resource ARN is matched as written."""
    policy = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "S3:GETOBJECT",
                             "Resource": "arn:aws:s3:::logs/*",
                             "Condition": {"StringEquals": {"AWS:SOURCEACCOUNT": "123456789012"}}}]}
    read = Request("s3:GetObject", "arn:aws:s3:::logs/a", context={"aws:SourceAccount": "123456789012"})
    assert allowed(policy, read)
    assert not allowed(policy, Request("s3:GetObject", "arn:aws:s3:::LOGS/a", context=read.context))
    assert not allowed(policy, Request("s3:GetObject", "arn:aws:s3:::logs/a", context={"aws:SourceAccount": "1"}))
    assert not allowed(policy, Request("s3:PutObject", "arn:aws:s3:::logs/a", context=read.context))


@pytest.mark.parametrize("op", ["StringNotEqualsIfExists", "StringNotEquals"])
def test_the_model_reproduces_the_old_policys_defect(op):
    """Either operator alone, in a Deny, refuses an upload that sends no header at all."""
    old = {"Statement": [{"Sid": "DenyNonKmsUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
                          "Resource": f"arn:aws:s3:::{ARCHIVE}/*",
                          "Condition": {op: {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}
    assert denied(old, put(ARCHIVE)) == ["DenyNonKmsUploads"]


SSE, KEY_ID = "s3:x-amz-server-side-encryption", "s3:x-amz-server-side-encryption-aws-kms-key-id"
# Every way an upload can name (or not name) its encryption, and the statements that must refuse it.
# S3 API Reference, PutObject, request headers: x-amz-server-side-encryption takes AES256, aws:kms or
# aws:kms:dsse; "If you specify x-amz-server-side-encryption:aws:kms or
# x-amz-server-side-encryption:aws:kms:dsse, but do not provide x-amz-server-side-encryption-aws-kms-key-id,
# Amazon S3 uses the AWS managed key (aws/s3) to protect the data", whatever the bucket default
# (S3 User Guide, "Setting default server-side encryption behavior": the default applies only to a
# request that names no encryption). IAM User Guide, condition operators, "Null": "true" matches a key
# the request does not carry, "false" one it carries; S3 puts each header in the request context
# under its condition key only when the request sends it.
UPLOADS = [
    ({}, []),                                                   # Fluent Bit, repository-s3: bucket default
    ({SSE: "aws:kms", KEY_ID: KEY}, []),                        # our key, named
    ({SSE: "aws:kms"}, ["DenyKmsWithoutKeyId"]),                # -> aws/s3: escapes the key policy
    ({SSE: "aws:kms:dsse"}, ["DenyNonKmsUploads", "DenyKmsWithoutKeyId"]),   # -> aws/s3 as well
    ({SSE: "aws:kms:dsse", KEY_ID: KEY}, ["DenyNonKmsUploads"]),  # our key, but not the bucket's algorithm
    ({SSE: "aws:kms", KEY_ID: FOREIGN}, ["DenyOtherKmsKeys"]),
    ({SSE: "aws:kms", KEY_ID: KEY + "-2"}, ["DenyOtherKmsKeys"]),  # a look-alike key ARN
    ({SSE: "aws:kms", KEY_ID: "alias/aws/s3"}, ["DenyOtherKmsKeys"]),
    ({SSE: "aws:kms", KEY_ID: KEY.upper()}, ["DenyOtherKmsKeys"]),   # StringNotEquals is case-sensitive
    ({SSE: "AES256"}, ["DenyNonKmsUploads", "DenyKmsWithoutKeyId"]),
    ({SSE: "AES256", KEY_ID: KEY}, ["DenyNonKmsUploads"]),
    ({SSE: "AWS:KMS"}, ["DenyNonKmsUploads", "DenyKmsWithoutKeyId"]),
    ({KEY_ID: KEY}, []),                                        # S3 itself refuses a key id alone (400)
    ({KEY_ID: FOREIGN}, ["DenyOtherKmsKeys"]),
    ({"aws:SecureTransport": "false"}, ["DenyInsecureTransport"]),
    ({"s3:TlsVersion": "1.1"}, ["DenyTlsBelow12"]),
    ({"s3:TlsVersion": "1.2"}, []),                             # the edge: 1.2 is enough
]


@pytest.mark.parametrize("role", [layout.ARCHIVE, layout.SNAPSHOTS, layout.REPLICA])
@pytest.mark.parametrize("context,denied_by", UPLOADS)
def test_uploads_are_denied_only_for_what_is_wrong(role, context, denied_by):
    name = layout.bucket_name(S, role)
    policy = layout.data_bucket_policy(name, KEY, BREAK_GLASS if role != layout.SNAPSHOTS else None)
    assert denied(policy, put(name, **context)) == denied_by


@pytest.mark.parametrize("header", ["aws:kms", "aws:kms:dsse"])
def test_the_old_policy_let_a_kms_header_without_a_key_id_through(header):
    """Without DenyKmsWithoutKeyId the two remaining statements judge only a header that is sent: an
    upload naming aws:kms and no key id passed both, and landed under aws/s3."""
    policy = layout.data_bucket_policy(ARCHIVE, KEY, BREAK_GLASS)
    old = {"Statement": [st for st in policy["Statement"] if st["Sid"] != "DenyKmsWithoutKeyId"]}
    assert denied(old, put(ARCHIVE, **{SSE: header})) == ([] if header == "aws:kms" else ["DenyNonKmsUploads"])
    assert "DenyKmsWithoutKeyId" in denied(policy, put(ARCHIVE, **{SSE: header}))


@pytest.mark.parametrize("action", layout.GUARDED_ACTIONS)
def test_only_the_break_glass_role_may_change_or_delete_the_archive(action):
    policy = layout.data_bucket_policy(ARCHIVE, KEY, BREAK_GLASS)
    request = Request(action, f"arn:aws:s3:::{ARCHIVE}", principal=ADMIN, context=TLS)
    assert denied(policy, request) == ["DenyArchiveGuardChanges"]
    request.principal = BREAK_GLASS
    assert denied(policy, request) == []


def test_an_empty_break_glass_setting_guards_against_everyone():
    policy = layout.data_bucket_policy(ARCHIVE, KEY, "")
    request = Request("s3:PutBucketObjectLockConfiguration", f"arn:aws:s3:::{ARCHIVE}", principal=BREAK_GLASS,
                      context=TLS)
    assert denied(policy, request) == ["DenyArchiveGuardChanges"]


@pytest.mark.parametrize("resource,refused", [
    (f"arn:aws:s3:::{ARCHIVE}", False), (f"arn:aws:s3:::{ARCHIVE}/*", False),
    (f"arn:aws:s3:::{ARCHIVE}/security-events/*", False),
    ("*", True),                                          # every resource: not this bucket's
    ("arn:aws:s3:::*", True), (f"arn:aws:s3:::{ARCHIVE}*", True),
    (f"arn:aws:s3:::{ARCHIVE}-2", True), (f"arn:aws:s3:::{ARCHIVE}2/*", True),   # look-alike buckets
    (f"arn:aws:s3:::{layout.bucket_name(S, layout.REPLICA)}", True),            # another of ours
])
def test_s3_takes_a_bucket_policy_only_if_it_names_that_bucket_and_its_objects(resource, refused):
    """S3 Developer Guide, "Special Information for Amazon S3 Policies", and AWS's MalformedPolicy
    "Policy has invalid resource" to a `*` resource (noobaa/noobaa-core issue 10058): the model in
    tests/policy/iam_model.py, on one statement, with near misses that share the bucket's prefix."""
    policy = {"Statement": [{"Sid": "S", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resource}]}
    assert bucket_policy_resource_problems(policy, ARCHIVE) == ([f"S: {resource}"] if refused else [])


@pytest.mark.parametrize("glass", [BREAK_GLASS, "", None])
@pytest.mark.parametrize("role", [layout.ARCHIVE, layout.REPLICA, layout.SNAPSHOTS])
def test_every_bucket_policy_is_one_s3_takes_guard_included(role, glass):
    """The guard's Deny names the bucket itself, where the guarded actions act (PutBucketPolicy,
    PutBucketObjectLockConfiguration ... are bucket operations). Widened to `*` it would deny the
    same requests on this bucket (a bucket policy is only consulted for its own bucket), but S3
    refuses the whole document: `pulumi up` fails on the archive's BucketPolicy, and a new archive
    stands with no policy at all (no TLS deny, no encryption denies, no guard against lowering
    its retention)."""
    name = layout.bucket_name(S, role)
    policy = layout.data_bucket_policy(name, KEY, glass)
    assert bucket_policy_resource_problems(policy, name) == []
    if glass is not None:   # the guard is there, and it is what refuses a guarded change on this bucket
        request = Request("s3:PutBucketObjectLockConfiguration", f"arn:aws:s3:::{name}", principal=ADMIN, context=TLS)
        assert denied(policy, request) == ["DenyArchiveGuardChanges"]
    logs = layout.access_log_bucket_policy("access-logs", "123456789012", [name])
    assert bucket_policy_resource_problems(logs, "access-logs") == []


def test_the_writer_role_may_only_put_security_events():
    policy = layout.archive_writer_policy(ARCHIVE, KEY)
    assert allowed(policy, put(ARCHIVE))
    assert not allowed(policy, Request("s3:PutObject", f"arn:aws:s3:::{ARCHIVE}/elsewhere/x"))
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:PutObjectRetention",
                   "s3:BypassGovernanceRetention", "s3:PutBucketObjectLockConfiguration"):
        assert not allowed(policy, Request(action, f"arn:aws:s3:::{ARCHIVE}/security-events/x")), action
    via_s3 = Request("kms:GenerateDataKey", KEY, context={"kms:ViaService": "s3.eu-west-1.amazonaws.com"})
    assert allowed(policy, via_s3)
    assert not allowed(policy, Request("kms:GenerateDataKey", KEY, context={"kms:ViaService": "ec2.eu-west-1.amazonaws.com"}))
    assert not allowed(policy, Request("kms:Decrypt", KEY, context={"kms:ViaService": "s3.eu-west-1.amazonaws.com"}))
    # S3 asks for a data key only (S3 User Guide, SSE-KMS permissions): nothing more is granted.
    assert not allowed(policy, Request("kms:Encrypt", KEY, context={"kms:ViaService": "s3.eu-west-1.amazonaws.com"}))


REPLICATION_READS = {  # S3 User Guide, "Setting up permissions for live replication" (source bucket and versions)
    "bucket": ("s3:GetReplicationConfiguration", "s3:ListBucket"),
    # ...and "Using Object Lock with S3 Replication": without these two a locked version is not replicated.
    "object": ("s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging",
               "s3:GetObjectRetention", "s3:GetObjectLegalHold"),
}
REPLICATION_WRITES = ("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags")  # on the destination


def test_replication_may_read_each_source_version_and_write_it_to_the_replica_and_nothing_else():
    """The requests S3 makes as the replication role, each on the resource it names (S3 User Guide,
    "Setting up permissions for live replication": the bucket actions on the source bucket, the
    object actions on its object versions, the replicate actions on the destination's objects)."""
    keys = "arn:aws:kms:eu-west-1:123456789012:key/a", "arn:aws:kms:eu-central-1:123456789012:key/b"
    policy = layout.replication_role_policy(ARCHIVE, "replica", *keys)
    source, replica = f"arn:aws:s3:::{ARCHIVE}", "arn:aws:s3:::replica"
    version = "/security-events/2026/11/30/x.gz"
    for action in REPLICATION_READS["bucket"]:
        assert allowed(policy, Request(action, source)), action
        assert not allowed(policy, Request(action, replica)), action
    for action in REPLICATION_READS["object"]:
        assert allowed(policy, Request(action, source + version)), action
        assert not allowed(policy, Request(action, replica + version)), action
    for action in REPLICATION_WRITES:
        assert allowed(policy, Request(action, replica + version)), action
        assert not allowed(policy, Request(action, source + version)), action  # never back into the archive
    for action in ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject", "s3:GetObject",
                   "s3:PutBucketObjectLockConfiguration", "s3:BypassGovernanceRetention"):
        assert not allowed(policy, Request(action, source + version)), action
        assert not allowed(policy, Request(action, replica + version)), action


def test_replication_may_decrypt_and_encrypt_with_the_replica_key_through_s3_only():
    """With S3 Bucket Keys, the destination key needs kms:Decrypt as well as kms:Encrypt."""
    src, dst = "arn:aws:kms:eu-west-1:123456789012:key/a", "arn:aws:kms:eu-central-1:123456789012:key/b"
    policy = layout.replication_role_policy(ARCHIVE, "replica", src, dst)
    via = {"kms:ViaService": "s3.eu-central-1.amazonaws.com"}
    assert allowed(policy, Request("kms:Decrypt", dst, context=via))
    assert allowed(policy, Request("kms:Encrypt", dst, context=via))
    assert allowed(policy, Request("kms:Decrypt", src, context={"kms:ViaService": "s3.eu-west-1.amazonaws.com"}))
    assert not allowed(policy, Request("kms:Decrypt", dst, context={"kms:ViaService": "lambda.eu-central-1.amazonaws.com"}))


def test_the_snapshot_role_has_elastics_documented_minimum():
    """Elastic's repository-s3 minimum, plus the key of the bucket's SSE-KMS default: S3 asks KMS
    for a data key on every upload and to decrypt one on every read and multipart part, with the
    caller's permissions (S3 User Guide, "Using server-side encryption with AWS KMS keys",
    permissions)."""
    key = "arn:aws:kms:eu-west-1:1:key/s"
    policy = layout.snapshot_role_policy("snaps", key)
    for action in ("s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads", "s3:ListBucketVersions"):
        assert allowed(policy, Request(action, "arn:aws:s3:::snaps")), action
    for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                   "s3:ListMultipartUploadParts"):
        assert allowed(policy, Request(action, "arn:aws:s3:::snaps/elasticsearch/index-0")), action
    for action in ("kms:GenerateDataKey", "kms:Decrypt"):
        assert allowed(policy, Request(action, key)) and not allowed(policy, Request(action, FOREIGN)), action


def test_the_replication_role_is_assumed_by_s3_alone():
    trust = layout.assume_role("s3.amazonaws.com")
    assert allowed(trust, Request("sts:AssumeRole", "*", principal="s3.amazonaws.com"))
    assert not allowed(trust, Request("sts:AssumeRole", "*", principal="lambda.amazonaws.com"))
    assert not allowed(trust, Request("sts:AssumeRoleWithWebIdentity", "*", principal="s3.amazonaws.com"))


def test_the_access_log_bucket_refuses_what_arrives_without_tls_and_takes_only_its_sources_logs():
    arn = "arn:aws:s3:::access-logs"
    policy = layout.access_log_bucket_policy("access-logs", "123456789012", [ARCHIVE])
    delivery = {"aws:SourceArn": f"arn:aws:s3:::{ARCHIVE}", "aws:SourceAccount": "123456789012"}

    def log(**context) -> Request:
        return Request("s3:PutObject", f"{arn}/archive/2026-11-30", principal="logging.s3.amazonaws.com",
                       context={**delivery, **context})
    assert allowed(policy, log(**TLS))
    assert denied(policy, log(**{**TLS, "aws:SecureTransport": "false"})) == ["DenyInsecureTransport"]
    assert denied(policy, log(**{**TLS, "s3:TlsVersion": "1.1"})) == ["DenyTlsBelow12"]
    assert not allowed(policy, log(**{**TLS, "aws:SourceArn": "arn:aws:s3:::someone-elses"}))
    for resource in (arn, f"{arn}/any"):  # the bucket and its objects, for every principal and action
        assert "DenyInsecureTransport" in denied(policy, Request("s3:GetObject", resource, context={
            "aws:SecureTransport": "false"}))


# --- KMS key policies (KMS Developer Guide, "Key policies in AWS KMS": an explicit Deny wins over
# the account statement that enables IAM policies) -----------------------------------------------
WRITER = "arn:aws:iam::123456789012:role/kafka-monitoring-archive-writer-role"
REPLICATOR = "arn:aws:iam::123456789012:role/kafka-monitoring-archive-replication-role"
READER = "arn:aws:iam::123456789012:role/security-auditor"
ARCHIVE_KEY = layout.key_policy("123456789012", BREAK_GLASS, [WRITER, REPLICATOR], [READER, REPLICATOR])


def kms(action: str, principal: str) -> Request:
    return Request(action, KEY, principal=principal)


@pytest.mark.parametrize("action", ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy",
                                    "kms:DisableKeyRotation", "kms:DeleteImportedKeyMaterial"])
def test_only_the_break_glass_role_may_disable_delete_or_repolicy_a_key(action):
    assert denied(ARCHIVE_KEY, kms(action, ADMIN)) == ["OnlyBreakGlassDisablesOrDeletes"]
    assert allowed(ARCHIVE_KEY, kms(action, BREAK_GLASS))


@pytest.mark.parametrize("action,principal,ok", [
    ("kms:GenerateDataKey", WRITER, True),          # Fluent Bit's PutObject under the SSE-KMS default
    ("kms:GenerateDataKeyWithoutPlaintext", REPLICATOR, True),
    ("kms:Encrypt", ADMIN, False),
    ("kms:GenerateDataKey", READER, False),
    ("kms:Decrypt", READER, True),
    ("kms:Decrypt", REPLICATOR, True),              # replication reads the source objects
    ("kms:Decrypt", WRITER, False),                 # the writer cannot read what it wrote
    ("kms:Decrypt", ADMIN, False),
    ("kms:Decrypt", "arn:aws:iam::999999999999:role/outsider", False),
    ("kms:DescribeKey", ADMIN, True),               # managing through IAM stays possible
    ("kms:TagResource", ADMIN, True),
])
def test_only_writers_encrypt_and_only_readers_decrypt(action, principal, ok):
    assert allowed(ARCHIVE_KEY, kms(action, principal)) is ok


def test_a_dev_key_without_break_glass_keeps_its_usage_guards_but_can_be_destroyed():
    dev = layout.key_policy("123456789012", "", [WRITER], [])
    assert allowed(dev, kms("kms:ScheduleKeyDeletion", ADMIN))
    assert not allowed(dev, kms("kms:Decrypt", ADMIN))


def test_the_program_gives_every_key_its_policy(program):
    """Each key's policy names the roles the program created for it (mock ARNs from the role names)."""
    run = program("prod", archiveReaderRoleArns=[READER])
    policies = {r.name: r for r in run.of_type("aws:kms/keyPolicy:KeyPolicy")}
    keys = {r.name for r in run.of_type("aws:kms/key:Key")}
    assert {f"{k}-policy" for k in keys} == set(policies)
    import json
    archive = json.loads(policies["kafka-monitoring-archive-key-policy"].inputs["policy"])
    replica = json.loads(policies["kafka-monitoring-archive-replica-key-policy"].inputs["policy"])
    snapshot = json.loads(policies["kafka-monitoring-archive-snapshot-key-policy"].inputs["policy"])
    writer, replicator = "arn:aws:iam::123456789012:role/kafka-monitoring-archive-writer-role", \
        "arn:aws:iam::123456789012:role/kafka-monitoring-archive-replication-role"
    snapshotter = "arn:aws:iam::123456789012:role/kafka-monitoring-archive-snapshot-role"
    assert allowed(archive, kms("kms:GenerateDataKey", writer)) and allowed(archive, kms("kms:Decrypt", READER))
    assert allowed(replica, kms("kms:Encrypt", replicator)) and not allowed(replica, kms("kms:Encrypt", writer))
    assert allowed(snapshot, kms("kms:Decrypt", snapshotter)) and not allowed(snapshot, kms("kms:Decrypt", READER))
    assert all(p.protect and p.inputs["bypassPolicyLockoutSafetyCheck"] for p in policies.values())


# --- Who may assume the snapshot role (IAM User Guide, "The confused deputy problem"; EKS User Guide,
# "IAM roles for service accounts": the token's aud and sub claims become <issuer>:aud / :sub keys) ----
OIDC = S.eks_oidc_provider_arn
ISSUER = OIDC.split(":oidc-provider/", 1)[1]


def web_identity(service_account: str) -> Request:
    return Request("sts:AssumeRoleWithWebIdentity", "*", principal=OIDC,
                   context={f"{ISSUER}:aud": "sts.amazonaws.com", f"{ISSUER}:sub": f"system:serviceaccount:{service_account}"})


def service(account: str) -> Request:
    return Request("sts:AssumeRole", "*", principal="es.amazonaws.com",
                   context={"aws:SourceAccount": account, "aws:SourceArn": f"arn:aws:es:eu-west-1:{account}:domain/security"})


@pytest.mark.parametrize("managed", [False, True])
def test_the_snapshot_role_is_assumed_by_the_search_pods_and_only_our_managed_domains(managed):
    trust = layout.snapshot_role_trust("123456789012", OIDC, ["logging:elasticsearch", "security:opensearch"], managed)
    assert allowed(trust, web_identity("logging:elasticsearch")) and allowed(trust, web_identity("security:opensearch"))
    assert not allowed(trust, web_identity("logging:fluent-bit"))
    assert allowed(trust, service("123456789012")) is managed
    assert not allowed(trust, service("999999999999"))  # another account's domain: the confused deputy
    # Only the service principal, and only for sts:AssumeRole: another service of this account, or the
    # service asking for another action, is refused (a trust statement applies to its Principal and
    # Action only; IAM User Guide, "IAM JSON policy elements: Principal").
    ours = {"aws:SourceAccount": "123456789012", "aws:SourceArn": "arn:aws:es:eu-west-1:123456789012:domain/security"}
    assert not allowed(trust, Request("sts:AssumeRole", "*", principal="lambda.amazonaws.com", context=ours))
    assert not allowed(trust, Request("sts:TagSession", "*", principal="es.amazonaws.com", context=ours))
    # The service acting for this account but for no domain of it (no aws:SourceArn in the request) is
    # refused too: "If the key that you specify in a policy condition is not present in the request
    # context, the values do not match" (IAM User Guide, "IAM JSON policy elements: Condition operators");
    # the guide on the confused deputy asks for both keys on a service principal.
    account_only = {"aws:SourceAccount": "123456789012"}
    assert not allowed(trust, Request("sts:AssumeRole", "*", principal="es.amazonaws.com", context=account_only))
    assert allowed(trust, Request("sts:AssumeRole", "*", principal="es.amazonaws.com", context=ours)) is managed


# --- Who may assume the archive writer role: the Fluent Bit service account of every Kubernetes cluster that
# writes into the archive, each through its own cluster's OIDC provider (issue 27). EKS User Guide, "IAM roles for
# service accounts": a pod's projected token has `sub` system:serviceaccount:<namespace>:<name>, which names no
# cluster; its `iss` is that cluster's own issuer. STS validates the token with the IAM OIDC provider of that
# issuer, which becomes the request's federated principal, and puts the claims in the request context under that
# issuer's keys, `<issuer>:sub` and `<issuer>:aud` (IAM User Guide, "IAM and AWS STS condition context keys",
# the keys for OIDC federation). So a cluster is told apart only by the provider: the same namespace and name in
# another cluster arrive as another principal with other keys. ----
FURTHER_OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/"
OIDC_B, OIDC_C = f"{FURTHER_OIDC}B", f"{FURTHER_OIDC}C"
THREE_CLUSTERS = [f"eks-b context=eks-b oidc={OIDC_B}", f"eks-c context=eks-c oidc={OIDC_C}"]
FLUENT_BIT = "monitoring:fluent-bit"


def irsa(provider: str, service_account: str, keys_of: str | None = None, aud: str = "sts.amazonaws.com") -> Request:
    """A pod's token validated by `provider`; `keys_of`: the claims under another provider's keys, which no real
    token brings (it shows that each statement reads its own provider's keys)."""
    issuer = (keys_of or provider).split(":oidc-provider/", 1)[1]
    return Request("sts:AssumeRoleWithWebIdentity", "*", principal=provider,
                   context={f"{issuer}:aud": aud, f"{issuer}:sub": f"system:serviceaccount:{service_account}"})


def _archive_args(stack: str = "prod", **overrides) -> ArchiveArgs:
    return ArchiveArgs.of(make_settings(stack, **overrides))


def writer_trust(**overrides) -> tuple[dict[str, str], dict]:
    """(the clusters whose Fluent Bit writes, by their provider; the writer role's trust) of prod with overrides."""
    args = _archive_args(**overrides)
    providers = layout.writer_providers(args)
    return providers, layout.writer_role_trust(args)


def test_the_writer_role_trusts_each_writing_clusters_fluent_bit_through_its_own_provider_only():
    providers, trust = writer_trust(kubernetesClusters=THREE_CLUSTERS)
    assert providers == {"necpgame-prod": OIDC, "eks-b": OIDC_B, "eks-c": OIDC_C}
    for provider in (OIDC, OIDC_B, OIDC_C):
        assert allowed(trust, irsa(provider, FLUENT_BIT)), provider
        for other in ("monitoring:fluent-bit-2", "monitoring:default", "logging:fluent-bit", "kube-system:fluent-bit",
                      "monitoring:kafka-monitoring-alerting-prometheus", "monitoring:fluent-bi", "Monitoring:fluent-bit"):
            assert not allowed(trust, irsa(provider, other)), (provider, other)   # another SA, another namespace
        assert not allowed(trust, irsa(provider, FLUENT_BIT, aud="sts.amazonaws.com.evil")), provider
    # Each statement reads the keys of its own provider: cluster B's provider with the home issuer's keys (what a
    # single statement naming both providers would have to accept) is refused.
    assert not allowed(trust, irsa(OIDC_B, FLUENT_BIT, keys_of=OIDC))
    assert not allowed(trust, irsa(OIDC, FLUENT_BIT, keys_of=OIDC_C))
    # Look-alike providers, with their own keys or with B's: another id, another case, another account, another
    # partition, a cluster that is not the stack's.
    for look_alike in (f"{FURTHER_OIDC}B2", f"{FURTHER_OIDC}b", f"{FURTHER_OIDC}D",
                       OIDC_B.replace("123456789012", "999999999999"), OIDC_B.replace("arn:aws:", "arn:aws-cn:"),
                       OIDC_B.replace("eu-central-1", "eu-west-1")):
        assert not allowed(trust, irsa(look_alike, FLUENT_BIT)), look_alike
        assert not allowed(trust, irsa(look_alike, FLUENT_BIT, keys_of=OIDC_B)), look_alike
    # Without a web identity (a role of the account calling AssumeRole) nothing.
    assert not allowed(trust, Request("sts:AssumeRole", "*", principal="arn:aws:iam::123456789012:role/admin"))


def test_a_cluster_whose_fluent_bit_does_not_write_is_not_trusted_though_its_provider_is_the_stacks():
    """With collection off, eks-b keeps its provider for its Prometheus (globalMetrics amp) but runs no Fluent Bit:
    a service account named fluent-bit there (anything an operator deploys under that name) is refused. The stack's
    own cluster stays trusted, as its writer role always was without collection."""
    providers, trust = writer_trust(kubernetesClusters=THREE_CLUSTERS, enableCollection=False, globalMetrics="amp",
                                    globalMetricsGrafanaRoleArn="arn:aws:iam::123456789012:role/g")
    assert providers == {"necpgame-prod": OIDC}
    assert allowed(trust, irsa(OIDC, FLUENT_BIT))
    assert not allowed(trust, irsa(OIDC_B, FLUENT_BIT)) and not allowed(trust, irsa(OIDC_C, FLUENT_BIT))


def test_a_stack_whose_own_cluster_has_no_provider_trusts_only_the_further_clusters():
    """dev without eksOidcProviderArn: its own Fluent Bit has no archive output (no writer role for it), the further
    clusters' do. The home issuer is refused, though the service account is the same."""
    args = _archive_args("dev", eksOidcProviderArn="", enableSearchRetention=False,
                         kubernetesClusters=[f"eks-b context=eks-b oidc={OIDC_B}"])
    providers = layout.writer_providers(args)
    trust = layout.writer_role_trust(args)
    assert providers == {"eks-b": OIDC_B}
    assert allowed(trust, irsa(OIDC_B, FLUENT_BIT))
    assert not allowed(trust, irsa(OIDC, FLUENT_BIT))
    assert layout.writer_providers(_archive_args("dev", eksOidcProviderArn="", enableSearchRetention=False)) == {}
