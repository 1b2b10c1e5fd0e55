"""Collection on Kubernetes: Fluent Bit ships logs, Jaeger v2 collects and serves traces."""
from __future__ import annotations

import hashlib
import json

import pulumi
import pulumi_kubernetes as k8s
import yaml

from components.alerting import PART_OF
from content import archive as layout
from content import fluent_bit, jaeger, pods
from config.sections import CollectionArgs

FLUENT_BIT_REPO = "https://fluent.github.io/helm-charts"
# The chart's own volumes (fluent-bit 0.47.10 values.yaml: /var/log, docker containers, machine-id),
# which setting daemonSetVolumes replaces, plus a state directory for positions, buffers and s3 chunks.
HOST_PATHS = {"varlog": "/var/log", "varlibdockercontainers": "/var/lib/docker/containers",
              "etcmachineid": "/etc/machine-id", "fluent-bit-state": fluent_bit.STATE_DIR}


def fluent_bit_values(s: CollectionArgs, credentials_secret: str, archive_bucket: str | None, region: str,
                      writer_role_arn: pulumi.Input[str] | None) -> dict:
    groups = fluent_bit.sections(s, archive_bucket, region)
    account = {"create": True, "name": layout.FLUENT_BIT_SERVICE_ACCOUNT}
    if writer_role_arn is not None:  # IRSA: the EKS webhook gives the pods this role's web identity
        account["annotations"] = {"eks.amazonaws.com/role-arn": writer_role_arn}
    return {
        "config": {key: fluent_bit.render(sections) for key, sections in groups.items()},
        "envFrom": [{"secretRef": {"name": credentials_secret}}],
        "serviceAccount": account,
        "daemonSetVolumes": [{"name": n, "hostPath": {"path": p, **({"type": "File"} if n == "etcmachineid" else {})}}
                             for n, p in HOST_PATHS.items()],
        "daemonSetVolumeMounts": [{"name": n, "mountPath": p, "readOnly": n not in ("varlog", "fluent-bit-state")}
                                  for n, p in HOST_PATHS.items()],
        "serviceMonitor": {"enabled": False},  # Prometheus scrapes it through its own pod job
        "podLabels": PART_OF,
    }


class Collection(pulumi.ComponentResource):
    jaeger_otlp_grpc_endpoint: pulumi.Output[str]
    jaeger_otlp_http_endpoint: pulumi.Output[str]
    jaeger_query_url: pulumi.Output[str]

    def __init__(self, name: str, settings: CollectionArgs, namespace: k8s.core.v1.Namespace | None,
                 after: list[pulumi.Resource], writer_role_arn: pulumi.Input[str] | None,
                 opts: pulumi.ResourceOptions | None = None, fluent_bit_release: str | None = None):
        """`after`: what must exist before the writers start (the retention objects: depending on a
        component waits for all of its children). `writer_role_arn`: the archive writer role, or
        None for no archive output. `fluent_bit_release`: the Helm release's name, `<name>-fluent-bit`
        unless given (a release name is at most 53 characters, pkg/chartutil/validate_name.go)."""
        super().__init__("kafka-monitoring:collection:Collection", name, None, opts)
        # What the NetworkPolicies select: Jaeger's instance label and Fluent Bit's release.
        self.instance, self.fluent_bit_release = name, fluent_bit_release or f"{name}-fluent-bit"
        s, ns = settings, settings.monitoring_namespace
        in_namespace = [namespace] if namespace else []  # an existing namespace is used by name
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=in_namespace)
        credentials_name = f"{name}-credentials"
        env = fluent_bit.CREDENTIAL_ENV
        credentials = k8s.core.v1.Secret(
            credentials_name, metadata={"name": credentials_name, "namespace": ns, "labels": PART_OF},
            string_data={
                env["es_user"]: s.elasticsearch_username,
                env["es_password"]: pulumi.Output.secret(s.secrets.elasticsearch_password),
                env["os_user"]: s.opensearch_username,
                env["os_password"]: pulumi.Output.secret(s.secrets.opensearch_password),
                jaeger.PASSWORD_ENV: pulumi.Output.secret(s.secrets.search_password(s.trace_storage)),
            }, opts=in_ns)

        archive_bucket = layout.bucket_name(s, layout.ARCHIVE) if writer_role_arn is not None else None
        region = pulumi.Config("aws").get("region") or ""
        values = fluent_bit_values(s, credentials_name, archive_bucket, region, writer_role_arn)
        k8s.helm.v3.Release(
            self.fluent_bit_release, name=self.fluent_bit_release, chart="fluent-bit", version=s.fluent_bit_chart_version,
            repository_opts={"repo": FLUENT_BIT_REPO}, namespace=ns, values=values,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*in_namespace, credentials, *after]))

        jaeger_config, sampling = jaeger.config(s), jaeger.sampling_strategies(s)
        labels = {"app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": name, **PART_OF}
        config_map = k8s.core.v1.ConfigMap(
            f"{name}-jaeger-config", metadata={"name": f"{name}-jaeger", "namespace": ns, "labels": labels},
            data={"config.yaml": yaml.safe_dump(jaeger_config, sort_keys=False),
                  "sampling.json": json.dumps(sampling, indent=2)}, opts=in_ns)
        ports = {"otlp-grpc": jaeger.OTLP_GRPC_PORT, "otlp-http": jaeger.OTLP_HTTP_PORT, "query": jaeger.QUERY_PORT,
                 "sampling": jaeger.SAMPLING_PORT, "metrics": jaeger.METRICS_PORT, "health": jaeger.HEALTH_PORT}
        k8s.apps.v1.Deployment(
            f"{name}-jaeger", metadata={"name": f"{name}-jaeger", "namespace": ns, "labels": labels},
            spec={"replicas": s.jaeger_replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": "jaeger",
                                                                              "app.kubernetes.io/instance": name}},
                  "template": {"metadata": {"labels": labels, "annotations": {"config-hash": hashlib.sha256(
                      json.dumps([jaeger_config, sampling], sort_keys=True).encode()).hexdigest()[:16]}},
                      "spec": {"containers": [{
                          "name": "jaeger", "image": s.jaeger_image, "args": ["--config=/etc/jaeger/config.yaml"],
                          "ports": [{"name": n, "containerPort": p} for n, p in ports.items()],
                          "env": [{"name": jaeger.PASSWORD_ENV, "valueFrom": {"secretKeyRef": {
                              "name": credentials_name, "key": jaeger.PASSWORD_ENV}}}],
                          "volumeMounts": [{"name": "config", "mountPath": "/etc/jaeger", "readOnly": True}],
                          "readinessProbe": {"httpGet": {"path": "/status", "port": jaeger.HEALTH_PORT}},
                          "securityContext": pods.RESTRICTED,
                      }], "volumes": [{"name": "config", "configMap": {"name": f"{name}-jaeger"}}]}}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[config_map, credentials, *after]))
        service = k8s.core.v1.Service(
            f"{name}-jaeger-service", metadata={"name": "jaeger", "namespace": ns, "labels": labels},
            spec={"selector": {"app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": name},
                  "ports": [{"name": n, "port": p, "targetPort": p} for n, p in ports.items()
                            if n not in ("metrics", "health")]}, opts=in_ns)

        host = f"jaeger.{ns}.svc"
        self.jaeger_otlp_grpc_endpoint = pulumi.Output.from_input(f"{host}:{jaeger.OTLP_GRPC_PORT}")
        self.jaeger_otlp_http_endpoint = pulumi.Output.from_input(f"http://{host}:{jaeger.OTLP_HTTP_PORT}")
        self.jaeger_query_url = pulumi.Output.from_input(s.jaeger_query_url)
        self.artifacts = {
            "fluent-bit/fluent-bit.conf": fluent_bit.config_file(s, archive_bucket, region),
            "helm/fluent-bit.values.yaml": values,
            "jaeger/config.yaml": jaeger_config,
            "jaeger/sampling-strategies.json": sampling,
        }
        self.register_outputs({"jaeger_otlp_grpc_endpoint": self.jaeger_otlp_grpc_endpoint,
                               "jaeger_otlp_http_endpoint": self.jaeger_otlp_http_endpoint,
                               "jaeger_query_url": self.jaeger_query_url, "service": service.metadata["name"]})
