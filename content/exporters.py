"""The exporters the Kafka rules rely on and this program deploys: kafka_exporter (consumer lag)
for clusters that have none, and the blackbox exporter with a `tcp_tls` module (certificates).

kafka_exporter (danielqsj/kafka_exporter v1.9.0, kafka_exporter.go): flags `--kafka.server`,
`--sasl.enabled`, `--sasl.mechanism`, `--sasl.username`, `--sasl.password`, `--tls.enabled`,
`--tls.ca-file`; it listens on :9308. With TLS and no CA file it trusts the system roots (sarama's
tls.Config without RootCAs); NewExporter reads the CA file once, at start, and fails when it
cannot. NewExporter takes the mechanisms plain, scram-sha256, scram-sha512, gssapi and
awsiam by those names (the flag's help text, "sha256 or sha512", is out of date: those are refused).
Blackbox exporter chart (prometheus-community/prometheus-blackbox-exporter 9.0.3, exporter
v0.25.0): `config.modules` replaces the default (only `http_2xx`); the Service is named by
`fullnameOverride` and listens on 9115; pod labels go under `pod.labels`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from config.clusters import Discovery
from content import pods

if TYPE_CHECKING:
    from config.clusters import KafkaCluster
    from config.sections import AlertingArgs

KAFKA_EXPORTER_PORT = 9308
KAFKA_CA_VOLUME, KAFKA_CA_DIR, KAFKA_CA_FILE = "kafka-ca", "/etc/kafka-exporter/ca", "ca.crt"
BLACKBOX_NAME = "prometheus-blackbox-exporter"
BLACKBOX_PORT = 9115
BLACKBOX_CHART = "prometheus-blackbox-exporter"
TLS_MODULE = "tcp_tls"


def kafka_exporter_labels(c: "KafkaCluster") -> dict[str, str]:
    return {"app.kubernetes.io/name": "kafka-exporter", "app.kubernetes.io/instance": c.name}


def lag_exporter(c: "KafkaCluster", s: "AlertingArgs") -> tuple[str, Discovery]:
    """(namespace, pods) of the kafka_exporter that reports this cluster's consumer lag."""
    if c.deploys_exporter:
        return s.monitoring_namespace, Discovery(tuple(kafka_exporter_labels(c).items()), str(KAFKA_EXPORTER_PORT))
    assert c.exporter_pods is not None  # config.clusters requires one or the other
    return c.namespace, c.exporter_pods


def kafka_exporter_container(c: "KafkaCluster", image: str) -> dict:
    args = [f"--kafka.server={c.bootstrap}", f"--web.listen-address=:{KAFKA_EXPORTER_PORT}"]
    env = []
    if c.sasl is not None:
        # Kubernetes expands $(VAR) in args from the container's env: the password stays in its Secret.
        args += ["--sasl.enabled", f"--sasl.mechanism={c.sasl.mechanism}",
                 "--sasl.username=$(SASL_USERNAME)", "--sasl.password=$(SASL_PASSWORD)"]
        env = [{"name": f"SASL_{key.upper()}", "valueFrom": {"secretKeyRef": {"name": c.sasl.secret, "key": key}}}
               for key in ("username", "password")]
    if c.kafka_tls:
        args.append("--tls.enabled")
    if c.kafka_ca is not None:
        args.append(f"--tls.ca-file={KAFKA_CA_DIR}/{KAFKA_CA_FILE}")
    container = {"name": "kafka-exporter", "image": image, "args": args,
                 "ports": [{"name": "metrics", "containerPort": KAFKA_EXPORTER_PORT}],
                 "readinessProbe": {"httpGet": {"path": "/healthz", "port": KAFKA_EXPORTER_PORT}},
                 # kafka_exporter writes no file: its root filesystem is read-only too.
                 "securityContext": {**pods.RESTRICTED, "readOnlyRootFilesystem": True}}
    if env:
        container["env"] = env
    if c.kafka_ca is not None:
        container["volumeMounts"] = [{"name": KAFKA_CA_VOLUME, "mountPath": KAFKA_CA_DIR, "readOnly": True}]
    return container


def kafka_exporter_deployment(c: "KafkaCluster", image: str, part_of: dict[str, str]) -> dict:
    labels = kafka_exporter_labels(c)
    spec: dict = {"containers": [kafka_exporter_container(c, image)]}
    if c.kafka_ca is not None:
        # Only the CA's key, under a fixed name; the Secret lives in the Deployment's own namespace.
        spec["volumes"] = [{"name": KAFKA_CA_VOLUME, "secret": {
            "secretName": c.kafka_ca.secret, "items": [{"key": c.kafka_ca.key, "path": KAFKA_CA_FILE}]}}]
    return {"replicas": 1, "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": {**labels, **part_of}}, "spec": spec}}


def blackbox_address(s: "AlertingArgs") -> str:
    """The configured exporter, or the one this program deploys in the monitoring namespace."""
    return s.blackbox_exporter_address or f"{BLACKBOX_NAME}.{s.monitoring_namespace}.svc:{BLACKBOX_PORT}"


def blackbox_modules() -> dict:
    """A TCP connect with a TLS handshake that verifies the chain: probe_ssl_earliest_cert_expiry."""
    return {TLS_MODULE: {"prober": "tcp", "timeout": "5s",
                         "tcp": {"tls": True, "tls_config": {"insecure_skip_verify": False},
                                 "preferred_ip_protocol": "ip4"}}}


def blackbox_values(part_of: dict[str, str]) -> dict:
    return {"fullnameOverride": BLACKBOX_NAME, "config": {"modules": blackbox_modules()},
            "pod": {"labels": part_of}, "serviceMonitor": {"selfMonitor": {"enabled": False}}}
