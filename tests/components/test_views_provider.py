"""The views provider (components/views_provider.py) against model Kibana and Dashboards servers
(tests/components/views_server.py names the sources), with inputs through the engine's serialisation."""
from __future__ import annotations

import base64
import copy
import json
import socket

import pytest
from werkzeug import Response

from components import search_provider as sp
from components import views_provider as vp
from config.sections import RetentionArgs
from content import views
from tests.components.silent_listener import silent_listener
from tests.components.test_search_convergence import through_engine
from tests.components.views_server import ViewsServer
from tests.conftest import make_settings

S = RetentionArgs.of(make_settings("prod"))
SEARCH_ID, SEARCH = next(iter(views.saved_searches(S).items()))


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setattr(sp, "sleep", lambda s: None)
    monkeypatch.setenv("ELASTICSEARCH_PASSWORD", "es-pass")
    monkeypatch.setenv("OPENSEARCH_PASSWORD", "os-pass")


def serve(httpserver, product: str) -> ViewsServer:
    model = ViewsServer(product)
    httpserver.expect_request("").respond_with_handler(model.handler)
    return model


def props(httpserver, engine: str, kind: str, object_id: str, body: dict, **extra) -> dict:
    return through_engine({"engine": engine, "kind": kind, "object_id": object_id, "body": body,
                           "endpoint": httpserver.url_for("/").rstrip("/"), "username": "kafka-monitoring",
                           "ca_bundle": "", "adopt": False, **extra})


CASES = [("kibana", "data_view", views.DATA_VIEW_ID, views.data_view(S)),
         ("opensearch-dashboards", "index-pattern", views.INDEX_PATTERN_ID, views.index_pattern(S)),
         ("opensearch-dashboards", "search", SEARCH_ID, SEARCH)]


@pytest.mark.parametrize("engine,kind,object_id,body", CASES, ids=[c[1] for c in CASES])
def test_a_view_is_created_with_its_fixed_id_and_then_left_alone(httpserver, engine, kind, object_id, body):
    """What the server adds (Kibana's fields and version, Dashboards' rewritten attributes.fields) is no
    change: only the keys we set are compared. A second create, an update and a diff write nothing."""
    server = serve(httpserver, engine)
    provider = vp.SavedViewProvider()
    p = props(httpserver, engine, kind, object_id, body)
    created = provider.create(p)
    (post,) = server.writes()
    assert created.id == f"{engine}/{kind}/{object_id}"
    if engine == "kibana":
        assert (post.path, post.body) == ("/api/data_views/data_view", {
            "data_view": {**body["data_view"], "id": object_id, "allowNoIndex": True}, "override": False})
    else:
        assert (post.path, post.query, post.body) == (f"/api/saved_objects/{kind}/{object_id}", {}, body)
    provider.create(p)
    provider.update(created.id, created.outs, p)
    assert provider.diff(created.id, created.outs, p).changes is False
    assert len(server.writes()) == 1


def test_every_write_carries_its_xsrf_header_and_the_login_of_its_cluster(httpserver):
    server = serve(httpserver, "opensearch-dashboards")
    vp.SavedViewProvider().create(props(httpserver, *CASES[1]))
    ((request, _),) = [(r, x) for r, x in httpserver.log if r.method == "POST"]
    assert request.headers["osd-xsrf"] == "true" and "kbn-xsrf" not in request.headers
    assert base64.b64decode(request.headers["Authorization"].split()[1]).decode() == "kafka-monitoring:os-pass"
    assert len(server.writes()) == 1


def test_a_write_without_the_header_is_what_the_model_refuses():
    """The premise of the header test: both servers refuse a write without their XSRF header."""
    for product, header in (("kibana", "kbn-xsrf"), ("opensearch-dashboards", "osd-xsrf")):
        answer, status = ViewsServer(product).answer("POST", "/api/data_views/data_view", {}, {}, {})
        assert (status, answer["message"]) == (400, f"Request must contain a {header} header.")


@pytest.mark.parametrize("engine,kind,object_id,body,change,method", [
    ("kibana", "data_view", views.DATA_VIEW_ID, views.data_view(S),
     lambda stored: stored.update(timeFieldName="event.created"), "POST"),
    ("opensearch-dashboards", "index-pattern", views.INDEX_PATTERN_ID, views.index_pattern(S),
     lambda stored: stored["attributes"].update(timeFieldName="event.created"), "PUT"),
])
def test_drift_is_a_change_and_the_update_restores_it_in_place(httpserver, engine, kind, object_id, body, change,
                                                              method):
    server = serve(httpserver, engine)
    provider = vp.SavedViewProvider()
    p = props(httpserver, engine, kind, object_id, body)
    created = provider.create(p)
    (stored,) = server.objects.values()
    change(stored)
    assert provider.diff(created.id, created.outs, p).changes is True
    refreshed = provider.read(created.id, created.outs)
    time_field = (refreshed.outs["body"].get("data_view") or refreshed.outs["body"].get("attributes"))["timeFieldName"]
    assert time_field == "event.created"
    provider.update(created.id, refreshed.outs, p)
    (_, update) = server.writes()
    assert update.method == method and update.body == body  # never override, never a delete and recreate
    assert provider.diff(created.id, created.outs, p).changes is False


def test_a_differing_existing_view_is_not_overwritten_unless_adopted(httpserver):
    server = serve(httpserver, "opensearch-dashboards")
    theirs = copy.deepcopy(views.index_pattern(S))
    theirs["attributes"].update(timeFieldName="time", title="kafka-*")
    server.answer("POST", f"/api/saved_objects/index-pattern/{views.INDEX_PATTERN_ID}", {}, theirs, {"osd-xsrf": "true"})
    provider = vp.SavedViewProvider()
    ours = views.index_pattern(S)
    # the message names every differing path and the setting that takes the view over
    with pytest.raises(sp.SearchApiError, match=r"already exists and differs at attributes\.timeFieldName, "
                                                r"attributes\.title; it is not overwritten \(set adoptExistingRetention "
                                                r"to take it over\)$"):
        provider.create(props(httpserver, "opensearch-dashboards", "index-pattern", views.INDEX_PATTERN_ID, ours))
    assert server.writes() == []
    provider.create(props(httpserver, "opensearch-dashboards", "index-pattern", views.INDEX_PATTERN_ID, ours,
                          adopt=True))
    (put,) = server.writes()
    assert put.method == "PUT" and server.objects[f"index-pattern/{views.INDEX_PATTERN_ID}"]["attributes"][
        "timeFieldName"] == "@timestamp"


def test_import_reads_the_view_and_a_vanished_one_is_gone(httpserver):
    server = serve(httpserver, "kibana")
    provider = vp.SavedViewProvider()
    created = provider.create(props(httpserver, "kibana", "data_view", views.DATA_VIEW_ID, views.data_view(S)))
    imported = provider.read(created.id, {"endpoint": created.outs["endpoint"], "username": "kafka-monitoring"})
    assert imported.outs["body"]["data_view"]["title"] == "kafka-application-*"
    server.objects.clear()
    assert provider.read(created.id, created.outs).id == ""


def test_a_refused_body_fails_with_the_servers_message(httpserver):
    serve(httpserver, "kibana")
    bad = {"data_view": {**views.data_view(S)["data_view"], "colour": "red"}}
    with pytest.raises(sp.SearchApiError, match=r"HTTP 400: \[request body.data_view.colour\]: definition for this "
                                                r"key is missing"):
        vp.SavedViewProvider().create(props(httpserver, "kibana", "data_view", views.DATA_VIEW_ID, bad))


def test_an_unknown_view_kind_is_refused_before_anything_registers():
    with pytest.raises(ValueError, match="unsupported kibana view kind 'dashboard'"):
        vp.SavedView("x", engine="kibana", kind="dashboard", object_id="x", body={}, endpoint="https://k", username="u")


# ---- Kibana saved searches: _export to read, _import to write --------------------------------------

KIBANA_SEARCH_ID, KIBANA_SEARCH = next(iter(views.kibana_saved_searches(S).items()))


def with_data_view(httpserver) -> tuple[ViewsServer, vp.SavedViewProvider]:
    server = serve(httpserver, "kibana")
    provider = vp.SavedViewProvider()
    provider.create(props(httpserver, "kibana", "data_view", views.DATA_VIEW_ID, views.data_view(S)))
    return server, provider


def test_a_kibana_saved_search_is_imported_once_and_then_left_alone(httpserver):
    """One `_import?overwrite=true` of a one-line ndjson file naming the type and the id, after the data
    view it references; what Kibana adds on the way (grid, hideChart, isTextBasedQuery, versions) is
    no change, so a second create, an update and a diff write nothing."""
    server, provider = with_data_view(httpserver)
    p = props(httpserver, "kibana", "search", KIBANA_SEARCH_ID, KIBANA_SEARCH)
    created = provider.create(p)
    (_, imported) = server.writes()
    assert (imported.path, imported.query) == ("/api/saved_objects/_import", {"overwrite": "true"})
    name, content = imported.body["file"]
    assert name == f"{KIBANA_SEARCH_ID}.ndjson" and content.endswith("\n") and len(content.splitlines()) == 1
    assert json.loads(content) == {"type": "search", "id": KIBANA_SEARCH_ID, **KIBANA_SEARCH}
    stored = server.objects[f"search/{KIBANA_SEARCH_ID}"]
    assert (stored["attributes"]["grid"], stored["attributes"]["hideChart"]) == ({}, False)
    provider.create(p)
    provider.update(created.id, created.outs, p)
    assert provider.diff(created.id, created.outs, p).changes is False
    assert [w.path for w in server.writes()] == ["/api/data_views/data_view", "/api/saved_objects/_import"]
    # the reads were exports of that one object, without the export details line
    reads = [r.body for r in server.log if r.path == "/api/saved_objects/_export"]
    assert reads and all(r == {"objects": [{"type": "search", "id": KIBANA_SEARCH_ID}], "excludeExportDetails": True}
                         for r in reads)


def test_a_saved_search_without_its_data_view_fails_with_the_imports_own_error(httpserver):
    """Kibana answers 200 with success false: the provider reads the errors, not only the status."""
    server = serve(httpserver, "kibana")
    with pytest.raises(sp.SearchApiError, match=f"the import failed: search/{KIBANA_SEARCH_ID}: missing_references "
                                                f"index-pattern/{views.DATA_VIEW_ID}"):
        vp.SavedViewProvider().create(props(httpserver, "kibana", "search", KIBANA_SEARCH_ID, KIBANA_SEARCH))
    assert f"search/{KIBANA_SEARCH_ID}" not in server.objects


def test_a_kibana_saved_search_that_drifted_is_imported_again_and_one_theirs_only_when_adopted(httpserver):
    server, provider = with_data_view(httpserver)
    p = props(httpserver, "kibana", "search", KIBANA_SEARCH_ID, KIBANA_SEARCH)
    created = provider.create(p)
    server.objects[f"search/{KIBANA_SEARCH_ID}"]["attributes"]["columns"] = ["message"]
    assert provider.diff(created.id, created.outs, p).changes is True
    assert provider.read(created.id, created.outs).outs["body"]["attributes"]["columns"] == ["message"]
    provider.update(created.id, created.outs, p)
    assert server.objects[f"search/{KIBANA_SEARCH_ID}"]["attributes"]["columns"] == KIBANA_SEARCH["attributes"]["columns"]
    assert provider.diff(created.id, created.outs, p).changes is False
    # someone else's search under our id: refused on create, taken over with adopt
    server.objects[f"search/{KIBANA_SEARCH_ID}"]["attributes"]["title"] = "theirs"
    before = len(server.writes())
    with pytest.raises(sp.SearchApiError, match="already exists and differs at attributes.title"):
        provider.create(p)
    assert len(server.writes()) == before
    provider.create({**p, "adopt": True})
    assert server.objects[f"search/{KIBANA_SEARCH_ID}"]["attributes"]["title"] == KIBANA_SEARCH["attributes"]["title"]


def test_a_vanished_kibana_saved_search_is_gone_and_an_import_reads_it_by_id(httpserver):
    server, provider = with_data_view(httpserver)
    created = provider.create(props(httpserver, "kibana", "search", KIBANA_SEARCH_ID, KIBANA_SEARCH))
    imported = provider.read(created.id, {"endpoint": created.outs["endpoint"], "username": "kafka-monitoring"})
    assert imported.outs["body"]["attributes"]["title"] == KIBANA_SEARCH["attributes"]["title"]
    provider.delete(created.id, created.outs)
    assert f"search/{KIBANA_SEARCH_ID}" not in server.objects
    assert provider.read(created.id, created.outs).id == ""


def test_the_import_model_refuses_what_kibana_refuses():
    """The premises the provider tests rest on: a file not named .ndjson, an attribute the search schema
    does not know, an existing id without overwrite, and an export of a missing object."""
    server = ViewsServer("kibana")
    headers = {"kbn-xsrf": "true"}
    line = json.dumps({"type": "search", "id": "x", "attributes": {"title": "x", "kibanaSavedObjectMeta": {
        "searchSourceJSON": "{}"}}, "references": []})
    answer, status = server.answer("POST", "/api/saved_objects/_import", {}, {"file": ("x.json", line)}, headers)
    assert (status, answer["message"]) == (400, "Invalid file extension .json")
    bad = json.dumps({"type": "search", "id": "y", "attributes": {"title": "y", "colour": "red"}, "references": []})
    answer, _ = server.answer("POST", "/api/saved_objects/_import", {}, {"file": ("y.ndjson", bad)}, headers)
    assert answer["success"] is False and answer["errors"][0]["error"]["type"] == "unknown"
    assert server.answer("POST", "/api/saved_objects/_import", {}, {"file": ("x.ndjson", line)}, headers)[0]["success"]
    answer, _ = server.answer("POST", "/api/saved_objects/_import", {}, {"file": ("x.ndjson", line)}, headers)
    assert answer["errors"][0]["error"]["type"] == "conflict"
    answer, status = server.answer("POST", "/api/saved_objects/_export", {}, {"objects": [{"type": "search", "id": "z"}]},
                                   headers)
    assert (status, answer["message"], answer["attributes"]["objects"][0]["error"]["statusCode"]) == (
        400, "Error fetching objects to export", 404)


# ---- the HTTP client as the world answers it: retries, statuses, redirects, TLS, timeouts ----------

@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    waited: list[float] = []
    monkeypatch.setattr(sp, "sleep", waited.append)
    return waited


def serve_with(httpserver, product: str, fault) -> ViewsServer:
    """The model behind `fault(request, model)`: a response answers instead of the model, None lets it answer."""
    model = ViewsServer(product)

    def handler(request):
        answer = fault(request, model)
        return model.handler(request) if answer is None else answer
    httpserver.expect_request("").respond_with_handler(handler)
    return model


def boom(status: int, message: str, **headers) -> Response:
    return Response(json.dumps({"statusCode": status, "error": "x", "message": message}), status=status,
                    content_type="application/json", headers=headers)


def kibana(httpserver, body: dict | None = None, **extra) -> dict:
    return props(httpserver, "kibana", "data_view", views.DATA_VIEW_ID, body or views.data_view(S), **extra)


def test_a_busy_server_is_retried_with_doubling_waits_and_then_written(httpserver, sleeps):
    """429, 502, 503, 504 are transient (a Kibana starting, a proxy in front of it): retried after 0.5,
    1, 2, 4 s, then the view is written once."""
    busy = iter((429, 502, 503, 504))
    server = serve_with(httpserver, "kibana", lambda r, m: boom(status, "not ready") if (
        status := next(busy, None)) else None)
    vp.SavedViewProvider().create(kibana(httpserver))
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert [r.method for r in server.log] == ["GET", "POST"] and f"index-pattern/{views.DATA_VIEW_ID}" in server.objects


def test_a_server_busy_for_good_fails_after_six_attempts_with_its_status_and_reason(httpserver, sleeps):
    serve_with(httpserver, "kibana", lambda r, m: boom(503, "Kibana server is not ready yet"))
    with pytest.raises(sp.SearchApiError, match=r": GET /api/data_views/data_view/kafka-application-logs failed: "
                                                r"HTTP 503: Kibana server is not ready yet$") as err:
        vp.SavedViewProvider().create(kibana(httpserver))
    assert err.value.status == 503 and len(httpserver.log) == sp.MAX_ATTEMPTS == 6
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_a_refusal_fails_at_once_without_waiting(httpserver, sleeps):
    """A 400 (the near miss of a transient status): one request, no wait, the server's message."""
    serve(httpserver, "kibana")
    bad = {"data_view": {**views.data_view(S)["data_view"], "colour": "red"}}
    with pytest.raises(sp.SearchApiError, match="HTTP 400") as err:
        vp.SavedViewProvider().create(props(httpserver, "kibana", "data_view", views.DATA_VIEW_ID, bad))
    assert (err.value.status, sleeps, [r.method for r, _ in httpserver.log]) == (400, [], ["GET", "POST"])


def test_nothing_listening_is_retried_a_bounded_number_of_times_and_named(sleeps):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens
    p = through_engine({"engine": "kibana", "kind": "data_view", "object_id": views.DATA_VIEW_ID,
                        "body": views.data_view(S), "endpoint": f"http://127.0.0.1:{port}", "username": "u",
                        "ca_bundle": "", "adopt": False})
    with pytest.raises(sp.SearchApiError, match=r"HTTP connection: .*(refused|NewConnectionError)") as err:
        vp.SavedViewProvider().create(p)
    assert err.value.status is None and sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]


@pytest.mark.parametrize("status", [300, 301, 302])
def test_a_redirect_is_a_failure_and_is_not_followed(httpserver, status):
    """A proxy sending the client to a login page: the page's 200 is not the view (and urllib3 would
    follow it with its default retries). 299 is the last success, 300 the first failure."""
    def fault(request, model):
        if request.path == "/login":
            return Response(json.dumps({"data_view": views.data_view(S)["data_view"]}), content_type="application/json")
        return Response(b"", status=status, headers={"Location": "/login"})
    serve_with(httpserver, "kibana", fault)
    with pytest.raises(sp.SearchApiError, match=f"HTTP {status}") as err:
        vp.SavedViewProvider().read(f"kibana/data_view/{views.DATA_VIEW_ID}", kibana(httpserver))
    assert err.value.status == status and [r.path for r, _ in httpserver.log] == [
        f"/api/data_views/data_view/{views.DATA_VIEW_ID}"]


@pytest.mark.parametrize("base,endpoint", [("/kibana", "/kibana/"), ("/kibana", "/kibana"), ("/OPS-X", "/OPS-X/")])
def test_an_endpoint_under_a_base_path_reaches_its_routes_with_or_without_a_trailing_slash(httpserver, base, endpoint):
    """Kibana behind a proxy's prefix: `<endpoint>/api/...` must not become `/kibana//api/...`, which
    matches no route (404: the view would be read as missing and its create refused); only slashes are
    trimmed (the near miss: a prefix ending in another character keeps it)."""
    server = serve(httpserver, "kibana")
    server.base_path = base
    vp.SavedViewProvider().create(kibana(httpserver, endpoint=httpserver.url_for(endpoint)))
    assert [r.path for r in server.log] == [f"{base}/api/data_views/data_view/{views.DATA_VIEW_ID}",
                                            f"{base}/api/data_views/data_view"]
    assert f"index-pattern/{views.DATA_VIEW_ID}" in server.objects


def test_the_base_path_model_refuses_an_empty_segment_and_a_path_outside_it(httpserver):
    """The premise of the test above: the model answers 404 where the prefix is doubled or missing."""
    server = serve(httpserver, "kibana")
    server.base_path = "/kibana"
    client = vp._Client(kibana(httpserver, endpoint=httpserver.url_for("/")), attempts=1)
    for path in (f"/kibana//api/data_views/data_view/{views.DATA_VIEW_ID}",
                 f"/api/data_views/data_view/{views.DATA_VIEW_ID}"):
        with pytest.raises(sp.SearchApiError, match="HTTP 404: Not Found"):
            client.request("POST", path, {})
    assert server.objects == {}


@pytest.mark.parametrize("body,shown", [
    (b"<html><body>400 Bad Request: requ\xeate refus\xe9e</body></html>",
     "<html><body>400 Bad Request: requ\ufffdte refus\ufffde</body></html>"),  # latin-1
    (b'{"error": {"reason": "no message key"}}', "{'error': {'reason': 'no message key'}}"),
    (b'["a list"]', "['a list']"),
])
def test_what_a_refusing_server_said_reaches_the_user_whatever_its_form(httpserver, body, shown):
    """A proxy's HTML page in Latin-1, an error without `message`, a JSON list: each is shown as sent."""
    serve_with(httpserver, "kibana", lambda r, m: Response(body, status=400) if r.method == "POST" else None)
    with pytest.raises(sp.SearchApiError) as err:
        vp.SavedViewProvider().create(kibana(httpserver))
    assert str(err.value).endswith(f"HTTP 400: {shown}")


def _certificates(tmp_path) -> tuple[str, str, str]:
    """A CA and a certificate for 127.0.0.1 it signed: (ca.pem, cert.pem, key.pem)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(hours=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kibana")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tuple(str(tmp_path / n) for n in ("ca.pem", "cert.pem", "key.pem"))
    for path, data in zip(paths, (ca.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.PEM),
                                  key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))):
        with open(path, "wb") as f:
            f.write(data)
    return paths


def test_tls_is_verified_against_the_ca_bundle_and_refused_without_it(tmp_path, sleeps):
    """Kibana behind a certificate of a private CA: trusted with `ca_bundle`, refused without it (the
    system's CAs do not know ours), never written to unverified."""
    import ssl

    from pytest_httpserver import HTTPServer
    ca, cert, key = _certificates(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    model = ViewsServer("kibana")
    server.expect_request("").respond_with_handler(model.handler)
    server.start()
    try:
        p = {**kibana(server), "endpoint": server.url_for("/").rstrip("/")}
        assert p["endpoint"].startswith("https://127.0.0.1:")
        with pytest.raises(sp.SearchApiError, match="CERTIFICATE_VERIFY_FAILED") as err:
            vp.SavedViewProvider().create(p)
        assert err.value.status is None and model.log == []
        vp.SavedViewProvider().create({**p, "ca_bundle": ca})
        assert [r.method for r in model.log] == ["GET", "POST"]
    finally:
        server.clear()
        server.stop()


# ---- what each of the engine's calls answers -------------------------------------------------------

@pytest.mark.parametrize("key,new", [("object_id", "kafka-application-logs-2"), ("endpoint", "https://kibana-2.example"),
                                     ("kind", "search"), ("engine", "opensearch-dashboards")])
def test_another_id_endpoint_kind_or_engine_replaces_creating_first_without_asking_the_server(httpserver, key, new):
    """The engine replaces only what `replaces` names, and `changes` must be DIFF_SOME for it to act;
    delete_before_replace False keeps the old view until the new one exists (pulumi 3.272.0
    pulumi/dynamic/__main__.py Diff: changes, replaces and deleteBeforeReplace are all it forwards)."""
    diff = vp.SavedViewProvider().diff("id", kibana(httpserver), {**kibana(httpserver), key: new})
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, [key], False)
    assert httpserver.log == []


@pytest.mark.parametrize("key,old,new", [("username", "kafka-monitoring", "kafka-views"),
                                         ("ca_bundle", "", "/etc/ssl/kibana-ca.pem"), ("adopt", False, True)])
def test_a_change_to_an_input_besides_the_body_is_an_update_in_place(httpserver, key, old, new):
    """The near miss beside it: the same inputs are no change."""
    serve(httpserver, "kibana")
    provider = vp.SavedViewProvider()
    created = provider.create(kibana(httpserver))
    diff = provider.diff(created.id, {**created.outs, key: old}, {**kibana(httpserver), key: new})
    assert (diff.changes, diff.replaces, diff.delete_before_replace) == (True, [], False)
    assert provider.diff(created.id, {**created.outs, key: new}, {**kibana(httpserver), key: new}).changes is False


def test_the_server_is_the_truth_a_body_it_already_holds_is_no_change(httpserver):
    """State still holds the old body, the server the new one (applied by hand, or an update whose answer
    was lost): nothing to write. The body is compared with the server, never with state."""
    server = serve(httpserver, "kibana")
    provider = vp.SavedViewProvider()
    created = provider.create(kibana(httpserver))
    server.objects[f"index-pattern/{views.DATA_VIEW_ID}"]["timeFieldName"] = "event.created"
    new = views.data_view(S)
    new["data_view"]["timeFieldName"] = "event.created"
    assert provider.diff(created.id, created.outs, kibana(httpserver, body=new)).changes is False
    assert provider.diff(created.id, created.outs, kibana(httpserver)).changes is True


def test_a_nested_object_we_set_gone_from_the_server_is_a_change_restored_in_place(httpserver):
    """Someone removed the saved search's kibanaSavedObjectMeta (its query) in Dashboards."""
    server = serve(httpserver, "opensearch-dashboards")
    provider = vp.SavedViewProvider()
    p = props(httpserver, "opensearch-dashboards", "search", SEARCH_ID, SEARCH)
    created = provider.create(p)
    del server.objects[f"search/{SEARCH_ID}"]["attributes"]["kibanaSavedObjectMeta"]
    assert provider.diff(created.id, created.outs, p).changes is True
    assert provider.read(created.id, created.outs).outs["body"]["attributes"]["kibanaSavedObjectMeta"] is None
    provider.update(created.id, created.outs, p)
    assert server.objects[f"search/{SEARCH_ID}"]["attributes"]["kibanaSavedObjectMeta"] == SEARCH["attributes"][
        "kibanaSavedObjectMeta"]


def test_unreachable_during_diff_compares_with_state_and_says_so(capsys):
    """A preview outside the cluster's network: the drift is not checked (said on stderr, where the
    engine shows a provider's diagnostics), and the body is compared with state instead."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens
    olds = through_engine({"engine": "kibana", "kind": "data_view", "object_id": views.DATA_VIEW_ID,
                           "body": views.data_view(S), "endpoint": f"http://127.0.0.1:{port}",
                           "username": "kafka-monitoring", "ca_bundle": "", "adopt": False})
    provider = vp.SavedViewProvider()
    assert provider.diff("id", olds, olds).changes is False
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == (
        f"kafka-monitoring: drift not checked for kibana data_view 'kafka-application-logs' on "
        f"http://127.0.0.1:{port}: unreachable\n")
    changed = copy.deepcopy(olds)
    changed["body"]["data_view"]["timeFieldName"] = "event.created"
    assert provider.diff("id", olds, changed).changes is True


def test_diff_against_a_silent_kibana_gives_up_after_one_short_attempt(capsys):
    """A server that accepts and never answers: one attempt of DIFF_TIMEOUT_S, not MAX_ATTEMPTS of TIMEOUT_S."""
    import time
    with silent_listener(sp.DIFF_TIMEOUT_S * 3) as (port, accepted):
        p = through_engine({"engine": "kibana", "kind": "data_view", "object_id": views.DATA_VIEW_ID,
                            "body": views.data_view(S), "endpoint": f"http://127.0.0.1:{port}",
                            "username": "u", "ca_bundle": "", "adopt": False})
        started = time.monotonic()
        assert vp.SavedViewProvider().diff("id", p, p).changes is False
        took = time.monotonic() - started
    assert sp.DIFF_TIMEOUT_S - 0.5 < took < sp.DIFF_TIMEOUT_S + 1.5 and len(accepted) == 1
    assert "drift not checked" in capsys.readouterr().err


@pytest.mark.parametrize("call", ["diff", "read", "create"])
def test_wrong_credentials_fail_every_call_naming_the_user_never_as_unreachable_or_gone(httpserver, call):
    """Kibana refuses the user with 401: a diff must not pass it off as "drift not checked", a refresh
    must not read it as a deleted view (the engine would drop it from state)."""
    model = serve(httpserver, "kibana")
    model.password = "the-real-one"
    provider = vp.SavedViewProvider()
    p = kibana(httpserver)
    with pytest.raises(sp.SearchApiError, match=r"kibana data_view 'kafka-application-logs' on http://127\.0\.0\.1:\d+: "
                                                r"the user 'kafka-monitoring' was refused \(HTTP 401\); it needs write "
                                                r"access to saved objects") as err:
        {"diff": lambda: provider.diff("id", p, p), "read": lambda: provider.read("id", p),
         "create": lambda: provider.create(p)}[call]()
    assert err.value.status == 401 and model.writes() == []


def test_the_right_password_passes_the_same_check(httpserver):
    model = serve(httpserver, "kibana")
    model.password = "es-pass"
    vp.SavedViewProvider().create(kibana(httpserver))
    assert len(model.writes()) == 1


@pytest.mark.parametrize("kind", ["data_view", "search"])
def test_a_read_that_kibana_refuses_is_an_error_not_a_vanished_view(httpserver, kind):
    """Kibana's data-view routes answer 400 for every error but a 404 (util/handle_errors.ts), and an
    `_export` 400 is "missing" only when every object's error is a 404: anything else must fail the
    refresh, or the engine drops a view that exists from state."""
    object_id, body = (views.DATA_VIEW_ID, views.data_view(S)) if kind == "data_view" else (KIBANA_SEARCH_ID, KIBANA_SEARCH)
    serve_with(httpserver, "kibana", lambda r, m: boom(400, "[index_not_found_exception] no such index [.kibana]"))
    with pytest.raises(sp.SearchApiError, match=r"HTTP 400: \[index_not_found_exception\]") as err:
        vp.SavedViewProvider().read(f"kibana/{kind}/{object_id}", props(httpserver, "kibana", kind, object_id, body))
    assert err.value.status == 400


@pytest.mark.parametrize("answer", [
    Response(b"<html>400 Bad Request</html>", status=400),  # a proxy's page
    Response(json.dumps({"statusCode": 400, "error": "Bad Request", "message": "Error fetching objects to export",
                         "attributes": {"objects": [{"id": KIBANA_SEARCH_ID, "type": "search", "error": {
                             "statusCode": 403, "error": "Forbidden", "message": "Unable to bulk_get search"}}]}}),
             status=400, content_type="application/json"),
    Response(json.dumps({"statusCode": 400, "error": "Bad Request", "message": "Error fetching objects to export",
                         "attributes": {"objects": []}}), status=400, content_type="application/json"),
], ids=["html", "forbidden-object", "no-objects"])
def test_an_export_that_fails_for_another_reason_than_a_missing_object_is_an_error(httpserver, answer):
    serve_with(httpserver, "kibana", lambda r, m: answer)
    with pytest.raises(sp.SearchApiError, match="HTTP 400"):
        vp.SavedViewProvider().read(f"kibana/search/{KIBANA_SEARCH_ID}",
                                    props(httpserver, "kibana", "search", KIBANA_SEARCH_ID, KIBANA_SEARCH))


def test_a_view_deleted_between_the_read_and_the_write_fails_the_update(httpserver):
    """Dashboards' PUT of a missing object is a 404: the update must fail, not report a write that
    did not happen (a 404 is "missing" only where the provider reads)."""
    def deleted_before_the_put(request, model):
        if request.method == "PUT":
            model.objects.clear()
        return None
    server = serve_with(httpserver, "opensearch-dashboards", deleted_before_the_put)
    provider = vp.SavedViewProvider()
    p = props(httpserver, "opensearch-dashboards", "index-pattern", views.INDEX_PATTERN_ID, views.index_pattern(S))
    created = provider.create(p)
    server.objects[f"index-pattern/{views.INDEX_PATTERN_ID}"]["attributes"]["timeFieldName"] = "time"
    with pytest.raises(sp.SearchApiError, match="PUT .* failed: HTTP 404") as err:
        provider.update(created.id, created.outs, p)
    assert err.value.status == 404


@pytest.mark.parametrize("engine,kind,object_id,body", CASES, ids=[c[1] for c in CASES])
def test_delete_removes_the_view_and_a_view_already_gone_is_no_failure(httpserver, engine, kind, object_id, body):
    """Kibana answers a data view's DELETE with 200 and no body at all."""
    server = serve(httpserver, engine)
    provider = vp.SavedViewProvider()
    created = provider.create(props(httpserver, engine, kind, object_id, body))
    provider.delete(created.id, created.outs)
    assert server.objects == {}
    provider.delete(created.id, created.outs)  # removed by hand before the destroy
    assert [r.method for r in server.writes()] == ["POST", "DELETE", "DELETE"]


def test_read_keeps_the_id_and_only_the_keys_we_set_and_a_vanished_view_has_no_outputs(httpserver):
    """A refresh of an unchanged view shows no change: Kibana's additions (fields, version, namespaces...)
    stay out of state. A vanished view: empty id and empty outputs, as the dynamic host writes into them
    (pulumi 3.272.0 pulumi/dynamic/__main__.py Read: outs[PROVIDER_KEY] = ...)."""
    server = serve(httpserver, "kibana")
    provider = vp.SavedViewProvider()
    created = provider.create(kibana(httpserver))
    read = provider.read(created.id, created.outs)
    assert (read.id, read.outs) == (created.id, created.outs)
    assert read.outs["body"] == {"data_view": {"title": "kafka-application-*", "name": "Kafka application logs",
                                               "timeFieldName": "@timestamp"}}
    server.objects.clear()
    gone = provider.read(created.id, created.outs)
    assert (gone.id, gone.outs) == ("", {})


def test_create_and_update_keep_exactly_the_inputs_in_state(httpserver):
    serve(httpserver, "opensearch-dashboards")
    provider = vp.SavedViewProvider()
    p = props(httpserver, "opensearch-dashboards", "index-pattern", views.INDEX_PATTERN_ID, views.index_pattern(S))
    created = provider.create(p)
    assert created.outs == p == {**p, "body": views.index_pattern(S)}
    assert provider.update(created.id, created.outs, p).outs == p


def test_the_registered_inputs_are_what_the_provider_reads(httpserver):
    """The resource as the engine registers it (the SDK under the harness's mocks): the inputs with their
    defaults (no CA bundle, never adopt) are the keys the provider reads, and the provider they carry is
    this one (unpickled as the dynamic host does)."""
    from tests.components.dynamic_registration import registered

    endpoint = httpserver.url_for("/").rstrip("/")
    inputs, provider = registered(lambda: vp.SavedView(
        "view", engine="kibana", kind="data_view", object_id=views.DATA_VIEW_ID, body=views.data_view(S),
        endpoint=endpoint, username="kafka-monitoring"))
    assert inputs == {"engine": "kibana", "kind": "data_view", "object_id": views.DATA_VIEW_ID,
                      "body": views.data_view(S), "endpoint": endpoint, "username": "kafka-monitoring",
                      "ca_bundle": "", "adopt": False}
    assert isinstance(provider, vp.SavedViewProvider)
    server = serve(httpserver, "kibana")
    vp.SavedViewProvider().create(through_engine(inputs))
    assert len(server.writes()) == 1
