"""The model servers refuse and keep what the real parsers do (sources in search_parsers.py), over HTTP.

Each case is a body the program could send with one field misspelt or misplaced, and the server's
answer: a strict parser's error, or a lenient parser's silence, after which GET no longer holds the
field."""
from __future__ import annotations

import json

import pytest

from content import retention
from tests.components.search_server import SearchServer, json_call
from tests.conftest import make_settings

S = make_settings("prod")


def _send(httpserver, server: SearchServer, method: str, path: str, body: dict) -> tuple[int, dict]:
    httpserver.expect_request("").respond_with_handler(server.handler)
    return json_call(httpserver.url_for(path), method, body)


def _template(engine: str, **settings) -> dict:
    body = retention.es_index_templates(S, retention.APPLICATION)["kafka-application"] if engine == "elasticsearch" \
        else retention.os_index_template(S)
    body = json.loads(json.dumps(body))
    body["template"]["settings"].update(settings)
    return body


def _ism(edit) -> dict:
    body = json.loads(json.dumps(retention.ism_policy(S)))
    edit(body["policy"])
    return body


REFUSED = [
    ("elasticsearch", "PUT", "/_index_template/t", {**_template("elasticsearch"), "prority": 200}, 400,
     "x_content_parse_exception", "[index_template] unknown field [prority]"),
    ("elasticsearch", "PUT", "/_index_template/t", _template("elasticsearch", **{"index.lifecycle.nmae": "x"}), 400,
     "illegal_argument_exception", "unknown setting [index.lifecycle.nmae] please check"),
    # OpenSearch has no ILM: its index.lifecycle.* settings are not registered.
    ("opensearch", "PUT", "/_index_template/t", _template("opensearch", **{"index.lifecycle.name": "x"}), 400,
     "illegal_argument_exception", "unknown setting [index.lifecycle.name]"),
    ("opensearch", "PUT", "/_plugins/_ism/policies/p",
     _ism(lambda p: p["states"][1]["actions"].append({"forcemerge": {"max_num_segments": 1}})), 400,
     "illegal_argument_exception", "Invalid field: [forcemerge] found in Actions."),
    ("opensearch", "PUT", "/_plugins/_ism/policies/p",
     _ism(lambda p: p["states"][0]["transitions"][0].update(state_name="warm")), 400,
     "illegal_argument_exception", "pointing to a nonexistent state=warm"),
    ("opensearch", "PUT", "/_plugins/_ism/policies/p",
     _ism(lambda p: p["states"][2]["transitions"].append({"state_name": "hot"})), 400,
     "illegal_argument_exception", "State=delete cannot contain transitions if using delete action"),
    ("opensearch", "PUT", "/_plugins/_ism/policies/p",
     _ism(lambda p: p["ism_template"][0].update(index_pattern=["x-*"])), 400,
     "illegal_argument_exception", "Invalid field: [index_pattern] found in ISMTemplate."),
    ("opensearch", "POST", "/_plugins/_sm/policies/p",
     {**retention.sm_policy(S), "creation": {"schedule": {"cron": {"expression": "0 1 * * *", "tz": "UTC"}}}}, 400,
     "illegal_argument_exception", "Unknown cron field tz"),
    ("elasticsearch", "PUT", "/_ilm/policy/p", {"policy": {"phases": {"warm": {"actions": {
        "forcemerge": {"max_num_segments": 1, "index_codec": "zstd"}}}}}}, 400,
     "illegal_argument_exception", "unknown index codec: [zstd]"),
    ("elasticsearch", "PUT", "/_snapshot/r", {"type": "S3", "settings": {"bucket": "b"}}, 500,
     "repository_exception", "[r] repository type [S3] does not exist"),
]


@pytest.mark.parametrize("engine,method,path,body,status,kind,reason", REFUSED)
def test_a_strict_parser_refuses_with_the_servers_error(httpserver, engine, method, path, body, status, kind, reason):
    got_status, got = _send(httpserver, SearchServer(engine), method, path, body)
    assert (got_status, got["error"]["type"]) == (status, kind)
    assert reason in got["error"]["reason"]


def test_a_lenient_parser_drops_what_it_does_not_know():
    """SnapshotLifecyclePolicy, SnapshotRetentionConfiguration and SMPolicy skip unknown fields: the
    PUT succeeds and GET returns the policy without them (the retention here: 7 snapshots, no age)."""
    es = SearchServer("elasticsearch").holds_repository(retention.ES_REPOSITORY)
    slm = {**retention.slm_policy(S), "retention": {"expire_afer": "30d", "min_count": 7}, "schedual": "x"}
    assert es._put("/_slm/policy/p", slm, "", {}).status_code == 200
    stored = json.loads(es._get("/_slm/policy/p").get_data())["p"]["policy"]
    assert stored["retention"] == {"min_count": 7} and "schedual" not in stored
    os_ = SearchServer("opensearch")
    sm = {**retention.sm_policy(S), "deleteion": {"condition": {"max_age": "1d"}}}
    assert os_._sm_write("/_plugins/_sm/policies/p", sm, {}, create=True).status_code == 201
    stored = json.loads(os_._get("/_plugins/_sm/policies/p").get_data())["sm_policy"]
    assert "deleteion" not in stored and stored["deletion"]["condition"]["max_age"] == f"{S.security_retention_days}d"
