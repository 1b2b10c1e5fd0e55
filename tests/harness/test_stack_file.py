"""The offline preview reads a stack file as the Pulumi CLI does (harness/stack_file.py).

Sources, each read at the tag named:
- pulumi/pulumi v3.259.0 (the newest tag in the stored snapshot; the pinned SDK is 3.272.0, whose
  Python side is the installed package): sdk/go/common/workspace/loaders.go (LoadProjectStack,
  readFileStripUTF8BOM, LoadProjectStackBytes, stackConfigNamespacedWithProject,
  checkForEmptyConfig), sdk/go/common/encoding/marshal.go (yamlMarshaler: gopkg.in/yaml.v3),
  sdk/go.mod and pkg/go.mod (gopkg.in/yaml.v3 v3.0.1), sdk/go/common/resource/config/object.go
  (unmarshalObject: time.Time -> String(); MarshalString: numbers and bools as JSON text),
  pkg/workspace/config.go and sdk/go/common/workspace/project.go (ValidateConfigValue: a boolean
  key takes "true"/"false" only, an integer key what strconv.Atoi reads).
- go-yaml/yaml v3.0.1 (commit f6f7691b1fdeb513f56608cd2c32c51f8194bf51): resolve.go (resolve,
  resolveMap, yamlStyleFloat, parseTimestamp), decode.go (prepare: no Unmarshaler for null),
  scannerc.go (a BOM at column 0 is skipped).
- pulumi 3.272.0's Python SDK, installed: pulumi/config.py (_get_bool: true/True/false/False;
  _get_int: int()), pulumi/runtime/config.py (the program's config is a map of strings).
"""
from __future__ import annotations

import datetime

import pulumi
import pytest
import yaml
from pulumi.runtime.config import set_all_config

from config import settings
from harness import preview, runtime, stack_file
from tests.conftest import ROOT

ERROR = "error"
BOOL_ERROR = "ConfigTypeError"

# yaml text | PyYAML (YAML 1.1, what the preview read before) | the string the CLI hands the program
# | pulumi.Config.get_bool | pulumi.Config.get_int   (BOOL_ERROR: the SDK refuses it)
TABLE = [
    ("no", False, "no", BOOL_ERROR, BOOL_ERROR),          # YAML 1.1 boolean, a string to yaml.v3
    ("off", False, "off", BOOL_ERROR, BOOL_ERROR),
    ("yes", True, "yes", BOOL_ERROR, BOOL_ERROR),
    ("on", True, "on", BOOL_ERROR, BOOL_ERROR),
    ("y", "y", "y", BOOL_ERROR, BOOL_ERROR),
    ("True", True, "true", True, BOOL_ERROR),             # resolveMap: true, True, TRUE
    ("FALSE", False, "false", False, BOOL_ERROR),
    ("0755", 493, "493", BOOL_ERROR, 493),                # strconv.ParseInt(s, 0, 64): octal
    ("0o755", "0o755", "493", BOOL_ERROR, 493),           # YAML 1.2 octal, read by ParseInt too
    ("08", "08", "8", BOOL_ERROR, 8),                     # not octal: yamlStyleFloat, then 8
    ("-0755", -493, "-493", BOOL_ERROR, -493),
    ("0x1F", 31, "31", BOOL_ERROR, 31),
    ("0b101", 5, "5", BOOL_ERROR, 5),
    ("+12", 12, "12", BOOL_ERROR, 12),
    ("1_000", 1000, "1000", BOOL_ERROR, 1000),            # underscores removed before ParseInt
    ("1e3", "1e3", "1000", BOOL_ERROR, 1000),             # a float to yaml.v3, written back as 1000
    ("1.0e+3", 1000.0, "1000", BOOL_ERROR, 1000),
    ("3.0", 3.0, "3", BOOL_ERROR, 3),                     # Go's JSON drops the .0
    (".5", 0.5, "0.5", BOOL_ERROR, BOOL_ERROR),
    ("1.10", 1.1, "1.1", BOOL_ERROR, BOOL_ERROR),
    ("1e-7", "1e-7", "1e-7", BOOL_ERROR, BOOL_ERROR),     # Go's JSON: 'e' below 1e-6, e-07 -> e-7
    ("1e400", "1e400", "1e400", BOOL_ERROR, BOOL_ERROR),  # out of range: ParseFloat fails, a string
    ("12345678901234567890", 12345678901234567890, "12345678901234567890", BOOL_ERROR,
     12345678901234567890),                               # past int64: ParseUint
    ("1:20", 80, "1:20", BOOL_ERROR, BOOL_ERROR),         # YAML 1.1 sexagesimal; yaml.v3 has none
    ("=", ERROR, "=", BOOL_ERROR, BOOL_ERROR),            # YAML 1.1's value key: PyYAML cannot build it
    ("~", None, "", BOOL_ERROR, BOOL_ERROR),              # null: the CLI passes "", a set, empty key
    ("null", None, "", BOOL_ERROR, BOOL_ERROR),
    ("", None, "", BOOL_ERROR, BOOL_ERROR),
    ("2001-12-14", datetime.date(2001, 12, 14), "2001-12-14 00:00:00 +0000 UTC", BOOL_ERROR, BOOL_ERROR),
    ("2001-12-14 21:59:43.10", datetime.datetime(2001, 12, 14, 21, 59, 43, 100000),
     "2001-12-14 21:59:43.1 +0000 UTC", BOOL_ERROR, BOOL_ERROR),
    ("2001-12-14 21:59:43.10 -5",  # YAML 1.1's example; Go's time.Parse cannot read it: a string
     datetime.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))),
     "2001-12-14 21:59:43.10 -5", BOOL_ERROR, BOOL_ERROR),
    ('"0755"', "0755", "0755", BOOL_ERROR, 755),          # quoted: a string to both
    ("'no'", "no", "no", BOOL_ERROR, BOOL_ERROR),
    ("007x", "007x", "007x", BOOL_ERROR, BOOL_ERROR),     # near miss: not a number to either
]


def _file(text: str) -> str:
    return f"config:\n  kafka-monitoring:k: {text}\n"


def _pyyaml(text: str):
    try:
        return yaml.safe_load(_file(text))["config"]["kafka-monitoring:k"]
    except yaml.YAMLError:
        return ERROR


def _sdk(method: str, value: str):
    set_all_config({"kafka-monitoring:k": value})
    try:
        return getattr(pulumi.Config("kafka-monitoring"), method)("k")
    except pulumi.ConfigTypeError:
        return BOOL_ERROR
    finally:
        set_all_config({})


@pytest.mark.parametrize("text,yaml11,cli,as_bool,as_int", TABLE, ids=[row[0] or "empty" for row in TABLE])
def test_a_value_reaches_the_program_as_the_cli_passes_it(text, yaml11, cli, as_bool, as_int):
    """Each row: what YAML 1.1 (PyYAML) made of it, and what the CLI passes (yaml.v3's resolve, then
    config.Value), which the Python SDK's get_bool/get_int then read."""
    assert _pyyaml(text) == yaml11
    decoded = stack_file.decode(_file(text), "Pulumi.x.yaml", "kafka-monitoring")
    assert decoded.config == {"kafka-monitoring:k": cli}
    assert _sdk("get_bool", cli) == as_bool
    assert _sdk("get_int", cli) == as_int


def test_lists_and_maps_carry_yaml_v3_values_and_secure_values_stay_secret():
    decoded = stack_file.decode("config:\n  kafka-monitoring:l: [no, 0755, 1e3, 2.5, ~, True]\n"
                                "  kafka-monitoring:m: {on: yes}\n"
                                "  kafka-monitoring:s:\n    secure: v1:abc\n", "P.yaml", "kafka-monitoring")
    assert decoded.config["kafka-monitoring:l"] == ["no", 493, 1000, 2.5, None, True]
    assert decoded.config["kafka-monitoring:m"] == {"on": "yes"}  # keys resolve as values do
    assert decoded.secure == {"kafka-monitoring:s"}


def test_a_key_without_a_namespace_takes_the_projects_as_the_cli_does():
    """loaders.go stackConfigNamespacedWithProject: `objectLockDays: 3` is kafka-monitoring:objectLockDays."""
    decoded = stack_file.decode("config:\n  objectLockDays: 3\n  aws:region: eu-west-1\n", "P.yaml", "kafka-monitoring")
    assert decoded.config == {"kafka-monitoring:objectLockDays": "3", "aws:region": "eu-west-1"}
    assert decoded.problems == []


def test_a_key_set_with_and_without_its_namespace_is_refused():
    """The CLI keeps whichever of the two its map iteration meets last (Go's map order is random)."""
    decoded = stack_file.decode("config:\n  kafka-monitoring:objectLockDays: 2557\n  objectLockDays: 1\n",
                                "Pulumi.prod.yaml", "kafka-monitoring")
    assert decoded.problems == ["Pulumi.prod.yaml:3: objectLockDays is set twice "
                                "(as objectLockDays and as kafka-monitoring:objectLockDays)"]


@pytest.mark.parametrize("text", ["0755", "02557", "-0755", "08", "0_755"])
def test_a_number_with_a_leading_zero_is_refused_with_its_line_and_why(text):
    decoded = stack_file.decode(f"config:\n  aws:region: x\n  kafka-monitoring:objectLockDays: {text}\n",
                                "Pulumi.prod.yaml", "kafka-monitoring")
    assert len(decoded.problems) == 1
    problem = decoded.problems[0]
    assert problem.startswith("Pulumi.prod.yaml:3: kafka-monitoring:objectLockDays: a number written with a leading 0")
    assert "octal" in problem and text not in problem


@pytest.mark.parametrize("text", ["0", "10", "0.5", "0o755", '"02557"', "0x10", "2557"])
def test_near_misses_of_a_leading_zero_are_not_refused(text):
    assert stack_file.decode(_file(text), "P.yaml", "kafka-monitoring").problems == []


def test_a_bom_at_the_start_or_at_column_0_is_dropped_as_the_cli_does():
    text = "\ufeffconfig:\n\ufeff  kafka-monitoring:k: v\n"
    assert stack_file.decode(text, "P.yaml", "kafka-monitoring").config == {"kafka-monitoring:k": "v"}


def test_infinity_is_refused_as_the_cli_refuses_it():
    decoded = stack_file.decode(_file(".inf"), "P.yaml", "kafka-monitoring")
    assert decoded.problems == ["P.yaml:2: kafka-monitoring:k: infinity and NaN are refused by the Pulumi CLI "
                                "(it writes config as JSON)"]


def test_a_duplicate_key_is_named_visibly():
    with pytest.raises(yaml.MarkedYAMLError) as err:
        stack_file.decode("config:\n  a\u200b: 1\n  a\u200b: 2\n", "P.yaml", "kafka-monitoring")
    assert err.value.problem == "a<U+200B> is set twice (first on line 2)"


def test_every_default_in_pulumi_yaml_reads_the_same_to_the_cli_and_to_pyyaml():
    """config/schema.py reads Pulumi.yaml with PyYAML; the CLI reads it with yaml.v3. A default
    that the two read differently (a `no`, a `0755`) would preview one value and deploy another."""
    text = (ROOT / "Pulumi.yaml").read_text()
    ours = yaml.safe_load(text)["config"]
    loader = stack_file.CliLoader(text)
    try:
        theirs = loader.get_single_data()["config"]
    finally:
        loader.dispose()
    assert loader.leading_zero == []
    defaults = {k: d["default"] for k, d in ours.items() if "default" in d}
    assert defaults and {k: theirs[k]["default"] for k in defaults} == defaults


def _preview(tmp_path, monkeypatch, stack: str, line: str, capsys) -> tuple[int, str]:
    (tmp_path / f"Pulumi.{stack}.yaml").write_text((ROOT / f"Pulumi.{stack}.yaml").read_text() + line)
    monkeypatch.setattr(runtime, "STACKS_DIR", tmp_path)
    code = preview.main([stack, "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().err


def test_the_preview_refuses_an_octal_lock_period_by_what_is_wrong(tmp_path, monkeypatch, capsys):
    """Issue 26: `objectLockDays: 02557` was refused as "prod requires at least 2557" (it is 1391)."""
    text = (ROOT / "Pulumi.prod.yaml").read_text()
    assert "kafka-monitoring:objectLockDays: 2557\n" in text
    (tmp_path / "Pulumi.prod.yaml").write_text(text.replace("objectLockDays: 2557", "objectLockDays: 02557"))
    monkeypatch.setattr(runtime, "STACKS_DIR", tmp_path)
    assert preview.main(["prod", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "kafka-monitoring:objectLockDays: a number written with a leading 0" in err
    assert "at least" not in err and "02557" not in err and "1391" not in err


def test_a_yaml_11_boolean_is_refused_as_the_cli_refuses_it(tmp_path, monkeypatch, capsys):
    """`enableArchive: no` was False to PyYAML and previewed clean; the CLI passes "no", and its
    ValidateConfigValue refuses it for a boolean key before the program runs."""
    code, err = _preview(tmp_path, monkeypatch, "dev", "  kafka-monitoring:createMonitoringNamespace: no\n", capsys)
    assert code == 2 and "createMonitoringNamespace: not allowed; allowed: true or false" in err
    code, _ = _preview(tmp_path, monkeypatch, "dev", "  kafka-monitoring:createMonitoringNamespace: False\n", capsys)
    assert code in (0, 1)  # near miss: False is a YAML boolean to the CLI too


def test_a_bom_inside_a_key_is_named_not_echoed():
    for raw_key, bare in (("\ufeffenableArchive", "enableArchive"), ("enable\u200bArchive", "enableArchive")):
        with pytest.raises(settings.SettingsError) as err:
            settings.parse({raw_key: "true"})
        problem = next(p for p in err.value.problems if "invisible" in p)
        assert "\ufeff" not in problem and "\u200b" not in problem
        assert problem.endswith(f"; delete it (without it the key is {bare})")
        assert ("U+FEFF (ZERO WIDTH NO-BREAK SPACE)" in problem) == ("\ufeff" in raw_key)
        assert ("U+200B (ZERO WIDTH SPACE)" in problem) == ("\u200b" in raw_key)


def test_a_bom_inside_a_namespace_is_named_not_echoed(tmp_path, monkeypatch, capsys):
    code, err = _preview(tmp_path, monkeypatch, "dev", "  \ufeffkafka-monitoring:enableArchive: true\n", capsys)
    assert code == 2 and "\ufeff" not in err
    assert ("<U+FEFF>kafka-monitoring:enableArchive: unknown setting: the key contains an invisible character, "
            "U+FEFF (ZERO WIDTH NO-BREAK SPACE); delete it (without it the key is kafka-monitoring:enableArchive)") in err
