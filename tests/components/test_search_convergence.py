"""The retention provider converges on servers that answer as the real ones do.

Inputs pass through `pulumi.runtime.rpc` serialise/deserialise exactly as `pulumi up` hands them
to a dynamic provider (rpc.py: every int becomes `number_value=float(value)`; pulumi/dynamic's
provider host deserialises request.properties/olds/news). The server is
tests/components/search_server.py: realistic GET bodies and the servers' refusals, with sources.
"""
from __future__ import annotations

import asyncio
import json
import time
import urllib.request

import pytest
from pulumi.runtime import rpc

from components import search_provider as sp
from harness.tools import free_port
from content import retention
from tests.components.search_server import SearchServer, json_call
from tests.conftest import make_settings

S = make_settings("prod")
ES_BODIES = {
    ("ilm_policy", retention.APP_POLICY): retention.ilm_policy(S, snapshots=False),
    ("index_template", retention.APP_POLICY): retention.es_index_templates(S, retention.APPLICATION)["kafka-application"],
    ("snapshot_repository", retention.ES_REPOSITORY): retention.es_repository("bucket-x"),
    ("slm_policy", retention.SLM_POLICY): retention.slm_policy(S),
}
OS_BODIES = {
    ("ism_policy", retention.SECURITY_POLICY): retention.ism_policy(S),
    ("index_template", retention.SECURITY_POLICY): retention.os_index_template(S),
    ("sm_policy", retention.SM_POLICY): retention.sm_policy(S),
}
CASES = [("elasticsearch", k, i, b) for (k, i), b in ES_BODIES.items()] + \
        [("opensearch", k, i, b) for (k, i), b in OS_BODIES.items()]


def through_engine(props: dict) -> dict:
    """What the dynamic provider host receives for these inputs."""
    struct = asyncio.new_event_loop().run_until_complete(rpc.serialize_properties(props, {}))
    return rpc.deserialize_properties(struct)


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setattr(sp, "sleep", lambda s: None)
    monkeypatch.setenv("ELASTICSEARCH_PASSWORD", "es-pass")
    monkeypatch.setenv("OPENSEARCH_PASSWORD", "os-pass")


def serve(httpserver, engine: str, repository: str | None = None) -> SearchServer:
    """A model server; with `repository`, holding that repository already (an SLM policy names one)."""
    server = SearchServer(engine) if repository is None else SearchServer(engine).holds_repository(repository)
    httpserver.expect_request("").respond_with_handler(server.handler)
    return server


def props(httpserver, engine, kind, object_id, body, **extra) -> dict:
    return through_engine({"engine": engine, "kind": kind, "object_id": object_id, "body": body,
                           "endpoint": httpserver.url_for("/").rstrip("/"), "username": "kafka-monitoring",
                           "prod": True, "allow_delete": False, "ca_bundle": "", "adopt": False, **extra})


def test_the_engine_hands_the_provider_floats():
    """The premise: under the engine an int arrives as a float."""
    got = through_engine({"body": {"index.number_of_shards": 3}})
    assert got["body"]["index.number_of_shards"] == 3.0 and isinstance(got["body"]["index.number_of_shards"], float)


def test_the_server_refuses_a_float_where_an_integer_setting_is_expected(httpserver):
    """The model's refusal, sent raw: what every template PUT met before normalisation."""
    serve(httpserver, "elasticsearch")
    body = json.dumps({"index_patterns": ["x-*"], "template": {"settings": {"index.number_of_shards": 3.0}}})
    request = urllib.request.Request(httpserver.url_for("/_index_template/x"), data=body.encode(), method="PUT",
                                     headers={"content-type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)
    assert err.value.code == 400 and b"Failed to parse value [3.0]" in err.value.read()


@pytest.mark.parametrize("engine,kind,object_id,body", CASES, ids=lambda c: c if isinstance(c, str) else None)
def test_round_trip_converges(httpserver, engine, kind, object_id, body):
    """Create through the engine is accepted; then create, update and diff of the same body write
    nothing and report no change; a real change shows its exact path and is written."""
    server = serve(httpserver, engine, body.get("repository") if kind == "slm_policy" else None)
    provider = sp.RetentionObjectProvider()
    p = props(httpserver, engine, kind, object_id, body)
    provider.create(p)
    (put,) = server.writes()
    assert put.method == ("POST" if kind == "sm_policy" else "PUT")  # SM creates with POST
    assert "3.0" not in put.raw and ".0," not in put.raw
    provider.create(p)
    provider.update("id", p, p)
    assert provider.diff("id", p, p).changes is False
    assert len(server.writes()) == 1, [w.path for w in server.writes()]


@pytest.mark.parametrize("engine,kind,object_id,body,change,path", [
    ("elasticsearch", "ilm_policy", retention.APP_POLICY, ES_BODIES[("ilm_policy", retention.APP_POLICY)],
     lambda b: b["policy"]["phases"]["delete"].update(min_age="30d"), "policy.phases.delete.min_age"),
    ("elasticsearch", "index_template", retention.APP_POLICY, ES_BODIES[("index_template", retention.APP_POLICY)],
     lambda b: b["template"]["settings"].update({"index.number_of_shards": 6}), "template.settings.index.number_of_shards"),
    ("opensearch", "ism_policy", retention.SECURITY_POLICY, OS_BODIES[("ism_policy", retention.SECURITY_POLICY)],
     lambda b: b["policy"]["states"][1]["transitions"][0]["conditions"].update(min_rollover_age="30d"),
     "policy.states.1.transitions.0.conditions.min_rollover_age"),
    ("opensearch", "sm_policy", retention.SM_POLICY, OS_BODIES[("sm_policy", retention.SM_POLICY)],
     lambda b: b["deletion"]["condition"].update(max_age="30d"), "deletion.condition.max_age"),
])
def test_a_real_change_shows_its_exact_path_and_is_written(httpserver, engine, kind, object_id, body, change, path):
    server = serve(httpserver, engine)
    provider = sp.RetentionObjectProvider()
    old = props(httpserver, engine, kind, object_id, body)
    provider.create(old)
    new_body = json.loads(json.dumps(body))
    change(new_body)
    new = props(httpserver, engine, kind, object_id, new_body)
    assert provider.diff("id", old, new).changes is True
    stored = server.objects[sp.KINDS[(engine, kind)].path.format(id=object_id)]
    stored = {"policy": stored} if kind in ("ilm_policy", "ism_policy") else stored
    assert sp.changed_paths(sp.KINDS[(engine, kind)], new["body"], stored) == [path]
    provider.update("id", old, new)
    assert len(server.writes()) == 2


def test_drift_on_the_server_shows_as_a_diff(httpserver):
    server = serve(httpserver, "elasticsearch")
    provider = sp.RetentionObjectProvider()
    p = props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", ES_BODIES[("ilm_policy", "kafka-application")])
    provider.create(p)
    server.objects["/_ilm/policy/kafka-application"]["phases"]["delete"]["min_age"] = "7d"  # someone edits it
    assert provider.diff("id", p, p).changes is True
    assert provider.read("elasticsearch/ilm_policy/kafka-application", p).outs["body"]["policy"]["phases"][
        "delete"]["min_age"] == "7d"


def test_create_refuses_to_overwrite_a_different_object_unless_adoption_is_allowed(httpserver):
    server = serve(httpserver, "elasticsearch")
    body = ES_BODIES[("ilm_policy", "kafka-application")]
    foreign = json.loads(json.dumps(body))
    foreign["policy"]["phases"]["delete"]["min_age"] = "400d"
    sp.RetentionObjectProvider().create(props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", foreign))
    with pytest.raises(sp.SearchApiError, match=r"'kafka-application' .* already exists and differs at "
                                                r"policy\.phases\.delete\.min_age"):
        sp.RetentionObjectProvider().create(props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", body))
    assert len(server.writes()) == 1
    sp.RetentionObjectProvider().create(props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", body,
                                              adopt=True))
    assert server.objects["/_ilm/policy/kafka-application"]["phases"]["delete"]["min_age"] == "90d"


@pytest.mark.parametrize("status", [401, 403])
@pytest.mark.parametrize("verb", ["diff", "create"])
def test_refused_credentials_fail_loudly_naming_cluster_and_privilege(httpserver, status, verb):
    server = serve(httpserver, "elasticsearch")
    server.script.append(("GET", "/_ilm/policy/kafka-application", status,
                          {"error": {"type": "security_exception", "reason": "unable to authenticate"}}))
    p = props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", ES_BODIES[("ilm_policy", "kafka-application")])
    call = {"diff": lambda: sp.RetentionObjectProvider().diff("id", p, p),
            "create": lambda: sp.RetentionObjectProvider().create(p)}[verb]
    with pytest.raises(sp.SearchApiError, match=rf"{httpserver.url_for('/').rstrip('/')}.*HTTP {status}.*manage_ilm"):
        call()


def test_an_unreachable_cluster_costs_one_short_attempt_during_diff(capsys):
    port = free_port()
    body = ES_BODIES[("ilm_policy", "kafka-application")]
    p = through_engine({"engine": "elasticsearch", "kind": "ilm_policy", "object_id": "kafka-application",
                        "body": body, "endpoint": f"http://127.0.0.1:{port}", "username": "u", "prod": True,
                        "allow_delete": False, "ca_bundle": "", "adopt": False})
    started = time.monotonic()
    assert sp.RetentionObjectProvider().diff("id", p, p).changes is False
    assert time.monotonic() - started < 4  # one attempt of at most 3 s
    assert "drift not checked for elasticsearch ilm_policy 'kafka-application'" in capsys.readouterr().err


def test_an_ism_conflict_is_retried_with_the_seq_no_it_re_read(httpserver):
    """Someone else writes between our GET and our PUT (a real write: the stored _seq_no moves on),
    so our PUT with the sequence number we read meets 409, and only one with the re-read number
    passes: a retry that reused the stale one would meet 409 again, every time."""
    server, p, new = _ism_created_and_changed(httpserver)
    path = f"/_plugins/_ism/policies/{retention.SECURITY_POLICY}"
    theirs = json.loads(json.dumps(OS_BODIES[("ism_policy", retention.SECURITY_POLICY)]))
    theirs["policy"]["description"] = "theirs"
    server.interleave.append(("PUT", path, lambda s: s._store(path, theirs, {"if_seq_no": "0", "if_primary_term": "1"})))
    sp.RetentionObjectProvider().update("id", p, new)
    puts = [r for r in server.log if r.method == "PUT"]
    assert [(r.query.get("if_seq_no"), r.query.get("if_primary_term")) for r in puts] == [
        (None, None), ("0", "1"), ("1", "1")]
    assert server.objects[path]["description"] == "changed" and server.seq[path] == (2, 1)


def test_a_vanished_object_reads_as_gone_and_deletes_without_error(httpserver):
    serve(httpserver, "elasticsearch")
    p = props(httpserver, "elasticsearch", "slm_policy", "nightly-kafka-application",
              ES_BODIES[("slm_policy", "nightly-kafka-application")])
    result = sp.RetentionObjectProvider().read("elasticsearch/slm_policy/nightly-kafka-application", p)
    assert (result.id, result.outs) == ("", {})
    sp.RetentionObjectProvider().delete("elasticsearch/slm_policy/nightly-kafka-application", {})


def test_an_import_reads_the_object_from_its_id(httpserver):
    server = serve(httpserver, "elasticsearch")
    body = ES_BODIES[("snapshot_repository", "kafka-application-archive")]
    sp.RetentionObjectProvider().create(props(httpserver, "elasticsearch", "snapshot_repository",
                                              "kafka-application-archive", body))
    bare = {"endpoint": httpserver.url_for("/").rstrip("/"), "username": "kafka-monitoring"}
    result = sp.RetentionObjectProvider().read("elasticsearch/snapshot_repository/kafka-application-archive", bare)
    assert result.id == "elasticsearch/snapshot_repository/kafka-application-archive"
    assert result.outs["body"] == server.objects["/_snapshot/kafka-application-archive"]
    assert (result.outs["engine"], result.outs["kind"], result.outs["object_id"]) == (
        "elasticsearch", "snapshot_repository", "kafka-application-archive")


def test_each_object_is_refused_before_the_one_it_names_so_repository_slm_ilm_go_in_that_order(httpserver):
    """Elasticsearch refuses an ILM policy whose wait_for_snapshot names a missing SLM policy
    (WaitForSnapshotAction), and an SLM policy whose repository is missing
    (SnapshotLifecycleService.validateRepositoryExists: "no such repository [..]")."""
    server = SearchServer("elasticsearch")
    httpserver.expect_request("").respond_with_handler(server.handler)
    provider = sp.RetentionObjectProvider()
    ilm = props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", retention.ilm_policy(S))
    slm = props(httpserver, "elasticsearch", "slm_policy", retention.SLM_POLICY, retention.slm_policy(S))
    with pytest.raises(sp.SearchApiError, match="no such snapshot lifecycle policy"):
        provider.create(ilm)
    with pytest.raises(sp.SearchApiError, match=r"no such repository \[kafka-application-archive\]"):
        provider.create(slm)
    provider.create(props(httpserver, "elasticsearch", "snapshot_repository", retention.ES_REPOSITORY,
                          retention.es_repository("bucket-x")))
    provider.create(slm)
    provider.create(ilm)
    assert [w.path for w in server.writes() if w.method == "PUT"][-3:] == [
        "/_snapshot/kafka-application-archive", "/_slm/policy/nightly-kafka-application", "/_ilm/policy/kafka-application"]


def _aws_env(monkeypatch, key="AKIDKAFKAMONITORING", secret="secret-LEAKCHECK"):
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")


def test_amazon_opensearch_service_requests_are_sigv4_signed_and_verify(httpserver, monkeypatch):
    """opensearch-py's Urllib3AWSV4SignerAuth signs; the server recomputes each signature with botocore."""
    _aws_env(monkeypatch)
    server = serve(httpserver, "opensearch")
    server.sigv4 = ("AKIDKAFKAMONITORING", "secret-LEAKCHECK", "eu-west-1")
    body = {"type": "s3", "settings": {"bucket": "b", "base_path": "opensearch", "region": "eu-west-1",
                                       "role_arn": "arn:aws:iam::123456789012:role/snapshots"}}
    p = props(httpserver, "opensearch", "snapshot_repository", "kafka-security-archive", body, sigv4_region="eu-west-1")
    sp.RetentionObjectProvider().create(p)
    assert [w.body for w in server.writes()] == [body]
    assert server.signed and all("/eu-west-1/es/aws4_request" in a for a in server.signed)
    assert all("Basic" not in a for a in server.signed)


@pytest.mark.parametrize("key,secret", [("AKIDSOMEONEELSE", "secret-LEAKCHECK"),   # another identity
                                        ("AKIDKAFKAMONITORING", "wrong-LEAKCHECK")])  # a wrong secret
def test_a_wrong_aws_identity_is_refused_loudly_naming_pass_role(httpserver, monkeypatch, key, secret):
    _aws_env(monkeypatch, key=key, secret=secret)
    server = serve(httpserver, "opensearch")
    server.sigv4 = ("AKIDKAFKAMONITORING", "secret-LEAKCHECK", "eu-west-1")
    p = props(httpserver, "opensearch", "snapshot_repository", "kafka-security-archive",
              {"type": "s3", "settings": {"bucket": "b"}}, sigv4_region="eu-west-1")
    with pytest.raises(sp.SearchApiError, match="HTTP 403.*iam:PassRole") as err:
        sp.RetentionObjectProvider().create(p)
    assert "LEAKCHECK" not in str(err.value)
    assert err.value.status == 403
    assert str(err.value) == (
        f"opensearch snapshot_repository 'kafka-security-archive' on {p['endpoint']}: the AWS identity running "
        "`pulumi up` was refused (HTTP 403); it needs the cluster permission cluster:admin/repository/* "
        "(es:ESHttp* on the domain), and iam:PassRole on the snapshot role to register the repository")


@pytest.mark.parametrize("engine,kind,object_id,privilege,variable,secret", [
    ("elasticsearch", "ilm_policy", "kafka-application", "cluster privilege manage_ilm", "ELASTICSEARCH_PASSWORD",
     "elasticsearchPassword"),
    ("opensearch", "ism_policy", "kafka-security", "cluster permission cluster:admin/opendistro/ism/*",
     "OPENSEARCH_PASSWORD", "opensearchPassword"),
])
def test_a_refused_user_is_told_which_privilege_and_which_password(httpserver, engine, kind, object_id, privilege,
                                                                   variable, secret):
    server = serve(httpserver, engine)
    path = sp.KINDS[(engine, kind)].path.format(id=object_id)
    server.script.append(("GET", path, 401, {"error": {"type": "security_exception", "reason": "unable to authenticate"}}))
    p = props(httpserver, engine, kind, object_id, {"policy": {}})
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().create(p)
    assert err.value.status == 401
    assert str(err.value) == (f"{engine} {kind} {object_id!r} on {p['endpoint']}: the user 'kafka-monitoring' was "
                              f"refused (HTTP 401); it needs the {privilege}, and a valid password in {variable} or "
                              f"the stack secret {secret}")


# --- every status on every verb (Elasticsearch 8 / OpenSearch 2 REST conventions: 404 for a missing
# object on GET and DELETE, 409 version conflict, 401/403 security refusals, 429 and 502-504
# transient, any other 5xx a server fault) -----------------------------------------------------
ILM_PATH = "/_ilm/policy/kafka-application"
ILM_BODY = ES_BODIES[("ilm_policy", retention.APP_POLICY)]
ERROR = {"error": {"type": "x", "reason": "the server's reason"}, "status": 0}
RETRIED = (429, 502, 503, 504)


@pytest.mark.parametrize("verb,status,outcome", [
    ("GET", 404, "created"),          # missing: create writes it
    ("GET", 401, "auth"), ("GET", 403, "auth"),
    ("GET", 500, "fails"),
    *[("GET", s, "created") for s in RETRIED],   # retried, then the object is missing and written
    ("PUT", 200, "created"), ("PUT", 201, "created"),
    ("PUT", 404, "fails"),            # a PUT answered 404 is not a success
    ("PUT", 409, "fails"),            # ILM has no versions: a conflict is not retried
    ("PUT", 401, "auth"), ("PUT", 403, "auth"), ("PUT", 500, "fails"),
    *[("PUT", s, "created") for s in RETRIED],
])
def test_create_on_each_status_of_each_verb(httpserver, verb, status, outcome):
    server = serve(httpserver, "elasticsearch")
    if verb == "PUT" and status in (200, 201):
        server.script.append(("PUT", ILM_PATH, status, {"acknowledged": True}))
    else:
        server.script.append((verb, ILM_PATH, status, {**ERROR, "status": status}))
    provider = sp.RetentionObjectProvider()
    p = props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", ILM_BODY)
    if outcome == "created":
        provider.create(p)
        assert any(w.method == "PUT" for w in server.writes())
    elif outcome == "auth":
        with pytest.raises(sp.SearchApiError, match=f"HTTP {status}.*manage_ilm"):
            provider.create(p)
    else:
        with pytest.raises(sp.SearchApiError, match=f"HTTP {status}.*the server's reason"):
            provider.create(p)


def _ism_created_and_changed(httpserver):
    """(server, the ISM policy's props as created, props with its description changed)."""
    server = serve(httpserver, "opensearch")
    body = OS_BODIES[("ism_policy", retention.SECURITY_POLICY)]
    p = props(httpserver, "opensearch", "ism_policy", retention.SECURITY_POLICY, body)
    sp.RetentionObjectProvider().create(p)
    changed = json.loads(json.dumps(body))
    changed["policy"]["description"] = "changed"
    return server, p, props(httpserver, "opensearch", "ism_policy", retention.SECURITY_POLICY, changed)


@pytest.mark.parametrize("status,attempts", [(409, 2), (200, 1)])
def test_an_ism_conflict_is_re_read_and_retried(httpserver, status, attempts):
    server, p, new = _ism_created_and_changed(httpserver)
    if status == 409:  # someone else wrote between our read and our write
        server.script.append(("PUT", f"/_plugins/_ism/policies/{retention.SECURITY_POLICY}", 409,
                              {"error": {"type": "version_conflict_engine_exception", "reason": "conflict"}}))
    sp.RetentionObjectProvider().update("id", p, new)
    puts = [w for w in server.log if w.method == "PUT"]
    assert len(puts) == 1 + attempts


@pytest.mark.parametrize("env,allow,status,deleted", [
    ("prod", False, None, False),     # prod keeps its retention objects
    ("prod", True, 200, True),
    ("dev", False, 200, True),
    ("dev", False, 404, True),        # already gone: nothing to do
])
def test_delete_guard_per_environment_and_a_vanished_object(httpserver, capsys, env, allow, status, deleted):
    server = serve(httpserver, "elasticsearch")
    if status:
        server.script.append(("DELETE", ILM_PATH, status, {"acknowledged": True} if status == 200 else ERROR))
    p = props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", ILM_BODY,
              prod=env == "prod", allow_delete=allow)
    sp.RetentionObjectProvider().delete("elasticsearch/ilm_policy/kafka-application", p)
    assert any(w.method == "DELETE" for w in server.log) is deleted
    kept = ("kafka-monitoring: kept elasticsearch/ilm_policy/kafka-application (prod retention objects are not "
            "deleted; set allowRetentionDelete to change that)\n")
    assert capsys.readouterr().err == (kept if not deleted else "")


def test_a_conflict_that_never_clears_is_tried_a_bounded_number_of_times(httpserver):
    server, p, new = _ism_created_and_changed(httpserver)
    path = f"/_plugins/_ism/policies/{retention.SECURITY_POLICY}"
    server.script += [("PUT", path, 409, {"error": {"type": "version_conflict_engine_exception", "reason": "c"}})] * 10
    with pytest.raises(sp.SearchApiError, match="HTTP 409"):
        sp.RetentionObjectProvider().update("id", p, new)
    # the create, then the update's first try and its 3 retries after re-reading the sequence number
    assert len([w for w in server.log if w.method == "PUT"]) == 5


def test_create_refuses_naming_every_path_that_differs(httpserver):
    serve(httpserver, "elasticsearch")
    body = ES_BODIES[("ilm_policy", "kafka-application")]
    foreign = json.loads(json.dumps(body))
    foreign["policy"]["phases"]["delete"]["min_age"] = "400d"
    foreign["policy"]["phases"]["warm"]["min_age"] = "9d"
    sp.RetentionObjectProvider().create(props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", foreign))
    p = props(httpserver, "elasticsearch", "ilm_policy", "kafka-application", body)
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().create(p)
    assert str(err.value) == (
        f"elasticsearch ilm_policy 'kafka-application' on {p['endpoint']} already exists and differs at "
        "policy.phases.delete.min_age, policy.phases.warm.min_age; it is not overwritten (set "
        "adoptExistingRetention to take it over)")


def test_create_and_update_hand_the_engine_the_inputs_as_the_program_meant_them(httpserver):
    serve(httpserver, "elasticsearch")
    p = props(httpserver, "elasticsearch", "index_template", retention.APP_POLICY,
              ES_BODIES[("index_template", retention.APP_POLICY)])
    created = sp.RetentionObjectProvider().create(p)
    assert created.id == f"elasticsearch/index_template/{retention.APP_POLICY}"
    assert created.outs == sp._props(p) and created.outs["body"] == ES_BODIES[("index_template", retention.APP_POLICY)]
    assert sp.RetentionObjectProvider().update(created.id, p, p).outs == created.outs


@pytest.mark.parametrize("engine,status,body,reason", [
    ("elasticsearch", 400, {"error": {"type": "x", "reason": "[forcemerge] unknown field"}}, "[forcemerge] unknown field"),
    ("opensearch", 400, {"error": {"type": "x", "reason": "Invalid policy"}}, "Invalid policy"),
    ("opensearch", 400, {"error": "a bare string error"}, "a bare string error"),
    ("opensearch", 413, {"message": "Request size exceeded 10485760 bytes"},    # Amazon OpenSearch Service's
     "{'message': 'Request size exceeded 10485760 bytes'}"),                   # own errors carry no `error`
    ("opensearch", 403, {"message": "The security token included in the request is invalid."}, ""),
    ("elasticsearch", 500, "upstream proxy failure", "upstream proxy failure"),  # a proxy's plain-text page
])
def test_each_engines_error_reaches_the_message_with_the_servers_reason(httpserver, engine, status, body, reason):
    server = serve(httpserver, engine)
    kind, object_id = ("ilm_policy", "kafka-application") if engine == "elasticsearch" else ("ism_policy", "kafka-security")
    path = sp.KINDS[(engine, kind)].path.format(id=object_id)
    server.script.append(("GET", path, status, body))
    p = props(httpserver, engine, kind, object_id, {"policy": {}})
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().read("id", p)
    assert err.value.status == status
    if status in (401, 403):  # a refusal is reworded to name the privilege: see the refusal tests
        assert str(err.value).startswith(f"{engine} {kind} {object_id!r} on {p['endpoint']}: the user")
    else:
        assert str(err.value) == f"{engine} {p['endpoint']}: GET {path} failed: HTTP {status}: {reason}"


def test_a_connection_failure_names_the_clients_reason(monkeypatch):
    monkeypatch.setattr(sp, "sleep", lambda s: None)
    port = free_port()
    p = through_engine({"engine": "opensearch", "kind": "ism_policy", "object_id": "kafka-security", "body": {},
                        "endpoint": f"http://127.0.0.1:{port}", "username": "u", "prod": True,
                        "allow_delete": False, "ca_bundle": "", "adopt": False})
    with pytest.raises(sp.SearchApiError) as err:
        sp.RetentionObjectProvider().read("id", p)
    assert err.value.status is None
    message = str(err.value)
    assert message.startswith(f"opensearch http://127.0.0.1:{port}: GET /_plugins/_ism/policies/kafka-security failed: "
                              "HTTP connection: ")
    assert "None" not in message and ("refused" in message.lower() or "connect" in message.lower())


def test_repository_settings_compare_as_the_server_echoes_them(httpserver):
    """Snapshot repository settings come back as strings, booleans lower-case, nested settings too."""
    serve(httpserver, "elasticsearch")
    body = {"type": "s3", "settings": {"bucket": "b", "compress": False, "readonly": True, "max_snapshot_bytes_per_sec": 40,
                                       "client": {"name": "default", "retries": [1, 2]}}}
    have = {"type": "s3", "settings": {"bucket": "b", "compress": "false", "readonly": "true",
                                       "max_snapshot_bytes_per_sec": "40",
                                       "client": {"name": "default", "retries": ["1", "2"]}}}
    kind = sp.KINDS[("elasticsearch", "snapshot_repository")]
    assert sp.changed_paths(kind, body, have) == []
    assert sp.changed_paths(kind, {**body, "settings": {**body["settings"], "compress": True}}, have) == [
        "settings.compress"]
    assert sp.changed_paths(kind, body, {**have, "settings": {**have["settings"], "client": {
        "name": "default", "retries": ["1", "3"]}}}) == ["settings.client.retries.1"]


def test_a_path_on_one_side_only_is_a_change_even_when_null():
    kind = sp.KINDS[("elasticsearch", "slm_policy")]
    assert sp.changed_paths(kind, {"a": 1}, {"a": 1, "b": None}) == ["b"]
    assert sp.changed_paths(kind, {"a": 1, "b": None}, {"a": 1}) == ["b"]
    assert sp.changed_paths(kind, {"a": 1}, {"a": 1, "c": {"d": 2}}) == ["c.d"]


SM_PATH = f"/_plugins/_sm/policies/{retention.SM_POLICY}"


def _post(httpserver, path: str, query: str = "", body: dict | None = None) -> tuple[int, dict]:
    """Another client's request, straight to the server: (status, JSON answer)."""
    return json_call(httpserver.url_for(path) + query, "PUT" if body is not None and query else "POST", body)


def _sm_created(httpserver):
    server = serve(httpserver, "opensearch")
    p = props(httpserver, "opensearch", "sm_policy", retention.SM_POLICY, OS_BODIES[("sm_policy", retention.SM_POLICY)])
    sp.RetentionObjectProvider().create(p)
    return server, p


def test_the_snapshot_policy_server_enforces_the_update_protocol(httpserver):
    """index-management 2.17.1.0: an update (PUT) without if_seq_no and if_primary_term fails
    IndexSMPolicyRequest.validate (400); with a stale pair, or for a policy that does not exist,
    the index request's version check fails (409); _stop of a missing policy is 404; _stop of a
    stopped policy writes nothing (TransportStopSMAction: "already disabled")."""
    server, _ = _sm_created(httpserver)
    body = OS_BODIES[("sm_policy", retention.SM_POLICY)]
    status, answer = _post(httpserver, SM_PATH, "?", body)
    assert status == 400 and "Sequence number and primary term must be provided" in answer["error"]["reason"]
    assert _post(httpserver, SM_PATH, "?if_seq_no=1&if_primary_term=1", body)[0] == 409
    assert _post(httpserver, SM_PATH + "x", "?if_seq_no=0&if_primary_term=1", body)[0] == 409
    assert _post(httpserver, SM_PATH + "x/_stop")[0] == 404
    assert _post(httpserver, SM_PATH + "/_stop") == (200, {"acknowledged": True}) and server.seq[SM_PATH] == (1, 1)
    assert _post(httpserver, SM_PATH + "/_stop") == (200, {"acknowledged": True}) and server.seq[SM_PATH] == (1, 1)
    assert _post(httpserver, SM_PATH, "?if_seq_no=1&if_primary_term=1", body)[0] == 200
    assert server.objects[SM_PATH]["enabled"] is True and server.seq[SM_PATH] == (2, 1)


def test_a_stopped_snapshot_policy_is_drift_that_refresh_records_and_update_starts_again(httpserver, capsys):
    """After `POST _plugins/_sm/policies/<name>/_stop` no snapshot is taken or deleted. diff sees
    it, refresh records it in state (so a diff from state, the cluster unreachable, sees it too),
    and update's PUT of our body, which leaves `enabled` out (SMPolicy.parse: true), starts it
    again with the sequence number the stop left (index-management 2.17.1.0)."""
    server, p = _sm_created(httpserver)
    provider = sp.RetentionObjectProvider()
    assert provider.diff("id", p, p).changes is False
    assert _post(httpserver, SM_PATH + "/_stop")[0] == 200
    assert provider.diff("id", p, p).changes is True

    refreshed = provider.read("opensearch/sm_policy/" + retention.SM_POLICY, p)
    assert refreshed.outs["body"]["enabled"] is False and refreshed.outs["body"]["enabled_time"] is None
    dead = {"endpoint": f"http://127.0.0.1:{free_port()}"}
    assert provider.diff("id", {**refreshed.outs, **dead}, {**p, **dead}).changes is True
    assert "drift not checked" in capsys.readouterr().err

    writes = len(server.writes())
    provider.update("id", refreshed.outs, p)
    (put,) = server.writes()[writes:]
    assert (put.method, put.query) == ("PUT", {"if_seq_no": "1", "if_primary_term": "1"}) and "enabled" not in put.body
    assert server.objects[SM_PATH]["enabled"] is True and server.objects[SM_PATH]["enabled_time"] is not None
    assert provider.diff("id", p, p).changes is False


def test_a_snapshot_policy_stopped_again_while_we_start_it_is_started_with_the_re_read_seq_no(httpserver):
    """Between our GET and our PUT another client starts and stops the policy (two writes): our
    PUT with the number we read meets 409; the retry re-reads and starts it."""
    server, p = _sm_created(httpserver)
    _post(httpserver, SM_PATH + "/_stop")
    server.interleave.append(("PUT", SM_PATH, lambda s: (s._sm_switch(SM_PATH, True), s._sm_switch(SM_PATH, False))))
    writes = len(server.writes())
    sp.RetentionObjectProvider().update("id", p, p)
    puts = server.writes()[writes:]
    assert [(w.query["if_seq_no"], w.query["if_primary_term"]) for w in puts] == [("1", "1"), ("3", "1")]
    assert server.objects[SM_PATH]["enabled"] is True and server.seq[SM_PATH] == (4, 1)


@pytest.mark.parametrize("status", [500, 503])
def test_a_server_error_during_diff_fails_and_is_not_read_as_unreachable(httpserver, capsys, status):
    """A cluster that answers is reachable: a 5xx (a transient 503 included, tried once within
    diff's short budget) fails the preview with the server's reason instead of comparing with
    state and saying "drift not checked", which is only for a cluster nobody answers for."""
    server, p = _sm_created(httpserver)
    server.script.append(("GET", SM_PATH, status, {"error": {"type": "status_exception", "reason": "busy"},
                                                   "status": status}))
    with pytest.raises(sp.SearchApiError, match=f"HTTP {status}: busy"):
        sp.RetentionObjectProvider().diff("id", p, p)
    assert "drift not checked" not in capsys.readouterr().err
