"""config/fields.py and config/cron.py against the systems that consume the values.

- Durations: the real promtool and amtool are the oracle (both parse with prometheus/common's
  model.ParseDuration); our parser must accept exactly what they accept.
- Cron: Elasticsearch's documented grammar ("Cron expressions", x-pack `Cron`), examples from its docs.
- Bucket names: the S3 User Guide's "General purpose bucket naming rules", written out below as a
  checker, applied to every name the program derives from an accepted prefix.
"""
from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess

import pytest
import yaml

from config import cron, fields, schema

needs_tools = pytest.mark.skipif(not (shutil.which("promtool") and shutil.which("amtool")),
                                 reason="promtool/amtool not installed")

DURATIONS = ["15s", "1m30s", "1h30m", "2w", "1y", "100ms", "0", "5m0s", "1d1h", "90d",
             "5m5m", "30m1h", "1x", "15 seconds", "1.5m", "-1s", "s", "1m30", "1h 30m", "1M"]


def test_every_declared_setting_has_a_rule():
    assert set(fields.rules()) == {k for k, d in schema.keys().items() if not d.secret}


@needs_tools
@pytest.mark.parametrize("text", DURATIONS)
def test_durations_are_parsed_as_alertmanager_and_prometheus_parse_them(text, tmp_path):
    am = tmp_path / "am.yml"
    am.write_text(yaml.safe_dump({"route": {"receiver": "r", "group_wait": text}, "receivers": [{"name": "r"}]}))
    prom = tmp_path / "prom.yml"
    prom.write_text(yaml.safe_dump({"global": {"evaluation_interval": text}}))
    amtool = subprocess.run(["amtool", "check-config", str(am)], capture_output=True, timeout=30).returncode == 0
    promtool = subprocess.run(["promtool", "check", "config", str(prom)], capture_output=True,
                              timeout=30).returncode == 0
    assert amtool == promtool, text
    assert (fields.duration_seconds(text) is not None) == amtool, text


def test_duration_seconds_adds_its_units():
    assert fields.duration_seconds("1h30m") == 5400
    assert fields.duration_seconds("1d1h") == 90000
    assert fields.duration_seconds("100ms") == pytest.approx(0.1)


@pytest.mark.parametrize("expression", [
    "0 30 1 * * ?",            # the SLM docs' nightly example
    "0 0 12 * * ?",
    "0 15 10 ? * MON-FRI",     # weekday names and a range
    "0 15 10 L * ?",           # last day of the month
    "0 15 10 ? * 6L",          # last Friday
    "0 15 10 ? * 6#3",         # third Friday
    "0 0/5 14,18 * * ?",       # steps and lists
    "0 15 10 15W * ? 2030",    # nearest weekday, with a year
    "0 0 1 ? JAN-MAR SUN",
])
def test_cron_accepts_the_documented_forms(expression):
    assert cron.problems(expression) == []


@pytest.mark.parametrize("expression,field", [
    ("0 30 1 * * *", "day_of_week"),         # both day fields given
    ("0 30 1 ? * ?", "day_of_week"),         # neither given
    ("0 30 25 * * ?", "hours"),
    ("60 30 1 * * ?", "seconds"),
    ("0 30 1 32 * ?", "day_of_month"),
    ("0 30 1 * 13 ?", "month"),
    ("0 30 1 ? * 8", "day_of_week"),
    ("0 0/0 1 * * ?", "minutes"),
    ("30 1 * * *", "fields"),                 # a Unix cron: five fields
    ("every day at half past one", "seconds"),  # six words, none a field
])
def test_cron_refuses_what_elasticsearch_refuses_naming_the_field(expression, field):
    assert any(field in p for p in cron.problems(expression)), cron.problems(expression)


@pytest.mark.parametrize("expression,ok", [
    ("30 2 * * *", True), ("0 */6 * * MON-FRI", True), ("0 0 1 JAN *", True), ("0 0 * * 0", True),
    ("0 30 2 * * ?", False),   # Elasticsearch's 6 fields
    ("60 2 * * *", False), ("30 24 * * *", False), ("30 2 ? * *", False), ("30 2 L * *", False),
])
def test_unix_cron_for_opensearch_snapshot_management(expression, ok):
    assert (cron.unix_problems(expression) == []) is ok, cron.unix_problems(expression)


def s3_bucket_name_problems(name: str) -> list[str]:
    """The S3 general purpose bucket naming rules, one check per documented rule."""
    rules = [
        (3 <= len(name) <= 63, "3 to 63 characters"),
        (re.fullmatch(r"[a-z0-9.-]+", name) is not None, "lowercase letters, numbers, dots and hyphens"),
        (re.fullmatch(r"[a-z0-9].*[a-z0-9]", name) is not None, "begins and ends with a letter or number"),
        (".." not in name, "no two adjacent periods"),
        (not _is_ip(name), "not formatted as an IP address"),
        (not name.startswith(("xn--", "sthree-", "amzn-s3-demo-")), "reserved prefix"),
        (not name.endswith(("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")), "reserved suffix"),
    ]
    return [why for ok, why in rules if not ok]


def _is_ip(name: str) -> bool:
    try:
        ipaddress.IPv4Address(name)
        return True
    except ValueError:
        return False


ROLES = ("access-logs", "compliance-archive", "compliance-replica", "search-snapshots", "replica-access-logs")
PREFIXES = ["a", "abc", "abc-", "amzn-s3-demo-x", "n" * 35, "n" * 36, "necpgame-kafka-monitoring", "a1-b2", "0abc", "n" * 37, "Necpgame", "-abc", "abc-",
            "necp..game", "necp.game", "xn--abc", "sthree-x", "ab", "a_b", "necpgame kafka"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_an_accepted_bucket_prefix_yields_valid_s3_names_for_every_bucket(prefix):
    accepted = fields.rules()["bucketPrefix"].ok(prefix)
    names = [f"{prefix}-{env}-{role}" for env in ("dev", "staging", "prod") for role in ROLES]
    valid = all(not s3_bucket_name_problems(n) for n in names) and "." not in prefix  # dots break TLS
    assert accepted == valid, (prefix, [s3_bucket_name_problems(n) for n in names])


def test_the_bucket_roles_here_are_the_programs():
    from content import archive
    assert set(ROLES) == {archive.ACCESS_LOGS, archive.ARCHIVE, archive.REPLICA, archive.SNAPSHOTS,
                          archive.REPLICA_ACCESS_LOGS}
    # the stack-qualified length check (config.settings) measures the longest of them
    assert fields.LONGEST_BUCKET_ROLE == max(ROLES, key=len) == "replica-access-logs"


@pytest.mark.parametrize("url,problem", [
    ("https://grafana.necpgame.internal", None),
    ("http://es:9200/", None),
    ("https://user:pw@es:9200", "credentials"),
    ("https://token@es", "credentials"),
    ("https://es:99999", "port"),
    ("https://es:0", "port"),
    ("ftp://es", "http(s)"),
    ("https://", "http(s)"),
    ("https://es/a b", "spaces"),
])
def test_endpoint_urls(url, problem):
    found = fields.url_problem(url)
    assert (found is None) if problem is None else (problem in found), found


def test_regions_are_the_aws_providers():
    assert {"eu-west-1", "eu-central-1", "us-east-1"} <= set(fields.AWS_REGIONS)
    assert "mars-north-1" not in fields.AWS_REGIONS


def test_cron_refusals_say_what_each_field_allows():
    assert cron.unix_problems("0 0 1 13 *") == ["month not allowed; allowed: 1-12, names, * , - /"]
    assert cron.unix_problems("0 24 * * *") == ["hour not allowed; allowed: 0-23, * , - /"]
    assert cron.unix_problems(None) == ["0 fields; expected 5 (minute hour day_of_month month day_of_week)"]
    assert cron.problems(42) == ["not a string"]


# What `pulumi config` users read: each key's description in Pulumi.yaml says what it allows. The
# refusal must say the same, and the documented edges must hold (the numbers are read from the
# document, not from the rule, so a rule that drifts from its documentation fails here).
DESCRIPTIONS = {k: d.description for k, d in schema.keys().items() if not d.secret}
SAMPLE_ITEM = {"searchServiceAccounts": "search:opensearch", "archiveReaderRoleArns":
               "arn:aws:iam::123456789012:role/reader", "applicationLogLevels": "WARN",
               "traceHealthOperations": "/health", "traceSenderNamespaces": "game-servers",
               "grafanaSources": "grafana:app.kubernetes.io/name=grafana", "alertmanagerSources": "10.0.0.0/16",
               "sensitiveTopics": "economy.payments"}


def _documented(key: str) -> str:
    match = re.search(r"Allowed: (.+?)\.(?: Prod requires (.+)\.)?$", DESCRIPTIONS[key])
    assert match, f"{key}: the description does not say what is allowed"
    return match.group(1)


@pytest.mark.parametrize("key", sorted(DESCRIPTIONS))
def test_each_refusal_says_what_the_documentation_says(key):
    rule = fields.rules()[key]
    assert _documented(key) == rule.allowed
    prod = re.search(r" Prod requires (.+)\.$", DESCRIPTIONS[key])
    assert (f"prod requires {prod.group(1)}" if prod else "") == rule.prod_allowed


def _edges(key: str) -> list[tuple[object, bool, bool]]:
    """(value, allowed, allowed in prod) at and just outside each documented edge."""
    text, rule = DESCRIPTIONS[key], fields.rules()[key]
    cases = []
    if m := re.search(r"Allowed: (\d+) to (\d+)\.", text):
        lo, hi = int(m.group(1)), int(m.group(2))
        cases += [(lo - 1, False, False), (hi, True, True), (hi + 1, False, False)]
        low_ok_in_prod = True
        if p := re.search(r"Prod requires at least (\d+)", text):
            floor = int(p.group(1))
            cases += [(floor - 1, True, False), (floor, True, True)]
            low_ok_in_prod = lo >= floor
        cases.append((lo, True, low_ok_in_prod))
    elif m := re.search(r"Prometheus duration .* from (\w+) to (\w+)\.", text):
        lo, hi = (fields.duration_seconds(x) for x in m.groups())
        cases += [(f"{int(hi)}s", True, True), (f"{int(hi) + 1}s", False, False)]
        if lo > 0:
            cases.append((f"{int(lo) - 1}s", False, False))
        floor = lo
        if p := re.search(r"Prod requires at least (\w+)", text):
            floor = fields.duration_seconds(p.group(1))
            cases += [(f"{int(floor) - 1}s", floor - 1 >= lo, False), (f"{int(floor)}s", True, True)]
        cases.append((f"{int(lo)}s", True, lo >= floor))
    elif m := re.search(r", (\d+) to (\d+) of them\.", text):
        lo, hi = int(m.group(1)), int(m.group(2))
        item = SAMPLE_ITEM[key]
        cases += [([item] * lo, True, True), ([item] * hi, True, True), ([item] * (hi + 1), False, False)]
        if lo:
            cases.append(([item] * (lo - 1), False, False))
    assert cases or rule.bounds is None, f"{key}: bounded, but the documentation gives no range"
    return cases


EDGED = [k for k in sorted(DESCRIPTIONS) if re.search(r"Allowed: \d+ to \d+\.|duration .* from \w+ to \w+\.|\d+ of them\.",
                                                          DESCRIPTIONS[k])]


@pytest.mark.parametrize("key", EDGED)
def test_each_documented_range_holds_at_its_edges(key):
    rule = fields.rules()[key]
    for value, ok, prod_ok in _edges(key):
        assert rule.ok(value) is ok, (key, value)
        if ok:
            assert (rule.prod_ok is None or rule.prod_ok(value)) is prod_ok, (key, value, "prod")


def test_every_bounded_key_documents_its_range():
    documented = {k: tuple(int(n) for n in m.groups()) for k in DESCRIPTIONS
                  if (m := re.search(r"Allowed: (\d+) to (\d+)\.", DESCRIPTIONS[k]))}
    assert {k: r.bounds for k, r in fields.rules().items() if r.bounds} == documented
    assert len(EDGED) >= 40


@pytest.mark.parametrize("key", ["monitoringNamespace", "platformNamespace"])
def test_namespace_names_are_dns_1123_labels_of_at_most_63_characters(key):
    """k8s.io/apimachinery validation.IsDNS1123Label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63."""
    ok = fields.rules()[key].ok
    assert ok("a" * 63) and ok("a-1") and not ok("a" * 64) and not ok("-a") and not ok("a-") and not ok("A")


@pytest.mark.parametrize("expression,found", [
    # Elasticsearch's Cron: steps from 1 up to the field's maximum, ranges checked at both ends
    ("0 0/59 * * * ?", []), ("0 0/1 * * * ?", []), ("0 0/0 * * * ?", ["minutes"]), ("0 0/60 * * * ?", ["minutes"]),
    ("0 0 23 * * ?", []), ("0 0 24 * * ?", ["hours"]), ("0 0 1-23 * * ?", []), ("0 0 1-24 * * ?", ["hours"]),
    ("0 0 0 ? * MON-FRI", []), ("0 0 0 ? * MON-XYZ", ["day_of_week"]),
    ("0 0 0 1,15,31 * ?", []), ("0 0 0 1,15,32 * ?", ["day_of_month"]),   # every part of a list is checked
    ("0 *,99 * * * ?", ["minutes"]), ("0 0 0 L,40 * ?", ["day_of_month"]),   # also after `*` or a special form
    ("0 0 0 * * ? 2099", []), ("0 0 0 * * ? 2100", ["year"]),
    ("0 0 0 ? * ?", ["day_of_month and day_of_week"]), ("0 0 0 1 * 1", ["day_of_month and day_of_week"]),
])
def test_es_cron_fields_at_their_edges(expression, found):
    assert [p.split(" not allowed")[0].split(":")[0] for p in cron.problems(expression)] == found


def test_es_cron_messages_name_the_fields_range_and_names():
    assert cron.problems("0 0 0 ? 13 MON") == ["month not allowed; allowed: 1-12, names, * , - /"]
    assert cron.problems("0 0 0 ? * 8") == ["day_of_week not allowed; allowed: 1-7, names, * , - /"]
    assert cron.problems("0 60 0 ? * 1") == ["minutes not allowed; allowed: 0-59, * , - /"]
    assert cron.problems("0 0 0 1 * 1") == [
        "day_of_month and day_of_week: not allowed; allowed: '?' in exactly one of them"]


@pytest.mark.parametrize("expression,ok", [("*/59 * * * *", True), ("*/60 * * * *", False), ("0 0 ? * *", False),
                                           ("0 0 * * 7", True), ("0 0 * * 8", False), ("0-59 0 * * *", True)])
def test_unix_cron_at_its_edges(expression, ok):
    """cron-utils UNIX: no `?` (only Quartz has it), weekday 0-7 with 7 for Sunday."""
    assert (cron.unix_problems(expression) == []) is ok


@pytest.mark.parametrize("key,length,ok", [
    ("breakGlassRoleArn", 543, True),           # a path and name of 512 characters (IAM: path up to 512)
    ("eksOidcProviderArn", 295, True),          # an issuer of 255 characters
    ("searchCaBundle", 1024, True), ("searchCaBundle", 1025, False),
])
def test_long_but_valid_identifiers_are_accepted(key, length, ok):
    value = {"breakGlassRoleArn": "arn:aws:iam::123456789012:role/", "eksOidcProviderArn":
             "arn:aws:iam::123456789012:oidc-provider/", "searchCaBundle": "/"}[key]
    value += "a" * (length - len(value))
    assert fields.rules()[key].ok(value) is ok


@pytest.mark.parametrize("key,value,ok", [
    ("traceSamplingRate", "0", True), ("traceSamplingRate", "1", True), ("traceSamplingRate", "1.0001", False),
    ("traceSamplingRate", "-0.1", False), ("traceSamplingRate", "x", False),
    ("availabilitySloPercent", "0", False), ("availabilitySloPercent", "0.001", True),
    ("availabilitySloPercent", "99.999", True), ("availabilitySloPercent", "100", False),
    ("traceSamplingOverrides", ["a=1"] * 100, True), ("traceSamplingOverrides", ["a=1"] * 101, False),
    # Pulumi.yaml: "at most 20" further Kubernetes clusters (each its own provider and Prometheus pair)
    ("kubernetesClusters", [], True), ("kubernetesClusters", ["eks-b context=eks-b"] * 20, True),
    ("kubernetesClusters", ["eks-b context=eks-b"] * 21, False), ("kubernetesClusters", "eks-b context=eks-b", False),
])
def test_rates_percentages_and_override_counts_at_their_edges(key, value, ok):
    assert fields.rules()[key].ok(value) is ok


@pytest.mark.parametrize("text,seconds", [("0", 0.0), ("0s", 0.0), ("1ms", 0.001), ("1d1h", 90000.0), ("", None),
                                          (None, None), (15, None), ("1x", None)])
def test_duration_seconds_reads_prometheus_durations_only(text, seconds):
    assert fields.duration_seconds(text) == seconds


@pytest.mark.parametrize("url,why", [
    ("https://grafana.example.com", None), ("http://prometheus.monitoring.svc:9090", None),
    ("https://grafana example.com", "an http(s) URL without spaces"),
    ("https://grafana.example.com:99999", "an http(s) URL with a port from 1 to 65535"),
    ("https://grafana.example.com:0", "an http(s) URL with a port from 1 to 65535"),
    ("ftp://grafana.example.com", "an http(s) URL such as https://grafana.example.com"),
    ("https://", "an http(s) URL such as https://grafana.example.com"),
    ("https://admin:secret@grafana.example.com",
     "a URL without credentials (no user:password@); use the username key and the password secret"),
    (42, "an http(s) URL without spaces"),
])
def test_each_url_problem_in_its_own_words(url, why):
    assert fields.url_problem(url) == why


@pytest.mark.parametrize("key,value,ok", [
    ("blackboxExporterAddress", "", True), ("blackboxExporterAddress", "blackbox.monitoring.svc:9115", True),
    ("blackboxExporterAddress", "blackbox:9115", False),
    ("kubernetesCluster", "Prod-EU.1", True), ("kubernetesCluster", "-prod", False),
])
def test_addresses_and_cluster_names(key, value, ok):
    assert fields.rules()[key].ok(value) is ok


@pytest.mark.parametrize("topic,ok", [
    ("economy.payments", True), ("a" * 249, True), ("combat_results-v2", True),
    ("a" * 250, False), ("economy payments", False), ("economy/payments", False), ("", False), ("topic,other", False)])
def test_a_sensitive_topic_is_a_legal_kafka_topic_name(topic, ok):
    """apache/kafka 3.8.0 clients/src/main/java/org/apache/kafka/common/internals/Topic.java: LEGAL_CHARS
    `[a-zA-Z0-9._-]`, MAX_NAME_LENGTH 249. A comma can never be part of one: the sensitive-topic detection
    relies on it to split its bucket key (content/detections.py)."""
    assert fields.rules()["sensitiveTopics"].ok([topic]) is ok


@pytest.mark.parametrize("tenant,ok", [
    ("", True),                                   # optional: set only with globalMetrics mimir
    ("kafka-prod", True), ("KAFKA_PROD", True), ("team.a", True), ("a!*'()", True), ("0", True),
    ("t" * 150, True), ("t" * 151, False),
    (".", False), ("..", False), ("...", True),
    ("a:b", False),                               # ':' separates a subtenant in dskit, never part of an id
    ("a|b", False),                               # '|' joins several tenants in one header
    ("a/b", False), ("a b", False), ("\u00e9t\u00e9", False),
])
def test_a_mimir_tenant_is_what_mimir_accepts(tenant, ok):
    """grafana/dskit tenant/tenant.go (commit 173335eb2bb5) ValidTenantID, which Mimir uses: bytes of
    a-z, A-Z, 0-9 and ! - _ . * ' ( ), at most 150 (MaxTenantIDLength), not "." or ".."; ':' is its
    subtenant separator and '|' its tenant separator (tenantIDsSeparator)."""
    assert fields.rules()["globalMetricsTenant"].ok(tenant) is ok
