"""Settings: every bad value is refused with its key, all at once; prod refuses unsafe values."""
from __future__ import annotations

import re
from dataclasses import fields

import pytest

from config import schema, settings

from tests.conftest import SECRET_VALUES, STACKS, make_settings, stack_context, stack_raw

PROD_CLUSTER = stack_raw("prod")["clusters"][0]


def refused(stack: str = "prod", secrets: dict | None = None, **overrides) -> list[str]:
    with pytest.raises(settings.SettingsError) as err:
        settings.parse({**stack_raw(stack), **overrides}, SECRET_VALUES if secrets is None else secrets)
    return err.value.problems


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_is_valid(stack):
    s = make_settings(stack)
    assert s.environment == stack


def test_settings_fields_mirror_the_pulumi_yaml_schema():
    declared = {settings.snake(k) for k, d in schema.keys().items() if not d.secret}
    providers = {"kubernetes_context", "stack", "capacity_assumed", "aws_region"}  # kubernetes:context, the stack's name; which capacity keys are defaults; aws:region
    assert {f.name for f in fields(settings.Settings)} - {"secrets"} - providers == declared
    secret_fields = {f.name for f in fields(settings.Secrets)}
    assert secret_fields == {settings.snake(k) for k, d in schema.keys().items() if d.secret}


def test_every_schema_entry_is_typed_and_described():
    for key in schema.keys().values():
        assert key.type in ("string", "integer", "boolean", "array"), key
        assert key.description, key
        assert key.secret or key.default is not None or key.name in ("environment", "clusters", "kubernetesCluster")


def test_dev_may_use_governance_and_short_retention():
    s = make_settings("dev", objectLockMode="GOVERNANCE", objectLockDays=1, securityRetentionDays=30)
    assert s.object_lock_mode == "GOVERNANCE"


def test_dev_may_use_http_endpoints_but_not_a_zero_retention():
    assert make_settings("dev", grafanaUrl="http://grafana:3000").grafana_url == "http://grafana:3000"
    assert any(p.startswith("objectLockDays") for p in refused("dev", objectLockDays=0))


@pytest.mark.parametrize("flag,secret", [
    ("enableAlerting", "pagerdutyCriticalKey"),
    ("enableAlerting", "pagerdutyHighKey"),
    ("enableAlerting", "slackWebhookUrl"),
    ("enableAlerting", "deadMansSwitchUrl"),
    ("enableGrafana", "grafanaToken"),
    ("enableSearchRetention", "elasticsearchPassword"),
    ("enableCollection", "opensearchPassword"),
])
def test_missing_secret_is_refused_only_while_its_component_is_enabled(flag, secret):
    secrets = {k: v for k, v in SECRET_VALUES.items() if k != secret}
    problems = refused(secrets=secrets)
    assert any(p.startswith(f"{secret}: required secret is missing") for p in problems), problems
    needers = [f for f, needed in settings.REQUIRED_SECRETS.items() if secret in needed]
    off = {f: False for f in needers}
    assert settings.parse({**stack_raw("prod"), **off}, secrets).environment == "prod"


def test_every_problem_is_reported_at_once():
    problems = refused(environment="qa", prometheusRetentionDays=0, clusters=[], secrets={})
    keys = {re.split(r"[:\[.]", p)[0] for p in problems}
    assert {"environment", "prometheusRetentionDays", "clusters"} <= keys


def test_prod_secrets_missing_are_all_named():
    problems = refused(secrets={})
    named = {p.split(":")[0] for p in problems}
    assert named == set(SECRET_VALUES)


def test_each_search_engine_reads_its_own_cluster_and_no_other_engine_exists():
    s = make_settings("prod", elasticsearchUrl="https://es.example:9200", opensearchUrl="https://os.example:9200")
    assert s.search_cluster("elasticsearch") == ("https://es.example:9200", s.elasticsearch_username)
    assert s.search_cluster("opensearch") == ("https://os.example:9200", s.opensearch_username)
    with pytest.raises(ValueError, match="unknown search engine 'OpenSearch': elasticsearch or opensearch"):
        s.search_cluster("OpenSearch")


def test_prod_requires_the_authenticating_proxies_and_their_password():
    assert "enableAuthProxy: prod requires it (true)" in refused(enableAuthProxy=False)
    without = {k: v for k, v in SECRET_VALUES.items() if k != "authProxyPassword"}
    assert any(p.startswith("authProxyPassword: required secret is missing while enableAuthProxy is true")
               for p in refused(secrets=without))
    # Outside prod the proxies may be off, and then no password is needed.
    dev = settings.parse({**stack_raw("dev"), "enableAuthProxy": False}, without, stack_context("dev"))
    assert dev.enable_auth_proxy is False and dev.secrets.auth_proxy_password is None
    assert any(p.startswith("authProxyPassword: required secret") for p in refused("dev", secrets=without))


@pytest.mark.parametrize("image", ["nginx", "nginx:", "Nginx:1.27.2-alpine", "nginx@sha256:abc"])
def test_an_unpinned_or_malformed_proxy_image_is_refused(image):
    assert any(p.startswith("authProxyImage: not allowed") for p in refused(authProxyImage=image))
    assert make_settings("prod", authProxyImage="nginx:1.27.2-alpine").auth_proxy_image == "nginx:1.27.2-alpine"


@pytest.mark.parametrize("missing,problem", [
    ("pagerdutyCriticalKey", "pagerdutyCriticalKey: required secret is missing while enableAlerting and "
                             "enablePagerdutyCritical are true; set it with `pulumi config set --secret "
                             "pagerdutyCriticalKey ...`"),
    ("deadMansSwitchUrl", "deadMansSwitchUrl: required secret is missing while enableAlerting and enableHeartbeat "
                          "are true; set it with `pulumi config set --secret deadMansSwitchUrl ...`"),
    # A secret no receiver flag guards: its component's flag alone.
    ("grafanaToken", "grafanaToken: required secret is missing while enableGrafana is true; set it with "
                     "`pulumi config set --secret grafanaToken ...`"),
])
def test_a_missing_secret_is_refused_naming_both_flags_that_need_it_and_the_command(missing, problem):
    assert refused(secrets={k: v for k, v in SECRET_VALUES.items() if k != missing}) == [problem]


def test_a_receivers_secret_is_not_required_while_its_receiver_is_off():
    without = {k: v for k, v in SECRET_VALUES.items() if k != "pagerdutyCriticalKey"}
    s = settings.parse({**stack_raw("dev"), "enablePagerdutyCritical": False}, without, stack_context("dev"))
    assert s.enable_pagerduty_critical is False and s.secrets.pagerduty_critical_key is None


def test_each_search_engine_reads_its_own_password():
    secrets = make_settings("prod").secrets
    assert secrets.search_password("elasticsearch") == "es-LEAKCHECK-5555"
    assert secrets.search_password("opensearch") == "os-LEAKCHECK-6666"
