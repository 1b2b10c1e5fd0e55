"""The operator model (operator_model.py) against prometheus-operator v0.77.1's own source, vendored
under tests/upstream/prometheus-operator-v0.77.1 (see its README): each fact the model uses is found
in the function it cites, as consecutive statements, and the model answers accordingly both ways."""
from __future__ import annotations

import re

import pytest

from tests.content.operator_model import (container_ports, listeners, probes_need_the_pod_address,
                                          reachable)
from tests.upstream import HERE

SOURCE = HERE / "prometheus-operator-v0.77.1"


def function(file: str, name: str) -> list[str]:
    """The statements of a Go function (its lines without indentation, blank lines dropped)."""
    text = (SOURCE / file).read_text()
    start = re.search(rf"^func (\([^)]*\) )?{re.escape(name)}\(", text, flags=re.M)
    assert start, name
    depth, i = 0, text.index("{\n", start.start())
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return [line.strip() for line in text[i:j + 1].splitlines() if line.strip()]
    raise AssertionError(name)


def contains(lines: list[str], *expected: str) -> bool:
    """`expected` appears as consecutive statements of `lines`."""
    n = len(expected)
    return any(lines[i:i + n] == list(expected) for i in range(len(lines) - n + 1))


def test_the_reader_finds_statements_in_order_only():
    lines = function("pkg_operator_prober.go", "ExecAction")
    assert contains(lines, "return &v1.ExecAction{", "Command: []string{")
    assert not contains(lines, "Command: []string{", "return &v1.ExecAction{")


def test_prometheus_with_listen_local_binds_loopback_and_declares_no_port():
    args = function("pkg_prometheus_common.go", "BuildCommonPrometheusArgs")
    assert contains(args, "if cpf.ListenLocal {", 'promArgs = append(promArgs, monitoringv1.Argument{Name: '
                    '"web.listen-address", Value: "127.0.0.1:9090"})')
    ports = function("pkg_prometheus_common.go", "MakeContainerPorts")
    assert contains(ports, "if cpf.ListenLocal {", "return nil", "}")
    assert contains(ports, "Name:          cpf.PortName,", "ContainerPort: 9090,")
    assert container_ports("prometheus", {"listenLocal": True}) == {}
    assert container_ports("prometheus", {}) == {"http-web": ("TCP", 9090), "reloader-web": ("TCP", 8080)}
    assert [(l.address, l.port) for l in listeners("prometheus", {"listenLocal": True}) if l.container == "prometheus"] \
        == [("127.0.0.1", 9090)]


def test_prometheus_with_listen_local_is_probed_by_an_exec_on_localhost():
    probe = function("pkg_prometheus_common.go", "ProbeHandler")
    assert contains(probe, "if cpf.ListenLocal {", "probeURL := url.URL{", 'Scheme: "http",',
                    'Host:   "localhost:9090",')
    assert contains(probe, "handler.Exec = operator.ExecAction(probeURL.String())", "return handler")
    assert contains(probe, "handler.HTTPGet = &v1.HTTPGetAction{", "Path: probePath,",
                    "Port: intstr.FromString(cpf.PortName),")
    assert not probes_need_the_pod_address("prometheus", {"listenLocal": True})
    assert probes_need_the_pod_address("prometheus", {})


def test_alertmanager_with_listen_local_binds_loopback_keeps_only_its_mesh_and_drops_web_probes():
    spec = function("pkg_alertmanager_statefulset.go", "makeStatefulSetSpec")
    assert contains(spec, "if a.Spec.ListenLocal {", 'amArgs = append(amArgs, "--web.listen-address=127.0.0.1:9093")',
                    "} else {", 'amArgs = append(amArgs, "--web.listen-address=:9093")')
    assert contains(spec, "if !a.Spec.ListenLocal {", "livenessProbe = &v1.Probe{")
    assert contains(spec, "if !a.Spec.ListenLocal {", "ports = append([]v1.ContainerPort{", "{",
                    "Name:          a.Spec.PortName,", "ContainerPort: 9093,")
    assert contains(spec, 'Name:          "mesh-tcp",', "ContainerPort: 9094,", "Protocol:      v1.ProtocolTCP,")
    assert contains(spec, 'Name:          "mesh-udp",', "ContainerPort: 9094,", "Protocol:      v1.ProtocolUDP,")
    assert reachable("alertmanager", {"listenLocal": True}) == {("TCP", 9094), ("UDP", 9094)}
    assert reachable("alertmanager", {}) == {("TCP", 9093), ("TCP", 8080), ("TCP", 9094), ("UDP", 9094)}
    assert not probes_need_the_pod_address("alertmanager", {"listenLocal": True})


def test_the_config_reloader_follows_listen_local():
    reloader = function("pkg_operator_config_reloader.go", "CreateConfigReloader")
    assert contains(reloader, "if configReloader.listenLocal {",
                    'args = append(args, fmt.Sprintf("--listen-address=%s:%d", configReloader.localHost, '
                    'configReloaderPort))', "} else {")
    assert contains(reloader, "v1.ContainerPort{", 'Name:          "reloader-web",')
    # The port is declared in the else branch only: between `} else {` and the port, no closing brace
    # at the branch's depth.
    branch = reloader[reloader.index("if configReloader.listenLocal {"):]
    assert branch.index('Name:          "reloader-web",') < branch.index("if len(configReloader.webConfigFile) > 0 {")
    for kind in ("prometheus", "alertmanager"):
        assert "reloader-web" not in container_ports(kind, {"listenLocal": True})
        assert ("TCP", 8080) not in reachable(kind, {"listenLocal": True})


def test_added_containers_are_appended_as_given_and_the_governing_service_targets_port_name():
    merge = function("pkg_k8sutil_merge.go", "MergePatchContainers")
    assert contains(merge, "for _, c := range patches {", "if container, found := containersByName[c.Name]; found {",
                    "out = append(out, container)")
    service = function("pkg_prometheus_server_statefulset.go", "makeStatefulSetService")
    assert contains(service, "Name:       p.Spec.PortName,", "Port:       9090,",
                    "TargetPort: intstr.FromString(p.Spec.PortName),")
    am_service = function("pkg_alertmanager_statefulset.go", "makeStatefulSetService")
    assert contains(am_service, "Name:       a.Spec.PortName,", "Port:       9093,",
                    "TargetPort: intstr.FromString(a.Spec.PortName),")
    sidecar = {"name": "proxy", "ports": [{"name": "http-web", "containerPort": 9091}]}
    assert container_ports("prometheus", {"listenLocal": True, "containers": [sidecar]}) == {"http-web": ("TCP", 9091)}
    assert reachable("prometheus", {"listenLocal": True, "containers": [sidecar]}) == {("TCP", 9091)}


@pytest.mark.parametrize("file", ["pkg_prometheus_common.go", "pkg_alertmanager_statefulset.go",
                                  "pkg_operator_config_reloader.go", "pkg_operator_prober.go", "pkg_k8sutil_merge.go",
                                  "pkg_prometheus_server_statefulset.go"])
def test_the_vendored_files_are_the_operators_go_sources(file):
    text = (SOURCE / file).read_text()
    assert text.startswith("// Copyright") and "\npackage " in text
