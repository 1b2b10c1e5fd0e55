"""content/fluent_bit.py: every property of every section is one Fluent Bit v3.1.9 accepts.

Fluent Bit checks each instance's properties against its plugin's config map and the properties
every input, filter or output takes, case-insensitively, and refuses to start on any other
("unknown configuration property"); the [SERVICE] keys are its FLB_CONF_* names. The lists are
extracted from the v3.1.9 sources (tests/upstream/fluent-bit-v3.1.9/properties.txt; v3.1.9 is the
appVersion of the pinned fluent-bit chart 0.47.10)."""
from __future__ import annotations

import pytest

from config.sections import CollectionArgs
from content import fluent_bit
from tests.conftest import make_settings
from tests.upstream import fluent_bit_properties

PROPERTIES = fluent_bit_properties()


BOOLEANS = {"true", "on", "yes", "false", "off", "no"}  # src/flb_utils.c flb_utils_bool, case-insensitive


def unknown(sections) -> list[str]:
    """Unknown properties, and boolean properties whose value flb_utils_bool cannot read."""
    found = []
    for kind, entries in sections:
        keys = [k.lower() for k, _ in entries]
        plugin = dict((k.lower(), v) for k, v in entries).get("name")
        allowed = PROPERTIES[kind] | PROPERTIES.get(plugin, set())
        assert kind == "SERVICE" or plugin in PROPERTIES, f"no property list for plugin {plugin}"
        found += [f"{kind} {plugin}: {k}" for k in keys if k not in allowed]
        booleans = PROPERTIES.get(f"{kind} booleans", set()) | PROPERTIES.get(f"{plugin} booleans", set())
        found += [f"{kind} {plugin}: {k}={v}" for k, v in entries if k.lower() in booleans and v.lower() not in BOOLEANS]
    return found


@pytest.mark.parametrize("stack,archive", [("prod", "kafka-archive"), ("prod", None), ("dev", None)])
def test_every_property_is_one_fluent_bit_accepts(stack, archive):
    groups = fluent_bit.sections(CollectionArgs.of(make_settings(stack)), archive, "eu-west-1" if archive else "")
    assert unknown([section for sections in groups.values() for section in sections]) == []
    assert unknown([("OUTPUT", [("Name", "es"), ("Logstash_Prefx", "x"), ("Trace_Error", "Onn")])]) == [
        "OUTPUT es: logstash_prefx", "OUTPUT es: Trace_Error=Onn"]


@pytest.mark.parametrize("url,host,port,tls", [("https://es.example", "es.example", "443", "On"),
                                                ("https://es.example:9200", "es.example", "9200", "On"),
                                                ("http://es.example", "es.example", "80", "Off")])
def test_the_output_reaches_the_urls_host_and_port_with_tls_as_its_scheme_says(url, host, port, tls):
    """A URL without a port means the scheme's (RFC 3986: 443 for https, 80 for http); Fluent Bit's
    es output defaults to port 9200 otherwise, so the port is always written."""
    s = make_settings("dev", elasticsearchUrl=url)
    outputs = fluent_bit.sections(CollectionArgs.of(s))["outputs"]
    (es,) = [dict(entries) for _, entries in outputs if dict(entries)["Name"] == "es"]
    assert (es["Host"], es["Port"], es["tls"]) == (host, port, tls)
