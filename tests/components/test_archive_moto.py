"""The compliance archive as the program declares it, applied to moto's S3, IAM and STS.

What moto models and this test relies on (moto 5.2, s3/models.py): buckets created with Object Lock,
a default COMPLIANCE retention applied to every new object version, and DeleteObject of a locked
version refused with AccessDenied (BypassGovernanceRetention does not help in COMPLIANCE), as
AWS documents in the S3 User Guide ("Using S3 Object Lock"). Moto does not evaluate IAM policies,
and applies a bucket policy's Deny statements without their Condition (with moto 5.2.5 each of our
conditional Deny statements alone refuses a TLS upload without an encryption header, which AWS
allows), so the bucket policy is put after the write, last, to check that S3 takes it; its semantics are
evaluated in tests/content/test_archive_policies.py.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from content import archive as layout

LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def _one(run, type_, bucket):
    (found,) = [r for r in run.of_type(type_) if r.inputs.get("bucket") == bucket]
    return found.inputs


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        yield


def test_fluent_bit_role_writes_a_locked_security_event_that_nobody_can_delete(stack_runs, aws):
    run = stack_runs["prod"]
    bucket = run.outputs["archive_bucket"]
    s3 = boto3.client("s3", region_name="eu-west-1")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
                     ObjectLockEnabledForBucket=True)
    retention = _one(run, LOCK, bucket)["rule"]["defaultRetention"]
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": retention["mode"],
                                                                      "Days": int(retention["days"])}}})
    sse = _one(run, SSE, bucket)["rules"][0]
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": sse["applyServerSideEncryptionByDefault"]["sseAlgorithm"],
                                               "KMSMasterKeyID": sse["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]},
        "BucketKeyEnabled": sse["bucketKeyEnabled"]}]})
    (role,) = [r for r in run.of_type("aws:iam/role:Role") if r.name.endswith("-writer-role")]
    iam = boto3.client("iam")
    created = iam.create_role(RoleName="writer", AssumeRolePolicyDocument=role.inputs["assumeRolePolicy"])
    creds = boto3.client("sts").assume_role_with_web_identity(
        RoleArn=created["Role"]["Arn"], RoleSessionName="fluent-bit", WebIdentityToken="token")["Credentials"]
    writer = boto3.client("s3", region_name="eu-west-1", aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    body = gzip.compress(json.dumps({"event_category": "security", "message": "Failed authentication"}).encode())
    key = f"{layout.ARCHIVE_PREFIX}/2026/11/30/06/abc.gz"
    version = writer.put_object(Bucket=bucket, Key=key, Body=body,
                                ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode())["VersionId"]

    head = s3.head_object(Bucket=bucket, Key=key, VersionId=version)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    until = head["ObjectLockRetainUntilDate"] - dt.datetime.now(dt.timezone.utc)
    assert until.days >= 2556
    for bypass in (False, True):
        with pytest.raises(ClientError, match="AccessDenied"):
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version, BypassGovernanceRetention=bypass)
    assert gzip.decompress(s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read())
    s3.put_bucket_policy(Bucket=bucket, Policy=_one(run, POLICY, bucket)["policy"])  # S3 takes it as rendered
