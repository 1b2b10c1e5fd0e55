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
from tests.components.silent_listener import silent_listener
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
    assert (diff.changes, diff.replaces, diff.stables) == (True, [], list(sp.REPLACE_ON))


@pytest.mark.parametrize("key,old,new", [("allow_delete", False, True), ("prod", True, False),
                                         ("adopt", False, True), ("username", "a", "b")])
def test_a_change_to_an_input_besides_the_body_is_a_change_in_place(httpserver, key, old, new):
    es_json(httpserver, "GET", "/_ilm/policy/kafka-application", stored_ilm(ILM))
    diff = sp.RetentionObjectProvider().diff("id", props(httpserver, **{key: old}), props(httpserver, **{key: new}))
    assert (diff.changes, diff.replaces) == (True, [])


def test_diff_against_a_silent_cluster_waits_for_one_short_attempt(capsys):
    """A server that accepts and never answers: diff gives up after one attempt of DIFF_TIMEOUT_S."""
    import time
    with silent_listener(sp.DIFF_TIMEOUT_S * 3) as (port, accepted):
        p = {"engine": "elasticsearch", "kind": "ilm_policy", "object_id": "kafka-application", "body": ILM,
             "endpoint": f"http://127.0.0.1:{port}", "username": "u", "prod": True,
             "allow_delete": False, "ca_bundle": ""}
        started = time.monotonic()
        assert sp.RetentionObjectProvider().diff("id", p, p).changes is False
        took = time.monotonic() - started
    assert sp.DIFF_TIMEOUT_S - 0.5 < took < sp.DIFF_TIMEOUT_S + 1.5
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
