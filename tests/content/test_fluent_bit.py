"""content/fluent_bit.py: every property of every section is one Fluent Bit v3.1.9 accepts.

Fluent Bit checks each instance's properties against its plugin's config map and the properties
every input, filter or output takes, case-insensitively, and refuses to start on any other
("unknown configuration property"); the [SERVICE] keys are its FLB_CONF_* names. The lists are
extracted from the v3.1.9 sources (tests/upstream/fluent-bit-v3.1.9/properties.txt; v3.1.9 is the
appVersion of the pinned fluent-bit chart 0.47.10)."""
from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from config.sections import CollectionArgs
from content import catalogue, fluent_bit, scrape
from tests.conftest import make_settings
from tests.upstream import HERE as UPSTREAM, chart, fluent_bit_properties

PROPERTIES = fluent_bit_properties()


BOOLEANS = {"true", "on", "yes", "false", "off", "no"}  # src/flb_utils.c flb_utils_bool, case-insensitive


def atof(text: str) -> float:
    """C's atof: the longest leading decimal number (after blanks), 0 when there is none."""
    number = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text)
    return float(number.group(0)) if number else 0.0


def atoi(text: str) -> int:
    """C's atoi: the longest leading integer (after blanks), 0 when there is none."""
    digits = re.match(r"\s*[-+]?\d+", text)
    return int(digits.group(0)) if digits else 0


def size_to_bytes(size: str) -> int:
    """src/flb_utils.c flb_utils_size_to_bytes at v3.1.9: atof of the text, then a unit of at most
    two trailing non-digits, K, M or G (upper-cased), optionally followed by B; -1 when unreadable
    (the input or output then refuses to start: "invalid mem_buf_limit", ...)."""
    if size.lower() == "false":
        return 0
    value = atof(size)
    unit = re.search(r"\D*$", size[1:]).group(0).upper() if len(size) > 1 else ""
    if not unit:
        return int(value)
    if len(unit) > 2 or (len(unit) == 2 and unit[1] != "B") or unit[0] not in "KMG":
        return -1
    return int(value * 1000 ** ("KMG".index(unit[0]) + 1))


def time_to_seconds(time: str) -> int:
    """src/flb_utils.c flb_utils_time_to_seconds at v3.1.9: atoi of the text, times 86400, 3600 or
    60 when its last character is d, h or m (either case); anything else is seconds. It never fails:
    src/flb_config_map.c stores whatever it returns, so an unreadable duration becomes 0 s."""
    return atoi(time) * {"d": 86400, "h": 3600, "m": 60}.get(time[-1:].lower(), 1)


def retry_limit(value: str) -> int | str:
    """src/flb_output.c at v3.1.9: no_limits, false or off mean unlimited; no_retries none; anything
    else is atoi, and a result not above zero falls back to 1 with a warning."""
    if value.lower() in ("no_limits", "false", "off"):
        return "unlimited"
    if value.lower() == "no_retries":
        return "none"
    return n if (n := atoi(value)) > 0 else 1


# Values read against a fixed set, case-insensitively (strcasecmp); any other stops Fluent Bit at start.
CHOICES = {
    "storage.type": {"filesystem", "memory", "memrb"},  # src/flb_input.c, storage.type
    "log_level": {"off", "error", "warn", "warning", "info", "debug", "trace"},  # src/flb_log.c flb_log_get_level_str
}


def unknown(sections) -> list[str]:
    """Unknown properties, boolean or size properties whose value Fluent Bit cannot read, and
    durations it reads as 0 s (none of ours means "never")."""
    found = []
    for kind, entries in sections:
        keys = [k.lower() for k, _ in entries]
        plugin = dict((k.lower(), v) for k, v in entries).get("name")
        allowed = PROPERTIES[kind] | PROPERTIES.get(plugin, set())
        assert kind in ("SERVICE", "PARSER") or plugin in PROPERTIES, f"no property list for plugin {plugin}"
        found += [f"{kind} {plugin}: {k}" for k in keys if k not in allowed]
        booleans = PROPERTIES.get(f"{kind} booleans", set()) | PROPERTIES.get(f"{plugin} booleans", set())
        found += [f"{kind} {plugin}: {k}={v}" for k, v in entries if k.lower() in booleans and v.lower() not in BOOLEANS]
        sizes = PROPERTIES.get(f"{kind} sizes", set()) | PROPERTIES.get(f"{plugin} sizes", set())
        found += [f"{kind} {plugin}: {k}={v}" for k, v in entries if k.lower() in sizes and size_to_bytes(v) <= 0]
        times = PROPERTIES.get(f"{plugin} times", set())
        found += [f"{kind} {plugin}: {k}={v}" for k, v in entries if k.lower() in times and time_to_seconds(v) <= 0]
        found += [f"{kind} {plugin}: {k}={v}" for k, v in entries
                  if k.lower() in CHOICES and v.lower() not in CHOICES[k.lower()]]
        # [SERVICE] Flush is FLB_CONF_TYPE_DOUBLE (src/flb_config.c service_configs): read with atof.
        found += [f"{kind}: {k}={v}" for k, v in entries if kind == "SERVICE" and k.lower() == "flush" and atof(v) <= 0]
    return found


@pytest.mark.parametrize("stack,archive", [("prod", "kafka-archive"), ("prod", None), ("dev", None)])
def test_every_property_is_one_fluent_bit_accepts(stack, archive):
    groups = fluent_bit.sections(CollectionArgs.of(make_settings(stack)), archive, "eu-west-1" if archive else "")
    assert unknown([section for sections in groups.values() for section in sections]) == []
    assert unknown([("OUTPUT", [("Name", "es"), ("Logstash_Prefx", "x"), ("Trace_Error", "Onn"),
                                ("Buffer_Size", "5MiB")])]) == [
        "OUTPUT es: logstash_prefx", "OUTPUT es: Trace_Error=Onn", "OUTPUT es: Buffer_Size=5MiB"]
    assert [size_to_bytes(v) for v in ("5MB", "5m", "32K", "1.5G", "100", "5MiB", "MB5", "false")] == [
        5_000_000, 5_000_000, 32_000, 1_500_000_000, 100, -1, 0, 0]
    assert unknown([("OUTPUT", [("Name", "s3"), ("upload_timeout", "ten minutes")])]) == [
        "OUTPUT s3: upload_timeout=ten minutes"]
    assert [time_to_seconds(v) for v in ("10m", "10M", "2h", "1d", "30", "30s", "m10", "")] == [
        600, 600, 7200, 86400, 30, 30, 0, 0]
    assert unknown([("INPUT", [("Name", "tail"), ("storage.type", "FILESYSTEM"), ("Log_Level", "Warn")]),
                    ("INPUT", [("Name", "tail"), ("storage.type", "disk"), ("log_level", "verbose")]),
                    ("SERVICE", [("Flush", "1.5"), ("Log_Level", "INFO")]), ("SERVICE", [("flush", "soon")])]) == [
        "INPUT tail: storage.type=disk", "INPUT tail: log_level=verbose", "SERVICE: flush=soon"]


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_variable_the_config_reads_is_a_credential_the_pod_gets(stack):
    """Fluent Bit replaces ${VAR} with the environment's value, and an unset one with nothing and a
    warning (src/flb_env.c at v3.1.9, flb_env_var_translate): a misspelt name sends requests without
    a user. The pod's environment is the credentials Secret (envFrom), whose keys are
    CREDENTIAL_ENV's values (components/collection.py). Each search output authenticates with a user
    and a password of its own from it."""
    provided = set(fluent_bit.CREDENTIAL_ENV.values())
    groups = fluent_bit.sections(CollectionArgs.of(make_settings(stack)), "kafka-archive", "eu-west-1")
    read = {v for sections in groups.values() for v in re.findall(r"\$\{(\w+)\}", fluent_bit.render(sections))}
    assert read and read <= provided, read - provided
    outputs = [dict((k.lower(), v) for k, v in entries) for sections in groups.values()
               for kind, entries in sections if kind == "OUTPUT"]
    search = [o for o in outputs if o["name"] in ("es", "opensearch")]
    credentials = [(o["http_user"], o["http_passwd"]) for o in search]
    assert len(search) == 2 and len({c for pair in credentials for c in pair}) == 4, credentials


def test_every_parsers_file_is_one_the_pod_has():
    """Fluent Bit stops at start when a Parsers_File cannot be opened. The pod has the image's files
    (dockerfiles/Dockerfile at v3.1.9 copies conf/parsers*.conf into /fluent-bit/etc/) and the
    chart's config mount (values.yaml at 0.47.10 mounts its ConfigMap at /fluent-bit/etc/conf, and
    templates/configmap.yaml writes custom_parsers.conf and fluent-bit.conf there)."""
    dockerfile = (UPSTREAM / "fluent-bit-v3.1.9" / "Dockerfile").read_text()
    copied = re.search(r"# Configuration files\nCOPY ((?:\S+ \\\n\s*)+)(/fluent-bit/etc/)\n", dockerfile)
    image = {copied.group(2) + Path(f).name for f in re.findall(r"(conf/\S+)", copied.group(1))}
    values, _ = chart("fluent-bit", "0.47.10")
    mount = next(m["mountPath"] for m in values["volumeMounts"] if m["name"] == "config")
    keys = re.findall(r"^  ([\w.-]+): \|", (UPSTREAM / "fluent-bit-0.47.10" / "configmap.yaml").read_text(), re.M)
    pod = image | {f"{mount}/{key}" for key in keys}
    assert "/fluent-bit/etc/parsers.conf" in pod and "/fluent-bit/etc/conf/custom_parsers.conf" in pod
    groups = fluent_bit.sections(CollectionArgs.of(make_settings("prod")), None, "")
    files = [v for sections in groups.values() for _, entries in sections for k, v in entries
             if k.lower() == "parsers_file"]
    assert files and set(files) <= pod, sorted(set(files) - pod)


@pytest.mark.parametrize("stack,archive", [("prod", "kafka-archive"), ("dev", None)])
def test_every_output_retries_as_often_as_the_settings_say(stack, archive):
    """Retry_Limit is read by flb_output.c, which turns an unreadable or non-positive limit into 1."""
    s = CollectionArgs.of(make_settings(stack))
    outputs = fluent_bit.sections(s, archive, "eu-west-1" if archive else "")["outputs"]
    limits = {dict(e)["Name"]: retry_limit(dict((k.lower(), v) for k, v in e)["retry_limit"]) for _, e in outputs}
    assert limits == dict.fromkeys(limits, s.log_output_retry_limit) and len(limits) == (3 if archive else 2)
    assert [retry_limit(v) for v in ("5", "None", "0", "no_limits", "Off", "no_retries")] == [
        5, 1, 1, "unlimited", "unlimited", "none"]


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


def test_prometheus_and_the_kubelet_reach_the_http_server_on_the_pod_ip():
    """Prometheus scrapes `__address__` (the pod IP and a port) and the kubelet probes the pod IP,
    so the HTTP server must listen on every address of the pod, on the port the scrape job uses."""
    s = make_settings("prod")
    ((_, service),) = fluent_bit.sections(CollectionArgs.of(s))["service"]
    service = dict(service)
    job = {j["job_name"]: j for j in scrape.scrape_configs(s)}[catalogue.JOB_FLUENT_BIT]
    (address,) = [r for r in job["relabel_configs"] if r.get("target_label") == "__address__"]
    assert service["HTTP_Server"] == "On" and ipaddress.ip_address(service["HTTP_Listen"]).is_unspecified
    assert address["replacement"].rpartition(":")[2] == service["HTTP_Port"]
