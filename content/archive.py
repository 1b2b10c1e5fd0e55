"""S3 archive layout as data: bucket names, bucket policies, lifecycle rules and IAM documents."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.sections import ArchiveArgs, CollectionArgs

ACCESS_LOGS, ARCHIVE, REPLICA, SNAPSHOTS = "access-logs", "compliance-archive", "compliance-replica", "search-snapshots"
REPLICA_ACCESS_LOGS = "replica-access-logs"  # S3 delivers access logs within a region only
MULTIPART_ABORT_DAYS = 7
ARCHIVE_PREFIX = "security-events"            # where Fluent Bit writes in the compliance archive
FLUENT_BIT_SERVICE_ACCOUNT = "fluent-bit"


def qualifier(s: "ArchiveArgs | CollectionArgs") -> str:
    """What makes this stack's global names its own: the stack name (S3 bucket names are global, and a
    second prod stack, prod-eu, must not render prod's). For dev, staging and prod it is the
    environment, so their existing buckets keep their names; without a stack name, the environment."""
    return s.stack or s.environment


def bucket_name(s: "ArchiveArgs | CollectionArgs", role: str) -> str:
    return f"{s.bucket_prefix}-{qualifier(s)}-{role}"


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


# Bucket-policy semantics (AWS IAM User Guide, condition operators): in a Deny, StringNotEquals on a
# key the request does not carry is TRUE, so a bare "wrong encryption header" deny also refuses
# every upload that sends no header and relies on the bucket default (Elasticsearch's repository-s3
# sends none under an SSE-KMS default). A header is judged only where one is sent: Null = false.


def _deny_insecure_transport(arn: str) -> list[dict]:
    return [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DenyTlsBelow12", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [arn, f"{arn}/*"], "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}},
    ]


def _deny_other_encryption(arn: str, key_arn: str) -> list[dict]:
    """Uploads without headers get the bucket's default (this key); a header asking for anything else
    is refused. An encryption header without a key id is refused too: S3's PutObject reference says
    that `aws:kms` or `aws:kms:dsse` without `x-amz-server-side-encryption-aws-kms-key-id` encrypts
    under the AWS managed key `aws/s3`, whatever the bucket default, and such an object would escape
    this key's policy (named readers only) and replication (which cannot decrypt `aws/s3`)."""
    return [
        {"Sid": "DenyNonKmsUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"{arn}/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"},
                       "Null": {"s3:x-amz-server-side-encryption": "false"}}},
        {"Sid": "DenyOtherKmsKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"{arn}/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn},
                       "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}}},
        {"Sid": "DenyKmsWithoutKeyId", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"{arn}/*",
         "Condition": {"Null": {"s3:x-amz-server-side-encryption": "false",
                                "s3:x-amz-server-side-encryption-aws-kms-key-id": "true"}}},
    ]


# Who may undo an archive: anyone with these could lower the default retention for future objects,
# replace the policy or delete the bucket. Only the break-glass role may (and the account root,
# which AWS always lets manage a bucket policy).
GUARDED_ACTIONS = ["s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
                   "s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
                   "s3:PutReplicationConfiguration", "s3:PutEncryptionConfiguration"]


def _deny_guard_changes(arn: str, break_glass_arn: str) -> dict:
    statement = {"Sid": "DenyArchiveGuardChanges", "Effect": "Deny", "Principal": "*", "Action": GUARDED_ACTIONS,
                 "Resource": arn}
    if break_glass_arn:
        statement["Condition"] = {"ArnNotEquals": {"aws:PrincipalArn": break_glass_arn}}
    return statement


def data_bucket_policy(name: str, key_arn: str, break_glass_arn: str | None = None) -> dict:
    """`break_glass_arn`: None for an unguarded bucket; "" guards it against everyone."""
    arn = bucket_arn(name)
    statements = [*_deny_insecure_transport(arn), *_deny_other_encryption(arn, key_arn)]
    if break_glass_arn is not None:
        statements.append(_deny_guard_changes(arn, break_glass_arn))
    return {"Version": "2012-10-17", "Statement": statements}


def access_log_bucket_policy(name: str, account_id: str, sources: list[str]) -> dict:
    arn = bucket_arn(name)
    return {"Version": "2012-10-17", "Statement": [
        *_deny_insecure_transport(arn),
        {"Sid": "AllowServerAccessLogDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{arn}/*",
         "Condition": {"ArnLike": {"aws:SourceArn": [bucket_arn(s) for s in sources]},
                       "StringEquals": {"aws:SourceAccount": account_id}}},
    ]}


def archive_lifecycle(s: "ArchiveArgs | CollectionArgs") -> list[dict]:
    """Move to Deep Archive; never expire: Object Lock governs deletion, not lifecycle."""
    return [{
        "id": "deep-archive",
        "status": "Enabled",
        "filter": {},
        "transitions": [{"days": s.archive_transition_days, "storage_class": "DEEP_ARCHIVE"}],
        "noncurrent_version_transitions": [{"noncurrent_days": s.archive_transition_days,
                                            "storage_class": "DEEP_ARCHIVE"}],
        "abort_incomplete_multipart_upload": {"days_after_initiation": MULTIPART_ABORT_DAYS},
    }]


def access_log_lifecycle(s: "ArchiveArgs | CollectionArgs") -> list[dict]:
    return [{
        "id": "expire-access-logs",
        "status": "Enabled",
        "filter": {},
        "expiration": {"days": s.access_log_retention_days},
        "noncurrent_version_expiration": {"noncurrent_days": 1},
        "abort_incomplete_multipart_upload": {"days_after_initiation": MULTIPART_ABORT_DAYS},
    }]


def snapshot_lifecycle(s: "ArchiveArgs | CollectionArgs") -> list[dict]:
    # Elastic's S3 repository rules: no transitions and no expiry of current objects; only stale
    # multipart uploads go, and the noncurrent versions that snapshot deletion leaves behind in a
    # versioned bucket (otherwise deleted snapshot data stays forever).
    return [{"id": "abort-incomplete-uploads", "status": "Enabled", "filter": {},
             "abort_incomplete_multipart_upload": {"days_after_initiation": MULTIPART_ABORT_DAYS},
             "noncurrent_version_expiration": {"noncurrent_days": s.snapshot_noncurrent_days}}]


def assume_role(service: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def web_identity_trust(oidc_provider_arn: str, service_accounts: list[str]) -> dict:
    """IRSA (EKS User Guide, "IAM roles for service accounts"): the cluster's OIDC provider, for these
    `namespace:name` service accounts only, with the STS audience."""
    issuer = oidc_provider_arn.split(":oidc-provider/", 1)[1]
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": oidc_provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer}:aud": "sts.amazonaws.com",
                                       f"{issuer}:sub": [f"system:serviceaccount:{sa}" for sa in service_accounts]}}}]}


def writer_providers(s: "ArchiveArgs") -> dict[str, str]:
    """Kubernetes cluster -> the OIDC provider through which its Fluent Bit writes into the archive: the
    stack's own cluster where eksOidcProviderArn is set (its writer role has always existed without
    collection), and every further cluster (`oidc=`) whose Fluent Bit collection deploys."""
    providers = {s.kubernetes_cluster: s.eks_oidc_provider_arn} if s.eks_oidc_provider_arn else {}
    if s.enable_collection:
        providers.update({k.name: k.oidc_provider_arn for k in s.kubernetes_clusters if k.oidc_provider_arn})
    return providers


def writer_role_trust(s: "ArchiveArgs") -> dict:
    """Fluent Bit's service account (the same namespace and name in every cluster) through the provider of
    each cluster of writer_providers: one statement per provider, since the `<issuer>:sub` and `:aud` keys a
    token brings are named after its own issuer (a statement naming two providers could check only one's)."""
    account = [f"{s.monitoring_namespace}:{FLUENT_BIT_SERVICE_ACCOUNT}"]
    return {"Version": "2012-10-17", "Statement": [
        st for arn in writer_providers(s).values() for st in web_identity_trust(arn, account)["Statement"]]}


def snapshot_role_trust(account_id: str, oidc_provider_arn: str, service_accounts: list[str],
                        amazon_opensearch_service: bool) -> dict:
    """Who writes snapshots: the self-managed search pods through IRSA, and, for Amazon OpenSearch
    Service, the service itself on behalf of a domain of this account only (IAM User Guide, "The
    confused deputy problem": aws:SourceAccount and aws:SourceArn on a service principal's trust)."""
    # No service account: no web-identity statement (one with `sub: []` would trust no pod at all).
    statements = web_identity_trust(oidc_provider_arn, service_accounts)["Statement"] \
        if oidc_provider_arn and service_accounts else []
    if amazon_opensearch_service:
        statements.append({"Effect": "Allow", "Principal": {"Service": "es.amazonaws.com"}, "Action": "sts:AssumeRole",
                           "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                                         "ArnLike": {"aws:SourceArn": f"arn:aws:es:*:{account_id}:domain/*"}}})
    return {"Version": "2012-10-17", "Statement": statements}


def archive_writer_policy(name: str, key_arn: str) -> dict:
    """PutObject under the security-events prefix and the key to encrypt with: no read, delete or
    lock change (Fluent Bit's s3 output needs only PutObject with use_put_object). For an SSE-KMS
    PutObject, S3 asks KMS for a data key only (S3 User Guide, "Using server-side encryption with
    AWS KMS keys", permissions): kms:Decrypt would be for reads and multipart parts, kms:Encrypt for
    nothing S3 does on this role's behalf."""
    arn = bucket_arn(name)
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{arn}/{ARCHIVE_PREFIX}/*"},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey"], "Resource": key_arn,
         "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}},
    ]}


def snapshot_role_policy(name: str, key_arn: str) -> dict:
    """Least privilege for Elasticsearch/OpenSearch snapshot repositories: this bucket and its key only."""
    arn = bucket_arn(name)
    return {"Version": "2012-10-17", "Statement": [
        # Elastic's repository-s3 minimum (Elasticsearch reference, "S3 repository", recommended policy).
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads",
                                       "s3:ListBucketVersions"], "Resource": arn},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                                       "s3:ListMultipartUploadParts"], "Resource": f"{arn}/*"},
        {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": key_arn},
    ]}


def replication_role_policy(source: str, target: str, source_key: str, target_key: str) -> dict:
    src, dst = bucket_arn(source), bucket_arn(target)
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": src},
        {"Effect": "Allow", "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
                                       "s3:GetObjectVersionTagging", "s3:GetObjectRetention",
                                       "s3:GetObjectLegalHold"], "Resource": f"{src}/*"},
        {"Effect": "Allow", "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
         "Resource": f"{dst}/*"},
        # S3 User Guide, "Replicating objects created with SSE-KMS": decrypt with the source key in the
        # source region, encrypt with the replica key in its region; with S3 Bucket Keys the
        # destination key needs kms:Decrypt too. Each scoped to S3 through kms:ViaService.
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": source_key,
         "Condition": {"StringLike": {"kms:ViaService": f"s3.{_region(source_key)}.amazonaws.com"}}},
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], "Resource": target_key,
         "Condition": {"StringLike": {"kms:ViaService": f"s3.{_region(target_key)}.amazonaws.com"}}},
    ]}


# KMS key policies (KMS Developer Guide, "Key policies in AWS KMS"). The account statement is the
# default one: without it, IAM policies grant nothing on the key and it becomes unmanageable. What it
# would let any IAM admin do to 7 years of data is then taken back by explicit denies, which win.
KEY_DESTRUCTIVE = ["kms:DisableKey", "kms:ScheduleKeyDeletion", "kms:DeleteImportedKeyMaterial",
                   "kms:DisableKeyRotation", "kms:PutKeyPolicy"]
KEY_ENCRYPT = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]
KEY_DECRYPT = ["kms:Decrypt"]


def key_policy(account_id: str, break_glass_arn: str, encrypters: list[str], decrypters: list[str]) -> dict:
    """Only `encrypters` encrypt, only `decrypters` read, and only the break-glass role disables,
    deletes or re-policies the key (no break-glass role: a destroyable dev key, no such guard)."""
    glass = [break_glass_arn] if break_glass_arn else []

    def deny(sid: str, actions: list[str], allowed: list[str]) -> dict:
        statement = {"Sid": sid, "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": actions, "Resource": "*"}
        if allowed:
            statement["Condition"] = {"ArnNotEquals": {"aws:PrincipalArn": allowed}}
        return statement

    statements = [{"Sid": "AccountManagesTheKeyThroughIam", "Effect": "Allow",
                   "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "kms:*", "Resource": "*"}]
    if glass:
        statements.append(deny("OnlyBreakGlassDisablesOrDeletes", KEY_DESTRUCTIVE, glass))
    statements.append(deny("OnlyWritersEncrypt", KEY_ENCRYPT, sorted(set(encrypters)) + glass))
    statements.append(deny("OnlyReadersDecrypt", KEY_DECRYPT, sorted(set(decrypters)) + glass))
    return {"Version": "2012-10-17", "Statement": statements}


def _region(key_arn: str) -> str:
    """arn:aws:kms:<region>:<account>:key/<id>"""
    return key_arn.split(":")[3]
