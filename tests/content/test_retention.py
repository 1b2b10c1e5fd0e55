"""content/retention.py against the upstream behaviour its bodies rely on.

- Jaeger v2.5.0's own Elasticsearch 8 index templates (internal/storage/v1/elasticsearch/mappings/
  jaeger-<kind>-8.json at commit 7d6c422, copied into tests/upstream/jaeger-v2.5.0/ and
  rendered here as Jaeger renders them without ILM): ours replace them, so they carry the same
  mappings and settings.
- Elasticsearch ILM's origination date (LifecycleSettings.LIFECYCLE_PARSE_ORIGINATION_DATE,
  IndexLifecycleOriginationDateParser: the name must match `^.*-(\\d{4}.\\d{2}.\\d{2})(-[\\d]+)?$`
  and the date parse as yyyy.MM.dd; otherwise the age counts from the index's creation).
- OpenSearch SM's snapshot names (SMUtils.generateSnapshotName, index-management 2.17.0.0):
  `<policy>-<now in date_format at date_format_timezone, lower-cased>-<8 random characters>`.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo

import pytest

from content import jaeger, retention
from content.data_classes import APPLICATION, SECURITY
from tests.conftest import make_settings
from tests.upstream import HERE

S = make_settings("prod")
UPSTREAM = HERE / "jaeger-v2.5.0"


def jaeger_template(kind: str, prefix: str, shards: int, replicas: int) -> dict:
    """Jaeger's text/template rendering of its template file, with UseILM false."""
    text = (UPSTREAM / f"jaeger-{kind}-8.json").read_text()
    text = re.sub(r"\{\{-?\s*if \.UseILM\s*\}\}.*?\{\{-?\s*end\s*\}\}", "", text, flags=re.S)
    for name, value in (("Priority", 0), ("IndexPrefix", prefix), ("Shards", shards), ("Replicas", replicas)):
        text = re.sub(r"\{\{\s*\." + name + r"\s*\}\}", str(value), text)
    return json.loads(text)


@pytest.mark.parametrize("kind", sorted(jaeger.INDEX_SHARDS))
def test_our_trace_templates_carry_jaegers_own_mappings_and_settings(kind):
    """Only the highest-priority template applies, so ours stands in for Jaeger's: the same index
    pattern, mappings and index settings, with our shards, replicas and lifecycle added."""
    ours = retention.jaeger_templates(S)[f"{retention.TRACE_POLICY}-{kind}"]
    theirs = jaeger_template(kind, f"{S.trace_index_prefix}-", jaeger.INDEX_SHARDS[kind], S.search_replicas)
    assert ours["index_patterns"] == [theirs["index_patterns"]]
    assert ours["template"]["mappings"] == theirs["template"]["mappings"]
    settings = ours["template"]["settings"]
    assert {k: settings.get(k) for k in theirs["template"]["settings"]} == theirs["template"]["settings"]
    assert settings["index.lifecycle.name"] == retention.TRACE_POLICY
    assert ours["priority"] > theirs["priority"]


def origination(settings: dict, index: str, created: dt.date) -> dt.date:
    """The date ILM counts an index's age from."""
    if settings.get("index.lifecycle.parse_origination_date") is True:
        match = re.fullmatch(r"^.*-(\d{4}.\d{2}.\d{2})(-[\d]+)?$", index)
        assert match, f"index name [{index}] does not match pattern"  # ILM's step fails on such an index
        return dt.datetime.strptime(match.group(1), "%Y.%m.%d").date()
    return created


@pytest.mark.parametrize("template_id,index", [
    ("kafka-application", "kafka-application-2026.11.30"),
    *[(f"kafka-traces-{kind}", f"jaeger-jaeger-{kind}-2026.11.30") for kind in sorted(jaeger.INDEX_SHARDS)],
])
def test_a_daily_index_created_late_still_ages_from_its_own_day(template_id, index):
    """Late events for a day create that day's index the day after (Fluent Bit's retries, Jaeger's
    span start times): it is deleted a retention after its day, not a day later."""
    templates = {**retention.es_index_templates(S, APPLICATION), **retention.jaeger_templates(S)}
    settings = templates[template_id]["template"]["settings"]
    assert origination(settings, index, created=dt.date(2026, 12, 1)) == dt.date(2026, 11, 30)


def snapshot_name(policy: str, config: dict, now: dt.datetime) -> str:
    """SMUtils.generateSnapshotName, without its random suffix: Java DateTimeFormatter letters as
    Python's (only the unambiguous ones; any other letter fails here rather than guess), at the
    zone ZoneId.of reads (case-sensitive: an unknown id throws)."""
    java = config.get("date_format", "yyyy-MM-dd'T'HH:mm:ss")
    letters = {"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}
    parts = re.findall(r"'[^']*'|yyyy|MM|dd|HH|mm|ss|[^A-Za-z]|[A-Za-z]+", java)
    assert all(p in letters or not p.isalpha() for p in parts if not p.startswith("'")), java
    fmt = "".join(letters.get(p, p.strip("'")) for p in parts)
    zone = config.get("date_format_timezone")
    assert zone is None or zone in zoneinfo.available_timezones(), f"Unknown time-zone ID: {zone}"
    when = now.astimezone(zoneinfo.ZoneInfo(zone)) if zone else now
    return f"{policy}-{when.strftime(fmt).lower()}"


def test_security_snapshots_are_named_for_their_utc_day():
    """A snapshot taken at 00:30 UTC on 30 November (19:30 the day before in New York) is named for
    30 November: the name tells a restorer which day it holds."""
    body = retention.sm_policy(S, SECURITY)
    now = dt.datetime(2026, 11, 30, 0, 30, tzinfo=dt.timezone.utc)
    assert snapshot_name(SECURITY.snapshot_policy, body["snapshot_config"], now) == \
        "nightly-kafka-security-2026-11-30"
    for schedule in (body["creation"]["schedule"], body["deletion"]["schedule"]):
        assert schedule["cron"]["timezone"] in zoneinfo.available_timezones()  # ScheduleParser: ZoneId.of


def test_each_cluster_snapshots_under_its_own_base_path_of_the_shared_bucket():
    """Both clusters write snapshots into the one snapshot bucket. A repository written by two
    clusters is corrupted (Elasticsearch reference, "Register a snapshot repository": only one
    cluster may write to a repository), so each writes under its own `base_path`, read as
    repository-s3 reads it (S3Repository.BASE_PATH_SETTING, default "": the bucket's root)."""
    es = retention.es_repository("snapshots")
    os_ = retention.os_repository("snapshots", "arn:aws:iam::123456789012:role/snap", "eu-west-1")
    paths = [r["settings"].get("base_path", "").strip("/") for r in (es, os_)]
    assert (es["settings"]["bucket"], os_["settings"]["bucket"]) == ("snapshots", "snapshots")
    assert all(paths) and not any(a == b or a.startswith(b + "/") for a in paths for b in paths if a is not b)


def test_deletion_by_age_keeps_the_newest_week_of_nightly_snapshots():
    """Elasticsearch SLM `retention.min_count` and OpenSearch SM `deletion.condition.min_count` (the
    count kept whatever their age): 7 nightly snapshots, so that snapshots which stopped for longer
    than their retention still leave the last week taken."""
    assert retention.slm_policy(S)["retention"] == {"expire_after": "365d", "min_count": 7}  # prod: a year
    assert retention.sm_policy(S)["deletion"]["condition"] == {"max_age": "2557d", "min_count": 7}
