"""The Kafka rules: names, labels, runbooks, real metric names, promtool checks and unit tests."""
from __future__ import annotations

import copy
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from content.rules import rule_files
from config.sections import AlertingArgs
from content import alerts, catalogue, dashboards, scrape, signals
from content.alerts import SEVERITIES
from content.promql import metric_names
from config.fields import duration_seconds
from tests.conftest import ROOT, TWO_CLUSTERS, make_settings
from tests.content import promtool_tests
from tests.content.grafana_model import concrete
from tests.content.relabel_model import job_label
from tests.content.alert_scenarios import SCENARIOS

needs_promtool = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool is not installed")
# The design document's alerts with their severity and category labels (its "Critical Alerts",
# "Security Alerts", "Performance Alerts" and "Resource Alerts" rule groups). Alertmanager routes on
# both: severity picks the PagerDuty or Slack receiver, category "security" adds the security team.
DESIGN_DOC_LABELS = {
    "KafkaClusterDown": ("critical", "infrastructure"), "KafkaZookeeperDown": ("critical", "infrastructure"),
    "KafkaDiskSpaceCritical": ("critical", "storage"), "KafkaHighConsumerLag": ("critical", "performance"),
    "KafkaEventProcessingFailed": ("critical", "application"), "KafkaSASLAuthFailuresSpike": ("critical", "security"),
    "KafkaACLDenialsSpike": ("high", "security"), "KafkaUnencryptedConnections": ("critical", "security"),
    "KafkaCertificateExpiry": ("high", "security"), "KafkaLowThroughput": ("warning", "performance"),
    "KafkaHighLatency": ("warning", "performance"), "KafkaHighMemoryUsage": ("warning", "resources"),
    "KafkaHighCPUUsage": ("warning", "resources"),
}
DESIGN_DOC_ALERTS = set(DESIGN_DOC_LABELS)
HEALTH_ALERTS = {"KafkaUnderReplicatedPartitions", "KafkaOfflinePartitions", "KafkaActiveControllerCountWrong",
                 "KafkaUnderMinIsrPartitions", "KafkaOfflineLogDirectories", "KafkaUncleanLeaderElection",
                 "KafkaScrapeTargetDown", "KafkaKRaftQuorumDegraded"}
SETTINGS = make_settings("prod")
ALERTS = promtool_tests.alert_meta(SETTINGS)
RULES = promtool_tests.rules(SETTINGS)
RECORDING = promtool_tests.recording_exprs(SETTINGS)
RECORDED = set(RECORDING)


def test_design_document_and_health_alerts_exist():
    assert DESIGN_DOC_ALERTS | HEALTH_ALERTS <= set(ALERTS)


def test_design_document_alerts_keep_its_severity_and_category():
    assert {name: (ALERTS[name]["labels"]["severity"], ALERTS[name]["labels"]["category"])
            for name in DESIGN_DOC_LABELS} == DESIGN_DOC_LABELS


def scraped_jobs(settings) -> set[str]:
    """The job label of every target Prometheus scrapes (relabel_model.job_label)."""
    return {job_label(job) for job in scrape.scrape_configs(AlertingArgs.of(settings))}


def test_every_job_a_rule_selects_is_one_prometheus_scrapes():
    """A selector on a job no target carries matches nothing, and a rule reading it never fires (or,
    under absent(), always does). Checked on prod and on a ZooKeeper-based cluster, whose ensemble
    only that kind of cluster has."""
    zookeeper = make_settings("prod", clusters=TWO_CLUSTERS)  # cluster a runs on ZooKeeper
    jobs = scraped_jobs(SETTINGS) | scraped_jobs(zookeeper)
    selected = {job for settings in (SETTINGS, zookeeper) for r in promtool_tests.rules(settings)
                for op, pattern in re.findall(r'\bjob(=~|=)"([^"]+)"', r["expr"])
                for job in (pattern.split("|") if op == "=~" else [pattern])}
    assert selected - jobs == set()
    assert {catalogue.JOB_ZOOKEEPER, catalogue.JOB_CONTROLLER, catalogue.JOB_BROKER} <= selected


def test_every_category_opens_a_panel_and_security_is_the_one_the_security_team_gets():
    """An alert with no panel of its own opens its category's (Alert.panel): a category outside that
    table would stop the rules building the day the alert loses its own panel. Alertmanager sends
    category="security" to the security team as well: the design document's security alerts carry it."""
    categories = {a["labels"]["category"] for a in ALERTS.values()}
    assert categories <= set(alerts.CATEGORY_PANELS)
    assert {n for n, a in ALERTS.items() if a["labels"]["category"] == "security"} >= {
        n for n, (_, c) in DESIGN_DOC_LABELS.items() if c == "security"}


def test_no_annotation_shows_a_missing_value():
    """A Python None formatted into a summary reaches the on-call person as the word "None"."""
    shown = [(n, k) for n, a in ALERTS.items() for k, v in a["annotations"].items() if re.search(r"\bNone\b", v)]
    assert shown == []


def test_runbook_links_join_the_base_url_with_one_slash():
    """The base URL may end with a slash or not; a doubled slash is a different path to most servers."""
    for base in ("https://runbooks.example/kafka", "https://runbooks.example/kafka/"):
        urls = [a["annotations"]["runbook_url"] for a in promtool_tests.alert_meta(
            make_settings("prod", runbookBaseUrl=base)).values()]
        assert all(u.startswith("https://runbooks.example/kafka/") and "//" not in u.removeprefix("https://")
                   for u in urls), base


def test_slo_alerts_page_on_fast_burn_and_ticket_on_slow_burn():
    for slo in ("KafkaAvailabilitySLO", "KafkaEventErrorRateSLO"):
        assert ALERTS[f"{slo}FastBurn"]["labels"]["severity"] == "critical"
    # The latency budget burns too slowly to page within 3 minutes; its symptom alert pages instead.
    assert ALERTS["KafkaCombatLatencySLOFastBurn"]["labels"]["severity"] == "high"
    assert ALERTS["KafkaCombatLatencyCritical"]["labels"]["severity"] == "critical"
    for slo in ("KafkaAvailabilitySLO", "KafkaEventErrorRateSLO", "KafkaCombatLatencySLO"):
        assert ALERTS[f"{slo}SlowBurn"]["labels"]["severity"] == "warning"


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_alert_carries_severity_category_text_and_a_runbook_file(name):
    rule = ALERTS[name]
    assert rule["labels"]["severity"] in SEVERITIES
    assert rule["labels"]["category"]
    assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    url = rule["annotations"]["runbook_url"]
    assert url.startswith(SETTINGS.runbook_base_url + "/")
    file, _, anchor = url[len(SETTINGS.runbook_base_url) + 1:].partition("#")
    runbook = ROOT / "docs" / "runbooks" / file
    assert runbook.is_file(), runbook
    if anchor:
        headings = [line.lstrip("#").strip().lower() for line in runbook.read_text().splitlines()
                    if line.startswith("#")]
        assert anchor in headings, (anchor, runbook)
    if rule["labels"]["severity"] == "critical":
        assert not anchor, "critical alerts have a runbook of their own"


def test_incident_scenarios_have_their_runbooks():
    for alert, file in {"KafkaHighConsumerLag": "consumer-lag-spike.md",
                        "KafkaSASLAuthFailuresSpike": "authentication-failures.md",
                        "KafkaHighMemoryUsage": "high-memory.md"}.items():
        assert ALERTS[alert]["annotations"]["runbook_url"].endswith("/" + file)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.get("alert") or r["record"])
def test_rules_read_only_catalogued_or_recorded_metrics(rule):
    unknown = metric_names(rule["expr"]) - set(catalogue.METRICS) - RECORDED
    assert not unknown, f"not emitted by any exporter in the catalogue: {unknown}"


def test_metric_check_catches_an_unknown_name():
    assert metric_names('rate(kafka_consumer_lag{topic="x"}[5m]) > 1') - set(catalogue.METRICS) == {
        "kafka_consumer_lag"}


def test_thresholds_come_from_settings():
    s = make_settings("prod", consumerLagCritical=12345, saslAuthFailuresPerMinute=7)
    meta = promtool_tests.alert_meta(s)
    assert meta["KafkaHighConsumerLag"]["expr"].endswith("> 12345")
    assert meta["KafkaSASLAuthFailuresSpike"]["expr"].endswith("> 7")
    failing = promtool_tests.alert_meta(make_settings("prod", failedRequestsPercent=3,
                                                      failedRequestsMinPerMinute=42))["KafkaBrokerRequestsFailing"]
    assert ") > 0.03) and on (kafka_cluster) (" in failing["expr"] and failing["expr"].endswith("* 60 > 42)")


@needs_promtool
@pytest.mark.parametrize("clusters", [None, TWO_CLUSTERS], ids=["prod", "two-clusters"])
def test_promtool_check_rules_passes(tmp_path, clusters):
    """Per-cluster expressions (one absent() per cluster, joined by `or`) only show their joins with
    more than one cluster."""
    settings = SETTINGS if clusters is None else make_settings("prod", clusters=clusters)
    for name, doc in rule_files(settings).items():
        (tmp_path / name).write_text(yaml.safe_dump(doc))
    proc = subprocess.run(["promtool", "check", "rules", *sorted(p.name for p in tmp_path.iterdir())],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_alert_has_a_scenario():
    assert sorted(sc.alert for sc in SCENARIOS) == sorted(ALERTS)


@pytest.fixture(scope="module")
def promtool_results(tmp_path_factory):
    """Run every scenario file once, two at a time (one per core)."""
    folder = tmp_path_factory.mktemp("promtool")
    paths = promtool_tests.write(SETTINGS, SCENARIOS, folder)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: promtool_tests.run([p]), paths))
    return {sc.alert: r for sc, r in zip(SCENARIOS, results)}


@needs_promtool
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda sc: sc.alert)
def test_alert_fires_on_time_and_stays_quiet_otherwise(promtool_results, scenario):
    result = promtool_results[scenario.alert]
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_a_critical_rule_slower_than_its_target_fails_its_promtool_test(tmp_path):
    """The target is asserted by promtool on the rule's own evaluation, not read from a table: the
    same scenario, with the rule made to wait 3 minutes longer (and `detect` moved with it, so that
    only the target can fail), fails at the target's evaluation."""
    sc = next(sc for sc in SCENARIOS if ALERTS[sc.alert]["labels"]["severity"] == "critical")
    slow = copy.deepcopy(sc)
    slow.detect += 180
    (path,) = promtool_tests.write(SETTINGS, [slow], tmp_path)
    rules_file = tmp_path / yaml.safe_load(path.read_text())["rule_files"][0]
    rules = yaml.safe_load(rules_file.read_text())
    (alert,) = [r for r in rules["groups"][0]["rules"] if r.get("alert") == sc.alert]
    alert["for"] = f"{duration_seconds(alert.get('for', '0s')) + 180:.0f}s"
    rules_file.write_text(yaml.safe_dump(rules, sort_keys=False))
    result = promtool_tests.run([path])
    assert result.returncode != 0
    failed = [line for line in (result.stdout + result.stderr).splitlines() if "time:" in line]
    assert failed and all(f"time: {_promtool_time(promtool_tests.worst_moment(slow) + 180)}," in line
                          for line in failed), failed
    (tmp_path / "as-is").mkdir()
    assert promtool_tests.run(promtool_tests.write(SETTINGS, [sc], tmp_path / "as-is")).returncode == 0


def _promtool_time(seconds: int) -> str:
    """promtool prints an eval time as a Prometheus duration (prometheus/common model.Duration.String:
    units from largest to smallest, zero units left out): 6h3m."""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((h, "h"), (m, "m"), (s, "s")) if n) or "0s"


def test_scenarios_start_after_six_hours_of_healthy_history():
    assert all(sc.onset >= 6 * 3600 for sc in SCENARIOS)


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_alert_links_the_panel_that_shows_its_signal(name):
    """dashboard_url, as Prometheus expands it for an alert's labels, opens an existing panel alone
    (viewPanel=<its id>) on an existing dashboard, with each of that dashboard's variables set to
    the alert's value of the label the variable reads (its label_values query); a label the alert
    lacks leaves its variable out."""
    labels = {"kafka_cluster": "prod a&b", "consumergroup": "billing/1", "topic": "combat+events", "instance": "b-1:9404"}
    for given in (labels, {}):
        url = urlsplit(promtool_tests.expand(ALERTS[name]["annotations"]["dashboard_url"], given))
        m = re.fullmatch(r"/d/([\w-]+)", url.path)
        assert f"{url.scheme}://{url.netloc}" == SETTINGS.grafana_url and m, url
        _, board = dashboards.dashboards(SETTINGS)[m.group(1)]
        query = parse_qs(url.query, strict_parsing=True)
        (panel,) = query.pop("viewPanel")
        assert int(panel) in {p["id"] for p in board["panels"] if p["type"] != "row"}
        reads = {v["name"]: re.fullmatch(r"label_values\(.*, (\w+)\)", v["query"])
                 for v in board["templating"]["list"] if v["type"] == "query"}
        assert query == {f"var-{var}": [given[label[1]]] for var, label in reads.items()
                         if label and label[1] in given}, url


def test_links_keep_a_sub_path_grafana_and_jaeger_are_served_under():
    """Behind a reverse proxy Grafana and Jaeger are served under a path (Grafana's root_url,
    Jaeger's --query.base-path); a link keeps that path, with or without a trailing slash."""
    for base in ("https://ops.example/tools/GRAFANAX", "https://ops.example/tools/GRAFANAX/"):
        s = make_settings("prod", grafanaUrl=base, jaegerQueryUrl=base.replace("GRAFANAX", "JAEGERX"))
        for rule in promtool_tests.alert_meta(s).values():
            assert rule["annotations"]["dashboard_url"].startswith("https://ops.example/tools/GRAFANAX/d/")
        assert dashboards.jaeger_search(s, "combat").startswith("https://ops.example/tools/JAEGERX/search?")


def raw_metrics(expr: str) -> set[str]:
    """The scraped metrics an expression reads, through the recording rules of any recorded series."""
    names = metric_names(concrete(expr))
    return set().union(*[raw_metrics(RECORDING[n]) if n in RECORDING else {n} for n in names])


def test_each_alert_links_a_panel_that_draws_what_it_measures():
    """The linked panel reads at least one metric the alert's expression reads (recorded series
    followed to their sources): the responder sees the signal that fired, not a neighbour's."""
    wrong = {}
    for name, rule in ALERTS.items():
        url = urlsplit(promtool_tests.expand(rule["annotations"]["dashboard_url"], {}))
        _, board = dashboards.dashboards(SETTINGS)[url.path.rsplit("/", 1)[1]]
        (panel,) = [p for p in board["panels"] if str(p.get("id")) == parse_qs(url.query)["viewPanel"][0]]
        drawn = set().union(*[raw_metrics(t["expr"]) for t in panel.get("targets", []) if t.get("expr")])
        if not raw_metrics(rule["expr"]) & drawn:
            wrong[name] = panel["title"]
    assert wrong == {}
    assert raw_metrics(f"{signals.UNDER_REPLICATED} > 0") == {"kafka_server_replicamanager_underreplicatedpartitions"}


@needs_promtool
def test_each_scrape_job_that_disappears_is_reported_missing(tmp_path):
    """KafkaScrapeTargetsMissing, run by promtool: with every other job's `up` present, the job that
    vanishes from discovery (no `up` series at all) fires the alert with its job label, the
    per-cluster jobs with their cluster; with none missing it stays quiet."""
    cluster = SETTINGS.clusters[0].name
    jobs = {catalogue.JOB_CONTROLLER: {catalogue.CLUSTER_LABEL: cluster},
            catalogue.JOB_TLS_PROBE: {catalogue.CLUSTER_LABEL: cluster},
            catalogue.JOB_LAG: {catalogue.CLUSTER_LABEL: cluster}, catalogue.JOB_BLACKBOX: {}}

    def series(job: str, labels: dict) -> str:
        return "up{" + ",".join(f'{k}="{v}"' for k, v in {"job": job, **labels}.items()) + "}"

    rule = "KafkaScrapeTargetsMissing"
    tests = [{"interval": "1m", "input_series": [{"series": series(j, lbl), "values": "1x30"} for j, lbl in jobs.items()
                                                 if j != gone],
              "alert_rule_test": [{"eval_time": "20m", "alertname": rule, "exp_alerts": [] if gone is None else [
                  promtool_tests.expected_alert(ALERTS[rule], {"job": gone, **jobs[gone]})]}]}
             for gone in [*jobs, None]]
    proc = promtool_tests.run_alert_tests(SETTINGS, tmp_path, rule, tests)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


@needs_promtool
def test_a_cluster_down_is_one_alert_whether_its_brokers_fail_or_vanish(tmp_path):
    """KafkaClusterDown, run by promtool on two clusters: brokers that answer no scrape and brokers no
    longer discovered at all (no `up` series) fire the same alert, labelled by cluster only. absent()
    alone would add the job label of its matcher (Prometheus docs, absent()), and Alertmanager would
    then hold two alerts for one outage."""
    settings = make_settings("prod", clusters=TWO_CLUSTERS)
    rule = "KafkaClusterDown"
    fired = [promtool_tests.expected_alert(promtool_tests.alert_meta(settings)[rule], {catalogue.CLUSTER_LABEL: "a"})]

    def up(cluster: str, values: str) -> dict:
        return {"series": f'up{{job="{catalogue.JOB_BROKER}",kafka_cluster="{cluster}",instance="{cluster}0"}}',
                "values": values}

    tests = [{"interval": "1m", "input_series": [up("a", "0x30"), up("b", "1x30")],
              "alert_rule_test": [{"eval_time": "20m", "alertname": rule, "exp_alerts": fired}]},
             {"interval": "1m", "input_series": [up("b", "1x30")],
              "alert_rule_test": [{"eval_time": "20m", "alertname": rule, "exp_alerts": fired}]},
             {"interval": "1m", "input_series": [up("a", "1x30"), up("b", "1x30")],
              "alert_rule_test": [{"eval_time": "20m", "alertname": rule, "exp_alerts": []}]}]
    proc = promtool_tests.run_alert_tests(settings, tmp_path, rule, tests)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]
