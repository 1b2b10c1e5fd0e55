"""Pulumi policy pack: `pulumi preview --policy-pack policy` runs the same invariants as the tests."""
from pulumi_policy import EnforcementLevel, PolicyPack

from pack import policies

PolicyPack(name="kafka-monitoring-security", enforcement_level=EnforcementLevel.MANDATORY, policies=policies())
