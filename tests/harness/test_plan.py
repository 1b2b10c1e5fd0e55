"""harness/plan.py's text: the summary scripts/preview prints, and outputs in a diff."""
from __future__ import annotations

import pytest

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


def test_plan_json_holds_each_resource_with_its_options_and_the_routing_tree():
    r = Registration("aws:s3/bucket:Bucket", "b", "urn:b", "urn:parent", custom=True, inputs={"bucket": "x"},
                     protect=True, retain_on_delete=True, dependencies=["urn:key"], aliases=["old-b"],
                     provider="urn:provider")
    route = {"receiver": "slack", "routes": []}
    doc = plan.plan(Run("prod", resources=[r], outputs={"o": 1},
                        artifacts={"alertmanager/alertmanager.yml": {"route": route, "receivers": []}},
                        settings={"bucketPrefix": "acme"}))
    assert doc == {"stack": "prod", "outputs": {"o": 1}, "alertmanager_route": route,
                   "settings": {"bucketPrefix": "acme"}, "resources": [
        {"type": "aws:s3/bucket:Bucket", "name": "b", "parent": "urn:parent", "inputs": {"bucket": "x"},
         "protect": True, "retain_on_delete": True, "depends_on": ["urn:key"], "aliases": ["old-b"],
         "provider": "urn:provider"}]}
    assert plan.plan(Run("dev", artifacts={"alertmanager/alertmanager.yml": "(secret)"}))["alertmanager_route"] is None


def _res(name, aliases=(), protect=False, **inputs):
    return {"type": "aws:s3/bucket:Bucket", "name": name, "parent": "", "inputs": inputs, "protect": protect,
            "retain_on_delete": False, "provider": "", "aliases": list(aliases)}


def test_a_rename_with_an_alias_is_the_same_resource_and_its_changes_show():
    old = {"resources": [_res("old", tags="a")]}
    new = {"resources": [_res("new", aliases=["old"], tags="b")]}
    d = plan.diff(old, new)
    assert (d["added"], d["removed"], d["renamed"]) == ([], [], {})
    assert d["changed"] == {"aws:s3/bucket:Bucket::new": ["tags"]}


def test_an_alias_does_not_hide_a_resource_that_still_exists():
    old = {"resources": [_res("old"), _res("new")]}
    new = {"resources": [_res("new", aliases=["old"])]}
    d = plan.diff(old, new)
    assert d["removed"] == ["aws:s3/bucket:Bucket::old"] and d["changed"] == {}


def test_a_rename_without_an_alias_is_named_only_when_type_and_inputs_match():
    old = {"resources": [_res("a", tags="x"), _res("c", tags="y")]}
    new = {"resources": [_res("b", tags="x"), _res("d", tags="other")]}
    assert plan.diff(old, new)["renamed"] == {"aws:s3/bucket:Bucket::a": "aws:s3/bucket:Bucket::b"}


@pytest.mark.parametrize("option,value", [("protect", True), ("retain_on_delete", True), ("parent", "urn:x"),
                                          ("provider", "urn:p")])
def test_a_changed_resource_option_is_an_update(option, value):
    old = {"resources": [_res("a")]}
    new = {"resources": [{**_res("a"), option: value}]}
    assert plan.diff(old, new)["changed"] == {"aws:s3/bucket:Bucket::a": [option]}


def test_a_forced_replacement_lists_the_forcing_inputs_only():
    old = {"resources": [_res("a", bucket="x", tags="1")]}
    new = {"resources": [_res("a", bucket="y", tags="2")]}
    d = plan.diff(old, new)
    assert d["replaced"] == {"aws:s3/bucket:Bucket::a": ["bucket"]} and d["changed"] == {}
    lines = plan.format_diff(d).splitlines()
    assert lines == ["+- replace aws:s3/bucket:Bucket::a  (because bucket changed)",
                     "0 to create, 0 to update, 1 to replace, 0 to delete"]


def test_input_paths_are_listed_for_nested_maps_mixed_keys_and_lists():
    old = {"resources": [_res("a", tags={"b": 1, 2: "x"}, rules=[1, 2])]}
    new = {"resources": [_res("a", tags={"b": 2, 2: "y"}, rules=[1, 3, 4])]}
    assert plan.diff(old, new)["changed"]["aws:s3/bucket:Bucket::a"] == ["rules[1]", "rules[2]", "tags.2", "tags.b"]


def test_the_diff_text_leads_with_meaning_and_marks_renames():
    d = {"meaning": ["lock a: COMPLIANCE 1 days → GOVERNANCE 1 days"], "added": ["t::b"], "removed": ["t::a"],
         "renamed": {"t::a": "t::b"}, "replaced": {"t::r": ["bucket", "region"]}, "changed": {"t::c": ["x"]},
         "outputs": {}}
    assert plan.format_diff(d).splitlines() == [
        "what changes:", "  lock a: COMPLIANCE 1 days → GOVERNANCE 1 days", "",
        "+ create  t::b", "- delete  t::a  (renamed to b without an alias)",
        "+- replace t::r  (because bucket, region changed)", "~ update  t::c", "    x",
        "1 to create, 1 to update, 1 to replace, 1 to delete"]
    assert plan.format_diff({"added": [], "removed": ["t::z"], "changed": {}}).splitlines() == [
        "- delete  t::z", "0 to create, 0 to update, 0 to replace, 1 to delete"]
