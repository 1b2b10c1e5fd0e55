"""harness/meaning.facts on a hand-made plan: each fact a reviewer reads, exactly.

The inputs are what the engine records for each type (pulumi-kubernetes PrometheusRule spec,
pulumi-aws 7 S3 configurations, the Alertmanager route the program renders, Grafana's configJson),
numbers as the engine hands them over (floats).
"""
from __future__ import annotations

import hashlib
import json

from harness import meaning


def res(type_: str, **inputs) -> dict:
    return {"type": type_, "inputs": inputs}


RULES = res("kubernetes:monitoring.coreos.com/v1:PrometheusRule", spec={"groups": [{"rules": [
    {"alert": "Lag", "expr": "sum(lag)\n  > 100", "for": "2m", "labels": {"severity": "critical"}},
    {"alert": "Bare", "expr": "up == 0"},                                   # no for, no labels
    {"alert": "NoThreshold", "expr": "absent(up)", "labels": {}},
    {"record": "a:b:sum", "expr": "sum  (b)"},
    {"alert": "NoExpr"},
]}, {"name": "empty"}]})
NO_GROUPS = res("kubernetes:monitoring.coreos.com/v1:PrometheusRule", spec={})
RETENTION = [
    res("pulumi-python:dynamic/search:RetentionObject", engine="elasticsearch", kind="ilm_policy", object_id="logs",
        body={"policy": {"phases": {"delete": {"min_age": "90d", "actions": {"delete": {}}}}}}),
    res("pulumi-python:dynamic/search:RetentionObject", engine="elasticsearch", kind="ilm_policy", object_id="keep",
        body={"policy": {"phases": {"hot": {"actions": {}}}}}),
    res("pulumi-python:dynamic/search:RetentionObject", engine="opensearch", kind="ism_policy", object_id="sec",
        body={"policy": {"states": [
            {"name": "hot", "actions": [], "transitions": [{"state_name": "cold", "conditions": {"min_index_age": "2d"}}]},
            {"name": "cold", "actions": [{"read_only": {}}],
             "transitions": [{"state_name": "gone", "conditions": {"min_index_age": "2557d"}}]},
            {"name": "gone", "actions": [{"delete": {}}]}]}}),
    res("pulumi-python:dynamic/search:RetentionObject", engine="opensearch", kind="ism_policy", object_id="forever",
        body={"policy": {"states": [{"name": "hot"}]}}),
    res("pulumi-python:dynamic/search:RetentionObject", engine="opensearch", kind="ism_policy", object_id="empty",
        body={}),
    res("pulumi-python:dynamic/search:RetentionObject", engine="opensearch", kind="ism_policy", object_id="dangling",
        body={"policy": {"states": [{"name": "hot", "transitions": [{"state_name": "missing"}, {"state_name": "warm"}]},
                                    {"name": "warm"}]}}),
    res("pulumi-python:dynamic/search:RetentionObject", engine="elasticsearch", kind="slm_policy", object_id="nightly",
        body={"retention": {"expire_after": "400d", "min_count": 5.0}}),
    res("pulumi-python:dynamic/search:RetentionObject", engine="elasticsearch", kind="slm_policy", object_id="bare",
        body={}),
    res("pulumi-python:dynamic/search:RetentionObject", engine="elasticsearch", kind="index_template",
        object_id="tpl", body={}),
]
ARCHIVE = [
    res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bucket="archive",
        rule={"defaultRetention": {"mode": "COMPLIANCE", "days": 2557.0}}),
    res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bucket="replica",
        rule={"defaultRetention": {"mode": "GOVERNANCE", "years": 7.0}}),
    res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket="logs", rules=[
        {"id": "expire", "status": "Enabled", "expiration": {"days": 365.0}},
        {"id": "tier", "status": "Enabled", "transitions": [{"days": 30.0}]}]),
    res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket="empty"),
    res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", bucket="archive", rules=[
        {"destination": {"bucket": "arn:aws:s3:::replica"}}, {"destination": {"bucket": "arn:aws:s3:::other"}}]),
]
PANELS = {"title": "Overview", "panels": [
    {"type": "row", "title": "Brokers", "panels": [{"title": "Up", "targets": [{"expr": "up", "refId": "A"}]}]},
    {"title": "Lag", "targets": [{"refId": "A", "expr": "lag"}]},
    {"title": "Text"},
]}
DASHBOARDS = [res("grafana:oss/dashboard:Dashboard", configJson=json.dumps(PANELS)),
              res("grafana:oss/dashboard:Dashboard", configJson="not json"),
              res("grafana:oss/dashboard:Dashboard")]
ROUTE = {"receiver": "slack", "routes": [
    {"matchers": ['alertname="Watchdog"'], "receiver": "heartbeat"},
    {"matchers": ['category="security"', 'severity="critical"'], "receiver": "security", "continue": True,
     "routes": [{"receiver": "pager"}, {"matchers": ["x=y"]}]},
]}


def digest(value) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:8]


def test_every_fact_of_a_plan_reads_as_a_reviewer_expects():
    plan = {"resources": [*ARCHIVE, NO_GROUPS, RULES, *RETENTION, *DASHBOARDS], "alertmanager_route": ROUTE}
    assert meaning.facts(plan) == {
        "alert Lag": "`> 100` for 2m, critical", "alert Lag query": digest("sum(lag)"),
        "alert Bare": "`== 0` for 0s, no severity", "alert Bare query": digest("up"),
        "alert NoThreshold": "no threshold for 0s, no severity", "alert NoThreshold query": digest("absent(up)"),
        "recording rule a:b:sum": f"query {digest('sum (b)')}",
        "alert NoExpr": "no threshold for 0s, no severity", "alert NoExpr query": digest(""),
        "retention elasticsearch logs (ILM)": "delete after 90d",
        "retention elasticsearch keep (ILM)": "never deleted",
        "retention opensearch sec (ISM)": "delete after 2557d",
        "retention opensearch forever (ISM)": "never deleted",
        "retention opensearch empty (ISM)": "never deleted",
        "retention opensearch dangling (ISM)": "never deleted",
        "snapshots elasticsearch nightly (SLM)": "kept 400d, at least 5",
        "snapshots elasticsearch bare (SLM)": "kept forever, at least 0",
        "lock archive": "COMPLIANCE 2557 days",
        "lock replica": "GOVERNANCE 2555 days",        # S3: Years means 365-day years here
        "expiry logs expire": "365 days",
        "replication archive": "on, to arn:aws:s3:::replica, arn:aws:s3:::other",
        "route (default)": "slack",
        'route 1 (alertname="Watchdog")': "heartbeat",
        'route 2 (category="security", severity="critical")': "security, continue",
        "route 2.1 (everything)": "pager",
        "route 2.2 (x=y)": "(parent's)",
        "dashboard Overview / panel Lag": f"queries {digest(json.dumps([{'expr': 'lag', 'refId': 'A'}]))}",
        "dashboard Overview / panel Text": f"queries {digest('[]')}",
        "dashboard Overview / panel Up": f"queries {digest(json.dumps([{'expr': 'up', 'refId': 'A'}]))}",
    }


def test_a_plan_without_a_route_or_resources_has_no_facts():
    assert meaning.facts({"resources": []}) == {}
    assert meaning.facts({"resources": [], "alertmanager_route": {"receiver": "x"}}) == {"route (default)": "x"}


def test_fact_diff_names_what_appeared_went_and_changed():
    old = {"resources": [ARCHIVE[0]]}
    new = {"resources": [res("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bucket="archive",
                             rule={"defaultRetention": {"mode": "GOVERNANCE", "days": 1.0}}), ARCHIVE[2]]}
    assert meaning.fact_diff(old, new) == ["expiry logs expire: (none) → 365 days",
                                           "lock archive: COMPLIANCE 2557 days → GOVERNANCE 1 days"]
    assert meaning.fact_diff(new, old) == ["expiry logs expire: 365 days → (none)",
                                           "lock archive: GOVERNANCE 1 days → COMPLIANCE 2557 days"]


def test_a_replacement_path_through_a_value_that_is_not_a_map_reads_as_absent():
    assert meaning.replaced_by("kubernetes:core/v1:Secret", {"metadata": "x"}, {"metadata": {"name": "a"}}) == [
        "metadata.name"]
