"""MetricsAlerting under mocks: what is deployed is exactly what content/ renders."""
from __future__ import annotations

import re

import yaml

from content.rules import rule_files
from content import alertmanager, catalogue, jmx
from content.scrape import scrape_configs
from harness.runtime import MASK
from tests.conftest import make_settings

RELEASE = "kubernetes:helm.sh/v3:Release"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"


def _values(run):
    (release,) = [r for r in run.of_type(RELEASE) if r.inputs["chart"] == "kube-prometheus-stack"]
    return release


def test_prometheus_rules_deploy_the_rendered_groups(stack_runs):
    run = stack_runs["prod"]
    deployed = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in run.of_type(RULE)}
    rendered = rule_files(make_settings("prod"))
    assert sorted(deployed.values(), key=str) == sorted(rendered.values(), key=str)
    release = _values(run)
    selector = release.inputs["values"]["prometheus"]["prometheusSpec"]["ruleSelector"]["matchLabels"]
    for r in run.of_type(RULE):
        assert selector.items() <= r.inputs["metadata"]["labels"].items()


def test_prometheus_keeps_90_days_scrapes_every_15s_and_labels_environment(stack_runs):
    release = _values(stack_runs["prod"])
    assert release.inputs["chart"] == "kube-prometheus-stack"
    assert re.fullmatch(r"\d+\.\d+\.\d+", release.inputs["version"])
    spec = release.inputs["values"]["prometheus"]["prometheusSpec"]
    assert (spec["retention"], spec["scrapeInterval"], spec["evaluationInterval"]) == ("90d", "15s", "15s")
    assert spec["externalLabels"] == {"environment": "prod", "cluster": "necpgame-prod"}
    assert spec["replicas"] == 2
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "500Gi"
    assert spec["additionalScrapeConfigs"] == scrape_configs(make_settings("prod"))


def test_dev_differs_where_its_settings_do(stack_runs):
    spec = _values(stack_runs["dev"]).inputs["values"]["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "7d" and spec["replicas"] == 1


def test_alertmanager_credentials_live_only_in_a_secret(stack_runs):
    run = stack_runs["prod"]
    values = _values(run).inputs["values"]["alertmanager"]
    (receivers,) = [r for r in run.of_type("kubernetes:core/v1:Secret") if "alertmanager" in r.name]
    assert receivers.inputs["metadata"]["name"] == values["alertmanagerSpec"]["secrets"][0]
    assert receivers.inputs["stringData"] == MASK  # a Pulumi secret end to end
    assert values["config"] == alertmanager.config(
        make_settings("prod"), f"/etc/alertmanager/secrets/{receivers.inputs['metadata']['name']}")


def test_jmx_config_map_per_cluster_in_its_namespace(program):
    clusters = [f"c{i} ns=kafka-{i} brokers=b{i}:7071 controllers=k{i}:7071" for i in range(3)]
    run = program("dev", clusters=clusters)
    maps = [r for r in run.of_type("kubernetes:core/v1:ConfigMap") if "jmx" in r.name]
    assert sorted(m.inputs["metadata"]["namespace"] for m in maps) == ["kafka-0", "kafka-1", "kafka-2"]
    assert yaml.safe_load(maps[0].inputs["data"]["kafka-jmx-exporter.yml"]) == jmx.exporter_config()


def test_scrape_jobs_cover_every_source():
    jobs = {j["job_name"]: j for j in scrape_configs(make_settings("prod"))}
    assert {catalogue.JOB_BROKER, catalogue.JOB_CONTROLLER, catalogue.JOB_LAG, catalogue.JOB_TLS_PROBE,
            catalogue.JOB_EVENTS, catalogue.JOB_GATEWAY, catalogue.JOB_NODE, catalogue.JOB_KUBELET,
            catalogue.JOB_FLUENT_BIT, catalogue.JOB_JAEGER} <= set(jobs)
    assert catalogue.JOB_ZOOKEEPER not in jobs  # prod is KRaft
    broker = jobs[catalogue.JOB_BROKER]
    assert broker["static_configs"][0]["targets"] == [f"kafka-broker-{i}:7071" for i in range(3)]
    assert broker["static_configs"][0]["labels"] == {"kafka_cluster": "kafka"}
    events = jobs[catalogue.JOB_EVENTS]
    assert events["kubernetes_sd_configs"][0]["namespaces"]["names"] == ["necpgame-infrastructure"]
    assert {"source_labels": ["__meta_kubernetes_pod_label_app"], "regex": "kafka-event-driven-core",
            "action": "keep"} in events["relabel_configs"]
    assert jobs[catalogue.JOB_FLUENT_BIT]["metrics_path"] == "/api/v2/metrics/prometheus"


def test_each_cluster_gets_its_targets_and_label():
    clusters = ["a ns=x brokers=a0:7071 controllers=ac:7071 zookeeper=z0:7071,z1:7071,z2:7071",
                "b ns=y brokers=b0:7071,b1:7071 controllers=bc:7071"]
    jobs = {j["job_name"]: j for j in scrape_configs(make_settings("dev", clusters=clusters))}
    assert [(g["labels"]["kafka_cluster"], g["targets"]) for g in jobs["kafka-broker"]["static_configs"]] == [
        ("a", ["a0:7071"]), ("b", ["b0:7071", "b1:7071"])]
    assert [g["labels"]["kafka_cluster"] for g in jobs["kafka-zookeeper"]["static_configs"]] == ["a"]
    assert jobs["kafka-exporter"]["static_configs"][1]["targets"] == ["b-kafka-exporter.y.svc:9308"]
