"""The retention dynamic provider against a local HTTP server, through the official clients.

Every test asserts the exact requests (method, path, query, body) the provider sends. The tests in
test_search_convergence.py run it against tests/components/search_server.py, which answers as
the real servers do, with inputs passed through the engine's own serialisation.
"""
from __future__ import annotations

import base64
import json
import socket

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.dynamic.dynamic import serialize_provider
from pytest_httpserver import HTTPServer

from components import search_provider as sp
from content import retention
from tests.components.silent_listener import hanging_up_listener, silent_listener
from tests.conftest import make_settings

ES_HEADERS = {"X-Elastic-Product": "Elasticsearch"}  # the 8.x client refuses servers without it
S = make_settings("prod")
ILM = retention.ilm_policy(S)
ISM = retention.ism_policy(S)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    sleeps: list[float] = []
    monkeypatch.setattr(sp, "sleep", sleeps.append)
    monkeypatch.setenv("ELASTICSEARCH_PASSWORD", "es-pass")
    monkeypatch.setenv("OPENSEARCH_PASSWORD", "os-pass")
    return sleeps


def props(server: HTTPServer, engine="elasticsearch", kind="ilm_policy", object_id="kafka-application", body=ILM,
          **extra):
    return {"engine": engine, "kind": kind, "object_id": object_id, "body": body,
            "endpoint": server.url_for("/").rstrip("/"), "username": "kafka-monitoring", "prod": True,
            "allow_delete": False, "ca_bundle": "", **extra}


def es_json(server, method, path, response, status=200, **match):
    server.expect_ordered_request(path, method=method, **match).respond_with_json(
        response, status=status, headers=ES_HEADERS)


def stored_ilm(body):
    # What Elasticsearch returns: the policy plus version metadata.
    return {"kafka-application": {"version": 3, "modified_date": "2026-11-01T00:00:00Z", "policy": body["policy"]}}


def test_create_puts_a_missing_policy_with_basic_auth(httpserver):
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", {"error": {"reason": "missing"}}, 404)
    es_json(httpserver, "PUT", "/_ilm/policy/kafka-application", {"acknowledged": True}, json=ILM)
    result = sp.RetentionObjectProvider().create(props(httpserver))
    httpserver.check_assertions()
    assert result.id == "elasticsearch/ilm_policy/kafka-application"
    auth = httpserver.log[0][0].headers["Authorization"]
    assert base64.b64decode(auth.split()[1]).decode() == "kafka-monitoring:es-pass"


def test_create_adopts_an_identical_existing_object(httpserver):
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", stored_ilm(ILM))
    sp.RetentionObjectProvider().create(props(httpserver))
    httpserver.check_assertions()
    assert [r.method for r, _ in httpserver.log] == ["GET"]


def test_moving_to_another_cluster_replaces(httpserver):
    diff = sp.RetentionObjectProvider().diff("id", props(httpserver), props(httpserver, endpoint="https://other:9200"))
    assert diff.replaces == ["endpoint"]


def test_delete_is_skipped_in_prod_unless_allowed(httpserver):
    sp.RetentionObjectProvider().delete("id", props(httpserver))
    assert httpserver.log == []
    es_json(httpserver, "DELETE", "/_ilm/policy/kafka-application", {"acknowledged": True})
    sp.RetentionObjectProvider().delete("id", props(httpserver, allow_delete=True))
    httpserver.check_assertions()


def test_transient_failures_are_retried_with_capped_backoff(httpserver, no_waiting):
    for status in (503, 429):
        es_json(httpserver, "GET", "/_ilm/policy/kafka-application", {"error": "busy"}, status)
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", {"error": {"reason": "missing"}}, 404)
    es_json(httpserver, "PUT", "/_ilm/policy/kafka-application", {"error": "bad gateway"}, 502, json=ILM)
    es_json(httpserver, "PUT", "/_ilm/policy/kafka-application", {"acknowledged": True}, json=ILM)
    sp.RetentionObjectProvider().create(props(httpserver))
    httpserver.check_assertions()
    assert no_waiting == [0.5, 1.0, 0.5]


def test_other_4xx_fails_at_once_with_the_servers_reason(httpserver, no_waiting):
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", {"error": {"reason": "missing"}}, 404)
    es_json(httpserver, "PUT", "/_ilm/policy/kafka-application",
            {"error": {"type": "x_content_parse_exception", "reason": "[forcemerge] unknown field [codec]"}}, 400)
    with pytest.raises(sp.SearchApiError, match=r"HTTP 400: \[forcemerge\] unknown field \[codec\]"):
        sp.RetentionObjectProvider().create(props(httpserver))
    assert [r.method for r, _ in httpserver.log] == ["GET", "PUT"] and no_waiting == []


def test_connection_failures_are_retried_a_bounded_number_of_times(no_waiting):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens
    dead = {"engine": "opensearch", "kind": "ism_policy", "object_id": "p", "body": ISM,
            "endpoint": f"http://127.0.0.1:{port}", "username": "u", "prod": True, "allow_delete": False}
    with pytest.raises(sp.SearchApiError, match=f"opensearch http://127.0.0.1:{port}: .*HTTP connection"):
        sp.RetentionObjectProvider().create(dead)
    assert no_waiting == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_passwords_come_from_config_at_call_time_and_never_into_state(httpserver, monkeypatch):
    monkeypatch.delenv("ELASTICSEARCH_PASSWORD")
    provider = sp.RetentionObjectProvider()
    provider.configure(ConfigureRequest(Config({"kafka-monitoring:elasticsearchPassword": "from-config"},
                                               "kafka-monitoring")))
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", stored_ilm(ILM))
    result = provider.create(props(httpserver))
    auth = httpserver.log[0][0].headers["Authorization"]
    assert base64.b64decode(auth.split()[1]).decode() == "kafka-monitoring:from-config"
    assert "from-config" not in json.dumps(result.outs) and "from-config" not in serialize_provider(provider)
    assert "from-config" not in json.dumps(vars(provider))


def test_tls_verification_is_on_and_takes_a_ca_bundle(tmp_path):
    bundle = str(tmp_path / "ca.pem")
    client = sp._Client({"engine": "elasticsearch", "endpoint": "https://es.example:9200", "username": "u",
                         "ca_bundle": bundle})
    (node,) = client._client.transport.node_pool.all()
    assert node.config.verify_certs is True and node.config.ca_certs == bundle
    os_client = sp._Client({"engine": "opensearch", "endpoint": "https://os.example:9200", "username": "u",
                            "ca_bundle": bundle})
    pool = os_client._client.transport.get_connection().pool
    assert (pool.cert_reqs, pool.ca_certs) == ("CERT_REQUIRED", bundle)


def test_the_serialised_provider_loads_in_a_fresh_interpreter(httpserver, tmp_path):
    """What the engine does: the provider is pickled at registration and unpickled by the dynamic
    provider host, a separate Python process started in the project directory."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", stored_ilm(ILM))
    (tmp_path / "provider.b64").write_text(serialize_provider(sp.RetentionObjectProvider()))
    (tmp_path / "props.json").write_text(json.dumps(props(httpserver)))
    script = ("import base64, dill, json, sys\n"
              "p = dill.loads(base64.b64decode(open(sys.argv[1]).read()))\n"
              "print(p.create(json.load(open(sys.argv[2]))).id)\n")
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "provider.b64"), str(tmp_path / "props.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "ELASTICSEARCH_PASSWORD": "es-pass"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "elasticsearch/ilm_policy/kafka-application"
    httpserver.check_assertions()


def test_a_replacement_is_created_before_the_old_object_is_deleted(httpserver):
    """The engine's DiffResponse: replaces names the inputs; delete_before_replace False keeps the old
    object until the new one exists (pulumi/dynamic DiffResult)."""
    diff = sp.RetentionObjectProvider().diff("id", props(httpserver), props(httpserver, object_id="renamed"))
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, ["object_id"], False)
    assert httpserver.log == []  # a replacement needs no look at the server


def test_an_object_deleted_on_the_server_is_a_change(httpserver):
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", {"error": {"reason": "missing"}}, 404)
    diff = sp.RetentionObjectProvider().diff("id", props(httpserver), props(httpserver))
    assert (diff.changes, diff.replaces, diff.stables) == (True, [], ["engine", "kind", "object_id", "endpoint"])


@pytest.mark.parametrize("key,old,new", [("allow_delete", False, True), ("prod", True, False),
                                         ("adopt", False, True), ("username", "a", "b")])
def test_a_change_to_an_input_besides_the_body_is_a_change_in_place(httpserver, key, old, new):
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", stored_ilm(ILM))
    diff = sp.RetentionObjectProvider().diff("id", props(httpserver, **{key: old}), props(httpserver, **{key: new}))
    assert (diff.changes, diff.replaces) == (True, [])


@pytest.mark.parametrize("engine,kind,body", [("elasticsearch", "ilm_policy", ILM), ("opensearch", "ism_policy", ISM)])
def test_diff_against_a_silent_cluster_waits_for_one_short_attempt(capsys, engine, kind, body):
    """A server that accepts and never answers: diff gives up after one attempt of 3 s (DIFF_TIMEOUT_S), with
    either client (elasticsearch's request_timeout, opensearch-py's timeout; without it opensearch-py
    waits its default 10 s, and None waits for ever: the listener hangs up after 9 s)."""
    import time
    with silent_listener(9) as (port, accepted):
        p = {"engine": engine, "kind": kind, "object_id": "kafka-application", "body": body,
             "endpoint": f"http://127.0.0.1:{port}", "username": "u", "prod": True,
             "allow_delete": False, "ca_bundle": ""}
        started = time.monotonic()
        assert sp.RetentionObjectProvider().diff("id", p, p).changes is False
        took = time.monotonic() - started
    assert 2.5 < took < 4.5  # one attempt of 3 s
    assert len(accepted) == 1
    assert "drift not checked" in capsys.readouterr().err


def test_without_aws_credentials_sigv4_refuses_naming_what_the_deployer_needs(httpserver, monkeypatch):
    monkeypatch.setattr("boto3.Session.get_credentials", lambda self: None)
    p = props(httpserver, engine="opensearch", kind="ism_policy", object_id="kafka-security", body=ISM,
              sigv4_region="eu-west-1")
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().create(p)
    assert str(err.value) == (
        f"opensearch ism_policy 'kafka-security' on {p['endpoint']}: no AWS credentials to sign the request with "
        "(SigV4); run with the deployer's AWS credentials, which need es:ESHttp* and iam:PassRole on the snapshot "
        "role")


def test_an_unknown_object_kind_is_refused_before_anything_registers():
    with pytest.raises(ValueError) as err:
        sp.RetentionObject("x", engine="elasticsearch", kind="ism_policy", object_id="p", body={}, endpoint="http://e",
                           username="u", prod=False, allow_delete=False)
    assert str(err.value) == "unsupported elasticsearch object kind 'ism_policy'"


# --- Against the model server (tests/components/search_server.py), which refuses what the real
# servers refuse: every verb's requests, the monitor's lookups by id and by name, and the clients'
# own retries and timeouts -------------------------------------------------------------------------
from tests.components import alerting_server  # noqa: E402
from tests.components.search_server import SearchServer, json_call  # noqa: E402
from tests.components.test_search_convergence import OS_BODIES, serve, through_engine  # noqa: E402
from tests.components.test_search_detections import BRUTE  # noqa: E402

MONITORS = "/_plugins/_alerting/monitors"


def model_props(server_url: str, engine: str, kind: str, object_id: str, body: dict, **extra) -> dict:
    """Inputs as the engine hands them over (numbers as floats), for a dev stack unless told."""
    return through_engine({"engine": engine, "kind": kind, "object_id": object_id, "body": body,
                           "endpoint": server_url, "username": "kafka-monitoring", "prod": False,
                           "allow_delete": False, "ca_bundle": "", "adopt": False, **extra})


def _monitor_created(httpserver) -> tuple[SearchServer, dict, dict]:
    """(server, the monitor's inputs, its state after create)."""
    server = serve(httpserver, "opensearch")
    p = model_props(httpserver.url_for("/").rstrip("/"), "opensearch", "monitor", "kafka-sasl-brute-force", BRUTE)
    return server, p, sp.RetentionObjectProvider().create(p).outs


def test_the_model_server_refuses_a_method_sent_in_lower_case(httpserver):
    """Netty's HttpMethod.valueOf("post") is a new method, not POST (netty codec-http HttpMethod), so
    Netty4HttpRequest.method() throws "Unexpected http method: post" and RestController.tryAllHandlers
    answers 405 (handleUnsupportedHttpMethod; Elasticsearch 8 and OpenSearch 2 alike). Neither client
    upper-cases the method (elastic_transport 8.19 and opensearch-py 3.2 hand it to urllib3's
    connection pool as given; werkzeug upper-cases it on the server side, so the model reads the
    WSGI environ)."""
    serve(httpserver, "elasticsearch")
    url = httpserver.url_for("/_ilm/policy/kafka-application")
    assert json_call(url, "get") == (405, {"error": "Unexpected http method: get", "status": 405})
    assert json_call(url, "GET")[0] == 404  # the same request in capitals reaches the API: no such policy


def _ilm_deletes_later(body):
    body["policy"]["phases"]["delete"]["min_age"] = "91d"


def _ism_described(body):
    body["policy"]["description"] = "changed"


def _sm_described(body):
    body["description"] = "changed"


def _monitor_tightened(body):
    body["triggers"][0]["bucket_level_trigger"]["condition"]["script"]["source"] = "params._count >= 500"


@pytest.mark.parametrize("engine,kind,object_id,body,change", [
    ("elasticsearch", "ilm_policy", "kafka-application", retention.ilm_policy(S, snapshots=False), _ilm_deletes_later),
    ("opensearch", "ism_policy", retention.SECURITY_POLICY, ISM, _ism_described),
    ("opensearch", "sm_policy", retention.SM_POLICY, retention.sm_policy(S), _sm_described),
    ("opensearch", "monitor", "kafka-sasl-brute-force", BRUTE, _monitor_tightened),
], ids=["ilm", "ism", "sm", "monitor"])
def test_create_update_read_and_delete_each_send_methods_the_server_accepts(httpserver, engine, kind, object_id, body,
                                                                           change):
    """A whole life on a dev stack (create, a changed body updated, a refresh, a destroy) against a
    server that answers 405 to a method not sent in capitals: every step is accepted, the change is
    stored, and the object ends deleted."""
    server = serve(httpserver, engine)
    url = httpserver.url_for("/").rstrip("/")
    provider = sp.RetentionObjectProvider()
    created = provider.create(model_props(url, engine, kind, object_id, body))
    changed = json.loads(json.dumps(body))
    change(changed)
    new = model_props(url, engine, kind, object_id, changed)
    updated = provider.update(created.id, created.outs, new)
    assert provider.diff(created.id, updated.outs, new).changes is False  # the change is on the server
    assert provider.read(created.id, updated.outs).id == created.id
    provider.delete(created.id, updated.outs)
    assert {r.method for r in server.log} <= {"GET", "POST", "PUT", "DELETE"}
    assert server.objects == {} and [r.method for r in server.writes()][-1] == "DELETE"


def test_a_destroyed_monitor_is_deleted_by_the_id_the_server_gave_it(httpserver):
    """A monitor's path holds the server's generated id (state's server_id); one whose create never
    got an id has nothing on the server to delete, and nothing is asked."""
    server, p, outs = _monitor_created(httpserver)
    sp.RetentionObjectProvider().delete("opensearch/monitor/kafka-sasl-brute-force", outs)
    (delete,) = [r for r in server.log if r.method == "DELETE"]
    assert delete.path == f"{MONITORS}/{outs['server_id']}" and server.objects == {}
    requests = len(server.log)
    sp.RetentionObjectProvider().delete("opensearch/monitor/kafka-sasl-brute-force", p)  # no server_id
    assert len(server.log) == requests


def test_a_monitor_known_by_its_id_is_updated_and_read_there_beside_a_copy_of_its_name(httpserver):
    """Someone saves a copy of our monitor under the same name (Dashboards' "duplicate"). With our id in
    state nothing is looked up by name: the update and the refresh go to our monitor, and the copy is
    neither refused as a duplicate nor taken for ours."""
    server, p, outs = _monitor_created(httpserver)
    copy_id = alerting_server.handle(server, "POST", MONITORS, BRUTE, {})[0]["_id"]
    searches = len([r for r in server.log if r.path.endswith("/_search")])
    changed = json.loads(json.dumps(BRUTE))
    _monitor_tightened(changed)
    new = model_props(p["endpoint"], "opensearch", "monitor", "kafka-sasl-brute-force", changed)
    updated = sp.RetentionObjectProvider().update("opensearch/monitor/kafka-sasl-brute-force", outs, new)
    read = sp.RetentionObjectProvider().read("opensearch/monitor/kafka-sasl-brute-force", updated.outs)
    assert updated.outs["server_id"] == read.outs["server_id"] == outs["server_id"] != copy_id
    assert [r.path for r in server.log if r.method == "PUT"] == [f"{MONITORS}/{outs['server_id']}"]
    assert len([r for r in server.log if r.path.endswith("/_search")]) == searches
    trigger = server.objects[f"{MONITORS}/{copy_id}"]["triggers"][0]["bucket_level_trigger"]
    assert trigger["condition"]["script"]["source"] == BRUTE["triggers"][0]["bucket_level_trigger"][
        "condition"]["script"]["source"]


@pytest.mark.parametrize("status,message", [
    (403, "opensearch monitor 'kafka-sasl-brute-force' on {endpoint}: the user 'kafka-monitoring' was refused "
          "(HTTP 403); it needs the cluster permission cluster:admin/opendistro/alerting/monitor/*, and a valid "
          "password in OPENSEARCH_PASSWORD or the stack secret opensearchPassword"),
    (401, "opensearch monitor 'kafka-sasl-brute-force' on {endpoint}: the user 'kafka-monitoring' was refused "
          "(HTTP 401); it needs the cluster permission cluster:admin/opendistro/alerting/monitor/*, and a valid "
          "password in OPENSEARCH_PASSWORD or the stack secret opensearchPassword"),
    (500, "opensearch {endpoint}: POST /_plugins/_alerting/monitors/_search failed: HTTP 500: "
          "all shards failed"),
])
def test_a_refused_search_by_name_names_the_permission_and_a_failed_one_keeps_the_servers_reason(
        httpserver, status, message):
    """The name search is the monitor's first request: a security refusal there (the security
    plugin's 401/403 on cluster:admin/opendistro/alerting/monitor/search) says what the user needs,
    as every other refusal does; any other failure is reported as the server gave it."""
    server = serve(httpserver, "opensearch")
    error = ({"type": "security_exception", "reason": "no permissions for [cluster:admin/opendistro/alerting/"
                                                      "monitor/search]"} if status == 403 else
             {"type": "security_exception", "reason": "unable to authenticate"} if status == 401 else
             {"type": "search_phase_execution_exception", "reason": "all shards failed"})
    server.script.append(("POST", f"{MONITORS}/_search", status, {"error": error, "status": status}))
    p = model_props(httpserver.url_for("/").rstrip("/"), "opensearch", "monitor", "kafka-sasl-brute-force", BRUTE)
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().create(p)
    assert (str(err.value), err.value.status) == (message.format(endpoint=p["endpoint"]), status)
    assert server.writes()[-1].path == f"{MONITORS}/_search" and server.objects == {}


def test_two_monitors_of_one_name_are_refused_naming_both_ids_and_what_to_do(httpserver):
    server = serve(httpserver, "opensearch")
    ids = sorted(alerting_server.handle(server, "POST", MONITORS, BRUTE, {})[0]["_id"] for _ in range(2))
    p = model_props(httpserver.url_for("/").rstrip("/"), "opensearch", "monitor", "kafka-sasl-brute-force", BRUTE)
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().create(p)
    assert str(err.value) == (
        f"opensearch monitor 'kafka-sasl-brute-force' on {p['endpoint']}: 2 objects have this name "
        f"({ids[0]}, {ids[1]}); delete all but one, or import one by its id, before the stack manages it")


def test_every_error_of_a_failed_dry_run_is_in_the_message(httpserver):
    """MonitorRunResult (common-utils 2.17.0.0) carries an input error and one per trigger; the write
    fails naming each, so one fix does not reveal the next only on the following run."""
    server, p, outs = _monitor_created(httpserver)
    path = f"{MONITORS}/{outs['server_id']}"
    server.script.append(("POST", f"{path}/_execute", 200, {
        "monitor_name": "kafka-sasl-brute-force", "period_start": 1, "period_end": 2, "error": None,
        "input_results": {"results": [], "error": "index_not_found_exception: no such index [kafka-security-*]"},
        "trigger_results": {"kafka-sasl-brute-force": {"name": "kafka-sasl-brute-force",
                                                       "error": "No aggregation found for path [by_client]",
                                                       "agg_result_buckets": {}}}}))
    changed = json.loads(json.dumps(BRUTE))
    _monitor_tightened(changed)
    new = model_props(p["endpoint"], "opensearch", "monitor", "kafka-sasl-brute-force", changed)
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().update("opensearch/monitor/kafka-sasl-brute-force", outs, new)
    assert str(err.value) == (
        f"opensearch monitor 'kafka-sasl-brute-force' on {p['endpoint']} was written but its dry run failed: "
        "index_not_found_exception: no such index [kafka-security-*]; "
        "trigger kafka-sasl-brute-force: No aggregation found for path [by_client]")


def test_a_server_error_whose_reason_is_null_is_reported_by_its_type(httpserver):
    """ElasticsearchException.innerToXContent writes `reason` as the exception's message, which is null
    for a NullPointerException: the message must still say what failed."""
    server = serve(httpserver, "elasticsearch")
    npe = {"type": "null_pointer_exception", "reason": None}
    server.script.append(("GET", "/_ilm/policy/kafka-application", 500,
                          {"error": {"root_cause": [npe], **npe}, "status": 500}))
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().read("elasticsearch/ilm_policy/kafka-application", props(httpserver))
    assert err.value.status == 500 and "'type': 'null_pointer_exception'" in str(err.value)
    assert str(err.value).startswith(f"elasticsearch {props(httpserver)['endpoint']}: GET /_ilm/policy/"
                                     "kafka-application failed: HTTP 500: {")


def test_a_body_the_server_already_holds_is_no_change_whatever_state_says(httpserver):
    """diff compares our inputs with the server, not with state: after the same change was applied by
    hand (an incident fix), the preview shows nothing to do; a body state and inputs agree on but the
    server lost is a change."""
    server = serve(httpserver, "elasticsearch")
    url = httpserver.url_for("/").rstrip("/")
    body = retention.ilm_policy(S, snapshots=False)
    created = sp.RetentionObjectProvider().create(model_props(url, "elasticsearch", "ilm_policy", "kafka-application",
                                                              body))
    hotfix = json.loads(json.dumps(body))
    hotfix["policy"]["phases"]["delete"]["min_age"] = "30d"
    json_call(f"{url}/_ilm/policy/kafka-application", "PUT", hotfix)
    new = model_props(url, "elasticsearch", "ilm_policy", "kafka-application", hotfix)
    assert sp.RetentionObjectProvider().diff(created.id, created.outs, new).changes is False
    del server.objects["/_ilm/policy/kafka-application"]
    assert sp.RetentionObjectProvider().diff(created.id, new, new).changes is True


def test_without_any_password_the_user_is_sent_with_an_empty_one_and_told_where_to_set_it(httpserver, monkeypatch):
    """No password in the environment or the stack config: basic auth carries the user and an empty
    password (nothing made up), which the server refuses; the refusal names both places to set one."""
    monkeypatch.delenv("ELASTICSEARCH_PASSWORD")
    monkeypatch.setattr(sp, "_stack_config", None)
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application",
            {"error": {"type": "security_exception", "reason": "unable to authenticate user [kafka-monitoring]"},
             "status": 401}, 401)
    with pytest.raises(sp.SearchApiError, match="a valid password in ELASTICSEARCH_PASSWORD or the stack secret "
                                                "elasticsearchPassword"):
        sp.RetentionObjectProvider().create(props(httpserver))
    auth = httpserver.log[0][0].headers["Authorization"]
    assert base64.b64decode(auth.split()[1]).decode() == "kafka-monitoring:"


@pytest.mark.parametrize("engine,kind,body", [("elasticsearch", "ilm_policy", ILM), ("opensearch", "ism_policy", ISM)])
def test_a_cluster_that_hangs_up_is_tried_only_as_often_as_our_own_policy_says(no_waiting, engine, kind, body):
    """Both clients retry a dropped connection by themselves, 3 more times by default (elastic_transport
    8.19 Transport.perform_request, opensearch-py 3.2 Transport.perform_request: a ConnectionError is
    always retried up to max_retries). Ours is the only retry: diff makes exactly one connection,
    create six (MAX_ATTEMPTS) with the capped backoff between them."""
    with hanging_up_listener(5) as (port, accepted):
        p = {"engine": engine, "kind": kind, "object_id": "kafka-application", "body": body,
             "endpoint": f"http://127.0.0.1:{port}", "username": "u", "prod": True,
             "allow_delete": False, "ca_bundle": ""}
        assert sp.RetentionObjectProvider().diff("id", p, p).changes is False
        assert len(accepted) == 1
        with pytest.raises(sp.SearchApiError, match="HTTP connection"):
            sp.RetentionObjectProvider().create(p)
        assert len(accepted) == 1 + 6
    assert no_waiting == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_the_registered_resource_carries_this_provider_and_the_inputs_it_reads(httpserver):
    """The resource as the engine registers it (the SDK under the harness's mocks): `__provider` is this
    provider, pickled (pulumi.dynamic.Resource serialises it; the dynamic host unpickles and calls it),
    and the inputs, defaults included, are what it reads: the dynamic host applies them as given."""
    from tests.components.dynamic_registration import registered

    endpoint = httpserver.url_for("/").rstrip("/")
    body = retention.ilm_policy(S, snapshots=False)
    inputs, provider = registered(lambda: sp.RetentionObject(
        "ilm", engine="elasticsearch", kind="ilm_policy", object_id="kafka-application", body=body,
        endpoint=endpoint, username="kafka-monitoring", prod=False, allow_delete=True))
    assert inputs == {"engine": "elasticsearch", "kind": "ilm_policy", "object_id": "kafka-application",
                      "body": body, "endpoint": endpoint, "username": "kafka-monitoring", "prod": False,
                      "allow_delete": True, "ca_bundle": "", "adopt": False}
    assert isinstance(provider, sp.RetentionObjectProvider)
    server = serve(httpserver, "elasticsearch")
    provider.create(through_engine(inputs))
    assert [(w.method, w.path) for w in server.writes()] == [("PUT", "/_ilm/policy/kafka-application")]
