"""Collection under mocks: Fluent Bit release, Jaeger deployment, credentials and scrape wiring."""
from __future__ import annotations

import json
import re

import yaml

from content import catalogue, jaeger
from content.scrape import scrape_configs
from harness.runtime import MASK
from tests.conftest import make_settings
from tests.upstream import otel_collector


def test_fluent_bit_release_is_pinned_and_reads_credentials_from_a_secret(stack_runs):
    run = stack_runs["prod"]
    release = run.release("fluent-bit")
    assert release.inputs["version"] == "0.47.10"
    secret_name = release.inputs["values"]["envFrom"][0]["secretRef"]["name"]
    (secret,) = [r for r in run.of_type("kubernetes:core/v1:Secret") if r.inputs["metadata"]["name"] == secret_name]
    assert secret.inputs["stringData"] == MASK
    assert re.search(r"Suppress_Type_Name +On", release.inputs["values"]["config"]["outputs"])


def test_jaeger_deployment_mounts_its_config_and_sampling(stack_runs):
    run = stack_runs["prod"]
    (deployment,) = run.of_type("kubernetes:apps/v1:Deployment")
    container = deployment.inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "jaegertracing/jaeger:2.5.0" and deployment.inputs["spec"]["replicas"] == 2
    (config_map,) = [r for r in run.of_type("kubernetes:core/v1:ConfigMap") if "jaeger" in r.name]
    assert json.loads(config_map.inputs["data"]["sampling.json"])["default_strategy"]["param"] == 0.1
    assert yaml.safe_load(config_map.inputs["data"]["config.yaml"]) == jaeger.config(make_settings("prod"))


def test_prometheus_scrapes_what_collection_deploys(stack_runs):
    run = stack_runs["prod"]
    jobs = {j["job_name"]: j for j in scrape_configs(make_settings("prod"))}
    (deployment,) = run.of_type("kubernetes:apps/v1:Deployment")
    labels = deployment.inputs["spec"]["template"]["metadata"]["labels"]
    # Kubernetes discovery exposes pod labels with every other character turned into "_".
    discovered = {"__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", k): v for k, v in labels.items()}
    keep = jobs[catalogue.JOB_JAEGER]["relabel_configs"][0]
    assert discovered[keep["source_labels"][0]] == keep["regex"]
    ports = {p["containerPort"] for p in deployment.inputs["spec"]["template"]["spec"]["containers"][0]["ports"]}
    assert jaeger.METRICS_PORT in ports


def test_probe_ports_and_scrape_reach_what_jaegers_config_serves_on_the_pod_ip(stack_runs):
    """The kubelet probes the pod's IP, Prometheus scrapes `__address__` (the pod IP and a port)
    at metrics_path, and the Service forwards to targetPort: each must be answered by a server
    that the ConfigMap's configuration starts (loaded as Jaeger v2.5.0's collector loads it,
    tests/upstream/otel_collector) on every address."""
    run = stack_runs["prod"]
    (deployment,) = run.of_type("kubernetes:apps/v1:Deployment")
    container = deployment.inputs["spec"]["template"]["spec"]["containers"][0]
    (config_map,) = [r for r in run.of_type("kubernetes:core/v1:ConfigMap") if "jaeger" in r.name]
    servers = [s for s in otel_collector.listeners(yaml.safe_load(config_map.inputs["data"]["config.yaml"]))
               if s.on_pod_ip]

    def answered(port: int, path: str | None = None) -> bool:
        return any(s.port == port and (path is None or s.answers(path)) for s in servers)

    probe = container["readinessProbe"]["httpGet"]
    assert answered(probe["port"], probe["path"])
    assert all(answered(p["containerPort"]) for p in container["ports"])
    (service,) = [r for r in run.of_type("kubernetes:core/v1:Service") if r.inputs["metadata"]["name"] == "jaeger"]
    assert all(answered(p["targetPort"]) for p in service.inputs["spec"]["ports"])
    job = {j["job_name"]: j for j in scrape_configs(make_settings("prod"))}[catalogue.JOB_JAEGER]
    (address,) = [r for r in job["relabel_configs"] if r.get("target_label") == "__address__"]
    assert answered(int(address["replacement"].rpartition(":")[2]), job["metrics_path"])
    (sd,) = job["kubernetes_sd_configs"]
    assert sd["role"] == "pod" and deployment.inputs["metadata"]["namespace"] in sd["namespaces"]["names"]


def test_endpoints_are_stack_outputs(stack_runs):
    out = stack_runs["prod"].outputs
    assert out["jaeger_otlp_grpc_endpoint"] == "jaeger.monitoring.svc:4317"
    assert out["jaeger_otlp_http_endpoint"] == "http://jaeger.monitoring.svc:4318"
    assert out["jaeger_query_url"] == "https://jaeger.necpgame.internal"
    assert out["log_index_patterns"] == {"application": "kafka-application-*", "security": "kafka-security-*"}


def test_fluent_bit_assumes_the_archive_writer_role_and_archives_into_the_locked_bucket(stack_runs):
    """IRSA (EKS User Guide): the service account's eks.amazonaws.com/role-arn annotation names the
    role, whose trust admits exactly that service account through the cluster's OIDC provider."""
    run = stack_runs["prod"]
    release = run.release("fluent-bit")
    account = release.inputs["values"]["serviceAccount"]
    assert account["annotations"]["eks.amazonaws.com/role-arn"] == run.outputs["archive_writer_role_arn"]
    (role,) = [r for r in run.of_type("aws:iam/role:Role") if r.name.endswith("-writer-role")]
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    issuer = statement["Principal"]["Federated"].split(":oidc-provider/")[1]
    assert statement["Condition"]["StringEquals"][f"{issuer}:sub"] == [
        f"system:serviceaccount:monitoring:{account['name']}"]
    assert re.search(rf"bucket +{run.outputs['archive_bucket']}\n", release.inputs["values"]["config"]["outputs"])
    mounts = {m["mountPath"] for m in release.inputs["values"]["daemonSetVolumeMounts"]}
    assert {"/var/log", "/var/lib/docker/containers", "/var/lib/fluent-bit"} <= mounts


def test_without_an_oidc_provider_there_is_no_writer_and_no_archive_output(program):
    run = program("dev", eksOidcProviderArn="", enableSearchRetention=False)
    release = run.release("fluent-bit")
    assert "Name s3" not in re.sub(r" +", " ", release.inputs["values"]["config"]["outputs"])
    assert not [r for r in run.of_type("aws:iam/role:Role") if r.name.endswith("-writer-role")]
    assert "archive_writer_role_arn" not in run.outputs or run.outputs["archive_writer_role_arn"] is None


def test_every_path_fluent_bit_writes_is_on_a_writable_host_path(stack_runs):
    """What must outlive the pod (the tail database, the storage.path chunks of the tail input and
    the emitter, the s3 output's store_dir) is written under a hostPath volume mounted read-write.
    fluent/helm-charts fluent-bit 0.47.10 templates/_pod.tpl mounts `daemonSetVolumeMounts` and
    adds `daemonSetVolumes` when `kind` is DaemonSet (its default, values.yaml); the image runs as
    root (fluent/fluent-bit v3.1.9 dockerfiles/Dockerfile sets no USER) and the chart's
    securityContext is empty, so the directory is writable."""
    run = stack_runs["prod"]
    release = run.release("fluent-bit")
    values = release.inputs["values"]
    assert values.get("kind", "DaemonSet") == "DaemonSet" and not values.get("securityContext")
    host = {v["name"]: v["hostPath"]["path"] for v in values["daemonSetVolumes"] if "hostPath" in v}
    writable = [m["mountPath"] for m in values["daemonSetVolumeMounts"]
                if m["name"] in host and not m.get("readOnly", False)]
    config = "\n".join(values["config"].values())
    written = [v for k, v in re.findall(r"^ +(storage\.path|DB|store_dir) +(\S+)$", config, re.M)]
    assert len(written) == 3, written
    assert all(any(path == m or path.startswith(m.rstrip("/") + "/") for m in writable if m != "/var/log")
               for path in written), (written, writable)
