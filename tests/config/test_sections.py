"""Each component's section of the settings: every setting is read by some component or by the
platform, and a component cannot read another's keys."""
from __future__ import annotations

from dataclasses import fields

import pytest

from config import sections, settings
from tests.conftest import make_settings

SECTIONS = (sections.AlertingArgs, sections.ArchiveArgs, sections.RetentionArgs, sections.CollectionArgs,
            sections.GrafanaArgs, sections.NetworkArgs, sections.CapacityArgs, sections.GlobalMetricsArgs)
# Read by stacks/platform.py itself: which components exist, and how they reach the cluster.
PLATFORM = {"enable_alerting", "enable_archive", "enable_grafana", "enable_search_retention", "enable_collection",
            "create_monitoring_namespace", "kubernetes_context", "enable_network_policies", "kubernetes_clusters"}


def test_every_setting_is_read_by_a_component_or_the_platform():
    in_sections = {f.name for section in SECTIONS for f in fields(section)}
    assert {f.name for f in fields(settings.Settings)} == in_sections | PLATFORM


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_carries_the_settings_values_and_nothing_else(section):
    s = make_settings("prod")
    args = section.of(s)
    assert all(getattr(args, f.name) == getattr(s, f.name) for f in fields(section))
    assert args.is_prod
    with pytest.raises(AttributeError):
        args.create_monitoring_namespace  # noqa: B018 (the platform's, not a component's)


def test_the_archive_cannot_read_alert_thresholds():
    with pytest.raises(AttributeError):
        sections.ArchiveArgs.of(make_settings("prod")).consumer_lag_critical  # noqa: B018


def test_a_components_section_cannot_be_changed_after_it_is_built():
    import dataclasses
    from tests.conftest import make_settings
    section = sections.AlertingArgs.of(make_settings("dev"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        section.environment = "prod"
