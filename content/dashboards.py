"""The four dashboards of the design document, built with grafana-foundation-sdk.

Panels read recording rules (content/recording.py) or catalogued metrics only; no hand-written
dashboard JSON. Datasource UIDs and folder names come from content/grafana.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from urllib.parse import quote
from typing import TYPE_CHECKING

from grafana_foundation_sdk.builders import elasticsearch, gauge, prometheus, stat, table, text, timeseries
from grafana_foundation_sdk.builders.dashboard import CustomVariable, Dashboard, DashboardLink, QueryVariable, Row
from grafana_foundation_sdk.builders.dashboard import Panel as GenericPanel
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef, DynamicConfigValue, VariableOption

from content import signals as sig
from content.catalogue import JOB_BROKER, JOB_CONTROLLER, JOB_TLS_PROBE, JOB_ZOOKEEPER, KAFKA_JVM_JOBS, kafka_pods
from content.grafana import DATASOURCES, FOLDER_INCIDENT, FOLDER_KAFKA, FOLDER_SECURITY, GLOBAL_DATASOURCE, stable_id

if TYPE_CHECKING:
    from config.sections import AlertingArgs, GrafanaArgs

# The Kubernetes cluster: the `cluster` label, which series carry only where the stack's external labels
# were added (remote write to the global store, federation, alerts; Prometheus docs, configuration:
# "external_labels ... when communicating with external systems"), never in the local TSDB. Its
# variable's All is `.*`, which matches an absent label too (a label that is absent matches as "" in
# PromQL), so a query filtered by it draws the same series on the local datasource as without it.
K = 'cluster=~"$k8s_cluster"'
C = f'kafka_cluster=~"$cluster",{K}'
RATE = "$__rate_interval"
# Every dashboard's first variables: which metrics datasource, and where (the Kubernetes cluster, then
# the Kafka cluster in it).
SCOPE = ("datasource", "environment", "k8s_cluster", "cluster")
BUILDERS = {"timeseries": timeseries.Panel, "stat": stat.Panel, "gauge": gauge.Panel, "table": table.Panel}


@dataclass(frozen=True)
class Panel:
    title: str
    kind: str                               # timeseries, stat, gauge, table, logs-timeseries, text
    queries: tuple[tuple[str, str], ...] = ()  # (expr or Lucene query, legend)
    unit: str = "short"
    source: str = "prometheus"
    span: int = 8
    height: int = 8
    content: str = ""                       # text panels
    links: tuple[tuple[str, str], ...] = ()  # (title, url): the panel's links, Grafana variables allowed
    data_links: tuple[tuple[str, str], ...] = ()  # (title, url) on every series: ${__field.labels.x}
    # (query index, unit): queries in another unit than the panel's (in a time series, on a right-hand axis)
    query_units: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Spec:
    uid: str
    title: str
    folder: str
    variables: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Panel, ...]], ...]
    refresh: str = "15s"
    tags: tuple[str, ...] = ("kafka", "kafka-monitoring")
    links: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _p(expr: str, legend: str = "") -> tuple[str, str]:
    return (expr, legend)


# Ranking once per panel. In a range query `topk` ranks every step on its own, so on noisy series
# (a caught-up consumer's lag is what was produced since its last commit) a chart of the top N
# draws far more than N series over its range. The `@` modifier pins a selector to the range's end
# (Prometheus v2.54.1 promql/engine.go PreprocessExpr: `end()` is the query's end; stable and on by
# default since 2.33), so the ranking is one instant vector and `and` keeps at most N series at every
# step. `series(at)` writes the panel's expression with `at` after each of its selectors.
AT_END = " @ end()"


def top_at_end(n: int, series) -> str:
    """The N series that are highest at the end of the range, drawn over the whole range: what is
    highest now (a backlog, a current usage)."""
    return f"{series('')} and topk({n}, {series(AT_END)})"


def top_by_peak(n: int, selector: str) -> str:
    """The N series (of a recorded or raw selector) whose peak over the range is highest: a spike
    that has since resolved still shows on the chart that covers it."""
    return f"{selector} and topk({n}, max_over_time({selector}[$__range]{AT_END}))"


def top_by_peak_of(n: int, expr: str) -> str:
    """The N series of an expression (a rate, a ratio) whose peak over the range is highest: the
    peak is a subquery over the range, pinned to its end like the selectors above."""
    return f"{expr} and topk({n}, max_over_time(({expr})[$__range:]{AT_END}))"


def jaeger_search(s: "AlertingArgs | GrafanaArgs", service: str) -> str:
    """Jaeger UI search for a service over the panel's time range (Jaeger takes microseconds;
    Grafana's ${__from}/${__to} are milliseconds)."""
    return f"{s.jaeger_query_url.rstrip('/')}/search?service={service}&start=${{__from}}000&end=${{__to}}000&lookback=custom&limit=20"


def explore(source: str, query: str) -> str:
    """Grafana Explore (URL schema 1, Grafana 10.4+) on a search datasource: the query's raw
    documents over the panel's time range."""
    ds = DATASOURCES[source]
    panes = {"a": {"datasource": ds["uid"], "queries": [{
        "refId": "A", "datasource": {"type": ds["type"], "uid": ds["uid"]}, "query": query, "queryType": "lucene",
        "metrics": [{"id": "1", "type": "logs"}]}], "range": {"from": "${__from}", "to": "${__to}"}}}
    return "/explore?schemaVersion=1&panes=" + quote(json.dumps(panes, separators=(",", ":")), safe="${}_")


def specs(s: "AlertingArgs | GrafanaArgs") -> list[Spec]:
    top = s.dashboard_top_n  # a panel draws its top N series; the variables drill into the rest
    # Services report to Jaeger under their domain's name (combat, economy, social), as the
    # sampling overrides name them.
    traces = (("Traces of ${__field.labels.domain} in Jaeger", jaeger_search(s, "${__field.labels.domain}")),)
    app_errors = (("Application errors in Explore", explore("elasticsearch", 'level:(ERROR OR FATAL)')),)
    security_events = (("Security events in Explore", explore("opensearch", "*")),)
    lag_series = f'{sig.GROUP_TOPIC_LAG}{{{C},consumergroup=~"$consumergroup",topic=~"$topic"}}'
    members = f'kafka_consumergroup_members{{{C},consumergroup=~"$consumergroup"}}'
    restarts = f"kube_pod_container_status_restarts_total{{{kafka_pods(s.clusters)},{K}}}"

    def group_lag(at: str) -> str:
        return f'sum by (consumergroup) ({sig.GROUP_LAG}{{{C},consumergroup=~"$consumergroup"}}{at})'

    def volume_usage(at: str) -> str:
        pvc = f'persistentvolumeclaim=~".*kafka.*",{K}'
        return (f"100 * max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{{{pvc}}}{at}"
                f" / kubelet_volume_stats_capacity_bytes{{{pvc}}}{at})")
    # the margin a quorum keeps above its majority, per cluster; the clusters with the smallest
    # margin at any time of the range, ranked once at its end
    voters = f'up{{job=~"{JOB_CONTROLLER}|{JOB_ZOOKEEPER}",{C}}}'
    margin = f"sum by (kafka_cluster, job) ({voters}) - (floor(count by (kafka_cluster, job) ({voters}) * 0.5) + 1)"
    quorum_top = max(top // 3, 1)
    closest = f"bottomk({quorum_top}, min by (kafka_cluster) (min_over_time(({margin})[$__range:]{AT_END})))"
    overview = Spec("kafka-overview", "Kafka Overview", FOLDER_KAFKA, (*SCOPE, "broker", "topic", "consumergroup"), (
        ("Health Overview", (
            Panel("Cluster Status", "stat", (_p(f'sum by (kafka_cluster) (up{{job="{JOB_BROKER}",{C}}})',
                                                "{{kafka_cluster}} brokers up"),)),
            Panel("Active Controllers", "stat", (_p(f"{sig.ACTIVE_CONTROLLERS}{{{C}}}",
                                                    "{{kafka_cluster}}"),)),
            # Counts over the selected clusters, so that All stays four series however many clusters
            # there are; the cluster variable narrows them down to one.
            Panel("ISR Status", "table", (
                _p(f"sum({sig.UNDER_REPLICATED}{{{C}}})", "under-replicated"),
                _p(f"sum(kafka_server_replicamanager_underminisrpartitioncount{{{C}}})", "under min ISR"),
                _p(f"sum(rate(kafka_server_replicamanager_isrshrinks_total{{{C}}}[{RATE}]))", "ISR shrinks/s"),
                _p(f"sum(rate(kafka_server_replicamanager_isrexpands_total{{{C}}}[{RATE}]))", "ISR expands/s")),
                query_units=((2, "cps"), (3, "cps"))),
            Panel("Partition Status", "timeseries", (
                _p(f"sum({sig.UNDER_REPLICATED}{{{C}}})", "under-replicated"),
                _p(f"sum({sig.OFFLINE_PARTITIONS}{{{C}}})", "offline"),
                # what takes partitions offline or loses acknowledged writes
                _p(f"sum(kafka_log_logmanager_offlinelogdirectorycount{{{C}}})", "offline log directories"),
                _p(f"sum(increase(kafka_controller_controllerstats_uncleanleaderelections_total{{{C}}}[{RATE}]))",
                   "unclean leader elections")), span=12),
            # the quorum alerts' signal: members up against the majority they need, per ensemble
            # (KRaft controllers or ZooKeeper, whichever the cluster runs), and the brokers the
            # active controller fenced. With All, the clusters whose quorum came closest to losing
            # its majority at any time of the range (a third of N, as each draws two lines), and the
            # clusters that fenced most brokers at their peak.
            # One query per ensemble draws both lines, so that its clusters are the same: bottomk
            # breaks ties (every healthy cluster) in no stable order from one query to the next.
            Panel("Controller Quorum", "timeseries", tuple(
                _p(f'(label_replace(sum by (kafka_cluster) (up{{job="{job}",{C}}}), "line", "up", "", "")'
                   f' or label_replace(floor(count by (kafka_cluster) (up{{job="{job}",{C}}}) * 0.5) + 1, "line", "majority", "", ""))'
                   f" and on (kafka_cluster) {closest}", f"{{{{kafka_cluster}}}} {name} {{{{line}}}}")
                for job, name in ((JOB_CONTROLLER, "KRaft controllers"), (JOB_ZOOKEEPER, "ZooKeeper nodes"))) + (
                _p(top_by_peak(quorum_top, f"{sig.FENCED_BROKERS}{{{C}}}"), "{{kafka_cluster}} fenced brokers"),), span=12),
        )),
        ("Performance Metrics", (
            Panel("Throughput", "timeseries", (
                # the topics with the highest peak (two fewer, so that the panel draws at most N)
                # beside the bytes of the selected clusters together
                _p(top_by_peak(max(top - 2, 1), f'{sig.TOPIC_MESSAGES_IN}{{{C},topic=~"$topic"}}'), "{{topic}} msg/s in"),
                _p(f"sum({sig.BYTES_IN}{{{C}}})", "bytes in"),
                _p(f"sum({sig.BYTES_OUT}{{{C}}})", "bytes out")), unit="cps", query_units=((1, "Bps"), (2, "Bps"))),
            # the worst broker's p99 (the recorded series) of the worst selected cluster: one series per
            # request type with All, as with one cluster
            Panel("Latency Percentiles", "timeseries", (
                _p(f'max by (request) ({sig.REQUEST_TOTAL_TIME_P99}{{{C},request=~"Produce|FetchConsumer|FetchFollower"}})',
                   "{{request}} p99 total"),
                _p(f'max by (request) ({sig.REQUEST_QUEUE_TIME_P99}{{{C},request=~"Produce|FetchConsumer"}})',
                   "{{request}} p99 queue")), unit="ms"),
            # the groups that lagged most at any time of the range: the incident looked back on
            Panel("Consumer Lag", "timeseries", (_p(top_by_peak(top, lag_series), "{{consumergroup}} / {{topic}}"),)),
        )),
        ("Resource Usage", (
            # the N brokers that ran hottest at any time of the range, over every selected cluster
            Panel("CPU Usage", "gauge", (_p(top_by_peak_of(top, f'100 * max by (instance) (rate(process_cpu_seconds_total{{job=~"{KAFKA_JVM_JOBS}",{C},instance=~"$broker"}}[{RATE}]))'),
                                            "{{instance}}"),), unit="percent", span=6),
            Panel("Memory Usage", "gauge", (_p(top_by_peak_of(top, f'100 * max by (instance) (jvm_memory_used_bytes{{area="heap",job=~"{KAFKA_JVM_JOBS}",{C},instance=~"$broker"}} / jvm_memory_max_bytes{{area="heap",job=~"{KAFKA_JVM_JOBS}",{C},instance=~"$broker"}})'),
                                               "{{instance}}"),), unit="percent", span=6),
            # kubelet volumes carry no kafka_cluster label: the fullest top N, whatever the cluster
            Panel("Disk Usage", "gauge", (_p(top_at_end(top, volume_usage), "{{persistentvolumeclaim}}"),),
                  unit="percent", span=6),
            Panel("Network I/O", "timeseries", (
                _p(f"{sig.BYTES_IN}{{{C}}}", "Kafka in"),
                _p(f"{sig.BYTES_OUT}{{{C}}}", "Kafka out")), unit="Bps", span=6),
            # kube-state-metrics' pods carry no kafka_cluster label: every Kafka namespace, so the N
            # pods that restarted most over the range (ten clusters have thirty broker pods)
            Panel("Pod Restarts", "timeseries", (
                _p(f"sum by (namespace, pod) (increase({restarts}[{RATE}])) and topk({top}, sum by (namespace, pod) "
                   f"(increase({restarts}[$__range]{AT_END})))", "{{namespace}}/{{pod}}"),), span=24),
        )),
    ))

    auth = "kafka_server_socket_server_metrics_{}_authentication_total"
    security = Spec("kafka-security", "Kafka Security", FOLDER_SECURITY, (*SCOPE, "broker"), (
        ("Authentication", (
            Panel("Authentication Success Rate", "stat", (_p(
                f"sum(rate({auth.format('successful')}{{{C}}}[{RATE}])) / (sum(rate({auth.format('successful')}{{{C}}}[{RATE}])) + sum(rate({auth.format('failed')}{{{C}}}[{RATE}])))",
                "success"),), unit="percentunit"),
            Panel("Authentication Success and Failure", "timeseries", (
                _p(f"sum(rate({auth.format('successful')}{{{C}}}[{RATE}]))", "success/s"),
                _p(f"sum(rate({auth.format('failed')}{{{C}}}[{RATE}]))", "failure/s")), unit="cps"),
            Panel("Authentication by Listener (SASL vs TLS)", "timeseries", (
                _p(f"sum by (listener) (rate({auth.format('successful')}{{{C}}}[{RATE}]))", "{{listener}} ok"),
                _p(f"sum by (listener) (rate({auth.format('failed')}{{{C}}}[{RATE}]))", "{{listener}} failed")),
                  unit="cps"),
        )),
        ("Authorization and Encryption", (
            Panel("Authorization Denials", "timeseries", (_p(
                f'sum by (request, error) (rate(kafka_network_requestmetrics_errors_total{{{C},error=~".*_AUTHORIZATION_FAILED"}}[{RATE}]))',
                "{{request}} {{error}}"),), unit="cps"),
            Panel("TLS vs Plaintext Connections", "timeseries", (_p(
                f"sum by (listener) (kafka_server_socket_server_metrics_connection_count{{{C}}})", "{{listener}}"),)),
            Panel("Certificate Expiry", "table", (_p(
                f'(min by (instance) (probe_ssl_earliest_cert_expiry{{job="{JOB_TLS_PROBE}",{C}}}) - time()) / 86400',
                "{{instance}}"),), unit="d"),
        )),
        ("Rate Limiting and Audit", (
            Panel("Rate-Limit Hits", "timeseries", (
                _p(f"sum by (service, limit_type) (rate(rate_limit_hits_total{{{K}}}[{RATE}]))", "{{service}} {{limit_type}}"),
                _p(f'max by (request) (kafka_network_requestmetrics_throttletimems{{{C},quantile="0.99"}})',
                   "{{request}} throttle p99 ms")), unit="cps", query_units=((1, "ms"),)),
            Panel("Security Events Over Time", "logs-timeseries", (_p("*", "events"),), source="opensearch", span=16,
                  links=security_events),
        )),
    ))

    events = sig.EVENTS_BY_TYPE
    application = Spec("kafka-application", "Kafka Application", FOLDER_KAFKA, (*SCOPE, "topic",
                                                                                "consumergroup"), (
        ("Event Processing", (
            Panel("Processing Rate by Event Type", "timeseries", (_p(f"sum by (event_type) ({events}{{{K}}})", "{{event_type}}"),),
                  unit="ops", span=6),
            Panel("Performance by Domain", "timeseries", (
                _p(f'{sig.EVENT_P99}{{domain=~"combat|economy|social",{K}}}', "{{domain}} p99"),
                _p(f'{sig.EVENT_P50}{{domain=~"combat|economy|social",{K}}}', "{{domain}} p50")),
                  unit="s", data_links=traces, span=6),
            Panel("Success and Failure Rates", "timeseries", (
                _p(f"sum by (status) ({events}{{{K}}})", "{{status}}"),
                _p(f"{sig.EVENT_FAILURES}{{{K}}}", "failures")), unit="ops", links=app_errors, span=6),
            # the deepest backlogs now, with their history
            Panel("Queue Depth", "timeseries", (_p(top_at_end(top, group_lag), "{{consumergroup}}"),), span=6),
        )),
        ("Consumer Group Health", (
            # where lag is heading: the groups lagging most at the end of the range
            Panel("Consumer Lag Trends", "timeseries", (_p(top_at_end(top, lambda at: lag_series + at),
                                                            "{{consumergroup}} / {{topic}}"),), span=6),
            # the groups whose membership changed most over the whole range (a rebalance is an event:
            # one 40 minutes ago still counts)
            Panel("Rebalancing Events", "timeseries", (_p(
                f"sum by (consumergroup) (changes({members}[{RATE}])) and topk({top}, sum by (consumergroup) "
                f"(changes({members}[$__range]{AT_END})))", "{{consumergroup}}"),), span=6),
            Panel("Consumer Error Rates", "timeseries", (
                _p(f"{sig.EVENT_FAILURES}{{{K}}}", "processing failures/s"),
                _p(f'sum by (kafka_cluster) (rate(kafka_server_brokertopicmetrics_failedfetchrequests_total{{{C},topic=""}}[{RATE}]))',
                   "failed fetches/s")), unit="cps", links=app_errors, span=6),
            Panel("Messages Consumed per Second", "timeseries", (_p(f"{sig.EVENTS}{{{K}}}", "events/s"),),
                  unit="ops", span=6),
        )),
    ))

    def slo(sli: str) -> str:
        return sig.error_ratio(sli, "1h")
    incident = Spec("kafka-incident-response", "Kafka Incident Response", FOLDER_INCIDENT, SCOPE, (
        ("Active Alerts", (
            Panel("Firing Alerts by Severity", "stat", (_p(f'sum by (severity) (ALERTS{{alertstate="firing",{K}}})',
                                                           "{{severity}}"),)),
            # Grafana's alert list over the Prometheus rules (data source-managed): each firing alert
            # with its labels (severity, cluster), opening the rule with its runbook_url and
            # dashboard_url annotations.
            Panel("Active Alerts", "alertlist", span=16, height=10),
            Panel("Scrape Targets Down", "timeseries", (_p(f"count by (job) (up{{{K}}} == 0)", "{{job}}"),), span=24),
        )),
        ("Anomalies", (
            Panel("Error Spikes", "timeseries", (
                _p(f"{sig.EVENT_FAILURES}{{{K}}}", "processing failures/s"),
                _p(f'sum by (kafka_cluster) (rate(kafka_server_brokertopicmetrics_failedproducerequests_total{{{C},topic=""}}[{RATE}]))',
                   "failed produces/s"),
                _p(f"sum by (name) (rate(fluentbit_output_dropped_records_total{{{K}}}[{RATE}]))", "{{name}} log records dropped/s"),
                _p(f"sum by (name) (rate(fluentbit_output_retries_failed_total{{{K}}}[{RATE}]))", "{{name}} log retries failed/s")),
                  unit="cps"),
            Panel("Latency Anomalies", "timeseries", (
                _p(f"{sig.EVENT_P99}{{{K}}}", "{{domain}} p99"),
                _p(f"{sig.EVENT_P99}{{{K}}} offset 1d", "{{domain}} p99 a day ago")),
                  unit="s", data_links=traces),
            Panel("Throughput Anomalies", "timeseries", (
                _p(f"{sig.EVENTS}{{{K}}}", "events/s"),
                _p(f"{sig.EVENTS}{{{K}}} offset 1d", "events/s a day ago")), unit="ops"),
            Panel("Error Budget Burn (1h)", "timeseries", (
                _p(slo(sig.SLI_AVAILABILITY) + f"{{{C}}}", "availability {{kafka_cluster}}"),
                _p(slo(sig.SLI_EVENT_ERRORS) + f"{{{K}}}", "event errors"),
                _p(slo(sig.SLI_COMBAT_LATENCY) + f"{{{K}}}", "combat latency")), unit="percentunit", span=24),
        )),
        ("Investigation", (
            Panel("Security Event Timeline", "logs-timeseries", (_p("*", "security events"),), source="opensearch",
                  span=16, links=security_events),
            Panel("Traces and Logs", "text", content=(
                f"* [Traces in Jaeger]({s.jaeger_query_url}/search)\n"
                f"* [Application logs](/explore?left=%7B%22datasource%22:%22{DATASOURCES['elasticsearch']['uid']}%22%7D)\n"
                f"* [Security events](/explore?left=%7B%22datasource%22:%22{DATASOURCES['opensearch']['uid']}%22%7D)\n"
                f"* [Runbooks]({s.runbook_base_url})")),
        )),
    ), links=(("Jaeger", s.jaeger_query_url),))
    # Every dashboard links back to the runbooks.
    return [replace(spec, links=(*spec.links, ("Runbooks", s.runbook_base_url)))
            for spec in (overview, security, application, incident)]


# The dashboards' metrics datasource is a variable: the local Prometheus, and the global store when
# `globalMetrics` is set. A custom variable of datasource UIDs rather than a datasource variable: a
# datasource variable lists one plugin type (its query, matched by matchPluginId), and AMP's datasource is
# the plugin grafana-amazonprometheus-datasource, not `prometheus`. Grafana resolves a panel's `${...}`
# datasource UID through the template service whatever the variable's type, then by UID or name
# (grafana/grafana public/app/features/plugins/datasource_srv.ts, DatasourceSrv.getInstanceSettings).
DATASOURCE_VARIABLE = "datasource"
METRICS = DataSourceRef(type_val=DATASOURCES["prometheus"]["type"], uid=f"${{{DATASOURCE_VARIABLE}}}")


def metrics_datasources(s: "AlertingArgs | GrafanaArgs") -> tuple[str, ...]:
    """The UIDs the datasource variable offers, the local Prometheus first (the default: it is there
    whether or not the store is)."""
    return (DATASOURCES["prometheus"]["uid"], *((GLOBAL_DATASOURCE["uid"],) if s.global_metrics != "none" else ()))


def _variable(name: str, s: "AlertingArgs | GrafanaArgs", prom: DataSourceRef):
    def query(label: str, expr: str, var: str):
        return (QueryVariable(var).label(label).datasource(prom).query(f"label_values({expr})")
                .multi(True).include_all(True).refresh(2))  # 2: on time-range change
    local = DATASOURCES["prometheus"]["uid"]
    return {
        "datasource": lambda: CustomVariable(DATASOURCE_VARIABLE).label("Metrics").values(
            ",".join(metrics_datasources(s))).current(VariableOption(selected=True, text=local, value=local)),
        "environment": lambda: CustomVariable("environment").label("Environment").values(s.environment),
        # Every Kubernetes cluster by default, as `.*`: on the local datasource no series carries the
        # label and the list is empty, and `.*` still matches them; on the store, each cluster's series.
        "k8s_cluster": lambda: query("Kubernetes cluster", "up, cluster", "k8s_cluster").all_value(".*").current(
            VariableOption(selected=True, text=["All"], value=["$__all"])),
        # One cluster by default (the first of the stack's): panels stay within dashboardTopN series
        # however many clusters there are; All is one click away.
        "cluster": lambda: query("Cluster", f'up{{job="{JOB_BROKER}",{K}}}, kafka_cluster', "cluster").current(
            VariableOption(selected=True, text=[s.clusters[0].name], value=[s.clusters[0].name])),
        "broker": lambda: query("Broker", f'up{{job="{JOB_BROKER}",{C}}}, instance', "broker"),
        "topic": lambda: query("Topic", f"{sig.TOPIC_MESSAGES_IN}{{{C}}}, topic", "topic"),
        "consumergroup": lambda: query(
            "Consumer group", f"{sig.GROUP_LAG}{{{C}}}, consumergroup",
            "consumergroup"),
    }[name]()


def _ref(source: str) -> DataSourceRef:
    if source == "prometheus":
        return METRICS
    ds = DATASOURCES[source]
    return DataSourceRef(type_val=ds["type"], uid=ds["uid"])


def _links(builder, p: Panel):
    if p.links:
        builder = builder.links([DashboardLink(t).url(u).target_blank(True) for t, u in p.links])
    if p.data_links:
        builder = builder.data_links([DashboardLink(t).url(u).target_blank(True) for t, u in p.data_links])
    return builder


ALERT_LIST_OPTIONS = {  # Grafana's alertlist panel (unified alerting), data source-managed rules of one source
    "viewMode": "list", "groupMode": "default", "groupBy": [], "maxItems": 50, "sortOrder": 1,
    "dashboardAlerts": False, "alertName": "", "alertInstanceLabelFilter": '{kafka_cluster=~"${cluster:regex}"}',
    # scenes interpolates a variable without a format as glob ({a,b}), which no label matches: regex
    # gives (a|b). No `folder` key: rules of every folder (Grafana's UnifiedAlertListOptions,
    # public/app/plugins/panel/alertlist/types.ts, types folder as an object, never null).
    "datasource": DATASOURCES["prometheus"]["name"], "showInstances": True,
    "stateFilter": {"firing": True, "pending": True, "noData": False, "normal": False, "error": True},
}


def _panel(p: Panel, uid: str):
    pid = stable_id(uid, p.title)
    if p.kind == "alertlist":
        return (GenericPanel().type("alertlist").id(pid).title(p.title).options(ALERT_LIST_OPTIONS)
                .span(p.span).height(p.height))
    if p.kind == "text":
        return text.Panel().id(pid).title(p.title).mode("markdown").content(p.content).span(p.span).height(p.height)
    if p.kind == "logs-timeseries":  # document counts per interval from the security-event index
        target = (elasticsearch.Dataquery().ref_id("A").query(p.queries[0][0]).alias(p.queries[0][1])
                  .metrics([elasticsearch.Count().id("1")])
                  .bucket_aggs([elasticsearch.DateHistogram().id("2").field("@timestamp")]))
        return _links(timeseries.Panel().id(pid).title(p.title).datasource(_ref(p.source)).with_target(target)
                      .span(p.span).height(p.height), p)
    builder = (BUILDERS[p.kind]().id(pid).title(p.title).datasource(_ref(p.source)).unit(p.unit).span(p.span)
               .height(p.height))
    for i, (expr, legend) in enumerate(p.queries):
        builder = builder.with_target(prometheus.Dataquery().expr(expr).legend_format(legend).ref_id(chr(65 + i)))
    for i, unit in p.query_units:
        axis = [DynamicConfigValue(id_val="custom.axisPlacement", value="right")] if p.kind == "timeseries" else []
        builder = builder.override_by_query(chr(65 + i), [DynamicConfigValue(id_val="unit", value=unit), *axis])
    return _links(builder, p)


INTERVAL_ONLY = ("auto", "auto_count", "auto_min")


def build(spec: Spec, s: "AlertingArgs | GrafanaArgs") -> dict:
    prom = _ref("prometheus")
    board = (Dashboard(spec.title).uid(spec.uid).tags(list(spec.tags)).refresh(spec.refresh).time("now-1h", "now")
             .editable())
    for name in spec.variables:
        board = board.with_variable(_variable(name, s, prom))
    for row, panels in spec.rows:
        board = board.with_row(Row(row).id(stable_id(spec.uid, f"row/{row}")))
        for p in panels:
            board = board.with_panel(_panel(p, spec.uid))
    for title, url in spec.links:
        board = board.link(DashboardLink(title).type("link").url(url).target_blank(True))
    out = json.loads(JSONEncoder(sort_keys=True).encode(board.build()))
    # grafana-foundation-sdk writes an interval variable's auto fields on every variable; Grafana's
    # schema (@grafana/schema VariableModel) gives them to interval variables only.
    for variable in out["templating"]["list"]:
        if variable["type"] != "interval":
            for key in INTERVAL_ONLY:
                variable.pop(key, None)
    return out


def dashboards(s: "AlertingArgs | GrafanaArgs") -> dict[str, tuple[Spec, dict]]:
    return {spec.uid: (spec, build(spec, s)) for spec in specs(s)}
