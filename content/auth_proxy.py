"""Authenticated entry points of Prometheus and Alertmanager: loopback servers behind a basic-auth proxy.

Why this design, from the sources at the pinned versions (kube-prometheus-stack 65.1.1, whose
appVersion is prometheus-operator v0.77.1):
- Neither server can require credentials itself through the operator: `web` is WebConfigFileFields,
  which holds only `tlsConfig` and `httpConfig` (pkg/apis/monitoring/v1/types.go), and client
  certificates would fail the kubelet's probes, which are plain httpGet without a certificate
  (pkg/prometheus/common.go ProbeHandler, pkg/alertmanager/statefulset.go makeStatefulSetSpec).
- `listenLocal: true` makes Prometheus listen on 127.0.0.1:9090 (pkg/prometheus/common.go
  buildCommonPrometheusArgs), probe itself with an exec of curl or wget on localhost (ProbeHandler,
  pkg/operator/prober.go ExecAction) and declare no container port (MakeContainerPorts); Alertmanager
  listens on 127.0.0.1:9093, gets no web probes and declares only its mesh ports 9094
  (pkg/alertmanager/statefulset.go); their config-reloaders listen on localhost too
  (pkg/operator/config_reloader.go).
- `containers` of the custom resources add containers by name (pkg/k8sutil/merge.go
  MergePatchContainers), and the chart passes `containers`, `volumes`, `listenLocal` and
  `alertingEndpoints` through, and points its Services at `service.targetPort`
  (templates/prometheus/prometheus.yaml, alertmanager/alertmanager.yaml, */service.yaml).
- The operator's governing Services (`prometheus-operated`, `alertmanager-operated`) target the
  container port named `portName` ("http-web"; pkg/prometheus/server/statefulset.go
  makeStatefulSetService): the proxy's port carries that name, so they reach the proxy too.
- Prometheus sends alerts with basic auth from a Secret (AlertmanagerEndpoints.basicAuth,
  pkg/apis/monitoring/v1/prometheus_types.go).

So each pod gets an nginx sidecar, the only web port on the pod's address. It requires basic auth
for everything except the server's own `/metrics` (its self-telemetry, which the chart's
ServiceMonitors scrape without credentials and which holds no stored series) and its own health
path. A second port, named `reloader-web` as the chart's Services and ServiceMonitors name the
config-reloader's (templates/*/service.yaml `targetPort: reloader-web`), serves the reloader's
`/metrics` and nothing else, so the chart's config-reloaders rules keep their series. Passwords are checked against an htpasswd file in a Secret: nginx reads `{SSHA}` entries
itself (nginx src/core/ngx_crypt.c ngx_crypt_ssha, release-1.27.2), whatever the image's libc.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from content.pods import RESTRICTED

USERNAME = "kafka-monitoring"  # the one account: Grafana, Prometheus's alerts, alertmanagerSources
PORT_NAME = "http-web"         # kube-prometheus-stack values: prometheusSpec/alertmanagerSpec.portName
PROXY_PORTS = {"prometheus": 9091, "alertmanager": 9095}   # 9094 is Alertmanager's mesh
LOCAL_PORTS = {"prometheus": 9090, "alertmanager": 9093}   # where listenLocal puts the servers
RELOADER_PORT, RELOADER_PROXY_PORT = 8080, 8081  # the config-reloader (loopback too), and its metrics here
RELOADER_PORT_NAME = "reloader-web"
HEALTH_PATH = "/-/proxy-healthy"  # answered by nginx itself: the proxy's probes do not wait on the server
OPEN_PATHS = ("/metrics",)
# Side by side, not nested: a mount point inside a read-only ConfigMap volume cannot be created.
CONFIG_DIR, SECRET_DIR, TMP_DIR = "/etc/auth-proxy/config", "/etc/auth-proxy/secret", "/tmp"
CONFIG_KEY, HTPASSWD_KEY = "nginx.conf", "htpasswd"
USERNAME_KEY, PASSWORD_KEY = "username", "password"  # Prometheus's basicAuth to Alertmanager
CONTAINER = "auth-proxy"


def secret_name(release: str) -> str:
    return f"{release}-auth-proxy"


def config_name(release: str, kind: str) -> str:
    return f"{release}-{kind}-auth-proxy"


def htpasswd(user: str, password: str) -> str:
    """One htpasswd line, `{SSHA}` base64(SHA1(password + salt) + salt) as nginx checks it. The salt is
    derived from the password, so the Secret only changes when the password does."""
    salt = hmac.new(password.encode(), b"kafka-monitoring auth-proxy", hashlib.sha256).digest()[:8]
    digest = hashlib.sha1(password.encode() + salt).digest()
    return f"{user}:{{SSHA}}{base64.b64encode(digest + salt).decode()}\n"


def nginx_conf(listen: str, upstream: str, htpasswd_file: str, tmp: str = TMP_DIR,
               reloader: tuple[str, str] | None = None) -> str:
    """nginx's whole configuration: `listen` (a port, or address:port), proxying to `upstream`
    (host:port); `reloader`: (listen, upstream) of the config-reloader's metrics. Runs as a non-root
    user on a read-only root: pid, temp files and logs go to `tmp` and the standard streams."""
    reloader_server = "" if reloader is None else f"""
    server {{
        listen {reloader[0]};
        location = /metrics {{
            proxy_pass http://{reloader[1]};
        }}
        location / {{
            return 404;
        }}
    }}"""
    open_paths = "".join(f"""
        location = {path} {{
            proxy_pass http://{upstream};
        }}""" for path in OPEN_PATHS)
    return f"""daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log stderr warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server_tokens off;
    # Prometheus posts alerts in batches of 64 and Grafana posts queries; both stay far below this.
    client_max_body_size 8m;
    proxy_http_version 1.1;
    proxy_read_timeout 300s;
    server {{
        listen {listen};
        location = {HEALTH_PATH} {{
            return 200 "ok\\n";
        }}{open_paths}
        location / {{
            auth_basic "kafka-monitoring";
            auth_basic_user_file {htpasswd_file};
            # The servers need no credentials of their own: do not hand them on.
            proxy_set_header Authorization "";
            proxy_pass http://{upstream};
        }}
    }}{reloader_server}
}}
"""


def config(kind: str) -> str:
    """The deployed nginx.conf of the `prometheus` or `alertmanager` pod."""
    return nginx_conf(str(PROXY_PORTS[kind]), f"127.0.0.1:{LOCAL_PORTS[kind]}", f"{SECRET_DIR}/{HTPASSWD_KEY}",
                      reloader=(str(RELOADER_PROXY_PORT), f"127.0.0.1:{RELOADER_PORT}"))


def container(kind: str, image: str) -> dict:
    """The sidecar: the pod's only web port, named as the operator's governing Service targets it."""
    probe = {"httpGet": {"path": HEALTH_PATH, "port": PORT_NAME}, "periodSeconds": 10, "timeoutSeconds": 3}
    return {
        "name": CONTAINER,
        "image": image,
        "command": ["nginx", "-e", "stderr", "-c", f"{CONFIG_DIR}/{CONFIG_KEY}"],
        "ports": [{"name": PORT_NAME, "containerPort": PROXY_PORTS[kind], "protocol": "TCP"},
                  {"name": RELOADER_PORT_NAME, "containerPort": RELOADER_PROXY_PORT, "protocol": "TCP"}],
        "readinessProbe": probe,
        "livenessProbe": {**probe, "failureThreshold": 6},
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"memory": "64Mi"}},
        "securityContext": {**RESTRICTED, "readOnlyRootFilesystem": True},
        "volumeMounts": [{"name": "auth-proxy-config", "mountPath": CONFIG_DIR, "readOnly": True},
                         {"name": "auth-proxy-secret", "mountPath": SECRET_DIR, "readOnly": True},
                         {"name": "auth-proxy-tmp", "mountPath": TMP_DIR}],
    }


def volumes(release: str, kind: str) -> list[dict]:
    return [
        {"name": "auth-proxy-config", "configMap": {"name": config_name(release, kind),
                                                    "items": [{"key": CONFIG_KEY, "path": CONFIG_KEY}]}},
        # Only the htpasswd file: the plain password stays out of the proxy's filesystem.
        {"name": "auth-proxy-secret", "secret": {"secretName": secret_name(release),
                                                 "items": [{"key": HTPASSWD_KEY, "path": HTPASSWD_KEY}]}},
        {"name": "auth-proxy-tmp", "emptyDir": {"sizeLimit": "64Mi"}},
    ]


def values(release: str, namespace: str, image: str, fullname: str) -> dict:
    """kube-prometheus-stack values that put both servers behind their proxies: merge over the rest.
    `fullname`: the chart's fullname (the Alertmanager Service is `<fullname>-alertmanager`)."""
    def spec(kind: str) -> dict:
        return {"listenLocal": True, "containers": [container(kind, image)], "volumes": volumes(release, kind)}

    credentials = {key: {"name": secret_name(release), "key": key} for key in (USERNAME_KEY, PASSWORD_KEY)}
    return {
        "prometheus": {
            "service": {"targetPort": PROXY_PORTS["prometheus"]},
            "prometheusSpec": {
                **spec("prometheus"),
                # The chart's default endpoint (templates/prometheus/prometheus.yaml), plus credentials.
                "alertingEndpoints": [{"namespace": namespace, "name": f"{fullname}-alertmanager",
                                       "port": PORT_NAME, "pathPrefix": "/", "apiVersion": "v2",
                                       "basicAuth": {"username": credentials[USERNAME_KEY],
                                                     "password": credentials[PASSWORD_KEY]}}],
            },
        },
        "alertmanager": {
            "service": {"targetPort": PROXY_PORTS["alertmanager"]},
            "alertmanagerSpec": spec("alertmanager"),
        },
    }


def merge(base: dict, extra: dict) -> dict:
    """`extra` over `base`, maps key by key (as Helm coalesces values)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def secret_data(password: str) -> dict[str, str]:
    """The Secret both proxies and Prometheus read: the htpasswd file and Prometheus's credentials."""
    return {HTPASSWD_KEY: htpasswd(USERNAME, password), USERNAME_KEY: USERNAME, PASSWORD_KEY: password}
