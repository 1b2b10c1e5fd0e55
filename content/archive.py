"""S3 archive layout as data: bucket names, bucket policies, lifecycle rules and IAM documents."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.settings import Settings

ACCESS_LOGS, ARCHIVE, REPLICA, SNAPSHOTS = "access-logs", "compliance-archive", "compliance-replica", "search-snapshots"
MULTIPART_ABORT_DAYS = 7


def bucket_name(s: "Settings", role: str) -> str:
    return f"{s.bucket_prefix}-{s.environment}-{role}"


def bucket_arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def _deny_insecure_transport(arn: str) -> dict:
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def _deny_other_encryption(arn: str, key_arn: str) -> list[dict]:
    # Uploads without headers get the bucket's default (this key); explicit other choices are refused.
    return [
        {"Sid": "DenyNonKmsUploads", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"{arn}/*",
         "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
        {"Sid": "DenyOtherKmsKeys", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"{arn}/*",
         "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}}},
    ]


def data_bucket_policy(name: str, key_arn: str) -> dict:
    arn = bucket_arn(name)
    return {"Version": "2012-10-17", "Statement": [_deny_insecure_transport(arn), *_deny_other_encryption(arn, key_arn)]}


def access_log_bucket_policy(name: str, account_id: str, sources: list[str]) -> dict:
    arn = bucket_arn(name)
    return {"Version": "2012-10-17", "Statement": [
        _deny_insecure_transport(arn),
        {"Sid": "AllowServerAccessLogDelivery", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
         "Action": "s3:PutObject", "Resource": f"{arn}/*",
         "Condition": {"ArnLike": {"aws:SourceArn": [bucket_arn(s) for s in sources]},
                       "StringEquals": {"aws:SourceAccount": account_id}}},
    ]}


def archive_lifecycle(s: "Settings") -> list[dict]:
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


def access_log_lifecycle(s: "Settings") -> list[dict]:
    return [{
        "id": "expire-access-logs",
        "status": "Enabled",
        "filter": {},
        "expiration": {"days": s.access_log_retention_days},
        "noncurrent_version_expiration": {"noncurrent_days": 1},
        "abort_incomplete_multipart_upload": {"days_after_initiation": MULTIPART_ABORT_DAYS},
    }]


def snapshot_lifecycle() -> list[dict]:
    # Elastic's S3 repository rules: no transitions, no expiry; only stale multipart uploads go.
    return [{"id": "abort-incomplete-uploads", "status": "Enabled", "filter": {},
             "abort_incomplete_multipart_upload": {"days_after_initiation": MULTIPART_ABORT_DAYS}}]


def assume_role(service: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}


def snapshot_role_policy(name: str, key_arn: str) -> dict:
    """Least privilege for Elasticsearch/OpenSearch snapshot repositories: this bucket and its key only."""
    arn = bucket_arn(name)
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
         "Resource": arn},
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
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": source_key},
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": target_key},
    ]}
