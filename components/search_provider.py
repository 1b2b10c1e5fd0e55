"""A Pulumi dynamic provider for the search clusters' retention objects.

No Pulumi provider for Elasticsearch or OpenSearch installs from the package registries, so
this one manages ILM/ISM policies, index templates, snapshot repositories and SLM policies
through the official clients (`elasticsearch` 8.x, `opensearch-py`).

- create adopts an identical existing object; diff compares the desired body with the stored one;
  update changes it in place (ISM with if_seq_no/if_primary_term).
- delete is skipped in prod unless `allow_delete` is set: retention settings outlive stacks.
- Connection errors and 429/502/503/504 are retried with capped exponential backoff; any other
  error fails at once with the server's reason.
- Passwords are never inputs, state or attributes of the provider: each call reads them from the
  environment (ELASTICSEARCH_PASSWORD, OPENSEARCH_PASSWORD) or the stack's secret config.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable

import pulumi
from pulumi.dynamic import (ConfigureRequest, CreateResult, DiffResult, ReadResult, ResourceProvider,
                            UpdateResult)

TRANSIENT = frozenset({429, 502, 503, 504})
MAX_ATTEMPTS = 6
BACKOFF_BASE_S, BACKOFF_CAP_S = 0.5, 8.0
TIMEOUT_S = 30
JSON = {"accept": "application/json", "content-type": "application/json"}
PASSWORD = {"elasticsearch": ("ELASTICSEARCH_PASSWORD", "elasticsearchPassword"),
            "opensearch": ("OPENSEARCH_PASSWORD", "opensearchPassword")}
REPLACE_ON = ("engine", "kind", "object_id", "endpoint")
sleep: Callable[[float], None] = time.sleep  # replaced in tests
_stack_config: Any = None  # set by configure() inside the provider process, never serialised


class SearchApiError(Exception):
    """A non-transient failure, carrying the server's reason."""


@dataclass(frozen=True)
class Kind:
    path: str                                   # with {id}
    stored: Callable[[Any, str], Any]           # GET response -> body comparable with the desired one
    versioned: bool = False                     # ISM: updates carry if_seq_no and if_primary_term


KINDS: dict[tuple[str, str], Kind] = {
    ("elasticsearch", "ilm_policy"): Kind("/_ilm/policy/{id}", lambda r, i: {"policy": r[i]["policy"]}),
    ("elasticsearch", "index_template"): Kind("/_index_template/{id}",
                                              lambda r, i: r["index_templates"][0]["index_template"]),
    ("elasticsearch", "snapshot_repository"): Kind("/_snapshot/{id}", lambda r, i: r[i]),
    ("elasticsearch", "slm_policy"): Kind("/_slm/policy/{id}", lambda r, i: r[i]["policy"]),
    ("opensearch", "ism_policy"): Kind("/_plugins/_ism/policies/{id}", lambda r, i: {"policy": r["policy"]},
                                       versioned=True),
    ("opensearch", "index_template"): Kind("/_index_template/{id}",
                                           lambda r, i: r["index_templates"][0]["index_template"]),
    ("opensearch", "snapshot_repository"): Kind("/_snapshot/{id}", lambda r, i: r[i]),
}


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaves; servers nest `index.x` settings that we write flat, so both sides flatten."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for i, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{i}"))
        return out
    return {prefix: value}


def _same_leaf(desired: Any, stored: Any) -> bool:
    # Servers echo settings as strings ("3", "true"); compare by value, not by JSON type.
    return desired == stored or str(desired).lower() == str(stored).lower()


def changed_paths(desired: Any, stored: Any) -> list[str]:
    """Paths of the desired body that the stored body lacks or holds differently (extra stored keys are fine)."""
    have = flatten(stored)
    return sorted(p for p, v in flatten(desired).items() if p not in have or not _same_leaf(v, have[p]))


def _password(engine: str) -> str | None:
    env, key = PASSWORD[engine]
    if os.environ.get(env):
        return os.environ[env]
    return _stack_config.get(key) if _stack_config is not None else None


class _Client:
    """One engine's official client, with our retry policy around every request."""

    def __init__(self, props: dict[str, Any]):
        self.engine = props["engine"]
        auth = (props["username"], _password(self.engine) or "")
        ca = props.get("ca_bundle") or None
        if self.engine == "elasticsearch":
            from elasticsearch import Elasticsearch
            self._client = Elasticsearch(props["endpoint"], basic_auth=auth, verify_certs=True, ca_certs=ca,
                                         max_retries=0, retry_on_status=(), request_timeout=TIMEOUT_S)
        else:
            from opensearchpy import OpenSearch
            self._client = OpenSearch(hosts=[props["endpoint"]], http_auth=auth, verify_certs=True, ca_certs=ca,
                                      max_retries=0, retry_on_status=(), timeout=TIMEOUT_S)

    def _once(self, method: str, path: str, body: Any, params: dict | None) -> Any:
        if self.engine == "elasticsearch":
            return self._client.perform_request(method, path, params=params, headers=JSON, body=body).body
        return self._client.transport.perform_request(method, path, params=params, body=body, headers=JSON)

    def request(self, method: str, path: str, body: Any = None, params: dict | None = None,
                missing_ok: bool = False) -> Any:
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._once(method, path, body, params)
            except Exception as err:  # noqa: BLE001 - both clients' errors are classified below
                status, reason = _classify(err)
                if status == 404 and missing_ok:
                    return None
                transient = status is None or status in TRANSIENT
                if not transient or attempt == MAX_ATTEMPTS - 1:
                    raise SearchApiError(f"{method} {path} failed: HTTP {status or 'connection'}: {reason}") from None
                sleep(min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** attempt))
        raise AssertionError("unreachable")


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


class RetentionObjectProvider(ResourceProvider):
    serialize_as_secret_always = False  # the provider holds no secrets

    def configure(self, req: ConfigureRequest) -> None:
        global _stack_config
        _stack_config = req.config

    def _get(self, client: _Client, props: dict) -> tuple[Any, dict]:
        kind = KINDS[(props["engine"], props["kind"])]
        path = kind.path.format(id=props["object_id"])
        response = client.request("GET", path, missing_ok=True)
        if response is None:
            return None, {}
        meta = {"if_seq_no": response["_seq_no"], "if_primary_term": response["_primary_term"]} \
            if kind.versioned else {}
        return kind.stored(response, props["object_id"]), meta

    def _put(self, client: _Client, props: dict, meta: dict) -> None:
        kind = KINDS[(props["engine"], props["kind"])]
        client.request("PUT", kind.path.format(id=props["object_id"]), body=props["body"], params=meta or None)

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = _Client(props)
        stored, meta = self._get(client, props)
        if stored is None or changed_paths(props["body"], stored):
            self._put(client, props, meta)
        return CreateResult(id_=f"{props['engine']}/{props['kind']}/{props['object_id']}", outs=props)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in REPLACE_ON if olds.get(k) != news.get(k)]
        if replaces:
            return DiffResult(changes=True, replaces=replaces, delete_before_replace=False)
        try:
            stored, _ = self._get(_Client(news), news)
        except SearchApiError:
            stored = olds.get("body")  # cluster unreachable (e.g. preview offline): compare with state
        changed = changed_paths(news["body"], stored) if stored is not None else ["body"]
        others = [k for k in news if k not in ("body", *REPLACE_ON) and olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed or others), replaces=[], stables=list(REPLACE_ON),
                          delete_before_replace=False)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = _Client(news)
        stored, meta = self._get(client, news)
        if stored is None or changed_paths(news["body"], stored):
            self._put(client, news, meta)
        return UpdateResult(outs=news)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        stored, _ = self._get(_Client(props), props)
        return ReadResult(id_, {**props, "body": stored} if stored is not None else {})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("prod") and not props.get("allow_delete"):
            print(f"kafka-monitoring: kept {id_} (prod retention objects are not deleted; "
                  "set allowRetentionDelete to change that)", file=sys.stderr)
            return
        kind = KINDS[(props["engine"], props["kind"])]
        _Client(props).request("DELETE", kind.path.format(id=props["object_id"]), missing_ok=True)


class RetentionObject(pulumi.dynamic.Resource, module="search", name="RetentionObject"):
    """One ILM/ISM policy, index template, snapshot repository or SLM policy on a search cluster."""

    body: pulumi.Output[dict]

    def __init__(self, name: str, *, engine: str, kind: str, object_id: str, body: pulumi.Input[dict],
                 endpoint: str, username: str, prod: bool, allow_delete: bool, ca_bundle: str = "",
                 opts: pulumi.ResourceOptions | None = None):
        if (engine, kind) not in KINDS:
            raise ValueError(f"unsupported {engine} object kind {kind!r}")
        super().__init__(RetentionObjectProvider(), name, {
            "engine": engine, "kind": kind, "object_id": object_id, "body": body, "endpoint": endpoint,
            "username": username, "prod": prod, "allow_delete": allow_delete, "ca_bundle": ca_bundle,
        }, opts)
