"""Each invariant on small hand-made stacks: how it ties configurations to buckets, what it reads as
an archive or a lock, and which policy and encryption shapes it accepts. The stacks are what the
engine hands a policy pack (the engine's property names; an unknown, which the engine sends as a
sentinel string, as the pack reads it: `PENDING`; each property's dependencies as URNs).

The accepted shapes are AWS's: a bucket policy's Principal may be "*" or {"AWS": "*"}, Action and
Resource a string or a list, and the `aws:SecureTransport` Bool condition "false" or false (IAM JSON
policy element reference); server-access-log targets may only use SSE-S3 or SSE-KMS (S3 User
Guide, "Enabling Amazon S3 server access logging").
"""
from __future__ import annotations

import json

import pytest

from policy import invariants as inv
from policy.invariants import Resource

PROD = {"environment": "prod"}
KMS = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k"}


def bucket(name: str, physical: str | None = "", **props) -> Resource:
    return Resource(inv.BUCKET, name, f"urn:pulumi:prod::p::{inv.BUCKET}::{name}",
                    {"bucket": name if physical == "" else physical, "tags": dict(PROD), **props}, protect=True)


def config(type_: str, name: str, **props) -> Resource:
    return Resource(type_, name, f"urn:pulumi:prod::p::{type_}::{name}", props, protect=True)


def sse(name: str, **default) -> Resource:
    return config(inv.SSE, name, rules=[{"applyServerSideEncryptionByDefault": default}])


def deny_plain_http(bucket_name: str | None, **changes) -> dict:
    statement = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": [f"arn:aws:s3:::{bucket_name}", f"arn:aws:s3:::{bucket_name}/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    return {"Version": "2012-10-17", "Statement": [{**statement, **changes}]}


def secured(name: str, **props) -> list[Resource]:
    """A bucket with every guard an invariant asks of an ordinary (unlocked) bucket."""
    return [bucket(name, **props), sse(f"{name}-sse", **KMS),
            config(inv.PUBLIC_ACCESS, f"{name}-public-access", **{f: True for f in inv.PUBLIC_ACCESS_FLAGS}),
            config(inv.POLICY, f"{name}-policy", policy=json.dumps(deny_plain_http(name)))]


def test_an_ordinary_secured_bucket_has_no_problem():
    assert inv.check_all(secured("b")) == {name: [] for name in inv.INVARIANTS}


def test_a_configuration_belongs_to_the_longest_bucket_name_it_extends():
    """`b-logs-sse` extends both `b` and `b-logs`; it configures `b-logs`, so `b` has no encryption."""
    res = [r for r in secured("b") + secured("b-logs") if r.name != "b-sse"]
    assert inv.buckets_encrypted_with_kms(res) == ["bucket b: not encrypted with a KMS key"]


def test_a_configuration_whose_name_extends_no_bucket_is_tied_by_its_bucket_input():
    res = [r for r in secured("plain") if r.type != inv.SSE] + [
        config(inv.SSE, "encryption-of-plain", bucket="plain",
               rules=[{"applyServerSideEncryptionByDefault": KMS}])]
    assert inv.buckets_encrypted_with_kms(res) == []


def test_a_bucket_without_any_configuration_is_reported_by_each_invariant():
    res = [bucket("bare")]
    found = inv.check_all(res)
    assert found["buckets-encrypted-with-kms"] == ["bucket bare: not encrypted with a KMS key"]
    assert found["buckets-block-public-access"] == ["bucket bare: public access not blocked by all four flags"]
    assert found["bucket-policies-deny-insecure-transport"] == [
        "bucket bare: no bucket policy denies aws:SecureTransport=false on it and its objects"]


@pytest.mark.parametrize("name,tags", [
    ("evidence", {"environment": "prod", "data-class": "compliance-archive"}),  # by its declared class
    ("kafka-compliance-archive", {"environment": "prod"}),                      # by its role in the name
    ("kafka-compliance-replica", {"environment": "prod"}),
])
def test_an_archive_is_known_by_its_class_tag_or_its_role(name, tags):
    res = secured(name, tags=tags)
    assert inv.prod_archives_locked_in_compliance_for_seven_years(res) == [
        f"bucket {name}: prod archive must be created with Object Lock and locked COMPLIANCE for at least 2557 days"]


def test_a_bucket_of_another_class_is_not_an_archive():
    res = secured("evidence", tags={"environment": "prod", "data-class": "application-logs"})
    assert inv.prod_archives_locked_in_compliance_for_seven_years(res) == []


def test_a_bucket_created_with_object_lock_counts_as_locked_whatever_its_name():
    res = secured("y", objectLockEnabled=True) + [config(inv.LIFECYCLE, "y-lifecycle", rules=[
        {"id": "keep-noncurrent", "status": "Enabled", "noncurrentVersionExpiration": {"noncurrentDays": 30}},
        {"id": "expire-all", "status": "Enabled", "expiration": {"days": 30}},
        {"id": "old-draft", "status": "Disabled", "expiration": {"days": 1}}])]
    assert inv.locked_buckets_never_expire_current_versions(res) == [
        "bucket y: lifecycle rule expire-all expires current versions"]
    assert inv.prod_archives_locked_in_compliance_for_seven_years(res) == [
        "bucket y: prod archive must be created with Object Lock and locked COMPLIANCE for at least 2557 days"]


@pytest.mark.parametrize("change", [
    {"Principal": {"AWS": "*"}},
    {"Condition": {"Bool": {"aws:SecureTransport": False}}},
    {"Action": ["s3:*"]},
    {"Resource": "arn:aws:s3:::*"},
], ids=["principal-map", "bool-false", "action-list", "resource-string"])
def test_every_aws_spelling_of_the_deny_is_accepted(change):
    res = [r for r in secured("b") if r.type != inv.POLICY] + [
        config(inv.POLICY, "b-policy", policy=json.dumps(deny_plain_http("b", **change)))]
    assert inv.bucket_policies_deny_insecure_transport(res) == []


@pytest.mark.parametrize("change", [
    {"Resource": "arn:aws:s3:::b/*"},                       # the objects, not the bucket
    {"Resource": ["arn:aws:s3:::b"]},                       # the bucket, not its objects
    {"Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
    {"Principal": {"AWS": "*x"}},
    {"Condition": {"Bool": {"aws:SecureTransport": True}}},
    {"Condition": {"Bool": {"aws:SecureTransport": "true"}}},
    {"Effect": "Allow"},
    {"Action": "s3:GetObject"},
])
def test_a_deny_that_leaves_plain_http_open_is_refused(change):
    res = [r for r in secured("b") if r.type != inv.POLICY] + [
        config(inv.POLICY, "b-policy", policy=json.dumps(deny_plain_http("b", **change)))]
    assert len(inv.bucket_policies_deny_insecure_transport(res)) == 1


def test_the_deny_may_follow_other_statements_and_arrive_parsed():
    doc = deny_plain_http("b")
    doc["Statement"].insert(0, {"Sid": "ReadForAuditors", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                                "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    res = [r for r in secured("b") if r.type != inv.POLICY] + [config(inv.POLICY, "b-policy", policy=doc)]
    assert inv.bucket_policies_deny_insecure_transport(res) == []


def test_a_policy_without_statements_denies_nothing():
    res = [r for r in secured("b") if r.type != inv.POLICY] + [
        config(inv.POLICY, "b-policy", policy=json.dumps({"Version": "2012-10-17"}))]
    assert len(inv.bucket_policies_deny_insecure_transport(res)) == 1


def test_when_the_bucket_name_is_not_known_yet_the_statement_shape_decides():
    """An auto-named bucket's name is unknown on a first preview: the deny cannot name it yet."""
    res = [bucket("b", physical=inv.PENDING),
           config(inv.POLICY, "b-policy", policy=json.dumps(deny_plain_http("unknown")))]
    assert inv.bucket_policies_deny_insecure_transport(res) == []


def test_a_pending_policy_waits_for_up_and_a_known_deny_beside_it_suffices():
    res = [bucket("b"), config(inv.POLICY, "b-policy", policy=inv.PENDING)]
    (problem,) = inv.bucket_policies_deny_insecure_transport(res)
    assert isinstance(problem, inv.Pending) and inv.violations([problem]) == []
    res.append(config(inv.POLICY, "b-policy-2", policy=json.dumps(deny_plain_http("b"))))
    assert inv.bucket_policies_deny_insecure_transport(res) == []


def _depends(r: Resource, **deps) -> Resource:
    return Resource(r.type, r.name, r.urn, r.props, r.protect, {k: tuple(v) for k, v in deps.items()})


def test_a_pending_bucket_input_is_tied_by_its_dependency_before_the_name():
    """`b-x-sse` extends `b-x`'s name, but its pending `bucket` depends on `c`: it encrypts `c`."""
    res = [r for r in secured("b-x") + secured("c") if r.type != inv.SSE]
    res.append(_depends(config(inv.SSE, "b-x-sse", bucket=inv.PENDING, rules=[
        {"applyServerSideEncryptionByDefault": KMS}]), bucket=[res[0].urn.replace("b-x", "c")]))
    assert inv.buckets_encrypted_with_kms(res) == ["bucket b-x: not encrypted with a KMS key"]
    res[-1] = config(inv.SSE, "b-x-sse", bucket=inv.PENDING, rules=[{"applyServerSideEncryptionByDefault": KMS}])
    assert inv.buckets_encrypted_with_kms(res) == ["bucket c: not encrypted with a KMS key"]


def test_a_known_bucket_input_outside_the_stack_is_not_tied_by_the_name():
    res = [r for r in secured("b") if r.type != inv.SSE] + [
        config(inv.SSE, "b-sse", bucket="someone-elses", rules=[{"applyServerSideEncryptionByDefault": KMS}])]
    assert inv.buckets_encrypted_with_kms(res) == ["bucket b: not encrypted with a KMS key"]


def test_a_pending_key_id_counts_only_when_it_depends_on_a_kms_key_of_the_stack():
    key = Resource(inv.KMS_KEY, "k", "urn:k", {"tags": dict(PROD)}, protect=True)
    role = Resource(inv.ROLE, "r", "urn:r", {}, protect=True)
    pending = {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": inv.PENDING}
    base = [r for r in secured("b") if r.type != inv.SSE] + [key, role]
    assert inv.buckets_encrypted_with_kms(base + [_depends(sse("b-sse", **pending), rules=["urn:k"])]) == []
    (problem,) = inv.buckets_encrypted_with_kms(base + [_depends(sse("b-sse", **pending), rules=["urn:r"])])
    assert isinstance(problem, inv.Pending)
    aes = _depends(sse("b-sse", sseAlgorithm="AES256", kmsMasterKeyId=inv.PENDING), rules=["urn:k"])
    assert inv.violations(inv.buckets_encrypted_with_kms(base + [aes])) == ["bucket b: not encrypted with a KMS key"]


def test_a_log_target_is_tied_by_the_dependency_of_its_pending_name():
    logs, data = secured("logs"), secured("data")
    logs[1] = sse("logs-sse", sseAlgorithm="AES256")
    logging = config(inv.LOGGING, "data-logging", bucket=inv.PENDING, targetBucket=inv.PENDING)
    assert inv.buckets_encrypted_with_kms(logs + data + [_depends(logging, targetBucket=[logs[0].urn])]) == []
    wrong = inv.buckets_encrypted_with_kms(logs + data + [_depends(logging, targetBucket=[data[0].urn])])
    assert inv.violations(wrong) == ["bucket logs: not encrypted with a KMS key"]
    (untied,) = inv.buckets_encrypted_with_kms(logs + data + [logging])   # no dependency known: wait for up
    assert isinstance(untied, inv.Pending)


@pytest.mark.parametrize("retention", [{"mode": inv.PENDING, "days": 2557},
                                       {"mode": "COMPLIANCE", "days": inv.PENDING}])
def test_a_pending_retention_waits_for_up(retention):
    res = secured("a-compliance-archive", objectLockEnabled=True) + [
        config(inv.LOCK, "a-compliance-archive-lock", rule={"defaultRetention": retention})]
    (problem,) = inv.prod_archives_locked_in_compliance_for_seven_years(res)
    assert isinstance(problem, inv.Pending)
    # what is already wrong is denied: GOVERNANCE whatever the days, 30 days whatever the mode
    res[-1] = config(inv.LOCK, "a-compliance-archive-lock",
                     rule={"defaultRetention": {**retention, "mode": "GOVERNANCE"}
                           if retention["days"] is inv.PENDING else {**retention, "days": 30}})
    assert inv.violations(inv.prod_archives_locked_in_compliance_for_seven_years(res)) == [
        "bucket a-compliance-archive: prod archive must be created with Object Lock and locked COMPLIANCE for at "
        "least 2557 days"]


def test_an_environment_not_known_yet_is_judged_as_prod():
    res = secured("a-compliance-archive", tags={"environment": inv.PENDING})
    assert inv.prod_archives_locked_in_compliance_for_seven_years(res)
    assert inv.prod_archives_locked_in_compliance_for_seven_years(
        secured("a-compliance-archive", tags={"environment": "dev"})) == []


def test_a_log_target_may_use_sse_s3_or_sse_kms_and_others_need_a_kms_key():
    res = (secured("logs") + secured("data") + [config(inv.LOGGING, "data-logging", targetBucket="logs")])
    res = [r for r in res if r.type != inv.SSE] + [sse("logs-sse", sseAlgorithm="aws:kms"),
                                                  sse("data-sse", **KMS)]
    assert inv.buckets_encrypted_with_kms(res) == []
    for default in ({"sseAlgorithm": "aws:kms"}, {"sseAlgorithm": "AES256", "kmsMasterKeyId": "k"}):
        broken = [r for r in res if r.name != "data-sse"] + [sse("data-sse", **default)]
        assert inv.buckets_encrypted_with_kms(broken) == ["bucket data: not encrypted with a KMS key"]
    broken = [r for r in res if r.name != "logs-sse"] + [sse("logs-sse", sseAlgorithm="aws:fsx")]
    assert inv.buckets_encrypted_with_kms(broken) == ["bucket logs: not encrypted with a KMS key"]


def test_an_unprotected_guard_is_named_by_its_kind_and_resource_name():
    res = secured("b")
    res[0] = Resource(inv.BUCKET, "b", res[0].urn, res[0].props, protect=False)
    res.append(Resource(inv.KMS_KEY, "archive-key", "urn:k", {"tags": dict(PROD)}, protect=False))
    assert inv.data_resources_protected_in_prod(res) == ["Bucket b: not protected in prod",
                                                         "Key archive-key: not protected in prod"]


def test_a_locked_bucket_without_any_lifecycle_expires_nothing():
    assert inv.locked_buckets_never_expire_current_versions(secured("y", objectLockEnabled=True)) == []


def test_a_public_access_flag_not_known_yet_waits_for_up_and_a_false_one_is_denied():
    res = [r for r in secured("b") if r.type != inv.PUBLIC_ACCESS]
    flags = {f: True for f in inv.PUBLIC_ACCESS_FLAGS}
    (problem,) = inv.buckets_block_public_access(res + [
        config(inv.PUBLIC_ACCESS, "b-public-access", **{**flags, "blockPublicPolicy": inv.PENDING})])
    assert isinstance(problem, inv.Pending)
    assert inv.buckets_block_public_access(res + [config(inv.PUBLIC_ACCESS, "b-public-access", **{
        **flags, "blockPublicPolicy": inv.PENDING, "ignorePublicAcls": False})]) == [
        "bucket b: public access not blocked by all four flags"]
