"""Security invariants over declared resources: plain functions, shared by the tests (under mocks)
and the Pulumi policy pack in this folder (real `pulumi preview --policy-pack policy`).

A resource is its type, name, URN, properties (as the engine names them), `protect` option and the
URNs each property depends on (what the engine sends the pack as property dependencies).

On a first preview nothing exists yet, so every id and ARN, and every input built from one (a bucket
policy naming its key, a configuration's `bucket`), reaches the pack as an unknown: here `PENDING`.
An invariant still denies what is already wrong, and reports what hangs on a pending value as a
`Pending` problem: decided when `up` knows the value (the engine runs the pack again on the outputs),
never a violation meanwhile. A configuration is tied to its bucket by its `bucket` input when known,
else by the resource that input depends on (its URN names it), else by the relationship the program
declares in names (`<bucket resource>-<suffix>`); log targets, encryption keys and replication
destinations likewise. "Prod" is the `environment` tag every bucket and key carries, not the stack's
name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

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
SERVICE = "kubernetes:core/v1:Service"
RELEASE = "kubernetes:helm.sh/v3:Release"
# What guards the archives: protected in prod, so that `destroy --exclude-protected` strips nothing.
GUARDS = (BUCKET, KMS_KEY, KEY_POLICY, LOCK, POLICY, PUBLIC_ACCESS, SSE, VERSIONING, LIFECYCLE, LOGGING, REPLICATION,
          OWNERSHIP, ROLE, ROLE_POLICY)
ARCHIVE_ROLES = ("compliance-archive", "compliance-replica")
SEVEN_YEARS_DAYS = 2557
PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


class _Pending:
    """A value the engine cannot know before `up` (an unknown: it depends on a resource not created yet)."""

    def __repr__(self) -> str:
        return "<known at up>"


PENDING = _Pending()


class Pending(str):
    """A problem hanging on a PENDING value: decided at `up`, reported meanwhile, never a violation."""


def violations(problems: Iterable[str]) -> list[str]:
    return [p for p in problems if not isinstance(p, Pending)]


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    urn: str
    props: dict[str, Any]
    protect: bool = False
    deps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # property -> URNs it depends on
    provider: str = ""   # URN of the resource's provider ("" where the engine does not say): its cluster

    @property
    def stack(self) -> str:
        return self.urn.split("::")[0].removeprefix("urn:pulumi:")


def _has_pending(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_pending(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_pending(v) for v in value)
    return value is PENDING


def _judged(ok: bool, evidence: Any, message: str) -> list[str]:
    """No problem if `ok`; else a violation, or a Pending problem if what decided it is not all known."""
    return _decided([ok or (PENDING if _has_pending(evidence) else False)], message)


def _decided(verdicts: list[Any], message: str) -> list[str]:
    """Each verdict True, False or PENDING: one False is a violation; else one PENDING waits for up."""
    if False in verdicts:
        return [message]
    if PENDING in verdicts:
        return [Pending(f"{message} (decided at up: it depends on a resource not created yet)")]
    return []


def _all(verdicts: Iterable[Any]) -> Any:
    verdicts = list(verdicts)
    return False if False in verdicts else PENDING if PENDING in verdicts else True


def _any(verdicts: Iterable[Any]) -> Any:
    verdicts = list(verdicts)
    return True if True in verdicts else PENDING if PENDING in verdicts else False


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


def _buckets(resources: list[Resource]) -> dict[str, Resource]:
    """Buckets by their resource name (known on every preview, unlike the bucket's id)."""
    return {r.name: r for r in resources if r.type == BUCKET}


def _tie(value: Any, deps: Iterable[str], buckets: dict[str, Resource]) -> Any:
    """The bucket (its resource name) that a `bucket`-like value names: by the known value (a bucket's
    name or ARN), else by the one bucket the pending value depends on. None: no bucket of this stack;
    PENDING: pending, and its dependencies name no single bucket."""
    if value is PENDING:
        tied = [name for name, b in buckets.items() if b.urn in set(deps)]
        return tied[0] if len(tied) == 1 else PENDING
    physical = {name: b.props.get("bucket") for name, b in buckets.items()}
    return next((name for name, p in physical.items()
                 if isinstance(p, str) and value in (p, f"arn:aws:s3:::{p}")), None)


def _attached(resources: list[Resource], type_: str) -> dict[str, list[Resource]]:
    """Bucket-level configuration resources by the resource name of the bucket they configure."""
    buckets = _buckets(resources)
    longest_first = sorted(buckets, key=len, reverse=True)
    out: dict[str, list[Resource]] = {}
    for r in resources:
        if r.type != type_:
            continue
        value = r.props.get("bucket")
        owner = _tie(value, r.deps.get("bucket", ()), buckets)
        if not isinstance(owner, str):
            if value is None or value is PENDING:  # not known yet: the name the program gave it says
                owner = next((b for b in longest_first if r.name.startswith(f"{b}-")), "")
            else:  # a bucket outside this stack
                owner = str(value)
        out.setdefault(owner, []).append(r)
    return out


def _label(bucket: Resource) -> str:
    physical = bucket.props.get("bucket")
    return physical if isinstance(physical, str) and physical else bucket.name


def _is_prod(resources: list[Resource]) -> bool:
    """Prod by the `environment` tag; a tag not known yet counts as prod (the stricter rules)."""
    tags = [r.props.get("tags") for r in resources if r.type in (BUCKET, KMS_KEY)]
    return any(t is PENDING or _dict(t).get("environment") in ("prod", PENDING) for t in tags)


def _archives(resources: list[Resource]) -> dict[str, Resource]:
    """The compliance archive and its replica: by their declared role, whatever their lock says."""
    return {name: b for name, b in _buckets(resources).items()
            if name.endswith(ARCHIVE_ROLES) or _dict(b.props.get("tags")).get("data-class") == "compliance-archive"}


def _locked(resources: list[Resource]) -> set[str]:
    return {name for name, b in _buckets(resources).items() if b.props.get("objectLockEnabled")} | set(
        _archives(resources))


def _a_stack_key(value: Any, config: Resource, urns: dict[str, Resource]) -> Any:
    """A KMS key id: known and set, or pending on a KMS key of this stack (its rules depend on one)."""
    if value is PENDING:
        keys = [u for u in config.deps.get("rules", ()) if u in urns and urns[u].type == KMS_KEY]
        return True if keys else PENDING
    return bool(value)


def buckets_encrypted_with_kms(resources: list[Resource]) -> list[str]:
    """Every bucket uses SSE-KMS with a key, except server-access-log targets (AWS allows only SSE-S3 there)."""
    sse = _attached(resources, SSE)
    buckets = _buckets(resources)
    urns = {r.urn: r for r in resources}
    ties = [_tie(r.props.get("targetBucket"), r.deps.get("targetBucket", ()), buckets)
            for r in resources if r.type == LOGGING]
    targets = {t for t in ties if isinstance(t, str)}
    problems = []
    for name in buckets:
        checks = [(rule.get("applyServerSideEncryptionByDefault") or {}, cfg)
                  for cfg in sse.get(name, []) for rule in cfg.props.get("rules") or []]
        evidence: list = []
        if name in targets:
            ok = any(d.get("sseAlgorithm") in ("AES256", "aws:kms") for d, _ in checks)
        else:
            keys = [d.get("sseAlgorithm") == "aws:kms" and _a_stack_key(d.get("kmsMasterKeyId"), cfg, urns)
                    for d, cfg in checks]
            ok = True in keys
            # an SSE-S3 bucket may yet be the log target whose name a pending `targetBucket` hides
            evidence = [k for k in keys if k is PENDING] + [t for t in ties if t is PENDING and any(
                d.get("sseAlgorithm") == "AES256" for d, _ in checks)]
        problems += _judged(ok, evidence,
                            f"bucket {_label(buckets[name])}: not encrypted with a KMS key")
    return problems


def buckets_block_public_access(resources: list[Resource]) -> list[str]:
    blocks = _attached(resources, PUBLIC_ACCESS)
    problems = []
    for name, b in _buckets(resources).items():
        verdict = _any(_all(v if v is PENDING else v is True for v in (block.props.get(f) for f in PUBLIC_ACCESS_FLAGS))
                       for block in blocks.get(name, []))
        problems += _decided([verdict], f"bucket {_label(b)}: public access not blocked by all four flags")
    return problems


def _covers(patterns: Any, value: str) -> bool:
    import fnmatch
    return any(isinstance(p, str) and fnmatch.fnmatchcase(value, p)
               for p in (patterns if isinstance(patterns, list) else [patterns]))


def _denies_insecure_transport(policy: Any, bucket: Any) -> bool:
    """A Deny for everyone, of every S3 action, on the bucket and all its objects, without TLS."""
    doc = json.loads(policy) if isinstance(policy, str) else _dict(policy)
    for st in doc.get("Statement", []):
        condition = _dict(_dict(st.get("Condition")).get("Bool")).get("aws:SecureTransport")
        if not (st.get("Effect") == "Deny" and st.get("Principal") in ("*", {"AWS": "*"})
                and condition in ("false", False) and _covers(st.get("Action"), "s3:*")):
            continue
        if not isinstance(bucket, str):  # a name not known until the bucket exists: the statement's shape must do
            return True
        arn = f"arn:aws:s3:::{bucket}"
        if _covers(st.get("Resource"), arn) and _covers(st.get("Resource"), f"{arn}/any-object"):
            return True
    return False


def bucket_policies_deny_insecure_transport(resources: list[Resource]) -> list[str]:
    """Every bucket's policy denies all S3 actions on the bucket and its objects without TLS."""
    policies = _attached(resources, POLICY)
    problems = []
    for name, b in _buckets(resources).items():
        docs = [p.props.get("policy") for p in policies.get(name, [])]
        ok = any(_denies_insecure_transport(d, b.props.get("bucket")) for d in docs if d is not PENDING)
        problems += _judged(ok, docs, f"bucket {_label(b)}: no bucket policy denies aws:SecureTransport=false "
                                      "on it and its objects")
    return problems


def prod_archives_locked_in_compliance_for_seven_years(resources: list[Resource]) -> list[str]:
    """In prod, every archive bucket is created with Object Lock and locked in COMPLIANCE for 7 years."""
    if not _is_prod(resources):
        return []
    locks = _attached(resources, LOCK)
    buckets = _buckets(resources)
    problems = []
    for name in sorted(_locked(resources)):
        retentions = [_retention(_dict(_dict(cfg.props.get("rule")).get("defaultRetention")))
                      for cfg in locks.get(name, [])]
        enabled = buckets[name].props.get("objectLockEnabled")
        verdicts = [enabled if enabled is PENDING else enabled is True, _any(retentions)]
        problems += _decided(verdicts, f"bucket {_label(buckets[name])}: prod archive must be created with "
                                       f"Object Lock and locked COMPLIANCE for at least {SEVEN_YEARS_DAYS} days")
    return problems


def _retention(r: dict) -> Any:
    """True, False or PENDING: a COMPLIANCE default retention of at least seven years."""
    mode, days, years = r.get("mode"), r.get("days"), r.get("years")
    if mode not in ("COMPLIANCE", PENDING):
        return False
    if _number(days) >= SEVEN_YEARS_DAYS or _number(years) >= 7:
        return True if mode == "COMPLIANCE" else PENDING
    return PENDING if PENDING in (days, years) else False


def prod_archive_replicated_offsite(resources: list[Resource]) -> list[str]:
    """In prod, the compliance archive replicates into its replica (another archive bucket)."""
    if not _is_prod(resources):
        return []
    replications = _attached(resources, REPLICATION)
    archives, buckets = _archives(resources), _buckets(resources)
    problems = []
    for name, b in archives.items():
        if not name.endswith("compliance-archive"):
            continue
        destinations = [_tie(_dict(rule.get("destination")).get("bucket"), cfg.deps.get("rules", ()), buckets)
                        for cfg in replications.get(name, []) for rule in cfg.props.get("rules") or []
                        if rule.get("status") == "Enabled"]
        ok = any(d in archives and d != name for d in destinations if isinstance(d, str))
        problems += _judged(ok, destinations, f"bucket {_label(b)}: prod archive has no offsite replica")
    return problems


def locked_buckets_never_expire_current_versions(resources: list[Resource]) -> list[str]:
    lifecycles = _attached(resources, LIFECYCLE)
    buckets = _buckets(resources)
    problems = []
    for name in sorted(_locked(resources)):
        for cfg in lifecycles.get(name, []):
            for rule in cfg.props.get("rules") or []:
                if rule.get("status") in ("Enabled", PENDING) and rule.get("expiration"):
                    problems += _judged(False, [rule.get("status"), rule.get("expiration")],
                                        f"bucket {_label(buckets[name])}: lifecycle rule {rule.get('id')} "
                                        "expires current versions")
    return problems


def data_resources_protected_in_prod(resources: list[Resource]) -> list[str]:
    """In prod, the buckets, keys and everything that guards them are protected."""
    if not _is_prod(resources):
        return []
    return [f"{r.type.split(':')[-1]} {r.name}: not protected in prod" for r in resources
            if r.type in GUARDS and not r.protect]


# Service types that reach a Service from outside the cluster (Kubernetes API reference, ServiceSpec.type).
EXPOSED_TYPES = ("LoadBalancer", "NodePort")
# The Services each chart renders at the version this program pins: the values path whose `.type`
# the Service takes, the chart's default type (None: not read here, so the values must set it), and
# the values paths that must all be true for the chart to render it, with their defaults. From each
# chart's templates and values.yaml; tests/policy/test_exposure.py checks the table against them.
CHART_SERVICES: dict[str, tuple[tuple[str, str | None, tuple[tuple[str, bool], ...]], ...]] = {
    "kube-prometheus-stack": (
        ("alertmanager.service", "ClusterIP", (("alertmanager.enabled", True),)),
        ("alertmanager.servicePerReplica", "ClusterIP",
         (("alertmanager.enabled", True), ("alertmanager.servicePerReplica.enabled", False))),
        ("prometheus.service", "ClusterIP", (("prometheus.enabled", True),)),
        ("prometheus.servicePerReplica", "ClusterIP",
         (("prometheus.enabled", True), ("prometheus.servicePerReplica.enabled", False))),
        ("prometheus.thanosService", "ClusterIP",
         (("prometheus.enabled", True), ("prometheus.thanosService.enabled", False))),
        ("prometheus.thanosServiceExternal", "LoadBalancer",
         (("prometheus.enabled", True), ("prometheus.thanosServiceExternal.enabled", False))),
        ("prometheusOperator.service", "ClusterIP", (("prometheusOperator.enabled", True),)),
        ("prometheusOperator.admissionWebhooks.deployment.service", "ClusterIP",
         (("prometheusOperator.enabled", True), ("prometheusOperator.admissionWebhooks.deployment.enabled", False))),
        ("thanosRuler.service", "ClusterIP", (("thanosRuler.enabled", False),)),
        ("kube-state-metrics.service", "ClusterIP", (("kubeStateMetrics.enabled", True),)),
        ("prometheus-node-exporter.service", "ClusterIP",
         (("nodeExporter.enabled", True), ("prometheus-node-exporter.service.enabled", True))),
        ("grafana.service", None, (("grafana.enabled", True),)),
    ),
    "fluent-bit": (("service", "ClusterIP", ()),),
    "prometheus-blackbox-exporter": (("service", "ClusterIP", ()),),
}


def _at(values: Any, path: str) -> tuple[bool, Any]:
    """(set, value) of a dotted path in Helm values; a PENDING map on the way makes the value PENDING."""
    for key in path.split("."):
        if values is PENDING:
            return True, PENDING
        if not isinstance(values, dict) or key not in values:
            return False, None
        values = values[key]
    return True, values


def _value(values: Any, path: str, default: Any) -> Any:
    set_, value = _at(values, path)
    return value if set_ else default


def _exposed(type_: Any) -> Any:
    return PENDING if type_ is PENDING else type_ in EXPOSED_TYPES


def _chart_exposures(release: Resource) -> list[tuple[str, Any]]:
    """(values path, verdict True/False/PENDING that the chart renders it exposed) for each Service."""
    values = release.props.get("values") or {}
    table = CHART_SERVICES.get(str(release.props.get("chart")).rsplit("/", 1)[-1])
    if table is None:  # a chart whose Services are not in the table: not known to be internal
        return [("(every Service of the chart)", True)]
    out = []
    for path, default, gates in table:
        type_ = _value(values, f"{path}.type", default)
        rendered = [_value(values, gate, on) for gate, on in gates]
        if any(g is not PENDING and not g for g in rendered):
            continue
        out.append((path, PENDING if PENDING in rendered else (True if type_ is None else _exposed(type_))))
    return out


def monitoring_services_not_exposed(resources: list[Resource], allowed: Iterable[str] = ()) -> list[str]:
    """No Service the stack deploys is a LoadBalancer or NodePort unless the pack's setting allows it.

    Services the stack declares, and those its charts render from the values it passes; `allowed` names
    the exceptions: `<namespace>/<service>`, or `<namespace>/<release>:<values path of the Service>`."""
    allowed = set(allowed)
    problems = []
    for r in resources:
        if r.type == SERVICE:
            meta = _dict(r.props.get("metadata"))
            where = f"{meta.get('namespace') or 'default'}/{meta.get('name') or r.name}"
            spec = r.props.get("spec")
            exposures = [(where, _exposed(PENDING if spec is PENDING else _dict(spec).get("type", "ClusterIP")))]
        elif r.type == RELEASE:
            base = f"{r.props.get('namespace') or 'default'}/{r.props.get('name') or r.name}"
            exposures = [(f"{base}:{path}", verdict) for path, verdict in _chart_exposures(r)]
        else:
            continue
        for where, exposed in exposures:
            if where not in allowed:
                problems += _decided([PENDING if exposed is PENDING else not exposed],
                                     f"{r.type.split(':')[-1]} {r.name}: Service {where} is reachable from outside "
                                     f"the cluster ({' or '.join(EXPOSED_TYPES)}); allow it by name if it must be")
    return problems


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
    "monitoring-services-not-exposed": monitoring_services_not_exposed,
}


def check_all(resources: Iterable[Resource]) -> dict[str, list[str]]:
    resources = list(resources)
    return {name: check(resources) for name, check in INVARIANTS.items()}
