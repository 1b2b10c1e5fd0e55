"""The policies of the pack, built from the shared invariants (importable without starting a server)."""
from __future__ import annotations

from pulumi_policy import StackValidationPolicy

from invariants import INVARIANTS, Resource
from network_checks import NETWORK_CHECKS


def _validator(check):
    def validate(args, report_violation):
        resources = [Resource(r.resource_type, r.name, r.urn, dict(r.props), bool(r.opts.protect))
                     for r in args.resources]
        for problem in check(resources):
            report_violation(problem)
    return validate


def policies() -> list[StackValidationPolicy]:
    return [StackValidationPolicy(name=name, description=(check.__doc__ or name).strip().splitlines()[0],
                                  validate=_validator(check)) for name, check in {**INVARIANTS, **NETWORK_CHECKS}.items()]
