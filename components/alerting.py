"""Prometheus, Alertmanager and the Kafka rules on Kubernetes (kube-prometheus-stack)."""
from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components import auth_proxy
from content import alertmanager, exporters, jmx, prometheus_stack, remote_write
from content.rules import rule_files
from content.scrape import prometheus_config
from config.sections import AlertingArgs

PART_OF = {"app.kubernetes.io/part-of": "kafka-monitoring"}  # label of every Kubernetes object we own


def release_name(name: str) -> str:
    """The Helm release (and fullnameOverride) of the component named `name`."""
    return f"{name}-prometheus"


class MetricsAlerting(pulumi.ComponentResource):
    prometheus_url: pulumi.Output[str]
    alertmanager_url: pulumi.Output[str]
    namespace: pulumi.Output[str]

    def __init__(self, name: str, settings: AlertingArgs, namespace: k8s.core.v1.Namespace | None,
                 opts: pulumi.ResourceOptions | None = None, global_metrics=None,
                 remote_write_rate: int | None = None):
        """`remote_write_rate`: the samples per second this Prometheus writes to the global store (the
        capacity plan's, content.capacity.queue_rates), which sizes its queue."""
        super().__init__("kafka-monitoring:alerting:MetricsAlerting", name, None, opts)
        s, ns = settings, namespace
        child = pulumi.ResourceOptions(parent=self)
        release = release_name(name)
        self._in_namespace = [ns] if ns else []  # an existing namespace is used by name
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=self._in_namespace)
        secrets = s.secrets
        receivers_name = f"{name}-alertmanager-receivers"
        receivers = k8s.core.v1.Secret(
            receivers_name,
            metadata={"name": receivers_name, "namespace": s.monitoring_namespace, "labels": PART_OF},
            # The enabled receivers' secrets only: a disabled receiver needs none set.
            string_data={file: pulumi.Output.secret(getattr(secrets, k))
                         for k, file in alertmanager.secret_files(s).items()},
            opts=in_ns)
        secrets_dir = f"{prometheus_stack.ALERTMANAGER_SECRETS_DIR}/{receivers_name}"
        am_config = alertmanager.config(s, secrets_dir)  # the reviewed copy: heartbeat URL masked
        config_name = f"{name}-alertmanager-config"
        heartbeat = secrets.dead_mans_switch_url if s.enable_heartbeat else alertmanager.HEARTBEAT_PLACEHOLDER
        deployed = pulumi.Output.secret(heartbeat).apply(
            lambda url: yaml.safe_dump(alertmanager.config(s, secrets_dir, url), sort_keys=False))
        config_secret = k8s.core.v1.Secret(
            config_name,
            # The hash of the reviewed config makes every routing change visible in a preview diff.
            metadata={"name": config_name, "namespace": s.monitoring_namespace, "labels": PART_OF,
                      "annotations": {"kafka-monitoring/config-sha256": hashlib.sha256(
                          json.dumps(am_config, sort_keys=True).encode()).hexdigest()}},
            string_data={"alertmanager.yaml": deployed}, opts=in_ns)
        # The global store (components.global_metrics), written to besides the local TSDB.
        store = remote_write.store_of(s, global_metrics.remote_write_url if global_metrics else None)
        values = prometheus_stack.values(s, release, config_name, receivers_name, store and remote_write.values(
            s, store, global_metrics.writer_role_arns.get(s.kubernetes_cluster) if global_metrics else None,
            remote_write_rate))
        proxies, proxy_files = (auth_proxy.deploy(name, secrets.auth_proxy_password, s.monitoring_namespace, release,
                                                  PART_OF, in_ns) if s.enable_auth_proxy else ([], {}))
        chart = k8s.helm.v3.Release(
            release, name=release, chart=prometheus_stack.CHART, version=s.kube_prometheus_stack_version,
            repository_opts={"repo": prometheus_stack.REPO}, namespace=s.monitoring_namespace, values=values,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*self._in_namespace, receivers, config_secret,
                                                                 *proxies]))
        files = rule_files(s)
        for file_name, doc in files.items():
            rule_name = f"{name}-{file_name.removesuffix('.rules.yml')}"
            k8s.apiextensions.CustomResource(
                rule_name, api_version="monitoring.coreos.com/v1", kind="PrometheusRule",
                metadata={"name": rule_name, "namespace": s.monitoring_namespace,
                          "labels": {**PART_OF, "release": release}},
                spec=doc, opts=pulumi.ResourceOptions(parent=self, depends_on=[chart]))
        jmx_config = jmx.exporter_config()
        for c in s.clusters:
            k8s.core.v1.ConfigMap(
                f"{name}-jmx-{c.name}",
                metadata={"name": f"{c.name}-jmx-exporter", "namespace": c.namespace, "labels": PART_OF},
                data={"kafka-jmx-exporter.yml": yaml.safe_dump(jmx_config, sort_keys=False)}, opts=child)

        self._exporters(name, s)

        self.artifacts = {
            **{f"prometheus/rules/{f}": doc for f, doc in files.items()},
            "prometheus/prometheus.yml": prometheus_config(s, [f"rules/{f}" for f in files], ["alertmanager:9093"],
                                                           [remote_write.native(s, store, remote_write_rate)] if store else None),
            "alertmanager/alertmanager.yml": am_config,
            "helm/kube-prometheus-stack.values.yaml": values,
            "jmx/kafka-jmx-exporter.yml": jmx_config,
            **proxy_files,
        }
        self.prometheus_url = pulumi.Output.from_input(s.prometheus_url)
        self.alertmanager_url = pulumi.Output.from_input(s.alertmanager_url)
        self.namespace = ns.metadata.apply(lambda m: m["name"]) if ns else pulumi.Output.from_input(s.monitoring_namespace)
        self.register_outputs({"prometheus_url": self.prometheus_url, "alertmanager_url": self.alertmanager_url,
                               "namespace": self.namespace})

    def _exporters(self, name: str, s: AlertingArgs) -> None:
        """kafka_exporter for clusters given with bootstrap=, and the blackbox exporter for TLS probes."""
        for c in s.clusters:
            if c.deploys_exporter:
                k8s.apps.v1.Deployment(
                    f"{name}-kafka-exporter-{c.name}",
                    metadata={"name": f"{c.name}-kafka-exporter", "namespace": s.monitoring_namespace,
                              "labels": {**exporters.kafka_exporter_labels(c), **PART_OF}},
                    spec=exporters.kafka_exporter_deployment(c, s.kafka_exporter_image, PART_OF),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=self._in_namespace))
        if any(c.tls for c in s.clusters) and not s.blackbox_exporter_address:
            k8s.helm.v3.Release(
                f"{name}-blackbox-exporter", name=exporters.BLACKBOX_NAME, chart=exporters.BLACKBOX_CHART,
                version=s.blackbox_exporter_chart_version, repository_opts={"repo": prometheus_stack.REPO},
                namespace=s.monitoring_namespace, values=exporters.blackbox_values(PART_OF),
                opts=pulumi.ResourceOptions(parent=self, depends_on=self._in_namespace))
