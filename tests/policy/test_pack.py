"""The policy pack through pulumi_policy's real analyzer path, on a first preview and on an update.

The engine calls the pack's `Analyzer.AnalyzeStack` with an `AnalyzeStackRequest` (tests/policy/engine.py
says how it is built, from pulumi/pulumi's engine source). pulumi_policy 1.21.0's servicer
(pulumi/pulumi-policy tag v1.21.0, commit f6758175, sdk/python/lib/pulumi_policy/policy.py,
`_PolicyAnalyzerServicer.AnalyzeStack`) deserialises each resource's properties, wraps them in
`proxy.unknown_checking_proxy`, runs every stack policy, and turns an `UnknownValueError` into an
ADVISORY diagnostic "can't run policy ... during preview". What blocks a deployment is a MANDATORY
diagnostic, so that is what these tests count.
"""
from __future__ import annotations

import copy
import json
import os
import selectors
import subprocess
import sys

import grpc
import pytest
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import StackValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from harness.runtime import Registration
from policy import invariants, network_checks
from tests.conftest import ROOT, STACKS
from tests.policy import engine

# The pack imports `invariants` top-level, as a policy pack run from its folder does. Give it this
# very module, so that the tests and the pack judge one copy of the code (and the mutation benchmark,
# which names functions by their module, sees the calls the pack makes).
sys.modules["invariants"] = invariants
sys.modules["network_checks"] = network_checks
sys.path.insert(0, str(ROOT / "policy"))
import pack  # noqa: E402

MANDATORY, ADVISORY = analyzer_pb2.MANDATORY, analyzer_pb2.ADVISORY
BASE = "kafka-monitoring-archive"
ARCHIVE, REPLICA, SNAPSHOTS, LOGS = (f"{BASE}-{r}" for r in (
    "compliance-archive", "compliance-replica", "search-snapshots", "access-logs"))


def analyze(resources: list[Registration], policies=None) -> list[tuple[str, int, str]]:
    """(policy, enforcement level, message) of every diagnostic the pack's analyzer answers."""
    servicer = _PolicyAnalyzerServicer(pack.NAME, "0.0.1", policies or pack.policies(), pack.ENFORCEMENT)
    response = servicer.AnalyzeStack(engine.request(resources), None)
    return [(d.policyName, d.enforcementLevel, d.message) for d in response.diagnostics]


def mandatory(found) -> list[tuple[str, str]]:
    return [(policy, message) for policy, level, message in found if level == MANDATORY]


def named(res: list[Registration], name: str) -> Registration:
    (found,) = [r for r in res if r.name == name]
    return found


def test_a_first_preview_carries_the_engines_unknowns_where_the_program_reads_other_resources(plans):
    """What the SDK itself turned into the sentinel on a first preview (not a list written here): ids,
    ARNs and what is built from them; plain inputs (lock mode, flags, tags, names) stay known."""
    res = plans["first preview"]
    unknown = {r.name: engine.unknown_paths(r.inputs) for r in res}
    assert unknown[f"{ARCHIVE}-policy"] == ["policy", "bucket"]        # built from the key's ARN
    assert unknown[f"{LOGS}-policy"] == ["bucket"]                     # the account id is an invoke: known
    assert unknown[f"{ARCHIVE}-encryption"] == ["rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId",
                                                "bucket"]
    assert unknown[f"{ARCHIVE}-logging"] == ["targetBucket", "bucket"]
    assert unknown[f"{ARCHIVE}-lock"] == ["bucket"] and unknown[ARCHIVE] == []
    assert unknown[f"{BASE}-key-policy"] == ["policy", "keyId"]
    assert named(res, f"{ARCHIVE}-logging").property_dependencies["targetBucket"] == [named(res, LOGS).urn]
    assert not any(engine.unknown_paths(r.inputs) for r in plans["update"])


def test_the_old_way_of_reading_props_made_every_policy_advisory_on_a_first_preview(plans):
    """The defect this pack fixes, through the same servicer: `dict(props)` reads each value."""
    reads_all = StackValidationPolicy("reads-all", "reads every prop", lambda args, report: [
        dict(r.props) for r in args.resources])
    (found,) = analyze(plans["first preview"], [reads_all])
    assert found[1] == ADVISORY and "can't run policy 'reads-all'" in found[2]
    assert analyze(plans["update"], [reads_all]) == []


@pytest.mark.parametrize("when", ["first preview", "update"])
def test_the_compliant_plan_has_no_mandatory_violation(plans, when):
    found = analyze(copy.deepcopy(plans[when]))
    assert mandatory(found) == []
    assert not any("can't run policy" in message for _, _, message in found)
    assert all(policy == pack.DECIDED_AT_UP and level == ADVISORY for policy, level, _ in found)


@pytest.mark.parametrize("stack", [s for s in STACKS if s != "prod"])
def test_every_other_stack_passes_on_a_first_preview_and_an_update(stack):
    for first_preview in (True, False):
        found = analyze(engine.plan(stack, first_preview).resources)
        assert mandatory(found) == [] and not any("can't run policy" in m for _, _, m in found), (stack, found)


def test_a_first_preview_names_what_only_up_can_decide(plans):
    """The data buckets' policies name their KMS key's ARN: known once `up` creates the key."""
    found = analyze(copy.deepcopy(plans["first preview"]))
    assert sorted(m.split("\n")[1] for _, _, m in found) == sorted(
        f"bucket-policies-deny-insecure-transport: bucket necpgame-kafka-monitoring-prod-{role}: no bucket "
        "policy denies aws:SecureTransport=false on it and its objects (decided at up: it depends on a "
        "resource not created yet)" for role in ("compliance-archive", "compliance-replica", "search-snapshots"))


def _doc(res, name):
    return json.loads(named(res, name).inputs["policy"])


def _set_doc(res, name, doc):
    named(res, name).inputs["policy"] = json.dumps(doc)


def _governance(res):
    named(res, f"{ARCHIVE}-lock").inputs["rule"]["defaultRetention"]["mode"] = "GOVERNANCE"


def _short_lock(res):
    named(res, f"{ARCHIVE}-lock").inputs["rule"]["defaultRetention"]["days"] = 2556


def _one_year(res):
    named(res, f"{ARCHIVE}-lock").inputs["rule"]["defaultRetention"] = {"mode": "COMPLIANCE", "years": 1}


def _no_object_lock(res):
    named(res, ARCHIVE).inputs.pop("objectLockEnabled")
    res.remove(named(res, f"{ARCHIVE}-lock"))


def _governance_lock_on_an_unlocked_bucket(res):
    named(res, ARCHIVE).inputs.pop("objectLockEnabled")
    named(res, f"{ARCHIVE}-lock").inputs["rule"]["defaultRetention"] = {"mode": "GOVERNANCE", "days": 1}


def _no_replica(res):
    res.remove(named(res, f"{ARCHIVE}-replication"))


def _replica_into_the_snapshot_bucket(res):
    """`destination.bucket = snapshots.arn`: the ARN when known, the dependency when not."""
    replication, snapshots = named(res, f"{ARCHIVE}-replication"), named(res, SNAPSHOTS)
    deps = replication.property_dependencies["rules"]
    deps[deps.index(named(res, REPLICA).urn)] = snapshots.urn
    destination = replication.inputs["rules"][0]["destination"]
    if destination["bucket"] != rpc.UNKNOWN:
        destination["bucket"] = f"arn:aws:s3:::{snapshots.inputs['bucket']}"


def _unprotected_policy(res):
    named(res, f"{ARCHIVE}-policy").protect = False


def _unprotected_bucket(res):
    named(res, ARCHIVE).protect = False


def _expiring(res):
    named(res, f"{ARCHIVE}-lifecycle").inputs["rules"][0]["expiration"] = {"days": 400}


def _public(res):
    named(res, f"{ARCHIVE}-public-access").inputs["restrictPublicBuckets"] = False


def _unencrypted(res):
    named(res, f"{SNAPSHOTS}-encryption").inputs["rules"][0]["applyServerSideEncryptionByDefault"] = {
        "sseAlgorithm": "AES256"}


def _log_target_moved(res):
    """Every bucket now logs into the snapshot bucket: the SSE-S3 log bucket is nobody's log target."""
    for r in res:
        if r.type == invariants.LOGGING:
            r.property_dependencies["targetBucket"] = [named(res, SNAPSHOTS).urn]
            if r.inputs["targetBucket"] != rpc.UNKNOWN:
                r.inputs["targetBucket"] = named(res, SNAPSHOTS).inputs["bucket"]


def _no_archive_policy(res):
    res.remove(named(res, f"{ARCHIVE}-policy"))


def _plain_http_on_the_log_bucket(res):
    doc = _doc(res, f"{LOGS}-policy")
    doc["Statement"] = [s for s in doc["Statement"] if s["Sid"] != "DenyInsecureTransport"]
    _set_doc(res, f"{LOGS}-policy", doc)


def _tls_only_for_reads_on_the_log_bucket(res):
    doc = _doc(res, f"{LOGS}-policy")
    (deny,) = [s for s in doc["Statement"] if s["Sid"] == "DenyInsecureTransport"]
    deny["Action"] = "s3:GetObject"
    _set_doc(res, f"{LOGS}-policy", doc)


def _tls_for_another_bucket_on_the_log_bucket(res):
    doc = _doc(res, f"{LOGS}-policy")
    (deny,) = [s for s in doc["Statement"] if s["Sid"] == "DenyInsecureTransport"]
    deny["Resource"] = ["arn:aws:s3:::other", "arn:aws:s3:::other/*"]
    _set_doc(res, f"{LOGS}-policy", doc)


COUNTER_EXAMPLES = [
    ("prod-archives-compliance-locked-7-years", _governance),
    ("prod-archives-compliance-locked-7-years", _short_lock),
    ("prod-archives-compliance-locked-7-years", _one_year),
    ("prod-archives-compliance-locked-7-years", _no_object_lock),
    ("prod-archives-compliance-locked-7-years", _governance_lock_on_an_unlocked_bucket),
    ("prod-archive-replicated-offsite", _no_replica),
    ("prod-archive-replicated-offsite", _replica_into_the_snapshot_bucket),
    ("data-resources-protected-in-prod", _unprotected_policy),
    ("data-resources-protected-in-prod", _unprotected_bucket),
    ("locked-buckets-never-expire-current-versions", _expiring),
    ("buckets-block-public-access", _public),
    ("buckets-encrypted-with-kms", _unencrypted),
    ("buckets-encrypted-with-kms", _log_target_moved),
    ("bucket-policies-deny-insecure-transport", _no_archive_policy),
    ("bucket-policies-deny-insecure-transport", _plain_http_on_the_log_bucket),
    ("bucket-policies-deny-insecure-transport", _tls_only_for_reads_on_the_log_bucket),
    ("bucket-policies-deny-insecure-transport", _tls_for_another_bucket_on_the_log_bucket),
]


@pytest.mark.parametrize("when", ["first preview", "update"])
@pytest.mark.parametrize("policy,break_it", COUNTER_EXAMPLES, ids=[f.__name__.strip("_") for _, f in COUNTER_EXAMPLES])
def test_every_counter_example_is_a_mandatory_violation(plans, when, policy, break_it):
    res = copy.deepcopy(plans[when])
    break_it(res)
    found = mandatory(analyze(res))
    assert found and {p for p, _ in found} == {policy}, found


@pytest.mark.parametrize("break_it", ["deny-removed", "reads-only", "another-bucket"])
def test_a_data_bucket_policy_is_judged_when_up_knows_it(plans, break_it):
    """A data bucket's policy names its KMS key's ARN, so on a first preview the whole document is
    unknown: the pack names it as decided at up (as for the compliant plan) and denies it on the
    update, once known."""
    res = copy.deepcopy(plans["update"])
    doc = _doc(res, f"{ARCHIVE}-policy")
    (deny,) = [s for s in doc["Statement"] if s["Sid"] == "DenyInsecureTransport"]
    if break_it == "deny-removed":
        doc["Statement"].remove(deny)
    elif break_it == "reads-only":
        deny["Action"] = "s3:GetObject"
    else:
        deny["Resource"] = ["arn:aws:s3:::other", "arn:aws:s3:::other/*"]
    _set_doc(res, f"{ARCHIVE}-policy", doc)
    (found,) = mandatory(analyze(res))
    assert found[0] == "bucket-policies-deny-insecure-transport" and "compliance-archive" in found[1]


def test_a_kms_key_id_from_no_key_of_this_stack_waits_for_up_and_a_missing_one_is_denied(plans):
    res = copy.deepcopy(plans["first preview"])
    encryption = named(res, f"{ARCHIVE}-encryption")
    encryption.property_dependencies["rules"] = [named(res, f"{BASE}-snapshot-role").urn]
    found = analyze(res)
    assert mandatory(found) == []
    assert any("buckets-encrypted-with-kms: bucket necpgame-kafka-monitoring-prod-compliance-archive" in m
               for p, level, m in found if p == pack.DECIDED_AT_UP and level == ADVISORY)
    encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"].pop("kmsMasterKeyId")
    assert [p for p, _ in mandatory(analyze(res))] == ["buckets-encrypted-with-kms"]


@pytest.mark.parametrize("sentinel", sorted(pack.SENTINELS))
def test_every_kind_of_unknown_is_read_as_pending_not_as_a_value(sentinel):
    """Each sentinel of proxy.py (one per kind, as rpc.go's marshalUnknownProperty sends them)."""
    from pulumi_policy.proxy import unknown_checking_proxy
    props = unknown_checking_proxy({"a": sentinel, "b": [1.0, {"c": sentinel}], "d": "04da6b54"})
    assert pack.plain(props) == {"a": invariants.PENDING, "b": [1.0, {"c": invariants.PENDING}], "d": "04da6b54"}


def test_the_pack_process_answers_the_engine_over_grpc(plans):
    """`policy/__main__.py` as the engine starts it: PolicyPack serves on 127.0.0.1 and prints its port."""
    proc = subprocess.Popen([sys.executable, "__main__.py"], cwd=ROOT / "policy", stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": ""})
    try:
        # the pack prints its port once it serves (a selector, not select(): in a long session the
        # pipe's descriptor can be past select()'s FD_SETSIZE of 1024)
        with selectors.DefaultSelector() as waiting:
            waiting.register(proc.stdout, selectors.EVENT_READ)
            assert waiting.select(timeout=60), "the policy pack printed no port within 60 s"
        port = int(proc.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = analyzer_pb2_grpc.AnalyzerStub(channel)
            first = stub.AnalyzeStack(engine.request(plans["first preview"]), timeout=60)
            broken = copy.deepcopy(plans["first preview"])
            _governance(broken)
            denied = stub.AnalyzeStack(engine.request(broken), timeout=60)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert [d.enforcementLevel for d in first.diagnostics] == [ADVISORY] * 3
    assert [(d.policyName, d.enforcementLevel) for d in denied.diagnostics if d.enforcementLevel == MANDATORY] == [
        ("prod-archives-compliance-locked-7-years", MANDATORY)]
