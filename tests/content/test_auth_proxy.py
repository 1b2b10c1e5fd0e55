"""The authenticating proxies as the operator and the chart deploy them from our values.

Sources, each at the pinned version:
- prometheus-operator v0.77.1 (commit 9ea2e29c0c125544e6b2cbff1fa5a4346f328b06): what it builds from
  a spec is modelled in tests/content/operator_model.py (files and functions cited there); the
  AlertmanagerEndpoints and BasicAuth fields in pkg/apis/monitoring/v1/prometheus_types.go and
  types.go.
- kube-prometheus-stack 65.1.1 (commit aa3d8bc8b114a1200558ed61ea294276d360ce39): values.yaml
  (vendored) merged under ours as Helm does; templates/prometheus/service.yaml and
  alertmanager/service.yaml (port `<portName>`, `port: service.port`, `targetPort: service.targetPort`,
  Service name `<fullname>-prometheus|-alertmanager`), templates/prometheus/prometheus.yaml
  (`alertingEndpoints` rendered as given, else `<fullname>-alertmanager` on `alertmanagerSpec.portName`).
- nginx release-1.27.2 (commit e24f7ccc161f1a2a759eb27263ec9af4fc7c8e96) src/core/ngx_crypt.c
  `ngx_crypt_ssha`: `{SSHA}` base64(SHA1(password + salt) + salt), the salt being what follows the
  20 digest bytes.
"""
from __future__ import annotations

import base64
import hashlib

import pytest

from content import auth_proxy
from tests.components import kubernetes_schema as schema
from tests.content.operator_model import container_ports, probes_need_the_pod_address, reachable
from tests.content.platform_pods import kps_fullname
from tests.upstream import chart, helm_merged

# AlertmanagerEndpoints' JSON fields at v0.77.1 (pkg/apis/monitoring/v1/prometheus_types.go).
ALERTMANAGER_ENDPOINT_FIELDS = {"namespace", "name", "port", "scheme", "pathPrefix", "tlsConfig", "basicAuth",
                                "bearerTokenFile", "authorization", "sigv4", "apiVersion", "timeout",
                                "enableHttp2", "relabelings", "alertRelabelings"}


def _values(run) -> tuple[str, dict]:
    release = run.release("kube-prometheus-stack")
    defaults, _ = chart("kube-prometheus-stack", release.inputs["version"])
    return release.inputs["name"], helm_merged(defaults, release.inputs["values"])


def nginx_accepts(line: str, user: str, password: str) -> bool:
    """nginx's check of one htpasswd line (ngx_http_auth_basic_module: the user, then ngx_crypt)."""
    name, _, entry = line.strip().partition(":")
    if name != user or not entry.startswith("{SSHA}"):
        return False
    raw = base64.b64decode(entry[len("{SSHA}"):])
    digest, salt = raw[:20], raw[20:]
    return hashlib.sha1(password.encode() + salt).digest() == digest


def test_prod_servers_are_reached_only_through_their_proxies(stack_runs):
    """From the values the chart passes to the custom resources, as the operator builds the pods:
    nothing but the proxy (and Alertmanager's gossip) listens on the pod's address, and the
    kubelet probes the servers from inside their containers."""
    _, values = _values(stack_runs["prod"])
    prom, am = values["prometheus"]["prometheusSpec"], values["alertmanager"]["alertmanagerSpec"]
    assert reachable("prometheus", prom) == {("TCP", 9091), ("TCP", 8081)}
    assert reachable("alertmanager", am) == {("TCP", 9095), ("TCP", 8081), ("TCP", 9094), ("UDP", 9094)}
    assert not probes_need_the_pod_address("prometheus", prom)
    assert not probes_need_the_pod_address("alertmanager", am)
    # Near miss: the same values without listenLocal would expose the servers and their reloaders.
    assert reachable("prometheus", {**prom, "listenLocal": False}) == {("TCP", 9090), ("TCP", 8080), ("TCP", 9091),
                                                                        ("TCP", 8081)}
    assert ("TCP", 9093) in reachable("alertmanager", {**am, "listenLocal": False})


def test_the_services_and_the_governing_services_reach_the_proxies(stack_runs):
    """The chart's Service keeps its port (prometheusUrl and alertmanagerUrl do not change) and
    targets the proxy's number; the operator's `*-operated` Services target the port named
    `portName`, which only the proxy declares; the chart's `reloader-web` Service port (targetPort
    `reloader-web`, which its ServiceMonitors scrape) finds the proxy's reloader port."""
    _, values = _values(stack_runs["prod"])
    for kind, spec_key, service_port, proxy in (("prometheus", "prometheusSpec", 9090, 9091),
                                                 ("alertmanager", "alertmanagerSpec", 9093, 9095)):
        spec = values[kind][spec_key]
        ports = container_ports(kind, spec, spec["portName"])
        assert values[kind]["service"]["port"] == service_port
        assert values[kind]["service"]["targetPort"] == proxy
        assert ports[spec["portName"]] == ("TCP", proxy)
        assert ("TCP", service_port) not in ports.values()
        assert ports["reloader-web"] == ("TCP", 8081)


def test_prometheus_sends_alerts_to_the_alertmanager_service_with_the_secrets_credentials(stack_runs):
    run = stack_runs["prod"]
    release, values = _values(run)
    (endpoint,) = values["prometheus"]["prometheusSpec"]["alertingEndpoints"]
    assert set(endpoint) <= ALERTMANAGER_ENDPOINT_FIELDS
    assert endpoint["name"] == f"{kps_fullname(release)}-alertmanager"  # the chart's Alertmanager Service
    assert endpoint["namespace"] == "monitoring"
    assert endpoint["port"] == values["alertmanager"]["alertmanagerSpec"]["portName"]  # that Service's port name
    assert endpoint["apiVersion"] == values["alertmanager"]["apiVersion"] == "v2"
    secrets = {r.inputs["metadata"]["name"]: r for r in run.of_type("kubernetes:core/v1:Secret")
               if r.inputs["metadata"]["namespace"] == "monitoring"}
    for part in ("username", "password"):
        ref = endpoint["basicAuth"][part]
        assert set(ref) == {"name", "key"} and ref["name"] in secrets
        assert ref["key"] in auth_proxy.secret_data("x")


def test_each_proxy_mounts_its_configuration_and_the_htpasswd_file_only(stack_runs):
    run = stack_runs["prod"]
    _, values = _values(run)
    config_maps = {r.inputs["metadata"]["name"]: r for r in run.of_type("kubernetes:core/v1:ConfigMap")}
    secrets = {r.inputs["metadata"]["name"] for r in run.of_type("kubernetes:core/v1:Secret")}
    for kind, spec_key in (("prometheus", "prometheusSpec"), ("alertmanager", "alertmanagerSpec")):
        spec = values[kind][spec_key]
        (proxy,) = spec["containers"]
        assert schema.problems(proxy, schema.core_v1.ContainerArgs) == []
        assert schema.restricted(proxy["securityContext"]) == []
        volumes = {v["name"]: v for v in spec["volumes"]}
        for volume in volumes.values():
            assert schema.problems(volume, schema.core_v1.VolumeArgs) == []
        assert {m["name"] for m in proxy["volumeMounts"]} == set(volumes)
        config = volumes["auth-proxy-config"]["configMap"]["name"]
        assert f"listen {auth_proxy.PROXY_PORTS[kind]};" in config_maps[config].inputs["data"]["nginx.conf"]
        secret = volumes["auth-proxy-secret"]["secret"]
        assert secret["secretName"] in secrets
        assert [i["key"] for i in secret["items"]] == ["htpasswd"]  # not the plain password
        # The kubelet probes the proxy on the port it declares, over a path nginx answers itself.
        assert proxy["readinessProbe"]["httpGet"]["port"] in {p["name"] for p in proxy["ports"]}


def test_the_proxy_credentials_stay_secret_in_the_state(stack_runs):
    """The Secret's data is a Pulumi secret (masked in the recorded inputs); nothing else carries the
    password (every registered input is searched)."""
    from harness.runtime import MASK
    from tests.conftest import SECRET_VALUES
    run = stack_runs["prod"]
    (secret,) = [r for r in run.of_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"].endswith(
        "-auth-proxy")]
    assert secret.inputs["stringData"] == MASK
    assert SECRET_VALUES["authProxyPassword"] not in repr([r.inputs for r in run.resources])


@pytest.mark.parametrize("password", ["p", "correct horse battery staple", "ümlaut-ß", "x" * 200])
def test_the_htpasswd_line_is_what_nginx_accepts_for_that_password_only(password):
    line = auth_proxy.htpasswd("kafka-monitoring", password)
    assert line.endswith("\n") and line.count("\n") == 1
    assert nginx_accepts(line, "kafka-monitoring", password)
    assert not nginx_accepts(line, "kafka-monitoring", password + " ")
    assert not nginx_accepts(line, "kafka-monitoring", password[:-1])
    assert not nginx_accepts(line, "admin", password)
    assert line == auth_proxy.htpasswd("kafka-monitoring", password)  # no churn in the Secret between runs
    assert len(password) < 8 or password not in line  # (a short one may appear in base64 by chance)


def test_two_passwords_get_different_salts():
    salt = [base64.b64decode(auth_proxy.htpasswd("u", p).split("{SSHA}")[1])[20:] for p in ("one", "two")]
    assert len(salt[0]) == 8 and salt[0] != salt[1]


def test_without_the_proxy_the_chart_values_stay_as_they_were(program):
    """enableAuthProxy false (allowed outside prod): no listenLocal, no sidecar, the chart's own
    targets, and no proxy objects."""
    run = program("dev", enableAuthProxy=False)
    _, values = _values(run)
    prom = values["prometheus"]["prometheusSpec"]
    assert prom["listenLocal"] is False and not prom.get("containers") and not prom.get("alertingEndpoints")
    assert values["prometheus"]["service"]["targetPort"] == 9090
    assert values["alertmanager"]["service"]["targetPort"] == 9093
    assert reachable("prometheus", prom) == {("TCP", 9090), ("TCP", 8080)}
    assert not [r for r in run.resources if r.name.endswith("auth-proxy")]


def test_no_mount_of_the_proxy_lies_inside_another():
    """A mount point inside another (read-only) volume would have to be created in it."""
    paths = [m["mountPath"].rstrip("/") + "/" for m in auth_proxy.container("prometheus", "nginx:1")["volumeMounts"]]
    assert len(set(paths)) == len(paths)
    assert [(a, b) for a in paths for b in paths if a != b and b.startswith(a)] == []
