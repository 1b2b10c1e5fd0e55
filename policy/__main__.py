"""Pulumi policy pack: `pulumi preview --policy-pack policy` runs the same invariants as the tests."""
from pulumi_policy import PolicyPack

from pack import ENFORCEMENT, NAME, policies

PolicyPack(name=NAME, enforcement_level=ENFORCEMENT, policies=policies())
