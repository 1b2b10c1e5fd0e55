"""content/fluent_bit.py: every property of every section is one Fluent Bit v3.1.9 accepts.

Fluent Bit checks each instance's properties against its plugin's config map and the properties
every input, filter or output takes, case-insensitively, and refuses to start on any other
("unknown configuration property"); the [SERVICE] keys are its FLB_CONF_* names. The lists are
extracted from the v3.1.9 sources (tests/upstream/fluent-bit-v3.1.9/properties.txt; v3.1.9 is the
appVersion of the pinned fluent-bit chart 0.47.10)."""
from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path

import pytest

from config.sections import CollectionArgs
from content import catalogue, fluent_bit, scrape
from tests.conftest import make_settings
from tests.content import fluent_bit_model as fb_model
from tests.content.fluent_bit_model import FluentBit, atof, retry_limit, size_to_bytes, time_to_seconds
from tests.upstream import HERE as UPSTREAM, chart, fluent_bit_properties

PROPERTIES = fluent_bit_properties()


BOOLEANS = {"true", "on", "yes", "false", "off", "no"}  # src/flb_utils.c flb_utils_bool, case-insensitive


# Values read against a fixed set, case-insensitively (strcasecmp); any other stops Fluent Bit at start.
CHOICES = {
    "storage.type": {"filesystem", "memory", "memrb"},  # src/flb_input.c, storage.type
    # plugins/filter_rewrite_tag/rewrite_tag.c cb_rewrite_tag_init: "Only 'memory' or 'filesystem'"
    "emitter_storage.type": {"filesystem", "memory"},
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
                    ("SERVICE", [("Flush", "1.5"), ("Log_Level", "INFO")]), ("SERVICE", [("flush", "soon")]),
                    ("FILTER", [("Name", "rewrite_tag"), ("Emitter_Storage.type", "memrb")])]) == [
        "INPUT tail: storage.type=disk", "INPUT tail: log_level=verbose", "SERVICE: flush=soon",
        "FILTER rewrite_tag: Emitter_Storage.type=memrb"]


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
def test_application_logs_retry_as_often_as_the_settings_say_and_security_events_until_delivered(stack, archive):
    """Retry_Limit is read by flb_output.c, which turns an unreadable or non-positive limit into 1,
    and no_limits into unlimited."""
    s = CollectionArgs.of(make_settings(stack, logOutputRetryLimit=7))
    outputs = fluent_bit.sections(s, archive, "eu-west-1" if archive else "")["outputs"]
    limits = {dict(e)["Name"]: retry_limit(dict((k.lower(), v) for k, v in e)["retry_limit"]) for _, e in outputs}
    assert limits == {"es": 7, "opensearch": "unlimited", **({"s3": "unlimited"} if archive else {})}
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


# The restart case: OpenSearch and the archive are down while a broker's authorizer denies a
# burst of requests, Fluent Bit restarts, then both come back.
KAFKA_POD = {"namespace_name": "kafka", "pod_name": "kafka-brokers-0", "labels": {"strimzi.io/kind": "Kafka"}}
DOWN = {"opensearch", "s3"}


def denial(seq: int) -> dict:
    """A StandardAuthorizerData denial in Strimzi's log4j1 layout (see test_collection.py), numbered."""
    return {"kubernetes": KAFKA_POD, "seq": seq,
            "log": f"2026-11-30 06:00:00,{seq % 1000:03d} INFO Principal = User:intruder-{seq} is Denied operation = "
                   f"READ from host = 10.1.{seq % 250}.{seq % 200} on resource = Topic:LITERAL:economy-{seq % 7} for "
                   f"request = Fetch with resourceRefCount = 1 based on rule DefaultDeny (kafka.authorizer.logger) "
                   f"[data-plane-kafka-request-handler-{seq % 8}]"}


def outage_and_restart(sections, batches: int = 15, batch: int = 2000) -> tuple[FluentBit, set[int]]:
    """Each round the broker writes `batch` lines, tail reads what it can, the multiline timer
    flushes one line it held, and the emitter's collector and the engine's flush run. Then the
    pod restarts with the outputs still down, and afterwards they come back and everything is
    sent. Returns the last process and the sequence numbers of every security record read."""
    fb, lines, flushed = FluentBit(sections), [], []
    fb.down = set(DOWN)
    for round_ in range(batches):
        lines += [denial(round_ * batch + i) for i in range(batch)]
        fb.read(lines)
        flushed.append(denial(10_000_000 + round_))
        fb.multiline_flush(flushed[-1])
        fb.tick()
    fb = fb.restart()
    fb.read(lines)
    fb.tick()
    fb.down = set()
    for _ in range(4):  # bounded: each round reads what is left and delivers what is held
        fb.read(lines)
        fb.tick()
    assert fb.host["offset"] == len(lines) and not fb.pending and not fb.memory
    return fb, {r["seq"] for r in lines + flushed}


def without_emitter_storage(sections):
    """The same configuration with rewrite_tag's emitter on its defaults (memory, 10M)."""
    return [(kind, [(k, v) for k, v in entries if not k.lower().startswith("emitter_")]) for kind, entries in sections]


def rendered(stack: str = "prod") -> list:
    groups = fluent_bit.sections(CollectionArgs.of(make_settings(stack)), "kafka-archive", "eu-west-1")
    return [section for sections in groups.values() for section in sections]


def test_a_full_emitter_and_a_restart_lose_no_security_record():
    """fluent/fluent-bit v3.1.9 (tests/content/fluent_bit_model.py names the functions): with the
    emitter on filesystem storage nothing pauses it, its chunks wait under storage.path on the host
    and the storage_backlog input sends them after the restart; every denial reaches OpenSearch and
    the archive. On the emitter's defaults (memory, 10M) the same outage loses the records the
    emitter held when the pod restarted, and every line the multiline timer flushed into the
    paused emitter (busy, -2: dropped with its KEEP false original)."""
    fb, security = outage_and_restart(rendered())
    assert fb.lost == []
    assert {r["seq"] for r in fb.delivered["opensearch"]} == security
    assert {r["seq"] for r in fb.delivered["s3"]} == security
    assert len(security) == 30_015

    old, _ = outage_and_restart(without_emitter_storage(rendered()))
    reasons: dict[str, set[int]] = {}
    for why, record in old.lost:
        reasons.setdefault(why, set()).add(record["seq"])
    missing = security - {r["seq"] for r in old.delivered["opensearch"]}
    assert missing == security - {r["seq"] for r in old.delivered["s3"]} == set().union(*reasons.values())
    assert set(reasons) == {"in memory at restart", "emitter busy"}
    # The emitter paused in the round whose lines took it to 10 MB (10_000_000 bytes): what it held
    # then (that round and all before it, 2000 lines and one flushed line a round) was lost at
    # restart, and the line the multiline timer flushed in each later round was refused as busy.
    held = reasons["in memory at restart"]
    paused_in = max(seq for seq in held if seq < 10_000_000) // 2000
    assert held == set(range((paused_in + 1) * 2000)) | {10_000_000 + r for r in range(paused_in + 1)}
    assert 10_000_000 <= sum(len(json.dumps(r, sort_keys=True)) for why, r in old.lost if why != "emitter busy")
    assert reasons["emitter busy"] == {10_000_000 + r for r in range(paused_in + 1, 15)} != set()
    print(f"old config lost {len(missing)} of {len(security)} security records "
          f"({len(reasons['in memory at restart'])} held in memory, {len(reasons['emitter busy'])} busy)")


def test_a_retry_limit_on_a_security_output_would_lose_the_outage():
    """src/flb_task.c flb_task_retry_create at v3.1.9: after Retry_Limit failed retries the chunk
    is dropped for that output. With the settings' 5 on the security outputs, an outage of more
    than 6 tries (about five minutes of backoff) loses every record read in it, filesystem storage
    or not; the rendered no_limits loses none."""
    five = [(kind, [(k, "5" if k == "Retry_Limit" else v) for k, v in entries]) for kind, entries in rendered()]
    lost, _ = outage_and_restart(five, batches=10, batch=100)
    kept, security = outage_and_restart(rendered(), batches=10, batch=100)
    assert kept.lost == [] and {r["seq"] for r in kept.delivered["opensearch"]} == security
    assert {why for why, _ in lost.lost} == {"opensearch retry limit", "s3 retry limit"}
    # Lines of the first 5 rounds failed 6 tries before the restart; the restart starts the count
    # again for the rest, which the outputs take when they come back.
    assert {r["seq"] for why, r in lost.lost if why == "opensearch retry limit"} == {
        *range(500), *(10_000_000 + r for r in range(5))}


def test_an_outage_longer_than_the_disk_budget_drops_the_oldest_security_records_first():
    """src/flb_input_chunk.c at v3.1.9 (flb_input_chunk_place_new_chunk, find_space_new_data): a
    filesystem chunk that would take an output past its storage.total_limit_size makes room by
    dropping that output's oldest chunks, for that output only. The budget bounds the host disk;
    here it is cut to 100 KB so that a short outage of OpenSearch alone passes it."""
    sections = [(kind, [(k, "100K" if k == "storage.total_limit_size" else v) for k, v in entries])
                for kind, entries in rendered()]
    fb = FluentBit(sections)
    fb.down = {"opensearch"}
    lines = []
    for round_ in range(20):  # 50 lines between two flushes: the archive never holds 100 KB
        lines += [denial(round_ * 50 + i) for i in range(50)]
        fb.read(lines)
        fb.tick()
    dropped = [r["seq"] for why, r in fb.lost if why == "opensearch over storage.total_limit_size"]
    kept = [c["record"]["seq"] for c in fb.host["chunks"]]
    assert [why for why, _ in fb.lost] == ["opensearch over storage.total_limit_size"] * len(dropped)
    assert dropped == list(range(len(dropped))) and kept == list(range(len(dropped), 1000))
    assert 99_000 < sum(len(json.dumps(c["record"], sort_keys=True)) for c in fb.host["chunks"]) <= 100_000
    assert [r["seq"] for r in fb.delivered["s3"]] == list(range(1000))  # the archive lost nothing


def test_every_output_keeps_at_most_its_disk_budget_and_security_outlasts_applications():
    """storage.total_limit_size is read by src/flb_output.c at v3.1.9 with flb_utils_size_to_bytes;
    an output without it (-1) may fill the node's disk, where the kubelet then evicts pods."""
    limits = {dict(e)["Name"]: size_to_bytes(dict(e)["storage.total_limit_size"])
              for kind, e in rendered() if kind == "OUTPUT"}
    assert limits == {"es": 1_000_000_000, "opensearch": 4_000_000_000, "s3": 4_000_000_000}


def test_filesystem_storage_needs_the_service_storage_path():
    """src/flb_storage.c flb_storage_input_create at v3.1.9: an input on filesystem storage
    without a storage.path stops Fluent Bit at start; the rendered service has one, and the tail
    input and the emitter both use it."""
    sections = rendered()
    FluentBit(sections)
    no_path = [(kind, [(k, v) for k, v in entries if k != "storage.path"]) for kind, entries in sections]
    with pytest.raises(ValueError, match="storage.path"):
        FluentBit(no_path)
    options = [dict((k.lower(), v) for k, v in e) for _, e in sections]
    assert [o.get("storage.type") for o in options if o.get("name") == "tail"] == ["filesystem"]
    (emitter,) = [o for o in options if o.get("name") == "rewrite_tag"]
    assert emitter["emitter_storage.type"] == "filesystem" and size_to_bytes(emitter["emitter_mem_buf_limit"]) > 0


def test_a_long_line_in_a_brokers_log_does_not_hold_back_the_security_event_after_it():
    """The rendered tail input (fluent/fluent-bit v3.1.9 plugins/in_tail, modelled in
    tests/content/fluent_bit_model.TailFile) on a broker's container log in CRI format: an INFO line,
    a line of 100,000 bytes (a dumped request, say; longer than the 32768-byte Buffer_Max_Size
    default), then an authorizer denial. One read, before any refresh of the watched files: the
    denial reaches OpenSearch and the archive, and the long line is dropped whole (no piece of it
    reaches anything). Without Skip_Long_Lines (tail.c's default, false) the file is dropped at the
    long line and taken up again from the database offset one buffer per refresh_interval (60 s):
    the first read and two refreshes each take 32,767 bytes of the long line's 100,054, the third
    refresh reads its last 1,753 bytes as a line of its own, then the denial: three minutes late. A
    line of 10 MiB would hold the broker's log back for 320 refreshes, over five hours."""
    (tail,) = [e for kind, e in rendered() if kind == "INPUT" and dict(e)["Name"] == "tail"]
    cri = "2026-12-07T10:00:00.000000000Z stdout F "
    info = cri + "INFO [KafkaApis id=0] Processed fetch request (kafka.server.KafkaApis)"
    long_ = cri + "DEBUG request " + "x" * 100_000
    content = f"{info}\n{long_}\n{cri}{denial(7)['log']}\n".encode()

    def routed(lines: list[bytes]) -> list[tuple[str, int | None]]:
        out = []
        for line in lines:
            record = fb_model.cri_record(line)
            assert record is not None, line[:80]
            record = {**record, "kubernetes": KAFKA_POD, "seq": 7 if "Denied" in record["log"] else None}
            out += [(output, r["seq"]) for output, _, r in fb_model.route(rendered(), "kube.var.log.containers.b.log",
                                                                         record)]
        return out

    read = fb_model.TailFile(tail)
    lines = read.read(content)
    assert lines == [info.encode(), f"{cri}{denial(7)['log']}".encode()]   # the long line, not a byte of it
    assert sorted(routed(lines)) == [("opensearch", 7), ("s3", 7)]
    assert read.monitored and read.offset == len(content) and read.removed == 0

    stopped = fb_model.TailFile([(k, v) for k, v in tail if k != "Skip_Long_Lines"])
    assert stopped.read(content) == [info.encode()] and not stopped.monitored and stopped.refresh_interval == 60
    assert len(long_) == 100_054 and [stopped.refresh(content) for _ in range(2)] == [[], []]
    assert stopped.removed == 3
    piece, event = stopped.refresh(content)
    assert piece == b"x" * 1_753 and event.endswith(b"(kafka.authorizer.logger) [data-plane-kafka-request-handler-7]")
    assert sorted(routed([event])) == [("opensearch", 7), ("s3", 7)] and stopped.monitored
