"""Prometheus target relabelling and Kubernetes pod discovery, modelled from their sources.

prometheus/prometheus v2.54 model/relabel/relabel.go: defaults separator ";", regex "(.*)"
(anchored as `^(?:regex)$`), replacement "$1", action replace; `keep`/`drop` test the joined
source labels; `replace` sets target_label to the expanded replacement when the regex matches and
deletes it when that comes out empty; `labelmap` copies every matching label name.
scrape/target.go PopulateLabels: `job`, `__address__`, `__metrics_path__`, `__scheme__` are set
before relabelling; afterwards `instance` defaults to `__address__` and every `__`-label is dropped.
discovery/kubernetes/pod.go: one target per declared container port, `__address__` = podIP:port,
with `__meta_kubernetes_namespace`, `_pod_name`, `_pod_ip`, `_pod_phase`, `_pod_label_<name>`
(name sanitised to [a-zA-Z0-9_]), `_pod_container_name`, `_pod_container_port_name` and
`_pod_container_port_number`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


def _expand(m: re.Match, template: str) -> str:
    return re.sub(r"\$\{?(\d+)\}?", lambda g: m.group(int(g.group(1))) or "", template)


def job_label(job: dict) -> str:
    """The `job` label of a scrape job's targets: its job_name, set before relabelling (PopulateLabels),
    unless a rule writes `job` (ours write it with a fixed replacement: one job per role, whatever the
    job_name)."""
    written = {r["replacement"] for r in job.get("relabel_configs", []) if r.get("target_label") == "job"}
    (label,) = written or {job["job_name"]}
    return label


def relabel(labels: dict[str, str], configs: list[dict]) -> dict[str, str] | None:
    labels = dict(labels)
    for cfg in configs:
        action = cfg.get("action", "replace")
        regex = re.compile("^(?:" + cfg.get("regex", "(.*)") + ")$")
        value = cfg.get("separator", ";").join(labels.get(s, "") for s in cfg.get("source_labels", []))
        if action == "keep":
            if not regex.match(value):
                return None
        elif action == "drop":
            if regex.match(value):
                return None
        elif action == "replace":
            m = regex.match(value)
            if m:
                out = _expand(m, cfg.get("replacement", "$1"))
                if out:
                    labels[cfg["target_label"]] = out
                else:
                    labels.pop(cfg["target_label"], None)
        elif action == "labelmap":
            for name in list(labels):
                m = regex.match(name)
                if m:
                    labels[_expand(m, cfg.get("replacement", "$1"))] = labels[name]
        else:
            raise NotImplementedError(action)
    return labels


@dataclass
class Pod:
    name: str
    namespace: str
    ip: str
    labels: dict[str, str]
    ports: dict[str, int]                   # container port name -> number
    phase: str = "Running"
    container: str = "kafka"
    extra: dict = field(default_factory=dict)

    def targets(self) -> list[dict[str, str]]:
        base = {"__meta_kubernetes_namespace": self.namespace, "__meta_kubernetes_pod_name": self.name,
                "__meta_kubernetes_pod_ip": self.ip, "__meta_kubernetes_pod_phase": self.phase,
                "__meta_kubernetes_pod_container_name": self.container}
        base.update({"__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", k): v
                     for k, v in self.labels.items()})
        return [{**base, "__address__": f"{self.ip}:{number}", "__meta_kubernetes_pod_container_port_name": name,
                 "__meta_kubernetes_pod_container_port_number": str(number)} for name, number in self.ports.items()]


def discover(job: dict, pods: list[Pod]) -> list[dict[str, str]]:
    """The targets a pod-role scrape job yields over these pods, with their final labels."""
    (sd,) = job["kubernetes_sd_configs"]
    assert sd["role"] == "pod"
    namespaces = sd.get("namespaces", {}).get("names")
    found = []
    for pod in pods:
        if namespaces and pod.namespace not in namespaces:
            continue
        for meta in pod.targets():
            labels = relabel({**meta, "job": job["job_name"], "__metrics_path__": job.get("metrics_path", "/metrics")},
                             job.get("relabel_configs", []))
            if labels is None:
                continue
            labels.setdefault("instance", labels["__address__"])
            found.append({k: v for k, v in labels.items() if not k.startswith("__")})
    return found
