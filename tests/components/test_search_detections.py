"""The dynamic provider's detection kinds (Alerting monitors, the Notifications channel) against the
model server (tests/components/alerting_server.py, from the plugins' 2.17.0.0 sources), with inputs
passed through the engine's serialisation: create, adopt, update with seq_no, drift, refresh and
import, and no write on a second run."""
from __future__ import annotations

import copy
import json

import pytest

from components import search_provider as sp
from config.sections import RetentionArgs
from content import detections
from tests.components import alerting_server
from tests.components.search_server import SearchServer
from tests.components.test_search_convergence import through_engine
from tests.conftest import make_settings

S = RetentionArgs.of(make_settings("prod", sensitiveTopics=["economy.payments"]))
MONITORS = detections.monitors(S)
BRUTE = MONITORS["kafka-sasl-brute-force"]
PATH = "/_plugins/_alerting/monitors"


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setattr(sp, "sleep", lambda s: None)
    monkeypatch.setenv("OPENSEARCH_PASSWORD", "os-pass")


@pytest.fixture
def server(httpserver) -> SearchServer:
    model = SearchServer("opensearch")
    httpserver.expect_request("").respond_with_handler(model.handler)
    model.url = httpserver.url_for("/").rstrip("/")
    return model


def props(server, kind: str, object_id: str, body: dict, **extra) -> dict:
    return through_engine({"engine": "opensearch", "kind": kind, "object_id": object_id, "body": body,
                           "endpoint": server.url, "username": "kafka-monitoring", "prod": True, "allow_delete": True,
                           "ca_bundle": "", "adopt": False, **extra})


def writes(server) -> list:
    """Requests that change something: not the adoption search nor the dry runs."""
    return [r for r in server.writes() if not r.path.endswith(("/_search", "/_execute"))]


def stored_monitors(server) -> dict[str, dict]:
    return {p: m for p, m in server.objects.items() if p.startswith(PATH + "/")}


def test_a_monitor_is_created_with_the_servers_id_dry_run_and_then_left_alone(server):
    """POST on the collection (201, generated id kept in state), then `_execute?dryrun=true`; a second
    create, an update and a diff of the same inputs write nothing: the body we send is GET's normal
    form less the volatile fields."""
    provider = sp.RetentionObjectProvider()
    p = props(server, "monitor", "kafka-sasl-brute-force", BRUTE)
    created = provider.create(p)
    (path,) = stored_monitors(server)
    assert created.id == "opensearch/monitor/kafka-sasl-brute-force"
    assert created.outs["server_id"] == path.rsplit("/", 1)[1]
    assert [(r.method, r.path, r.query) for r in server.log if r.method != "GET"] == [
        ("POST", f"{PATH}/_search", {}), ("POST", PATH, {}), ("POST", f"{path}/_execute", {"dryrun": "true"})]
    stored = server.objects[path]
    assert {"last_update_time", "enabled_time", "schema_version", "data_sources", "owner"} <= set(stored)
    again = provider.create(p)
    assert again.outs["server_id"] == created.outs["server_id"]
    provider.update(created.id, created.outs, p)
    assert provider.diff(created.id, created.outs, p).changes is False
    assert len(writes(server)) == 1 and len(stored_monitors(server)) == 1


@pytest.mark.parametrize("name", sorted(MONITORS))
def test_every_rendered_monitor_is_accepted_and_reads_back_unchanged(server, name):
    provider = sp.RetentionObjectProvider()
    p = props(server, "monitor", name, MONITORS[name])
    created = provider.create(p)
    assert provider.diff(created.id, created.outs, p).changes is False
    assert len(writes(server)) == 1


def test_the_server_generates_trigger_ids_so_ours_are_fixed():
    """Without an id the server generates one on every write (BucketLevelTrigger.parseInner,
    Action.parse: UUIDs.base64UUID()), which would differ from any body we hold."""
    anonymous = copy.deepcopy(BRUTE)
    trigger = anonymous["triggers"][0]["bucket_level_trigger"]
    del trigger["id"], trigger["actions"][0]["id"]
    first, second = alerting_server.monitor(anonymous), alerting_server.monitor(anonymous)
    assert first["triggers"][0]["bucket_level_trigger"]["id"] != second["triggers"][0]["bucket_level_trigger"]["id"]
    ours = alerting_server.monitor(BRUTE)["triggers"][0]["bucket_level_trigger"]
    assert (ours["id"], ours["actions"][0]["id"]) == ("kafka-sasl-brute-force", "kafka-sasl-brute-force-alertmanager")


def _post(server, body: dict) -> str:
    response, status = alerting_server.handle(server, "POST", PATH, body, {})
    assert status == 201, response
    return response["_id"]


def test_an_identical_monitor_of_the_same_name_is_adopted_without_a_write(server):
    existing = _post(server, BRUTE)
    created = sp.RetentionObjectProvider().create(props(server, "monitor", "kafka-sasl-brute-force", BRUTE))
    assert created.outs["server_id"] == existing and writes(server) == []


def test_a_differing_monitor_of_the_same_name_is_not_overwritten_unless_adopted(server):
    other = copy.deepcopy(BRUTE)
    other["triggers"][0]["bucket_level_trigger"]["condition"]["script"]["source"] = "params._count >= 500"
    existing = _post(server, other)
    provider = sp.RetentionObjectProvider()
    with pytest.raises(sp.SearchApiError, match=r"already exists and differs at "
                                                r"triggers\.0\.bucket_level_trigger\.condition\.script\.source;"):
        provider.create(props(server, "monitor", "kafka-sasl-brute-force", BRUTE))
    assert writes(server) == []
    created = provider.create(props(server, "monitor", "kafka-sasl-brute-force", BRUTE, adopt=True))
    (put,) = writes(server)
    seq_no, term = server.seq[f"{PATH}/{existing}"]
    assert (put.method, put.path, put.query) == ("PUT", f"{PATH}/{existing}",
                                                {"if_seq_no": str(seq_no - 1), "if_primary_term": str(term)})
    assert created.outs["server_id"] == existing


def test_two_monitors_of_one_name_are_refused_naming_both(server):
    a, b = _post(server, BRUTE), _post(server, BRUTE)
    with pytest.raises(sp.SearchApiError, match="2 objects have this name") as err:
        sp.RetentionObjectProvider().create(props(server, "monitor", "kafka-sasl-brute-force", BRUTE))
    assert a in str(err.value) and b in str(err.value) and writes(server) == []


def test_a_change_is_a_put_with_the_current_seq_no_and_a_stale_one_is_re_read(server, httpserver):
    """Someone else writes between our GET and our PUT: the server answers 409, the provider re-reads
    seq_no/primary_term and the retry, checked again by the server, goes through."""
    provider = sp.RetentionObjectProvider()
    old = props(server, "monitor", "kafka-sasl-brute-force", BRUTE)
    created = provider.create(old)
    path = f"{PATH}/{created.outs['server_id']}"
    changed = copy.deepcopy(BRUTE)
    changed["triggers"][0]["bucket_level_trigger"]["condition"]["script"]["source"] = "params._count >= 30"
    new = props(server, "monitor", "kafka-sasl-brute-force", changed)
    assert provider.diff(created.id, created.outs, new).changes is True

    def concurrent(request):
        if request.method == "PUT" and not any(r.method == "PUT" for r in server.log):
            alerting_server.handle(server, "PUT", path, BRUTE, {})  # an out-of-band write bumps seq_no
        return server.handler(request)
    httpserver.clear_all_handlers()
    httpserver.expect_request("").respond_with_handler(concurrent)
    before = server.seq[path][0]
    updated = provider.update(created.id, created.outs, new)
    puts = [r for r in server.log if r.method == "PUT"]
    assert [r.query["if_seq_no"] for r in puts] == [str(before), str(before + 1)]
    assert updated.outs["server_id"] == created.outs["server_id"]
    script = server.objects[path]["triggers"][0]["bucket_level_trigger"]["condition"]["script"]["source"]
    assert script == "params._count >= 30"
    assert provider.diff(created.id, updated.outs, new).changes is False


def test_drift_on_the_server_is_a_change_and_refresh_reads_what_the_server_holds(server):
    provider = sp.RetentionObjectProvider()
    p = props(server, "monitor", "kafka-sasl-brute-force", BRUTE)
    created = provider.create(p)
    path = f"{PATH}/{created.outs['server_id']}"
    server.objects[path]["enabled"] = False  # someone disabled it in Dashboards
    assert provider.diff(created.id, created.outs, p).changes is True
    refreshed = provider.read(created.id, created.outs)
    assert refreshed.outs["body"]["enabled"] is False and refreshed.outs["server_id"] == created.outs["server_id"]
    provider.update(created.id, refreshed.outs, p)
    assert server.objects[path]["enabled"] is True
    del server.objects[path]
    assert provider.read(created.id, created.outs).id == ""  # gone: refresh drops it


def test_import_by_name_finds_the_monitor_and_its_server_id(server):
    existing = _post(server, BRUTE)
    imported = sp.RetentionObjectProvider().read("opensearch/monitor/kafka-sasl-brute-force",
                                                 {"endpoint": server.url, "username": "kafka-monitoring"})
    assert (imported.id, imported.outs["server_id"], imported.outs["object_id"]) == (
        "opensearch/monitor/kafka-sasl-brute-force", existing, "kafka-sasl-brute-force")
    assert imported.outs["body"]["name"] == "kafka-sasl-brute-force" and writes(server) == []


def test_a_dry_run_error_fails_the_write_with_the_servers_own_message(server):
    """Validation accepts a parent_bucket_path naming no aggregation; only a run finds out."""
    broken = copy.deepcopy(BRUTE)
    broken["triggers"][0]["bucket_level_trigger"]["condition"]["parent_bucket_path"] = "by_client"
    with pytest.raises(sp.SearchApiError, match=r"was written but its dry run failed: "
                                                r"No aggregation found for path \[by_client\]"):
        sp.RetentionObjectProvider().create(props(server, "monitor", "kafka-sasl-brute-force", broken))


@pytest.mark.parametrize("change,status,message", [
    (lambda b: b["triggers"][0]["bucket_level_trigger"]["actions"][0].update(severity="1"), 500,
     "Unexpected field: severity, while parsing action"),
    (lambda b: b["triggers"][0]["bucket_level_trigger"]["condition"].pop("parent_bucket_path"), 500,
     "Missing required field [parent_bucket_path] for bucket_selector aggregation [kafka-sasl-brute-force]"),
    (lambda b: b["inputs"][0]["search"]["query"].pop("aggregations"), 400,
     "At least one aggregation is required for the input"),
    (lambda b: b.update(monitor_type="bucket-level"), 500, "Monitor type should follow pattern"),
])
def test_a_refused_body_fails_at_once_with_the_servers_reason(server, change, status, message):
    body = copy.deepcopy(BRUTE)
    change(body)
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().create(props(server, "monitor", "kafka-sasl-brute-force", body))
    assert f"HTTP {status}: {message}" in str(err.value)
    assert stored_monitors(server) == {}


def test_the_channel_is_created_with_its_fixed_id_and_updated_in_place(server):
    provider = sp.RetentionObjectProvider()
    body = detections.channel(S)
    p = props(server, "notification_channel", detections.CHANNEL_ID, body)
    created = provider.create(p)
    (post,) = writes(server)
    assert (post.method, post.path, post.body["config_id"]) == ("POST", "/_plugins/_notifications/configs",
                                                                detections.CHANNEL_ID)
    provider.create(p)
    assert provider.diff(created.id, created.outs, p).changes is False and len(writes(server)) == 1
    moved = json.loads(json.dumps(body))
    moved["config"]["webhook"]["url"] = "https://alertmanager-2.necpgame.internal/api/v2/alerts"
    new = props(server, "notification_channel", detections.CHANNEL_ID, moved)
    assert provider.diff(created.id, created.outs, new).changes is True
    provider.update(created.id, created.outs, new)
    (_, put) = writes(server)
    assert (put.method, put.path) == ("PUT", f"/_plugins/_notifications/configs/{detections.CHANNEL_ID}")
    stored = server.objects[f"/_plugins/_notifications/configs/{detections.CHANNEL_ID}"]["config"]
    assert stored["webhook"]["url"] == "https://alertmanager-2.necpgame.internal/api/v2/alerts"


def test_a_second_create_of_an_existing_channel_id_is_a_conflict_on_the_server(server):
    """create(true) on the config index: the provider never meets it (it GETs first), a racing writer would."""
    body = {"config_id": detections.CHANNEL_ID, **detections.channel(S)}
    assert alerting_server.handle(server, "POST", "/_plugins/_notifications/configs", body, {})[1] == 200
    response, status = alerting_server.handle(server, "POST", "/_plugins/_notifications/configs", body, {})
    assert status == 409 and response["error"]["type"] == "version_conflict_engine_exception"


def test_a_monitor_whose_id_in_state_is_gone_is_found_again_by_name_not_duplicated(server):
    """Deleted and recreated out of band (by hand in Dashboards): the next update takes the new one."""
    provider = sp.RetentionObjectProvider()
    p = props(server, "monitor", "kafka-sasl-brute-force", BRUTE)
    created = provider.create(p)
    del server.objects[f"{PATH}/{created.outs['server_id']}"]
    recreated = _post(server, BRUTE)
    updated = provider.update(created.id, created.outs, p)
    assert updated.outs["server_id"] == recreated and len(stored_monitors(server)) == 1
    del server.objects[f"{PATH}/{recreated}"]
    again = provider.update(created.id, updated.outs, p)  # gone for good: created anew
    assert len(stored_monitors(server)) == 1 and again.outs["server_id"] not in (recreated, created.outs["server_id"])
