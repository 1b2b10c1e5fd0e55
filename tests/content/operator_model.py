"""What prometheus-operator v0.77.1 (kube-prometheus-stack 65.1.1's appVersion; tag v0.77.1, commit
9ea2e29c0c125544e6b2cbff1fa5a4346f328b06) makes of a Prometheus or Alertmanager spec, as far as who can
reach the pod: the container ports it declares and the address each server listens on. The files
are vendored under tests/upstream/prometheus-operator-v0.77.1; test_operator_model.py finds each
fact below in them.

Written from the operator's source, not from content/:
- Prometheus: pkg/prometheus/common.go `MakeContainerPorts` (no port with listenLocal, else
  `<portName>` 9090), `buildCommonPrometheusArgs` (`--web.listen-address=127.0.0.1:9090` with
  listenLocal; Prometheus's own default otherwise, 0.0.0.0:9090), `ProbeHandler` (an exec of curl or
  wget on http://localhost:9090 with listenLocal, else httpGet on `<portName>`).
- Alertmanager: pkg/alertmanager/statefulset.go `makeStatefulSetSpec`: `mesh-tcp`/`mesh-udp` 9094
  always, `<portName>` 9093 unless listenLocal; `--web.listen-address=127.0.0.1:9093` with
  listenLocal, else `:9093`; no liveness or readiness probe with listenLocal.
- Both config-reloaders: pkg/operator/config_reloader.go `CreateConfigReloader`: with listenLocal
  `--listen-address=<localhost>:8080` and no port, else `:8080` and the port `reloader-web`.
- `spec.containers`: pkg/k8sutil/merge.go `MergePatchContainers`: a container named like one of the
  operator's patches it, any other is appended as given.
- The governing Service `prometheus-operated` targets the port named `<portName>`
  (pkg/prometheus/server/statefulset.go `makeStatefulSetService`).
"""
from __future__ import annotations

from dataclasses import dataclass

WEB = {"prometheus": 9090, "alertmanager": 9093}
RELOADER_PORT = 8080


@dataclass(frozen=True)
class Listener:
    container: str
    address: str     # "0.0.0.0" (every address of the pod) or "127.0.0.1"
    port: int
    protocol: str = "TCP"


def listeners(kind: str, spec: dict) -> list[Listener]:
    """Every socket the pod's containers listen on; `spec` is the custom resource's spec (our values'
    prometheusSpec or alertmanagerSpec). Added containers listen on the ports they declare."""
    local = bool(spec.get("listenLocal", False))
    found = [Listener(kind, "127.0.0.1" if local else "0.0.0.0", WEB[kind]),
             Listener("config-reloader", "127.0.0.1" if local else "0.0.0.0", RELOADER_PORT)]
    if kind == "alertmanager":
        found += [Listener(kind, "0.0.0.0", 9094, "TCP"), Listener(kind, "0.0.0.0", 9094, "UDP")]
    for c in spec.get("containers", []):
        if c["name"] not in (kind, "config-reloader"):
            found += [Listener(c["name"], "0.0.0.0", p["containerPort"], p.get("protocol", "TCP"))
                      for p in c.get("ports", [])]
    return found


def container_ports(kind: str, spec: dict, port_name: str = "http-web") -> dict[str, tuple[str, int]]:
    """The pod's named container ports (name -> (protocol, port)), as the operator declares them."""
    local = bool(spec.get("listenLocal", False))
    ports: dict[str, tuple[str, int]] = {}
    if not local:
        ports[port_name] = ("TCP", WEB[kind])
        ports["reloader-web"] = ("TCP", RELOADER_PORT)
    if kind == "alertmanager":
        ports["mesh-tcp"], ports["mesh-udp"] = ("TCP", 9094), ("UDP", 9094)
    for c in spec.get("containers", []):
        if c["name"] not in (kind, "config-reloader"):
            ports.update({p["name"]: (p.get("protocol", "TCP"), p["containerPort"]) for p in c.get("ports", [])})
    return ports


def reachable(kind: str, spec: dict) -> set[tuple[str, int]]:
    """(protocol, port) another pod can connect to: what listens on the pod's address."""
    return {(l.protocol, l.port) for l in listeners(kind, spec) if l.address != "127.0.0.1"}


def probes_need_the_pod_address(kind: str, spec: dict) -> bool:
    """Whether the kubelet probes the server over the pod's address (httpGet), where a proxy or client
    certificates would stand in its way, rather than by an exec inside the container."""
    return not spec.get("listenLocal", False)
