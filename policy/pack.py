"""The policies of the pack, built from the shared invariants (importable without starting a server).

pulumi_policy 1.21.0 (pulumi/pulumi-policy, sdk/python/lib/pulumi_policy) hands a stack policy each
resource's properties behind `proxy.unknown_checking_proxy`: reading a value that is the engine's
unknown sentinel raises `UnknownValueError`, and `policy._PolicyAnalyzerServicer.AnalyzeStack`
turns that error into an ADVISORY "can't run policy ... during preview". On a first preview every
id and ARN is unknown, so a policy that read them all (`dict(props)` reads every top-level value)
enforced nothing. The proxy hands back what it wraps under the key "__target"; `plain` reads the
properties that way, each unknown sentinel becoming `invariants.PENDING`, so that the invariants
deny what is already wrong (MANDATORY) and name what only `up` can decide (ADVISORY, in
`decided-at-up`).
"""
from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, StackValidationPolicy
from pulumi_policy import proxy

from invariants import INVARIANTS, Pending, Resource, PENDING
from network_checks import NETWORK_CHECKS

# Every check of the pack: the archive invariants and the network ones, judged alike.
CHECKS = {**INVARIANTS, **NETWORK_CHECKS}

NAME = "kafka-monitoring-security"
ENFORCEMENT = EnforcementLevel.MANDATORY
DECIDED_AT_UP = "decided-at-up"
# The pack's settings (`pulumi preview --policy-pack policy --policy-pack-config <file>`): the engine
# hands each policy its own object, which pulumi_policy passes as `args.get_config()`.
CONFIG = {"monitoring-services-not-exposed": PolicyConfigSchema(properties={"allowed": {
    "type": "array", "items": {"type": "string"},
    "description": "Services allowed to be LoadBalancer or NodePort: <namespace>/<service> or "
                   "<namespace>/<release>:<values path of the chart's service>"}})}
# proxy._is_unknown's list: one sentinel per kind of value (sdk/go/common/resource/plugin/rpc.go)
SENTINELS = frozenset({proxy.UNKNOWN_BOOLEAN_VALUE, proxy.UNKNOWN_NUMBER_VALUE, proxy.UNKNOWN_STRING_VALUE,
                       proxy.UNKNOWN_ARRAY_VALUE, proxy.UNKNOWN_ASSET_VALUE, proxy.UNKNOWN_ARCHIVE_VALUE,
                       proxy.UNKNOWN_OBJECT_VALUE})


def plain(value: Any) -> Any:
    """A property value as the engine sent it, read past the proxy without tripping it."""
    if isinstance(value, (proxy._DictProxy, proxy._ListProxy)):  # pylint: disable=protected-access
        value = value["__target"]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return PENDING if isinstance(value, str) and value in SENTINELS else value


def resources(args) -> list[Resource]:
    return [Resource(r.resource_type, r.name, r.urn, plain(r.props), bool(r.opts.protect),
                     {k: tuple(d.urn for d in deps) for k, deps in (r.property_dependencies or {}).items()},
                     # pulumi_policy 1.21.0 PolicyResource.provider: a PolicyProviderResource, or None
                     r.provider.urn if r.provider is not None else "")
            for r in args.resources]


def _validator(name, check):
    declared = CONFIG[name].properties if name in CONFIG else {}

    def validate(args, report_violation):
        config = {k: v for k, v in (args.get_config() or {}).items() if k in declared}
        for problem in check(resources(args), **config):
            if not isinstance(problem, Pending):
                report_violation(problem)
    return validate


def _pending(args, report_violation):
    found = resources(args)
    for name, check in CHECKS.items():
        for problem in check(found):
            if isinstance(problem, Pending):
                report_violation(f"{name}: {problem}")


def policies() -> list[StackValidationPolicy]:
    return [StackValidationPolicy(name=name, description=(check.__doc__ or name).strip().splitlines()[0],
                                  validate=_validator(name, check), config_schema=CONFIG.get(name))
            for name, check in CHECKS.items()] + [
        StackValidationPolicy(
            name=DECIDED_AT_UP, enforcement_level=EnforcementLevel.ADVISORY, validate=_pending,
            description="What an invariant can only decide at `up`: it depends on ids or ARNs of resources "
                        "this update creates (the same invariants deny it then if it is wrong).")]
