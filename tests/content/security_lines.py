"""Kafka's security log lines, built exactly from the upstream format strings, and a model of the
Fluent Bit filters that parse them.

Messages (apache/kafka tag 3.8.0; unchanged in 3.9):
- core/src/main/scala/kafka/security/authorizer/AclAuthorizer.scala, logAuditMessage:
  s"Principal = $principal is $authResult Operation = $operation from host = $host on resource =
  $resource for request = $apiKey with resourceRefCount = $refCount", the operation and resource
  type in PascalCase (SecurityUtils.operationName/resourceTypeName), the resource
  `<Type>:<PatternType>:<name>`; logger `kafka.authorizer.logger`.
- metadata/src/main/java/org/apache/kafka/metadata/authorizer/StandardAuthorizerData.java,
  buildAuditMessage: the same with " operation = " + action.operation() (the enum name, READ) and
  " based on rule " + rule (DefaultDeny, SuperUser, MatchingAcl(acl=...)) at the end; logged by
  auditLog.info (line 307) for a denial.
- clients/src/main/java/org/apache/kafka/common/network/Selector.java:620, log.info("Failed
  {}authentication with {} ({})", "re-" or "", desc, message) where desc is
  String.format("%s (channelId=%s)", channel.socketDescription(), channel.id()): InetAddress.toString()
  (`hostname/ip`, or `/ip` when unresolved), and the connection id
  `$localHost:$localPort-$remoteHost:$remotePort-$index` (SocketServer.scala ConnectionId.toString).
  Reasons: PlainSaslServer "Authentication failed: Invalid username or password";
  SaslServerAuthenticator "Authentication failed during authentication due to invalid credentials
  with SASL mechanism " + mechanism, and "Unexpected Kafka request of type " + apiKey + " during SASL
  handshake."; SslTransportLayer "SSL handshake failed".
Layouts (strimzi/strimzi-kafka-operator cluster-operator/src/main/resources/default-logging):
- 0.45.0 KafkaCluster.properties (log4j1): `%d{ISO8601} %p %m (%c) [%t]%n`
- 0.47.0 KafkaCluster.properties (log4j2): `%d{yyyy-MM-dd HH:mm:ss} %-5p [%t] %c{1}:%L - %m%n`
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

LOG4J1, LOG4J2 = "log4j1", "log4j2"
AUTHORIZER_LOGGER, SELECTOR_LOGGER = "kafka.authorizer.logger", "org.apache.kafka.common.network.Selector"


def layout(layout_: str, when: datetime, level: str, logger: str, line: int, thread: str, message: str) -> str:
    if layout_ == LOG4J1:  # %d{ISO8601}: yyyy-MM-dd HH:mm:ss,SSS
        return f"{when:%Y-%m-%d %H:%M:%S},{when.microsecond // 1000:03d} {level} {message} ({logger}) [{thread}]"
    return f"{when:%Y-%m-%d %H:%M:%S} {level:<5} [{thread}] {logger.rsplit('.', 1)[-1]}:{line} - {message}"


def acl_authorizer(principal: str, decision: str, operation: str, host: str, resource: str, api: str,
                   ref_count: int = 1) -> str:
    """ZooKeeper mode: `resource` as `Topic:LITERAL:payments`; `operation` PascalCase (Read)."""
    return (f"Principal = {principal} is {decision} Operation = {operation} from host = {host} on resource = "
            f"{resource} for request = {api} with resourceRefCount = {ref_count}")


def standard_authorizer(principal: str, decision: str, operation: str, host: str, resource: str, api: str,
                        rule: str = "DefaultDeny", ref_count: int = 1) -> str:
    """KRaft: `operation` the enum's name (READ)."""
    return (f"Principal = {principal} is {decision} operation = {operation} from host = {host} on resource = "
            f"{resource} for request = {api} with resourceRefCount = {ref_count} based on rule {rule}")


def failed_authentication(host: str, reason: str, remote_port: int = 51234, index: int = 7, hostname: str = "",
                          reauth: bool = False, local: str = "10.0.0.5:9094") -> str:
    desc = f"{hostname}/{host} (channelId={local}-{host}:{remote_port}-{index})"
    return f"Failed {'re-' if reauth else ''}authentication with {desc} ({reason})"


BAD_PASSWORD = "Authentication failed: Invalid username or password"
BAD_SCRAM = "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
SSL_FAILED = "SSL handshake failed"


def unexpected_request(api: str = "METADATA") -> str:
    return f"Unexpected Kafka request of type {api} during SASL handshake."


def onigmo(regex: str) -> re.Pattern:
    """Onigmo's named groups (?<name>...) in Python's spelling; the rest of our regexes is common syntax."""
    return re.compile(regex.replace("(?<", "(?P<"))


def parse_record(parsers: dict[str, str], filters: list[tuple[str, list[tuple[str, str]]]], record: dict) -> dict:
    """The record after our `parser` and `modify` filters, in order (fluent-bit v3.1.9):
    - parser (plugins/filter_parser/filter_parser.c): the value of Key_Name is tried against each
      Parser in order, the first that matches wins (flb_parser_do; a regex parser searches,
      src/flb_regex.c onig_search); empty captures are skipped (skip_empty_values, on by default);
      Reserve_Data keeps the other fields and Preserve_Key the parsed one; no match leaves the record.
    - modify (plugins/filter_modify/modify.c): the rules apply only if every Condition holds
      (Key_exists, Key_value_matches: a regex search on the value); Set replaces the key."""
    out = dict(record)
    for name, entries in filters:
        opts = dict(entries)
        kind = opts["Name"]
        if kind == "parser":
            assert opts["Reserve_Data"] == "On" and opts["Preserve_Key"] == "On"
            value = out.get(opts["Key_Name"])
            for parser in [v for k, v in entries if k == "Parser"]:
                m = onigmo(parsers[parser]).search(value) if isinstance(value, str) else None
                if m:
                    out.update({k: v for k, v in m.groupdict().items() if v})
                    break
        elif kind == "modify":
            holds = True
            for key, value in entries:
                if key != "Condition":
                    continue
                words = value.split(" ", 2)
                if words[0] == "Key_exists":
                    holds &= words[1] in out
                elif words[0] == "Key_value_matches":
                    holds &= words[1] in out and re.search(words[2], str(out[words[1]])) is not None
                else:
                    raise AssertionError(f"unmodelled condition {value}")
            if holds:
                for key, value in entries:
                    if key == "Set":
                        field, field_value = value.split(" ", 1)
                        out[field] = field_value
        else:
            raise AssertionError(f"unmodelled filter {kind}")
    return out


def event(line: str, when: datetime | None = None, **extra) -> dict:
    """A security record as it reaches OpenSearch, through our filters: `log` kept, fields added."""
    from content import security_parsers as sp
    when = when or datetime(2026, 12, 7, 12, 0, tzinfo=timezone.utc)
    record = {"log": line, "@timestamp": int(when.timestamp() * 1000), **extra}
    return parse_record(sp.PARSERS, sp.filter_sections("security.*"), record)
