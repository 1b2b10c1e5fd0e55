"""Read Pulumi.<stack>.yaml as the Pulumi CLI does, down to the strings the program receives.

The CLI (pulumi/pulumi at v3.259.0, the newest tag read; `sdk/go/common/workspace/loaders.go`,
LoadProjectStack and LoadProjectStackBytes) decodes a stack file with gopkg.in/yaml.v3 v3.0.1
(`sdk/go/common/encoding/marshal.go`, yamlMarshaler; version in sdk/go.mod and pkg/go.mod):
1. a UTF-8 BOM at the start of the file is dropped (readFileStripUTF8BOM);
2. yaml.v3 decodes it into Go values; its plain-scalar resolver (resolve.go, `resolve`) is neither
   YAML 1.1 (PyYAML) nor the 1.2 core schema: only true/True/TRUE and false/False/FALSE are
   booleans (`yes`, `no`, `on`, `off` are strings), an integer is whatever Go's
   strconv.ParseInt(s, 0, 64) reads once underscores are removed (`0755` and `0o755` are octal,
   `0x1F` hex, `1_000` is 1000), then a float by the regex yamlStyleFloat (`1e3`, `.5`, and `08`,
   which is not octal), then a timestamp `YYYY-M-D[...]`; `~`, `null` and nothing are null;
   sexagesimal `1:20` and YAML 1.1's `=` are strings. A BOM at column 0 is skipped
   (scannerc.go, yaml_parser_scan_to_next_token);
3. a key without a namespace gets the project's (stackConfigNamespacedWithProject);
4. each value becomes a config.Value (`sdk/go/common/resource/config/object.go`, unmarshalObject
   and object.MarshalString): a string as written, a bool as `true`/`false`, a number as Go's
   encoding/json writes it (after a YAML round trip: marshal.go re-encodes the decoded file, so
   `1e3` arrives as `1000`), a timestamp as Go's time.Time.String() (`2001-12-14` arrives as
   `2001-12-14 00:00:00 +0000 UTC`), a list or map as JSON, `{secure: ...}` as a secret, and null
   as `""` (yaml.v3 does not call an Unmarshaler for null: decode.go, prepare; the CLI warns
   "treated as an empty string", loaders.go checkForEmptyConfig).
The program then reads those strings (pulumi 3.272.0 `pulumi/config.py`: get_bool accepts only
true/True/false/False, get_int int()), and the CLI checks typed keys first (pkg/workspace/config.go,
validateStackConfigValue and workspace.ValidateConfigValue: a boolean key takes only `true`/`false`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import yaml

from config.visible import visible

TAG = "tag:yaml.org,2002:"
# yaml.v3 resolve.go: resolveTable hints and resolveMap.
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_NULLS = {"", "~", "null", "Null", "NULL"}
_SPECIAL_FLOATS = {".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
                   **{f"{s}{i}": (-math.inf if s == "-" else math.inf)
                      for s in ("", "+", "-") for i in (".inf", ".Inf", ".INF")}}
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
                        r"(?:([Tt ])([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(\.[0-9]{1,9})?"
                        r"(Z|[-+][0-9]{2}:[0-9]{2})?)?")
# A number written with a leading 0: octal to yaml.v3 when every digit is 0-7 (0755 is 493),
# decimal when not (08 is 8); YAML 1.2 and the reader both expect neither.
LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")


def go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), then ParseUint(text, 0, 64) (Go's strconv/atoi.go)."""
    sign, body = 1, text
    if body[:1] in ("+", "-"):
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    base = 10
    if len(body) > 1 and body[0] == "0":
        base, body = {"x": (16, body[2:]), "b": (2, body[2:]), "o": (8, body[2:])}.get(body[1].lower(), (8, body[1:]))
    if not body or any(c.lower() not in "0123456789abcdef"[:base] for c in body):
        return None
    value = sign * int(body, base)
    if -2 ** 63 <= value < 2 ** 63 or (0 <= value < 2 ** 64 and text[0] != "+"):
        return value
    return None


def _timestamp(text: str) -> str | None:
    """yaml.v3 parseTimestamp's formats, as Go's time.Time.String() prints the result (a time
    without a zone is UTC; an offset prints as +hhmm twice, the fixed zone Go makes for it)."""
    m = _TIMESTAMP.fullmatch(text)
    if not m:
        return None
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if m[4] and m[4] != " " and not m[9] or m[4] == " " and m[9]:
        return None  # 'T' needs a zone and a space takes none (allowedTimestampFormats)
    hour, minute, second = (int(m[i]) for i in (5, 6, 7)) if m[4] else (0, 0, 0)
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    frac = (m[8] or "").rstrip("0").rstrip(".") if m[8] else ""
    zone = "+0000 UTC" if not m[9] or m[9] == "Z" else f"{m[9][:3]}{m[9][4:]} {m[9][:3]}{m[9][4:]}"
    return f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}{frac} {zone}"


def resolve(text: str) -> tuple[str, Any]:
    """(tag, value) of a plain scalar, as yaml.v3 v3.0.1 resolve("", text) returns it."""
    if text in _NULLS:
        return "null", None
    hint = text[0]
    if hint not in "+-0123456789yYnNtTfFoO~.":
        return "str", text
    if text in _BOOLS:
        return "bool", _BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return "float", _SPECIAL_FLOATS[text]
    if hint == ".":
        try:
            return "float", float(text)
        except ValueError:
            return "str", text
    if hint in "+-0123456789":
        stamp = _timestamp(text)
        if stamp is not None:
            return "timestamp", stamp
        plain = text.replace("_", "")
        number = go_int(plain) if plain else None
        if number is not None:
            return "int", number
        if _YAML_STYLE_FLOAT.fullmatch(plain) and not math.isinf(float(plain)):
            return "float", float(plain)
    return "str", text


def go_float(value: float) -> str:
    """A float64 as Go's encoding/json writes it (encode.go, floatEncoder: 'f', or 'e' below 1e-6
    and from 1e21, shortest digits, e-07 shortened to e-7); integral values carry no '.0'."""
    if math.isinf(value) or math.isnan(value):
        raise ValueError("json: unsupported value")  # what the CLI's JSON encoding refuses
    magnitude = abs(value)
    number = Decimal(repr(value)).normalize()
    if magnitude == 0 or 1e-6 <= magnitude < 1e21:
        return format(number, "f")
    sign, digits, exponent = number.as_tuple()
    exponent += len(digits) - 1
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    power = f"e-{-exponent:02d}".replace("e-0", "e-") if exponent < 0 else f"e+{exponent:02d}"
    return ("-" if sign else "") + mantissa + power


def cli_text(value: Any) -> str:
    """The string a program receives for a decoded top-level value (config.Value.Value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    return value


def cli_object(value: Any) -> Any:
    """A list or map inside a value, with numbers as the CLI's JSON would carry them."""
    if isinstance(value, float):
        text = go_float(value)
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else value
    if isinstance(value, list):
        return [cli_object(v) for v in value]
    if isinstance(value, dict):
        return {str(k): cli_object(v) for k, v in value.items()}
    return value


class CliLoader(yaml.SafeLoader):
    """PyYAML's parser with yaml.v3's scalar resolution; a key written twice is an error (yaml.v3:
    "mapping key ... already defined"), and numbers written with a leading 0 are recorded."""

    def __init__(self, stream):
        super().__init__(stream)
        self.leading_zero: list[int] = []

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            return TAG + resolve(value)[0]
        return super().resolve(kind, value, implicit)

    def construct_go_scalar(self, node):
        tag, value = resolve(self.construct_scalar(node))
        if tag in ("int", "float") and LEADING_ZERO.fullmatch(node.value):
            self.leading_zero.append(node.start_mark.line)
        if node.tag == TAG + "float" and tag == "int":
            return float(value)  # an explicit !!float on an integer (resolve.go's deferred check)
        if node.tag != TAG + tag:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot decode {tag} as {node.tag.removeprefix(TAG)}", node.start_mark)
        return value

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.MarkedYAMLError(problem=f"{visible(str(key))} is set twice (first on line {seen[key] + 1})",
                                           problem_mark=key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


for _tag in ("null", "bool", "int", "float", "timestamp"):
    CliLoader.add_constructor(TAG + _tag, CliLoader.construct_go_scalar)


@dataclass
class Decoded:
    config: dict[str, Any] = field(default_factory=dict)  # full key -> CLI text, or a list/map
    secure: set[str] = field(default_factory=set)          # keys given as {secure: ...}
    problems: list[str] = field(default_factory=list)      # `<file>:<line>: ...`, values never echoed


def decode(text: str, name: str, project: str) -> Decoded:
    """The config of a stack file as the CLI hands it to the program. Raises yaml.YAMLError."""
    text = text.removeprefix("\ufeff")
    text = re.sub(r"(?m)^\ufeff", "", text)  # yaml.v3 skips a BOM at column 0
    loader = CliLoader(text)
    try:
        node = loader.get_single_node()
        doc = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    result = Decoded()
    config = (doc.get("config") if isinstance(doc, dict) else None) or {}
    if not isinstance(config, dict):
        result.problems.append(f"{name}: config must be a mapping of <namespace>:<key> to values")
        return result
    lines = {key_node.value: key_node.start_mark.line + 1 for key_node, _ in _config_nodes(node)}
    for key, value in config.items():
        key = str(key)
        full = key if ":" in key else f"{project}:{key}"  # stackConfigNamespacedWithProject
        if full in result.config:
            result.problems.append(f"{name}:{lines.get(key, '?')}: {visible(key)} is set twice "
                                   f"(as {visible(key)} and as {visible(full)})")
            continue
        if isinstance(value, dict) and set(value) == {"secure"}:
            result.secure.add(full)
            result.config[full] = value
        elif isinstance(value, (dict, list)):
            result.config[full] = cli_object(value)
        else:
            try:
                result.config[full] = cli_text(value)
            except ValueError:
                result.problems.append(f"{name}:{lines.get(key, '?')}: {visible(full)}: infinity and NaN are "
                                       "refused by the Pulumi CLI (it writes config as JSON)")
    for line in sorted(set(loader.leading_zero)):
        key = max(((n, k) for k, n in lines.items() if n <= line + 1), default=(0, None))[1]
        result.problems.append(
            f"{name}:{line + 1}: {visible(str(key)) if key else 'a value'}: a number written with a leading 0; "
            "the Pulumi CLI reads it as an octal number (when every digit is 0-7) or drops the zero: write "
            "it without leading zeros, or quote it to keep it a string")
    return result


def _config_nodes(node) -> list:
    """The (key, value) nodes of the file's config mapping, for line numbers."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == "config" and isinstance(value_node, yaml.MappingNode):
                return value_node.value
    return []
