"""content/scrape.py: the scrape configuration decoded as Prometheus v2.54.1 decodes it.

Prometheus reads its configuration with yaml.UnmarshalStrict, so an unknown key refuses the whole
file ("field x not found in type config.ScrapeConfig"). The structs and their yaml keys are vendored
from the version kube-prometheus-stack 65.1.1 runs (tests/upstream/prometheus-v2.54.1: config.go,
relabel.go, the Kubernetes discovery's SDConfig, and prometheus/common v0.55.0's HTTPClientConfig,
which ScrapeConfig inlines). ScrapeConfig's discovery keys are decoded by each registered
mechanism: `static_configs` (targetgroup.Group: targets, labels) and `kubernetes_sd_configs`. The
relabel actions are relabel.go's, and a Prometheus duration is model.ParseDuration's.
Debian's promtool, built without Kubernetes discovery, checks the rest (tests run it too).
"""
from __future__ import annotations

import re
import shutil

import pytest
import yaml

from config.sections import AlertingArgs
from content import catalogue, exporters, scrape
from harness import tools
from tests.conftest import make_settings
from tests.upstream import HERE, go_config_problems, go_structs

P = "prometheus-v2.54.1/"
STRUCTS = {**go_structs(P + "config_config.go", P + "common-v0.55.0_config_http_config.go",
                        P + "discovery_kubernetes_kubernetes.go", tag="yaml"),
           **{f"relabel.{k}": v for k, v in go_structs(P + "model_relabel_relabel.go", tag="yaml").items()}}
STRUCTS["ScrapeConfig"] = [*STRUCTS["ScrapeConfig"], ("static_configs", "[]targetgroup.Group"),
                           ("kubernetes_sd_configs", "[]SDConfig")]
STRUCTS["targetgroup.Group"] = [("targets", "[]string"), ("labels", "map[string]string")]
ACTIONS = set(re.findall(r'^\s*\w+\s+Action = "(\w+)"', (HERE / P / "model_relabel_relabel.go").read_text(), re.M))
DURATION = re.compile(r"(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?")


def configs(stack: str) -> list[dict]:
    return scrape.scrape_configs(AlertingArgs.of(make_settings(stack)))


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_scrape_job_decodes_into_prometheus_v2_54s_scrape_config(stack):
    jobs = configs(stack)
    assert {j["job_name"]: go_config_problems(j, "ScrapeConfig", STRUCTS) for j in jobs} == {
        j["job_name"]: [] for j in jobs}
    assert go_config_problems({"job_name": "x", "relabel_configs": [{"sourcelabels": []}]}, "ScrapeConfig",
                              STRUCTS) == ["relabel_configs[0].sourcelabels: invalid key"]


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_relabel_actions_durations_and_timeouts_are_ones_prometheus_takes(stack):
    assert {"keep", "drop", "replace", "labelmap", "labeldrop", "labelkeep", "hashmod"} <= ACTIONS
    for job in configs(stack):
        for rule in job.get("relabel_configs", []) + job.get("metric_relabel_configs", []):
            assert rule.get("action", "replace") in ACTIONS, (job["job_name"], rule)
            re.compile(rule.get("regex", "(.*)"))
        for key in ("scrape_interval", "scrape_timeout"):
            assert key not in job or (job[key] and DURATION.fullmatch(job[key])), (job["job_name"], key)


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
def test_promtool_accepts_the_prometheus_configuration(tmp_path):
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(scrape.prometheus_config(AlertingArgs.of(make_settings("prod")), [],
                                                            ["alertmanager:9093"])))
    ok, out = tools.check_prometheus_config(path)
    assert ok, out


@pytest.mark.parametrize("interval,timeout", [("15s", "10s"), ("10s", "10s"), ("5s", "5s"), ("1m30s", "10s"),
                                              ("9999ms", "9999ms"), ("10000ms", "10s")])
def test_the_timeout_is_ten_seconds_but_never_longer_than_the_interval(interval, timeout):
    """Prometheus refuses a scrape_timeout greater than the scrape_interval (config.go,
    ScrapeConfig.Validate); model.ParseDuration units ms, s, m, h, d, w, y."""
    s = make_settings("dev", scrapeInterval=interval, evaluationInterval=interval)
    timeouts = {j["scrape_timeout"] for j in scrape.scrape_configs(AlertingArgs.of(s)) if "scrape_timeout" in j}
    assert timeouts == {timeout}


def test_a_pod_label_becomes_the_meta_label_prometheus_discovery_sets():
    """Prometheus v2.54.1's Kubernetes discovery names a label's meta label with
    strutil.SanitizeLabelName (pod.go for pod labels; the vendored kubernetes.go shows the same call
    for namespace labels; util/strutil/strconv.go: every character outside [a-zA-Z0-9_] becomes `_`).
    Label keys may hold upper case (Kubernetes: an optional prefix/, then [A-Za-z0-9._-])."""
    assert scrape.meta_label("app.kubernetes.io/Name") == "__meta_kubernetes_pod_label_app_kubernetes_io_Name"
    assert scrape.meta_label("strimzi.io/kind") == "__meta_kubernetes_pod_label_strimzi_io_kind"
    assert scrape.meta_label("Team_2-B") == "__meta_kubernetes_pod_label_Team_2_B"


def test_discovered_kafka_pods_are_scraped_where_the_jmx_exporter_serves():
    """jmx_exporter's HTTP server serves its metrics on /metrics (prometheus/jmx_exporter,
    jmx_prometheus_common HTTPServerFactory.METRICS_PATH); Strimzi's pods run that exporter."""
    jobs = [j for j in configs("prod") if "kubernetes_sd_configs" in j and j["job_name"].startswith("kafka")]
    assert jobs and {j["metrics_path"] for j in jobs} == {"/metrics"}


def blackbox_routes() -> dict[str, str]:
    """blackbox_exporter v0.25.0 main.go: route -> handler, each `path.Join(*routePrefix, "<route>")`;
    the chart passes no --web.route-prefix (values.yaml extraArgs: []), so the prefix is "/"."""
    main = (HERE / "blackbox_exporter-v0.25.0" / "main.go").read_text()
    return dict(re.findall(r'http\.Handle(?:Func)?\(path\.Join\(\*routePrefix, "(/[^"]+)"\),\s*(\w+(?:\.\w+)?)', main))


def test_the_blackbox_exporters_own_metrics_are_scraped_where_it_serves_them():
    """Its own metrics are promhttp's handler's route; any other path falls to the landing page,
    which answers HTML that Prometheus cannot parse."""
    (job,) = [j for j in configs("prod") if j["job_name"] == catalogue.JOB_BLACKBOX]
    assert blackbox_routes()[job["metrics_path"]] == "promhttp.Handler"


def test_the_tls_probe_asks_the_blackbox_exporter_about_each_listener():
    """Prometheus's multi-target exporter pattern (Prometheus docs, "Understanding and using the
    multi-target exporter pattern"): each static target becomes the `target` parameter and the
    instance label, and the scrape goes to the exporter's /probe (blackbox_exporter v0.25.0
    main.go) with the module of our TLS check. Relabelling by the model of Prometheus's own."""
    from tests.content.relabel_model import relabel

    s = AlertingArgs.of(make_settings("prod"))
    (job,) = [j for j in scrape.scrape_configs(s) if j["job_name"] == "kafka-tls-probe"]
    assert (job["metrics_path"], job["params"]) == ("/probe", {"module": [exporters.TLS_MODULE]})
    assert blackbox_routes()["/probe"] == "func"  # the prober's handler
    for group in job["static_configs"]:
        for target in group["targets"]:
            out = relabel({"__address__": target, **group["labels"]}, job["relabel_configs"])
            assert (out["__address__"], out["__param_target"], out["instance"]) == (
                exporters.blackbox_address(s), target, target)
