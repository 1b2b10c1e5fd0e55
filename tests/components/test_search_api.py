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
    leaves = list(_leaves(body))
    assert len(leaves) >= 3
    missed = []
    for path, value in leaves:
        want = copy.deepcopy(body)
        _set(want, path, _changed(value))
        if not api.changed_paths(k, want, have):
            missed.append(path)
    assert missed == []


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
