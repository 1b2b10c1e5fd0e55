"""The deployed proxy configurations, run by a real nginx in front of a real prometheus and
prometheus-alertmanager, all on 127.0.0.1.

Each nginx.conf is the one the prod run deploys (its ConfigMap's text), with only what differs on
this machine replaced: the listen port, the loopback port of the server behind it, the htpasswd path
and the temporary directory. The htpasswd line is the one content.auth_proxy puts in the Secret, so
nginx itself decides whether our `{SSHA}` entry matches (nginx src/core/ngx_crypt.c ngx_crypt_ssha).
Prometheus sends alerts through Alertmanager's proxy with `basic_auth`, as the operator renders an
alertingEndpoint with basicAuth (prometheus-operator v0.77.1 pkg/prometheus/promcfg.go
`generateAlertmanagerConfig` -> `addBasicAuthToYaml`: `basic_auth: {username, password}`).
Everything is bounded by DEADLINE_S and torn down at the end.
"""
from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml

from content import auth_proxy
from harness.tools import free_port
from tests.live.test_live_alerting import HOST, _wait_ready, stop

pytestmark = [pytest.mark.live, pytest.mark.skipif(
    not (shutil.which("prometheus") and shutil.which("prometheus-alertmanager") and shutil.which("nginx")),
    reason="prometheus, prometheus-alertmanager and nginx are not installed")]
DEADLINE_S = 90
PASSWORD = "live-proxy-password-0123456789abcdef"
USER = "kafka-monitoring"


def _call(port: int, path: str, auth: tuple[str, str] | None = None, body: bytes | None = None,
          content_type: str = "application/json") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", data=body, method="POST" if body else "GET")
    if body:
        request.add_header("Content-Type", content_type)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _deployed_conf(run, kind: str, listen: int, upstream: int, tmp, reloader: tuple[int, int]) -> str:
    """The ConfigMap's nginx.conf of `kind`, with this machine's ports and paths; `reloader`: the
    (listen, upstream) ports of the config-reloader's metrics."""
    (cm,) = [r for r in run.of_type("kubernetes:core/v1:ConfigMap")
             if r.inputs["metadata"]["name"].endswith(f"-{kind}-auth-proxy")]
    text = cm.inputs["data"]["nginx.conf"]
    for old, new in (("/tmp/", f"{tmp}/"),  # first: tmp itself lies under /tmp
                     (f"listen {auth_proxy.PROXY_PORTS[kind]};", f"listen {HOST}:{listen};"),
                     (f"http://127.0.0.1:{auth_proxy.LOCAL_PORTS[kind]};", f"http://{HOST}:{upstream};"),
                     ("/etc/auth-proxy/secret/htpasswd", str(tmp / "htpasswd")),
                     (f"listen {auth_proxy.RELOADER_PROXY_PORT};", f"listen {HOST}:{reloader[0]};"),
                     (f"http://127.0.0.1:{auth_proxy.RELOADER_PORT};", f"http://{HOST}:{reloader[1]};")):
        assert old in text, old
        text = text.replace(old, new)
    return text


def _start(args: list[str], log) -> subprocess.Popen:
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(log, "w"))


@pytest.fixture(scope="module")
def servers(stack_runs, tmp_path_factory):
    """(prometheus proxy port, alertmanager proxy port, alertmanager's own port, deadline, the temporary
    directory, prometheus's reloader-metrics port) with everything running."""
    tmp = tmp_path_factory.mktemp("auth-proxy")
    deadline = time.monotonic() + DEADLINE_S
    run = stack_runs["prod"]
    (tmp / "htpasswd").write_text(auth_proxy.secret_data(PASSWORD)[auth_proxy.HTPASSWD_KEY])
    prom, am, prom_proxy, am_proxy, prom_reloader, am_reloader = (free_port() for _ in range(6))
    (tmp / "alertmanager.yml").write_text(yaml.safe_dump({"route": {"receiver": "null"},
                                                          "receivers": [{"name": "null"}]}))
    (tmp / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "live", "interval": "1s", "rules": [
        {"alert": "ThroughTheProxy", "expr": "vector(1)", "labels": {"severity": "none"}}]}]}))
    # The alerting section the operator generates from our alertingEndpoints (basicAuth from the Secret).
    (tmp / "prometheus.yml").write_text(yaml.safe_dump({
        "global": {"evaluation_interval": "1s"}, "rule_files": [str(tmp / "rules.yml")],
        "alerting": {"alertmanagers": [{"api_version": "v2", "path_prefix": "/",
                                        "basic_auth": {"username": USER, "password": PASSWORD},
                                        "static_configs": [{"targets": [f"{HOST}:{am_proxy}"]}]}]}}))
    nginx = ["nginx", "-e", "stderr"] + (["-g", "user root;"] if os.geteuid() == 0 else [])  # workers read tmp
    procs = []
    try:
        # No config-reloader here: the reloader ports stand in front of the servers' own /metrics.
        for kind, listen, upstream, reloader in (("prometheus", prom_proxy, prom, (prom_reloader, prom)),
                                                 ("alertmanager", am_proxy, am, (am_reloader, am))):
            (tmp / f"{kind}.nginx.conf").write_text(_deployed_conf(run, kind, listen, upstream, tmp, reloader))
            procs.append(_start([*nginx, "-c", str(tmp / f"{kind}.nginx.conf")], tmp / f"{kind}-nginx.log"))
        procs.append(_start(["prometheus-alertmanager", f"--config.file={tmp / 'alertmanager.yml'}",
                             f"--storage.path={tmp / 'am-data'}", f"--web.listen-address={HOST}:{am}",
                             "--cluster.listen-address="], tmp / "am.log"))
        procs.append(_start(["prometheus", f"--config.file={tmp / 'prometheus.yml'}",
                             f"--storage.tsdb.path={tmp / 'prom-data'}", f"--web.listen-address={HOST}:{prom}"],
                            tmp / "prom.log"))
        for port, proc in ((prom_proxy, procs[0]), (am_proxy, procs[1]), (am, procs[2]), (prom, procs[3])):
            _wait_ready(port, proc, deadline)
        while _call(prom_proxy, "/api/v1/status/buildinfo", (USER, PASSWORD))[0] != 200:
            assert time.monotonic() < deadline, "Prometheus did not answer through its proxy"
            time.sleep(0.2)
        yield prom_proxy, am_proxy, am, deadline, tmp, prom_reloader
    finally:
        stop(procs)


QUERY = "/api/v1/query?" + urllib.parse.urlencode({"query": "up"})


@pytest.mark.parametrize("auth", [None, (USER, "wrong-password"), ("admin", PASSWORD), (USER, PASSWORD[:-1]),
                                  (USER, PASSWORD + "x"), (USER.upper(), PASSWORD)])
def test_prometheus_api_refuses_missing_and_wrong_credentials(servers, auth):
    prom_proxy = servers[0]
    status, headers, _ = _call(prom_proxy, QUERY, auth)
    assert status == 401
    assert headers.get("WWW-Authenticate") == 'Basic realm="kafka-monitoring"'


def test_prometheus_api_answers_the_right_credentials_get_and_post(servers):
    prom_proxy = servers[0]
    status, _, body = _call(prom_proxy, QUERY, (USER, PASSWORD))
    assert status == 200 and b'"status":"success"' in body
    # Grafana's datasource posts its queries (httpMethod POST).
    status, _, body = _call(prom_proxy, "/api/v1/query", (USER, PASSWORD), b"query=vector(1)",
                            "application/x-www-form-urlencoded")
    assert status == 200 and b'"status":"success"' in body


@pytest.mark.parametrize("path", ["/federate?match%5B%5D=up", "/metrics/../api/v1/query?query=up", "/metricsx",
                                  "/api/v1/targets", "/-/reload", "/graph", "/METRICS"])
def test_only_the_exact_open_paths_skip_authentication(servers, path):
    """Near misses of `/metrics`: nginx normalises `..` before it picks a location, and matches `=`
    locations exactly and case-sensitively."""
    assert _call(servers[0], path)[0] == 401


def test_self_telemetry_and_the_proxy_health_need_no_credentials(servers):
    prom_proxy, am_proxy = servers[0], servers[1]
    for port, metric in ((prom_proxy, b"prometheus_build_info"), (am_proxy, b"alertmanager_build_info")):
        status, _, body = _call(port, "/metrics")
        assert status == 200 and metric in body
        assert _call(port, auth_proxy.HEALTH_PATH)[:1] == (200,)


def test_the_reloader_port_serves_metrics_and_nothing_else(servers):
    """The chart's ServiceMonitors scrape `reloader-web` without credentials: that port passes /metrics
    only, so no API is reachable through it."""
    reloader = servers[5]
    status, _, body = _call(reloader, "/metrics")
    assert status == 200 and b"# TYPE" in body
    for path in ("/api/v1/query?query=up", "/-/reload", "/federate?match%5B%5D=up", "/metrics/../api/v1/query",
                 "/"):
        assert _call(reloader, path, (USER, PASSWORD))[0] == 404, path


def _silence() -> bytes:
    return (b'{"matchers":[{"name":"alertname","value":"KafkaBrokerDown","isRegex":false}],'
            b'"startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z",'
            b'"createdBy":"attacker","comment":"silence everything"}')


def test_alertmanager_refuses_a_silence_without_credentials_and_takes_one_with_them(servers):
    _, am_proxy, am, *_ = servers
    for auth in (None, (USER, "wrong-password"), ("admin", PASSWORD)):
        status, headers, _ = _call(am_proxy, "/api/v2/silences", auth, _silence())
        assert status == 401 and headers.get("WWW-Authenticate") == 'Basic realm="kafka-monitoring"'
    # Nothing reached Alertmanager: ask it directly, on its loopback port.
    status, _, body = _call(am, "/api/v2/silences")
    assert status == 200 and b"KafkaBrokerDown" not in body
    status, _, body = _call(am_proxy, "/api/v2/silences", (USER, PASSWORD), _silence())
    assert status == 200 and b"silenceID" in body
    assert b"KafkaBrokerDown" in _call(am, "/api/v2/silences")[2]


def test_a_fake_resolution_without_credentials_is_refused(servers):
    _, am_proxy, am, *_ = servers
    alert = b'[{"labels":{"alertname":"FakeResolution","severity":"critical"},"endsAt":"2020-01-01T00:00:00Z"}]'
    assert _call(am_proxy, "/api/v2/alerts", None, alert)[0] == 401
    assert _call(am_proxy, "/api/v2/alerts", (USER, PASSWORD), alert)[0] == 200


def test_prometheus_delivers_alerts_through_alertmanagers_proxy_with_basic_auth(servers):
    _, am_proxy, am, deadline, *_ = servers
    while b"ThroughTheProxy" not in _call(am, "/api/v2/alerts")[2]:
        assert time.monotonic() < deadline, "no alert reached Alertmanager through its proxy"
        time.sleep(0.3)
    assert b"ThroughTheProxy" in _call(am_proxy, "/api/v2/alerts", (USER, PASSWORD))[2]


def test_a_new_password_takes_effect_without_a_restart(servers):
    """nginx opens the htpasswd file on each request (nginx release-1.27.2
    src/http/modules/ngx_http_auth_basic_module.c ngx_http_auth_basic_handler: ngx_open_file), so the
    kubelet's refresh of the mounted Secret is enough. Runs last: it puts the first password back."""
    prom_proxy, tmp = servers[0], servers[4]
    rotated = "rotated-proxy-password-fedcba9876543210"
    try:
        (tmp / "htpasswd").write_text(auth_proxy.secret_data(rotated)[auth_proxy.HTPASSWD_KEY])
        assert _call(prom_proxy, QUERY, (USER, rotated))[0] == 200
        assert _call(prom_proxy, QUERY, (USER, PASSWORD))[0] == 401
    finally:
        (tmp / "htpasswd").write_text(auth_proxy.secret_data(PASSWORD)[auth_proxy.HTPASSWD_KEY])
    assert _call(prom_proxy, QUERY, (USER, PASSWORD))[0] == 200
