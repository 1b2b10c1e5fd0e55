"""content/catalogue.py: the histogram bucket a latency objective counts good events with, and the
selector of the Kafka pods.

A Prometheus histogram's bucket `le="b"` counts observations at or below b (prometheus/client
histograms; "Histograms and summaries"), so a target that is itself a boundary uses that bucket,
and one between boundaries the one below it (fewer good events, never more)."""
from __future__ import annotations

import re

import pytest

from content import catalogue
from content.catalogue import EVENT_DURATION_BUCKETS, slo_bucket
from tests.conftest import make_settings


@pytest.mark.parametrize("bucket", EVENT_DURATION_BUCKETS)
def test_a_target_on_a_boundary_uses_that_bucket(bucket):
    assert slo_bucket(bucket) == bucket


def test_a_target_between_boundaries_uses_the_one_below():
    assert slo_bucket(0.2) == 0.1 and slo_bucket(99.0) == EVENT_DURATION_BUCKETS[-1]


def test_a_target_below_every_bucket_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"^no histogram bucket at or below 0.0005s$"):
        slo_bucket(0.0005)


def test_the_kafka_pod_selector_matches_each_clusters_namespace_and_no_other():
    """PromQL's =~ is a fully anchored RE2 match (promql/parser: labels.NewFastRegexMatcher
    anchors the expression)."""
    s = make_settings("prod", clusters=["alpha ns=a preset=strimzi", "beta ns=kafka-b preset=strimzi"])
    matchers = dict(re.findall(r'(\w+)(?:=~|=)"([^"]*)"', catalogue.kafka_pods(s.clusters)))
    assert matchers["container"] == "kafka"
    assert [ns for ns in ("a", "kafka-b", "b", "kafka", "a|kafka-b") if re.fullmatch(matchers["namespace"], ns)] == [
        "a", "kafka-b"]
