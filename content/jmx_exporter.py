"""A faithful model of how the Prometheus JMX exporter (1.x) turns MBean attributes into samples.

Content, not a test helper: the capacity plan (content/capacity.py) runs the rendered rules through
it to count the series they make, and the JMX tests check the rules with it.

Source: prometheus/jmx_exporter, tag 1.0.1,
collector/src/main/java/io/prometheus/jmx/JmxCollector.java:
- `recordBean` matches each rule against
  `matchName = domain + "<" + k1=v1, k2=v2 + ">" + "<" + attrKeys + ">" + attrName + ": " + value`
  (the bean's key properties in registration order, joined by ", "; the attribute's value appended);
- every pattern is compiled as `"^.*(?:" + pattern + ").*$"` (`loadConfig`);
- the first rule whose pattern matches wins; an unmatched attribute is not exported;
- name = safeName(matcher.replaceAll(rule.name)), lower-cased when `lowercaseOutputName`;
- each label name = safeName(replaceAll(key)), lower-cased when `lowercaseOutputLabelNames`; its
  value = replaceAll(value); a label whose name or value comes out empty is dropped;
- a rule `value` replaces the bean's value; otherwise only Number and Boolean values are exported
  (a String attribute without a rule `value` is dropped: "Ignoring unsupported bean");
- safeName: characters outside [a-zA-Z0-9:_] become "_", runs of "_" collapse into one, and a
  leading digit gets a "_" prefix (`safeName`, `isLegalCharacter`).
- the type is the rule's `type`, compared case-sensitively: "COUNTER" and "GAUGE" make counters and
  gauges, "UNTYPED" (read as "UNKNOWN") and anything else or nothing an unknown-typed metric
  (`loadConfig`, MatchedRuleToMetricSnapshotsConverter.java).
- the name is then passed through client_java's `PrometheusNaming.sanitizeMetricName` (v1.3.1, the
  version jmx_exporter 1.0.1 builds with; MatchedRule.java `withValue`), which strips the reserved
  suffixes `_total`, `_created`, `_bucket` and `_info` from the end, again and again while one is
  left; the text format writes a counter's name with `_total` appended, and a gauge's or an
  unknown-typed metric's as it is (PrometheusTextFormatWriter.java `writeCounter`, `writeGauge`,
  `writeUnknown`). So a GAUGE named `..._tls_info` is exposed as `..._tls`. Both files are vendored
  under tests/upstream/; tests/content/test_jmx.py holds RESERVED_SUFFIXES to the source's list.
Java's `$n` in a replacement is a group reference; a group that did not take part yields "".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any



@dataclass(frozen=True)
class Attribute:
    """One MBean attribute as the exporter sees it."""
    domain: str
    properties: tuple[tuple[str, str], ...]   # key properties in registration order
    attribute: str
    value: Any                                # int/float/bool, or a str for String gauges

    @classmethod
    def parse(cls, object_name: str, attribute: str, value: Any) -> "Attribute":
        """From the ObjectName as Kafka's documentation writes it: `domain:k1=v1,k2=v2`."""
        domain, _, keys = object_name.partition(":")
        props = tuple(tuple(kv.split("=", 1)) for kv in keys.split(","))
        return cls(domain, props, attribute, value)  # type: ignore[arg-type]

    def match_name(self) -> str:
        props = ", ".join(f"{k}={v}" for k, v in self.properties)
        return f"{self.domain}<{props}><>{self.attribute}: {_java_str(self.value)}"


def _java_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # Double.toString: 3.0, 0.25
    return str(value)


def safe_name(name: str) -> str:
    out = ["_"] if name and name[0].isdigit() else []
    prev_underscore = False
    for ch in name:
        legal = ch == ":" or ch == "_" or ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9")
        if not legal or ch == "_":
            if not prev_underscore:
                out.append("_")
                prev_underscore = True
        else:
            out.append(ch)
            prev_underscore = False
    return "".join(out)


# client_java v1.3.1 PrometheusNaming.RESERVED_METRIC_NAME_SUFFIXES, in its order (jmx_exporter
# 1.0.1 names never hold a '.', which replaceIllegalCharsInMetricName turns into '_' first).
RESERVED_SUFFIXES = ("_total", "_created", "_bucket", "_info", ".total", ".created", ".bucket", ".info")


def sanitize_metric_name(name: str, suffixes: tuple[str, ...]) -> str:
    """PrometheusNaming.sanitizeMetricName after safeName (whose output has no illegal character):
    reserved suffixes are cut from the end until none is left; a name that is only a suffix loses
    its leading `_` or `.`."""
    modified = True
    while modified:
        modified = False
        for suffix in suffixes:
            if name == suffix:
                return suffix[1:]
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                modified = True
    return name


def _replace(m: re.Match, template: str) -> str:
    return re.sub(r"\$(\d+)", lambda g: m.group(int(g.group(1))) or "", str(template))


@dataclass(frozen=True)
class Sample:
    name: str
    labels: tuple[tuple[str, str], ...]
    value: float
    type: str = "UNKNOWN"   # COUNTER, GAUGE or UNKNOWN


def export(config: dict, attr: Attribute) -> Sample | None:
    """The sample the exporter emits for one attribute, or None."""
    match_name = attr.match_name()
    for rule in config.get("rules", []):
        m = re.fullmatch("^.*(?:" + rule["pattern"] + ").*$", match_name)
        if not m:
            continue
        value = attr.value
        if rule.get("value") not in (None, ""):
            value = float(_replace(m, str(rule["value"])))
        name = safe_name(_replace(m, rule["name"]))
        if not name:
            return None
        if config.get("lowercaseOutputName"):
            name = name.lower()
        labels = []
        for key, val in (rule.get("labels") or {}).items():
            label = safe_name(_replace(m, key))
            if config.get("lowercaseOutputLabelNames"):
                label = label.lower()
            text = _replace(m, val)
            if label and text:
                labels.append((label, text))
        if isinstance(value, bool):
            value = 1.0 if value else 0.0
        if not isinstance(value, (int, float)):
            return None  # "Ignoring unsupported bean"
        declared = rule.get("type")
        kind = declared if declared in ("COUNTER", "GAUGE") else "UNKNOWN"
        name = sanitize_metric_name(name, RESERVED_SUFFIXES)
        return Sample(name + "_total" if kind == "COUNTER" else name, tuple(labels), float(value), kind)
    return None
