"""The capacity plan against the sources of its formulas, each cited, with the expected numbers
written out here (not read from content/capacity.py).

Sources:
- apache/kafka branch 3.9 (c821449fb7c): core/.../network/RequestChannel.scala (`Metrics`: every API of
  the listener plus FetchConsumer, FetchFollower, AddPartitionsToTxnVerification; RequestMetrics: 8 histograms,
  Produce and Fetch 10), clients/src/main/resources/common/message/*Request.json `listeners` (72 broker
  APIs, 42 controller APIs), core/.../cluster/Partition.scala (6 gauges), clients/.../Selector.java.
- prometheus/jmx_exporter 1.0.1 JmxCollector.java, as content/jmx_exporter.py models it: a Yammer
  histogram exposes 50/75/95/98/99/999thPercentile; our request rule keeps 50, 99 and 999.
- prometheus/prometheus v2.54.1 docs/storage.md ("needed_disk_space = retention_time_seconds *
  ingested_samples_per_second * bytes_per_sample"; blocks "up to 10% of the retention time, or 31 days,
  whichever is smaller"; "Blocks must be fully expired before they are removed"; WAL "128MB segments",
  "a minimum of 3", "at least two hours"; retention size "at most, 80-85%") and cmd/prometheus/main.go
  (retention.size units "B, KB, MB, GB, TB, PB, EB ... Based on powers-of-2").
- prometheus-operator v0.77.1 pkg/apis/monitoring/v1/types.go ByteSize pattern.
- OpenSearch ShardLimitValidator.checkShardLimit: refused when open shards + new > max_shards_per_node
  (default 1000) x data nodes (read in the code index; the OpenSearch repository is too large to fetch
  at a tag here).
- Amazon S3 pricing (content/prices/aws_s3.yaml's `source`): 40 KB per object in Deep Archive, 8 KB
  of it at Standard rates; lifecycle skips objects under 128 KB; out_s3 v3.1.9 upload_timeout.
"""
from __future__ import annotations

import dataclasses
import math
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from config.sections import AlertingArgs, CapacityArgs, CollectionArgs
from content import capacity, fluent_bit, jmx, prometheus_stack
from content.data_classes import SECURITY
from tests.conftest import make_settings
from tests.content.fluent_bit_model import size_to_bytes, time_to_seconds

PROD = CapacityArgs.of(make_settings("prod"))
BROKER_NAMES = 72 + 3  # broker APIs + FetchConsumer, FetchFollower, AddPartitionsToTxnVerification
UPSTREAM = Path(__file__).resolve().parents[1] / "upstream"


def _with(args, **changes):
    return dataclasses.replace(args, **changes)


def test_series_per_unit_are_what_kafkas_mbeans_make_through_our_rules():
    """Eager request metrics: Kafka registers 75 request names x 8 histograms (Produce and Fetch 10) on a
    broker, 45 (Fetch among them, not Produce) on a controller; our rules keep 4 of the histograms
    (TotalTimeMs, RequestQueueTimeMs, LocalTimeMs, ThrottleTimeMs) at 3 quantiles (0.50, 0.99, 0.999).
    Per replica: Partition's 6 gauges + UnifiedLog's 4. Per network thread: Selector's 38 attributes."""
    k = capacity.coefficients(jmx.exporter_config())
    assert k["broker_requests"] == BROKER_NAMES * 4 * 3 == 900
    assert k["controller_requests"] == 45 * 4 * 3 == 540
    assert (k["per_replica"], k["per_network_thread"], k["per_topic"]) == (10, 38, 7)
    assert k["per_used_api"] == 2 and k["per_follower"] == 1


def test_a_rule_edit_that_changes_cardinality_changes_the_plan():
    """Keeping only the p99 of the request histograms: each kept histogram makes 1 series, not 3, so a
    broker loses 75 x 4 x 2 = 600 series and the plan follows (the coefficients are derived from the
    rules, not typed). Dropping the socket-server rules loses the 9 x 38 per-thread series."""
    rules = jmx.exporter_config()
    edited = {**rules, "rules": [{**r, "pattern": r["pattern"].replace("(50|99|999)thPercentile", "(99)thPercentile")}
                                 for r in rules["rules"]]}
    assert edited != rules
    before, after = capacity.kafka_series(PROD, rules), capacity.kafka_series(PROD, edited)
    assert round(before["per_broker"] - after["per_broker"], 6) == BROKER_NAMES * 4 * 2 == 600
    assert capacity.kafka_series(PROD)["per_broker"] == before["per_broker"]  # the rendered rules are the default
    dropped = {**rules, "rules": [r for r in rules["rules"] if "networkProcessor" not in str(r.get("labels"))]}
    assert round(before["per_broker"] - capacity.kafka_series(PROD, dropped)["per_broker"], 6) == 9 * 38


def test_our_rules_make_fewer_series_than_strimzis_example_at_the_same_kafka_version():
    """Strimzi 0.45.0 packaging/examples/metrics/kafka-metrics.yaml (Kafka 3.9; vendored in
    tests/upstream/strimzi-0.45.0) exports every request histogram at 6 quantiles plus `_count`:
    75 x 8 x 7 + 2 x 2 x 7 = 4228 eager series a broker against our 900; everything else the same."""
    strimzi = yaml.safe_load((UPSTREAM / "strimzi-0.45.0" / "kafka-metrics-config.yml").read_text())
    theirs, ours = capacity.kafka_series(PROD, strimzi), capacity.kafka_series(PROD)
    assert theirs["coefficients"]["broker_requests"] == 75 * 8 * 7 + 2 * 2 * 7 == 4228
    assert {k: v for k, v in theirs["coefficients"].items() if not k.endswith("_requests")} == {
        k: v for k, v in ours["coefficients"].items() if not k.endswith("_requests")}
    assert round(theirs["per_broker"] - ours["per_broker"], 6) == 4228 - 900
    assert (round(theirs["per_broker"]), round(ours["per_broker"])) == (10683, 7355)


def test_prod_series_from_its_declared_sizing():
    """3 brokers, 480 partitions + 50 of __consumer_offsets at RF 3 -> 530 replicas a broker, 353.3 of
    them followed; 40 topics; 3 listeners x 3 threads; 15 used APIs x 2; JVM 150 (estimate)."""
    replicas, followers = 530 * 3 / 3, 530 * 2 / 3
    broker = 900 + 15 * 2 + 40 * 7 + replicas * 10 + followers * 1 + 9 * 38 + 150
    p = capacity.prometheus(PROD)
    assert p["series_per_broker"] == round(broker) == 7355
    exporter = 41 + 7 * 530 + 25 + 2 * 50 + 2 * 50 * 12 + 3 + 1 + 40
    controller = 540 + 30 + 150
    assert p["series_per_cluster"] == round(3 * broker + 3 * controller + exporter)
    assert p["series"] == p["series_per_cluster"] + 100_000
    assert p["samples_per_second"] == round(p["series"] / 15, 1)


@pytest.mark.parametrize("retention_days,waiting_days", [(30, 3.0), (310, 31.0), (400, 31.0), (7, 0.7)])
def test_prometheus_disk_is_the_storage_docs_formula_plus_a_block_waiting_and_the_wal(retention_days, waiting_days):
    """retention x samples/s x bytes/sample, one block of min(10 % of retention, 31 d) more, and a WAL of
    at least 3 x 128 MB or 3 h of samples at 16 bytes."""
    sps, bps = 10_000, 2.0
    expected = (retention_days * 86400 * sps * bps + waiting_days * 86400 * sps * bps
                + max(3 * 128 * 2**20, 3 * 3600 * sps * 16))
    assert capacity.prometheus_disk_bytes(sps, retention_days * 86400, bps) == pytest.approx(expected)
    small = capacity.prometheus_disk_bytes(1, 86400, 1)  # a tiny server: the 3 WAL segments dominate
    assert small == pytest.approx(86400 + 8640 + 3 * 128 * 2**20)


# prometheus-operator v0.77.1 ByteSize; Prometheus v2.54.1 retention.size units (powers of 2).
OPERATOR_BYTESIZE = re.compile(r"(^0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$")
UNITS = {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}


@pytest.mark.parametrize("pvc,expected", [("500Gi", "425GB"), ("20Gi", "17GB"), ("1Ti", "870GB"),
                                          ("2Gi", "1740MB"), ("100Mi", "85MB")])
def test_retention_size_is_85_percent_of_the_volume_in_units_both_readers_take(pvc, expected):
    size = capacity.retention_size(_with(PROD, prometheus_storage_size=pvc))
    assert size == expected and OPERATOR_BYTESIZE.search(size)
    number, unit = re.fullmatch(r"(\d+)([KMGT]?B)", size).groups()
    volume = capacity.gib(pvc) * 2**30
    assert 0.84 * volume < int(number) * UNITS[unit] <= 0.85 * volume  # never 0, which disables the limit


def test_the_chart_gets_the_retention_size():
    spec = prometheus_stack.values(AlertingArgs.of(make_settings("prod")), "r", "a", "b")["prometheus"]["prometheusSpec"]
    assert (spec["retention"], spec["retentionSize"]) == ("90d", "425GB")


def test_a_prometheus_volume_under_1_2_times_the_need_is_refused_and_at_it_is_not():
    need = capacity.prometheus(PROD)["disk_need_gib"]
    at = math.ceil(need * 1.2)
    assert not capacity.plan(_with(PROD, prometheus_storage_size=f"{at}Gi"))["refusals"]
    (refusal,) = capacity.plan(_with(PROD, prometheus_storage_size=f"{at - 2}Gi"))["refusals"]
    assert refusal["key"] == "prometheusStorageSize" and f"at least {at}Gi" in refusal["why"]
    assert not capacity.plan(_with(PROD, prometheus_storage_size=f"{at - 2}Gi", enable_alerting=False))["refusals"]


def test_seven_years_of_daily_security_indices_break_the_shard_limit_and_rollover_keeps_them_within_it():
    """The layout before: 2557 days + today, 2 primaries, 1 replica: 10,232 open shards, over 1000 x 3.
    Rolled over at 30 GB a primary (2 GB a day, 2 primaries: every 30 days) or 30 days: 86 + 1 indices,
    348 shards. Application logs (90 daily indices + today, 3 primaries) and traces on Elasticsearch."""
    daily = dataclasses.replace(SECURITY, rollover=False)
    assert capacity.data_class(PROD, daily)["open_shards"] == 2558 * 2 * 2 == 10232 > 1000 * 3
    rolled = capacity.data_class(PROD, SECURITY)
    assert (rolled["open_indices"], rolled["open_shards"], rolled["primary_shard_gb"]) == (87, 348, 30.0)
    assert rolled["index_period_days"] == 30
    quiet = capacity.data_class(_with(PROD, capacity_security_event_gb_per_day=0.5), SECURITY)
    assert quiet["index_period_days"] == 30 and quiet["primary_shard_gb"] == 7.5  # closed by age
    busy = capacity.data_class(_with(PROD, capacity_security_event_gb_per_day=12.0), SECURITY)
    assert busy["index_period_days"] == 5 and busy["open_indices"] == math.ceil(2557 / 5) + 1


def test_open_shards_over_the_limit_are_refused_naming_the_data_nodes_and_at_the_limit_are_not():
    """ShardLimitValidator refuses only when open + new > limit."""
    shards = capacity.search(PROD)["engines"]["opensearch"]["open_shards"]
    assert shards == 348
    at_limit = _with(PROD, capacity_max_shards_per_node=116)  # 116 x 3 = 348
    assert not [r for r in capacity.plan(at_limit)["refusals"] if r["key"].startswith("capacityOpensearch")]
    over = capacity.plan(_with(PROD, capacity_max_shards_per_node=115))  # Elasticsearch's 674 are over too
    assert [r["key"] for r in over["refusals"]] == ["capacityElasticsearchDataNodes", "capacityOpensearchDataNodes"]


def test_search_disk_is_source_times_copies_times_1_45_and_over_85_percent_is_refused():
    """2 GB a day x 2557 days x (1 + 1 replica) x 1.45 = 14,830.6 GB on OpenSearch."""
    e = capacity.search(PROD)["engines"]["opensearch"]
    assert e["disk_need_gb"] == pytest.approx(2 * 2557 * 2 * 1.45, abs=0.1)
    fits = math.ceil(e["disk_need_gb"] / 0.85 / 3)      # per node, 3 nodes
    assert not capacity.plan(_with(PROD, capacity_opensearch_disk_gb=fits))["refusals"]
    (r,) = capacity.plan(_with(PROD, capacity_opensearch_disk_gb=fits - 10))["refusals"]
    assert r["key"] == "capacityOpensearchDiskGb"


def test_archive_objects_sizes_and_seven_year_cost():
    """10 pods x one upload every 10 min = 1440 objects a day; 2 GB x 0.15 / 1440 = 208 KB each, so
    they move to Deep Archive (>= 128 KB) after 90 days and each then bills 8 KB at Standard and 32 KB
    at Deep Archive rates. Year 1, one copy: computed here from the table's prices."""
    s = _with(PROD, archive_replication=False, archive_transition_days=90)
    a = capacity.archive(s)
    assert a["objects_per_day"] == 1440 and a["transitions"] and a["copies"] == 1
    assert a["object_kb"] == pytest.approx(2e9 * 0.15 / 1440 / 1024, abs=0.1)
    gb_day, objects_day = 2e9 * 0.15 / 2**30, 1440
    moved = objects_day * (365 - 90)
    standard = gb_day * 90 + moved * 8 / 2**20
    deep = gb_day * 275 + moved * 32 / 2**20
    monthly = standard * 0.023 + deep * 0.00099 + objects_day * 30 * (0.005 + 0.05) / 1000
    assert a["years"][0]["monthly_usd"] == pytest.approx(monthly, abs=0.01)
    assert a["years"][6]["objects"] == 1440 * 365 * 7 and len(a["years"]) == 7
    assert [y["monthly_usd"] for y in a["years"]] == sorted(y["monthly_usd"] for y in a["years"])  # nothing expires


@pytest.mark.parametrize("gb_per_day,objects_per_day", [
    (2, 1_440),        # prod's stack file: 200 MB a node a day; the 10-minute timer decides
    (72, 1_440),       # 7.2 GB a node: 144 files of 50 MB, the timer and the size meet (N)
    (73, 1_460),       # 7.3 GB a node: the size decides, 146 files a node
    (90, 1_800),       # 9 GB a node: 180 files (50 MiB, 2**20-based, would count 1,717)
])
def test_the_plan_counts_the_objects_the_deployed_archive_output_makes(gb_per_day, objects_per_day):
    """fluent/fluent-bit v3.1.9 plugins/out_s3/s3.c: a file of a Fluent Bit pod is uploaded when it
    reaches total_file_size (FLB_CONFIG_MAP_SIZE, read by src/flb_utils.c flb_utils_size_to_bytes:
    M is 1000 x 1000) or upload_timeout after it was started (FLB_CONFIG_MAP_TIME,
    flb_utils_time_to_seconds), each the config_map's default where it is not set. The rendered prod
    output read that way: 600 s and 50,000,000 bytes; prod's 10 nodes (Pulumi.prod.yaml
    capacityFluentBitNodes) then make 10 x 86,400 / 600 = 1,440 objects a day until a node writes
    more than 144 files' worth."""
    (archive,) = [dict(e) for e in (entries for _, entries in fluent_bit.sections(
        CollectionArgs.of(make_settings("prod")), "kafka-archive", "eu-west-1")["outputs"]) if dict(e)["Name"] == "s3"]
    # s3.c's config_map defaults where a key is not set: upload_timeout "10m", total_file_size "100000000"
    read = time_to_seconds(archive.get("upload_timeout", "10m")), size_to_bytes(archive.get("total_file_size", "100000000"))
    assert read == (600, 50_000_000)
    assert PROD.capacity_fluent_bit_nodes == 10
    plan = capacity.archive(_with(PROD, capacity_security_event_gb_per_day=gb_per_day))
    assert plan["objects_per_day"] == objects_per_day


def test_small_archive_objects_never_transition_and_say_so():
    quiet = _with(PROD, capacity_security_event_gb_per_day=0.5)   # 52 KB objects
    p = capacity.plan(quiet, today=date(2024, 7, 10))
    assert p["archive"]["transitions"] is False and p["archive"]["years"][-1]["deep_archive_gb"] == 0
    assert any("stay in Standard" in w for w in p["warnings"])
    assert not any("stay in Standard" in w for w in capacity.plan(PROD, today=date(2024, 7, 10))["warnings"])


def test_a_price_table_older_than_180_days_is_a_warning():
    as_of = date.fromisoformat(str(capacity.prices()["as_of"]))
    aged = lambda days: [w for w in capacity.plan(PROD, today=as_of + timedelta(days=days))["warnings"]  # noqa: E731
                         if "prices are" in w]
    assert aged(180) == [] and aged(181) == [f"archive: prices are 181 days old (as of {as_of}; over 180)"]


def test_defaults_are_marked_assumed_and_prod_declares_every_input():
    dev = capacity.plan(CapacityArgs.of(make_settings("dev")))
    assert "capacityBrokersPerCluster" in dev["assumed"] and any(w.startswith("assumed") for w in dev["warnings"])
    assert capacity.plan(PROD)["assumed"] == []


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_stack_passes_its_own_plan(stack):
    p = capacity.plan(CapacityArgs.of(make_settings(stack)))
    assert p["refusals"] == []
    assert p["prometheus"]["headroom"] >= 1.2


def test_a_stack_that_assumes_its_sizing_is_warned_not_refused():
    """dev declares no capacity input: its plan's findings rest on assumptions, so they are warnings;
    with every input declared the same finding is a refusal."""
    dev = CapacityArgs.of(make_settings("dev", clusters=[f"c{i} ns=kafka-{i} preset=strimzi" for i in range(6)]))
    p = capacity.plan(dev)
    assert p["prometheus"]["headroom"] < 1.2 and p["refusals"] == []
    assert any(w.startswith("would be refused with declared sizing: prometheusStorageSize:") for w in p["warnings"])
    declared = capacity.plan(_with(dev, capacity_assumed=()))
    assert [r["key"] for r in declared["refusals"]] == ["prometheusStorageSize"]


def _store(**overrides) -> CapacityArgs:
    return CapacityArgs.of(make_settings("prod", globalMetricsGrafanaRoleArn="arn:aws:iam::123456789012:role/g",
                                         **{"globalMetrics": "amp", **overrides}))


THREE = ["a ns=a preset=strimzi", "b ns=b preset=strimzi k8s=eks-b", "c ns=c preset=strimzi"]
EKS_B = "eks-b context=eks-b oidc=arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/B"


def test_each_prometheus_writes_the_kafka_series_of_its_own_clusters_and_the_store_keeps_their_sum():
    """Two Kafka clusters in the stack's own Kubernetes cluster, one in eks-b: their writers' rates are
    2 : 1 of one cluster's series per scrape interval (15 s), the baseline's kubelet and node series
    (dropped by the keep-list) in neither. Every replica of a pair sends them; the store keeps one."""
    s = _store(clusters=THREE, kubernetesClusters=[EKS_B])
    one = capacity.prometheus(PROD)["series_per_cluster"] / 15
    rates = capacity.writer_rates(s)
    assert list(rates) == ["necpgame-prod", "eks-b"]
    assert rates["necpgame-prod"] == pytest.approx(2 * one, rel=1e-3) and rates["eks-b"] == pytest.approx(one, rel=1e-3)
    g = capacity.plan(s)["global_store"]
    assert g["samples_per_second"] == pytest.approx(3 * one, abs=0.1)
    assert g["samples_per_second_sent"] == pytest.approx(2 * 3 * one, abs=0.2)  # prod runs a pair
    assert g["samples_per_month"] == pytest.approx(3 * one * 30 * 86400, rel=1e-6)
    # 2 bytes a sample (prod declares capacityBytesPerSample 2), kept 150 days (the setting's default)
    day = 3 * one * 86400 * 2 / 2**30
    assert g["storage_gib_per_day"] == pytest.approx(day, abs=0.01)
    assert g["retention_days"] == 150 and g["storage_gib"] == pytest.approx(150 * day, abs=0.1)
    assert {k: v["queue_samples_per_second"] for k, v in g["clusters"].items()} == {
        "necpgame-prod": math.ceil(rates["necpgame-prod"]), "eks-b": math.ceil(rates["eks-b"])}


def test_a_kubernetes_cluster_without_kafka_writes_nothing_but_keeps_a_queue_of_one():
    s = _store(clusters=THREE[:1], kubernetesClusters=[EKS_B])
    assert capacity.writer_rates(s)["eks-b"] == 0
    assert capacity.queue_rates(s)["eks-b"] == 1


def test_the_setting_overrides_the_plans_rate_for_every_queue_and_not_what_the_store_keeps():
    s = _store(clusters=THREE, kubernetesClusters=[EKS_B], globalMetricsSamplesPerSecond=50_000)
    assert capacity.queue_rates(s) == {"necpgame-prod": 50_000, "eks-b": 50_000}
    assert capacity.plan(s)["global_store"]["samples_per_second"] == capacity.plan(
        _store(clusters=THREE, kubernetesClusters=[EKS_B]))["global_store"]["samples_per_second"]


def test_mimir_keeps_its_own_retention_so_the_plan_gives_storage_per_day_only():
    s = CapacityArgs.of(make_settings("prod", globalMetrics="mimir", globalMetricsUrl="https://mimir.example",
                                      globalMetricsTenant="kafka-prod"))
    g = capacity.plan(s)["global_store"]
    assert g["store"] == "mimir" and g["storage_gib_per_day"] > 0
    assert "storage_gib" not in g and "retention_days" not in g
    assert capacity.plan(PROD)["global_store"] is None


def test_amp_prices_each_sample_at_its_tier_and_a_pair_once():
    """AMP bills ingestion by tier (the first 2 billion samples a month at $0.90 per 10M, the next 250
    billion at $0.35, beyond 252 billion at $0.16; content/prices/aws_amp.yaml cites the page), so a
    month of 3 billion costs 180 + 35, not 3e9 at either rate; at the boundary every sample is in the
    first tier. A deduplicated pair is charged once (AMP's "Deduplicating high availability metrics":
    not "charged for the data ingestion and storage multiple times"): the bill follows the kept
    samples, not the sent ones. Storage is $0.03 per GiB-month of what the retention holds."""
    tiers = capacity._prices(capacity.AMP_PRICES)["regions"]["us-east-1"]["ingest_tiers"]
    assert capacity.tiered_usd(2e9, tiers) == pytest.approx(180.0)
    assert capacity.tiered_usd(2e9 + 1e7, tiers) == pytest.approx(180.35)
    assert capacity.tiered_usd(3e9, tiers) == pytest.approx(215.0)
    assert capacity.tiered_usd(300e9, tiers) == pytest.approx(180 + 250e9 / 1e7 * 0.35 + 48e9 / 1e7 * 0.16)
    assert capacity.tiered_usd(0, tiers) == 0
    s = _store(clusters=THREE, kubernetesClusters=[EKS_B])
    g = capacity.plan(s)["global_store"]
    month = g["samples_per_month"]  # kept samples: half of what the pair sends
    assert g["samples_per_second_sent"] == pytest.approx(2 * g["samples_per_second"], abs=0.2)
    assert g["ingest_usd_month"] == pytest.approx(capacity.tiered_usd(month, tiers), abs=0.01)
    assert g["ingest_usd_month"] < capacity.tiered_usd(2 * month, tiers) - 1
    assert g["storage_usd_month"] == pytest.approx(g["storage_gib"] * 0.03, abs=0.01)
    assert g["monthly_usd"] == pytest.approx(g["ingest_usd_month"] + g["storage_usd_month"], abs=0.01)
    assert (g["price_as_of"], g["price_region"]) == ("2025-01-01", "us-east-1")


def test_amps_retention_drives_its_storage_bill_and_mimir_gets_no_price():
    """A year of retention holds 365/150 of the default's storage; ingestion does not change. Mimir is
    self-managed: the plan gives it no bill."""
    base = capacity.plan(_store(clusters=THREE, kubernetesClusters=[EKS_B]))["global_store"]
    year = capacity.plan(_store(clusters=THREE, kubernetesClusters=[EKS_B],
                                globalMetricsRetentionDays=365))["global_store"]
    assert year["ingest_usd_month"] == base["ingest_usd_month"]
    assert year["storage_usd_month"] == pytest.approx(base["storage_usd_month"] * 365 / 150, rel=0.01)
    mimir = capacity.plan(CapacityArgs.of(make_settings(
        "prod", globalMetrics="mimir", globalMetricsUrl="https://mimir.example",
        globalMetricsTenant="kafka-prod")))["global_store"]
    assert not {"monthly_usd", "price_as_of"} & set(mimir)


def test_an_aged_amp_price_table_is_a_warning_of_its_own():
    s = _store(clusters=THREE, kubernetesClusters=[EKS_B])
    as_of = date(2025, 1, 1)
    aged = lambda days: [w for w in capacity.plan(s, today=as_of + timedelta(days=days))["warnings"]  # noqa: E731
                         if w.startswith("global_store: prices")]
    assert aged(180) == [] and aged(181) == ["global_store: prices are 181 days old (as of 2025-01-01; over 180)"]


def test_more_than_25_shards_per_gib_of_heap_is_a_warning_and_25_is_not():
    """AWS, "Sizing Amazon OpenSearch Service domains" (second-hand, as in content/capacity.py's
    docstring): at most 25 shards per GiB of Java heap. Prod's Elasticsearch holds 674 open shards
    (above); on 3 nodes of 9 GiB that is 674 / 27 = 24.96, shown as 25.0 and within the guidance; on 2 of
    13 GiB, 674 / 26 = 25.9, over it."""
    def heap_warnings(nodes: int, heap: int) -> list[str]:
        p = capacity.plan(_with(PROD, capacity_elasticsearch_data_nodes=nodes, capacity_elasticsearch_heap_gb=heap))
        assert p["search"]["engines"]["elasticsearch"]["open_shards"] == 674
        return [w for w in p["warnings"] if w.startswith("elasticsearch:") and "heap" in w]

    assert heap_warnings(3, 9) == []
    assert heap_warnings(2, 13) == ["elasticsearch: 25.9 shards per GiB of heap (over 25)"]
    assert heap_warnings(3, 16) == []  # prod as declared: 14.0
