"""components/search_api.py: what the provider compares, against the bodies the servers give back.

The stored side of every comparison is what tests/components/search_server.py answers for the body
we PUT, in the servers' own form (Elasticsearch 8.19 and OpenSearch 2 GET responses; sources there
and in search_api's docstring). Three properties:
- nothing we send escapes the comparison: a change to any leaf of a body we PUT is a diff;
- a change made on the server (drift) to what the server adds is a diff too;
- what the server adds by default is no diff.
"""
from __future__ import annotations

import copy
import json

import pytest

from components import search_api as api
from tests.components import alerting_server
from tests.components.search_server import SearchServer
from tests.components.test_search_convergence import CASES


def stored(engine: str, kind: str, object_id: str, body: dict, edit=None) -> object:
    """The body as the server holds it after our PUT (and an optional change made on the server)."""
    server = SearchServer(engine)
    if kind == "slm_policy":
        server.holds_repository(body["repository"])
    k = api.KINDS[(engine, kind)]
    path = k.path.format(id=object_id)
    if kind == "sm_policy":
        response = server._sm_write(path, body, {}, create=True)
    else:
        response = server._put(path, body, json.dumps(body), {})
    assert response.status_code < 300, response.get_data(as_text=True)
    if edit:
        edit(server.objects[path])
    return k.stored(json.loads(server._get(path).get_data(as_text=True)), object_id)


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if value is None:
        return "set"
    return f"{value}-changed"


def _leaves(value, path: tuple = ()):
    """(path as keys and indices, leaf); keys may hold dots (index.number_of_shards)."""
    if isinstance(value, dict) and value:
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    elif value not in ({}, []):
        yield path, value


def _set(body, path: tuple, value):
    for step in path[:-1]:
        body = body[step]
    body[path[-1]] = value


@pytest.mark.parametrize("engine,kind,object_id,body", CASES, ids=lambda c: c if isinstance(c, str) else None)
def test_a_change_to_any_leaf_we_send_is_a_diff(engine, kind, object_id, body):
    k = api.KINDS[(engine, kind)]
    have = stored(engine, kind, object_id, body)
    assert api.changed_paths(k, body, have) == []
    assert len(list(_leaves(body))) >= 3
    assert _leaves_not_seen(k, body, have) == []


def _leaves_not_seen(kind, ours: dict, have: dict) -> list[tuple]:
    """The leaves of what we send whose change the diff against `have` does not see."""
    missed = []
    for path, value in _leaves(ours):
        want = copy.deepcopy(ours)
        _set(want, path, _changed(value))
        if not api.changed_paths(kind, want, have):
            missed.append(path)
    return missed


def _ilm_delete(policy):
    policy["phases"]["delete"]["actions"]["delete"]["delete_searchable_snapshot"] = False


def _ism_retry(policy):
    policy["states"][1]["actions"][0]["retry"]["count"] = 5


def _ism_error_notification(policy):
    policy["error_notification"] = {"destination": {"slack": {"url": "https://hooks.slack.example/x"}},
                                    "message_template": {"source": "{{ctx.index}} failed"}}


def _ism_template_patterns(policy):
    policy["ism_template"][0]["index_patterns"] = ["other-*"]


def _repository_bucket(repository):
    repository["settings"]["bucket"] = "someone-elses-bucket"


def _by_case(engine, kind):
    (case,) = [c for c in CASES if c[:2] == (engine, kind)]
    return case


@pytest.mark.parametrize("engine,kind,edit,path", [
    ("elasticsearch", "ilm_policy", _ilm_delete, "policy.phases.delete.actions.delete.delete_searchable_snapshot"),
    ("opensearch", "ism_policy", _ism_retry, "policy.states.1.actions.0.retry.count"),
    ("opensearch", "ism_policy", _ism_error_notification, "policy.error_notification.destination.slack.url"),
    ("opensearch", "ism_policy", _ism_template_patterns, "policy.ism_template.0.index_patterns.0"),
    ("elasticsearch", "snapshot_repository", _repository_bucket, "settings.bucket"),
], ids=lambda c: c.__name__ if callable(c) else None)
def test_a_change_made_on_the_server_is_a_diff_at_its_path(engine, kind, edit, path):
    _, _, object_id, body = _by_case(engine, kind)
    have = stored(engine, kind, object_id, body, edit)
    assert path in api.changed_paths(api.KINDS[(engine, kind)], body, have)


def test_what_elasticsearch_adds_to_an_ilm_policy_is_no_diff():
    """A phase without min_age gets "0ms"; `delete: {}` gets delete_searchable_snapshot: true."""
    body = {"policy": {"phases": {"hot": {"actions": {}}, "delete": {"min_age": "9d", "actions": {"delete": {}}}}}}
    have = stored("elasticsearch", "ilm_policy", "p", body)
    assert have["policy"]["phases"]["hot"]["min_age"] == "0ms"
    assert api.changed_paths(api.KINDS[("elasticsearch", "ilm_policy")], body, have) == []


def test_the_user_the_security_plugin_records_on_an_ism_policy_is_no_diff():
    """With the security plugin, OpenSearch stores the creating user on the policy (index-management
    Policy.kt `user`) and returns it on GET."""
    _, _, object_id, body = _by_case("opensearch", "ism_policy")
    have = stored("opensearch", "ism_policy", object_id, body, lambda p: p.update(user={
        "name": "kafka-monitoring", "backend_roles": [], "roles": ["ism_full_access"],
        "custom_attribute_names": [], "user_requested_tenant": None}))
    assert api.changed_paths(api.KINDS[("opensearch", "ism_policy")], body, have) == []


@pytest.mark.parametrize("edit,reason", [
    (lambda p: p["phases"]["warm"].update(XXactions={}), "[phase] unknown field [XXactions]"),
    (lambda p: p["phases"].update(HOT=p["phases"].pop("hot")), "Timeseries lifecycle does not support phase [HOT]"),
    (lambda p: p["phases"]["delete"]["actions"].update(forcemerge={"max_num_segments": 1}),
     "invalid action [forcemerge] defined in phase [delete]"),
    (lambda p: p["phases"]["warm"]["actions"]["forcemerge"].update(max_segments=1),
     "[forcemerge] unknown field [max_segments]"),
    (lambda p: p.update(_metadata={}), "[policy] unknown field [_metadata]"),
])
def test_elasticsearch_refuses_an_ilm_policy_its_strict_parser_does_not_know(edit, reason):
    """What we send passes the model's strict parser; each kind of slip a field name can make does not."""
    _, kind, object_id, body = _by_case("elasticsearch", "ilm_policy")
    server = SearchServer("elasticsearch")
    path = api.KINDS[("elasticsearch", kind)].path.format(id=object_id)
    assert server._put(path, body, json.dumps(body), {}).status_code == 200
    broken = copy.deepcopy(body)
    edit(broken["policy"])
    response = server._put(path, broken, json.dumps(broken), {})
    assert response.status_code == 400
    assert json.loads(response.get_data(as_text=True))["error"]["reason"] == reason


def test_a_stopped_snapshot_policy_is_a_diff_and_a_started_one_is_not():
    """opensearch-project/index-management 2.17.1.0: `POST _plugins/_sm/policies/<name>/_stop`
    (TransportStopSMAction) stores `enabled: false` and `enabled_time: null`, which GET returns
    (SMPolicy.toXContent); SMPolicy.parse makes `enabled` true when our body leaves it out. A
    policy started again (`_start`, new enabled_time and last_updated_time) is no diff."""
    _, kind, object_id, body = _by_case("opensearch", "sm_policy")
    k = api.KINDS[("opensearch", kind)]
    server = SearchServer("opensearch")
    path = k.path.format(id=object_id)
    assert server._sm_write(path, body, {}, create=True).status_code == 201
    assert "enabled" not in body

    def have():
        return k.stored(json.loads(server._get(path).get_data(as_text=True)), object_id)

    server._sm_switch(path, enable=False)
    assert (have()["enabled"], have()["enabled_time"]) == (False, None)
    assert api.changed_paths(k, body, have()) == ["enabled"]
    server._sm_switch(path, enable=True)
    assert have()["enabled_time"] > have()["schedule"]["interval"]["start_time"]
    assert api.changed_paths(k, body, have()) == []
    assert api.changed_paths(k, {**body, "enabled": False}, have()) == ["enabled"]  # near miss: we ask it stopped


# ---- Alerting and Notifications: what their servers write out, and the near misses beside it ---------

def _minimal_monitor() -> dict:
    """The brute-force monitor as a person would write it: none of the defaults OpenSearch writes out."""
    from config.sections import RetentionArgs
    from content import detections
    from tests.conftest import make_settings
    body = copy.deepcopy(detections.monitors(RetentionArgs.of(make_settings("prod")))["kafka-sasl-brute-force"])
    query = body["inputs"][0]["search"]["query"]
    for node, keys in ((query["query"]["bool"], ("adjust_pure_negative", "boost")),
                       (query["query"]["bool"]["filter"][0]["range"]["@timestamp"], ("boost",)),
                       (query["query"]["bool"]["filter"][1]["term"]["kafka_event"], ("boost",)),
                       (query["aggregations"]["by_key"]["composite"]["sources"][0]["client_ip"]["terms"],
                        ("missing_bucket", "order"))):
        for key in keys:
            del node[key]
    trigger = body["triggers"][0]["bucket_level_trigger"]
    del trigger["condition"]["gap_policy"], trigger["condition"]["script"]["lang"]
    trigger["actions"][0]["message_template"].pop("lang", None)
    trigger["actions"][0]["action_execution_policy"] = {"action_execution_scope": {"per_alert": {
        "actionable_alerts": ["DEDUPED", "NEW"]}}}
    return body


MONITOR = api.KINDS[("opensearch", "monitor")]
TRIGGER = "triggers.0.bucket_level_trigger"


def test_what_alerting_writes_out_on_a_monitor_is_no_diff():
    """The query builders' defaults (boost, adjust_pure_negative, composite missing_bucket and order),
    the condition's gap_policy and the scripts' default lang, written out by the server
    (tests/components/alerting_server.py names the sources), are no change."""
    ours = _minimal_monitor()
    have = alerting_server.monitor(copy.deepcopy(ours))  # the model keeps references to what it parsed
    condition = have["triggers"][0]["bucket_level_trigger"]["condition"]
    assert (condition["gap_policy"], condition["script"]["lang"]) == ("skip", "painless")  # the premise
    assert have["inputs"][0]["search"]["query"]["query"]["bool"]["boost"] == 1.0
    assert api.changed_paths(MONITOR, ours, have) == []


@pytest.mark.parametrize("edit,path", [
    (lambda m: m["inputs"][0]["search"]["query"]["query"]["bool"].update(boost=2.0),
     "inputs.0.search.query.query.bool.boost"),
    (lambda m: m["inputs"][0]["search"]["query"]["aggregations"]["by_key"]["composite"]["sources"][0]["client_ip"][
        "terms"].update(order="desc"),
     "inputs.0.search.query.aggregations.by_key.composite.sources.0.client_ip.terms.order"),
    (lambda m: m["triggers"][0]["bucket_level_trigger"]["condition"].update(gap_policy="insert_zeros"),
     f"{TRIGGER}.condition.gap_policy"),
    (lambda m: m["triggers"][0]["bucket_level_trigger"]["condition"]["script"].update(lang="expression"),
     f"{TRIGGER}.condition.script.lang"),
    (lambda m: m["triggers"][0]["bucket_level_trigger"]["actions"][0]["message_template"].update(lang="painless"),
     f"{TRIGGER}.actions.0.message_template.lang"),
    (lambda m: m["triggers"][0]["bucket_level_trigger"]["actions"][0]["action_execution_policy"][
        "action_execution_scope"]["per_alert"].update(actionable_alerts=["NEW"]),
     f"{TRIGGER}.actions.0.action_execution_policy.action_execution_scope.per_alert.actionable_alerts.1"),
], ids=["bool-boost", "terms-order", "gap-policy", "script-lang", "template-lang", "actionable-alert-dropped"])
def test_a_value_other_than_the_default_set_on_the_server_is_a_diff(edit, path):
    """The near misses: a default is dropped only at its value, and a script's lang only at its default."""
    ours = _minimal_monitor()
    have = alerting_server.monitor(copy.deepcopy(ours))  # the model keeps references to what it parsed
    edit(have)
    assert path in api.changed_paths(MONITOR, ours, have)


def test_the_actionable_alerts_of_a_monitor_are_a_set():
    """Alerting keeps the categories as a set (ActionExecutionScope's `actionable_alerts`): another order
    is the same policy."""
    ours = _minimal_monitor()
    have = alerting_server.monitor(copy.deepcopy(ours))  # the model keeps references to what it parsed
    per_alert = have["triggers"][0]["bucket_level_trigger"]["actions"][0]["action_execution_policy"][
        "action_execution_scope"]["per_alert"]
    per_alert["actionable_alerts"] = ["NEW", "DEDUPED"]
    assert api.changed_paths(MONITOR, ours, have) == []


def test_a_change_to_any_leaf_of_a_monitor_we_send_is_a_diff():
    ours = _minimal_monitor()
    have = alerting_server.monitor(copy.deepcopy(ours))  # the model keeps references to what it parsed
    assert len(list(_leaves(ours))) >= 20
    assert _leaves_not_seen(MONITOR, ours, have) == []


CHANNEL = api.KINDS[("opensearch", "notification_channel")]


def _channel_as_stored(body: dict) -> dict:
    server = SearchServer("opensearch")
    answer, status = alerting_server.handle(server, "POST", alerting_server.CONFIGS, {"config_id": "c", **body}, {})
    assert status == 200, answer
    answer, _ = alerting_server.handle(server, "GET", f"{alerting_server.CONFIGS}/c", None, {})
    return CHANNEL.stored(answer, "c")


def test_the_empty_description_notifications_adds_to_a_channel_is_no_diff_and_a_description_is():
    """NotificationConfig.toXContent writes `description` "" for a config without one."""
    ours = {"config": {"name": "alertmanager", "config_type": "webhook", "is_enabled": True,
                       "webhook": {"url": "https://alertmanager.example/api/v2/alerts", "header_params": {},
                                   "method": "POST"}}}
    have = _channel_as_stored(ours)
    assert have["config"]["description"] == ""  # the premise
    assert api.changed_paths(CHANNEL, ours, have) == []
    have["config"]["description"] = "edited in Dashboards"
    assert api.changed_paths(CHANNEL, ours, have) == ["config.description"]
    assert api.changed_paths(CHANNEL, {"config": {**ours["config"], "description": "ours"}}, have) == [
        "config.description"]


def test_a_repository_moved_to_another_type_is_a_diff_at_its_type():
    ours = {"type": "s3", "settings": {"bucket": "archive", "base_path": "es"}}
    have = stored("elasticsearch", "snapshot_repository", "archive", ours)
    assert api.changed_paths(api.KINDS[("elasticsearch", "snapshot_repository")], {**ours, "type": "fs"}, have) == [
        "type"]


def test_every_error_of_a_monitor_run_is_reported_and_a_clean_run_has_none():
    """MonitorRunResult.toXContent (common-utils 2.17.0.0): `error`, `input_results.error` and each
    trigger's `error` under its id, null where the step ran; trigger errors in the order of their ids."""
    clean = {"monitor_name": "m", "period_start": 1, "period_end": 2, "error": None,
             "input_results": {"results": [{"aggregations": {}}], "error": None},
             "trigger_results": {"t1": {"name": "A", "error": None, "agg_result_buckets": {}, "action_results": {}}}}
    assert api.execution_errors(clean) == []
    failed = {"monitor_name": "m", "error": "Failed running monitor: the monitor is disabled",
              "input_results": {"results": [], "error": "no such index [kafka-security-*]"},
              "trigger_results": {
                  "t2": {"name": "B", "error": "parent_bucket_path [by_key] names no aggregation"},
                  "t1": {"name": "A", "error": None},
                  "t0": {"name": "C", "error": "Variable [_count] is not defined."}}}
    assert api.execution_errors(failed) == [
        "Failed running monitor: the monitor is disabled", "no such index [kafka-security-*]",
        "trigger t0: Variable [_count] is not defined.", "trigger t2: parent_bucket_path [by_key] names no aggregation"]
    only_a_trigger = {"monitor_name": "m", "error": None, "input_results": {"results": [], "error": None},
                      "trigger_results": {"t1": {"name": "A", "error": "script_exception"}}}
    assert api.execution_errors(only_a_trigger) == ["trigger t1: script_exception"]
    assert api.execution_errors({"monitor_name": "m", "error": "x", "input_results": None, "trigger_results": None}) == [
        "x"]
