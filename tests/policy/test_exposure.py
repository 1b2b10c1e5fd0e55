"""No Service of the stack is reachable from outside the cluster unless the pack's setting names it.

The Services a chart renders, and the values that decide their type, come from the pinned charts
(tests/upstream: kube-prometheus-stack 65.1.1's templates in services.txt and its values.yaml;
kube-state-metrics 5.25.1 and prometheus-node-exporter 4.39.0, its subcharts; fluent-bit 0.47.10
and prometheus-blackbox-exporter 9.0.3). A Service whose template sets no type is a ClusterIP
(Kubernetes API reference, ServiceSpec: "type ... Defaults to ClusterIP").
"""
from __future__ import annotations

import copy
import re

import pytest
import yaml
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policy import invariants as inv
from policy.invariants import PENDING, Resource
from tests import upstream
from tests.policy import engine
from tests.policy.test_pack import MANDATORY, mandatory, named, pack

STACK = "kube-prometheus-stack"
RELEASE = "kafka-monitoring-alerting-prometheus"
WHERE = f"monitoring/{RELEASE}"
SUBCHARTS = {"kube-state-metrics": "kube-state-metrics-5.25.1", "prometheus-node-exporter":
             "prometheus-node-exporter-4.39.0"}


def _services_txt() -> dict[str, list[str]]:
    """services.txt: template path -> its gate and type lines."""
    out: dict[str, list[str]] = {}
    for line in (upstream.HERE / "kube-prometheus-stack-65.1.1" / "services.txt").read_text().splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("    "):
            out[current].append(line.strip())
        else:
            current = line
            out[current] = []
    return out


def _dig(values: dict, path: str):
    for key in path.split("."):
        values = values[key]
    return values


def test_the_table_names_every_templated_service_type_of_kube_prometheus_stack_with_its_gate():
    """Each template that takes its type from the values is in the table with the template's own gate;
    every other one hard-codes ClusterIP or sets no type."""
    table = {path: {g for g, _ in gates} for path, _, gates in inv.CHART_SERVICES[STACK]}
    templated = {}
    for template, lines in _services_txt().items():
        gate = set(re.findall(r"\.Values\.([\w.]+)", lines[0]))
        per_replica = re.findall(r"\$serviceValues := \.Values\.([\w.]+)", " ".join(lines))
        types = [ln for ln in lines if ln.startswith("type:")]
        typed = [m for ln in types for m in re.findall(r"\.Values\.([\w.]+)\.type", ln)] or (
            per_replica if any("$serviceValues.type" in ln for ln in types) else [])
        if typed:
            templated[typed[0]] = gate - {"kubernetesServiceMonitors.enabled"}
        else:
            assert types in ([], ["type: ClusterIP"]), template
    assert {p: g for p, g in table.items() if p.split(".")[0] not in (*SUBCHARTS, "grafana")} == templated


def test_the_table_defaults_are_the_charts_own():
    values, _ = upstream.chart(STACK, "65.1.1")
    for path, default, gates in inv.CHART_SERVICES[STACK]:
        subchart = path.split(".")[0]
        if subchart in SUBCHARTS:
            sub = yaml.safe_load((upstream.HERE / SUBCHARTS[subchart] / "values.yaml").read_text())
            assert _dig(sub, path.split(".", 1)[1] + ".type") == default
            for gate, on in gates:
                assert (_dig(sub, gate.split(".", 1)[1]) if gate.startswith(subchart) else _dig(values, gate)) is on
        elif subchart == "grafana":
            assert default is None and _dig(values, "grafana.enabled") is True  # grafana's own chart is not read here
        else:
            assert _dig(values, f"{path}.type") == default   # templates read it: the test above
            assert all(_dig(values, gate) is on for gate, on in gates)
    for chart, version in (("fluent-bit", "0.47.10"), ("prometheus-blackbox-exporter", "9.0.3")):
        values, read = upstream.chart(chart, version)
        assert inv.CHART_SERVICES[chart] == (("service", values["service"]["type"], ()),) and "service.type" in read


def test_the_subcharts_services_take_the_type_and_gate_the_table_says():
    ksm = (upstream.HERE / SUBCHARTS["kube-state-metrics"] / "service.yaml").read_text()
    node = (upstream.HERE / SUBCHARTS["prometheus-node-exporter"] / "service.yaml").read_text()
    assert 'type: "{{ .Values.service.type }}"' in ksm and not ksm.startswith("{{- if")
    assert "type: {{ .Values.service.type }}" in node and node.startswith("{{- if .Values.service.enabled }}")


def _stack(plan) -> list[Resource]:
    return [Resource(r.type, r.name, r.urn, copy.deepcopy(r.inputs), r.protect) for r in plan]


def _values(res: list[Resource], release: str = RELEASE) -> dict:
    return named(res, release).props["values"]


def _expose(values: dict, path: str, type_) -> None:
    node = values
    for key in path.split("."):
        node = node.setdefault(key, {})
    node["type"] = type_


@pytest.mark.parametrize("path,type_,gates,exposed", [
    ("prometheus.service", "LoadBalancer", {}, True),
    ("alertmanager.service", "NodePort", {}, True),
    ("prometheus.service", "ClusterIP", {}, False),
    ("prometheus.service", "LoadBalancer", {"prometheus.enabled": False}, False),     # not rendered
    ("prometheus.thanosServiceExternal", None, {}, False),                            # LoadBalancer, off
    ("prometheus.thanosServiceExternal", None, {"prometheus.thanosServiceExternal.enabled": True}, True),
    ("alertmanager.servicePerReplica", "NodePort", {}, False),                        # off by default
    ("alertmanager.servicePerReplica", "NodePort", {"alertmanager.servicePerReplica.enabled": True}, True),
    ("kube-state-metrics.service", "LoadBalancer", {}, True),
    ("kube-state-metrics.service", "LoadBalancer", {"kubeStateMetrics.enabled": False}, False),
    ("prometheus-node-exporter.service", "NodePort", {}, True),                        # rendered by default
    ("prometheus-node-exporter.service", "NodePort", {"prometheus-node-exporter.service.enabled": False}, False),
    ("prometheus-node-exporter.service", "NodePort", {"nodeExporter.enabled": False}, False),
    ("grafana.service", None, {"grafana.enabled": True}, True),                        # its default is not read
    ("grafana.service", "ClusterIP", {"grafana.enabled": True}, False),
])
def test_a_chart_service_is_caught_where_the_chart_renders_it_exposed(stack_runs, path, type_, gates, exposed):
    res = _stack(stack_runs["prod"].resources)
    values = _values(res)
    if type_ is not None:
        _expose(values, path, type_)
    for gate, on in gates.items():
        *parents, key = gate.split(".")
        node = values
        for p in parents:
            node = node.setdefault(p, {})
        node[key] = on
    found = inv.monitoring_services_not_exposed(res)
    assert found == ([f"Release {RELEASE}: Service {WHERE}:{path} is reachable from outside the cluster "
                      "(LoadBalancer or NodePort); allow it by name if it must be"] if exposed else [])
    assert inv.monitoring_services_not_exposed(res, allowed=[f"{WHERE}:{path}"]) == []


def test_fluent_bit_and_jaeger_services_are_caught(stack_runs):
    res = _stack(stack_runs["prod"].resources)
    _expose(_values(res, "kafka-monitoring-collection-fluent-bit"), "service", "NodePort")
    named(res, "kafka-monitoring-collection-jaeger-service").props["spec"]["type"] = "LoadBalancer"
    found = inv.monitoring_services_not_exposed(res)
    assert sorted(p.split(":")[0] for p in found) == ["Release kafka-monitoring-collection-fluent-bit",
                                                      "Service kafka-monitoring-collection-jaeger-service"]
    assert any("Service monitoring/jaeger is reachable" in p for p in found)
    assert len(inv.monitoring_services_not_exposed(res, allowed=["monitoring/jaeger", "other/x:service"])) == 1


def test_a_chart_whose_services_are_not_known_is_refused():
    release = Resource(inv.RELEASE, "r", "urn:r", {"chart": "oci://example/some-chart", "name": "r",
                                                   "namespace": "monitoring", "values": {}})
    (problem,) = inv.monitoring_services_not_exposed([release])
    assert "monitoring/r:(every Service of the chart)" in problem


@pytest.mark.parametrize("spec", [{"type": PENDING}, PENDING])
def test_a_service_type_not_known_yet_waits_for_up(spec):
    service = Resource(inv.SERVICE, "s", "urn:s", {"metadata": {"name": "s", "namespace": "monitoring"},
                                                   "spec": spec})
    (problem,) = inv.monitoring_services_not_exposed([service])
    assert isinstance(problem, inv.Pending)


def test_values_not_known_yet_wait_for_up_and_known_ones_are_judged():
    release = Resource(inv.RELEASE, "r", "urn:r", {"chart": "fluent-bit", "name": "r", "values": PENDING})
    assert all(isinstance(p, inv.Pending) for p in inv.monitoring_services_not_exposed([release]))
    release.props["values"] = {"service": {"type": "NodePort"}, "serviceAccount": PENDING}
    assert inv.violations(inv.monitoring_services_not_exposed([release])) != []


def _configure(servicer, allowed: list[str]) -> None:
    """What the engine sends from `--policy-pack-config`: each policy's own properties (AnalyzerService
    Configure, pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go `Configure`)."""
    props = struct_pb2.Struct()
    props.update({"allowed": allowed})
    servicer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
        "monitoring-services-not-exposed": analyzer_pb2.PolicyConfig(enforcementLevel=MANDATORY, properties=props)}),
        None)


@pytest.mark.parametrize("when", ["first preview", "update"])
def test_the_pack_denies_an_exposed_service_unless_its_setting_allows_it(plans, when):
    res = copy.deepcopy(plans[when])
    _expose(named(res, RELEASE).inputs["values"], "prometheus.service", "LoadBalancer")
    servicer = _PolicyAnalyzerServicer(pack.NAME, "0.0.1", pack.policies(), pack.ENFORCEMENT)
    found = mandatory([(d.policyName, d.enforcementLevel, d.message)
                       for d in servicer.AnalyzeStack(engine.request(res), None).diagnostics])
    assert [p for p, _ in found] == ["monitoring-services-not-exposed"] and f"{WHERE}:prometheus.service" in found[0][1]
    _configure(servicer, [f"{WHERE}:prometheus.service"])
    assert mandatory([(d.policyName, d.enforcementLevel, d.message)
                      for d in servicer.AnalyzeStack(engine.request(res), None).diagnostics]) == []


def test_the_offline_preview_refuses_what_the_pack_refuses(stack_runs, capsys, tmp_path):
    """scripts/preview runs the same invariants (as on an update) and fails on a violation."""
    from harness import preview
    assert preview.main(["prod", "--out", str(tmp_path / "out")]) == 0
    assert "check policy invariants: ok" in capsys.readouterr().out
    run = copy.deepcopy(stack_runs["prod"])
    run.named("kafka-monitoring-collection-jaeger-service").inputs["spec"]["type"] = "NodePort"
    assert preview.policy_problems(run) == [
        "monitoring-services-not-exposed: Service kafka-monitoring-collection-jaeger-service: Service "
        "monitoring/jaeger is reachable from outside the cluster (LoadBalancer or NodePort); allow it by name if "
        "it must be"]
