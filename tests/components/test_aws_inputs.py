"""What the program hands AWS: nested inputs in the pinned pulumi-aws 7 SDK's schema, S3 enums as
the S3 API defines them, and every policy document in the IAM policy grammar.

- Inputs: each resource's `<Type>Args` and the `*Args` types of its nested inputs
  (tests/components/kubernetes_schema.problems reads any Pulumi SDK type); an unknown nested key
  is refused by the provider.
- S3 rule statuses and transition storage classes: botocore's S3 service model (ExpirationStatus,
  ReplicationRuleStatus, TransitionStorageClass).
- Policies: IAM User Guide, "IAM JSON policy element reference" and "Grammar of the IAM JSON policy
  language": the element names (case-sensitive), Version 2012-10-17 or 2008-10-17, Effect Allow or
  Deny, one of Action/NotAction, a Principal in resource-based and trust policies and none in an
  identity policy ("Policy document should not specify a principal"), a Resource everywhere but in a
  trust policy, and Condition operators from the condition operator reference (optionally
  ...IfExists, or ForAnyValue:/ForAllValues: before a string, ARN or IP operator).
"""
from __future__ import annotations

import importlib
import json

import botocore.session
import pytest

from tests.components import kubernetes_schema as schema
from tests.conftest import STACKS
from tests.policy.iam_model import bucket_policy_resource_problems

S3_MODEL = botocore.session.get_session().get_service_model("s3")
STATUS = {"aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "ExpirationStatus",
          "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "ReplicationRuleStatus"}
OPERATORS = {"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
             "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
             "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
             "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
             "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"}
STATEMENT = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
# (resource type, input) -> the policy's kind
DOCUMENTS = {("aws:s3/bucketPolicy:BucketPolicy", "policy"): "resource", ("aws:kms/keyPolicy:KeyPolicy", "policy"): "resource",
             ("aws:iam/rolePolicy:RolePolicy", "policy"): "identity", ("aws:iam/role:Role", "assumeRolePolicy"): "trust"}


def operator_ok(op: str) -> bool:
    base = op.split(":", 1)[1] if op.startswith(("ForAnyValue:", "ForAllValues:")) else op
    base = base.removesuffix("IfExists") if base != "Null" else base
    return base in OPERATORS


def grammar(document: dict, kind: str) -> list[str]:
    found = [f"top-level {k}" for k in document if k not in ("Version", "Id", "Statement")]
    if document.get("Version") not in ("2012-10-17", "2008-10-17"):
        found.append(f"Version {document.get('Version')!r}")
    statements = document.get("Statement")
    for i, st in enumerate(statements if isinstance(statements, list) else [statements]):
        where = f"Statement[{i}]"
        found += [f"{where}.{k}" for k in st if k not in STATEMENT]
        if st.get("Effect") not in ("Allow", "Deny"):
            found.append(f"{where}.Effect {st.get('Effect')!r}")
        if ("Action" in st) == ("NotAction" in st):
            found.append(f"{where}: one of Action and NotAction")
        has_principal = "Principal" in st or "NotPrincipal" in st
        if has_principal != (kind != "identity"):
            found.append(f"{where}: Principal {'missing' if kind != 'identity' else 'not allowed'}")
        if kind != "trust" and ("Resource" in st) == ("NotResource" in st):
            found.append(f"{where}: one of Resource and NotResource")
        for op, keys in st.get("Condition", {}).items():
            if not operator_ok(op) or not isinstance(keys, dict):
                found.append(f"{where}.Condition.{op}")
    return found


def args_type(resource_type: str) -> type:
    """The resource's own arguments type: `<Type>Args`, or `<Type>InitArgs` where a nested input
    type already has that name (pulumi codegen; e.g. the legacy Bucket's BucketVersioningArgs)."""
    module, name = resource_type.split(":")[1].split("/")[0], resource_type.rsplit(":", 1)[1]
    resource = getattr(importlib.import_module(f"pulumi_aws.{module}"), name)
    home = importlib.import_module(resource.__module__)
    return getattr(home, f"{name}InitArgs", None) or getattr(home, f"{name}Args")


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_input_is_in_the_sdks_schema_and_every_status_is_one_s3_takes(stack_runs, stack):
    checked = 0
    for r in stack_runs[stack].resources:
        if not r.type.startswith("aws:"):
            continue
        cls = args_type(r.type)
        assert schema.problems({k: v for k, v in r.inputs.items() if not k.startswith("__")}, cls) == [], r.name
        for rule in r.inputs["rules"] if r.type in STATUS else []:
            assert rule["status"] in S3_MODEL.shape_for(STATUS[r.type]).enum, (r.name, rule["status"])
            checked += 1
            # A lifecycle transition names a storage class S3 can move objects to (TransitionStorageClass).
            for transition in rule.get("transitions", []) + rule.get("noncurrentVersionTransitions", []):
                assert transition["storageClass"] in S3_MODEL.shape_for("TransitionStorageClass").enum, r.name
    assert checked >= 3


@pytest.mark.parametrize("stack", STACKS)
def test_every_policy_document_follows_the_iam_grammar(stack_runs, stack):
    seen = set()
    for r in stack_runs[stack].resources:
        kind = DOCUMENTS.get((r.type, next((k for t, k in DOCUMENTS if t == r.type), None)))
        if kind is None:
            continue
        key = next(k for t, k in DOCUMENTS if t == r.type)
        document = json.loads(r.inputs[key])
        assert grammar(document, kind) == [], (r.name, document)
        seen.add(kind)
    assert seen == {"resource", "identity", "trust"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_bucket_policy_names_only_its_own_bucket_as_s3_requires(stack_runs, stack):
    """S3's PutBucketPolicy refuses a policy with any resource outside its bucket ("Policy has invalid
    resource"; tests/policy/iam_model.bucket_policy_resource_problems cites the rule): every
    BucketPolicy as registered, read against the bucket it is attached to."""
    policies = {r.inputs["bucket"]: json.loads(r.inputs["policy"])
                for r in stack_runs[stack].of_type("aws:s3/bucketPolicy:BucketPolicy")}
    # the archive, its snapshots and their access logs; prod adds the replica and its region's access logs
    assert len(policies) == (5 if stack == "prod" else 3), sorted(policies)
    assert {bucket: bucket_policy_resource_problems(p, bucket) for bucket, p in policies.items()} == \
        dict.fromkeys(policies, [])


def test_the_grammar_refuses_what_iam_refuses():
    good = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert grammar(good, "identity") == []
    assert grammar({**good, "version": "2012-10-17"}, "identity")[0] == "top-level version"
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "action": "s3:GetObject", "Resource": "*",
                                                   "Principal": "*", "Condition": {"StringEqual": {"a": "b"}}}]}
    assert grammar(bad, "identity") == ["Statement[0].action", "Statement[0]: one of Action and NotAction",
                                         "Statement[0]: Principal not allowed", "Statement[0].Condition.StringEqual"]
    assert operator_ok("ForAnyValue:StringLike") and operator_ok("StringNotEqualsIfExists") and operator_ok("Null")
