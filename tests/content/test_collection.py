"""Fluent Bit and Jaeger configurations as rendered from the settings."""
from __future__ import annotations

import re

import pytest

from content import fluent_bit, jaeger
from config.settings import SettingsError
from tests.conftest import TWO_CLUSTERS, make_settings
from tests.content.fluent_bit_model import route


def parse_classic(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Read Fluent Bit's classic format back: [SECTION] headers and indented 'Key Value' lines."""
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        header = re.fullmatch(r"\[([A-Z]+)\]", line)
        if header:
            sections.append((header.group(1), []))
            continue
        entry = re.fullmatch(r" {4}(\S+) +(\S.*)", line)
        assert entry and sections, f"not classic format: {line!r}"
        sections[-1][1].append((entry.group(1), entry.group(2)))
    return sections


def outputs(s, archive_bucket=None, region="") -> dict[str, dict[str, str]]:
    return {dict(e)["Name"]: dict(e) for name, e in parse_classic(fluent_bit.config_file(s, archive_bucket, region))
            if name == "OUTPUT"}


def test_rendered_file_reads_back_as_the_same_sections():
    s = make_settings("prod")
    expected = [sec for group in fluent_bit.sections(s).values() for sec in group]
    assert parse_classic(fluent_bit.config_file(s)) == expected


def test_outputs_write_daily_application_indices_and_the_security_alias_over_tls_without_mapping_types():
    """Security events go to the write alias `kafka-security` with the `create` op (out_opensearch v3.1.9:
    Logstash_Format Off -> every record's header is {"create":{"_index":"<Index>"}}); application logs
    to daily Logstash names."""
    out = outputs(make_settings("prod"))
    es, os_ = out["es"], out["opensearch"]
    assert es["Logstash_Prefix"] == "kafka-application"
    assert es["Logstash_Format"] == "On" and es["Logstash_DateFormat"] == "%Y.%m.%d"
    assert (os_["Logstash_Format"], os_["Index"], os_["Write_Operation"]) == ("Off", "kafka-security", "create")
    assert "Logstash_Prefix" not in os_ and "%" not in os_["Index"]  # Index goes through strftime
    for o in (es, os_):
        assert o["Suppress_Type_Name"] == "On" and "Type" not in o
        assert o["tls"] == "On" and o["tls.verify"] == "On"
        assert o["Generate_ID"] == "Off" and "Id_Key" not in o
    assert (es["Retry_Limit"], os_["Retry_Limit"]) == ("5", "no_limits")
    assert (es["Host"], es["Port"]) == ("elasticsearch.necpgame.internal", "9200")
    assert (os_["Host"], os_["Port"]) == ("security-logs.necpgame.internal", "9200")
    assert es["HTTP_Passwd"] == "${ES_PASSWORD}" and os_["HTTP_Passwd"] == "${OS_PASSWORD}"


def test_application_filter_keeps_the_configured_levels_and_security_gets_compliance_fields():
    sections = dict(((dict(e).get("Match"), dict(e)["Name"]), e) for n, e in parse_classic(
        fluent_bit.config_file(make_settings("prod", applicationLogLevels=["ERROR", "FATAL"]))) if n == "FILTER")
    grep = dict(sections[(fluent_bit.APP_TAG, "grep")])
    assert grep["Regex"] == "level ^(ERROR|FATAL)$"
    records = [v for k, v in sections[(fluent_bit.SECURITY_TAG, "record_modifier")] if k == "Record"]
    assert records == ["compliance SOC2 GDPR ISO27001", "retention_days 2557", "k8s_cluster necpgame-prod"]


def test_http_server_serves_metrics_on_2020():
    (service,) = [dict(e) for n, e in parse_classic(fluent_bit.config_file(make_settings("prod"))) if n == "SERVICE"]
    assert (service["HTTP_Server"], service["HTTP_Port"], service["Health_Check"]) == ("On", "2020", "On")


def test_default_sampling_is_ten_percent_with_health_checks_never_sampled():
    strategies = jaeger.sampling_strategies(make_settings("prod"))
    default = strategies["default_strategy"]
    assert (default["type"], default["param"]) == ("probabilistic", 0.1)
    assert {o["operation"]: o["param"] for o in default["operation_strategies"]} == {
        "/health": 0.0, "/healthz": 0.0, "/ready": 0.0, "/metrics": 0.0}
    assert strategies["service_strategies"] == []


def test_sampling_overrides_per_service_and_operation():
    s = make_settings("prod", traceSamplingOverrides=["combat-service=0.5", "combat-service:process_event=1",
                                                      "social-service:/chat=0.01"])
    services = {x["service"]: x for x in jaeger.sampling_strategies(s)["service_strategies"]}
    assert services["combat-service"]["param"] == 0.5
    assert {"operation": "process_event", "type": "probabilistic", "param": 1.0} in \
        services["combat-service"]["operation_strategies"]
    assert services["social-service"]["param"] == 0.1  # default rate, one operation overridden
    assert {"operation": "/health", "type": "probabilistic", "param": 0.0} in services["social-service"][
        "operation_strategies"]


@pytest.mark.parametrize("override", ["combat-service", "=0.5", "svc=1.5", "svc=often"])
def test_bad_sampling_override_is_refused(override):
    with pytest.raises(SettingsError) as err:
        make_settings("prod", traceSamplingOverrides=[override])
    assert err.value.problems[0].startswith("traceSamplingOverrides[0]")


def test_jaeger_pipeline_references_only_defined_components():
    """What `otelcol validate` checks structurally: every name the service uses is defined."""
    config = jaeger.config(make_settings("prod"))
    service = config["service"]
    assert set(service["extensions"]) <= set(config["extensions"])
    for pipeline in service["pipelines"].values():
        for kind in ("receivers", "processors", "exporters"):
            assert set(pipeline[kind]) <= set(config[kind]), kind


@pytest.mark.parametrize("backend,url", [("elasticsearch", "https://elasticsearch.necpgame.internal:9200"),
                                         ("opensearch", "https://security-logs.necpgame.internal:9200")])
def test_jaeger_storage_follows_the_setting(backend, url):
    config = jaeger.config(make_settings("prod", traceStorage=backend))
    store = config["extensions"]["jaeger_storage"]["backends"][jaeger.STORE]
    assert list(store) == [backend]
    assert store[backend]["server_urls"] == [url]
    indices = store[backend]["indices"]
    assert indices["index_prefix"] == "jaeger" and indices["spans"]["rollover_frequency"] == "day"
    assert store[backend]["auth"]["basic"]["password"] == "${env:TRACE_STORAGE_PASSWORD}"


# Records as the tail input and kubernetes filter hand them on (Merge_Log On: a JSON log's fields
# are merged into the record and `log` goes (Keep_Log Off); a plain-text line stays in `log`).
KAFKA = {"kubernetes": {"namespace_name": "necpgame-infrastructure", "pod_name": "kafka-brokers-0",
                        "labels": {"strimzi.io/kind": "Kafka"}}}
APP = {"kubernetes": {"namespace_name": "necpgame-infrastructure", "pod_name": "event-core-7d9f",
                      "labels": {"app": "kafka-event-driven-core"}}}
OTHER = {"kubernetes": {"namespace_name": "kube-system", "pod_name": "coredns-1", "labels": {}}}
AUDIT = {"kubernetes": {"namespace_name": "kube-system", "pod_name": "audit-relay-0",
                        "labels": {"app.kubernetes.io/component": "audit"}}}
HANDLER = "data-plane-kafka-request-handler-3"


# Kafka's audit lines, built as the format strings of apache/kafka at 3.9.0 (tag 3.9.0-rc3, commit
# dd5272687e8adf9e79e3e329b1b3d2524afb6020, the release) write them: AclAuthorizer.scala
# logAuditMessage (operation through SecurityUtils.operationName, "Read"), StandardAuthorizerData.java
# buildAuditMessage (the AclOperation enum itself, "READ", and "based on rule <rule>"), both on the
# logger kafka.authorizer.logger; Selector.java `log.info("Failed {}authentication with {} ({})")`
# with SaslServerAuthenticator's message; the errors' own messages ("SSL handshake failed",
# SslTransportLayer.java).
def acl_authorizer(principal: str, result: str = "Denied", operation: str = "Read", request: str = "Fetch") -> str:
    return (f"Principal = {principal} is {result} Operation = {operation} from host = 10.1.2.3 on resource = "
            f"Topic:LITERAL:economy for request = {request} with resourceRefCount = 1")


def standard_authorizer(principal: str, result: str = "Denied", operation: str = "READ",
                        rule: str = "DefaultDeny") -> str:
    return (f"Principal = {principal} is {result} operation = {operation} from host = 10.1.2.3 on resource = "
            f"Topic:LITERAL:economy for request = Fetch with resourceRefCount = 1 based on rule {rule}")


DENY_ACL = ("MatchingAcl(acl=StandardAcl(resourceType=TOPIC, resourceName=economy, patternType=LITERAL, "
            "principal=User:intruder, host=*, operation=READ, permissionType=DENY))")
SASL_FAILED = ("Failed authentication with /10.1.2.3 (channelId=10.0.0.5:9094-10.1.2.3:51234-7) (Authentication "
               "failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512)")


# Strimzi's console layouts for Kafka (strimzi/strimzi-kafka-operator
# cluster-operator/src/main/resources/default-logging/): log4j1 `%d{ISO8601} %p %m (%c) [%t]%n`
# (KafkaCluster.properties at 0.45.0, KafkaCluster.log4j1.properties at 0.47.0, for Kafka 3.x) and
# log4j2 `%d{yyyy-MM-dd HH:mm:ss} %-5p [%t] %c{1}:%L - %m%n` (KafkaCluster.properties from 0.46.0,
# same at 0.47.0, for Kafka 4): %c{1} keeps the logger's last dot-separated word, %L the line.
def log4j1(level: str, message: str, logger: str, thread: str = HANDLER) -> str:
    return f"2026-11-30 06:00:00,001 {level} {message} ({logger}) [{thread}]"


def log4j2(level: str, message: str, logger: str, line: int, thread: str = HANDLER) -> str:
    return f"2026-11-30 06:00:00 {level:<5} [{thread}] {logger.rsplit('.', 1)[-1]}:{line} - {message}"


def plain(pod: dict, line: str) -> dict:
    return {**pod, "log": line}


# name: (record, where it must go). Per classification rule (and per alternative of a pattern) a
# case that matches it and a near miss that must not.
RECORDS = {
    # $log, an authorizer's audit message: both authorizers, both layouts.
    "authorizer denial": (plain(KAFKA, log4j1("INFO", acl_authorizer("User:intruder"), "kafka.authorizer.logger")),
                          "security"),
    "AclAuthorizer denial, log4j2": (plain(KAFKA, log4j2("INFO", acl_authorizer("User:intruder"),
                                                         "kafka.authorizer.logger", 630)), "security"),
    "StandardAuthorizer denial, log4j1": (plain(KAFKA, log4j1("INFO", standard_authorizer("User:intruder"),
                                                              "kafka.authorizer.logger")), "security"),
    "StandardAuthorizer denial, log4j2": (plain(KAFKA, log4j2("INFO", standard_authorizer("User:intruder", rule=DENY_ACL),
                                                              "kafka.authorizer.logger", 308)), "security"),
    "StandardAuthorizer denial of a TLS user, log4j2": (plain(KAFKA, log4j2("INFO", standard_authorizer(
        "User:CN=Jane Doe,O=Example Corp", operation="WRITE"), "kafka.authorizer.logger", 308)), "security"),
    "StandardAuthorizer allowed at debug, log4j2": (plain(KAFKA, log4j2("DEBUG", standard_authorizer(
        "User:economy", result="Allowed", rule="DefaultAllow"), "kafka.authorizer.logger", 296)), "security"),
    "an application's ERROR saying denied": ({**APP, "level": "ERROR", "message": "Principal = User:42 is Denied "
                                              "operation = refund (insufficient balance)"}, "application"),
    "a plain line saying denied without the audit form": (plain(APP, "2026-11-30 06:00:00 ERROR order 42 is Denied "
                                                                "Operation = refund"), None),
    "the state change logger, log4j2": (plain(KAFKA, log4j2("INFO", "[Broker id=0] Handling LeaderAndIsr request "
                                                            "correlationId 5 from controller 3 epoch 7",
                                                            "state.change.logger", 1900, "kafka-0-metadata-loader")),
                                        None),
    # $log, "(kafka.authorizer.logger)": the authorizer's other lines in the log4j1 layout.
    "AclAuthorizer super user, log4j1": (plain(KAFKA, log4j1("DEBUG", "principal = User:admin is a super user, allowing "
                                                             "operation without checking acls.",
                                                             "kafka.authorizer.logger")), "security"),
    "a line naming the authorizer logger": (plain(KAFKA, log4j1("INFO", "Setting logger kafka.authorizer.logger to "
                                                                "INFO", "kafka.utils.Log4jController")), None),
    # $log, Selector's authentication failures.
    "SASL failure": (plain(KAFKA, log4j1("INFO", "[SocketServer listenerType=BROKER, nodeId=0] " + SASL_FAILED,
                                         "org.apache.kafka.common.network.Selector", "data-plane-kafka-network-"
                                         "thread-0-ListenerName(SCRAM)-SASL_SSL-1")), "security"),
    "SASL re-authentication failure, log4j2": (plain(KAFKA, log4j2("INFO", SASL_FAILED.replace(
        "Failed authentication", "Failed re-authentication").replace("during authentication", "during "
                                                                      "re-authentication"),
        "org.apache.kafka.common.network.Selector", 636)), "security"),
    "authentication succeeded": (plain(KAFKA, log4j2("DEBUG", "Successfully authenticated with /10.1.2.3",
                                                     "org.apache.kafka.common.network.Selector", 580)), None),
    "a count of failed authentications": (plain(APP, "Failed authentication attempts in the last hour: 0"), None),
    # $log, client-side exceptions in an application's plain-text log.
    "client SASL exception": (plain(APP, "org.apache.kafka.common.errors.SaslAuthenticationException: Authentication "
                                         "failed during authentication due to invalid credentials with SASL "
                                         "mechanism SCRAM-SHA-512"), "security"),
    "client SASL login": (plain(APP, "Successfully logged in. (org.apache.kafka.common.security.authenticator."
                                     "AbstractLogin)"), None),
    "client SSL handshake failed": (plain(APP, "org.apache.kafka.common.errors.SslAuthenticationException: SSL "
                                               "handshake failed"), "security"),
    "client SSL handshake completed": (plain(APP, "SSL handshake completed successfully with peerHost 10.1.2.3"), None),
    # $event_category.
    "platform security event": ({**APP, "event_category": "security", "level": "INFO",
                                 "message": "player session hijack suspected"}, "security"),
    "platform audit event": ({**OTHER, "event_category": "audit", "message": "role granted"}, "security"),
    "a security-scan category": ({**APP, "event_category": "security-scan", "level": "ERROR",
                                  "message": "scanner unreachable"}, "application"),
    # $logger (a JSON layout).
    "JSON authorizer line": ({**KAFKA, "logger": "kafka.authorizer.logger", "level": "INFO",
                              "message": "principal = User:admin is a super user"}, "security"),
    "JSON authorizer class line": ({**KAFKA, "logger": "kafka.authorizer.AclAuthorizer", "level": "WARN",
                                    "message": "ACL cache refresh took 2 s"}, "application"),
    # The audit component label.
    "an audit source": ({**AUDIT, "message": "kubectl exec into kafka-brokers-0"}, "security"),
    "an audit-proxy source": ({**OTHER, "kubernetes": {**OTHER["kubernetes"], "labels": {
        "app.kubernetes.io/component": "audit-proxy"}}, "level": "ERROR", "message": "upstream down"}, None),
    # The namespace rule and the level filter.
    "application error": ({**APP, "level": "ERROR", "message": "combat event rejected"}, "application"),
    "application warning": ({**APP, "level": "WARN", "message": "slow consumer"}, "application"),
    "application fatal": ({**APP, "level": "FATAL", "message": "cannot start"}, "application"),
    "application WARNING": ({**APP, "level": "WARNING", "message": "slow consumer"}, None),
    "application info": ({**APP, "level": "INFO", "message": "processed"}, None),
    "broker info line": (plain(KAFKA, log4j1("INFO", "[LocalLog partition=combat-0, dir=/var/lib/kafka] Rolled new "
                                                     "log segment at offset 42", "kafka.log.LocalLog$")), None),
    "other namespace error": ({**OTHER, "level": "ERROR", "message": "plugin/errors"}, None),
    "a namespace named like ours": ({**APP, "kubernetes": {**APP["kubernetes"], "namespace_name":
                                                           "necpgame-infrastructure-staging"}, "level": "ERROR",
                                     "message": "combat event rejected"}, None),
}
DESTINATIONS = {"security": ["opensearch", "s3"], "application": ["es"], None: []}


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_records_are_routed_by_their_content(name):
    """Security events reach OpenSearch and the locked archive; application warnings and errors
    reach Elasticsearch; everything else reaches nothing."""
    s = make_settings("prod")
    sections = parse_classic(fluent_bit.config_file(s, "archive-bucket", "eu-west-1"))
    record, expected = RECORDS[name]
    reached = sorted(out for out, _, _ in route(sections, "kube.var.log.containers.x.log", record))
    assert reached == DESTINATIONS[expected]


def test_application_logs_of_every_clusters_namespace_and_only_those_reach_elasticsearch():
    """The rewrite_tag rule reads the namespace of each cluster and of the platform. The clusters here
    live in two namespaces of their own (x and y). A namespace whose name only contains one of those
    names stays out: the rule's regex is anchored at both ends."""
    s = make_settings("prod", clusters=TWO_CLUSTERS)
    sections = parse_classic(fluent_bit.config_file(s))
    namespaces = {s.platform_namespace, *(c.namespace for c in s.clusters)}
    assert {"x", "y"} < namespaces

    def reached(namespace: str) -> list[str]:
        record = {**APP, "kubernetes": {**APP["kubernetes"], "namespace_name": namespace}, "level": "ERROR",
                  "message": "combat event rejected"}
        return sorted(out for out, _, _ in route(sections, "kube.var.log.containers.x.log", record))

    assert {n: reached(n) for n in namespaces} == {n: ["es"] for n in namespaces}
    assert reached("xy") == reached("x-staging") == []


def test_security_events_carry_their_compliance_fields_into_both_outputs():
    sections = parse_classic(fluent_bit.config_file(make_settings("prod"), "archive-bucket", "eu-west-1"))
    record, _ = RECORDS["authorizer denial"]
    for _, tag, routed in route(sections, "kube.var.log.containers.x.log", record):
        assert tag.startswith("security.") and routed["retention_days"] == "2557"


def test_the_archive_output_sends_content_md5_and_gzips_hourly_keys():
    out = outputs(make_settings("prod"), "archive-bucket", "eu-west-1")["s3"]
    assert (out["bucket"], out["region"], out["send_content_md5"], out["use_put_object"]) == (
        "archive-bucket", "eu-west-1", "true", "On")
    assert out["compression"] == "gzip" and out["s3_key_format"].startswith("/security-events/%Y/%m/%d/%H/")
    assert "s3" not in outputs(make_settings("prod"))  # no writer role, no archive output


def test_the_input_is_the_charts_container_log_pipeline():
    """fluent-bit chart 0.47.10 defaults: tail /var/log/containers/*.log, docker and cri parsers,
    tag kube.*, and the kubernetes filter with Merge_Log."""
    s = make_settings("prod")
    sections = parse_classic(fluent_bit.config_file(s))
    (tail,) = [dict(e) for n, e in sections if n == "INPUT"]
    assert (tail["Name"], tail["Path"], tail["multiline.parser"], tail["Tag"]) == (
        "tail", "/var/log/containers/*.log", "docker, cri", "kube.*")
    kube = [dict(e) for n, e in sections if n == "FILTER" and dict(e)["Name"] == "kubernetes"]
    assert kube == [{"Name": "kubernetes", "Match": "kube.*", "Merge_Log": "On", "Keep_Log": "Off",
                     "K8S-Logging.Parser": "On", "K8S-Logging.Exclude": "On"}]


def without_one_alternative(regex: str) -> list[str]:
    """The regex once per alternative of each of its groups, that alternative removed (a group
    left with one alternative keeps its parentheses)."""
    variants, opened = [], []
    for i, char in enumerate(regex):
        if char in "()" and (i == 0 or regex[i - 1] != "\\"):
            if char == "(":
                opened.append(i)
                continue
            start = opened.pop()
            body, parts, depth, last = regex[start + 1:i], [], 0, 0
            for j, c in enumerate(body):
                if c in "()" and (j == 0 or body[j - 1] != "\\"):
                    depth += 1 if c == "(" else -1
                elif c == "|" and depth == 0:
                    parts.append(body[last:j])
                    last = j + 1
            parts.append(body[last:])
            variants += [regex[:start + 1] + "|".join(parts[:k] + parts[k + 1:]) + regex[i:]
                         for k in range(len(parts)) if len(parts) > 1]
    return variants


def test_dropping_any_alternative_of_a_regex_is_seen():
    assert without_one_alternative(r"^(a|b\(c)$") == [r"^(b\(c)$", r"^(a)$"]
    assert without_one_alternative(r"x(y(1|2)|z)") == [r"x(y(2)|z)", r"x(y(1)|z)", r"x(z)", r"x(y(1|2))"]


def corpus(s) -> list[tuple[str, dict, str | None]]:
    """Every case of RECORDS from each namespace of the settings' clusters and the platform
    (unless its namespace is what it tests), at three times of day: (case, record, expected)."""
    monitored = sorted({s.platform_namespace, *(c.namespace for c in s.clusters)})
    records = []
    for name, (record, expected) in sorted(RECORDS.items()):
        own = record["kubernetes"]["namespace_name"]
        for namespace in (monitored if own == APP["kubernetes"]["namespace_name"] else [own]):
            for time in ("06:00:00", "13:45:09", "23:59:59"):
                variant = {**record, "kubernetes": {**record["kubernetes"], "namespace_name": namespace}}
                if "log" in variant:
                    variant["log"] = variant["log"].replace("06:00:00", time)
                records.append((name, variant, expected))
    return records


def destinations(sections, records) -> list[list[str]]:
    return [sorted(out for out, _, _ in route(sections, "kube.var.log.containers.x.log", r)) for _, r, _ in records]


def test_many_records_cover_every_rule_and_each_rule_and_alternative_decides_some():
    """The whole corpus (every case, from every monitored namespace, at three times) lands where
    the table says; every rewrite_tag rule decides some record; and without any one rule, or any
    one alternative of a rule's or the level filter's pattern, some record lands elsewhere."""
    s = make_settings("prod", clusters=TWO_CLUSTERS)
    sections = parse_classic(fluent_bit.config_file(s, "archive-bucket", "eu-west-1"))
    records = corpus(s)
    fired: list = []
    reached = [sorted(out for out, _, _ in route(sections, "kube.var.log.containers.x.log", r, fired=fired))
               for _, r, _ in records]
    assert [(n, got) for (n, _, e), got in zip(records, reached) if got != DESTINATIONS[e]] == []
    counts = {e: sum(1 for _, _, x in records if x == e) for e in DESTINATIONS}
    # 34 cases: 29 from the monitored namespace, each from 3 namespaces, 5 from their own; 3 times.
    assert len(records) == 276 and counts == {"security": 123, "application": 54, None: 99}
    (position,) = {p for p, _ in fired}
    rules = [v for k, v in sections[position][1] if k == "Rule"]
    assert {n for _, n in fired} == set(range(len(rules))) and len(rules) == 5

    def mutants():
        for index, (kind, entries) in enumerate(sections):
            for k, (key, value) in enumerate(entries):
                if key == "Rule":
                    yield f"without rule {value}", index, entries[:k] + entries[k + 1:]
                if key in ("Rule", "Regex"):
                    words = value.split(" ")
                    for variant in without_one_alternative(words[1]):  # Rule KEY REGEX ..., Regex KEY REGEX
                        changed = " ".join([words[0], variant, *words[2:]])
                        yield f"{key} {changed}", index, entries[:k] + [(key, changed)] + entries[k + 1:]

    survived, tried = [], 0
    for label, index, entries in mutants():
        tried += 1
        mutant = sections[:index] + [(sections[index][0], entries)] + sections[index + 1:]
        if destinations(mutant, records) == reached:
            survived.append(label)
    # 5 rules; alternatives: 2 categories, 5 + 2 in the log pattern, 3 namespaces, 3 levels.
    assert survived == [] and tried == 20, survived
