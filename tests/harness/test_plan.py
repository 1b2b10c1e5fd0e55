"""harness/plan.py's text: the summary scripts/preview prints, and outputs in a diff."""
from __future__ import annotations

from harness import plan
from harness.runtime import Registration, Run


def reg(type_: str, name: str, parent: str = "") -> Registration:
    return Registration(type_, name, f"urn:{name}", parent, custom=not type_.startswith("kafka-monitoring:"),
                        inputs={}, protect=False, retain_on_delete=False)


def test_the_summary_counts_resources_by_top_level_component_and_by_type():
    run = Run("prod", resources=[
        reg("kafka-monitoring:stack:MonitoringPlatform", "platform"),
        reg("pulumi:providers:kubernetes", "k8s"),                                  # a root of its own
        reg("kafka-monitoring:alerting:MetricsAlerting", "alerting", "urn:platform"),
        reg("kubernetes:helm.sh/v3:Release", "prometheus", "urn:alerting"),
        reg("kubernetes:core/v1:Secret", "am-config", "urn:prometheus"),             # a grandchild counts
        reg("kafka-monitoring:archive:Archive", "archive", "urn:platform"),          # for its component
        reg("aws:s3/bucket:Bucket", "bucket", "urn:archive"),
    ])
    width = len("kafka-monitoring:stack:MonitoringPlatform")
    assert plan.summary(run).splitlines() == [
        "stack prod: 7 resources", "", "by component:",
        *[f"  {k:<{width}}  {n:>4}" for k, n in (("alerting", 3), ("archive", 2), ("k8s", 1), ("platform", 1))],
        "", "by type:",
        *[f"  {k:<{width}}  {n:>4}" for k, n in sorted({
            "aws:s3/bucket:Bucket": 1, "kafka-monitoring:alerting:MetricsAlerting": 1,
            "kafka-monitoring:archive:Archive": 1, "kafka-monitoring:stack:MonitoringPlatform": 1,
            "kubernetes:core/v1:Secret": 1, "kubernetes:helm.sh/v3:Release": 1,
            "pulumi:providers:kubernetes": 1}.items())]]


def test_an_empty_stack_summary_still_has_its_headings():
    assert plan.summary(Run("dev")).splitlines() == ["stack dev: 0 resources", "", "by component:", "",
                                                     "by type:"]


def test_an_output_in_a_diff_reads_the_same_whatever_the_key_order():
    old = {"resources": [], "outputs": {"links": {"z": 1, "a": 2}, "gone": "x"}}
    new = {"resources": [], "outputs": {"links": {"z": 1, "a": 3}}}
    lines = plan.format_diff(plan.diff(old, new)).splitlines()
    assert lines[-4:] == ["outputs (the contract other stacks read):", '  gone: "x" → (absent)',
                          '  links: {"a": 2, "z": 1} → {"a": 3, "z": 1}',
                          "0 to create, 0 to update, 0 to replace, 0 to delete"]
