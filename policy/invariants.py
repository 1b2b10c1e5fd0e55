"""Security invariants over declared resources: plain functions, shared by the tests (under mocks)
and the Pulumi policy pack in this folder (real `pulumi preview --policy-pack policy`).

A resource is its type, name, URN, properties (as the engine names them) and `protect` option.
Each invariant returns the violations it finds, as human-readable strings.

Two facts about the engine shape this module (pulumi_policy, pulumi/pulumi engine): on a first
preview a bucket's id is unknown, so a configuration resource's `bucket` input cannot name its
bucket; and an unknown value makes a policy advisory. So configurations are tied to their bucket by
the resource relationship the program declares (the configuration's resource name extends its
bucket's, `<bucket resource>-<suffix>`), and "prod" is the `environment` tag every bucket and key
carries, not the stack's name.
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
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
# What guards the archives: protected in prod, so that `destroy --exclude-protected` strips nothing.
GUARDS = (BUCKET, KMS_KEY, KEY_POLICY, LOCK, POLICY, PUBLIC_ACCESS, SSE, VERSIONING, LIFECYCLE, LOGGING, REPLICATION,
          OWNERSHIP, ROLE, ROLE_POLICY)
ARCHIVE_ROLES = ("compliance-archive", "compliance-replica")
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
    """Buckets by their resource name (known on every preview, unlike the bucket's id)."""
    return {r.name: r for r in resources if r.type == BUCKET}


def _attached(resources: list[Resource], type_: str) -> dict[str, list[Resource]]:
    """Bucket-level configuration resources by the resource name of the bucket they configure."""
    buckets = sorted(_buckets(resources), key=len, reverse=True)
    out: dict[str, list[Resource]] = {}
    for r in resources:
        if r.type == type_:
            owner = next((b for b in buckets if r.name.startswith(f"{b}-")), None)
            out.setdefault(owner or str(r.props.get("bucket")), []).append(r)
    return out


def _label(bucket: Resource) -> str:
    return str(bucket.props.get("bucket") or bucket.name)


def _is_prod(resources: list[Resource]) -> bool:
    return any((r.props.get("tags") or {}).get("environment") == "prod" for r in resources
               if r.type in (BUCKET, KMS_KEY))


def _archives(resources: list[Resource]) -> dict[str, Resource]:
    """The compliance archive and its replica: by their declared role, whatever their lock says."""
    return {name: b for name, b in _buckets(resources).items()
            if name.endswith(ARCHIVE_ROLES) or (b.props.get("tags") or {}).get("data-class") == "compliance-archive"}


def _locked(resources: list[Resource]) -> set[str]:
    return {name for name, b in _buckets(resources).items() if b.props.get("objectLockEnabled")} | set(
        _archives(resources))


def buckets_encrypted_with_kms(resources: list[Resource]) -> list[str]:
    """Every bucket uses SSE-KMS with a key, except server-access-log targets (AWS allows only SSE-S3 there)."""
    sse = _attached(resources, SSE)
    log_targets = {r.props.get("targetBucket") for r in resources if r.type == LOGGING}
    problems = []
    buckets = _buckets(resources)
    targets = {n for n, b in buckets.items() if b.props.get("bucket") in log_targets}
    for name in buckets:
        defaults = [rule.get("applyServerSideEncryptionByDefault") or {}
                    for cfg in sse.get(name, []) for rule in cfg.props.get("rules") or []]
        if name in targets or name in log_targets:
            ok = any(d.get("sseAlgorithm") in ("AES256", "aws:kms") for d in defaults)
        else:
            ok = any(d.get("sseAlgorithm") == "aws:kms" and d.get("kmsMasterKeyId") for d in defaults)
        if not ok:
            problems.append(f"bucket {_label(buckets[name])}: not encrypted with a KMS key")
    return problems


def buckets_block_public_access(resources: list[Resource]) -> list[str]:
    blocks = _attached(resources, PUBLIC_ACCESS)
    return [f"bucket {_label(b)}: public access not blocked by all four flags" for name, b in _buckets(resources).items()
            if not any(all(b.props.get(f) is True for f in PUBLIC_ACCESS_FLAGS) for b in blocks.get(name, []))]


def _covers(patterns: Any, value: str) -> bool:
    import fnmatch
    return any(fnmatch.fnmatchcase(value, p) for p in (patterns if isinstance(patterns, list) else [patterns]))


def _denies_insecure_transport(policy: Any, bucket: str | None) -> bool:
    """A Deny for everyone, of every S3 action, on the bucket and all its objects, without TLS."""
    doc = json.loads(policy) if isinstance(policy, str) else policy or {}
    for st in doc.get("Statement", []):
        condition = (st.get("Condition") or {}).get("Bool", {}).get("aws:SecureTransport")
        if not (st.get("Effect") == "Deny" and st.get("Principal") in ("*", {"AWS": "*"})
                and condition in ("false", False) and _covers(st.get("Action"), "s3:*")):
            continue
        if bucket is None:  # unknown until the bucket exists: the statement's shape must do
            return True
        arn = f"arn:aws:s3:::{bucket}"
        if _covers(st.get("Resource"), arn) and _covers(st.get("Resource"), f"{arn}/any-object"):
            return True
    return False


def bucket_policies_deny_insecure_transport(resources: list[Resource]) -> list[str]:
    """Every bucket's policy denies all S3 actions on the bucket and its objects without TLS."""
    policies = _attached(resources, POLICY)
    return [f"bucket {_label(b)}: no bucket policy denies aws:SecureTransport=false on it and its objects"
            for name, b in _buckets(resources).items()
            if not any(_denies_insecure_transport(p.props.get("policy"), b.props.get("bucket"))
                       for p in policies.get(name, []))]


def prod_archives_locked_in_compliance_for_seven_years(resources: list[Resource]) -> list[str]:
    """In prod, every archive bucket is created with Object Lock and locked in COMPLIANCE for 7 years."""
    if not _is_prod(resources):
        return []
    locks = _attached(resources, LOCK)
    buckets = _buckets(resources)
    problems = []
    for name in sorted(_locked(resources)):
        retentions = [(cfg.props.get("rule") or {}).get("defaultRetention") or {} for cfg in locks.get(name, [])]
        ok = buckets[name].props.get("objectLockEnabled") is True and any(
            r.get("mode") == "COMPLIANCE" and ((r.get("days") or 0) >= SEVEN_YEARS_DAYS or (r.get("years") or 0) >= 7)
            for r in retentions)
        if not ok:
            problems.append(f"bucket {_label(buckets[name])}: prod archive must be created with Object Lock and "
                            f"locked COMPLIANCE for at least {SEVEN_YEARS_DAYS} days")
    return problems


def prod_archive_replicated_offsite(resources: list[Resource]) -> list[str]:
    """In prod, the compliance archive replicates into its replica."""
    if not _is_prod(resources):
        return []
    replications = _attached(resources, REPLICATION)
    return [f"bucket {_label(b)}: prod archive has no offsite replica" for name, b in _archives(resources).items()
            if name.endswith("compliance-archive") and not any(
                r.get("status") == "Enabled" for cfg in replications.get(name, []) for r in cfg.props.get("rules") or [])]


def locked_buckets_never_expire_current_versions(resources: list[Resource]) -> list[str]:
    lifecycles = _attached(resources, LIFECYCLE)
    buckets = _buckets(resources)
    problems = []
    for name in sorted(_locked(resources)):
        for cfg in lifecycles.get(name, []):
            for rule in cfg.props.get("rules") or []:
                if rule.get("status") == "Enabled" and rule.get("expiration"):
                    problems.append(f"bucket {_label(buckets[name])}: lifecycle rule {rule.get('id')} "
                                    "expires current versions")
    return problems


def data_resources_protected_in_prod(resources: list[Resource]) -> list[str]:
    """In prod, the buckets, keys and everything that guards them are protected."""
    if not _is_prod(resources):
        return []
    return [f"{r.type.split(':')[-1]} {r.name}: not protected in prod" for r in resources
            if r.type in GUARDS and not r.protect]


# Amazon Managed Service for Prometheus: the write action, and the Prometheus-compatible query API
# (Service Authorization Reference, "Actions defined by Amazon Managed Service for Prometheus").
APS_WRITE = frozenset({"aps:remotewrite"})
APS_QUERY = frozenset({"aps:querymetrics", "aps:getseries", "aps:getlabels", "aps:getmetricmetadata"})


def aps_roles_write_or_query_one_workspace(resources: list[Resource]) -> list[str]:
    """A role policy that grants any `aps:` action grants only writing or only querying, on named
    workspaces: no wildcard action or resource, no workspace administration."""
    found = []
    for r in resources:
        if r.type != ROLE_POLICY or not isinstance(r.props.get("policy"), str) or "aps:" not in r.props["policy"]:
            continue
        for st in json.loads(r.props["policy"]).get("Statement", []):
            actions = {a.lower() for a in ([st.get("Action")] if isinstance(st.get("Action"), str)
                                           else st.get("Action") or [])}
            resources_ = [st.get("Resource")] if isinstance(st.get("Resource"), str) else st.get("Resource") or []
            if st.get("Effect") != "Allow" or not any(a.startswith("aps:") for a in actions):
                continue
            if not (actions <= APS_WRITE or actions <= APS_QUERY) or "NotAction" in st:
                found.append(f"{r.name}: grants {sorted(actions)}; allowed: aps:RemoteWrite alone, or the query actions")
            elif not resources_ or any("*" in x for x in resources_):
                found.append(f"{r.name}: aps actions on {resources_}; allowed: named workspace ARNs")
    return found


INVARIANTS: dict[str, Callable[[list[Resource]], list[str]]] = {
    "aps-roles-write-or-query-one-workspace": aps_roles_write_or_query_one_workspace,
    "buckets-encrypted-with-kms": buckets_encrypted_with_kms,
    "buckets-block-public-access": buckets_block_public_access,
    "bucket-policies-deny-insecure-transport": bucket_policies_deny_insecure_transport,
    "prod-archives-compliance-locked-7-years": prod_archives_locked_in_compliance_for_seven_years,
    "prod-archive-replicated-offsite": prod_archive_replicated_offsite,
    "locked-buckets-never-expire-current-versions": locked_buckets_never_expire_current_versions,
    "data-resources-protected-in-prod": data_resources_protected_in_prod,
}


def check_all(resources: Iterable[Resource]) -> dict[str, list[str]]:
    resources = list(resources)
    return {name: check(resources) for name, check in INVARIANTS.items()}
