"""The remote-write section: one entry, in Prometheus's names and in the operator's, and what it keeps.

Sources (vendored, tests/upstream/README.md): Prometheus v2.54.1 config/config.go (RemoteWriteConfig,
QueueConfig, DefaultQueueConfig), model/relabel/relabel.go, prometheus/common sigv4 v0.1.0
sigv4_config.go; prometheus-operator v0.77.1 pkg/apis/monitoring/v1/prometheus_types.go
(RemoteWriteSpec, QueueConfig, RelabelConfig, Sigv4, replicaExternalLabelName) and
pkg/prometheus/promcfg.go (generateRemoteWriteConfig, addSigv4ToYaml); kube-prometheus-stack 65.1.1
templates/_helpers.tpl and templates/prometheus/rules-1.14/prometheus.yaml.
"""
from __future__ import annotations

import re

import pytest
import yaml

from config.sections import AlertingArgs
from content import dashboards, prometheus_stack, remote_write as rw
from content.promql import metric_names
from content.scrape import prometheus_config
from harness import tools
from tests.conftest import make_settings
from tests.content.grafana_model import concrete
from tests.content.relabel_model import relabel
from tests.upstream import HERE, chart, chart_problems, go_config_problems, go_structs
from tests.upstream import prometheus_operator as operator

P = "prometheus-v2.54.1/"
NATIVE = {**go_structs(P + "config_config.go", P + "common-v0.55.0_config_http_config.go",
                       P + "common-sigv4-v0.1.0_sigv4_sigv4_config.go", tag="yaml"),
          **{f"relabel.{k}": v for k, v in go_structs(P + "model_relabel_relabel.go", tag="yaml").items()}}
KPS = "kube-prometheus-stack-65.1.1"
GRAFANA_ROLE = "arn:aws:iam::123456789012:role/grafana"
AMP_URL = "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write"


def amp(**overrides) -> AlertingArgs:
    return AlertingArgs.of(make_settings("prod", globalMetrics="amp", globalMetricsGrafanaRoleArn=GRAFANA_ROLE,
                                         **overrides))


def mimir(**overrides) -> AlertingArgs:
    return AlertingArgs.of(make_settings("prod", globalMetrics="mimir", globalMetricsUrl="https://mimir.example:8080/",
                                         globalMetricsTenant="kafka-prod", **overrides))


def entries():
    a, m = amp(), mimir()
    return [rw.native(a, rw.store_of(a, AMP_URL)), rw.native(m, rw.store_of(m))]


@pytest.mark.parametrize("entry", entries(), ids=["amp", "mimir"])
def test_the_chart_entry_is_what_the_operator_turns_into_the_native_entry(entry):
    """The chart passes remoteWrite[] to the Prometheus resource; operator v0.77.1 writes it into
    prometheus.yml (generateRemoteWriteConfig). What it writes must be our native entry, plus the
    remote_timeout it always writes, which is also Prometheus's own default (DefaultRemoteWriteConfig)."""
    assert 'RemoteTimeout:    model.Duration(30 * time.Second)' in (HERE / P / "config_config.go").read_text()
    assert operator.generate(rw.chart(entry)) == {"remote_timeout": "30s", **entry}


def test_the_operator_model_refuses_a_name_its_types_do_not_have():
    """Near miss: the native name in the chart (roleArn is the CRD's; role_arn is helm-charts#2508's mistake)."""
    with pytest.raises(KeyError):
        operator.generate({"url": AMP_URL, "queue_config": {"capacity": 1}})
    with pytest.raises(KeyError):
        operator.generate({"url": AMP_URL, "queueConfig": {"retry_on_http_429": True}})
    assert operator.generate({"url": AMP_URL, "queueConfig": {"retryOnRateLimit": True}})["queue_config"] == {
        "retry_on_http_429": True}


@pytest.mark.parametrize("entry", entries(), ids=["amp", "mimir"])
def test_the_native_entry_decodes_into_prometheus_v2_54_1s_remote_write_config(entry):
    assert go_config_problems(entry, "RemoteWriteConfig", NATIVE) == []
    assert go_config_problems({**entry, "queue_config": {"retry_on_rate_limit": True}}, "RemoteWriteConfig",
                              NATIVE) == ["queue_config.retry_on_rate_limit: invalid key"]
    assert go_config_problems({**entry, "sigv4": {"roleArn": "x"}}, "RemoteWriteConfig", NATIVE) == [
        "sigv4.roleArn: invalid key"]


def test_429s_are_retried_which_prometheus_does_not_do_by_default():
    """config.go: `RetryOnRateLimit bool yaml:"retry_on_http_429,omitempty"`, absent from
    DefaultQueueConfig (so false): a 429 from AMP's quota would drop the batch."""
    source = (HERE / P / "config_config.go").read_text()
    default = source[source.index("DefaultQueueConfig = QueueConfig{"):]
    assert "RetryOnRateLimit" not in default[:default.index("\n\t}\n")]
    for entry in entries():
        assert entry["queue_config"]["retry_on_http_429"] is True


def test_auth_is_sigv4_for_amp_and_the_tenant_header_for_mimir():
    amp_entry, mimir_entry = entries()
    assert amp_entry["sigv4"] == {"region": "eu-west-1"} and "headers" not in amp_entry
    # No roleArn: Prometheus signs with the pod's IRSA role itself (a role cannot assume itself).
    assert mimir_entry["headers"] == {"X-Scope-OrgID": "kafka-prod"} and "sigv4" not in mimir_entry
    assert mimir_entry["url"] == "https://mimir.example:8080/api/v1/push"


@pytest.mark.parametrize("sps, min_shards, max_shards", [
    (1, 1, 5), (2000, 1, 5), (2001, 2, 6), (20_000, 10, 30), (1_000_000, 500, 1500)])
def test_the_queue_carries_the_planned_rate_from_the_start_and_three_times_it_at_most(sps, min_shards, max_shards):
    """A shard sends one request of max_samples_per_send at a time (queue_manager.go runShard); at one
    request per second per shard the live rate needs min_shards, a backlog drains with the rest."""
    q = rw.queue(sps)
    assert (q["min_shards"], q["max_shards"]) == (min_shards, max_shards)
    per_shard = q["max_samples_per_send"]  # samples per second at one request per second
    assert q["min_shards"] * per_shard >= sps > (q["min_shards"] - 1) * per_shard
    assert q["max_shards"] * per_shard >= 3 * sps
    # Prometheus's remote-write tuning guide: capacity 3 to 10 times max_samples_per_send.
    assert 3 * per_shard <= q["capacity"] <= 10 * per_shard


def test_a_queue_sized_for_no_samples_still_has_a_shard():
    """Prometheus v2.54.1 storage/remote/queue_manager.go starts cfg.MinShards shards (`numShards:
    cfg.MinShards`, `shards.start(t.numShards)` makes that many queues) and puts a sample on
    `s.queues[uint64(ref) % uint64(len(s.queues))]`: with min_shards 0 the first sample divides by zero
    and the Go runtime panics. config.go does not refuse 0 (it only defaults an absent min_shards to 1).
    A rate of 0 (globalMetricsSamplesPerSecond 0 and no planned rate, or a cluster that writes nothing)
    must still give one shard."""
    assert rw.queue(0)["min_shards"] == 1
    s = amp(globalMetricsSamplesPerSecond=0)
    assert rw.native(s, rw.store_of(s, AMP_URL))["queue_config"]["min_shards"] == 1


def test_the_queue_is_sized_from_the_rate_it_is_given_else_from_the_setting():
    """The stack passes each Prometheus its rate from the capacity plan (content.capacity.queue_rates)."""
    s = amp(globalMetricsSamplesPerSecond=50_000)
    assert rw.native(s, rw.store_of(s, AMP_URL))["queue_config"]["min_shards"] == 25
    assert rw.native(s, rw.store_of(s, AMP_URL), samples_per_second=4000)["queue_config"]["min_shards"] == 2


def _kept(s, name: str, **labels: str) -> bool:
    (rule,) = rw.native(s, rw.store_of(s, AMP_URL))["write_relabel_configs"]
    return relabel({"__name__": name, **labels}, [rule]) is not None


def test_the_store_keeps_what_every_dashboard_panel_and_recording_rule_reads():
    s = amp()
    read = {name for spec in dashboards.specs(s) for _, panels in spec.rows for p in panels
            if p.source == "prometheus" for expr, _ in p.queries for name in metric_names(concrete(expr))}
    read.discard(None)
    assert len(read) > 20
    assert {n for n in read if not _kept(s, n)} == set()
    for name in ("up", "ALERTS", "kafka_cluster:kafka_messages_in:rate5m", "slo:kafka_event_processing:error_ratio_1h"):
        assert _kept(s, name, kafka_cluster="a"), name


@pytest.mark.parametrize("name", [
    "kubelet_running_pods", "apiserver_request_total", "container_memory_working_set_bytes",
    "ALERTS_FOR_STATE", "upx", "up_total", "prometheus_remote_storage_samples_failed_total",
    "kafka_server_brokertopicmetrics_messagesin_total_created"])
def test_the_store_does_not_keep_other_series(name):
    """Near misses: the regex is anchored (relabel.go NewRegexp), so a prefix or suffix of a kept
    name is not kept; the chart's own kubelet and apiserver series stay local."""
    assert not _kept(amp(), name)


def test_the_keep_list_is_plain_metric_names_joined():
    names = rw.kept_metrics(amp())
    assert all(re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", n) for n in names)
    assert rw.keep_relabeling(amp())["regex"] == "|".join(names)


def test_the_replica_label_is_the_one_the_stores_deduplicate_on():
    """replicaExternalLabelName: the operator's field (default prometheus_replica, promcfg.go) and a
    value the chart passes on; both AMP and Mimir elect per `cluster` among `__replica__` values."""
    types = (HERE / operator.TYPES).read_text()
    assert 'ReplicaExternalLabelName *string `json:"replicaExternalLabelName,omitempty"`' in types
    promcfg = operator.PROMCFG.read_text()
    assert 'defaultReplicaExternalLabelName    = "prometheus_replica"' in promcfg
    s = amp()
    values = rw.values(s, rw.store_of(s, AMP_URL), "arn:aws:iam::123456789012:role/writer")
    assert values["prometheus"]["prometheusSpec"]["replicaExternalLabelName"] == "__replica__"
    assert values["prometheus"]["serviceAccount"] == {
        "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/writer"}}


def test_the_charts_values_are_ones_the_chart_reads():
    s = amp()
    ours = prometheus_stack.values(s, "kafka-monitoring-alerting-prometheus", "c", "r",
                                   rw.values(s, rw.store_of(s, AMP_URL), "arn:aws:iam::1:role/w"))
    defaults, read = chart("kube-prometheus-stack", "65.1.1")
    assert chart_problems(ours, defaults, read) == []
    # The other values stay: the store adds to the local Prometheus, it does not replace it.
    assert ours["prometheus"]["prometheusSpec"]["retention"] == f"{s.prometheus_retention_days}d"


def test_the_charts_remote_write_alerts_page_as_high():
    """customRules.<alert>.severity is read by the chart's rule (`dig "<alert>" "severity" "critical"`)."""
    template = (HERE / KPS / "templates_prometheus_rules-1.14_prometheus.yaml").read_text()
    s = amp()
    custom = rw.values(s, rw.store_of(s, AMP_URL))["customRules"]
    assert custom == {"PrometheusRemoteStorageFailures": {"severity": "high"},
                      "PrometheusRemoteWriteBehind": {"severity": "high"}}
    for name in custom:
        assert f'severity: {{{{ dig "{name}" "severity" "critical" .Values.customRules }}}}' in template


@pytest.mark.parametrize("release, account", [
    ("kafka-monitoring-alerting-prometheus", "kafka-monitoring-alerting-prometheus"),  # 26th character '-'
    ("abcdefghijklmnopqrstuvwxyz0123-prometheus", "abcdefghijklmnopqrstuvwxyz-prometheus"),
    ("abcdefghijklmnopqrstuvwx--z-prometheus", "abcdefghijklmnopqrstuvwx--prometheus"),  # one '-' trimmed
    ("short", "short-prometheus")])
def test_the_writer_role_trusts_the_service_account_the_chart_creates(release, account):
    """_helpers.tpl: fullname is fullnameOverride `| trunc 26 | trimSuffix "-"` (one '-'), and the
    Prometheus service account `<fullname>-prometheus` unless prometheus.serviceAccount.name is set."""
    helpers = (HERE / KPS / "templates__helpers.tpl").read_text()
    assert '{{- .Values.fullnameOverride | trunc 26 | trimSuffix "-" -}}' in helpers
    assert ('{{ default (print (include "kube-prometheus-stack.fullname" .) "-prometheus") '
            '.Values.prometheus.serviceAccount.name }}') in helpers
    assert prometheus_stack.service_account(release) == account


@pytest.mark.skipif(not tools.have("promtool"), reason="promtool is not installed")
@pytest.mark.parametrize("entry", entries(), ids=["amp", "mimir"])
def test_promtool_accepts_prometheus_yml_with_the_remote_write(tmp_path, entry):
    s = amp()
    config = prometheus_config(s, [], ["alertmanager:9093"], [entry])
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    ok, out = tools.check_prometheus_config(path)
    assert ok, out
    bad = {**entry, "queue_config": {**entry["queue_config"], "max_shards": "many"}}
    path.write_text(yaml.safe_dump(prometheus_config(s, [], ["alertmanager:9093"], [bad])))
    assert not tools.check_prometheus_config(path)[0]


def test_no_store_renders_no_remote_write():
    s = AlertingArgs.of(make_settings("prod"))
    assert rw.store_of(s) is None
    assert "remote_write" not in prometheus_config(s, [], ["alertmanager:9093"])
