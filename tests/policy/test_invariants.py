"""Security invariants: every stack satisfies them, and each catches its counter-example."""
from __future__ import annotations

import copy
import json

import pytest
from tests.conftest import STACKS

from policy import invariants
from policy.invariants import Resource

ARCHIVE = "necpgame-kafka-monitoring-prod-compliance-archive"
SNAPSHOTS = "necpgame-kafka-monitoring-prod-search-snapshots"


def resources(run) -> list[Resource]:
    return [Resource(r.type, r.name, r.urn, copy.deepcopy(r.inputs), r.protect, provider=r.provider)
            for r in run.resources]


def attached(res: list[Resource], type_: str, bucket: str) -> Resource:
    (found,) = [r for r in res if r.type == type_ and r.props.get("bucket") == bucket]
    return found


def bucket_of(res: list[Resource], bucket: str) -> Resource:
    (found,) = [r for r in res if r.type == invariants.BUCKET and r.props.get("bucket") == bucket]
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_satisfies_every_invariant(stack_runs, stack):
    assert invariants.check_all(resources(stack_runs[stack])) == {name: [] for name in invariants.INVARIANTS}


def _unencrypted(res):
    attached(res, invariants.SSE, SNAPSHOTS).props["rules"][0]["applyServerSideEncryptionByDefault"] = {
        "sseAlgorithm": "AES256"}
    return SNAPSHOTS


def _public(res):
    attached(res, invariants.PUBLIC_ACCESS, ARCHIVE).props["restrictPublicBuckets"] = False
    return ARCHIVE


def _plain_http(res):
    policy = attached(res, invariants.POLICY, ARCHIVE)
    doc = json.loads(policy.props["policy"])
    doc["Statement"] = [s for s in doc["Statement"] if s["Sid"] != "DenyInsecureTransport"]
    policy.props["policy"] = json.dumps(doc)
    return ARCHIVE


def _governance(res):
    attached(res, invariants.LOCK, ARCHIVE).props["rule"]["defaultRetention"]["mode"] = "GOVERNANCE"
    return ARCHIVE


def _short_lock(res):
    attached(res, invariants.LOCK, ARCHIVE).props["rule"]["defaultRetention"]["days"] = 365
    return ARCHIVE


def _no_object_lock(res):
    """A prod archive created without Object Lock (and so without a lock configuration)."""
    bucket_of(res, ARCHIVE).props.pop("objectLockEnabled")
    res.remove(attached(res, invariants.LOCK, ARCHIVE))
    return ARCHIVE


def _governance_lock_on_an_unlocked_bucket(res):
    bucket_of(res, ARCHIVE).props.pop("objectLockEnabled")
    attached(res, invariants.LOCK, ARCHIVE).props["rule"]["defaultRetention"] = {"mode": "GOVERNANCE", "days": 1}
    return ARCHIVE


def _one_year(res):
    attached(res, invariants.LOCK, ARCHIVE).props["rule"]["defaultRetention"] = {"mode": "COMPLIANCE", "years": 1}
    return ARCHIVE


def _no_replica(res):
    res.remove(attached(res, invariants.REPLICATION, ARCHIVE))
    return ARCHIVE


def _tls_only_for_reads(res):
    policy = attached(res, invariants.POLICY, ARCHIVE)
    doc = json.loads(policy.props["policy"])
    doc["Statement"][0]["Action"] = "s3:GetObject"
    policy.props["policy"] = json.dumps(doc)
    return ARCHIVE


def _tls_for_another_bucket(res):
    policy = attached(res, invariants.POLICY, ARCHIVE)
    doc = json.loads(policy.props["policy"])
    doc["Statement"][0]["Resource"] = ["arn:aws:s3:::other", "arn:aws:s3:::other/*"]
    policy.props["policy"] = json.dumps(doc)
    return ARCHIVE


def _unprotected_policy(res):
    r = attached(res, invariants.POLICY, ARCHIVE)
    res[res.index(r)] = Resource(r.type, r.name, r.urn, r.props, protect=False)
    return r.name


def _expiring(res):
    attached(res, invariants.LIFECYCLE, ARCHIVE).props["rules"][0]["expiration"] = {"days": 400}
    return ARCHIVE


def _unprotected(res):
    i = next(i for i, r in enumerate(res) if r.type == invariants.BUCKET and r.props["bucket"] == ARCHIVE)
    r = res[i]
    res[i] = Resource(r.type, r.name, r.urn, r.props, protect=False)
    return r.name


@pytest.mark.parametrize("invariant,break_it", [
    ("buckets-encrypted-with-kms", _unencrypted),
    ("buckets-block-public-access", _public),
    ("bucket-policies-deny-insecure-transport", _plain_http),
    ("prod-archives-compliance-locked-7-years", _governance),
    ("prod-archives-compliance-locked-7-years", _short_lock),
    ("locked-buckets-never-expire-current-versions", _expiring),
    ("data-resources-protected-in-prod", _unprotected),
    ("prod-archives-compliance-locked-7-years", _no_object_lock),
    ("prod-archives-compliance-locked-7-years", _governance_lock_on_an_unlocked_bucket),
    ("prod-archives-compliance-locked-7-years", _one_year),
    ("prod-archive-replicated-offsite", _no_replica),
    ("bucket-policies-deny-insecure-transport", _tls_only_for_reads),
    ("bucket-policies-deny-insecure-transport", _tls_for_another_bucket),
    ("data-resources-protected-in-prod", _unprotected_policy),
])
def test_invariant_catches_its_counter_example(stack_runs, invariant, break_it):
    res = resources(stack_runs["prod"])
    culprit = break_it(res)
    found = invariants.check_all(res)
    assert len(found[invariant]) == 1 and culprit in found[invariant][0], found
    assert all(not v for name, v in found.items() if name != invariant)


def test_dev_may_use_governance_and_unprotected_resources(stack_runs):
    res = resources(stack_runs["dev"])
    assert any(r.type == invariants.LOCK and r.props["rule"]["defaultRetention"]["mode"] == "GOVERNANCE" for r in res)
    assert not any(r.protect for r in res if r.type == invariants.BUCKET)


def test_prod_is_decided_by_the_environment_tag_not_the_stack_name(stack_runs):
    res = resources(stack_runs["prod"])
    renamed = [Resource(r.type, r.name, r.urn.replace("::prod::", "::production-eu::"), r.props, r.protect)
               for r in res]
    _governance(renamed)
    assert invariants.check_all(renamed)["prod-archives-compliance-locked-7-years"]


@pytest.mark.parametrize("retention,ok", [
    ({"mode": "COMPLIANCE", "days": 2557}, True), ({"mode": "COMPLIANCE", "days": 2556}, False),
    ({"mode": "COMPLIANCE", "days": 36500}, True),
    ({"mode": "COMPLIANCE", "years": 7}, True), ({"mode": "COMPLIANCE", "years": 6}, False),
    ({"mode": "GOVERNANCE", "days": 2557}, False), ({"mode": "GOVERNANCE", "years": 7}, False),
    ({"mode": "COMPLIANCE"}, False),
])
def test_the_lock_invariant_at_its_boundaries(stack_runs, retention, ok):
    """S3 default retention takes Days or Years (PutObjectLockConfiguration); seven years is 2557 days."""
    res = resources(stack_runs["prod"])
    attached(res, invariants.LOCK, ARCHIVE).props["rule"]["defaultRetention"] = retention
    assert (invariants.check_all(res)["prod-archives-compliance-locked-7-years"] == []) is ok


@pytest.mark.parametrize("type_", invariants.GUARDS)
def test_every_guard_type_unprotected_in_prod_is_caught(stack_runs, type_):
    res = resources(stack_runs["prod"])
    i = next(i for i, r in enumerate(res) if r.type == type_)
    r = res[i]
    res[i] = Resource(r.type, r.name, r.urn, r.props, protect=False)
    (problem,) = invariants.check_all(res)["data-resources-protected-in-prod"]
    assert r.name in problem


@pytest.fixture(scope="module")
def amp_prod():
    from harness import runtime
    from tests.conftest import full_config
    config, keys = full_config("prod", globalMetrics="amp",
                               globalMetricsGrafanaRoleArn="arn:aws:iam::123456789012:role/grafana")
    return resources(runtime.run("prod", config, keys))


def test_prod_with_the_global_store_satisfies_every_invariant(amp_prod):
    assert invariants.check_all(amp_prod) == {name: [] for name in invariants.INVARIANTS}
    assert [r.name for r in amp_prod if r.type == "aws:amp/workspace:Workspace" and r.protect]


def _aps_policy(res: list[Resource], name: str) -> Resource:
    (found,) = [r for r in res if r.type == invariants.ROLE_POLICY and r.name.endswith(f"global-metrics-{name}")]
    return found


@pytest.mark.parametrize("name, statement, culprit", [
    ("writer-role-policy", {"Action": ["aps:RemoteWrite", "aps:QueryMetrics"]}, "grants"),  # write and read
    ("writer-role-policy", {"Action": "aps:*"}, "grants"),
    ("query-role-policy", {"Action": ["aps:QueryMetrics", "aps:DeleteWorkspace"]}, "grants"),
    ("query-role-policy", {"Resource": "arn:aws:aps:eu-west-1:123456789012:workspace/*"}, "named workspace"),
    ("writer-role-policy", {"Resource": "*"}, "named workspace"),
])
def test_the_aps_invariant_catches_a_wider_role(amp_prod, name, statement, culprit):
    res = copy.deepcopy(amp_prod)
    policy = _aps_policy(res, name)
    doc = json.loads(policy.props["policy"])
    doc["Statement"][0].update(statement)
    policy.props["policy"] = json.dumps(doc)
    found = invariants.check_all(res)
    assert len(found["aps-roles-write-or-query-one-workspace"]) == 1, found
    assert culprit in found["aps-roles-write-or-query-one-workspace"][0]
    assert all(not v for n, v in found.items() if n != "aps-roles-write-or-query-one-workspace")


def test_a_deny_or_another_service_is_not_the_aps_invariants_business(amp_prod):
    res = copy.deepcopy(amp_prod)
    policy = _aps_policy(res, "writer-role-policy")
    doc = json.loads(policy.props["policy"])
    doc["Statement"].append({"Effect": "Deny", "Action": "aps:*", "Resource": "*"})
    policy.props["policy"] = json.dumps(doc)
    assert invariants.check_all(res)["aps-roles-write-or-query-one-workspace"] == []
