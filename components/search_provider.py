"""A Pulumi dynamic provider for the search clusters' retention objects.

No Pulumi provider for Elasticsearch or OpenSearch installs from the package registries, so
this one manages ILM/ISM policies, index templates, snapshot repositories and SLM policies
through the official clients (`elasticsearch` 8.x, `opensearch-py`).

- Every body is normalised before use (the engine hands a dynamic provider every number as a
  float), and compared with the server's stored body in one canonical form (components.search_api).
- create adopts an identical existing object and refuses to overwrite one that differs, unless
  `adopt` is set; diff reports the changed paths; update writes only a real change (ISM with
  if_seq_no/if_primary_term, re-read and retried on 409); read returns "gone" for a vanished object.
- An authentication or authorisation failure always fails, naming the cluster and the privilege.
  An unreachable cluster during diff costs one short attempt and reports "drift not checked".
- delete is skipped in prod unless `allow_delete` is set: retention settings outlive stacks.
- Connection errors and 429/502/503/504 are retried with capped exponential backoff; any other
  error fails at once with the server's reason.
- Passwords are never inputs, state or attributes of the provider: each call reads them from the
  environment (ELASTICSEARCH_PASSWORD, OPENSEARCH_PASSWORD) or the stack's secret config.
- This class stays at this module path: state pickles the provider by reference.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Any, Callable

import pulumi
from pulumi.dynamic import (ConfigureRequest, CreateResult, DiffResult, ReadResult, ResourceProvider,
                            UpdateResult)

from components.search_api import KINDS, changed_paths, execution_errors, normalise

TRANSIENT = frozenset({429, 502, 503, 504})
MAX_ATTEMPTS = 6
BACKOFF_BASE_S, BACKOFF_CAP_S = 0.5, 8.0
TIMEOUT_S = 30
DIFF_TIMEOUT_S = 3        # a preview outside the cluster's network must not wait for long
CONFLICT_RETRIES = 3      # ISM 409: re-read seq_no/primary_term and try again
AUTH = frozenset({401, 403})
JSON = {"accept": "application/json", "content-type": "application/json"}
PASSWORD = {"elasticsearch": ("ELASTICSEARCH_PASSWORD", "elasticsearchPassword"),
            "opensearch": ("OPENSEARCH_PASSWORD", "opensearchPassword")}
REPLACE_ON = ("engine", "kind", "object_id", "endpoint")
sleep: Callable[[float], None] = time.sleep  # replaced in tests
_stack_config: Any = None  # set by configure() inside the provider process, never serialised


class SearchApiError(Exception):
    """A non-transient failure, carrying the server's reason and status (None: unreachable)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def _password(engine: str) -> str | None:
    env, key = PASSWORD[engine]
    if os.environ.get(env):
        return os.environ[env]
    return _stack_config.get(key) if _stack_config is not None else None


class _Client:
    """One engine's official client, with our retry policy around every request."""

    def __init__(self, props: dict[str, Any], attempts: int = MAX_ATTEMPTS, timeout: float = TIMEOUT_S):
        self.engine, self.endpoint, self.attempts = props["engine"], props["endpoint"], attempts
        auth: Any = (props["username"], _password(self.engine) or "")
        if props.get("sigv4_region"):
            auth = _sigv4(props)
        ca = props.get("ca_bundle") or None
        if self.engine == "elasticsearch":
            from elasticsearch import Elasticsearch
            self._client = Elasticsearch(props["endpoint"], basic_auth=auth, verify_certs=True, ca_certs=ca,
                                         max_retries=0, retry_on_status=(), request_timeout=timeout)
        else:
            from opensearchpy import OpenSearch
            self._client = OpenSearch(hosts=[props["endpoint"]], http_auth=auth, verify_certs=True, ca_certs=ca,
                                      max_retries=0, retry_on_status=(), timeout=timeout)

    def _once(self, method: str, path: str, body: Any, params: dict | None) -> Any:
        if self.engine == "elasticsearch":
            return self._client.perform_request(method, path, params=params, headers=JSON, body=body).body
        return self._client.transport.perform_request(method, path, params=params, body=body, headers=JSON)

    def request(self, method: str, path: str, body: Any = None, params: dict | None = None,
                missing_ok: bool = False) -> Any:
        for attempt in range(self.attempts):
            try:
                return self._once(method, path, body, params)
            except Exception as err:  # noqa: BLE001 - both clients' errors are classified below
                status, reason = _classify(err)
                if status == 404 and missing_ok:
                    return None
                transient = status is None or status in TRANSIENT
                if not transient or attempt == self.attempts - 1:
                    raise SearchApiError(f"{self.engine} {self.endpoint}: {method} {path} failed: "
                                         f"HTTP {status or 'connection'}: {reason}", status) from None
                sleep(min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** attempt))
        raise AssertionError("unreachable")


def _sigv4(props: dict) -> Any:
    """opensearch-py's signer over urllib3 (opensearchpy.helpers.signer.Urllib3AWSV4SignerAuth, service
    "es"), with the credentials the AWS SDK finds as `pulumi up` runs (environment, profile, OIDC role)."""
    import boto3
    from opensearchpy import Urllib3AWSV4SignerAuth
    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise SearchApiError(f"{_object_name(props)}: no AWS credentials to sign the request with (SigV4); "
                             "run with the deployer's AWS credentials, which need es:ESHttp* and iam:PassRole "
                             "on the snapshot role")
    return Urllib3AWSV4SignerAuth(credentials, props["sigv4_region"], "es")


def _classify(err: Exception) -> tuple[int | None, str]:
    """(HTTP status, or None for a connection failure; the server's reason)."""
    status = getattr(getattr(err, "meta", None), "status", None) or getattr(err, "status_code", None)
    if not isinstance(status, int):
        return None, str(err)
    body = getattr(err, "body", None) or getattr(err, "info", None)
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return status, error.get("reason") or str(error)
    return status, str(error or body or err)


def _object_name(props: dict) -> str:
    return f"{props['engine']} {props['kind']} {props['object_id']!r} on {props['endpoint']}"


def _auth_failure(err: SearchApiError, props: dict) -> SearchApiError:
    kind = KINDS[(props["engine"], props["kind"])]
    if props.get("sigv4_region"):
        return SearchApiError(f"{_object_name(props)}: the AWS identity running `pulumi up` was refused "
                              f"(HTTP {err.status}); it needs the {kind.privilege} (es:ESHttp* on the domain), "
                              "and iam:PassRole on the snapshot role to register the repository", err.status)
    return SearchApiError(f"{_object_name(props)}: the user {props.get('username')!r} was refused "
                          f"(HTTP {err.status}); it needs the {kind.privilege}, and a valid password in "
                          f"{PASSWORD[props['engine']][0]} or the stack secret {PASSWORD[props['engine']][1]}",
                          err.status)


def _props(props: dict[str, Any]) -> dict[str, Any]:
    """Inputs as the program meant them: the engine turned every integer into a float."""
    return {**props, "body": normalise(props.get("body"))}


def _key(props: dict) -> str:
    """The object's id in its path: the server's for a monitor, ours otherwise."""
    return props.get("server_id") or props["object_id"]


def _server_id(olds: dict, news: dict) -> dict:
    """Inputs never carry the server's id; state does."""
    return {**news, "server_id": olds["server_id"]} if olds.get("server_id") else news


class RetentionObjectProvider(ResourceProvider):
    serialize_as_secret_always = False  # the provider holds no secrets

    def configure(self, req: ConfigureRequest) -> None:
        global _stack_config
        _stack_config = req.config

    def _get(self, client: _Client, props: dict) -> tuple[Any, dict]:
        kind = KINDS[(props["engine"], props["kind"])]
        if kind.generated_id and not props.get("server_id"):
            return None, {}  # not found by name (_located)
        path = kind.path.format(id=_key(props))
        try:
            response = client.request("GET", path, missing_ok=True)
        except SearchApiError as err:
            raise (_auth_failure(err, props) if err.status in AUTH else err) from None
        if response is None:
            return None, {}
        meta = {"if_seq_no": response["_seq_no"], "if_primary_term": response["_primary_term"]} \
            if kind.versioned else {}
        return kind.stored(response, props["object_id"]), meta

    def _put(self, client: _Client, props: dict, meta: dict, exists: bool) -> Any:
        kind = KINDS[(props["engine"], props["kind"])]
        for attempt in range(CONFLICT_RETRIES + 1):
            try:
                if not exists and kind.create_path:  # POST on the collection (the id in the body, or the server's)
                    body = kind.create_body(props["object_id"], props["body"]) if kind.create_body else props["body"]
                    return client.request("POST", kind.create_path, body=body)
                path = (kind.write_path or kind.path).format(id=_key(props))
                return client.request("PUT" if exists else kind.create_method, path, body=props["body"],
                                      params=meta or None)
            except SearchApiError as err:
                if err.status in AUTH:
                    raise _auth_failure(err, props) from None
                if err.status != 409 or not kind.versioned or attempt == CONFLICT_RETRIES:
                    raise
                _, meta = self._get(client, props)  # someone else changed it: take the new seq_no

    def _located(self, client: _Client, props: dict) -> dict:
        """A server-named object (a monitor): its id from state, else the one object of its name
        (`_search` on the name's keyword field); more than one is refused, none is None."""
        kind = KINDS[(props["engine"], props["kind"])]
        if not kind.generated_id or props.get("server_id"):
            return props
        path, field = kind.search
        try:
            response = client.request("POST", path, body={"query": {"term": {field: props["object_id"]}}})
        except SearchApiError as err:
            raise (_auth_failure(err, props) if err.status in AUTH else err) from None
        ids = sorted(hit["_id"] for hit in response["hits"]["hits"])
        if len(ids) > 1:
            raise SearchApiError(f"{_object_name(props)}: {len(ids)} objects have this name ({', '.join(ids)}); "
                                 "delete all but one, or import one by its id, before the stack manages it")
        return {**props, "server_id": ids[0] if ids else None}

    def _dry_run(self, client: _Client, props: dict) -> None:
        """Run the written object once without actions; its errors (a bad bucket path, a field the index
        lacks: what validation lets through) fail the write with the server's own message."""
        kind = KINDS[(props["engine"], props["kind"])]
        if not kind.execute:
            return
        result = client.request("POST", kind.execute.format(id=_key(props)), params={"dryrun": "true"})
        errors = execution_errors(result)
        if errors:
            raise SearchApiError(f"{_object_name(props)} was written but its dry run failed: {'; '.join(errors)}")

    def _converge(self, props: dict, creating: bool) -> dict:
        """Make the server hold the body; returns the props with the server's id where it names the object."""
        client = _Client(props)
        props = self._located(client, props)
        stored, meta = self._get(client, props)
        if stored is None and props.get("server_id"):  # the id in state is gone: one of its name may exist
            props = self._located(client, {**props, "server_id": None})
            stored, meta = self._get(client, props)
        if stored is None:
            response = self._put(client, props, meta, exists=False)
            if KINDS[(props["engine"], props["kind"])].generated_id:
                props = {**props, "server_id": response["_id"]}
            self._dry_run(client, props)
            return props
        changed = changed_paths(KINDS[(props["engine"], props["kind"])], props["body"], stored)
        if changed and creating and not props.get("adopt"):
            raise SearchApiError(f"{_object_name(props)} already exists and differs at {', '.join(changed)}; "
                                 "it is not overwritten (set adoptExistingRetention to take it over)")
        if changed:
            self._put(client, props, meta, exists=True)
            self._dry_run(client, props)
        return props

    def create(self, props: dict[str, Any]) -> CreateResult:
        props = self._converge(_props(props), creating=True)
        return CreateResult(id_=f"{props['engine']}/{props['kind']}/{props['object_id']}", outs=props)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        olds, news = _props(olds), _props(news)
        replaces = [k for k in REPLACE_ON if olds.get(k) != news.get(k)]
        if replaces:
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=False)
        kind = KINDS[(news["engine"], news["kind"])]
        news = _server_id(olds, news)
        try:
            stored, _ = self._get(_Client(news, attempts=1, timeout=DIFF_TIMEOUT_S), news)
        except SearchApiError as err:
            if err.status is not None:
                raise
            # Unreachable (a CI runner outside the cluster's network): compare with state, and say so.
            print(f"kafka-monitoring: drift not checked for {_object_name(news)}: unreachable", file=sys.stderr)
            stored = olds.get("body")
        changed = stored is None or bool(changed_paths(kind, news["body"], stored))
        others = [k for k in news if k not in ("body", "server_id", *REPLACE_ON) and olds.get(k) != news.get(k)]
        # No replacement here, so no delete_before_replace: the engine reads it only for a replacement.
        return DiffResult(changes=changed or bool(others), replaces=[], stables=list(REPLACE_ON))

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        news = self._converge(_server_id(olds, _props(news)), creating=False)
        return UpdateResult(outs=news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not props.get("engine"):  # an import: only the id is known
            engine, kind, object_id = id_.split("/", 2)
            props = {**props, "engine": engine, "kind": kind, "object_id": object_id}
        props = _props(props)
        client = _Client(props)
        props = self._located(client, props)  # an import of a monitor: found by its name
        stored, _ = self._get(client, props)
        if stored is None:
            return ReadResult("", {})  # gone: refresh drops it from state
        return ReadResult(id_, {**props, "body": stored})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if not props.get("engine"):
            return  # nothing is known of it (an object that was already gone)
        if props.get("prod") and not props.get("allow_delete"):
            print(f"kafka-monitoring: kept {id_} (prod retention objects are not deleted; "
                  "set allowRetentionDelete to change that)", file=sys.stderr)
            return
        kind = KINDS[(props["engine"], props["kind"])]
        if kind.generated_id and not props.get("server_id"):
            return  # never created
        _Client(props).request("DELETE", (kind.delete_path or kind.path).format(id=_key(props)), missing_ok=True)


class RetentionObject(pulumi.dynamic.Resource, module="search", name="RetentionObject"):
    """One ILM/ISM policy, index template, snapshot repository or SLM policy on a search cluster."""

    body: pulumi.Output[dict]

    def __init__(self, name: str, *, engine: str, kind: str, object_id: str, body: pulumi.Input[dict],
                 endpoint: str, username: str, prod: bool, allow_delete: bool, ca_bundle: str = "",
                 adopt: bool = False, sigv4_region: str = "", opts: pulumi.ResourceOptions | None = None):
        if (engine, kind) not in KINDS:
            raise ValueError(f"unsupported {engine} object kind {kind!r}")
        super().__init__(RetentionObjectProvider(), name, {
            "engine": engine, "kind": kind, "object_id": object_id, "body": body, "endpoint": endpoint,
            "username": username, "prod": prod, "allow_delete": allow_delete, "ca_bundle": ca_bundle,
            "adopt": adopt,
            # Amazon OpenSearch Service: requests signed with the deployer's AWS credentials (SigV4)
            **({"sigv4_region": sigv4_region} if sigv4_region else {}),
        }, opts)
