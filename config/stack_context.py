"""The stack around the settings: its name, and what its config says outside the project's keys.

The stack name implies the environment; the providers' keys (kubernetes:context, aws:region,
aws:allowedAccountIds) are checked against the project's settings, and the stack name qualifies the
archive's global bucket names.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from config import fields
from config.kubernetes import parse_kubernetes_cluster

ENVIRONMENTS = ("dev", "staging", "prod")


@dataclass(frozen=True)
class Context:
    """What a stack's config says beyond the project's own keys."""
    stack: str
    others: Mapping[str, Any] = field(default_factory=dict)   # 'namespace:key' outside the project's
    plaintext_secrets: frozenset[str] = frozenset()            # declared secrets given without `secure:`


def _account_ids(value: Any) -> list[str] | None:
    """aws:allowedAccountIds as the CLI passes it (a JSON list) or as YAML gives it; None if malformed."""
    try:
        ids = json.loads(value) if isinstance(value, str) else value
    except json.JSONDecodeError:
        return None
    if not isinstance(ids, list) or not all(re.fullmatch(r"[0-9]{12}", str(i)) for i in ids):
        return None
    return [str(i) for i in ids]


def stack_environment(stack: str) -> str | None:
    """The environment a stack name implies: `prod`, `prod-eu` and `prod2` are prod."""
    return next((env for env in ENVIRONMENTS if stack == env or stack.startswith(env)), None)


def context_problems(v: dict[str, Any], context: Context) -> list[str]:
    """The stack name against environment, and the providers' keys against the settings that need them."""
    problems = []
    implied = stack_environment(context.stack)
    if implied != v["environment"]:
        problems.append(f"environment: does not match stack {context.stack!r}; allowed: "
                        + (f"{implied} (the stack name says so)" if implied else
                           f"a stack named after its environment ({', '.join(ENVIRONMENTS)}), such as prod or prod-eu"))
    if (v["enableAlerting"] or v["enableCollection"]) and not context.others.get("kubernetes:context"):
        problems.append("kubernetes:context: required: the kubeconfig context of this stack's cluster, so that "
                        "`pulumi up` cannot deploy to whatever context is current")
    for i, spec in enumerate(v["kubernetesClusters"]):
        cluster, _ = parse_kubernetes_cluster(spec, "")
        if cluster and cluster.context == context.others.get("kubernetes:context"):
            problems.append(f"kubernetesClusters[{i}].context: is kubernetes:context, the stack's own cluster; "
                            "allowed: another cluster's context")
    region = context.others.get("aws:region")
    if region is not None and region not in fields.AWS_REGIONS:
        problems.append("aws:region: not allowed; allowed: an AWS region such as eu-west-1")
    if region is None and v["enableArchive"]:
        # Without it the AWS provider takes the region from the environment of whoever runs `pulumi up`,
        # and the replica-region check below has nothing to compare with.
        problems.append("aws:region: required with the archive: the AWS region of its buckets and keys, in the "
                        "stack file, such as eu-west-1")
    if region is None and v["globalMetrics"] == "amp":
        problems.append("aws:region: required with globalMetrics amp: the region of the workspace, which "
                        "Prometheus signs its writes for")
    if v["enableArchive"]:
        problems += _bucket_name_problems(v["bucketPrefix"], context.stack)
    if v["archiveReplication"] and region == v["archiveReplicaRegion"]:
        problems.append("archiveReplicaRegion: not allowed; allowed: a region other than aws:region "
                        "(the replica is the offsite copy)")
    if v["enableArchive"]:
        ids = _account_ids(context.others.get("aws:allowedAccountIds"))
        if not ids:
            problems.append("aws:allowedAccountIds: required: a list of the 12-digit AWS account ids this stack "
                            "may deploy to")
        else:
            for key in ("breakGlassRoleArn", "eksOidcProviderArn", "archiveReaderRoleArns"):
                arns = v[key] if isinstance(v[key], list) else [v[key]] if v[key] else []
                accounts = [arn.split(":")[4] for arn in arns if arn.count(":") >= 5]  # malformed: refused above
                if any(account not in ids for account in accounts):
                    problems.append(f"{key}: an account is not in aws:allowedAccountIds")
    return problems


def _bucket_name_problems(prefix: str, stack: str) -> list[str]:
    """Bucket names are global: `<bucketPrefix>-<stack>-<role>` (S3 User Guide, "General purpose bucket
    naming rules": 3 to 63 of lowercase letters, digits, '.' and '-'; we refuse '.', which breaks
    virtual-hosted TLS). The stack name qualifies them, so that prod and prod-eu differ."""
    if not re.fullmatch(r"[a-z0-9-]+", stack):
        return [f"bucketPrefix: bucket names are <bucketPrefix>-<stack>-<role> and stack {stack!r} cannot be part "
                "of one; allowed: a stack name of lowercase letters, digits and '-'"]
    room = fields.BUCKET_NAME_MAX - len(stack) - len(fields.LONGEST_BUCKET_ROLE) - 2
    if len(prefix) > room:
        return [f"bucketPrefix: too long for stack {stack!r}; allowed: at most {room} characters with this stack "
                f"(<bucketPrefix>-{stack}-{fields.LONGEST_BUCKET_ROLE} must fit in {fields.BUCKET_NAME_MAX})"]
    return []
