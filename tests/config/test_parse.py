"""settings.parse and settings.load: what a valid stack becomes, and how refusals are put together.

load() runs where the engine runs the program: it reads the config the CLI passed (pulumi.runtime
config, secrets marked as such, the stack's provider pins) through Pulumi's own SDK, set up here
with the SDK's mocks exactly as harness.runtime does for a whole-program run.
"""
from __future__ import annotations

import types
import typing
from dataclasses import fields

import pulumi
import pytest
import yaml

from config import schema, settings
from config.clusters import KafkaCluster
from harness import runtime
from tests.conftest import ROOT, SECRET_VALUES, STACKS, full_config, make_settings, stack_context, stack_raw


def _conforms(value: object, hint: object) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is typing.Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, a) for a in args)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(v, args[0]) for v in value)
        return len(args) == len(value) and all(_conforms(v, a) for v, a in zip(value, args))
    if hint is float:
        return isinstance(value, float)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint if isinstance(hint, type) else object)


@pytest.mark.parametrize("stack", STACKS)
def test_every_setting_arrives_with_its_declared_type(stack):
    s = make_settings(stack, traceSamplingOverrides=["api:GET /orders=0.5", "web=1"])
    hints = typing.get_type_hints(settings.Settings)
    wrong = {f.name: type(getattr(s, f.name)).__name__ for f in fields(s) if not _conforms(getattr(s, f.name),
                                                                                        hints[f.name])}
    assert wrong == {}
    assert s.trace_sampling_overrides == (("api", "GET /orders", 0.5), ("web", None, 1.0))
    assert all(isinstance(c, KafkaCluster) for c in s.clusters) and s.clusters
    assert s.kubernetes_context == stack_context(stack).others["kubernetes:context"]
    assert s.secrets.grafana_token == SECRET_VALUES["grafanaToken"]


def test_a_setting_left_out_takes_its_documented_default():
    raw = stack_raw("dev")
    raw.pop("prometheusRetentionDays", None)
    assert settings.parse(raw, dict(SECRET_VALUES)).prometheus_retention_days == \
        int(schema.keys()["prometheusRetentionDays"].default)


def _refusal(raw: dict, context: settings.Context | None = None) -> settings.SettingsError:
    with pytest.raises(settings.SettingsError) as err:
        settings.parse(raw, dict(SECRET_VALUES), context)
    return err.value


def test_problems_are_listed_once_each_in_the_order_found():
    context = stack_context("dev")
    context = settings.Context(context.stack, context.others, frozenset({"grafanaToken"}))
    err = _refusal({**stack_raw("dev"), "grafanaToken": "x", "zzzz": 1, "dashboardTopN": "ten"}, context)
    plain = "grafanaToken: a secret must be set with `pulumi config set --secret grafanaToken`, not as a plain value"
    # unknown keys, then each key in Pulumi.yaml's order; the context's report of the same plain
    # secret is not repeated
    assert err.problems == ["zzzz: unknown setting; see the config section of Pulumi.yaml",
                            "dashboardTopN: not allowed; allowed: a whole number", plain]
    assert str(err) == "invalid stack settings:\n" + "\n".join(f"  - {p}" for p in err.problems)


def test_an_unknown_key_is_answered_with_the_nearest_one():
    err = _refusal({**stack_raw("dev"), "objectLockDay": 1})
    assert err.problems == ["objectLockDay: unknown setting; did you mean objectLockDays?"]


@pytest.mark.parametrize("key,flagged", [
    ("kafka-monitorng:objectLockDays", True),    # a typo of the project's namespace
    ("kafka-mon:objectLockDays", True),
    ("kafka-m:x", False),                        # too far from it (difflib ratio 0.61 < 0.7)
    ("aws:region", False), ("kubernetes:context", False), ("grafana:url", False), ("pulumi:tags", False),
    ("random:seed", False),
])
def test_a_namespace_close_to_the_projects_is_a_typo(key, flagged):
    context = stack_context("dev", **{key: "eu-west-1"})
    if flagged:
        assert _refusal(stack_raw("dev"), context).problems == [
            f"{key}: unknown namespace {key.split(':')[0]!r}; did you mean kafka-monitoring:?"]
    else:
        assert settings.parse(stack_raw("dev"), dict(SECRET_VALUES), context).environment == "dev"


@pytest.mark.parametrize("key,value,allowed", [
    ("clusters", "[not json", "a list"), ("clusters", '{"a": 1}', "a list"),
    ("slackChannel", 5, "a string"), ("dashboardTopN", True, "a whole number"),
    ("enableArchive", "yes", "true or false"),
])
def test_a_value_of_the_wrong_type_is_named_by_type_only(key, value, allowed):
    assert _refusal({**stack_raw("dev"), key: value}).problems == [f"{key}: not allowed; allowed: {allowed}"]


def test_load_reads_the_engines_config_with_secrets_as_secrets():
    """As harness.runtime.run does: the engine started as `pulumi up` starts it, then run_pulumi_func,
    which waits for every outstanding request (a bare set_mocks would leave the root's registration
    pending)."""
    from pulumi.runtime.sync_await import _sync_await
    config, secret_keys = full_config("prod")
    runtime.start_engine("prod", config, secret_keys, runtime.Mocks())
    loaded = {}
    _sync_await(pulumi.runtime.stack.run_pulumi_func(lambda: loaded.update(s=settings.load())))
    s = loaded["s"]
    assert s.environment == "prod" and s.kubernetes_context == config["kubernetes:context"]
    token = s.secrets.grafana_token
    assert isinstance(token, pulumi.Output)
    assert _sync_await(token.is_secret()) is True
    assert _sync_await(token.future()) == SECRET_VALUES["grafanaToken"]


def test_every_bad_cluster_spec_is_reported_not_only_the_last():
    err = _refusal({**stack_raw("dev"), "clusters": ["Bad ns=k preset=strimzi", "other ns=k preset=strimzi jmxPort=0"]})
    assert err.problems == [
        "clusters[0]: the cluster name is not allowed; allowed: a DNS label (lowercase letters, digits, '-', at most 40)",
        "clusters[1].jmxPort: not allowed; allowed: a port number (1-65535) or a container port name"]


def test_without_a_context_the_kubernetes_context_is_empty():
    assert settings.parse(stack_raw("dev"), dict(SECRET_VALUES)).kubernetes_context == ""


def test_a_namespace_typo_is_found_whatever_follows_its_first_colon():
    context = stack_context("dev", **{"kafka-monitorng:nested:key": "1"})
    assert _refusal(stack_raw("dev"), context).problems == [
        "kafka-monitorng:nested:key: unknown namespace 'kafka-monitorng'; did you mean kafka-monitoring:?"]


def test_every_required_setting_left_out_is_named():
    required = [k.name for k in schema.keys().values() if k.default is None and not k.secret]
    raw = {k: v for k, v in stack_raw("dev").items() if k not in required}
    problems = _refusal(raw).problems
    assert [p.split(":")[0] for p in problems] == required and len(required) >= 2
    assert problems[0] == f"{required[0]}: required setting is missing ({schema.keys()[required[0]].description})"


@pytest.mark.parametrize("stack,assumed", [("dev", True), ("prod", False)])
def test_load_marks_capacity_inputs_the_stack_file_leaves_out_as_assumed(stack, assumed):
    """The CLI hands the program Pulumi.yaml's defaults as if the stack had set them (pulumi/pulumi
    pkg/workspace/config.go, mergeConfig; harness.runtime.run applies them likewise), so load() reads the
    stack file to tell a declared capacity input from a default: dev declares none (its plan's refusals
    are warnings), prod declares every one (required there). Same answer as the preview's."""
    from pulumi.runtime.sync_await import _sync_await
    config, secret_keys = full_config(stack)
    project = schema.project_name()
    for key in schema.keys().values():   # what the CLI passes: the stack file over Pulumi.yaml's defaults
        if key.default is not None:
            config.setdefault(f"{project}:{key.name}", key.default)
    runtime.start_engine(stack, config, secret_keys, runtime.Mocks())
    loaded = {}
    _sync_await(pulumi.runtime.stack.run_pulumi_func(lambda: loaded.update(s=settings.load())))
    capacity_keys = {k for k in schema.keys() if k.startswith(settings.CAPACITY)}
    assert set(loaded["s"].capacity_assumed) == (capacity_keys if assumed else set())
    assert settings.stack_file_keys("no-such-stack") is None
    assert settings._declared_capacity_only({"capacityListeners": 3}, None) == {"capacityListeners": 3}


@pytest.mark.parametrize("key,problem", [
    ("objectLockDays\u200b", "objectLockDays<U+200B>: unknown setting: the key contains an invisible character, "
                             "U+200B (ZERO WIDTH SPACE); delete it (without it the key is objectLockDays)"),
    # Near miss: without the invisible character the key is still unknown, so no key is offered.
    ("\ufeffnoSuchKey", "<U+FEFF>noSuchKey: unknown setting: the key contains an invisible character, U+FEFF "
                        "(ZERO WIDTH NO-BREAK SPACE); delete it"),
])
def test_a_key_with_an_invisible_character_is_named_not_echoed(key, problem):
    """A key pasted with a BOM or a zero-width space looks right and is unknown; the refusal writes the
    character out (config/visible.py; tests/config/test_visible.py gives the categories)."""
    assert _refusal({**stack_raw("dev"), key: "1"}).problems == [problem]


def test_a_project_key_in_the_stack_file_with_an_invisible_namespace_character_is_named():
    """The engine hands keys outside `kafka-monitoring:` to the context: a BOM before the namespace puts
    a project key there. Known without the character: the message says which key it is; unknown: not."""
    context = stack_context("dev", **{"\ufeffkafka-monitoring:enableArchive": "true",
                                      "kafka-mon\u200bitoring:noSuchKey": "1"})
    assert _refusal(stack_raw("dev"), context).problems == [
        "kafka-mon<U+200B>itoring:noSuchKey: unknown setting: the key contains an invisible character, "
        "U+200B (ZERO WIDTH SPACE); delete it",
        "<U+FEFF>kafka-monitoring:enableArchive: unknown setting: the key contains an invisible character, "
        "U+FEFF (ZERO WIDTH NO-BREAK SPACE); delete it (without it the key is kafka-monitoring:enableArchive)"]


def test_an_invisible_character_in_one_key_does_not_hide_the_next_unknown_key():
    err = _refusal({**stack_raw("dev"), "enableArchive\u00a0": "true", "objectLockDay": 1})
    assert err.problems == [
        "enableArchive<U+00A0>: unknown setting: the key contains an invisible character, U+00A0 (NO-BREAK SPACE); "
        "delete it (without it the key is enableArchive)",
        "objectLockDay: unknown setting; did you mean objectLockDays?"]


def test_the_stack_name_and_region_come_from_the_context_and_are_empty_without_one():
    bare = settings.parse(stack_raw("dev"), dict(SECRET_VALUES))
    assert (bare.stack, bare.aws_region, bare.kubernetes_context) == ("", "", "")
    s = settings.parse(stack_raw("dev"), dict(SECRET_VALUES), stack_context("dev"))
    assert (s.stack, s.aws_region, s.kubernetes_context) == ("dev", "eu-west-1", "necpgame-dev")
    s = settings.parse({**stack_raw("dev"), "enableArchive": False}, dict(SECRET_VALUES),
                       stack_context("dev", **{"aws:region": None}))
    assert s.aws_region == ""


def test_prod_names_each_capacity_input_its_stack_file_leaves_out():
    raw = {k: v for k, v in stack_raw("prod").items() if k != "capacityListeners"}
    assert _refusal(raw, stack_context("prod")).problems == [
        "capacityListeners: required in prod: declare the measured or planned value in the stack file (the default "
        "is only an assumption)"]


def test_the_stack_file_is_read_from_the_root_the_engine_gives(tmp_path, monkeypatch):
    """pulumi.runtime.get_root_directory (pulumi 3, runtime/settings.py) is the project's root as the
    engine sends it; without one (None) the program's own folder is read."""
    from pulumi.runtime import settings as runtime_settings
    (tmp_path / "Pulumi.qa.yaml").write_text("config:\n  kafka-monitoring:capacityListeners: 3\n  aws:region: eu-west-1\n")
    monkeypatch.setattr(runtime_settings.SETTINGS, "root_directory", str(tmp_path))
    assert settings.stack_file_keys("qa") == frozenset({"capacityListeners", "aws:region"})
    assert settings.stack_file_keys("prod") is None
    monkeypatch.setattr(runtime_settings.SETTINGS, "root_directory", None)
    assert settings.stack_file_keys("qa") is None
    assert settings.stack_file_keys("prod") == frozenset(
        k.removeprefix("kafka-monitoring:") for k in yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"])


def test_load_reads_an_optional_secret_left_empty_in_plain_text_as_unset():
    """The CLI passes an optional secret the stack leaves unset as its empty default, not marked secret
    (pulumi/pulumi pkg/workspace/config.go mergeConfig hands Pulumi.yaml's defaults over like set values):
    unset, not a plaintext leak. A non-empty plain value is refused."""
    from pulumi.runtime.sync_await import _sync_await
    without = {k: v for k, v in SECRET_VALUES.items() if k != "grafanaToken"}
    config, secret_keys = full_config("dev", without, enableGrafana=False)
    config["kafka-monitoring:grafanaToken"] = ""
    runtime.start_engine("dev", config, secret_keys, runtime.Mocks())
    loaded = {}
    _sync_await(pulumi.runtime.stack.run_pulumi_func(lambda: loaded.update(s=settings.load())))
    assert loaded["s"].enable_grafana is False and loaded["s"].secrets.grafana_token is None
    config["kafka-monitoring:grafanaToken"] = "glsa_LEAKCHECK-plain"
    runtime.start_engine("dev", config, secret_keys, runtime.Mocks())
    with pytest.raises(settings.SettingsError) as err:
        _sync_await(pulumi.runtime.stack.run_pulumi_func(settings.load))
    assert err.value.problems == [
        "grafanaToken: a secret must be set with `pulumi config set --secret grafanaToken`, not as a plain value"]
