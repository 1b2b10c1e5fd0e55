"""Every boolean setting's default, as a stack that leaves the key out reads it (config/settings.parse
takes Pulumi.yaml's default for a missing key, as the Pulumi CLI does for a project's config). The
defaults are written out here: a flipped default in Pulumi.yaml changes what every stack that never
set the key deploys, and no stack file shows it.
"""
from __future__ import annotations

import pytest

from config import settings
from tests.conftest import SECRET_VALUES, stack_context, stack_raw

DEFAULTS = {  # key -> (Settings attribute, default)
    "createMonitoringNamespace": ("create_monitoring_namespace", False),
    "enableAlerting": ("enable_alerting", True),
    "enableArchive": ("enable_archive", True),
    "enableGrafana": ("enable_grafana", True),
    "enableSearchRetention": ("enable_search_retention", True),
    "enableCollection": ("enable_collection", True),
    "managedControlPlane": ("managed_control_plane", True),
    "opensearchAppendOnly": ("opensearch_append_only", True),
    "allowRetentionDelete": ("allow_retention_delete", False),
    "adoptExistingRetention": ("adopt_existing_retention", False),
    "archiveReplication": ("archive_replication", False),
    "enableNetworkPolicies": ("enable_network_policies", True),
}


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_a_stack_that_leaves_a_boolean_out_gets_its_default(key):
    attribute, default = DEFAULTS[key]
    raw = {k: v for k, v in stack_raw("dev").items() if k != key}
    assert getattr(settings.parse(raw, dict(SECRET_VALUES), stack_context("dev")), attribute) is default
    # near miss: the other value, given, is read as given
    given = {**raw, key: not default}
    try:
        parsed = settings.parse(given, dict(SECRET_VALUES), stack_context("dev"))
    except settings.SettingsError:
        return  # the other value needs other keys in dev (a cross rule): the default is what matters here
    assert getattr(parsed, attribute) is (not default)
