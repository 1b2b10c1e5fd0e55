"""DANGER at its edges, from plan-shaped resources through facts, replacement rules and plan_diff.report
(harness/meaning.py, harness/plan_diff.py): a cut by one day is DANGER, the same retention is not; an
objectLockEnabled change replaces the bucket; an unprotected KMS key deleted or replaced is DANGER, a
description change is not; an unprotected role deleted is not.

Facts: terraform-provider-aws internal/service/s3/bucket.go (resourceBucket's schema) declares
object_lock_enabled `ForceNew: true` (pulumi-aws 7 bridges it); the KMS key's replacing inputs are those
harness/meaning.REPLACE_ON lists from the same provider, and the expected lines name them here, written
out. The retention ages are the forms the program deploys ("90d": content/retention.py).
"""
from __future__ import annotations

import pytest

from harness import plan_diff


def _res(type_: str, name: str, protect: bool = False, **inputs) -> dict:
    return {"type": type_, "name": name, "parent": "p", "inputs": inputs, "protect": protect,
            "retain_on_delete": False}


def _ilm(age: str | None) -> dict:
    phases = {"hot": {"actions": {"rollover": {"max_age": "1d"}}}}
    if age:
        phases["delete"] = {"min_age": age, "actions": {"delete": {}}}
    return _res("pulumi-python:dynamic/search:RetentionObject", "logs-ilm", engine="elasticsearch",
                kind="ilm_policy", object_id="kafka-logs", body={"policy": {"phases": phases}})


def _ism(age: str) -> dict:
    policy = {"states": [{"name": "hot", "actions": [{"rollover": {"min_index_age": "1d"}}],
                          "transitions": [{"state_name": "delete", "conditions": {"min_index_age": age}}]},
                         {"name": "delete", "actions": [{"delete": {}}], "transitions": []}]}
    return _res("pulumi-python:dynamic/search:RetentionObject", "security-ism", engine="opensearch",
                kind="ism_policy", object_id="kafka-security", body={"policy": policy})


def _danger(old: list[dict], new: list[dict]) -> list[str]:
    _, _, danger = plan_diff.report("prod", ({"resources": old}, ""), ({"resources": new}, ""))
    return danger


@pytest.mark.parametrize(("make", "label"), [(_ilm, "retention elasticsearch kafka-logs (ILM)"),
                                             (_ism, "retention opensearch kafka-security (ISM)")])
@pytest.mark.parametrize(("before", "after", "cut"), [
    ("90d", "89d", True),  # N-1: one day less is a cut
    ("90d", "90d", False),  # N
    ("89d", "90d", False),
    ("365d", "364d", True),
    ("10d", "9d", True),  # fewer digits: compared as numbers, not as text
    ("9d", "10d", False),
])
def test_a_retention_cut_by_one_day_is_danger_and_the_same_retention_is_not(make, label, before, after, cut):
    expected = [f"DANGER: retention cut: {label}: delete after {before} → delete after {after}"] if cut else []
    assert _danger([make(before)], [make(after)]) == expected


def test_a_delete_phase_added_to_a_retention_that_never_deleted_is_danger_and_removed_is_not():
    assert _danger([_ilm(None)], [_ilm("3650d")]) == [
        "DANGER: retention cut: retention elasticsearch kafka-logs (ILM): never deleted → delete after 3650d"]
    assert _danger([_ilm("30d")], [_ilm(None)]) == []


def _lock(mode: str, **period) -> dict:
    return _res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "lock", bucket="archive",
                rule={"defaultRetention": {"mode": mode, **period}})


@pytest.mark.parametrize(("before", "after", "weakened"), [
    (_lock("COMPLIANCE", days=2557.0), _lock("COMPLIANCE", days=2556.0), True),  # the engine sends floats
    (_lock("COMPLIANCE", days=2557.0), _lock("COMPLIANCE", days=2557.0), False),
    (_lock("COMPLIANCE", days=2556.0), _lock("COMPLIANCE", days=2557.0), False),
    (_lock("COMPLIANCE", years=7.0), _lock("COMPLIANCE", years=6.0), True),
    (_lock("COMPLIANCE", years=7.0), _lock("GOVERNANCE", years=7.0), True),
    (_lock("GOVERNANCE", years=7.0), _lock("COMPLIANCE", years=7.0), False),
])
def test_a_lock_shorter_by_one_day_or_year_or_leaving_compliance_is_danger(before, after, weakened):
    found = _danger([before], [after])
    assert (len(found) == 1 and found[0].startswith("DANGER: lock weakened: lock archive: ")) is weakened
    assert weakened or found == []


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"bucket": "archive", "objectLockEnabled": True}, {"bucket": "archive", "objectLockEnabled": False},
     ["DANGER: data resource aws:s3/bucket:Bucket::archive would be replaced (objectLockEnabled changed)"]),
    ({"bucket": "archive", "objectLockEnabled": True}, {"bucket": "archive", "objectLockEnabled": True,
                                                        "tags": {"team": "kafka"}}, []),
])
def test_an_object_lock_switch_replaces_an_unprotected_bucket_and_is_danger(old, new, expected):
    assert _danger([_res("aws:s3/bucket:Bucket", "archive", **old)],
                   [_res("aws:s3/bucket:Bucket", "archive", **new)]) == expected


@pytest.mark.parametrize(("new", "expected"), [
    ({"keyUsage": "SIGN_VERIFY"},
     ["DANGER: data resource aws:kms/key:Key::archive-key would be replaced (keyUsage changed)"]),
    ({"multiRegion": True},
     ["DANGER: data resource aws:kms/key:Key::archive-key would be replaced (multiRegion changed)"]),
    ({"description": "another description", "deletionWindowInDays": 29.0}, []),
])
def test_an_unprotected_kms_key_replaced_is_danger_and_changed_in_place_is_not(new, expected):
    old = {"keyUsage": "ENCRYPT_DECRYPT", "multiRegion": False, "description": "archive",
           "deletionWindowInDays": 30.0}
    assert _danger([_res("aws:kms/key:Key", "archive-key", **old)],
                   [_res("aws:kms/key:Key", "archive-key", **{**old, **new})]) == expected


def test_an_unprotected_kms_key_deleted_is_danger_an_unprotected_role_deleted_is_not():
    key, role = _res("aws:kms/key:Key", "archive-key"), _res("aws:iam/role:Role", "reader", path="/")
    assert _danger([key, role], [role]) == ["DANGER: data resource aws:kms/key:Key::archive-key would be deleted"]
    assert _danger([key, role], [key]) == []
    protected = _res("aws:iam/role:Role", "writer", protect=True, path="/")
    assert _danger([protected], []) == ["DANGER: protected resource aws:iam/role:Role::writer would be deleted"]
