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
from tests.conftest import TWO_CLUSTERS, make_settings
from tests.content.relabel_model import job_label, relabel
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
                                              ("9999ms", "9999ms"), ("10000ms", "10s"), ("1m", "10s"),
                                              ("5m", "10s"), ("9s", "9s")])
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


def jmx_exporter_contexts() -> dict[str, str]:
    """Context path -> handler of the HTTP server in Strimzi's JMX agent. jmx_exporter 1.0.1 builds
    client_java v1.3.1's HTTPServer (its pom's prometheus.metrics.version) and sets no default handler
    (HTTPServerFactory.createHTTPServer), so "/" is DefaultHandler: an HTML page (text/html) that a
    scrape cannot parse."""
    assert ".defaultHandler(" not in (HERE / "jmx_exporter-1.0.1" / "HTTPServerFactory.java").read_text()
    server = (HERE / "client_java-v1.3.1" / "HTTPServer.java").read_text()
    return dict(re.findall(r'registerHandler\("(/[^"]*)", (?:defaultHandler == null \? )?new (\w+)\(', server))


def java_context(contexts: dict[str, str], path: str) -> str:
    """The JDK's HttpServer hands a request to the context whose path is the longest prefix of the
    request's path (com.sun.net.httpserver.HttpServer: "the longest matching path prefix")."""
    return contexts[max((c for c in contexts if path.startswith(c)), key=len)]


def kafka_exporter_routes(args: list[str]) -> dict[str, str]:
    """kafka_exporter v1.9.0 (kafka_exporter.go): pattern -> handler of net/http's default ServeMux,
    promhttp's handler on --web.telemetry-path ("/metrics" unless given), a landing page in HTML on "/"."""
    source = (HERE / "kafka_exporter-v1.9.0" / "kafka_exporter.go").read_text()
    flag = re.search(r'toFlagString\("web\.telemetry-path", "[^"]*", "([^"]+)"\)', source).group(1)
    flag = ([a.split("=", 1)[1] for a in args if a.startswith("--web.telemetry-path=")] or [flag])[-1]
    routes = re.findall(r'http\.Handle(?:Func)?\((metricsPath|"/[^"]*"), (promhttp\.Handler|func)', source)
    return {flag if pattern == "metricsPath" else pattern.strip('"'): handler for pattern, handler in routes}


def go_mux(routes: dict[str, str], path: str) -> str:
    """net/http's ServeMux: a pattern that ends in "/" matches its whole subtree, any other only
    itself, and the longest match wins."""
    return routes[max((p for p in routes if p == path or (p.endswith("/") and path.startswith(p))), key=len)]


@pytest.mark.parametrize("clusters", [None, TWO_CLUSTERS], ids=["prod", "static-targets-and-zookeeper"])
def test_each_kafka_job_is_scraped_on_the_path_where_its_exporter_serves_metrics(clusters):
    """Brokers, controllers and ZooKeeper run Strimzi's JMX agent; consumer lag comes from
    kafka_exporter. Any other path reaches a landing page in HTML and the target reads as down.
    The job is the label Prometheus gives the target (job_name unless a relabel rule writes it)."""
    settings = make_settings("prod", **({"clusters": clusters} if clusters else {}))
    s = AlertingArgs.of(settings)
    lag_routes = [kafka_exporter_routes(exporters.kafka_exporter_container(c, "e:1")["args"]) for c in s.clusters]
    contexts = jmx_exporter_contexts()
    seen = set()
    for job in scrape.kafka_jobs(s):
        name = job_label(job)
        seen.add(name)
        if name == catalogue.JOB_LAG:
            assert {go_mux(routes, job["metrics_path"]) for routes in lag_routes} == {"promhttp.Handler"}, job["job_name"]
        else:
            assert java_context(contexts, job["metrics_path"]) == "MetricsHandler", job["job_name"]
    expected = {catalogue.JOB_BROKER, catalogue.JOB_CONTROLLER, catalogue.JOB_LAG}
    assert seen == (expected | {catalogue.JOB_ZOOKEEPER} if clusters else expected)
    # The models route as the servers do: the landing pages are what another path gets.
    assert java_context(contexts, "/METRICS") == "DefaultHandler"
    assert go_mux(kafka_exporter_routes([]), "/metrics/") == "func"


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
    s = AlertingArgs.of(make_settings("prod"))
    (job,) = [j for j in scrape.scrape_configs(s) if j["job_name"] == "kafka-tls-probe"]
    assert (job["metrics_path"], job["params"]) == ("/probe", {"module": [exporters.TLS_MODULE]})
    assert blackbox_routes()["/probe"] == "func"  # the prober's handler
    for group in job["static_configs"]:
        for target in group["targets"]:
            out = relabel({"__address__": target, **group["labels"]}, job["relabel_configs"])
            assert (out["__address__"], out["__param_target"], out["instance"]) == (
                exporters.blackbox_address(s), target, target)
