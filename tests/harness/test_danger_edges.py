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


def _ilm(age: str | None, object_id: str = "kafka-logs") -> dict:
    phases = {"hot": {"actions": {"rollover": {"max_age": "1d"}}}}
    if age:
        phases["delete"] = {"min_age": age, "actions": {"delete": {}}}
    return _res("pulumi-python:dynamic/search:RetentionObject", f"{object_id}-ilm", engine="elasticsearch",
                kind="ilm_policy", object_id=object_id, body={"policy": {"phases": phases}})


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


# --- the grouped lines a reviewer reads (plan_diff.danger_groups through report) ---------------------
# Each case is a pair of plan.json documents as scripts/preview writes them: resources, and the
# non-secret settings as the program read them (strings: harness/runtime._cli_value writes a switch
# as "true"/"false" and a number as its text). A group's summary names its cause; a cause with one
# resource is that resource's own line.

BUCKET, KEY = "aws:s3/bucket:Bucket", "aws:kms/key:Key"


def _read(old: list[dict], new: list[dict], old_settings: dict | None = None, new_settings: dict | None = None
          ) -> tuple[list[str], list[str]]:
    """(the DANGER block of the stack's Markdown, the whole Markdown) of plan_diff.report."""
    def doc(resources, settings):
        return {"resources": resources, **({"settings": settings} if settings is not None else {})}
    lines, failed, danger = plan_diff.report("prod", (doc(old, old_settings), ""), (doc(new, new_settings), ""))
    assert not failed and lines[:2] == ["### prod", "```"]
    block = []
    for line in lines[2:]:
        if not line.startswith(("DANGER: ", "    ")):
            break
        block.append(line)
    assert [line for line in block if line.startswith("DANGER: ")] == danger
    return block, lines


def _buckets(names_to_buckets: dict[str, str], protect: bool = True, **inputs) -> list[dict]:
    return [_res(BUCKET, name, protect, bucket=bucket, **inputs) for name, bucket in names_to_buckets.items()]


def test_a_protected_bucket_renamed_without_an_alias_reads_as_deleted_and_two_group_as_renamed():
    """plan.diff finds a rename without an alias (same type, same inputs, another name): the engine
    deletes the old resource. Near miss: a bucket deleted outright is not "renamed"."""
    old = _buckets({"archive": "acme-archive", "replica": "acme-replica"})
    one, lines = _read(old[:1], [{**old[0], "name": "archive-v2"}])
    assert one == ["DANGER: protected resource aws:s3/bucket:Bucket::archive would be deleted"]
    assert "- delete  aws:s3/bucket:Bucket::archive  (renamed to archive-v2 without an alias)" in lines
    two, _ = _read(old, [{**old[0], "name": "archive-v2"}, {**old[1], "name": "replica-v2"}])
    assert two == ["DANGER: renamed without an alias: deletes 2 buckets",
                   "    protected resource aws:s3/bucket:Bucket::archive would be deleted",
                   "    protected resource aws:s3/bucket:Bucket::replica would be deleted"]
    mixed, _ = _read(old, [{**old[0], "name": "archive-v2"}])
    assert mixed == ["DANGER: protected resource aws:s3/bucket:Bucket::archive would be deleted",
                     "DANGER: protected resource aws:s3/bucket:Bucket::replica would be deleted"]


def test_a_rename_is_blamed_on_the_setting_whose_new_value_the_new_names_hold():
    """The renamed resources' new names are what the setting's new value is looked for in. Near miss:
    `team` changed too and its old value is in the buckets, but the new names do not hold "streams"."""
    old = [_res(BUCKET, "alpha-archive", True, bucket="kafka-archive"),
           _res(BUCKET, "alpha-replica", True, bucket="kafka-replica")]
    new = [{**r, "name": r["name"].replace("alpha", "omega")} for r in old]
    block, _ = _read(old, new, {"clusterName": "alpha", "team": "kafka"}, {"clusterName": "omega", "team": "streams"})
    assert block == ["DANGER: `clusterName` change deletes 2 buckets",
                     "    protected resource aws:s3/bucket:Bucket::alpha-archive would be deleted",
                     "    protected resource aws:s3/bucket:Bucket::alpha-replica would be deleted"]


def test_a_deletion_is_blamed_on_the_setting_whose_old_value_only_the_inputs_hold():
    """Deleted resources need no new value: a setting cleared is their cause when their inputs (here the
    bucket names, not the resources' names) hold its old value. Near miss: `alertGroupWait` changed in
    the same change and explains nothing, so it is not blamed, and nothing is left to guess."""
    old = _buckets({"replica-logs": "acme-replica-logs", "replica-audit": "acme-replica-audit"})
    block, _ = _read(old, [], {"replicaBucketPrefix": "acme-replica", "alertGroupWait": "10s"},
                     {"replicaBucketPrefix": "", "alertGroupWait": "30s"})
    assert block[0] == "DANGER: `replicaBucketPrefix` change deletes 2 buckets"


def test_a_setting_the_new_plan_no_longer_records_is_the_cause_of_what_it_named():
    """A change that removes a setting and what it created: the setting is in the base plan only."""
    old = _buckets({"legacy-a": "acme-legacy-a", "legacy-b": "acme-legacy-b"})
    block, _ = _read(old, [], {"legacyArchivePrefix": "acme-legacy", "environment": "prod"},
                     {"environment": "prod"})
    assert block[0] == "DANGER: `legacyArchivePrefix` change deletes 2 buckets"


def test_a_setting_added_with_a_switch_turned_off_leaves_two_candidates_and_nothing_is_guessed():
    """The one-switch rule counts every setting that changed, one that appears included."""
    old = _buckets({"replica-a": "r-a", "replica-b": "r-b"})
    block, _ = _read(old, [], {"archiveReplication": "true"}, {"archiveReplication": "false", "replicaSync": "true"})
    assert block[0] == "DANGER: deleted: deletes 2 buckets"
    block, _ = _read(old, [], {"archiveReplication": "true"}, {"archiveReplication": "false"})
    assert block[0] == "DANGER: `archiveReplication` change deletes 2 buckets"


def test_a_replacement_forced_by_two_paths_carries_both_values_before_and_after():
    """terraform-provider-aws aws_s3_bucket: `bucket` and `region` both force a new resource
    (harness/meaning.REPLACE_ON; the region since v6.0.0, which pulumi-aws 7 bridges:
    website/docs/guides/enhanced-region-support.html.markdown, "How `region` works": "Changing the
    value of `region` will force resource replacement."). Both settings whose values moved are named, joined by "and"; `team`,
    whose old value the old bucket names hold but whose new value the new ones do not, is not."""
    old = [_res(BUCKET, n, True, bucket=f"acme-kafka-{n}", region="eu-west-1") for n in ("archive", "replica")]
    new = [_res(BUCKET, n, True, bucket=f"beta-kafka-{n}", region="eu-central-1") for n in ("archive", "replica")]
    details = ["    protected resource aws:s3/bucket:Bucket::archive would be replaced (bucket, region changed)",
               "    protected resource aws:s3/bucket:Bucket::replica would be replaced (bucket, region changed)"]
    block, _ = _read(old, new, {"archiveRegion": "eu-west-1", "bucketPrefix": "acme", "team": "kafka"},
                     {"archiveRegion": "eu-central-1", "bucketPrefix": "beta", "team": "streams"})
    assert block == ["DANGER: `archiveRegion` and `bucketPrefix` change replaces 2 buckets", *details]
    block, _ = _read(old, new)  # an older plan.json without settings: what forced it
    assert block == ["DANGER: `bucket` and `region` changed: replaces 2 buckets", *details]
    # Near miss: the region moved back to where it was, only the prefix explains the buckets now.
    block, _ = _read(old, [{**r, "inputs": {**r["inputs"], "region": "eu-west-1"}} for r in new],
                     {"archiveRegion": "eu-west-1", "bucketPrefix": "acme"}, {"archiveRegion": "eu-west-1",
                                                                               "bucketPrefix": "beta"})
    assert block[0] == "DANGER: `bucketPrefix` change replaces 2 buckets"


def test_retention_cuts_group_by_the_setting_whose_days_they_carry():
    """Facts from the ILM bodies the program deploys (content/retention.py, "90d"). Near miss: `team`
    changed too and "kafka" is in the fact names, but "streams" is not in what the cut leaves."""
    old, new = [_ilm("90d", "kafka-logs"), _ilm("90d", "kafka-audit")], [_ilm("30d", "kafka-logs"),
                                                                         _ilm("30d", "kafka-audit")]
    cuts = ["    retention cut: retention elasticsearch kafka-audit (ILM): delete after 90d → delete after 30d",
            "    retention cut: retention elasticsearch kafka-logs (ILM): delete after 90d → delete after 30d"]
    block, _ = _read(old, new, {"logRetentionDays": "90", "team": "kafka"}, {"logRetentionDays": "30", "team": "streams"})
    assert block == ["DANGER: `logRetentionDays` change cuts 2 retentions", *cuts]
    block, _ = _read(old, new)
    assert block == ["DANGER: retention cut: cuts 2 retentions", *cuts]
    block, _ = _read(old[:1], new[:1], {"logRetentionDays": "90"}, {"logRetentionDays": "30"})
    assert block == [f"DANGER: {cuts[1].strip()}"]  # one of its cause: its own line


def test_locks_weakened_group_as_weakened_and_locks_removed_as_removed():
    """A lock shorter by a day weakens it; a lock whose bucket is renamed by the prefix is removed (its
    fact goes) and the new one appears. Near miss: `team` changed and explains neither."""
    def locks(prefix, days):
        return [_res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", f"lock-{n}",
                     bucket=f"{prefix}-{n}", rule={"defaultRetention": {"mode": "COMPLIANCE", "days": days}})
                for n in ("archive", "replica")]
    block, _ = _read(locks("acme", 2557.0), locks("acme", 2556.0), {"objectLockDays": "2557", "team": "kafka"},
                     {"objectLockDays": "2556", "team": "streams"})
    assert block == ["DANGER: `objectLockDays` change weakens 2 locks",
                     "    lock weakened: lock acme-archive: COMPLIANCE 2557 days → COMPLIANCE 2556 days",
                     "    lock weakened: lock acme-replica: COMPLIANCE 2557 days → COMPLIANCE 2556 days"]
    block, _ = _read(locks("acme", 2557.0), locks("acme", 2556.0))
    assert block[0] == "DANGER: lock weakened: weakens 2 locks"
    block, _ = _read(locks("acme", 2557.0), locks("beta", 2557.0), {"bucketPrefix": "acme", "team": "kafka"},
                     {"bucketPrefix": "beta", "team": "streams"})
    assert block == ["DANGER: `bucketPrefix` change removes 2 locks",
                     "    lock removed: lock acme-archive: COMPLIANCE 2557 days",
                     "    lock removed: lock acme-replica: COMPLIANCE 2557 days"]


def test_each_kind_is_counted_in_its_own_words_data_first_then_by_count_then_by_name():
    """One of a kind reads singular; a noun ending in s takes -es, a consonant and y -ies. The program
    protects its role policies and key policies (aws:iam/rolePolicy, aws:kms/keyPolicy)."""
    old = [_res("aws:iam/role:Role", f"role-{i}", True) for i in (1, 2)] + \
        [_res("aws:iam/rolePolicy:RolePolicy", f"policy-{i}", True) for i in (1, 2)] + \
        [_res("aws:kms/alias:Alias", f"alias-{i}", True) for i in (1, 2)] + [_res(KEY, "archive-key")] + \
        [_res("aws:kms/keyPolicy:KeyPolicy", f"key-policy-{i}", True) for i in (1, 2, 3)]
    block, _ = _read(old, [])
    assert block[0] == ("DANGER: deleted: deletes 1 KMS key, 3 key policies, 2 aliases, 2 roles, 2 role policies")
    assert len(block) == 1 + len(old)
    block, _ = _read([_res(KEY, "a"), _res(KEY, "b"), _res("aws:iam/role:Role", "r", True)], [])
    assert block[0] == "DANGER: deleted: deletes 2 KMS keys, 1 role"


def test_a_single_resource_of_one_cause_does_not_end_the_groups_after_it():
    role = _res("aws:iam/role:Role", "writer", True, path="/")
    old = [role, *_buckets({"archive": "acme-archive", "replica": "acme-replica"})]
    new = _buckets({"archive": "beta-archive", "replica": "beta-replica"})
    block, _ = _read(old, new, {"bucketPrefix": "acme"}, {"bucketPrefix": "beta"})
    assert block == ["DANGER: protected resource aws:iam/role:Role::writer would be deleted",
                     "DANGER: `bucketPrefix` change replaces 2 buckets",
                     "    protected resource aws:s3/bucket:Bucket::archive would be replaced (bucket changed)",
                     "    protected resource aws:s3/bucket:Bucket::replica would be replaced (bucket changed)"]


@pytest.mark.parametrize(("was", "now", "blamed"), [
    ("ops", "sre", True),     # three letters name something
    ("eu", "us", False),      # two do not: they are in too many names
    ("acme", "beta", True),   # a prefix is found where a digit follows it (acme2-...)
])
def test_a_setting_of_three_letters_names_the_buckets_and_one_of_two_does_not(was, now, blamed):
    """Near miss for every case: a switch turned off in the same change (true/false name nothing)."""
    old = _buckets({"a": f"{was}2-archive", "b": f"{was}2-replica"})
    new = _buckets({"a": f"{now}2-archive", "b": f"{now}2-replica"})
    block, _ = _read(old, new, {"team": was, "enableSlack": "true"}, {"team": now, "enableSlack": "false"})
    assert block[0] == ("DANGER: `team` change replaces 2 buckets" if blamed
                        else "DANGER: `bucket` changed: replaces 2 buckets")


def test_a_two_digit_number_names_the_days_it_sets_and_a_digit_inside_a_longer_number_does_not():
    """Numbers are matched whole ("9" is not in "19d"); a switch changed alongside keeps the one-switch
    rule from deciding."""
    old, new = [_ilm("19d", "kafka-logs"), _ilm("19d", "kafka-audit")], [_ilm("17d", "kafka-logs"),
                                                                         _ilm("17d", "kafka-audit")]
    block, _ = _read(old, new, {"logRetentionDays": "19", "rolloverDays": "9", "enableSlack": "true"},
                     {"logRetentionDays": "17", "rolloverDays": "7", "enableSlack": "false"})
    assert block[0] == "DANGER: `logRetentionDays` change cuts 2 retentions"


@pytest.mark.parametrize(("held", "blamed"), [(0.1, True), (0.15, False), (10.1, False)])
def test_a_decimal_setting_names_only_the_same_number(held, blamed):
    """A rate of 0.1 (traceSamplingRate's form) is in `0.1`, not in `0.15` or `10.1`."""
    old = _buckets({"a": "t-a", "b": "t-b"}, tags={"sampling": held})
    block, _ = _read(old, [], {"traceSamplingRate": "0.1", "enableSlack": "true"},
                     {"traceSamplingRate": "0.2", "enableSlack": "false"})
    assert block[0] == ("DANGER: `traceSamplingRate` change deletes 2 buckets" if blamed
                        else "DANGER: deleted: deletes 2 buckets")


def test_switches_name_nothing_even_where_the_inputs_hold_false():
    """A switch turned on ("false" -> "true") beside one turned off: two candidates, neither guessed,
    although the deleted buckets' inputs hold `false`."""
    old = _buckets({"a": "r-a", "b": "r-b"}, forceDestroy=False)
    block, _ = _read(old, [], {"archiveReplication": "true", "legacyMode": "false"},
                     {"archiveReplication": "false", "legacyMode": "true"})
    assert block[0] == "DANGER: deleted: deletes 2 buckets"
