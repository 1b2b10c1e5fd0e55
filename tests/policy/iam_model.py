"""How AWS evaluates a resource policy's statements against a request, for the operators we use.

Source: AWS IAM User Guide, "IAM JSON policy elements: Condition operators" and "Policy
evaluation logic" (an explicit Deny in any applicable policy wins; otherwise an Allow is needed),
and the S3 User Guide's condition keys (`aws:SecureTransport`, `s3:TlsVersion`,
`s3:x-amz-server-side-encryption`, `s3:x-amz-server-side-encryption-aws-kms-key-id`).

A condition key that the request does not carry ("absent") evaluates as follows:

| operator                      | key absent | key present                          |
|-------------------------------|------------|--------------------------------------|
| StringEquals, StringLike      | false      | any value matches                    |
| StringNotEquals, StringNotLike| true       | no value matches (negated operator)  |
| ...IfExists (any of the above)| true       | as without IfExists                  |
| Bool                          | false      | equal                                |
| NumericLessThan (and friends) | false      | numeric comparison                   |
| ArnLike, ArnEquals            | false      | wildcard match, component by component |
| ArnNotLike, ArnNotEquals      | true       | no match                             |
| Null                          | "true" matches | "false" matches                  |

A resource policy's `Principal: {"AWS": "arn:aws:iam::<account>:root"}` names the account: it
applies to every principal of that account, whose own IAM policy must then allow the action too
(KMS Developer Guide, "Default key policy": the account statement "enables IAM policies"). This
model answers for the resource policy alone. `Principal: {"AWS": "*"}` is everyone.

Keys within one operator, and operators within one Condition, are ANDed; the values listed for
one key are ORed (for negated operators: none may match).

ARNs ("Amazon Resource Name (ARN) condition operators"): ArnEquals and ArnLike are the same
operator. "Each of the six colon-delimited components of the ARN is checked separately and each can
include multi-character match wildcards (*) or single-character match wildcards (?)"; matching is
case-sensitive, and a wildcard never spans a colon. So a value without wildcards matches only the
same ARN: `role/break-glass` does not match `role/break-glass-2`. The `*` and `?` of StringLike
match any characters, `/` and `:` included; no other character is special (unlike fnmatch's `[...]`).

Case: an action's prefix and name are case-insensitive (IAM User Guide, "IAM JSON policy elements:
Action"), and so are condition key names ("IAM JSON policy elements: Condition": "Condition key
names are not case-sensitive"); resource ARNs and StringEquals values are compared as written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

NEGATED = ("StringNotEquals", "StringNotLike", "ArnNotLike", "ArnNotEquals", "StringNotEqualsIgnoreCase")


@dataclass
class Request:
    action: str
    resource: str
    principal: str = "arn:aws:iam::123456789012:role/admin"
    context: dict[str, Any] = field(default_factory=dict)   # condition keys the request carries


def _values(v: Any) -> list:
    return v if isinstance(v, list) else [v]


def glob(pattern: str, value: str) -> bool:
    """IAM's wildcards: `*` any run of characters, `?` one character, everything else literal."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


def arn_matches(pattern: str, arn: str) -> bool:
    """ArnEquals/ArnLike: six colon-delimited components, each matched on its own (the resource, the
    sixth, keeps any further colons)."""
    want, have = pattern.split(":", 5), arn.split(":", 5)
    return len(want) == len(have) == 6 and all(glob(w, h) for w, h in zip(want, have))


def _match(op: str, want: Any, have: Any) -> bool:
    base = op.removesuffix("IfExists")
    if base in ("StringEquals", "StringNotEquals"):
        return str(have) == str(want)
    if base in ("ArnEquals", "ArnNotEquals", "ArnLike", "ArnNotLike"):
        return arn_matches(str(want), str(have))
    if base in ("StringLike", "StringNotLike"):
        return glob(str(want), str(have))
    if base == "Bool":
        return str(have).lower() == str(want).lower()
    if base.startswith("Numeric"):
        a, b = float(have), float(want)
        return {"NumericLessThan": a < b, "NumericLessThanEquals": a <= b, "NumericGreaterThan": a > b,
                "NumericGreaterThanEquals": a >= b, "NumericEquals": a == b, "NumericNotEquals": a != b}[base]
    raise NotImplementedError(op)


def condition_holds(op: str, key: str, want: Any, context: dict) -> bool:
    present = key in context
    if op == "Null":
        return (str(want).lower() == "true") != present
    if not present:
        if op.endswith("IfExists"):
            return True
        return op in NEGATED
    have = context[key]
    if op.removesuffix("IfExists") in NEGATED:
        return not any(_match(op, w, have) for w in _values(want))
    return any(_match(op, w, have) for w in _values(want))


def _names(arn: str, principal: str) -> bool:
    """Whether a policy principal ARN names the requesting principal (an account root names all of it)."""
    if arn.endswith(":root") and principal.startswith("arn:"):
        # the same account of the same partition (arn:<partition>:iam::<account>:...)
        return principal.split(":")[1:5:3] == arn.split(":")[1:5:3]
    return arn == principal


def _action(request: Request, patterns: Any) -> bool:
    return any(glob(a.lower(), request.action.lower()) for a in _values(patterns))


def _applies(statement: dict, request: Request) -> bool:
    principal = statement.get("Principal")
    # An identity policy's statements have no Principal: they apply to whoever holds the policy.
    if "Principal" in statement and principal not in ("*", {"AWS": "*"}):
        # a trust policy names services and identity providers the same way as accounts and roles
        arns = [a for kind in ("AWS", "Service", "Federated") for a in _values((principal or {}).get(kind, []))] \
            if isinstance(principal, dict) else []
        if not any(_names(arn, request.principal) for arn in arns):
            return False
    if "NotPrincipal" in statement:
        arns = _values(statement["NotPrincipal"].get("AWS", []))
        if request.principal in arns:
            return False
    if "Action" in statement and not _action(request, statement["Action"]):
        return False
    if "NotAction" in statement and _action(request, statement["NotAction"]):
        return False
    if not any(glob(r, request.resource) for r in _values(statement.get("Resource", "*"))):
        return False
    # AWS sets aws:PrincipalArn on every request; key names compare in lower case
    context = {k.lower(): v for k, v in {"aws:PrincipalArn": request.principal, **request.context}.items()}
    for op, keys in (statement.get("Condition") or {}).items():
        for key, want in keys.items():
            if not condition_holds(op, key.lower(), want, context):
                return False
    return True


def denied(policy: dict, request: Request) -> list[str]:
    """The Sids of the Deny statements that apply to the request (an explicit deny wins)."""
    return [st.get("Sid", "?") for st in policy["Statement"] if st["Effect"] == "Deny" and _applies(st, request)]


def allowed(policy: dict, request: Request) -> bool:
    """Allowed by this policy alone: an applicable Allow and no applicable Deny."""
    return not denied(policy, request) and any(st["Effect"] == "Allow" and _applies(st, request)
                                               for st in policy["Statement"])


def bucket_policy_resource_problems(policy: dict, bucket: str) -> list[str]:
    """The statements S3's PutBucketPolicy refuses for their resources, as `Sid: resource`.

    A bucket policy covers one bucket: every Resource (or NotResource) must be the bucket's ARN or
    start with it and a `/` (S3 Developer Guide, "Special Information for Amazon S3 Policies": "The
    value for Resource must be prefixed with the bucket name or the bucket name and a path under it
    (bucket/*)", "Each policy must cover only a single bucket and resources within that bucket").
    Anything else, `*` included, is refused with MalformedPolicy "Policy has invalid resource"
    (AWS's answer to `"Resource": ["*"]`, reproduced in noobaa/noobaa-core issue 10058), and the
    policy is not applied at all."""
    arn = f"arn:aws:s3:::{bucket}"
    return [f"{st.get('Sid', i)}: {r}" for i, st in enumerate(policy["Statement"])
            for r in _values(st.get("Resource", st.get("NotResource", [])))
            if r != arn and not r.startswith(arn + "/")]
