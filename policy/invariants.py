"""Security invariants over declared resources: plain functions, shared by the tests (under mocks)
and the Pulumi policy pack in this folder (real `pulumi preview --policy-pack policy`).

A resource is its type, name, URN, properties (as the engine names them) and `protect` option.
Each invariant returns the violations it finds, as human-readable strings.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterable

BUCKET = "aws:s3/bucket:Bucket"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
PUBLIC_ACCESS = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LOGGING = "aws:s3/bucketLogging:BucketLogging"
KMS_KEY = "aws:kms/key:Key"
SEVEN_YEARS_DAYS = 2557
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    urn: str
    props: dict[str, Any]
    protect: bool = False

    @property
    def stack(self) -> str:
        return self.urn.split("::")[0].removeprefix("urn:pulumi:")


def _buckets(resources: list[Resource]) -> dict[str, Resource]:
    return {r.props.get("bucket"): r for r in resources if r.type == BUCKET}


def _attached(resources: list[Resource], type_: str) -> dict[str, list[Resource]]:
    """Bucket-level configuration resources by the bucket they configure."""
    out: dict[str, list[Resource]] = {}
    for r in resources:
        if r.type == type_:
            out.setdefault(r.props.get("bucket"), []).append(r)
    return out


def _is_prod(resources: list[Resource]) -> bool:
    return any(r.stack == "prod" for r in resources)


def _locked(resources: list[Resource]) -> set[str]:
    return {name for name, b in _buckets(resources).items() if b.props.get("objectLockEnabled")}


def buckets_encrypted_with_kms(resources: list[Resource]) -> list[str]:
    """Every bucket uses SSE-KMS with a key, except server-access-log targets (AWS allows only SSE-S3 there)."""
    sse = _attached(resources, SSE)
    log_targets = {r.props.get("targetBucket") for r in resources if r.type == LOGGING}
    problems = []
    for name in _buckets(resources):
        defaults = [rule.get("applyServerSideEncryptionByDefault") or {}
                    for cfg in sse.get(name, []) for rule in cfg.props.get("rules") or []]
        if name in log_targets:
            ok = any(d.get("sseAlgorithm") in ("AES256", "aws:kms") for d in defaults)
        else:
            ok = any(d.get("sseAlgorithm") == "aws:kms" and d.get("kmsMasterKeyId") for d in defaults)
        if not ok:
            problems.append(f"bucket {name}: not encrypted with a KMS key")
    return problems


def buckets_block_public_access(resources: list[Resource]) -> list[str]:
    blocks = _attached(resources, PUBLIC_ACCESS)
    return [f"bucket {name}: public access not blocked by all four flags" for name in _buckets(resources)
            if not any(all(b.props.get(f) is True for f in PUBLIC_ACCESS_FLAGS) for b in blocks.get(name, []))]


def _denies_insecure_transport(policy: Any) -> bool:
    doc = json.loads(policy) if isinstance(policy, str) else policy or {}
    for st in doc.get("Statement", []):
        condition = (st.get("Condition") or {}).get("Bool", {}).get("aws:SecureTransport")
        if st.get("Effect") == "Deny" and st.get("Principal") in ("*", {"AWS": "*"}) and condition in ("false", False):
            return True
    return False


def bucket_policies_deny_insecure_transport(resources: list[Resource]) -> list[str]:
    policies = _attached(resources, POLICY)
    return [f"bucket {name}: no bucket policy denies aws:SecureTransport=false" for name in _buckets(resources)
            if not any(_denies_insecure_transport(p.props.get("policy")) for p in policies.get(name, []))]


def prod_archives_locked_in_compliance_for_seven_years(resources: list[Resource]) -> list[str]:
    if not _is_prod(resources):
        return []
    locks = _attached(resources, LOCK)
    problems = []
    for name in sorted(_locked(resources)):
        retentions = [(cfg.props.get("rule") or {}).get("defaultRetention") or {} for cfg in locks.get(name, [])]
        ok = any(r.get("mode") == "COMPLIANCE" and ((r.get("days") or 0) >= SEVEN_YEARS_DAYS
                                                    or (r.get("years") or 0) >= 7) for r in retentions)
        if not ok:
            problems.append(f"bucket {name}: prod lock must be COMPLIANCE for at least {SEVEN_YEARS_DAYS} days")
    return problems


def locked_buckets_never_expire_current_versions(resources: list[Resource]) -> list[str]:
    lifecycles = _attached(resources, LIFECYCLE)
    problems = []
    for name in sorted(_locked(resources)):
        for cfg in lifecycles.get(name, []):
            for rule in cfg.props.get("rules") or []:
                if rule.get("status") == "Enabled" and rule.get("expiration"):
                    problems.append(f"bucket {name}: lifecycle rule {rule.get('id')} expires current versions")
    return problems


def data_resources_protected_in_prod(resources: list[Resource]) -> list[str]:
    if not _is_prod(resources):
        return []
    return [f"{r.type.split(':')[-1]} {r.name}: not protected in prod" for r in resources
            if r.type in (BUCKET, KMS_KEY, LOCK) and not r.protect]


INVARIANTS: dict[str, Callable[[list[Resource]], list[str]]] = {
    "buckets-encrypted-with-kms": buckets_encrypted_with_kms,
    "buckets-block-public-access": buckets_block_public_access,
    "bucket-policies-deny-insecure-transport": bucket_policies_deny_insecure_transport,
    "prod-archives-compliance-locked-7-years": prod_archives_locked_in_compliance_for_seven_years,
    "locked-buckets-never-expire-current-versions": locked_buckets_never_expire_current_versions,
    "data-resources-protected-in-prod": data_resources_protected_in_prod,
}


def check_all(resources: Iterable[Resource]) -> dict[str, list[str]]:
    resources = list(resources)
    return {name: check(resources) for name, check in INVARIANTS.items()}
