"""Parsed security events: the fields Fluent Bit extracts from Kafka's security lines, the parsers
that extract them, and the filters that name each event. One table (FIELDS) is read by the
parsers, the `kafka-security` index template (content/retention.py) and the detections
(content/detections.py), so a field is spelt once.

What Kafka writes (apache/kafka 3.8.0; the same lines in 3.9):
- ZooKeeper's `AclAuthorizer.logAuditMessage` (core/.../security/authorizer/AclAuthorizer.scala):
  `Principal = User:x is Denied Operation = Read from host = 10.1.2.3 on resource =
  Topic:LITERAL:t for request = Fetch with resourceRefCount = 1`: Denied at INFO, Allowed at DEBUG.
- KRaft's `StandardAuthorizerData.buildAuditMessage` (metadata/.../authorizer/StandardAuthorizerData.java):
  the same with `operation = READ` (the enum's name) and ` based on rule DefaultDeny` at the end.
- `Selector.pollSelectionKeys` (clients/.../common/network/Selector.java:620, INFO):
  `Failed {re-}authentication with {InetAddress.toString()} (channelId={connectionId}) ({reason})`;
  InetAddress prints `host/ip` or `/ip`; the reason is the SASL server's message
  (`Authentication failed: Invalid username or password`, `... due to invalid credentials with SASL
  mechanism SCRAM-SHA-512`), `SSL handshake failed` (SslTransportLayer), or `Unexpected Kafka request
  of type X during SASL handshake.` (SaslServerAuthenticator). Failed-authentication lines carry no
  principal.
The layout around the message differs (Strimzi's default logging, strimzi-kafka-operator 0.45.0
`KafkaCluster.properties` log4j1 `%d{ISO8601} %p %m (%c) [%t]%n`; 0.47.0 log4j2
`%d{yyyy-MM-dd HH:mm:ss} %-5p [%t] %c{1}:%L - %m%n`), so the regexes are unanchored: Fluent Bit's
regex parser searches the value (src/flb_regex.c, onig_search).

Fluent Bit v3.1.9: the `parser` filter (plugins/filter_parser/filter_parser.c: `Key_Name`, `Parser`
(multiple, tried in order until one matches), `Reserve_Data` keeps the other fields, `Preserve_Key`
keeps `log`, the raw line); a regex parser skips empty captures (src/flb_parser.c, skip_empty
true). The `modify` filter (plugins/filter_modify/modify.c): every `Condition` must hold; `Set`
overwrites an existing key.
"""
from __future__ import annotations

# Field -> OpenSearch field type. `ip` makes the client address a range- and CIDR-searchable value.
FIELDS: dict[str, str] = {
    "kafka_event": "keyword",          # authz_denied, authz_allowed, authn_failed, tls_handshake_failed, sasl_protocol_error
    "kafka_principal": "keyword",      # User:alice (authorizer lines only)
    "kafka_client_ip": "ip",
    "kafka_operation": "keyword",      # Read (AclAuthorizer) or READ (KRaft)
    "kafka_resource_type": "keyword",  # Topic, Group, Cluster, TransactionalId, DelegationToken, User
    "kafka_resource": "keyword",
    "kafka_api": "keyword",            # the request: Fetch, Produce, Metadata...
    "kafka_auth_error": "keyword",     # the reason of a failed authentication
    "kafka_decision": "keyword",       # Allowed or Denied
    "kafka_pattern_type": "keyword",   # LITERAL or PREFIXED
}

# Event names (kafka_event values), what the detections filter on.
AUTHZ_DENIED, AUTHZ_ALLOWED = "authz_denied", "authz_allowed"
AUTHN_FAILED, TLS_FAILED, SASL_PROTOCOL = "authn_failed", "tls_handshake_failed", "sasl_protocol_error"

# Onigmo syntax (`(?<name>...)`), as Fluent Bit's [PARSER] Regex takes it.
PARSERS: dict[str, str] = {
    "kafka_authorizer": (
        r"Principal = (?<kafka_principal>\S+) is (?<kafka_decision>Allowed|Denied) [Oo]peration = "
        r"(?<kafka_operation>\S+) from host = (?<kafka_client_ip>[0-9A-Fa-f.:%]+) on resource = "
        r"(?<kafka_resource_type>[A-Za-z]+):(?<kafka_pattern_type>[A-Z]+):(?<kafka_resource>.+?) "
        r"for request = (?<kafka_api>\S+)"),
    "kafka_authentication": (
        r"Failed (?:re-)?authentication with \S*/(?<kafka_client_ip>[0-9A-Fa-f.:%]+) \(channelId=[^ )]+\) "
        r"\((?<kafka_auth_error>[^()]+)\)"),
}

# (conditions, event): applied in order, a later match overwrites (modify's Set).
EVENT_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Key_value_matches kafka_decision ^Denied$",), AUTHZ_DENIED),
    (("Key_value_matches kafka_decision ^Allowed$",), AUTHZ_ALLOWED),
    (("Key_exists kafka_auth_error",), AUTHN_FAILED),
    # A rule's value is split on spaces (modify.c), so a regex spells its spaces \s.
    (("Key_value_matches kafka_auth_error ^SSL\\shandshake\\sfailed",), TLS_FAILED),
    (("Key_value_matches kafka_auth_error ^Unexpected\\sKafka\\srequest\\sof\\stype\\s\\S+\\sduring\\sSASL\\shandshake",),
     SASL_PROTOCOL),
)

Section = tuple[str, list[tuple[str, str]]]


def parser_sections() -> list[Section]:
    """The [PARSER] sections of the parsers file."""
    return [("PARSER", [("Name", name), ("Format", "regex"), ("Regex", regex)]) for name, regex in PARSERS.items()]


def filter_sections(match: str) -> list[Section]:
    """After the classifier, on security records: parse `log` (kept), then name the event."""
    parse = ("FILTER", [("Name", "parser"), ("Match", match), ("Key_Name", "log"),
                        *[("Parser", name) for name in PARSERS], ("Reserve_Data", "On"), ("Preserve_Key", "On")])
    events = [("FILTER", [("Name", "modify"), ("Match", match), *[("Condition", c) for c in conditions],
                          ("Set", f"kafka_event {event}")]) for conditions, event in EVENT_RULES]
    return [parse, *events]


K8S_CLUSTER = "k8s_cluster"  # the Kubernetes cluster whose Fluent Bit shipped the event (content/fluent_bit.py)


def template_mappings() -> dict:
    """The security template's mappings: every parsed field with its type, and the shipping cluster's
    name, in place before Fluent Bit writes the first one (a dynamic mapping would make them text +
    keyword, and the IP a string)."""
    return {"properties": {**{name: {"type": kind} for name, kind in FIELDS.items()}, K8S_CLUSTER: {"type": "keyword"}}}
