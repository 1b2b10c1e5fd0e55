"""What a reviewer reads in a plan diff: named facts before → after, replace vs update, DANGER, outputs.

Each case is a real settings change run through the program twice, as `scripts/plan-diff` does."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import meaning, plan, plan_diff


def _plans(program, stack, old: dict, new: dict):
    # plan.json round trip: the diff reads what `scripts/preview` wrote, not Python objects
    return (json.loads(json.dumps(plan.plan(program(stack, **old)))),
            json.loads(json.dumps(plan.plan(program(stack, **new)))))


def _report(program, stack, old, new):
    a, b = _plans(program, stack, old, new)
    lines, failed, danger = plan_diff.report(stack, (a, ""), (b, ""))
    return a, b, "\n".join(lines), danger


def test_a_retention_cut_reads_per_data_class_and_is_danger(program):
    _, _, text, danger = _report(program, "dev", {"applicationLogRetentionDays": 90},
                                 {"applicationLogRetentionDays": 30})
    assert ("retention elasticsearch kafka-application (ILM): delete after 90d → delete after 30d") in text
    assert danger == ["DANGER: retention cut: retention elasticsearch kafka-application (ILM): "
                      "delete after 90d → delete after 30d"]


def test_a_longer_retention_is_not_danger(program):
    _, _, text, danger = _report(program, "dev", {}, {"securityRetentionDays": 60})
    assert "retention opensearch kafka-security (ISM): delete after 30d → delete after 60d" in text
    assert danger == []


def test_a_detection_threshold_reads_as_its_condition_and_a_new_detection_appears(program):
    _, _, text, danger = _report(program, "dev", {}, {"saslBruteForceFailures": 50,
                                                      "sensitiveTopics": ["economy.payments"]})
    assert "detection kafka-sasl-brute-force: params._count >= 20, severity 1 → params._count >= 50, severity 1" in text
    assert "detection kafka-sensitive-topic-denied: (none) → params._count >= 1, severity 2" in text
    assert danger == []


def test_a_lock_weakened_is_danger(program):
    _, _, text, danger = _report(program, "dev", {"objectLockMode": "COMPLIANCE", "objectLockDays": 30}, {})
    assert "lock necpgame-kafka-monitoring-dev-compliance-archive: COMPLIANCE 30 days → GOVERNANCE 1 days" in text
    assert any(d.startswith("DANGER: lock weakened: lock necpgame-kafka-monitoring-dev-compliance-archive") for d in danger)


def test_a_bucket_prefix_change_replaces_the_buckets_and_is_danger(program):
    """terraform-provider-aws aws_s3_bucket: `bucket` (Forces new resource); the sub-resources are bound to it."""
    a, b, text, danger = _report(program, "prod", {}, {"bucketPrefix": "necpgame-kafka-mon"})
    d = plan.diff(a, b)
    buckets = [k for k in d["replaced"] if k.startswith("aws:s3/bucket:Bucket::")]
    assert len(buckets) == 5 and all(d["replaced"][k] == ["bucket"] for k in buckets)
    assert "+- replace aws:s3/bucket:Bucket::kafka-monitoring-archive-compliance-archive  (because bucket changed)" \
        in text
    # Issue 26: one cause, one DANGER line (it was 44), every resource under it.
    assert danger == ["DANGER: `bucketPrefix` change replaces 5 buckets, 36 bucket settings; "
                      "removes 2 locks, 1 replication"]
    block = text.split(danger[0] + "\n")[1].split("\n+")[0].splitlines()
    details = [line for line in block if line.startswith("    ")]
    assert len(details) == 44 and sum("aws:s3/bucket:Bucket::" in x and "replaced" in x for x in details) == 5
    assert "    lock removed: lock necpgame-kafka-monitoring-prod-compliance-archive: COMPLIANCE 2557 days" in details
    assert "outputs (the contract other stacks read):" in text
    assert ('archive_bucket: "necpgame-kafka-monitoring-prod-compliance-archive" → '
            '"necpgame-kafka-mon-prod-compliance-archive"') in text


def test_replication_switched_off_is_danger_and_the_outputs_go_absent(program):
    _, _, text, danger = _report(program, "staging", {"archiveReplication": True}, {})
    # A switch's value names no resource: the one setting that changed is the cause of them all.
    assert danger == ["DANGER: `archiveReplication` change deletes 2 buckets, 1 KMS key; removes 1 lock, "
                      "1 replication"]
    assert ("\n    replication removed: replication necpgame-kafka-monitoring-staging-compliance-archive: on, to "
            "arn:aws:s3:::necpgame-kafka-monitoring-staging-compliance-replica\n") in text
    assert "\n    data resource aws:s3/bucket:Bucket::kafka-monitoring-archive-compliance-replica would be deleted\n" \
        in text
    assert 'archive_replica_bucket: "necpgame-kafka-monitoring-staging-compliance-replica" → (absent)' in text


def test_a_protected_resource_replaced_is_danger_even_without_data():
    def res(**inputs):
        return {"type": "aws:iam/role:Role", "name": "writer", "parent": "p", "inputs": inputs, "protect": True,
                "retain_on_delete": False}
    old, new = {"resources": [res(name="a", path="/")]}, {"resources": [res(name="a", path="/x/")]}
    lines, _, danger = plan_diff.report("prod", (old, ""), (new, ""))
    assert danger == ["DANGER: protected resource aws:iam/role:Role::writer would be replaced (path changed)"]


def test_a_rename_without_alias_is_a_delete_and_says_so():
    def res(name):
        return {"type": "aws:s3/bucketPolicy:BucketPolicy", "name": name, "parent": "p", "inputs": {"bucket": "b"},
                "protect": True, "retain_on_delete": False}
    lines, _, danger = plan_diff.report("prod", ({"resources": [res("old")]}, ""), ({"resources": [res("new")]}, ""))
    assert any("renamed to new without an alias" in line for line in lines)
    assert danger == ["DANGER: protected resource aws:s3/bucketPolicy:BucketPolicy::old would be deleted"]


def test_routes_and_dashboards_are_named(program):
    a, b = _plans(program, "dev", {}, {"dashboardTopN": 5})
    facts = meaning.facts(a)
    assert facts["route 5 (severity=\"critical\")"] == "pagerduty-critical"
    assert any(k.startswith("dashboard Kafka Overview / panel ") for k in facts)
    assert any(line.startswith("dashboard ") and "/ panel " in line for line in meaning.fact_diff(a, b))


@pytest.mark.parametrize("type_,old,new,forced", [
    ("kubernetes:core/v1:Secret", {"metadata": {"name": "a", "namespace": "m"}},
     {"metadata": {"name": "a", "namespace": "n"}}, ["metadata.namespace"]),
    ("kubernetes:core/v1:Secret", {"metadata": {"name": "a"}, "stringData": {"k": "1"}},
     {"metadata": {"name": "a"}, "stringData": {"k": "2"}}, []),
    ("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "a", "policy": "x"}, {"bucket": "a", "policy": "y"}, []),
    ("aws:kms/key:Key", {"keyUsage": "ENCRYPT_DECRYPT"}, {"keyUsage": "SIGN_VERIFY"}, ["keyUsage"]),
    ("pulumi-python:dynamic/search:RetentionObject", {"object_id": "a"}, {"object_id": "b"}, ["object_id"]),
])
def test_replacement_comes_from_the_inputs_that_force_it(type_, old, new, forced):
    assert meaning.replaced_by(type_, old, new) == forced


def test_plan_diff_exits_4_on_danger_unless_accepted(monkeypatch, capsys):
    res = {"type": "aws:s3/bucket:Bucket", "name": "archive", "parent": "p", "inputs": {"bucket": "a"},
           "protect": True, "retain_on_delete": False}
    plans = {"base": {"resources": [res]}, "head": {"resources": [{**res, "inputs": {"bucket": "b"}}]}}
    monkeypatch.setattr(plan_diff, "_stacks", lambda tree: {"prod"})
    monkeypatch.setattr(plan_diff, "_preview",
                        lambda tree, stack, out: (plans["head" if tree == plan_diff.ROOT else "base"], ""))
    assert plan_diff.main(["HEAD"]) == 4
    out = capsys.readouterr()
    assert out.out.rstrip().endswith("DANGER: protected resource aws:s3/bucket:Bucket::archive would be replaced "
                                     "(bucket changed)") and "## DANGER" in out.out
    assert plan_diff.main(["HEAD", "--accept-danger"]) == 0
    assert not (Path(plan_diff.ROOT) / "base").exists()


def test_every_resource_type_the_program_uses_has_its_replacement_rule(program):
    runs = [program("prod", kibanaUrl="https://k.example", opensearchDashboardsUrl="https://d.example"),
            program("dev", traceStorage="opensearch", createMonitoringNamespace=True,
                                        clusters=["k ns=k brokers=b.k.svc:9404 controllers=c.k.svc:9404 "
                                                  "bootstrap=k.k.svc:9092 tls=k.k.svc:9093"])]
    types = {r.type for run in runs for r in run.resources if r.custom}
    assert types and all(meaning.known(t) for t in types), sorted(t for t in types if not meaning.known(t))


@pytest.mark.parametrize("before,after,found", [
    # retention (the fact is "delete after <age>" or "never deleted"; ES/OS ages in days)
    ({"retention logs (ILM)": "delete after 90d"}, {"retention logs (ILM)": "delete after 30d"},
     ["retention cut: retention logs (ILM): delete after 90d → delete after 30d"]),
    ({"retention logs (ILM)": "delete after 90d"}, {"retention logs (ILM)": "delete after 90d"}, []),
    ({"retention logs (ILM)": "delete after 30d"}, {"retention logs (ILM)": "delete after 90d"}, []),
    ({"retention logs (ILM)": "never deleted"}, {"retention logs (ILM)": "delete after 400d"},
     ["retention cut: retention logs (ILM): never deleted → delete after 400d"]),
    ({"retention logs (ILM)": "delete after 90d"}, {"retention logs (ILM)": "never deleted"}, []),
    ({"retention logs (ILM)": "never deleted"}, {"retention logs (ILM)": "never deleted"}, []),
    # locks ("<mode> <days> days")
    ({"lock a": "COMPLIANCE 2557 days"}, {"lock a": "GOVERNANCE 2557 days"},
     ["lock weakened: lock a: COMPLIANCE 2557 days → GOVERNANCE 2557 days"]),
    ({"lock a": "COMPLIANCE 2557 days"}, {"lock a": "COMPLIANCE 2556 days"},
     ["lock weakened: lock a: COMPLIANCE 2557 days → COMPLIANCE 2556 days"]),
    ({"lock a": "GOVERNANCE 30 days"}, {"lock a": "GOVERNANCE 29 days"},
     ["lock weakened: lock a: GOVERNANCE 30 days → GOVERNANCE 29 days"]),
    ({"lock a": "GOVERNANCE 30 days"}, {"lock a": "COMPLIANCE 30 days"}, []),
    ({"lock a": "COMPLIANCE 30 days"}, {"lock a": "COMPLIANCE 31 days"}, []),
    # removed guards
    ({"lock a": "COMPLIANCE 1 days", "replication a": "on, to b", "retention x (ISM)": "delete after 1d"}, {},
     ["lock removed: lock a: COMPLIANCE 1 days", "replication removed: replication a: on, to b"]),
])
def test_weakened_on_facts_at_each_edge(monkeypatch, before, after, found):
    """What counts as DANGER, fact by fact: shorter or newly finite retention, a lock leaving
    COMPLIANCE or getting shorter, a lock or replication gone."""
    monkeypatch.setattr(meaning, "facts", lambda plan: plan)
    assert meaning.weakened(before, after) == found


def test_a_rollover_class_reads_its_retention_from_the_rollover_and_a_cut_is_danger(program):
    """ISM ages after a rollover are `min_rollover_age` (index-management 2.17.0.0 Transition): the
    security events' deletion reads as counted from the rollover, and shortening it is a retention cut."""
    _, _, text, danger = _report(program, "dev", {"securityRetentionDays": 60}, {"securityRetentionDays": 45})
    assert ("retention opensearch kafka-security-rollover (ISM): delete after rollover + 60d → "
            "delete after rollover + 45d") in text
    # grouped by cause (plan_diff.danger_groups): the daily layout's policy and the rollover one
    assert danger == ["DANGER: `securityRetentionDays` change cuts 2 retentions"]
    assert ("    retention cut: retention opensearch kafka-security-rollover (ISM): delete after rollover + 60d → "
            "delete after rollover + 45d") in text
    _, _, _, longer = _report(program, "dev", {"securityRetentionDays": 45}, {"securityRetentionDays": 60})
    assert longer == []
