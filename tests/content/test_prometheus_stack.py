"""kube-prometheus-stack values keep every chart default rule satisfiable.

Facts from the chart at the pinned version, prometheus-community/helm-charts tag
kube-prometheus-stack-65.1.1, charts/kube-prometheus-stack:
- templates/prometheus/rules-1.14/<group>.yaml: each rule group's gate (`.Values.defaultRules.rules.<key>`
  and, for some, a component's `.enabled`) and the job labels its expressions select, e.g.
  kubernetes-system-kubelet.yaml `KubeletDown: absent(up{job="kubelet", metrics_path="/metrics"} == 1)`.
- templates/exporters/<component>/servicemonitor.yaml: the ServiceMonitor each `.enabled` creates and
  the job it gives; values.yaml `kubelet.serviceMonitor.*Relabelings` add `metrics_path`.
A group that is enabled must only select jobs (with labels) that an enabled ServiceMonitor produces.
"""
from __future__ import annotations

import pytest

from config.sections import AlertingArgs
from content import prometheus_stack
from tests.conftest import make_settings
from tests.upstream import chart, chart_problems, kube_prometheus_stack_renders

# rule group key -> (gating component or None, {job: required extra labels})
RULE_GROUPS = {
    "kubelet": ("kubelet", {"kubelet": {"metrics_path": "/metrics"}}),
    "kubernetesSystem": (None, {"kubelet": {"metrics_path": "/metrics"}, "apiserver": {},
                                "kube-state-metrics": {}}),
    "kubernetesStorage": (None, {"kubelet": {}, "kube-state-metrics": {}}),
    "k8sContainerCpuUsageSecondsTotal": (None, {"kubelet": {"metrics_path": "/metrics/cadvisor"}}),
    "k8sContainerMemoryWorkingSetBytes": (None, {"kubelet": {"metrics_path": "/metrics/cadvisor"}}),
    "nodeExporterAlerting": (None, {"node-exporter": {}}),
    "nodeExporterRecording": (None, {"node-exporter": {}}),
    "kubeStateMetrics": (None, {"kube-state-metrics": {}}),
    "kubeApiserverAvailability": ("kubeApiServer", {"apiserver": {}}),
    "kubeControllerManager": ("kubeControllerManager", {"kube-controller-manager": {}}),
    "kubeSchedulerAlerting": ("kubeScheduler", {"kube-scheduler": {}}),
    "kubeSchedulerRecording": ("kubeScheduler", {"kube-scheduler": {}}),
    "kubeProxy": ("kubeProxy", {"kube-proxy": {}}),
    "etcd": ("kubeEtcd", {"kube-etcd": {}}),
}
# component values key -> (chart default of .enabled, job, labels its ServiceMonitor adds)
MONITORS = {
    "kubelet": (True, "kubelet", {"metrics_path": {"/metrics", "/metrics/cadvisor", "/metrics/probes"}}),
    "kubeApiServer": (True, "apiserver", {}),
    "kubeStateMetrics": (True, "kube-state-metrics", {}),
    "nodeExporter": (True, "node-exporter", {}),
    "kubeControllerManager": (True, "kube-controller-manager", {}),
    "kubeScheduler": (True, "kube-scheduler", {}),
    "kubeProxy": (True, "kube-proxy", {}),
    "kubeEtcd": (True, "kube-etcd", {}),
}
# Components whose targets a managed control plane (EKS, GKE, AKS) does not expose.
UNREACHABLE_WHEN_MANAGED = {"kubeControllerManager", "kubeScheduler", "kubeProxy", "kubeEtcd"}


def produced_jobs(values: dict, managed: bool) -> dict[str, dict]:
    jobs = {}
    for key, (default, job, labels) in MONITORS.items():
        enabled = values.get(key, {}).get("enabled", default)
        if enabled and not (managed and key in UNREACHABLE_WHEN_MANAGED):
            jobs[job] = labels
    return jobs


def unsatisfiable(values: dict, managed: bool) -> list[str]:
    rules = values.get("defaultRules", {}).get("rules", {})
    jobs = produced_jobs(values, managed)
    problems = []
    for group, (gate, selects) in RULE_GROUPS.items():
        gate_on = gate is None or values.get(gate, {}).get("enabled", MONITORS[gate][0])
        if not (rules.get(group, True) and gate_on):
            continue
        for job, needs in selects.items():
            if job not in jobs:
                problems.append(f"{group}: selects job {job!r}, which nothing scrapes")
            for label, value in needs.items():
                if value not in jobs.get(job, {}).get(label, set()):
                    problems.append(f"{group}: selects {job} with {label}={value!r}, which is not produced")
    return problems


@pytest.mark.parametrize("managed", [True, False])
def test_every_enabled_default_rule_group_selects_jobs_that_are_scraped(managed):
    values = prometheus_stack.values(make_settings("prod", managedControlPlane=managed), "r", "cfg", "recv")
    assert unsatisfiable(values, managed) == []


def test_the_old_hand_written_kubelet_job_would_leave_kubelet_down_firing():
    """The counter-example: chart kubelet monitor off (our own job lacked metrics_path)."""
    values = prometheus_stack.values(make_settings("prod"), "r", "cfg", "recv")
    values["kubelet"] = {"enabled": False}
    assert any(p.startswith("kubernetesSystem: selects job 'kubelet'") for p in unsatisfiable(values, True))


def test_control_plane_rules_are_off_on_a_managed_control_plane_and_on_otherwise():
    managed = prometheus_stack.values(make_settings("prod"), "r", "cfg", "recv")
    assert all(managed["defaultRules"]["rules"][g] is False for g in prometheus_stack.CONTROL_PLANE_RULES)
    assert all(managed[c] == {"enabled": False} for c in prometheus_stack.CONTROL_PLANE)
    own = prometheus_stack.values(make_settings("prod", managedControlPlane=False), "r", "cfg", "recv")
    assert own["defaultRules"]["rules"] == {} and all(own[c] == {"enabled": True} for c in prometheus_stack.CONTROL_PLANE)


def test_the_chart_takes_the_alertmanager_config_from_our_secret():
    spec = prometheus_stack.values(make_settings("prod"), "r", "cfg", "recv")["alertmanager"]["alertmanagerSpec"]
    assert (spec["useExistingSecret"], spec["configSecret"], spec["secrets"]) == (True, "cfg", ["recv"])



@pytest.mark.parametrize("stack,managed", [("prod", True), ("prod", False), ("dev", True)])
def test_every_value_we_set_is_one_the_pinned_chart_reads(stack, managed):
    """kube-prometheus-stack 65.1.1 (tests/upstream: its values.yaml, and every
    `.Values.<path>` its templates name): a misspelt key would be ignored without a word."""
    defaults, read = chart(prometheus_stack.CHART, "65.1.1")
    values = prometheus_stack.values(AlertingArgs.of(make_settings(stack, managedControlPlane=managed)),
                                     "kafka-monitoring-alerting-prometheus", "config", "receivers")
    assert chart_problems(values, defaults, read) == []
    assert chart_problems({"prometheus": {"prometheusSpec": {"retension": "90d"}}}, defaults, read) == [
        "prometheus.prometheusSpec.retension"]


CONTROL_PLANE_GROUPS = {"etcd", "kube-scheduler.rules", "kubernetes-system-controller-manager",
                        "kubernetes-system-kube-proxy", "kubernetes-system-scheduler"}


@pytest.mark.parametrize("managed", [True, False])
def test_the_release_renders_the_charts_rules_and_exporters_but_no_second_grafana(managed):
    """What kube-prometheus-stack 65.1.1 renders for our values, merged over its values.yaml as Helm
    merges them: the subcharts its Chart.yaml conditions select, and the default rule files whose
    `if` gates hold (tests/upstream). Grafana exists already (this program provisions into it);
    the chart's default rules stay, but for a control plane that a managed cluster hides."""
    _, chart_default_groups = kube_prometheus_stack_renders("65.1.1", {})
    values = prometheus_stack.values(AlertingArgs.of(make_settings("prod", managedControlPlane=managed)),
                                     "kafka-monitoring-alerting-prometheus", "config", "receivers")
    subcharts, groups = kube_prometheus_stack_renders("65.1.1", values)
    assert subcharts == {"crds", "kube-state-metrics", "prometheus-node-exporter"}
    assert groups == chart_default_groups - (CONTROL_PLANE_GROUPS if managed else set())
    assert {"kubernetes-system-kubelet", "kubelet.rules", "node-exporter", "kube-state-metrics"} <= groups


def test_prometheus_storage_claims_a_volume_the_api_server_accepts():
    """prometheusSpec.storageSpec.volumeClaimTemplate.spec becomes a PersistentVolumeClaimSpec (the
    pinned pulumi-kubernetes SDK's schema); accessModes are the API's PersistentVolumeAccessMode
    values, and a single Prometheus replica's volume is mounted by one node (ReadWriteOnce)."""
    from pulumi_kubernetes.core.v1 import PersistentVolumeClaimSpecArgs

    from tests.components import kubernetes_schema as schema
    values = prometheus_stack.values(AlertingArgs.of(make_settings("prod")), "r", "config", "receivers")
    spec = values["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert schema.problems(spec, PersistentVolumeClaimSpecArgs) == []
    assert set(spec["accessModes"]) <= {"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}
    assert spec["accessModes"] == ["ReadWriteOnce"] and spec["resources"]["requests"]["storage"]
