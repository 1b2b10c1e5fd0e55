"""The capacity and cost plan: the sizing inputs (capacity* settings) -> what each store needs, what
it is given, and what the archive costs over seven years. Pure: the preview writes it
(build/<stack>/capacity.json), plan-diff compares it, and `refusals` stops a stack before anything
registers.

Formulas, each with its source:
- Series: the rendered JMX rules (content/jmx.py) run by the jmx_exporter model over one unit of
  each kind of Kafka MBean (content/kafka_census.py), times the number of units; kafka_exporter
  v1.9.0 (kafka_exporter.go: per topic 1, per partition 7, per group 1, per consumed group-topic 2,
  per consumed group-partition 2, per broker 1, plus `kafka_brokers`).
- Prometheus disk (prometheus v2.54.1 docs/storage.md): retention_s x samples/s x bytes/sample;
  compaction makes blocks of up to 10 % of the retention or 31 days, whichever is smaller, and a block
  is deleted only once wholly expired, so up to one such block more is on disk; the WAL keeps at least
  3 segments of 128 MB and at least two hours of raw data (3 h at 16 bytes a sample here: an
  estimate, WAL records are not compressed like chunks). retention.size "at most 80-85 %" of the disk.
- Prometheus memory: about 3 KiB per head series (an estimate, Robust Perception "Why does
  Prometheus use so much RAM", not a Prometheus document).
- Search: OpenSearch/Elasticsearch refuse to create shards beyond cluster.max_shards_per_node x data
  nodes, primaries and replicas of open indices (OpenSearch ShardLimitValidator, default 1000). Disk:
  source x (1 + replicas) x 1.45 (AWS, "Sizing Amazon OpenSearch Service domains": 10 % indexing
  overhead, 5 % OS reserve, 20 % service reserve). Shards of 10-50 GiB (AWS); at most 25 shards per
  GiB of heap (AWS, an estimate for Elasticsearch too).
- Archive: an object per Fluent Bit pod every upload_timeout or total_file_size (out_s3 v3.1.9);
  prices, per-object overhead and the 128 KB transition floor from content/prices/aws_s3.yaml.
- Global store: each Prometheus writes the series of the Kafka clusters it scrapes (its Kubernetes
  cluster's: `k8s=`) at the scrape interval; the keep-list (content/remote_write.py) drops the
  baseline's kubelet, cAdvisor and node series, and also the JMX and kafka_exporter series outside
  the catalogue, which are counted here: an upper bound. Every replica of a pair sends them; the
  store keeps one per cluster. Storage: kept samples x bytes per sample (AMP's pricing page: "the
  Prometheus metrics samples (typically 1 or 2 bytes) and metadata"; capacityBytesPerSample).
- AMP's cost: the kept samples a month (a deduplicated pair is charged once: AMP's HA deduplication
  guide) priced by tier, plus the storage held at the end of the retention, from
  content/prices/aws_amp.yaml. Queries are not priced: their volume depends on who looks.
"""
from __future__ import annotations

import json
import math
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from config.fields import duration_seconds
from content import jaeger, jmx, kafka_census as census
from content.data_classes import CLASSES, SECURITY, DataClass
from content.fluent_bit import ARCHIVE_FILE_SIZE_BYTES, ARCHIVE_UPLOAD_TIMEOUT_S
from content.jmx_exporter import Attribute, export

if TYPE_CHECKING:
    from config.sections import CapacityArgs

GIB = 2**30
DAY_S = 86400
YEARS = 7
# Prometheus (docs/storage.md v2.54.1)
WAL_SEGMENT_BYTES, WAL_MIN_SEGMENTS, WAL_KEPT_S, WAL_BYTES_PER_SAMPLE = 128 * 2**20, 3, 3 * 3600, 16
BLOCK_FRACTION, BLOCK_MAX_S = 0.10, 31 * DAY_S
HEAD_BYTES_PER_SERIES = 3 * 1024        # an estimate (see above)
RETENTION_SIZE_FRACTION = 0.85          # "at most 80-85 %"
PVC_MIN_HEADROOM = 1.2                  # below: refused (1 / 0.85, the docs' free space, rounded up)
PVC_WARN_LOW, PVC_WARN_HIGH = 1.5, 5.0
# Search (AWS OpenSearch Service sizing; ShardLimitValidator)
SEARCH_DISK_FACTOR = 1.45
SEARCH_DISK_MAX_FRACTION = 0.85         # Elasticsearch/OpenSearch low disk watermark default
SHARD_GB_LOW, SHARD_GB_HIGH = 10, 50
SHARDS_PER_GIB_HEAP = 25
SHARD_WARN_FRACTION = 0.8
# kafka_exporter v1.9.0 (kafka_exporter.go): series per thing it reports
EXPORTER_PER_TOPIC, EXPORTER_PER_PARTITION, EXPORTER_PER_GROUP = 1, 7, 1
EXPORTER_PER_GROUP_TOPIC, EXPORTER_PER_GROUP_PARTITION, EXPORTER_PER_BROKER, EXPORTER_FIXED = 2, 2, 1, 1
EXPORTER_PROCESS = 40                   # Go runtime and process collectors: an estimate
CONSUMER_OFFSETS_PARTITIONS = 50        # offsets.topic.num.partitions default
PRICE_MAX_AGE_DAYS = 180
PRICES = Path(__file__).with_name("prices") / "aws_s3.yaml"
AMP_PRICES = Path(__file__).with_name("prices") / "aws_amp.yaml"


def series_of(rules: dict, beans: list[Attribute]) -> int:
    """Distinct series the exporter makes of these MBeans with these rules."""
    samples = {(s.name, s.labels) for s in (export(rules, a) for a in beans) if s is not None}
    return len(samples)


@cache
def _coefficients_cached(rules_key: str) -> dict[str, int]:
    return coefficients(json.loads(rules_key))


def coefficients(rules: dict) -> dict[str, int]:
    """Series per unit of each kind, derived from the rules: what a rule edit changes."""
    broker_names = census.request_names(census.BROKER_APIS)
    controller_names = census.request_names(census.CONTROLLER_APIS, first=("Fetch",))
    return {
        "broker_requests": sum(series_of(rules, census.request_name(n)) for n in broker_names),
        "controller_requests": sum(series_of(rules, census.request_name(n)) for n in controller_names),
        "per_used_api": series_of(rules, census.used_api()),
        "per_topic": series_of(rules, census.topic()),
        "per_replica": series_of(rules, census.replica()),
        "per_follower": series_of(rules, census.follower()),
        "per_network_thread": series_of(rules, census.network_thread()),
    }


def kafka_series(s: "CapacityArgs", rules: dict | None = None) -> dict[str, float]:
    """Series per broker, per controller and per cluster (JMX and kafka_exporter)."""
    k = coefficients(rules) if rules is not None else _coefficients_cached(json.dumps(jmx.exporter_config()))
    brokers, rf = s.capacity_brokers_per_cluster, min(s.capacity_replication_factor, s.capacity_brokers_per_cluster)
    partitions = s.capacity_partitions_per_cluster + CONSUMER_OFFSETS_PARTITIONS
    replicas = partitions * rf / brokers
    followers = replicas * (rf - 1) / rf
    topics = s.capacity_topics_per_cluster  # each with traffic on every broker hosting one of its replicas
    broker = (k["broker_requests"] + census.USED_APIS * k["per_used_api"] + topics * k["per_topic"]
              + replicas * k["per_replica"] + followers * k["per_follower"]
              + s.capacity_listeners * s.capacity_network_threads * k["per_network_thread"] + census.JVM_SERIES)
    controller = k["controller_requests"] + census.USED_APIS * k["per_used_api"] + census.JVM_SERIES
    per_group_partitions = s.capacity_partitions_per_cluster / s.capacity_topics_per_cluster
    group_topics = s.capacity_consumer_groups_per_cluster * s.capacity_topics_per_group
    exporter = (EXPORTER_PER_TOPIC * (topics + 1) + EXPORTER_PER_PARTITION * partitions
                + EXPORTER_PER_GROUP * s.capacity_consumer_groups_per_cluster
                + EXPORTER_PER_GROUP_TOPIC * group_topics
                + EXPORTER_PER_GROUP_PARTITION * group_topics * per_group_partitions
                + EXPORTER_PER_BROKER * brokers + EXPORTER_FIXED + EXPORTER_PROCESS)
    cluster = brokers * broker + s.capacity_controllers_per_cluster * controller + exporter
    return {"per_broker": broker, "per_controller": controller, "kafka_exporter": exporter, "per_cluster": cluster,
            "coefficients": k}


def gib(size: str) -> float:
    """A Kubernetes quantity (Mi, Gi, Ti: config.fields allows these) in GiB."""
    return float(size[:-2]) * {"Mi": 1 / 1024, "Gi": 1, "Ti": 1024}[size[-2:]]


def retention_size(s: Any) -> str:
    """Prometheus retentionSize: 85 % of the volume, rounded down to a whole GB (MB under 2 GiB, so that
    a small volume never gets 0, which disables the limit). Prometheus (--storage.tsdb.retention.size:
    B, KB, MB, GB...; "based on powers-of-2, so 1KB is 1024B", v2.54.1 cmd/prometheus/main.go) and the
    operator (v0.77.1 ByteSize pattern) both read GB as GiB."""
    size = gib(s.prometheus_storage_size) * RETENTION_SIZE_FRACTION
    return f"{math.floor(size)}GB" if size >= 2 else f"{math.floor(size * 1024)}MB"


def prometheus_disk_bytes(samples_per_s: float, retention_s: float, bytes_per_sample: float) -> float:
    """docs/storage.md: the blocks, one compacted block more waiting to expire, and the WAL."""
    blocks = retention_s * samples_per_s * bytes_per_sample
    waiting = min(BLOCK_FRACTION * retention_s, BLOCK_MAX_S) * samples_per_s * bytes_per_sample
    wal = max(WAL_MIN_SEGMENTS * WAL_SEGMENT_BYTES, WAL_KEPT_S * samples_per_s * WAL_BYTES_PER_SAMPLE)
    return blocks + waiting + wal


def prometheus(s: "CapacityArgs") -> dict[str, Any]:
    kafka = kafka_series(s)
    series = len(s.clusters) * kafka["per_cluster"] + s.capacity_baseline_series
    sps = series / duration_seconds(s.scrape_interval)
    retention_s = s.prometheus_retention_days * DAY_S
    low = prometheus_disk_bytes(sps, retention_s, 1.0) / GIB
    need = prometheus_disk_bytes(sps, retention_s, s.capacity_bytes_per_sample) / GIB
    pvc = gib(s.prometheus_storage_size)
    return {
        "series_per_broker": round(kafka["per_broker"]), "series_per_controller": round(kafka["per_controller"]),
        "series_kafka_exporter": round(kafka["kafka_exporter"]), "series_per_cluster": round(kafka["per_cluster"]),
        "coefficients": kafka["coefficients"], "clusters": len(s.clusters), "baseline_series": s.capacity_baseline_series,
        "series": round(series), "samples_per_second": round(sps, 1), "bytes_per_sample": s.capacity_bytes_per_sample,
        "retention_days": s.prometheus_retention_days, "disk_need_gib_low": round(low, 1),
        "disk_need_gib": round(need, 1), "pvc_gib": pvc, "headroom": round(pvc / need, 2) if need else None,
        "retention_size": retention_size(s), "memory_gib": round(series * HEAD_BYTES_PER_SERIES / GIB, 2),
        "replicas": s.prometheus_replicas,
    }


def writer_rates(s: "CapacityArgs") -> dict[str, float]:
    """Samples per second each Kubernetes cluster's Prometheus writes to the global store, by cluster
    (the stack's own first): the Kafka series of the clusters it scrapes, per scrape interval."""
    per_cluster, interval, home = kafka_series(s)["per_cluster"], duration_seconds(s.scrape_interval), s.kubernetes_cluster
    return {k: sum(1 for c in s.clusters if (c.k8s or home) == k) * per_cluster / interval
            for k in (home, *(k.name for k in s.kubernetes_clusters))}


def queue_rates(s: "CapacityArgs") -> dict[str, int]:
    """The rate each cluster's remote-write queue is sized for: globalMetricsSamplesPerSecond when set,
    else the plan's (at least 1)."""
    override = s.global_metrics_samples_per_second
    return {k: override or max(1, math.ceil(v)) for k, v in writer_rates(s).items()}


def global_store(s: "CapacityArgs") -> dict[str, Any] | None:
    """What the store ingests and keeps, from the same samples per second as the queues."""
    if s.global_metrics == "none":
        return None
    rates = writer_rates(s)
    kept = sum(rates.values())
    day_gib = kept * DAY_S * s.capacity_bytes_per_sample / GIB
    out = {"store": s.global_metrics, "samples_per_second": round(kept, 1),
           "samples_per_second_sent": round(kept * s.prometheus_replicas, 1),
           "samples_per_month": round(kept * 30 * DAY_S), "storage_gib_per_day": round(day_gib, 2),
           "clusters": {k: {"samples_per_second": round(v, 1), "queue_samples_per_second": q}
                        for (k, v), q in zip(rates.items(), queue_rates(s).values())}}
    if s.global_metrics == "amp":  # Mimir's retention and cost are its own, not this stack's
        kept_gib = day_gib * s.global_metrics_retention_days
        out["retention_days"] = s.global_metrics_retention_days
        out["storage_gib"] = round(kept_gib, 1)
        out.update(amp_cost(out["samples_per_month"], kept_gib))
    return out


def tiered_usd(samples: float, tiers: list) -> float:
    """Price of a month's samples under [up to (None: no bound), USD per 10M] tiers, each sample at the
    price of the tier it falls in."""
    usd, below = 0.0, 0.0
    for bound, per_10m in tiers:
        top = samples if bound is None else min(samples, bound)
        usd += max(0.0, top - below) / 1e7 * per_10m
        if bound is None or samples <= bound:
            break
        below = bound
    return usd


def amp_cost(samples_per_month: float, storage_gib: float) -> dict[str, Any]:
    """AMP's monthly bill once the retention is full: ingestion by tier and the storage kept."""
    p = _prices(AMP_PRICES)
    row = p["regions"][p["region"]]
    ingest, storage = tiered_usd(samples_per_month, row["ingest_tiers"]), storage_gib * row["storage_gib_month"]
    return {"ingest_usd_month": round(ingest, 2), "storage_usd_month": round(storage, 2),
            "monthly_usd": round(ingest + storage, 2), "price_as_of": str(p["as_of"]), "price_region": p["region"]}


def _daily_gb(s: "CapacityArgs", c: DataClass) -> float:
    if c.volume:
        return getattr(s, c.volume)
    return s.capacity_trace_spans_per_second * s.trace_sampling_rate * s.capacity_trace_span_bytes * DAY_S / 1e9


def _primaries(s: "CapacityArgs", c: DataClass) -> int:
    return getattr(s, c.shards) if c.shards else sum(jaeger.INDEX_SHARDS.values())


def data_class(s: "CapacityArgs", c: DataClass) -> dict[str, Any]:
    """One class's steady state: indices open at once, their shards, shard size and disk."""
    daily, days, primaries = _daily_gb(s, c), c.retention_days(s), _primaries(s, c)
    copies = 1 + s.search_replicas
    if c.rollover:
        fill_days = (s.security_rollover_primary_shard_gb * primaries / daily) if daily else math.inf
        period = min(s.security_rollover_max_days, fill_days)
        indices = math.ceil(days / period) + 1  # deleted `days` after rollover: one more is being written
        shard_gb = daily * period / primaries
    else:
        period, indices = 1, days + 1           # today's and the retained days
        # Jaeger's span index holds nearly all of a day's traces, over its own primaries.
        shard_gb = daily / primaries if c.shards else daily / jaeger.INDEX_SHARDS["span"]
    retained = daily * days
    return {"engine": c.engine_of(s), "layout": "rollover" if c.rollover else "daily", "daily_gb": round(daily, 3),
            "retention_days": days, "retained_gb": round(retained, 1),
            "disk_gb": round(retained * copies * SEARCH_DISK_FACTOR, 1), "index_period_days": round(period, 1),
            "open_indices": indices, "open_shards": indices * primaries * copies,
            "primary_shard_gb": round(shard_gb, 2)}


def search(s: "CapacityArgs") -> dict[str, Any]:
    classes = {c.key: data_class(s, c) for c in CLASSES}
    engines = {}
    for engine in ("elasticsearch", "opensearch"):
        nodes, disk, heap = (getattr(s, f"capacity_{engine}_{k}") for k in ("data_nodes", "disk_gb", "heap_gb"))
        mine = [v for v in classes.values() if v["engine"] == engine]
        shards, need = sum(v["open_shards"] for v in mine), sum(v["disk_gb"] for v in mine)
        engines[engine] = {"data_nodes": nodes, "disk_gb": nodes * disk, "heap_gb": nodes * heap,
                           "open_shards": shards, "shard_limit": s.capacity_max_shards_per_node * nodes,
                           "shards_per_gib_heap": round(shards / (nodes * heap), 1), "disk_need_gb": round(need, 1),
                           "disk_fraction": round(need / (nodes * disk), 3)}
    return {"classes": classes, "engines": engines}


@cache
def _prices(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())


def prices() -> dict[str, Any]:
    return _prices(PRICES)


def archive(s: "CapacityArgs") -> dict[str, Any]:
    """Objects, storage by class and monthly cost at the end of each year, for every copy."""
    p = prices()
    row = p["regions"][p["region"]]
    nodes = s.capacity_fluent_bit_nodes
    raw_day = getattr(s, SECURITY.volume) * 1e9
    per_node_raw = raw_day / nodes
    uploads = max(DAY_S / ARCHIVE_UPLOAD_TIMEOUT_S, per_node_raw / ARCHIVE_FILE_SIZE_BYTES)
    objects_day = nodes * uploads
    object_bytes = raw_day * s.capacity_archive_gzip_ratio / objects_day
    transitions = object_bytes >= p["min_transition_kb"] * 1024
    copies = 2 if s.archive_replication else 1
    gb_day = raw_day * s.capacity_archive_gzip_ratio / GIB
    years = []
    for year in range(1, YEARS + 1):
        days = 365 * year
        objects = objects_day * days
        recent = min(days, s.archive_transition_days) if transitions else days
        standard_gb = gb_day * recent
        deep_gb = gb_day * (days - recent)
        moved = objects_day * (days - recent)
        standard_gb += moved * p["overhead_standard_kb"] * 1024 / GIB
        deep_gb += moved * p["overhead_class_kb"] * 1024 / GIB
        monthly = copies * (standard_gb * row["standard_gb_month"] + deep_gb * row["deep_archive_gb_month"]
                            + objects_day * 30 * row["put_per_1000"] / 1000
                            + (objects_day * 30 * row["transition_per_1000"] / 1000 if transitions else 0))
        if s.archive_replication:
            monthly += gb_day * 30 * row["transfer_gb"]
        years.append({"year": year, "objects": round(objects), "standard_gb": round(standard_gb, 1),
                      "deep_archive_gb": round(deep_gb, 1), "monthly_usd": round(monthly, 2)})
    return {"objects_per_day": round(objects_day), "object_kb": round(object_bytes / 1024, 1),
            "transitions": transitions, "copies": copies, "price_as_of": str(p["as_of"]),
            "price_region": p["region"], "years": years}


def plan(s: "CapacityArgs", today: date | None = None) -> dict[str, Any]:
    """The whole plan, with its warnings and refusals (key, why)."""
    stores = (["prometheus"] if s.enable_alerting else []) + (
        ["elasticsearch", "opensearch"] if s.enable_search_retention or s.enable_collection else [])
    out = {"assumed": list(s.capacity_assumed), "stores": stores, "prometheus": prometheus(s), "search": search(s)}
    out["archive"] = archive(s) if s.enable_archive else None
    out["global_store"] = global_store(s)
    out["warnings"] = warnings(out, today or date.today())
    found = [{"key": k, "why": w} for k, w in refusals(out)]
    # A refusal needs the sizing it rests on: a stack that assumes some of it (dev and staging may;
    # prod may not, config.settings) gets the same findings as warnings.
    out["refusals"] = [] if out["assumed"] else found
    out["warnings"] += [f"would be refused with declared sizing: {r['key']}: {r['why']}" for r in found if out["assumed"]]
    return out


def check(s: "CapacityArgs") -> dict[str, Any]:
    """The plan, or SettingsError naming each key whose value the plan refuses (before anything registers)."""
    from config.settings import SettingsError
    p = plan(s)
    if p["refusals"]:
        raise SettingsError([f"{r['key']}: not allowed; {r['why']}" for r in p["refusals"]])
    return p


def refusals(p: dict[str, Any]) -> list[tuple[str, str]]:
    """What the stack may not deploy, by the key to change: only for the stores the stack provisions
    or writes to (p["stores"])."""
    out = []
    prom = p["prometheus"]
    if "prometheus" in p["stores"] and prom["headroom"] is not None and prom["headroom"] < PVC_MIN_HEADROOM:
        out.append(("prometheusStorageSize", f"{prom['pvc_gib']:g}Gi is under {PVC_MIN_HEADROOM}x the estimated need "
                                             f"of {prom['disk_need_gib']:g} GiB; allowed: at least "
                                             f"{math.ceil(prom['disk_need_gib'] * PVC_MIN_HEADROOM)}Gi"))
    for engine, e in p["search"]["engines"].items():
        name = engine.capitalize()
        if engine not in p["stores"]:
            continue
        if e["open_shards"] > e["shard_limit"]:
            out.append((f"capacity{name}DataNodes", f"{e['open_shards']} open shards in steady state exceed "
                                                    f"capacityMaxShardsPerNode x data nodes = {e['shard_limit']}"))
        if e["disk_fraction"] > SEARCH_DISK_MAX_FRACTION:
            out.append((f"capacity{name}DiskGb", f"the projected {e['disk_need_gb']:g} GB is over "
                                                 f"{SEARCH_DISK_MAX_FRACTION:.0%} of the declared {e['disk_gb']:g} GB"))
    return out


def warnings(p: dict[str, Any], today: date) -> list[str]:
    out = []
    prom = p["prometheus"]
    if prom["headroom"] is not None and PVC_MIN_HEADROOM <= prom["headroom"] < PVC_WARN_LOW:
        out.append(f"prometheus: PVC only {prom['headroom']}x the estimated need")
    if prom["headroom"] is not None and prom["headroom"] > PVC_WARN_HIGH:
        out.append(f"prometheus: PVC {prom['headroom']}x the estimated need (oversized)")
    for engine, e in p["search"]["engines"].items():
        if e["open_shards"] > SHARD_WARN_FRACTION * e["shard_limit"]:
            out.append(f"{engine}: {e['open_shards']} open shards, over {SHARD_WARN_FRACTION:.0%} of {e['shard_limit']}")
        if e["shards_per_gib_heap"] > SHARDS_PER_GIB_HEAP:
            out.append(f"{engine}: {e['shards_per_gib_heap']} shards per GiB of heap (over {SHARDS_PER_GIB_HEAP})")
    for key, c in p["search"]["classes"].items():
        if c["retained_gb"] and not SHARD_GB_LOW <= c["primary_shard_gb"] <= SHARD_GB_HIGH:
            out.append(f"{key}: primary shards of {c['primary_shard_gb']} GB (AWS: {SHARD_GB_LOW}-{SHARD_GB_HIGH} GB)")
    a = p.get("archive")
    if a and not a["transitions"]:
        out.append(f"archive: objects of {a['object_kb']} KB stay in Standard (lifecycle skips objects under 128 KB)")
    for part in ("archive", "global_store"):
        priced = p.get(part) or {}
        if "price_as_of" in priced:
            age = (today - date.fromisoformat(priced["price_as_of"])).days
            if age > PRICE_MAX_AGE_DAYS:
                out.append(f"{part}: prices are {age} days old (as of {priced['price_as_of']}; over {PRICE_MAX_AGE_DAYS})")
    if p["assumed"]:
        out.append(f"assumed (not declared in the stack file): {', '.join(p['assumed'])}")
    return out
