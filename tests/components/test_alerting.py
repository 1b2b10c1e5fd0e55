"""MetricsAlerting under mocks: what is deployed is exactly what content/ renders."""
from __future__ import annotations

import hashlib
import json
import re

import pytest
import yaml

from content.rules import rule_files
from content import alertmanager, catalogue, exporters, jmx
from content.scrape import scrape_configs
from harness.runtime import MASK
from tests.conftest import SECRET_VALUES, make_settings
from tests.content.relabel_model import Pod, discover

RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


def test_prometheus_rules_deploy_the_rendered_groups(stack_runs):
    run = stack_runs["prod"]
    deployed = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in run.of_type(RULE)}
    rendered = rule_files(make_settings("prod"))
    assert sorted(deployed.values(), key=str) == sorted(rendered.values(), key=str)
    release = run.release("kube-prometheus-stack")
    selector = release.inputs["values"]["prometheus"]["prometheusSpec"]["ruleSelector"]["matchLabels"]
    for r in run.of_type(RULE):
        assert selector.items() <= r.inputs["metadata"]["labels"].items()


def test_prometheus_keeps_90_days_scrapes_every_15s_and_labels_environment(stack_runs):
    release = stack_runs["prod"].release("kube-prometheus-stack")
    assert release.inputs["chart"] == "kube-prometheus-stack"
    assert re.fullmatch(r"\d+\.\d+\.\d+", release.inputs["version"])
    spec = release.inputs["values"]["prometheus"]["prometheusSpec"]
    assert (spec["retention"], spec["scrapeInterval"], spec["evaluationInterval"]) == ("90d", "15s", "15s")
    assert spec["externalLabels"] == {"environment": "prod", "cluster": "necpgame-prod"}
    assert spec["replicas"] == 2
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "500Gi"
    assert spec["additionalScrapeConfigs"] == scrape_configs(make_settings("prod"))


def test_dev_differs_where_its_settings_do(stack_runs):
    spec = stack_runs["dev"].release("kube-prometheus-stack").inputs["values"]["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "7d" and spec["replicas"] == 1


def test_alertmanager_credentials_live_only_in_secrets(stack_runs):
    run = stack_runs["prod"]
    spec = run.release("kube-prometheus-stack").inputs["values"]["alertmanager"]["alertmanagerSpec"]
    secrets = {r.inputs["metadata"]["name"]: r for r in run.of_type("kubernetes:core/v1:Secret")
               if "alertmanager" in r.name}
    receivers, config = secrets[spec["secrets"][0]], secrets[spec["configSecret"]]
    assert spec["useExistingSecret"] is True
    assert receivers.inputs["stringData"] == MASK and config.inputs["stringData"] == MASK  # secrets end to end
    reviewed = alertmanager.config(make_settings("prod"), f"/etc/alertmanager/secrets/{spec['secrets'][0]}")
    assert config.inputs["metadata"]["annotations"]["kafka-monitoring/config-sha256"] == hashlib.sha256(
        json.dumps(reviewed, sort_keys=True).encode()).hexdigest()
    assert run.artifacts["alertmanager/alertmanager.yml"] == reviewed


def test_the_heartbeat_url_never_reaches_plan_inputs_or_artifacts(program):
    """It travels only inside the config Secret's stringData, a Pulumi secret."""
    url = "https://heartbeat.example/ping-LEAKCHECK"
    run = program("dev", secrets={**SECRET_VALUES, "deadMansSwitchUrl": url})
    assert url not in json.dumps(run.artifacts, default=str) and url not in json.dumps([r.inputs for r in run.resources])


def test_jmx_config_map_per_cluster_in_its_namespace(program):
    clusters = [f"c{i} ns=kafka-{i} preset=strimzi" for i in range(3)]
    run = program("dev", clusters=clusters)
    maps = [r for r in run.of_type("kubernetes:core/v1:ConfigMap") if "jmx" in r.name]
    assert sorted(m.inputs["metadata"]["namespace"] for m in maps) == ["kafka-0", "kafka-1", "kafka-2"]
    assert yaml.safe_load(maps[0].inputs["data"]["kafka-jmx-exporter.yml"]) == jmx.exporter_config()


def test_kafka_exporter_is_deployed_for_a_cluster_given_by_bootstrap(program):
    clusters = ["orders ns=kafka brokerPods=app=kafka;role=broker controllerPods=app=kafka;role=ctl "
                "bootstrap=kafka-bootstrap.kafka.svc:9092 sasl=scram-sha512:orders-exporter kafkaTls=true",
                "events ns=events preset=strimzi"]
    run = program("dev", clusters=clusters)
    deployments = {r.inputs["metadata"]["name"]: r for r in run.of_type("kubernetes:apps/v1:Deployment")}
    assert "events-kafka-exporter" not in deployments  # Strimzi runs its own
    exporter = deployments["orders-kafka-exporter"]
    assert exporter.inputs["metadata"]["namespace"] == "monitoring"
    (container,) = exporter.inputs["spec"]["template"]["spec"]["containers"]
    assert container["args"][:1] == ["--kafka.server=kafka-bootstrap.kafka.svc:9092"]
    assert {"--sasl.enabled", "--sasl.mechanism=scram-sha512", "--tls.enabled"} <= set(container["args"])
    assert {e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"]} == {"orders-exporter"}
    labels = exporter.inputs["spec"]["template"]["metadata"]["labels"]
    pods = [Pod("orders-kafka-exporter-7d9f", "monitoring", "10.1.0.9", labels, {"metrics": 9308})]
    (job,) = [j for j in scrape_configs(make_settings("dev", clusters=clusters)) if j["job_name"] == "kafka-exporter/orders"]
    assert [(t["job"], t["kafka_cluster"], t["instance"]) for t in discover(job, pods)] == [
        ("kafka-exporter", "orders", "10.1.0.9:9308")]


def test_the_blackbox_exporter_is_deployed_with_the_tcp_tls_module(stack_runs):
    release = stack_runs["prod"].release(exporters.BLACKBOX_CHART)
    assert release.inputs["values"]["fullnameOverride"] == exporters.BLACKBOX_NAME
    module = release.inputs["values"]["config"]["modules"]["tcp_tls"]
    assert module["prober"] == "tcp" and module["tcp"]["tls"] is True
    probe = {j["job_name"]: j for j in scrape_configs(make_settings("prod"))}[catalogue.JOB_TLS_PROBE]
    assert probe["params"] == {"module": ["tcp_tls"]}
    address = probe["relabel_configs"][-1]["replacement"]
    assert address == f"{exporters.BLACKBOX_NAME}.monitoring.svc:{exporters.BLACKBOX_PORT}"


STRIMZI = {"strimzi.io/cluster": "kafka", "strimzi.io/kind": "Kafka", "strimzi.io/name": "kafka-kafka"}


def _strimzi_pods() -> list[Pod]:
    """Pods as Strimzi 0.45 labels them (KafkaNodePools: broker and controller roles on separate pools)."""
    ns = "necpgame-infrastructure"
    ports = {"tcp-prometheus": 9404, "tcp-replication": 9091, "tcp-clients": 9092}
    pods = [Pod(f"kafka-brokers-{i}", ns, f"10.0.1.{i}", {**STRIMZI, "strimzi.io/broker-role": "true",
                                                          "strimzi.io/controller-role": "false"}, ports)
            for i in range(3)]
    pods += [Pod(f"kafka-controllers-{i}", ns, f"10.0.2.{i}", {**STRIMZI, "strimzi.io/broker-role": "false",
                                                               "strimzi.io/controller-role": "true"}, ports)
             for i in range(3)]
    pods.append(Pod("kafka-kafka-exporter-5c8d", ns, "10.0.3.1",
                    {"strimzi.io/kind": "Kafka", "strimzi.io/name": "kafka-kafka-exporter",
                     "strimzi.io/cluster": "kafka"}, {"tcp-prometheus": 9404}))
    pods.append(Pod("kafka-brokers-9", "other-team", "10.9.0.1", {**STRIMZI, "strimzi.io/broker-role": "true"}, ports))
    pods.append(Pod("kafka-brokers-3", ns, "", {**STRIMZI, "strimzi.io/broker-role": "true"}, ports, phase="Pending"))
    return pods


def test_strimzi_pods_are_discovered_in_their_own_namespace_by_role():
    """Relabelling as Prometheus does it (tests/content/relabel_model.py) over Strimzi-labelled pods."""
    jobs = {j["job_name"]: j for j in scrape_configs(make_settings("prod"))}
    found = {name: discover(jobs[name], _strimzi_pods()) for name in
             ("kafka-broker/kafka", "kafka-controller/kafka", "kafka-exporter/kafka")}
    assert sorted(t["instance"] for t in found["kafka-broker/kafka"]) == [f"10.0.1.{i}:9404" for i in range(3)]
    assert sorted(t["pod"] for t in found["kafka-controller/kafka"]) == [f"kafka-controllers-{i}" for i in range(3)]
    assert [t["instance"] for t in found["kafka-exporter/kafka"]] == ["10.0.3.1:9404"]
    for name, targets in found.items():
        assert {(t["job"], t["kafka_cluster"], t["namespace"]) for t in targets} == {
            (name.split("/")[0], "kafka", "necpgame-infrastructure")}


def test_static_targets_keep_their_cluster_label():
    clusters = ["a ns=x brokers=a0.x.svc:7071 controllers=ac.x.svc:7071 zookeeper=z0.x.svc:7071 exporterPods=app=e",
                "b ns=y brokers=10.0.0.1:7071,10.0.0.2:7071 controllers=bc.y.svc:7071 exporterPods=app=e"]
    jobs = {j["job_name"]: j for j in scrape_configs(make_settings("dev", clusters=clusters))}
    assert [(g["labels"]["kafka_cluster"], g["targets"]) for g in jobs["kafka-broker"]["static_configs"]] == [
        ("a", ["a0.x.svc:7071"]), ("b", ["10.0.0.1:7071", "10.0.0.2:7071"])]
    assert [g["labels"]["kafka_cluster"] for g in jobs["kafka-zookeeper"]["static_configs"]] == ["a"]


def test_platform_pods_are_discovered_by_their_app_label():
    jobs = {j["job_name"]: j for j in scrape_configs(make_settings("prod"))}
    pods = [Pod("event-core-0", "necpgame-infrastructure", "10.2.0.1", {"app": "kafka-event-driven-core"},
                {"metrics": 8080}),
            Pod("realtime-gateway-0", "necpgame-infrastructure", "10.2.0.2", {"app": "realtime-gateway"},
                {"metrics": 8080}),
            Pod("fluent-bit-x7k2p", "monitoring", "10.3.0.1", {"app.kubernetes.io/name": "fluent-bit"}, {"http": 2020}),
            # Jaeger declares its UI port only; its metrics are on the admin port, 8888
            Pod("jaeger-0", "monitoring", "10.3.0.2", {"app.kubernetes.io/name": "jaeger"}, {"query": 16686})]
    assert [t["pod"] for t in discover(jobs[catalogue.JOB_EVENTS], pods)] == ["event-core-0"]
    assert [t["pod"] for t in discover(jobs[catalogue.JOB_GATEWAY], pods)] == ["realtime-gateway-0"]
    (fluent,) = discover(jobs[catalogue.JOB_FLUENT_BIT], pods)
    assert fluent["instance"] == "10.3.0.1:2020"
    (jaeger,) = discover(jobs[catalogue.JOB_JAEGER], pods)
    assert jaeger["instance"] == "10.3.0.2:8888"
    assert jobs[catalogue.JOB_FLUENT_BIT]["metrics_path"] == "/api/v2/metrics/prometheus"


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_the_charts_prometheus_selects_our_rule_objects(stack_runs, stack):
    """kube-prometheus-stack 65.1.1 templates/prometheus/prometheus.yaml: an explicit
    prometheusSpec.ruleSelector is used as given (else, with ruleSelectorNilUsesHelmValues, the
    release label); the operator loads the PrometheusRules whose labels it matches."""
    run = stack_runs[stack]
    release = run.release("kube-prometheus-stack")
    spec = release.inputs["values"]["prometheus"]["prometheusSpec"]
    selector = spec.get("ruleSelector") or {"matchLabels": {"release": release.inputs["name"]}}
    rules = run.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    assert len(rules) == 3
    for r in rules:
        assert selector["matchLabels"].items() <= r.inputs["metadata"]["labels"].items(), r.name
        assert r.inputs["metadata"]["namespace"] == release.inputs["namespace"]


RECEIVER_SECRETS = ("pagerdutyCriticalKey", "pagerdutyHighKey", "slackWebhookUrl", "deadMansSwitchUrl")


def test_a_stack_without_receivers_runs_without_their_secrets(program):
    """The CLI hands the program an unset optional secret as its empty default, in plain text
    (pkg/workspace/config.go, mergeConfig: createConfigValue of the default): that is unset, neither
    a plaintext secret nor a key; Alertmanager then keeps only the null receiver."""
    secrets = {k: v for k, v in SECRET_VALUES.items() if k not in RECEIVER_SECRETS}
    off = {"enablePagerdutyCritical": False, "enablePagerdutyHigh": False, "enableSlack": False,
           "enableHeartbeat": False}
    run = program("dev", secrets=secrets, **off)
    config = run.artifacts["alertmanager/alertmanager.yml"]
    assert [r["name"] for r in config["receivers"]] == ["null"]
    assert {r["receiver"] for r in config["route"]["routes"]} | {config["route"]["receiver"]} == {"null"}


def test_a_receiver_enabled_without_its_secret_is_refused_naming_both_keys(program):
    secrets = {k: v for k, v in SECRET_VALUES.items() if k != "slackWebhookUrl"}
    with pytest.raises(Exception) as err:
        program("dev", secrets=secrets)
    assert ("slackWebhookUrl: required secret is missing while enableAlerting and enableSlack are true"
            in str(err.value))
    assert err.value.registrations == []
