"""What each bucket's lifecycle, as the prod program deploys it, does to an object version as days pass.

S3 lifecycle (Amazon S3 User Guide, "Lifecycle configuration elements"): on a versioned bucket
`Expiration.Days` puts a delete marker on a current version that many days after its creation (the
data stays, as a noncurrent version); `NoncurrentVersionExpiration.NoncurrentDays` deletes a version
that many days after it became noncurrent; `Transition` / `NoncurrentVersionTransition` move it to the
storage class. S3 rounds each day count to the next midnight UTC; these cases use whole days.
The expected fates are written out per bucket role and day, around each rule's edge.
"""
from __future__ import annotations

import pytest


def _rules(run, bucket_role: str) -> list[dict]:
    (config,) = [r for r in run.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
                 if r.inputs["bucket"] == f"necpgame-kafka-monitoring-prod-{bucket_role}"]
    return [r for r in config.inputs["rules"] if r["status"] == "Enabled"]


def current_fate(rules: list[dict], age_days: int) -> str:
    for rule in rules:
        if "expiration" in rule and age_days >= rule["expiration"]["days"]:
            return "delete marker"
    for rule in rules:
        for t in rule.get("transitions", []):
            if age_days >= t["days"]:
                return t["storageClass"]
    return "STANDARD"


def noncurrent_fate(rules: list[dict], noncurrent_days: int) -> str:
    for rule in rules:
        if "noncurrentVersionExpiration" in rule and noncurrent_days >= rule["noncurrentVersionExpiration"][
                "noncurrentDays"]:
            return "deleted"
    for rule in rules:
        for t in rule.get("noncurrentVersionTransitions", []):
            if noncurrent_days >= t["noncurrentDays"]:
                return t["storageClass"]
    return "kept"


@pytest.mark.parametrize(("bucket_role", "current", "noncurrent"), [
    # access logs: a year of logs (accessLogRetentionDays, Pulumi.yaml default 365, which prod keeps), and the version a delete
    # marker leaves goes the next day
    ("access-logs", {364: "STANDARD", 365: "delete marker"}, {0: "kept", 1: "deleted", 2: "deleted"}),
    ("replica-access-logs", {364: "STANDARD", 365: "delete marker"}, {0: "kept", 1: "deleted"}),
    # the locked archive and its replica: deep archive after 30 days, never expired by lifecycle
    ("compliance-archive", {29: "STANDARD", 30: "DEEP_ARCHIVE", 3650: "DEEP_ARCHIVE"},
     {29: "kept", 30: "DEEP_ARCHIVE", 3650: "DEEP_ARCHIVE"}),
    ("compliance-replica", {29: "STANDARD", 30: "DEEP_ARCHIVE"}, {29: "kept", 30: "DEEP_ARCHIVE"}),
    # snapshots: the engines delete current objects themselves; what a deleted snapshot leaves goes after a week
    ("search-snapshots", {3650: "STANDARD"}, {6: "kept", 7: "deleted"}),
])
def test_each_bucket_keeps_and_drops_versions_on_the_day_its_rules_say(stack_runs, bucket_role, current, noncurrent):
    rules = _rules(stack_runs["prod"], bucket_role)
    assert {d: current_fate(rules, d) for d in current} == current
    assert {d: noncurrent_fate(rules, d) for d in noncurrent} == noncurrent


@pytest.mark.parametrize("bucket_role", ["access-logs", "replica-access-logs", "compliance-archive",
                                         "compliance-replica", "search-snapshots"])
def test_every_bucket_aborts_an_incomplete_multipart_upload_after_seven_days(stack_runs, bucket_role):
    """AbortIncompleteMultipartUpload.DaysAfterInitiation: the parts of an upload started that many
    days ago and never completed are removed (and stop costing storage)."""
    rules = _rules(stack_runs["prod"], bucket_role)

    def aborted(days: int) -> bool:
        return any(days >= r["abortIncompleteMultipartUpload"]["daysAfterInitiation"] for r in rules
                   if "abortIncompleteMultipartUpload" in r)
    assert {d: aborted(d) for d in (6, 7, 8)} == {6: False, 7: True, 8: True}
